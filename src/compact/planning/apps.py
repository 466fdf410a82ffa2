from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "compact.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        """A programme's history shows the changes of its priorities with its own; a workplan's, those of
        its outputs and of their activities (current activities through their output; a deleted activity's
        event stays in the change log)."""
        from compact.audit.selectors import register_history_children

        register_history_children("planning.programme", [("planning.priority", "programme_id")])
        register_history_children("planning.workplan", [("planning.output", "workplan_id"),
                                                        ("planning.activity", "output__workplan_id")])
