"""Registry pages: the Compact's structure as of a date, server-rendered in the six UN languages.

Every page reads ``?as_of=YYYY-MM-DD`` (today when absent) and answers for that day; a malformed
date gives a 400 page carrying ``parse_as_of``'s message. Reads go through ``registry.selectors``,
each page in a fixed number of queries whatever the size of the registry.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language_info, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from compact.audit.models import AccessEvent
from compact.audit.selectors import object_history
from compact.audit.services import record_access
from compact.core.dates import InvalidDate, parse_as_of
from compact.core.i18n import RTL_LANGUAGES, all_translations
from compact.core.templatetags.compact import long_date
from compact.library.selectors import document_counts_by_body
from compact.registry import selectors
from compact.registry.filters import EntityFilter
from compact.registry.models import ROLE_ORDER, Body, Entity, LeadershipRole, Person, Strategy

# Why an entity sits on the Coordination Committee, as the page says it (see selectors.BASIS_ORDER).
BASIS_LABELS = {
    selectors.BASIS_COMPACT_ENTITY: gettext_lazy("Compact entity"),
    LeadershipRole.Role.CHAIR: LeadershipRole.Role.CHAIR.label,
    LeadershipRole.Role.CO_CHAIR: LeadershipRole.Role.CO_CHAIR.label,
    LeadershipRole.Role.VICE_CHAIR: LeadershipRole.Role.VICE_CHAIR.label,
}


def _role_heading(role: str, count: int) -> str:
    """The heading above ``count`` holders of ``role``, e.g. "Vice-chairs" (FR: "Vice-présidence")."""
    if role == LeadershipRole.Role.CHAIR:
        return ngettext("Chair", "Chairs", count)
    if role == LeadershipRole.Role.CO_CHAIR:
        return ngettext("Co-chair", "Co-chairs", count)
    return ngettext("Vice-chair", "Vice-chairs", count)


@dataclass
class RoleGroup:
    """The holders of one leadership role in a body, under a heading ("Chair", "Vice-chairs")."""

    role: str
    heading: str
    holders: list[LeadershipRole]


def leadership_by_role(roles) -> list[RoleGroup]:
    """Group roles (already fetched) under chair, co-chair, vice-chair headings, in that order."""
    groups: list[RoleGroup] = []
    for role in selectors.sort_leadership(roles):
        if not groups or groups[-1].role != role.role:
            groups.append(RoleGroup(role=role.role, heading="", holders=[]))
        groups[-1].holders.append(role)
    for group in groups:
        group.heading = _role_heading(group.role, len(group.holders))
    return groups


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """The 400 page, saying what was wrong with the request."""
    return render(request, "400.html", {"message": message}, status=400)


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    """The 404 page, saying what was not found."""
    return render(request, "404.html", {"message": message}, status=404)


def as_of_page(view):
    """Give ``view`` the page's ``as_of`` date (a ``datetime.date``), or answer 400 when malformed."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            as_of = parse_as_of(request.GET.get("as_of"))
        except InvalidDate as exc:
            return bad_request(request, str(exc))
        return view(request, *args, as_of=as_of, **kwargs)

    return wrapper


@as_of_page
def home(request: HttpRequest, *, as_of: dt.date) -> HttpResponse:
    """The Compact at a glance: the Strategy and its pillars, the Committee, the working groups by pillar."""
    overview = selectors.home_overview(as_of=as_of)
    for group in overview["groups"]:
        group.leadership_groups = leadership_by_role(group.leadership_as_of)
    return render(request, "registry/home.html", {**overview, "as_of": as_of})


@as_of_page
def working_group_list(request: HttpRequest, *, as_of: dt.date) -> HttpResponse:
    """The working groups existing on the date, with their pillar and leadership."""
    groups = list(selectors.working_group_list(as_of=as_of))
    document_counts = document_counts_by_body(user=request.user)
    for group in groups:
        group.leadership_groups = leadership_by_role(group.leadership_as_of)
        group.document_count = document_counts.get(group.pk, 0)
    return render(request, "registry/working_group_list.html", {"groups": groups, "as_of": as_of})


