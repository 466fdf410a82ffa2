"""The secretariat edits the registry in the Django admin; every edit is audited with a reason."""

from __future__ import annotations

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from compact.audit.admin import AuditedAdminMixin
from compact.registry.models import (
    Body,
    Entity,
    EntityAlias,
    LeadershipRole,
    Milestone,
    Participation,
    Person,
    Pillar,
    Strategy,
    StrategyReview,
)


class StrategyReviewInline(TranslationTabularInline):
    model = StrategyReview
    extra = 0


class EntityAliasInline(admin.TabularInline):
    model = EntityAlias
    extra = 0


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["entity"]
    fields = ["entity", "capacity", "start", "end"]


class LeadershipRoleInline(TranslationTabularInline):
    model = LeadershipRole
    extra = 0
    autocomplete_fields = ["entity"]
    fields = ["entity", "role", "position", "start", "end"]


class MilestoneInline(TranslationTabularInline):
    model = Milestone
    extra = 0
    fields = ["date", "title"]


@admin.register(Strategy)
class StrategyAdmin(AuditedAdminMixin, TranslationAdmin):
    list_display = ("title", "resolution", "adopted")
    inlines = [StrategyReviewInline]


@admin.register(Pillar)
class PillarAdmin(AuditedAdminMixin, TranslationAdmin):
    list_display = ("number", "title")


@admin.register(Entity)
class EntityAdmin(AuditedAdminMixin, TranslationAdmin):
    list_display = ("acronym", "name", "kind", "iati_identifier")
    list_filter = ("kind",)
    search_fields = ("acronym", "name_en", "name_fr", "aliases__name")
    inlines = [EntityAliasInline]


@admin.register(Body)
class BodyAdmin(AuditedAdminMixin, TranslationAdmin):
    list_display = ("__str__", "kind", "number", "pillar", "established", "dissolved")
    list_filter = ("kind", "pillar")
    search_fields = ("key", "title_en", "title_fr")
    inlines = [LeadershipRoleInline, ParticipationInline, MilestoneInline]


@admin.register(Person)
class PersonAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("family_name", "given_name", "entity", "function", "body")
    list_filter = ("function", "entity")
    search_fields = ("family_name", "given_name", "email")
    autocomplete_fields = ["entity"]
