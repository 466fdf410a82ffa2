"""REST API under ``/api/``: endpoints, OpenAPI schema and locally served docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from compact.core.api import not_found

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("compact.registry.api_urls")),
    path("", include("compact.library.api_urls")),
    path("", include("compact.audit.api_urls")),
    path("", include("compact.reference.api_urls")),
    path("", include("compact.planning.api_urls")),
    path("", include("compact.projects.api_urls")),
    path("", include("compact.funding.api_urls")),
    path("", include("compact.appeals.api_urls")),
    path("", include("compact.meetings.api_urls")),
    path("", include("compact.interop.api_urls")),
    re_path(r"^.*$", not_found, name="api-not-found"),
]
