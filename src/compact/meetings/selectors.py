"""Every read of the meeting cycle: meetings, agendas (with matters arising), attendance, minutes,
the decisions register and action items, through the one access policy (``compact.access.policy``).

Beyond the policy's rule table (``docs/access.md``):

- a body's standing in the registry on a meeting's date (``capacity_on``) decides in which capacity an
  entity attends and whether it may be recorded as adopting a decision; the Coordination Committee's
  composition is derived as ``registry.selectors.committee_get`` derives it;
- matters arising of a draft agenda are computed each time from the body's pending action items; once
  the agenda is final they are the items frozen on it (``services.agenda_finalise``);
- draft minutes are seen only by those who manage the meeting (``may_manage``); circulated and final
  versions by everyone who may read the meeting;
- a decision's follow-up status and the attendee list are computed on what the user may read, so that
  neither reveals a confidential action item or contact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db.models import Case, CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from compact.access.policy import Action, can, get_for, restrict
from compact.access.principal import principal_for
from compact.core.models import valid_on
from compact.library.models import Document
from compact.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Attendee,
    Decision,
    Meeting,
    MinutesComment,
    MinutesVersion,
)
from compact.meetings.times import meeting_date
from compact.registry.models import Body, LeadershipRole, Participation, Person

MEMBER = Attendance.Capacity.MEMBER
OBSERVER = Attendance.Capacity.OBSERVER

#: Follow-up statuses of a decision (``decision_list``), in the order a register shows them.
FOLLOW_UP = ("none", "pending", "overdue", "done")


# --- the registry on a meeting's date ---------------------------------------------------------------


def body_code(body: Body) -> str:
    """The code a decision reference starts with: ``"CC"`` for the Coordination Committee, ``"WG3"`` for
    working group 3, ``"GC"`` for the Compact itself (``CC/2019/1``, ``WG3/2024/2``)."""
    if body.kind == Body.Kind.COMMITTEE:
        return "CC"
    if body.kind == Body.Kind.WORKING_GROUP:
        return f"WG{body.number}"
    if body.kind == Body.Kind.COMPACT:
        return "GC"
    return body.key.upper()


def _existed(body: Body, day: dt.date) -> bool:
    return body.established <= day and (body.dissolved is None or day <= body.dissolved)


def participants_on(*, body: Body, day: dt.date) -> dict[int, str]:
    """``{entity id: "member" | "observer"}`` of the entities taking part in ``body`` on ``day`` (at most
    three queries; empty when the body did not exist that day).

    An entity's own participation rows in the body count (member wins over observer). For the
    Coordination Committee, as ``registry.selectors.committee_get`` and ``access.principal`` derive
    it (its terms of reference: "all Compact entities, plus the chairs and vice-chairs of the working
    groups"): members of the Compact sit as members, observers of the Compact as observers, and entities
    holding a chair, co-chair or vice-chair of a working group that day sit as members.
    """
    if not _existed(body, day):
        return {}
    found: dict[int, str] = {}

    def add(entity_id: int, capacity: str) -> None:
        if found.get(entity_id) != MEMBER:
            found[entity_id] = MEMBER if capacity == MEMBER else OBSERVER

    for entity_id, capacity in Participation.objects.filter(valid_on(day), body=body).values_list("entity_id", "capacity"):
        add(entity_id, capacity)
    if body.kind == Body.Kind.COMMITTEE:
        alive = Q(body__established__lte=day) & (Q(body__dissolved__isnull=True) | Q(body__dissolved__gte=day))
        for entity_id, capacity in Participation.objects.filter(valid_on(day), alive, body__kind=Body.Kind.COMPACT
                                                                ).values_list("entity_id", "capacity"):
            add(entity_id, capacity)
        for entity_id in LeadershipRole.objects.filter(valid_on(day), alive, body__kind=Body.Kind.WORKING_GROUP
                                                       ).values_list("entity_id", flat=True):
            add(entity_id, MEMBER)
    return found


def capacity_on(*, body: Body, entity, day: dt.date) -> str | None:
    """``"member"``, ``"observer"`` or None: the capacity in which ``entity`` takes part in ``body`` on
    ``day`` (see ``participants_on``; for a meeting, ``day`` is ``times.meeting_date(meeting)``, the
    date in the meeting's own zone)."""
    return participants_on(body=body, day=day).get(entity.pk)


def may_manage(user, meeting_or_body: Meeting | Body) -> bool:
    """Whether ``user`` manages a meeting (its agenda, attendance, minutes, decisions): the policy's
    *change* on the meeting (the secretariat, officers of its body, change grantees). For a body
    (before any meeting exists): the secretariat or an officer of the body today."""
    if isinstance(meeting_or_body, Body):
        principal = principal_for(user)
        return principal.is_secretariat or meeting_or_body.pk in principal.officer_body_ids
    return can(user, Action.CHANGE, meeting_or_body)


def _require_read(user, meeting: Meeting) -> None:
    if not can(user, Action.VIEW, meeting):
        raise Http404(_("No such item."))


# --- meetings and agendas ---------------------------------------------------------------------------


def meeting_list(*, user, body: Body | None = None, action: Action | str = Action.LIST) -> QuerySet[Meeting]:
    """The meetings ``user`` may take ``action`` on (``Action.LIST`` by default; ``COUNT`` for counts,
    ``EXPORT`` for feeds and files), latest first, with their body; only ``body``'s when given."""
    qs = restrict(Meeting.objects.select_related("body"), user, action)
    if body is not None:
        qs = qs.filter(body=body)
    return qs


def meeting_get(*, user, pk: int, action: Action | str = Action.VIEW) -> Meeting:
    """The meeting ``pk`` with its body. ``Http404`` when it does not exist or ``user`` may not read it,
    ``PermissionDenied`` when they may read it but not take ``action`` (``policy.get_for``)."""
    return get_for(Meeting.objects.select_related("body"), user, action, pk=pk)


def _pending_q(day: dt.date) -> Q:
    return Q(status__in=ActionItem.PENDING, due__lt=day)


def _arising_queryset(meeting: Meeting) -> QuerySet[ActionItem]:
    """Every action item arising at ``meeting`` while its agenda is a draft, whoever looks: pending items
    of decisions of the meeting's body taken at earlier meetings, and pending items tasked to the body
    by decisions taken before it (of any body)."""
    earlier = Q(decision__meeting__start__lt=meeting.start)
    return ActionItem.objects.filter(
        earlier, Q(body_id=meeting.body_id) | Q(owner_body_id=meeting.body_id), status__in=ActionItem.PENDING,
    )


def _with_item_relations(qs: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    return qs.select_related("decision", "body", "owner_body", "owner_entity")


def _mark_overdue(items: Iterable[ActionItem], day: dt.date, *, frozen: bool) -> list[ActionItem]:
    items = list(items)
    for item in items:
        if frozen:
            finished_before = item.completed_on is not None and item.completed_on <= day
            item.overdue = item.due < day and not finished_before
        else:
            item.overdue = item.status in ActionItem.PENDING and item.due < day
    items.sort(key=lambda i: (not i.overdue, i.due, i.pk))
    return items


def matters_arising(*, user, meeting: Meeting) -> list[ActionItem]:
    """The action items under *matters arising* on ``meeting``'s agenda that ``user`` may list, overdue
    first, then by due date; each with ``.overdue`` (bool, as of the meeting's date in its own zone: still
    pending after its due date).

    While the agenda is a draft: the open and in-progress action items of decisions of the meeting's
    body taken at its earlier meetings, plus those tasked to the body itself. Once final: the items frozen
    on the matters-arising item (``services.agenda_finalise``), overdue when due before the meeting and
    not completed by then. Two queries (one more to read the user's grants)."""
    day = meeting_date(meeting)
    if meeting.agenda_status == Meeting.AgendaStatus.FINAL:
        qs = ActionItem.objects.filter(arising_in__meeting=meeting, arising_in__kind=AgendaItem.Kind.MATTERS_ARISING)
        frozen = True
    else:
        qs = _arising_queryset(meeting)
        frozen = False
    return _mark_overdue(restrict(_with_item_relations(qs), user, Action.LIST).distinct(), day, frozen=frozen)


def agenda(*, user, meeting: Meeting) -> list[AgendaItem]:
    """``meeting``'s agenda items in order, with their presenter and the documents ``user`` may list
    (``item.documents.all()``); the matters-arising item carries ``.arising`` (``matters_arising``).
    ``Http404`` when the user may not read the meeting. A fixed number of queries, whatever the length."""
    _require_read(user, meeting)
    documents = restrict(Document.objects.order_by("title", "pk"), user, Action.LIST)
    items = list(meeting.agenda_items.select_related("presenter").prefetch_related(Prefetch("documents", queryset=documents))
                 .order_by("position"))
    for item in items:
        if item.kind == AgendaItem.Kind.MATTERS_ARISING:
            item.arising = matters_arising(user=user, meeting=meeting)
    return items


def attendance(*, user, meeting: Meeting) -> tuple[list[Attendance], list[Attendee]]:
    """``(entities, people)`` at ``meeting``: its ``Attendance`` rows by entity acronym, with the entity,
    and its ``Attendee`` rows by family and given name, with the person and their entity, limited to the
    people ``user`` may list (contacts are content, ``registry.Person``). ``Http404`` when the user may
    not read the meeting."""
    _require_read(user, meeting)
    entities = list(meeting.attendances.select_related("entity").order_by("entity__acronym"))
    people = restrict(Person.objects.all(), user, Action.LIST)
    attendees = list(meeting.attendees.filter(person__in=people).select_related("person", "person__entity")
                     .order_by("person__family_name", "person__given_name", "pk"))
    return entities, attendees


def minutes_history(*, user, meeting: Meeting) -> list[MinutesVersion]:
    """``meeting``'s minutes versions, newest first, with their author, what they correct, and their
    comments (oldest first, with authors). Drafts only for those who manage the meeting (``may_manage``).
    ``Http404`` when the user may not read the meeting."""
    _require_read(user, meeting)
    qs = meeting.minutes_versions.select_related("created_by", "corrects", "document").prefetch_related(
        Prefetch("comments", queryset=MinutesComment.objects.select_related("author").order_by("created", "id")))
    if not may_manage(user, meeting):
        qs = qs.exclude(status=MinutesVersion.Status.DRAFT)
    return list(qs.order_by("-number"))


def latest_minutes(meeting: Meeting) -> MinutesVersion | None:
    """The latest version of ``meeting``'s minutes, whatever its status (for the services), or None."""
    return meeting.minutes_versions.order_by("-number").first()


def next_meeting(*, body: Body, after: dt.datetime) -> Meeting | None:
    """``body``'s next scheduled (not cancelled) meeting starting after ``after`` (aware), whoever looks
    (for the services and the notifier), or None."""
    return (Meeting.objects.filter(body=body, status=Meeting.Status.SCHEDULED, start__gt=after)
            .order_by("start", "pk").first())


# --- decisions and action items ----------------------------------------------------------------------


def _follow_up(user, today: dt.date) -> Case:
    """``follow_up`` of each decision from the action items ``user`` may read (see ``decision_list``)."""
    items = restrict(ActionItem.objects.filter(decision=OuterRef("pk")), user, Action.LIST)
    pending = items.filter(status__in=ActionItem.PENDING)
    return Case(
        When(~Exists(items), then=Value("none")),
        When(Exists(pending.filter(due__lt=today)), then=Value("overdue")),
        When(Exists(pending), then=Value("pending")),
        default=Value("done"),
        output_field=CharField(),
    )


def decision_list(*, user, filters: Mapping | None = None, action: Action | str = Action.LIST) -> QuerySet[Decision]:
    """The decisions register: the decisions ``user`` may take ``action`` on, latest year first, with their
    body, meeting and agenda item, annotated with ``follow_up``:

    - ``"none"``: no action item (that the user may read);
    - ``"overdue"``: some item still open or in progress after its due date (today, site's zone);
    - ``"pending"``: some item still open or in progress, none overdue;
    - ``"done"``: every item done or dropped.

    ``filters`` (a mapping such as ``request.GET``) go through ``filters.DecisionFilter``: body (key),
    year, q (reference, title, text), follow_up, subject kind, meeting."""
    qs = restrict(Decision.objects.select_related("body", "meeting", "agenda_item"), user, action)
    qs = qs.annotate(follow_up=_follow_up(user, timezone.localdate()))
    if filters:
        from compact.meetings.filters import DecisionFilter

        qs = DecisionFilter(filters, queryset=qs).qs
    return qs


def decision_get(*, user, reference: str, action: Action | str = Action.VIEW) -> Decision:
    """The decision with ``reference`` (e.g. ``"CC/2019/1"``), annotated as in ``decision_list``, with its
    subjects and the entities that adopted it. ``Http404`` / ``PermissionDenied`` as ``policy.get_for``."""
    qs = decision_list(user=user, action=Action.VIEW).prefetch_related(
        "subjects", "subjects__programme", "subjects__workplan", "subjects__workplan__body", "subjects__document",
        "subjects__project", "subjects__call", "adopted_by")
    return get_for(qs, user, action, reference=reference)


def action_item_list(*, user, body: Body | None = None, owner_entity=None, status: str | Iterable[str] | None = None,
                     overdue: bool | None = None) -> QuerySet[ActionItem]:
    """The action items ``user`` may list, by due date, with their decision, body and owner, annotated with
    ``overdue`` (bool: still open or in progress after its due date, today). ``body``: items of the body's
    decisions or tasked to it; ``owner_entity``: tasked to that entity; ``status``: one status or several;
    ``overdue``: only the overdue (True) or only the others (False)."""
    today = timezone.localdate()
    qs = restrict(_with_item_relations(ActionItem.objects.all()), user, Action.LIST)
    qs = qs.annotate(overdue=Case(When(_pending_q(today), then=Value(True)), default=Value(False)))
    if body is not None:
        qs = qs.filter(Q(body=body) | Q(owner_body=body))
    if owner_entity is not None:
        qs = qs.filter(owner_entity=owner_entity)
    if status is not None:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    if overdue is not None:
        qs = qs.filter(_pending_q(today)) if overdue else qs.exclude(_pending_q(today))
    return qs.order_by("due", "pk")


def overdue_action_items(*, day: dt.date) -> QuerySet[ActionItem]:
    """Every action item still open or in progress after its due date, as of ``day``, system-wide (for the
    notifier, which has no user), by due date, with its decision, bodies and owner."""
    return _with_item_relations(ActionItem.objects.filter(_pending_q(day))).order_by("due", "pk")


# --- choices for the forms ---------------------------------------------------------------------------


def invitable_people(*, user, meeting: Meeting) -> QuerySet[Person]:
    """The people ``user`` may list (contacts are content: ``docs/access.md``), each of an entity,
    with their entity, ordered by the entity's acronym, then family and given name: the choices for
    inviting people to ``meeting`` (``services.attendee_invite``). Those already invited are kept (the
    service refuses them by name)."""
    return (restrict(Person.objects.select_related("entity"), user, Action.LIST)
            .order_by("entity__acronym", "family_name", "given_name", "pk"))


def readable_workplans(*, user):
    """The workplans ``user`` may list, with their body and programme, in the model's order (programme,
    then working group number): the choices of a decision's workplan subjects
    (``DecisionSubject.Kind.WORKPLAN``)."""
    from compact.planning.models import Workplan

    return restrict(Workplan.objects.select_related("body", "programme"), user, Action.LIST)


def body_choices() -> list[Body]:
    """Every body (the structure is public), Compact, Committee, then working groups by number: the
    choices of the meetings' forms and filters."""
    return list(Body.objects.order_by("kind", "number", "key"))


def entity_choices() -> list:
    """Every entity (public structure), by acronym: the choices of the meetings' forms and filters."""
    from compact.registry.models import Entity

    return list(Entity.objects.order_by("acronym"))
