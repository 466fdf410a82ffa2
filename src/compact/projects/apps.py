"""The projects app: joint projects with their IATI fields."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "compact.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        """A project's history shows the changes of its participants, sectors, areas, SDG targets,
        resolution paragraphs, budgets and related
        activities with its own."""
        from compact.audit.selectors import register_history_children

        register_history_children("projects.project", [
            (f"projects.{model}", "project_id")
            for model in ("participant", "sector", "area", "sdgtarget", "resolutionparagraph", "budget", "relatedactivity")
        ])
