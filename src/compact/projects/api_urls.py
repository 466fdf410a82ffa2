"""REST API endpoints of the projects app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
