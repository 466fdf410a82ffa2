"""Reads of the audit trail: the two logs for the secretariat, and each object's own history.

The change log and the access log are the secretariat's (``docs/access.md``): for anyone else the
log selectors answer an empty query set, and the pages and API built on them answer 404. An object's
history is shown on the object's page to whoever may read the object (see ``object_history``).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from compact.access.models import AccessControlled
from compact.access.principal import is_secretariat
from compact.audit.filters import AccessEventFilter, ChangeEventFilter
from compact.audit.models import AccessEvent, ChangeEvent


class InvalidFilters(ValueError):
    """Filter parameters that are not well formed. ``errors`` is ``{parameter: [message, ...]}``."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))


class _Operator:
    """The operator running a command on the server (``compact audit-export``): not a user, but someone
    who already holds the database, so the logs are open to them."""

    is_authenticated = False
    is_active = False

    def __repr__(self) -> str:
        return "OPERATOR"


#: Pass as ``user`` from management commands run by the operator; never from a request.
OPERATOR = _Operator()


def may_read_logs(user) -> bool:
    """True for the secretariat (an active superuser or a member of the ``secretariat`` group) and for
    the ``OPERATOR`` of a command. One query at most, then remembered on the user object."""
    if user is OPERATOR:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    cache = user.__dict__
    if "_compact_reads_audit_trail" not in cache:
        cache["_compact_reads_audit_trail"] = is_secretariat(user)
    return cache["_compact_reads_audit_trail"]


def _filtered(queryset: models.QuerySet, filterset_class, filters) -> models.QuerySet:
    if filters is None:
        return queryset
    filterset = filters if isinstance(filters, filterset_class) else filterset_class(filters)
    filterset.queryset = queryset
    if not filterset.is_valid():
        raise InvalidFilters(filterset.error_messages())
    return filterset.qs


def change_event_list(*, user, filters: ChangeEventFilter | Mapping[str, Any] | None = None) -> models.QuerySet[ChangeEvent]:
    """The change log, newest first, with ``actor_entity`` joined, narrowed by ``filters`` (query
    parameters, or a ``ChangeEventFilter`` already built on them; see ``compact.audit.filters``).

    Secretariat (or ``OPERATOR``) only: anyone else gets an empty query set. Raises ``InvalidFilters``
    when a parameter is malformed (the secretariat only: others get the empty set whatever they ask).
    """
    if not may_read_logs(user):
        return ChangeEvent.objects.none()
    queryset = ChangeEvent.objects.select_related("actor_entity").order_by("-time", "-id")
    return _filtered(queryset, ChangeEventFilter, filters)


def access_event_list(*, user, filters: AccessEventFilter | Mapping[str, Any] | None = None) -> models.QuerySet[AccessEvent]:
    """The access log, newest first, with ``user_entity`` joined, narrowed by ``filters`` (query
    parameters, or an ``AccessEventFilter``).

    Secretariat (or ``OPERATOR``) only: anyone else gets an empty query set. Raises ``InvalidFilters``
    when a parameter is malformed.
    """
    if not may_read_logs(user):
        return AccessEvent.objects.none()
    queryset = AccessEvent.objects.select_related("user_entity").order_by("-time", "-id")
    return _filtered(queryset, AccessEventFilter, filters)


# --- Reading the changes: field labels, related rows by name, links -------------------------------


def _model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field_for(model: type[models.Model] | None, attname: str) -> models.Field | None:
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field
    for field in model._meta.many_to_many:
        if field.name == attname:
            return field
    return None


def _ids(value: Any) -> list:
    """The ids a recorded value holds: the items of a many-to-many list, or the one value."""
    return list(value) if isinstance(value, list | tuple) else [value]


#: Related rows whose names may replace their ids in a diff: the public structure of the registry.
#: Access-controlled rows are never named (their names may be confidential), only numbered.
NAMED_RELATIONS = ("registry.entity", "registry.body", "registry.pillar", "registry.strategy")


@dataclasses.dataclass
class FieldChange:
    """One field of a change: ``field`` (attribute name), ``label`` (its verbose name), and the
    ``before`` / ``after`` values as text ("" for none)."""

    field: str
    label: str
    before: str
    after: str


