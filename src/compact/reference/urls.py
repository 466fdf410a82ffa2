"""Reference pages (HTML), under ``/reference/``: the lists, one IATI codelist, the M49 areas, the
currencies, and a CSV download of each."""

from django.urls import path, re_path

from compact.reference import views

app_name = "reference"

urlpatterns = [
    path("", views.index, name="index"),
    re_path(r"^codelists/(?P<name>[A-Za-z0-9_-]+)/$", views.codelist_detail, name="codelist"),
    re_path(r"^codelists/(?P<name>[A-Za-z0-9_-]+)\.csv$", views.codelist_csv, name="codelist-csv"),
    path("areas/", views.area_list, name="areas"),
    path("areas.csv", views.area_csv, name="areas-csv"),
    path("currencies/", views.currency_list, name="currencies"),
    path("currencies.csv", views.currency_csv, name="currencies-csv"),
]
