"""Content fields of joint projects translated into the six UN languages (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from compact.projects.models import Project


@register(Project)
class ProjectTranslation(TranslationOptions):
    fields = ("title", "description")
