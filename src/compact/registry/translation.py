"""Content fields translated into the six UN languages (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from compact.registry.models import Body, Entity, LeadershipRole, Milestone, Pillar, Strategy, StrategyReview


@register(Strategy)
class StrategyTranslation(TranslationOptions):
    fields = ("title",)


@register(StrategyReview)
class StrategyReviewTranslation(TranslationOptions):
    fields = ("note",)


@register(Pillar)
class PillarTranslation(TranslationOptions):
    fields = ("title",)


@register(Entity)
class EntityTranslation(TranslationOptions):
    fields = ("name",)


@register(Body)
class BodyTranslation(TranslationOptions):
    fields = ("title", "mandate")


@register(LeadershipRole)
class LeadershipRoleTranslation(TranslationOptions):
    fields = ("position",)


@register(Milestone)
class MilestoneTranslation(TranslationOptions):
    fields = ("title",)
