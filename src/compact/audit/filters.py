"""Filters of the change log and the access log, shared by the pages, the exports, the API and
``compact audit-export`` (one FilterSet per log, django-filter).

Every filter is optional and they combine with AND. Dates are calendar days in the site's time zone
(``settings.TIME_ZONE``), written ``YYYY-MM-DD``, and both ends are inclusive: ``date_to=2025-03-31``
keeps events up to 23:59:59.999999 that day.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compact.access.models import Sensitivity
from compact.audit.models import AccessEvent, ChangeEvent

DATE_FORMAT = "%Y-%m-%d"
BAD_DATE = _("Enter a real calendar date in the form YYYY-MM-DD, e.g. 2025-03-31.")


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the site's time zone, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


class DayFilter(django_filters.DateFilter):
    """A calendar day (``YYYY-MM-DD``) bounding the event time: ``lookup_expr`` ``"gte"`` keeps events
    from the start of that day, ``"lte"`` keeps events up to its end (both in the site's time zone)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", [DATE_FORMAT])
        kwargs.setdefault("error_messages", {"invalid": BAD_DATE})
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if self.lookup_expr == "gte":
            return qs.filter(**{f"{self.field_name}__gte": day_start(value)})
        if value >= dt.date.max - dt.timedelta(days=1):
            return qs  # up to the end of the calendar: no upper bound
        return qs.filter(**{f"{self.field_name}__lt": day_start(value + dt.timedelta(days=1))})


class ObjectTypeChoiceFilter(django_filters.ChoiceFilter):
    """The ``object_type`` of the events, chosen among the types present in the log (read once per
    filter set)."""


class _LogFilter(django_filters.FilterSet):
    """What both logs share: object type (choices from the types present), action, dates, request id."""

    object_type = ObjectTypeChoiceFilter(label=_("Object type"), choices=[])
    date_from = DayFilter(field_name="time", lookup_expr="gte", label=_("From (date)"))
    date_to = DayFilter(field_name="time", lookup_expr="lte", label=_("To (date)"))
    request_id = django_filters.CharFilter(label=_("Request id"), method="exact_text")

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data=data, queryset=queryset, **kwargs)
        types = self._meta.model.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        object_type = self.filters["object_type"]
        object_type.extra["choices"] = [(t, t) for t in types]
        # A form field built earlier (e.g. by the OpenAPI schema generator) is copied with the filter:
        # drop it, so that the field is built with today's choices.
        object_type.__dict__.pop("_field", None)

    def exact_text(self, queryset, name, value):
        """Exact match on ``name`` after trimming spaces."""
        value = value.strip()
        return queryset.filter(**{name: value}) if value else queryset

    def contains_text(self, queryset, name, value):
        """Case-insensitive substring match on ``name`` after trimming spaces."""
        value = value.strip()
        return queryset.filter(**{f"{name}__icontains": value}) if value else queryset

    def error_messages(self) -> dict[str, list[str]]:
        """``{parameter: [message, ...]}`` for each invalid parameter (after ``is_valid``)."""
        return {name: [str(m) for m in messages] for name, messages in self.form.errors.items()}

    def is_valid(self) -> bool:
        """True when every parameter is well formed and ``date_from`` is not after ``date_to``."""
        if not super().is_valid():
            return False
        start, end = self.form.cleaned_data.get("date_from"), self.form.cleaned_data.get("date_to")
        if start and end and start > end:
            self.form.add_error("date_to", _("The end date (%(end)s) is before the start date (%(start)s).")
                                % {"start": start.isoformat(), "end": end.isoformat()})
            return False
        return True


class ChangeEventFilter(_LogFilter):
    """Change log filters: ``actor`` (user name or command, contains), ``entity`` (the actor's entity
    acronym, ignoring case), ``object_type``, ``object_id``, ``action`` (create | update | delete),
    ``date_from`` / ``date_to`` (YYYY-MM-DD, inclusive), ``request_id`` (exact) and ``reason``
    (contains, ignoring case)."""

    actor = django_filters.CharFilter(label=_("Actor"), method="actor_filter")
    entity = django_filters.CharFilter(label=_("Actor's entity (acronym)"), method="entity_filter")
    object_id = django_filters.CharFilter(label=_("Object id"), method="exact_text")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=ChangeEvent.Action.choices)
    reason = django_filters.CharFilter(label=_("Reason contains"), method="contains_text")

    class Meta:
        model = ChangeEvent
        fields = ["actor", "entity", "object_type", "object_id", "action", "date_from", "date_to", "request_id", "reason"]

    def actor_filter(self, queryset, name, value):
        """The user name of the actor, or the label of the command that made the change (contains)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor_label__icontains=value) | Q(actor__username__iexact=value))

    def entity_filter(self, queryset, name, value):
        """The acronym of the actor's entity at the time of the change, ignoring case."""
        value = value.strip()
        return queryset.filter(actor_entity__acronym__iexact=value) if value else queryset


OBJECT_ID_VALIDATOR = RegexValidator(r"^\s*\d+\s*$", _("An object id is a whole number, e.g. 42."))


class AccessEventFilter(_LogFilter):
    """Access log filters: ``user`` (user name or command, contains), ``entity`` (the user's entity
    acronym), ``object_type``, ``object_id`` (a whole number: events whose ids include it), ``action``
    (view | list | search | download | export), ``date_from`` / ``date_to`` (YYYY-MM-DD, inclusive),
    ``request_id``, ``sensitivity`` (the highest level seen), ``path`` (contains) and ``detail``
    (contains)."""

    user = django_filters.CharFilter(label=_("User"), method="user_filter")
    entity = django_filters.CharFilter(label=_("User's entity (acronym)"), method="entity_filter")
    object_id = django_filters.CharFilter(label=_("Object id"), method="object_id_filter", validators=[OBJECT_ID_VALIDATOR])
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AccessEvent.Action.choices)
    sensitivity = django_filters.ChoiceFilter(
        label=_("Highest sensitivity"), field_name="highest_sensitivity", choices=Sensitivity.choices
    )
    path = django_filters.CharFilter(label=_("Path contains"), method="contains_text")
    detail = django_filters.CharFilter(label=_("Detail contains"), method="contains_text")

    class Meta:
        model = AccessEvent
        fields = ["user", "entity", "object_type", "object_id", "action", "date_from", "date_to", "request_id",
                  "sensitivity", "path", "detail"]

    def user_filter(self, queryset, name, value):
        """The user name of the reader, or the label of the command that read (contains)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(user_label__icontains=value) | Q(user__username__iexact=value))

    def entity_filter(self, queryset, name, value):
        """The acronym of the user's entity at the time of the read, ignoring case."""
        value = value.strip()
        return queryset.filter(user_entity__acronym__iexact=value) if value else queryset

    def object_id_filter(self, queryset, name, value):
        """Events whose ``object_ids`` list holds the id (matched on the stored JSON text, which works
        alike on SQLite and PostgreSQL)."""
        value = value.strip()
        if not value:
            return queryset
        number = str(int(value))
        return queryset.annotate(_ids_text=Cast("object_ids", TextField())).filter(
            _ids_text__regex=rf"(^|[^0-9]){number}([^0-9]|$)"
        )
