"""The joint-project filters shared by the HTML list and the API (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compact.access.models import Sensitivity
from compact.core.i18n import FALLBACK_ORDER, field_name
from compact.projects.models import Participant, Project
from compact.reference import codelists, geography

#: The translated columns searched by ``q``: title and description in every language.
SEARCH_COLUMNS: tuple[str, ...] = tuple(field_name(f, code) for f in ("title", "description") for code in FALLBACK_ORDER)


class M49Field(forms.CharField):
    """A UN M49 country or region code (``"4"`` and ``"004"`` alike), cleaned to three digits."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        return geography.area(value).code


class SdgTargetField(forms.CharField):
    """An IATI UNSDG-Targets code (``"16.a"``), withdrawn ones included (old data is searched too)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        return codelists.check_code("UNSDG-Targets", value, new=False)


class M49Filter(django_filters.CharFilter):
    field_class = M49Field


class SdgTargetFilter(django_filters.CharFilter):
    field_class = SdgTargetField


class ProjectFilter(django_filters.FilterSet):
    """Joint-project filters, all optional and combined with AND:

    - ``stage``: ``draft`` | ``submitted`` | ``endorsed`` | ``published``;
    - ``activity_status``: IATI ActivityStatus code (``2`` implementation);
    - ``working_group``: a working group's key (``wg-2``): the lead group or one of the project's groups;
    - ``pillar``: a pillar's number (1-4);
    - ``lead_entity``: the lead entity's acronym, case-insensitive;
    - ``implementing_entity``: the acronym of an entity taking part with IATI role 4 (implementing);
    - ``country``: a UN M49 code: the projects with that beneficiary country, or, for a region, with the
      region itself or any country inside it (``compact.reference.geography.region_members``);
    - ``sdg_target``: IATI UNSDG-Targets code (``16.a``);
    - ``sensitivity``: one of the levels;
    - ``q``: text in the title or description (any language) or the IATI identifier, case-insensitive.

    An unknown stage, status, M49 code or SDG target makes the filter invalid with a message on that
    parameter.
    """

    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Project.Stage.choices)
    activity_status = django_filters.ChoiceFilter(label=_("Activity status"), choices=[])
    working_group = django_filters.CharFilter(label=_("Working group"), method="filter_working_group")
    pillar = django_filters.NumberFilter(label=_("Pillar"), method="filter_pillar")
    lead_entity = django_filters.CharFilter(label=_("Lead entity"), field_name="lead_entity__acronym", lookup_expr="iexact")
    implementing_entity = django_filters.CharFilter(label=_("Implementing entity"), method="filter_implementing")
    country = M49Filter(label=_("Country or region (UN M49)"), method="filter_country")
    sdg_target = SdgTargetFilter(label=_("SDG target"), method="filter_sdg_target")
    sensitivity = django_filters.ChoiceFilter(label=_("Sensitivity"), choices=Sensitivity.choices)
    q = django_filters.CharFilter(label=_("Text"), method="search")

    class Meta:
        model = Project
        fields = ["stage", "activity_status", "working_group", "pillar", "lead_entity", "implementing_entity",
                  "country", "sdg_target", "sensitivity", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["activity_status"].extra["choices"] = codelists.choices("ActivityStatus", include_withdrawn=True)

    def filter_working_group(self, queryset, name, value):
        key = value.strip()
        if not key:
            return queryset
        return queryset.filter(Q(lead_body__key__iexact=key) | Q(pk__in=Project.working_groups.through.objects.filter(
            body__key__iexact=key).values("project_id")))

    def filter_pillar(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(pk__in=Project.pillars.through.objects.filter(pillar__number=value).values("project_id"))

    def filter_implementing(self, queryset, name, value):
        acronym = value.strip()
        if not acronym:
            return queryset
        return queryset.filter(pk__in=Participant.objects.filter(role="4", entity__acronym__iexact=acronym).values("project_id"))

    def filter_country(self, queryset, name, value):
        if not value:
            return queryset
        codes = {value}
        if geography.area(value).kind == geography.REGION:
            codes |= set(geography.region_members(value))
        return queryset.filter(pk__in=Project.objects.filter(areas__code__in=codes).values("pk"))

    def filter_sdg_target(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=Project.objects.filter(sdg_targets__code=value).values("pk"))

    def search(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        match = Q(iati_identifier__icontains=text)
        for column in SEARCH_COLUMNS:
            match |= Q(**{f"{column}__icontains": text})
        return queryset.filter(match)

    def applied(self) -> dict[str, str]:
        """The filters in use, ``{parameter: value}``, for the access log and the page."""
        if not self.is_bound:
            return {}
        return {name: str(self.data.get(name)).strip() for name in self.filters if str(self.data.get(name) or "").strip()}

