"""Registry pages."""


urlpatterns: list = []