@dataclasses.dataclass
class EventView:
    """A change event as people read it: the ``event``, its object's ``model_label`` (e.g. "entity"),
    ``url`` of the object's page (or ""), ``fields`` (``FieldChange`` rows, in field order) and, in an
    object's history, whether it is a ``child`` row (an alias, a participation ...), whether ``actor``
    and ``reason`` may be shown (``show_actor``), and whether its details are ``withheld`` (the object
    was then at a level the reader may not see)."""

    event: ChangeEvent
    model_label: str
    url: str = ""
    fields: list[FieldChange] = dataclasses.field(default_factory=list)
    child: bool = False
    show_actor: bool = True
    withheld: bool = False

    @property
    def time(self) -> dt.datetime:
        return self.event.time

    @property
    def actor(self) -> str:
        """The actor's user name or command label, "" when not shown."""
        return self.event.actor_label if self.show_actor else ""

    @property
    def actor_entity(self) -> str:
        """The acronym of the actor's entity, "" when none or not shown."""
        entity = self.event.actor_entity if self.show_actor else None
        return entity.acronym if entity is not None else ""

    @property
    def reason(self) -> str:
        """The reason given, "" when not shown."""
        return self.event.reason if self.show_actor and not self.withheld else ""


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _choice_text(field: models.Field | None, value: Any) -> str:
    if field is not None and field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    return _text(value)


def _related_ids(events: Iterable[ChangeEvent]) -> dict[str, set]:
    wanted: dict[str, set] = {label: set() for label in NAMED_RELATIONS}
    for event in events:
        if event.object_type in wanted:
            wanted[event.object_type].add(event.object_id)
        model = _model_for(event.object_type)
        for name, pair in (event.changes or {}).items():
            field = _field_for(model, name)
            if field is None or not field.is_relation or field.related_model is None:
                continue
            label = field.related_model._meta.label_lower
            if label in wanted:
                for value in (pair if isinstance(pair, list | tuple) else [pair]):
                    wanted[label].update(str(v) for v in _ids(value) if v not in (None, ""))
    return wanted


def _names_and_links(events: list[ChangeEvent]) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """``({(type, id): name}, {(type, id): url})`` of the registry rows the events name or change:
    at most one query per type in ``NAMED_RELATIONS`` that occurs."""
    names: dict[tuple[str, str], str] = {}
    links: dict[tuple[str, str], str] = {}
    for label, ids in _related_ids(events).items():
        numeric = [int(i) for i in ids if str(i).isdigit()]
        if not numeric:
            continue
        model = apps.get_model(label)
        for obj in model._default_manager.filter(pk__in=numeric):
            key = (label, str(obj.pk))
            names[key] = str(obj)
            url = _object_url(label, obj)
            if url:
                links[key] = url
    return names, links


def _object_url(label: str, obj: models.Model) -> str:
    if label == "registry.entity":
        return reverse("registry:entity", args=[obj.acronym])
    if label == "registry.body":
        if obj.kind == "working_group" and obj.number is not None:
            return reverse("registry:working-group", args=[obj.number])
        if obj.kind == "committee":
            return reverse("registry:committee")
        return reverse("registry:home")
    return ""


def _field_changes(event: ChangeEvent, names: Mapping[tuple[str, str], str]) -> list[FieldChange]:
    model = _model_for(event.object_type)
    order = {f.attname: i for i, f in enumerate(model._meta.concrete_fields)} if model is not None else {}
    rows = []
    for name, pair in (event.changes or {}).items():
        before, after = (list(pair) + [None, None])[:2] if isinstance(pair, list | tuple) else (None, pair)
        field = _field_for(model, name)
        if field is not None and field.many_to_many:
            before_text, after_text = _many_text(field, before, names), _many_text(field, after, names)
        elif field is not None and field.is_relation and issubclass(field.related_model or object, AccessControlled):
            # Another access-controlled item (e.g. the document an annex belongs to): never named or
            # numbered here, since the reader may not be allowed to read it; its own page links it.
            stub = str(field.related_model._meta.verbose_name)
            before_text = stub if before not in (None, "") else ""
            after_text = stub if after not in (None, "") else ""
        elif field is not None and field.is_relation and field.related_model is not None:
            label = field.related_model._meta.label_lower
            before_text = names.get((label, str(before)), _text(before))
            after_text = names.get((label, str(after)), _text(after))
        else:
            before_text, after_text = _choice_text(field, before), _choice_text(field, after)
        if before_text == after_text:
            continue  # e.g. none -> "" on creation: nothing a reader would call a change
        rows.append(FieldChange(
            field=name,
            label=str(field.verbose_name) if field is not None else name,
            before=before_text,
            after=after_text,
        ))
    rows.sort(key=lambda r: (order.get(r.field, len(order)), r.field))
    return rows


