"""Funding API routes, under ``/api/``."""

from django.urls import path

from compact.funding import api

urlpatterns = [
    path("flows/", api.FlowListApi.as_view(), name="api-flow-list"),
    path("flows/<int:flow_id>/", api.FlowDetailApi.as_view(), name="api-flow-detail"),
    path("funding/totals/", api.TotalsApi.as_view(), name="api-funding-totals"),
    path("rates/", api.RatesApi.as_view(), name="api-rate-list"),
]
