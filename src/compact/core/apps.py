from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "compact.core"
    label = "core"
    verbose_name = "Core"
