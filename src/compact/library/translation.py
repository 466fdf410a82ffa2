"""Content fields translated into the six UN languages (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from compact.library.models import Document


@register(Document)
class DocumentTranslation(TranslationOptions):
    fields = ("title", "summary")
