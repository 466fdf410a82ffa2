"""Reads behind the calendar feeds and the user's meeting settings.

A private feed is read with the standing of the user whose secret is in its address (the access policy
as for that user today); the public feed with a visitor's who is not signed in. Every list of meetings
comes from ``selectors.meeting_list`` (so through ``compact.access.policy.restrict``), with the agenda
items each event lists, in a fixed number of queries.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from compact.access.policy import Action
from compact.meetings import selectors
from compact.meetings.account_services import secret_digest
from compact.meetings.models import Attendance, Attendee, FeedToken, Meeting, Preference
from compact.registry.models import Body, Person

#: What a secret made by ``account_services.feed_token_create`` looks like (``secrets.token_urlsafe(32)``).
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def token_for_secret(secret: str) -> FeedToken | None:
    """The live token whose secret is ``secret``, with its user, or None: unknown, revoked, or of a
    deactivated user (one query; none for a string that cannot be a secret)."""
    if not SECRET_PATTERN.fullmatch(secret or ""):
        return None
    return (FeedToken.objects.select_related("user")
            .filter(digest=secret_digest(secret), revoked__isnull=True, user__is_active=True).first())


def user_for_feed_secret(secret: str):
    """The user whose live feed secret is ``secret``, or None (see ``token_for_secret``)."""
    token = token_for_secret(secret)
    return token.user if token is not None else None


def live_token(*, user) -> FeedToken | None:
    """``user``'s live (not revoked) feed token, or None."""
    return FeedToken.objects.filter(user=user, revoked__isnull=True).order_by("-created", "-pk").first()


def preference_for(user) -> Preference:
    """``user``'s meeting preferences, or the defaults (unsaved) when they never set any."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def feed_bodies(*, day=None) -> list[Body]:
    """The bodies that have a feed on ``day`` (default today): those existing that day, the Compact and
    the Committee first, then the working groups by number."""
    day = day or timezone.localdate()
    rank = {Body.Kind.COMPACT: 0, Body.Kind.COMMITTEE: 1}
    bodies = Body.objects.filter(established__lte=day).filter(Q(dissolved__isnull=True) | Q(dissolved__gte=day))
    return sorted(bodies, key=lambda b: (rank.get(b.kind, 2), b.number or 0, b.key))


def _for_feed(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.prefetch_related("agenda_items").order_by("start", "pk")


def body_feed_meetings(*, user, body: Body) -> QuerySet[Meeting]:
    """Every meeting of ``body`` that ``user`` may export (read), cancelled ones included, by start,
    with their body and agenda items (two queries, three with the user's grants)."""
    return _for_feed(selectors.meeting_list(user=user, body=body, action=Action.EXPORT))


def invited_q(user) -> Q:
    """Meetings ``user`` is invited to: as a person (``Attendee``), or through the attendance of their
    entity (``Attendance``), by their registry person; nothing for a user without one."""
    person = Person.objects.filter(user=user).values("pk", "entity_id").first() if user.is_authenticated else None
    if person is None:
        return Q(pk__in=[])
    as_person = Attendee.objects.filter(meeting=OuterRef("pk"), person_id=person["pk"])
    as_entity = Attendance.objects.filter(meeting=OuterRef("pk"), entity_id=person["entity_id"])
    return Q(Exists(as_person)) | Q(Exists(as_entity))


def my_feed_meetings(*, user) -> QuerySet[Meeting]:
    """The meetings ``user`` is invited to (``invited_q``) and may export (read), cancelled ones
    included, by start, with their body and agenda items."""
    return _for_feed(selectors.meeting_list(user=user, action=Action.EXPORT).filter(invited_q(user)))