def _many_text(field: models.Field, value: Any, names: Mapping[tuple[str, str], str]) -> str:
    """A many-to-many value as text: the names of public registry rows ("WG 2, WG 3"); for
    access-controlled rows (documents) only how many there are, since the reader may not read them."""
    ids = [v for v in _ids(value) if v not in (None, "")]
    if not ids:
        return ""
    related = field.related_model
    if issubclass(related, AccessControlled):
        return f"{len(ids)} \u00d7 {related._meta.verbose_name}"
    label = related._meta.label_lower
    return ", ".join(names.get((label, str(i)), str(i)) for i in ids)


def _model_label(object_type: str) -> str:
    model = _model_for(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def describe(events: Iterable[ChangeEvent]) -> list[EventView]:
    """The events as ``EventView`` rows: field labels, before -> after values as text (choices by
    their label, related registry rows by name) and a link to each object's page where it has one.

    A bounded number of queries whatever the number of events: at most one per related registry type
    (entity, body, pillar, strategy) that the events name.
    """
    events = list(events)
    names, links = _names_and_links(events)
    return [
        EventView(
            event=event,
            model_label=_model_label(event.object_type),
            url=links.get((event.object_type, event.object_id), ""),
            fields=_field_changes(event, names),
        )
        for event in events
    ]


# --- One object's history --------------------------------------------------------------------------

#: The child rows whose changes belong in a parent's history: ``{parent type: [(child type, foreign
#: key attribute naming the parent), ...]}``. People expect a working group's history to show who joined
#: or left it and when its leadership changed, and an entity's to show its aliases, participations and roles.
HISTORY_CHILDREN: dict[str, list[tuple[str, str]]] = {
    "registry.body": [
        ("registry.participation", "body_id"),
        ("registry.leadershiprole", "body_id"),
        ("registry.milestone", "body_id"),
    ],
    "registry.entity": [
        ("registry.entityalias", "entity_id"),
        ("registry.participation", "entity_id"),
        ("registry.leadershiprole", "entity_id"),
    ],
}


def register_history_children(parent_type: str, children: list[tuple[str, str]]) -> None:
    """Add child rows to the history of ``parent_type`` (``"app.model"``): each ``(child type,
    foreign key attribute)``, e.g. ``("library.documentversion", "document_id")``."""
    HISTORY_CHILDREN.setdefault(parent_type, [])
    for child in children:
        if child not in HISTORY_CHILDREN[parent_type]:
            HISTORY_CHILDREN[parent_type].append(child)


class History(list):
    """An object's history: ``EventView`` rows, newest first. ``truncated`` is True when older events
    exist beyond ``limit``; ``show_actors`` says whether who and why are shown to this reader;
    ``object_type`` and ``object_id`` name the object (to link to the full log)."""

    truncated: bool = False
    show_actors: bool = True
    object_type: str = ""
    object_id: str = ""


def _history_q(obj: models.Model) -> Q:
    label = obj._meta.label_lower
    pk = obj.pk
    q = Q(object_type=label, object_id=str(pk))
    for child_type, fk in HISTORY_CHILDREN.get(label, []):
        child_model = _model_for(child_type)
        if child_model is None:
            continue
        # Rows that point to the object now, and rows that pointed to it when created, moved or
        # deleted (their events carry the foreign key's before and after values).
        current = child_model._default_manager.filter(**{fk: pk}).values_list(
            Cast("pk", models.CharField()), flat=True
        )
        past = ChangeEvent.objects.filter(object_type=child_type).filter(
            Q(**{f"changes__{fk}__0": pk}) | Q(**{f"changes__{fk}__1": pk})
        ).values("object_id")
        q |= Q(object_type=child_type) & (Q(object_id__in=current) | Q(object_id__in=past))
    return q


def _withheld_events(obj: AccessControlled, user, events_oldest_first: list[ChangeEvent]) -> set[int]:
    """Ids of the events made while ``obj`` stood where ``user`` may not read it: at another sensitivity
    level, or with other owners (for example before a confidential item moved to a body the reader takes
    part in, or was made public). Their details are not shown.

    The object's past states are replayed from the events' before/after values of the fields the access
    rules use (``sensitivity`` and the owners' foreign keys); an event is shown only when the reader may
    read the object both as it stood before and as it stood after it.
    """
    from compact.access.policy import can

    tracked = ["sensitivity"] + [f"{name}_id" for name in (obj.access_owner_body, obj.access_owner_entity) if name]
    label = obj._meta.label_lower
    own = [e for e in events_oldest_first if e.object_type == label]
    state = {}
    for field in tracked:
        first = next((e for e in own if field in (e.changes or {})), None)
        state[field] = first.changes[field][0] if first is not None else getattr(obj, field)
    allowed: dict[tuple, bool] = {}

    def may_read(values: dict) -> bool:
        key = tuple(values[f] for f in tracked)
        if key not in allowed:
            probe = copy.copy(obj)
            for field, value in values.items():
                setattr(probe, field, value)
            allowed[key] = can(user, "view", probe)
        return allowed[key]

    withheld: set[int] = set()
    for event in own:
        before = dict(state)
        for field in tracked:
            if field in (event.changes or {}):
                state[field] = event.changes[field][1]
        # A creation has no "before": the object as created is what counts.
        states = [state] if event.action == ChangeEvent.Action.CREATE else [before, state]
        if not all(may_read(s) if s.get("sensitivity") else True for s in states):
            withheld.add(event.pk)
    return withheld


def record_protected_reads(*, user, events: Iterable[ChangeEvent], detail: str) -> None:
    """Write to the access log the confidential and strictly confidential items whose changes ``events``
    show (their values before and after are their content): one access event per content type, listing
    those items as they stand now. One query per access-controlled type among the events."""
    from compact.audit.services import record_access

    ids: dict[type, set[int]] = {}
    for event in events:
        model = _model_for(event.object_type)
        if model is not None and issubclass(model, AccessControlled) and str(event.object_id).isdigit():
            ids.setdefault(model, set()).add(int(event.object_id))
    for model, pks in ids.items():
        rows = list(model._default_manager.filter(pk__in=pks).only("pk", "sensitivity"))
        record_access(user=user, action=AccessEvent.Action.LIST, model=model, rows=rows, detail=detail)


def object_history(*, user, obj: models.Model, limit: int = 50) -> History:
    """The change events of ``obj`` and of its child rows (``HISTORY_CHILDREN``), newest first, at
    most ``limit`` of them, as ``EventView`` rows for ``templates/includes/history.html``.

    Who sees what:

    - an access-controlled object (``AccessControlled``): its history is shown to whoever may read the
      object now (``compact.access.policy.can(user, "view", obj)``), and is empty for anyone else.
      Events made while the object stood at a level the reader may not read (say, before a confidential
      item was made public) show only their date and action, with details withheld;
    - a registry structure object (an entity, a body and their rows): the structure is public, and so
      is its history, like the structure itself. Anyone, signed in or not, sees when each change was
      made, what it was and the fields' values before and after; who made it (the actor and their
      entity) and why (the reason) are shown to signed-in users only, because they name staff and may
      quote internal correspondence.

    Reading a confidential object's history is part of reading the object: the view that shows the
    object records that read in the access log. Queries: one for the events, plus at most one per
    related registry type named in them (see ``describe``) and, for an access-controlled object, the
    policy's own checks.
    """
    history = History()
    history.object_type, history.object_id = obj._meta.label_lower, str(obj.pk)
    controlled = isinstance(obj, AccessControlled)
    if controlled:
        from compact.access.policy import can

        if not can(user, "view", obj):
            history.show_actors = False
            return history
    signed_in = bool(getattr(user, "is_authenticated", False))
    events = list(ChangeEvent.objects.filter(_history_q(obj)).select_related("actor_entity").order_by("-time", "-id")[: limit + 1])
    history.truncated = len(events) > limit
    events = events[:limit]
    withheld = _withheld_events(obj, user, events[::-1]) if controlled else set()
    history.show_actors = signed_in
    label = obj._meta.label_lower
    for row in describe(events):
        row.child = row.event.object_type != label
        row.show_actor = signed_in
        if row.event.pk in withheld:
            row.withheld = True
            row.fields = []
        elif not signed_in:
            # Grants name the people an item is shared with: like actors, only for signed-in readers.
            row.fields = [f for f in row.fields if not f.field.startswith("grant:")]
        history.append(row)
    return history


# --- Links from the log to the objects -------------------------------------------------------------

#: Extra link makers for other object types: ``{object type: function(ids) -> {id: url}}``.
OBJECT_LINKS: dict[str, Callable[[list[str]], dict[str, str]]] = {}


def register_object_link(object_type: str, links: Callable[[list[str]], dict[str, str]]) -> None:
    """Let the log link events of ``object_type`` to their pages: ``links(ids)`` answers ``{id: url}``
    for the ids that have a page, in one query."""
    OBJECT_LINKS[object_type] = links


def describe_log_page(events: Iterable[ChangeEvent]) -> list[EventView]:
    """``describe`` plus links from ``OBJECT_LINKS`` (one call per registered type on the page)."""
    rows = describe(events)
    by_type: dict[str, list[str]] = {}
    for row in rows:
        if not row.url and row.event.object_type in OBJECT_LINKS:
            by_type.setdefault(row.event.object_type, []).append(row.event.object_id)
    urls = {t: OBJECT_LINKS[t](ids) for t, ids in by_type.items()}
    for row in rows:
        if not row.url:
            row.url = urls.get(row.event.object_type, {}).get(row.event.object_id, "")
    return rows


def describe_access(events: Iterable[AccessEvent]) -> list[AccessEvent]:
    """The access events as a list, each with ``sensitivity_label`` (the highest level's name, or "")."""
    from compact.access.models import Sensitivity

    labels = dict(Sensitivity.choices)
    rows = list(events)
    for event in rows:
        event.sensitivity_label = str(labels.get(event.highest_sensitivity, event.highest_sensitivity))
    return rows


# --- Exports ---------------------------------------------------------------------------------------

#: Columns of a change-log export, in order (the CSV header row; the keys of each JSON line).
CHANGE_COLUMNS = ("id", "time", "actor", "actor_entity", "action", "object_type", "object_id", "object", "changes",
                  "reason", "request_id")
#: Columns of an access-log export, in order.
ACCESS_COLUMNS = ("id", "time", "user", "user_entity", "action", "object_type", "object_ids", "row_count",
                  "highest_sensitivity", "path", "detail", "request_id")

_CHANGE_VALUES = ("id", "time", "actor_label", "actor_entity__acronym", "action", "object_type", "object_id",
                  "object_repr", "changes", "reason", "request_id")
_ACCESS_VALUES = ("id", "time", "user_label", "user_entity__acronym", "action", "object_type", "object_ids",
                  "row_count", "highest_sensitivity", "path", "detail", "request_id")


@dataclasses.dataclass
class LogExport:
    """An export of one log: ``columns``, ``count`` (the rows it holds) and ``rows()``, an iterator of
    ``{column: value}`` dicts, oldest first (``time`` an aware datetime in the site's time zone,
    ``changes`` a dict, ``object_ids`` a list). The rows are those present when the export was
    prepared: events written while it streams (its own access-log entry included) are not in it."""

    columns: tuple[str, ...]
    count: int
    queryset: models.QuerySet
    values: tuple[str, ...]

    def rows(self, chunk_size: int = 2000):
        """The rows, read from the database in chunks of ``chunk_size`` (memory stays flat)."""
        from django.utils import timezone

        for record in self.queryset.values_list(*self.values).iterator(chunk_size=chunk_size):
            row = dict(zip(self.columns, record, strict=True))
            row["time"] = timezone.localtime(row["time"])
            for key in ("actor_entity", "user_entity"):
                if key in row and row[key] is None:
                    row[key] = ""
            yield row


def log_export(*, log: str, queryset: models.QuerySet) -> LogExport:
    """Prepare the export of ``queryset`` (from ``change_event_list`` or ``access_event_list``, already
    filtered): one query counts its rows and fixes the last id, so the count and the rows agree.
    ``log`` is ``"changes"`` or ``"access"``; raises ``ValueError`` for another value."""
    from django.db.models import Count, Max

    if log not in ("changes", "access"):
        raise ValueError(f"Unknown log {log!r}: use 'changes' or 'access'.")
    stats = queryset.order_by().aggregate(count=Count("pk"), last=Max("pk"))
    bounded = queryset.filter(pk__lte=stats["last"] or 0).order_by("time", "id")
    if log == "changes":
        return LogExport(columns=CHANGE_COLUMNS, count=stats["count"], queryset=bounded, values=_CHANGE_VALUES)
    return LogExport(columns=ACCESS_COLUMNS, count=stats["count"], queryset=bounded, values=_ACCESS_VALUES)


def csv_cell(column: str, value: Any) -> str:
    """A row's value as a CSV cell: ``time`` in ISO 8601 with its offset, ``changes`` as JSON (keys
    sorted), ``object_ids`` separated by spaces, none as ""."""
    import json

    if value is None:
        return ""
    if column == "time":
        return value.isoformat()
    if column == "changes":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if column == "object_ids":
        return " ".join(str(v) for v in value)
    return str(value)


def filters_summary(filters: Mapping[str, Any], names: Iterable[str]) -> str:
    """The filters given, as ``"name=value, ..."`` in the order of ``names`` (for the access log's
    ``detail``); "no filters" when none."""
    given = [f"{name}={str(filters.get(name)).strip()}" for name in names if str(filters.get(name) or "").strip()]
    return ", ".join(given) if given else "no filters"
