"""The document filters shared by the HTML list, the CSV export and the API (django-filter)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from compact.access.models import Sensitivity
from compact.library.models import Document
from compact.library.selectors import SEARCH_COLUMNS, text_match


class DocumentFilter(django_filters.FilterSet):
    """Document filters, all optional and combined with AND:

    - ``kind``: one of ``Document.Kind`` (``report``, ``workplan``, ...);
    - ``body``: the owning body's key (``wg-3``, ``committee``), case-insensitive;
    - ``entity``: the owning entity's acronym, case-insensitive;
    - ``sensitivity``: ``public`` | ``internal`` | ``confidential`` | ``strictly_confidential``;
    - ``date_from`` / ``date_to``: the document's date, inclusive, ``YYYY-MM-DD``;
    - ``q``: text in the title or summary, in any language (case-insensitive).

    An unknown kind or sensitivity, or a malformed date, makes the filter invalid with a message on
    that parameter.
    """

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Document.Kind.choices)
    body = django_filters.CharFilter(label=_("Owning body"), field_name="owner_body__key", lookup_expr="iexact")
    entity = django_filters.CharFilter(label=_("Owning entity"), field_name="owner_entity__acronym", lookup_expr="iexact")
    sensitivity = django_filters.ChoiceFilter(label=_("Sensitivity"), choices=Sensitivity.choices)
    date_from = django_filters.DateFilter(label=_("Dated from"), field_name="document_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("Dated until"), field_name="document_date", lookup_expr="lte")
    q = django_filters.CharFilter(label=_("Text"), method="search")

    class Meta:
        model = Document
        fields = ["kind", "body", "entity", "sensitivity", "date_from", "date_to", "q"]

    def search(self, queryset, name, value):
        """Case-insensitive substring match on the title and summary in every language."""
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(text_match(text, SEARCH_COLUMNS))

    def applied(self) -> dict[str, str]:
        """The filters in use, ``{parameter: value}``, for the access log and the page."""
        if not self.is_bound:
            return {}
        return {name: str(self.data.get(name)).strip() for name in self.filters if str(self.data.get(name) or "").strip()}