@as_of_page
def working_group_detail(request: HttpRequest, number: int, *, as_of: dt.date) -> HttpResponse:
    """One working group on the date: mandate, leadership, members and observers."""
    try:
        group = selectors.working_group_get(number=number, as_of=as_of)
    except Body.DoesNotExist:
        return not_found(
            request,
            _("No working group numbered %(number)s existed on %(date)s.")
            % {"number": number, "date": long_date(as_of)},
        )
    group.document_count = document_counts_by_body(user=request.user).get(group.pk, 0)
    members = [p for p in group.participants_as_of if p.capacity == p.Capacity.MEMBER]
    observers = [p for p in group.participants_as_of if p.capacity == p.Capacity.OBSERVER]
    context = {
        "group": group,
        "leadership": selectors.sort_leadership(group.leadership_as_of),
        "show_position": any(all_translations(role, "position") for role in group.leadership_as_of),
        "members": members,
        "observers": observers,
        "history": object_history(user=request.user, obj=group),
        "as_of": as_of,
    }
    return render(request, "registry/working_group_detail.html", context)


@as_of_page
def entity_list(request: HttpRequest, *, as_of: dt.date) -> HttpResponse:
    """The entity directory, narrowed by kind and a search text (``EntityFilter``)."""
    entity_filter = EntityFilter(request.GET, queryset=selectors.entity_list(as_of=as_of))
    entities = list(entity_filter.qs)
    for entity in entities:
        entity.leadership_sorted = sorted(entity.leadership_as_of, key=_by_body_then_role)
        entity.group_participations = [p for p in entity.participants_as_of if p.body.kind == Body.Kind.WORKING_GROUP]
    context = {"filter": entity_filter, "entities": entities, "as_of": as_of}
    return render(request, "registry/entity_list.html", context)


def _by_body_then_role(role: LeadershipRole) -> tuple:
    """Sort key: the Committee before the working groups, groups by number, then chair, co-chair, vice-chair."""
    return (role.body.kind != Body.Kind.COMMITTEE, role.body.number or 0, ROLE_ORDER.get(role.role, 9))


@as_of_page
def entity_detail(request: HttpRequest, acronym: str, *, as_of: dt.date) -> HttpResponse:
    """One entity: its names, aliases, kind, IATI identifier, and every role and participation it has held."""
    try:
        entity: Entity = selectors.entity_get(acronym=acronym)
    except Entity.DoesNotExist:
        return not_found(request, _("No entity has the acronym “%(acronym)s”.") % {"acronym": acronym})
    for row in (*entity.all_leadership, *entity.all_participations):
        row.status = row.status_on(as_of)
    contacts = list(selectors.entity_contacts(user=request.user, entity=entity))
    record_access(user=request.user, action=AccessEvent.Action.LIST, model=Person, rows=contacts)
    context = {
        "entity": entity,
        "names": [
            {
                "code": code,
                "text": text,
                "language": get_language_info(code)["name_translated"],
                "direction": "rtl" if code in RTL_LANGUAGES else "ltr",
            }
            for code, text in all_translations(entity, "name").items()
        ],
        "leadership": entity.all_leadership,
        "show_position": any(all_translations(role, "position") for role in entity.all_leadership),
        "participations": entity.all_participations,
        "contacts": contacts,
        "history": object_history(user=request.user, obj=entity),
        "as_of": as_of,
    }
    return render(request, "registry/entity_detail.html", context)


@as_of_page
def committee(request: HttpRequest, *, as_of: dt.date) -> HttpResponse:
    """The Coordination Committee on the date: chair, secretariat, mandate, milestones so far and
    derived composition."""
    try:
        found = selectors.committee_get(as_of=as_of, with_milestones=True)
    except Body.DoesNotExist:
        found = None
    seats = []
    if found is not None:
        for seat in found.composition:
            seat.basis_labels = [BASIS_LABELS.get(code, code) for code in seat.basis]
            seats.append(seat)
    history = object_history(user=request.user, obj=found.body) if found is not None else []
    return render(request, "registry/committee.html", {"committee": found, "seats": seats, "history": history, "as_of": as_of})


@as_of_page
def strategy(request: HttpRequest, *, as_of: dt.date) -> HttpResponse:
    """The Strategy: its resolution, pillars and the timeline of the General Assembly's reviews."""
    try:
        found = selectors.strategy_get()
    except Strategy.DoesNotExist:
        found = None
    reviews = []
    if found is not None:
        for review in found.reviews.all():
            review.after_as_of = review.adopted is not None and review.adopted > as_of
            reviews.append(review)
    context = {
        "strategy": found,
        "pillars": list(found.pillars.all()) if found is not None else [],
        "reviews": reviews,
        "as_of": as_of,
    }
    return render(request, "registry/strategy.html", context)
