"""The filters of an appeal's project table, shared by the page, its downloads and the API (django-filter).

Countries and regions are UN M49 codes (``compact.reference.geography``); themes are the Strategy's
pillars (by number), working groups (by key) and SDG targets (IATI UNSDG-Targets codes, e.g. ``16.a``);
an implementing entity is a participant in IATI OrganisationRole 4 (implementing).
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compact.projects.models import Area, Participant, Project, SdgTarget
from compact.reference.geography import area, region_members, regions

#: IATI OrganisationRole code of an implementing organisation.
IMPLEMENTING_ROLE = "4"


def _country(value: str) -> None:
    if area(value).kind != "country":
        raise ValidationError(_("'%(value)s' is a region's code: give a country's UN M49 code, e.g. 566.")
                              % {"value": value})


def _region(value: str) -> None:
    region_members(value)  # raises for an unknown code, and for a country's


class AppealProjectFilter(django_filters.FilterSet):
    """Filters of an appeal's projects, all optional and combined with AND:

    - ``country``: a UN M49 country code (``566``; ``4`` is read as ``004``): projects benefiting it;
    - ``region``: a UN M49 region code (``002`` Africa): projects benefiting the region itself or any
      country or sub-region inside it;
    - ``pillar``: a pillar number of the Strategy (1-4);
    - ``working_group``: a working group's key (``wg-5``), the lead working group or another one;
    - ``sdg``: an SDG target (``16.a``);
    - ``implementing``: the acronym of an implementing entity (IATI role 4), case-insensitive.

    An unknown or misplaced code makes the filter invalid with a message on that parameter.
    """

    country = django_filters.CharFilter(label=gettext_lazy("Country (UN M49)"), method="filter_country",
                                        validators=[_country])
    region = django_filters.CharFilter(label=gettext_lazy("Region (UN M49)"), method="filter_region",
                                       validators=[_region])
    pillar = django_filters.NumberFilter(label=gettext_lazy("Pillar"), field_name="pillars__number", min_value=1,
                                         max_value=99, method="filter_pillar")
    working_group = django_filters.CharFilter(label=gettext_lazy("Working group"), method="filter_working_group")
    sdg = django_filters.CharFilter(label=gettext_lazy("SDG target"), method="filter_sdg", max_length=8)
    implementing = django_filters.CharFilter(label=gettext_lazy("Implementing entity"), method="filter_implementing",
                                             max_length=40)

    class Meta:
        model = Project
        fields = ["country", "region", "pillar", "working_group", "sdg", "implementing"]

    def filter_country(self, queryset, name, value):
        code = area(value).code
        return queryset.filter(pk__in=Area.objects.filter(code=code).values("project_id"))

    def filter_region(self, queryset, name, value):
        code = area(value).code
        codes = {code, *region_members(code)}
        codes |= {r.code for r in regions() if code in r.parents}
        return queryset.filter(pk__in=Area.objects.filter(code__in=codes).values("project_id"))

    def filter_pillar(self, queryset, name, value):
        return queryset.filter(pk__in=Project.pillars.through.objects.filter(pillar__number=int(value))
                               .values("project_id"))

    def filter_working_group(self, queryset, name, value):
        key = value.strip().lower()
        others = Project.working_groups.through.objects.filter(body__key__iexact=key).values("project_id")
        return queryset.filter(Q(lead_body__key__iexact=key) | Q(pk__in=others))

    def filter_sdg(self, queryset, name, value):
        return queryset.filter(pk__in=SdgTarget.objects.filter(code__iexact=value.strip()).values("project_id"))

    def filter_implementing(self, queryset, name, value):
        ids = Participant.objects.filter(role=IMPLEMENTING_ROLE, entity__acronym__iexact=value.strip())
        return queryset.filter(pk__in=ids.values("project_id"))

    def applied(self) -> dict[str, str]:
        """The filters in use, ``{parameter: value}``, for links, the access log and the page."""
        if not self.is_bound:
            return {}
        return {name: str(self.data.get(name)).strip() for name in self.filters if str(self.data.get(name) or "").strip()}
