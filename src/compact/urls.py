"""Top-level URL map: pages, REST API, admin, health."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from compact.core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("compact.api_urls")),
    path("data-quality/", include("compact.registry.quality_urls")),
    path("audit/", include("compact.audit.urls")),
    *([path("account/oidc/", include("mozilla_django_oidc.urls"))] if settings.OIDC_ENABLED else []),
    path("account/", include("compact.access.urls")),
    path("reference/", include("compact.reference.urls")),
    path("planning/", include("compact.planning.urls")),
    path("projects/", include("compact.projects.urls")),
    path("funding/", include("compact.funding.urls")),
    path("appeals/", include("compact.appeals.urls")),
    path("meetings/", include("compact.meetings.urls")),
    path("exchange/", include("compact.interop.urls")),
    path("", include("compact.library.urls")),
    path("", include("compact.registry.urls")),
]
