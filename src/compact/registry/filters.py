"""Filters shared by the HTML lists and the API (one FilterSet each, django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compact.core.i18n import FALLBACK_ORDER, field_name
from compact.registry.models import Entity

NAME_COLUMNS = tuple(field_name("name", code) for code in FALLBACK_ORDER)


class EntityFilter(django_filters.FilterSet):
    """Entity directory filters: ``kind`` (``un`` | ``non_un``) and ``q`` (acronym, any name or alias)."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Entity.Kind.choices)
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Entity
        fields = ["kind"]

    def search(self, queryset, name, value):
        """Case-insensitive substring match on acronym, names in every language and aliases."""
        text = value.strip()
        if not text:
            return queryset
        match = Q(acronym__icontains=text) | Q(aliases__name__icontains=text)
        for column in NAME_COLUMNS:
            match |= Q(**{f"{column}__icontains": text})
        return queryset.filter(match).distinct()
