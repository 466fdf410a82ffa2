"""The admin application, with the secretariat-only site of ``compact.core.admin_site``."""

from django.contrib.admin.apps import AdminConfig


class CompactAdminConfig(AdminConfig):
    default_site = "compact.core.admin_site.CompactAdminSite"
