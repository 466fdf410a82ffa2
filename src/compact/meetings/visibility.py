"""What a reader may see of the items a decision or an action item points to (docs/access.md, "No leaks
through relations"): a decision may be public while the meeting that took it is confidential, and an action
item may be readable (by the tasked entity) while its decision is not. The pages, downloads, API and e-mails
mark the rows they show with these helpers and leave out what is marked unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable

from compact.access.policy import Action, restrict
from compact.meetings.models import ActionItem, Decision, Meeting


def _readable(model, ids: set[int], user) -> set[int]:
    if not ids:
        return set()
    return set(restrict(model.objects.filter(pk__in=ids), user, Action.VIEW).values_list("pk", flat=True))


def mark_meetings(decisions: Iterable[Decision], user) -> list[Decision]:
    """Set ``meeting_shown`` (bool) on each decision: whether ``user`` may read (``Action.VIEW``) the
    meeting that took it, hence see its title, number and agenda item. One query; returns the list."""
    decisions = list(decisions)
    readable = _readable(Meeting, {d.meeting_id for d in decisions}, user)
    for decision in decisions:
        decision.meeting_shown = decision.meeting_id in readable
    return decisions


def mark_decisions(items: Iterable[ActionItem], user) -> list[ActionItem]:
    """Set ``decision_shown`` (bool) on each action item: whether ``user`` may read its decision, hence
    see its reference and title. One query; returns the list."""
    items = list(items)
    readable = _readable(Decision, {i.decision_id for i in items}, user)
    for item in items:
        item.decision_shown = item.decision_id in readable
    return items
