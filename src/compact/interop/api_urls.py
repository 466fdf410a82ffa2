"""REST API endpoints of data exchange: CSV/XLSX import and export."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
