"""REST API endpoints of the reference app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
