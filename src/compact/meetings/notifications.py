"""E-mail notices about meetings (interface; the sending is written in this module).

Each function sends, through Django's e-mail backend (console by default), one message per recipient
who has not opted out (``meetings.Preference``), records it as a ``Notification`` and returns how many
were sent. The services call them after their transaction commits.
"""

from __future__ import annotations


def notify_invitation(meeting, people) -> int:
    """Invite ``people`` (``registry.Person`` rows) to ``meeting``, with its .ics attached."""
    return 0


def notify_meeting_changed(meeting, *, cancelled: bool = False) -> int:
    """Tell the meeting's invited people that it changed (new sequence) or was cancelled."""
    return 0


def notify_minutes_circulated(version) -> int:
    """Tell the meeting's invited people that minutes ``version`` are circulated for comments."""
    return 0


def notify_action_item(item) -> int:
    """Tell the focal points of the tasked entity (or of the entities leading the tasked body) of a new
    action item."""
    return 0


def notify_overdue(day) -> int:
    """Tell the same people of every action item still pending after its due date, as of ``day``: once
    per item and due date."""
    return 0
