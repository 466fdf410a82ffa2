"""Content fields of meetings, agenda items, decisions and action items translated into the six UN
languages (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from compact.meetings.models import ActionItem, AgendaItem, Decision, Meeting


@register(Meeting)
class MeetingTranslation(TranslationOptions):
    fields = ("title", "description")


@register(AgendaItem)
class AgendaItemTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Decision)
class DecisionTranslation(TranslationOptions):
    fields = ("title", "text")


@register(ActionItem)
class ActionItemTranslation(TranslationOptions):
    fields = ("title", "description")
