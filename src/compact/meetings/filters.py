"""The filters of the meetings list, the decisions register and the action items, shared by the pages,
the register's downloads and the API (django-filter).

Bodies are named by their key (``committee``, ``wg-3``); text searches are case-insensitive substring
matches over the six languages of the translated fields. A filter given a value it cannot read (an
unknown body, a year out of range, a follow-up status not in the list) makes the FilterSet invalid with a
message on that parameter; the pages answer 400 and the API 400 with the parameter named.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compact.core.i18n import FALLBACK_ORDER, field_name
from compact.meetings.models import ActionItem, Decision, DecisionSubject, Meeting
from compact.registry.models import Body, Entity

#: Follow-up status of a decision (``selectors.decision_list`` annotates ``follow_up``): no action item;
#: some item pending (open or in progress); some pending item past its due date; every item done or dropped.
FOLLOW_UP_CHOICES = (
    ("none", gettext_lazy("no action items")),
    ("pending", gettext_lazy("pending")),
    ("overdue", gettext_lazy("overdue")),
    ("done", gettext_lazy("done")),
)


def _columns(*fields: str) -> list[str]:
    return [field_name(f, code) for f in fields for code in FALLBACK_ORDER]


def _text_q(text: str, columns) -> Q:
    match = Q(pk__in=[])
    for column in columns:
        match |= Q(**{f"{column}__icontains": text})
    return match


class _BodyKeyFilter(django_filters.CharFilter):
    """A body named by its key (``committee``, ``wg-3``, case-insensitive); an unknown key is invalid."""

    def __init__(self, *args, field_name: str = "body", **kwargs):
        kwargs.setdefault("label", gettext_lazy("Body"))
        kwargs.setdefault("max_length", 50)
        super().__init__(*args, field_name=field_name, method=self._filter_body, **kwargs)

    def _filter_body(self, queryset, name, value):
        return queryset.filter(**{f"{self.field_name}__key__iexact": value.strip()})


#: The largest id a row may have (a 64-bit signed ``BigAutoField``, PostgreSQL ``bigint``).
MAX_ID = 2**63 - 1


class WholeNumberFilter(django_filters.NumberFilter):
    """A filter on a whole number within ``min_value``..``max_value``: ``2.5``, ``1e30`` or a number out of
    range make the FilterSet invalid with a message on the parameter (django-filter's ``NumberFilter``
    reads a decimal, which would be truncated or overflow the database's integer)."""

    field_class = forms.IntegerField


def _known_body(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value and not Body.objects.filter(key__iexact=value.strip()).exists():
        raise ValidationError(_("No body has the key “%(value)s”: give e.g. committee or wg-3.") % {"value": value})


class MeetingFilter(django_filters.FilterSet):
    """Filters of the meetings list, combined with AND:

    - ``body``: a body's key (``committee``, ``wg-3``);
    - ``when``: ``upcoming`` (not yet ended) or ``past`` (ended), as of the request's moment;
    - ``q``: text in the title or description (any language), the venue, or the meeting's number.
    """

    body = _BodyKeyFilter(validators=[_known_body])
    when = django_filters.ChoiceFilter(label=gettext_lazy("When"), method="filter_when", choices=(
        ("upcoming", gettext_lazy("upcoming")), ("past", gettext_lazy("past"))))
    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="filter_q", max_length=200)

    class Meta:
        model = Meeting
        fields = ["body", "when", "q"]

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(end__gte=now) if value == "upcoming" else queryset.filter(end__lt=now)

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        match = _text_q(text, [*_columns("title", "description"), "venue"])
        if text.isascii() and text.isdigit() and len(text) < 6:
            match |= Q(number=int(text))
        return queryset.filter(match)


class DecisionFilter(django_filters.FilterSet):
    """Filters of the decisions register (``selectors.decision_list``), combined with AND:

    - ``body``: a body's key; ``year``: the year of the reference (``CC/2019/3`` -> 2019);
    - ``q``: text in the reference, or the title or text in any language;
    - ``follow_up``: ``none``, ``pending``, ``overdue`` or ``done`` (the ``follow_up`` annotation the
      selector adds: filtering on it needs that annotation);
    - ``subject``: a subject kind (``programme``, ``workplan``, ``terms_of_reference``, ``project``, ``call``):
      decisions with at least one subject of that kind;
    - ``meeting``: a meeting's id.
    """

    body = _BodyKeyFilter(validators=[_known_body])
    year = WholeNumberFilter(label=gettext_lazy("Year"), field_name="year", min_value=1945, max_value=2999)
    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="filter_q", max_length=200)
    follow_up = django_filters.ChoiceFilter(label=gettext_lazy("Follow-up"), choices=FOLLOW_UP_CHOICES,
                                            field_name="follow_up")
    subject = django_filters.ChoiceFilter(label=gettext_lazy("Subject"), choices=DecisionSubject.Kind.choices,
                                          method="filter_subject")
    meeting = WholeNumberFilter(label=gettext_lazy("Meeting"), field_name="meeting_id", min_value=1, max_value=MAX_ID)

    class Meta:
        model = Decision
        fields = ["body", "year", "q", "follow_up", "subject", "meeting"]

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(reference__icontains=text) | _text_q(text, _columns("title", "text")))

    def filter_subject(self, queryset, name, value):
        return queryset.filter(pk__in=DecisionSubject.objects.filter(kind=value).values("decision_id"))

    def applied(self) -> dict[str, str]:
        """The filters in use, ``{parameter: value}``, for the download links and the access log."""
        if not self.is_bound:
            return {}
        return {name: str(self.data.get(name)).strip() for name in self.filters if str(self.data.get(name) or "").strip()}


class ActionItemFilter(django_filters.FilterSet):
    """Filters of the action items, combined with AND:

    - ``show``: ``mine`` (tasked to the user's entity or to a body it takes part in), ``entity`` (tasked to
      the user's entity) or ``overdue`` (pending past its due date, as of today); the first two need a
      signed-in user with an entity and select nothing otherwise;
    - ``body``: the key of the body whose decision the item carries out;
    - ``owner``: the acronym of the tasked entity; ``status``: open, in_progress, done, dropped.
    """

    show = django_filters.ChoiceFilter(label=gettext_lazy("Show"), method="filter_show", choices=(
        ("mine", gettext_lazy("mine")), ("entity", gettext_lazy("my entity's")),
        ("overdue", gettext_lazy("overdue"))))
    body = _BodyKeyFilter(validators=[_known_body])
    owner = django_filters.CharFilter(label=gettext_lazy("Tasked entity"), method="filter_owner", max_length=30)
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=ActionItem.Status.choices)

    class Meta:
        model = ActionItem
        fields = ["show", "body", "owner", "status"]

    def filter_show(self, queryset, name, value):
        if value == "overdue":
            return queryset.filter(status__in=ActionItem.PENDING, due__lt=timezone.localdate())
        from compact.access.principal import principal_for

        principal = principal_for(getattr(self.request, "user", None))
        if principal.entity_id is None:
            return queryset.none()
        if value == "entity":
            return queryset.filter(owner_entity_id=principal.entity_id)
        return queryset.filter(Q(owner_entity_id=principal.entity_id)
                               | Q(owner_body_id__in=principal.participant_body_ids))

    def filter_owner(self, queryset, name, value):
        entity = Entity.objects.filter(acronym__iexact=value.strip()).values("pk")
        return queryset.filter(owner_entity__in=entity)
