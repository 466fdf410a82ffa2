"""REST API endpoints of the funding app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
