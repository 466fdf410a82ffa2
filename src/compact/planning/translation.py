"""Content fields of the programme of work translated into the six UN languages (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from compact.planning.models import Activity, Output, Priority, Programme, Workplan


@register(Programme)
class ProgrammeTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(Priority)
class PriorityTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Workplan)
class WorkplanTranslation(TranslationOptions):
    fields = ("summary",)


@register(Output)
class OutputTranslation(TranslationOptions):
    fields = ("title",)


@register(Activity)
class ActivityTranslation(TranslationOptions):
    fields = ("title", "description")
