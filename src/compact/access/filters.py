"""Filters of the secretariat's list of accounts (``/account/users/``), one django-filter FilterSet.

Every filter is optional and they combine with AND. Values are checked: an unknown entity acronym or a
yes/no filter with another value makes the filter set invalid, with the message beside the field.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: The ``entity`` value that keeps accounts not linked to any registry person.
NO_ENTITY = "none"

YES_NO = [("yes", _("yes")), ("no", _("no"))]


def _entity_choices() -> list[tuple[str, str]]:
    """``[("none", "No entity"), (acronym, acronym), ...]``: one query, entities by acronym."""
    from compact.registry.models import Entity

    acronyms = Entity.objects.order_by("acronym").values_list("acronym", flat=True)
    return [(NO_ENTITY, str(_("No entity (not linked to the registry)")))] + [(a, a) for a in acronyms]


class UserFilter(django_filters.FilterSet):
    """Account list filters:

    - ``entity``: an entity acronym (the entity of the account's registry person), or ``none`` for
      accounts not linked to a person;
    - ``secretariat``: ``yes`` | ``no`` (a superuser or a member of the ``secretariat`` group);
    - ``active``: ``yes`` | ``no``;
    - ``q``: text found (case-insensitive) in the user name or the e-mail address.

    The ``secretariat`` filter reads the ``in_secretariat`` annotation that
    ``compact.access.selectors.user_list`` adds.
    """

    entity = django_filters.ChoiceFilter(label=_("Entity"), choices=[], method="filter_entity")
    secretariat = django_filters.ChoiceFilter(label=_("Secretariat"), choices=YES_NO, method="filter_secretariat")
    active = django_filters.ChoiceFilter(label=_("Active"), choices=YES_NO, method="filter_active")
    q = django_filters.CharFilter(label=_("User name or e-mail contains"), method="filter_text")

    class Meta:
        model = get_user_model()
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["entity"].extra["choices"] = _entity_choices()

    def filter_entity(self, queryset, name, value):
        if value == NO_ENTITY:
            return queryset.filter(person__isnull=True)
        return queryset.filter(person__entity__acronym=value)

    def filter_secretariat(self, queryset, name, value):
        return queryset.filter(in_secretariat=(value == "yes"))

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=(value == "yes"))

    def filter_text(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(username__icontains=text) | Q(email__icontains=text))
