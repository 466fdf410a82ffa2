"""REST API endpoints of the appeals app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
