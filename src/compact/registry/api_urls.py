"""Registry API routes."""


urlpatterns: list = []
