"""Content fields of appeals and calls translated into the six UN languages (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from compact.appeals.models import Appeal, Call, Criterion


@register(Appeal)
class AppealTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Call)
class CallTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("name", "description")
