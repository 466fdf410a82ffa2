"""Pages of the funding app."""

from django.urls import path  # noqa: F401

app_name = "funding"
urlpatterns: list = []
