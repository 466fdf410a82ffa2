"""The data-quality page, included by the top-level URL map at ``data-quality/`` (URL name ``data-quality``)."""

from django.urls import path

from compact.registry import quality_views

urlpatterns = [
    path("", quality_views.data_quality, name="data-quality"),
]
