"""The data exchange app: readers and writers of exchange files, and the import jobs that run long
imports (IATI files) as tasks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "compact.interop"
    label = "interop"
    verbose_name = _("Data exchange")
