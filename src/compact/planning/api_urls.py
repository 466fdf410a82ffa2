"""REST API endpoints of the planning app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
