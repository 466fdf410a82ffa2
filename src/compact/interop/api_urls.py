"""REST API endpoints of data exchange: CSV/XLSX import, IATI import jobs (see ``compact.interop.api``)."""

from django.urls import path

from compact.interop import api

urlpatterns = [
    path("import/projects/", api.ProjectsImportApi.as_view(), name="api-import-projects"),
    path("import/flows/", api.FlowsImportApi.as_view(), name="api-import-flows"),
    path("import/iati/", api.IatiImportApi.as_view(), name="api-import-iati"),
    path("import/jobs/<int:job_id>/", api.ImportJobApi.as_view(), name="api-import-job"),
    path("export/iati/", api.IatiExportApi.as_view(), name="api-export-iati"),
]
