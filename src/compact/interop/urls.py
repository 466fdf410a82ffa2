"""Pages of data exchange: CSV/XLSX import and export; IATI imports as jobs."""

from django.urls import path

from compact.interop import views

app_name = "interop"
urlpatterns = [
    path("", views.index, name="index"),
    path("templates/<str:kind>.<str:file_format>", views.template_download, name="template"),
    path("export/iati-activities.xml", views.export_iati, name="export-iati"),
    path("export/<str:kind>.<str:file_format>", views.export, name="export"),
    path("import/", views.import_upload, name="import"),
    path("import/commit/", views.import_commit, name="import-commit"),
    path("iati/", views.iati_import, name="iati-import"),
    path("jobs/<int:pk>/", views.import_job, name="import-job"),
    path("jobs/<int:pk>/confirm/", views.import_job_confirm_view, name="import-job-confirm"),
]
