"""Pages of data exchange: CSV/XLSX import and export."""

from django.urls import path

from compact.interop import views

app_name = "interop"
urlpatterns = [
    path("", views.index, name="index"),
    path("templates/<str:kind>.<str:file_format>", views.template_download, name="template"),
    path("export/<str:kind>.<str:file_format>", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/commit/", views.import_commit, name="import-commit"),
]
