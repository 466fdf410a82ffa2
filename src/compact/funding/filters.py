"""The funding-flow filters shared by the HTML list and the API (django-filter)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from compact.funding.models import Flow

#: Largest row id (64-bit ids, ``BigAutoField``): a larger ``project`` is an invalid filter, not a database error.
MAX_ID = 2**63 - 1


class FlowFilter(django_filters.FilterSet):
    """Flow filters, all optional and combined with AND:

    - ``project``: the project's id;
    - ``kind``: one of ``Flow.Kind`` (``requirement``, ``pledge``, ``commitment``, ``disbursement``,
      ``expenditure``);
    - ``currency``: ISO 4217 code, case-insensitive;
    - ``working_group``: the key of the project's lead working group (``wg-2``), case-insensitive;
    - ``entity``: the acronym of the project's lead entity, case-insensitive;
    - ``provider``: the provider entity's acronym, case-insensitive;
    - ``date_from`` / ``date_to``: the flow's date, inclusive, ``YYYY-MM-DD``.

    An unknown kind or a malformed date or id makes the filter invalid with a message on that parameter.
    """

    project = django_filters.NumberFilter(label=_("Project"), field_name="project_id", min_value=1, max_value=MAX_ID,
                                          decimal_places=0)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Flow.Kind.choices)
    currency = django_filters.CharFilter(label=_("Currency"), field_name="currency", lookup_expr="iexact")
    working_group = django_filters.CharFilter(label=_("Lead working group"), field_name="project__lead_body__key",
                                              lookup_expr="iexact")
    entity = django_filters.CharFilter(label=_("Lead entity"), field_name="project__lead_entity__acronym",
                                       lookup_expr="iexact")
    provider = django_filters.CharFilter(label=_("Provider entity"), field_name="provider_entity__acronym",
                                         lookup_expr="iexact")
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("Until"), field_name="date", lookup_expr="lte")

    class Meta:
        model = Flow
        fields = ["project", "kind", "currency", "working_group", "entity", "provider", "date_from", "date_to"]
