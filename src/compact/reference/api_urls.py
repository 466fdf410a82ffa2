"""Reference API routes, under ``/api/`` (read-only, public)."""

from django.urls import path, re_path

from compact.reference import api

urlpatterns = [
    path("reference/codelists/", api.CodelistListApi.as_view(), name="api-reference-codelist-list"),
    re_path(r"^reference/codelists/(?P<name>[A-Za-z0-9_-]+)/$", api.CodelistDetailApi.as_view(), name="api-reference-codelist"),
    path("reference/areas/", api.AreaListApi.as_view(), name="api-reference-area-list"),
    path("reference/currencies/", api.CurrencyListApi.as_view(), name="api-reference-currency-list"),
]
