"""Audit exercises of ``compact.meetings.services``: each sets up its rows through the ORM (no event), then
calls one service and says how many rows it writes.

Standing on the default structure: wg-3 has four members (INTERPOL, UNODA, UNICRI, OPCW); UNDP (the focal
point's entity, ``ctx.person``) is a member of wg-1 and takes no part in wg-3.
"""

from __future__ import annotations

import datetime as dt
import uuid

REASON = "Meeting cycle"
DAY = dt.date(2024, 6, 3)


def _body(key):
    from compact.registry.models import Body

    return Body.objects.get(key=key)


def _meeting(key="wg-3", **kw):
    from compact.meetings.models import AgendaItem, Meeting

    start = dt.datetime(DAY.year, DAY.month, DAY.day, 10, tzinfo=dt.UTC)
    body = _body(key)
    fields = {"body": body, "number": Meeting.objects.filter(body=body).count() + 1, "title": "Meeting", "start": start,
              "end": start + dt.timedelta(hours=2), "time_zone": "UTC", "uid": f"{uuid.uuid4()}@test"} | kw
    meeting = Meeting.objects.create(**fields)
    AgendaItem.objects.create(meeting=meeting, position=1, kind="matters_arising", title="Matters arising")
    return meeting


def _item(meeting, position, title="Item"):
    from compact.meetings.models import AgendaItem

    return AgendaItem.objects.create(meeting=meeting, position=position, title=title)


def _minutes(meeting, status="draft", number=1):
    from compact.meetings.models import MinutesVersion

    return MinutesVersion.objects.create(meeting=meeting, number=number, status=status, text="The minutes.")


def _decision(meeting):
    from compact.meetings.models import Decision

    return Decision.objects.create(body=meeting.body, meeting=meeting, year=DAY.year, number=1,
                                   reference=f"WG{meeting.body.number}/{DAY.year}/1", title="Decision", text="Text",
                                   adopted_on=DAY)


def _document(ctx):
    from compact.library.models import Document

    return Document.objects.create(title="Terms of reference", owner_entity=ctx.person.entity, sensitivity="internal")


def ex_meeting_create(ctx, s):
    s.meeting_create(actor=ctx.secretariat, body=_body("wg-3"), start=dt.datetime(2024, 6, 3, 10, tzinfo=dt.UTC),
                     end=dt.datetime(2024, 6, 3, 12, tzinfo=dt.UTC), time_zone="UTC", title="Emerging threats",
                     reason=REASON)
    return 6  # the meeting, its matters-arising item, the four members' attendance


def ex_meeting_update(ctx, s):
    s.meeting_update(actor=ctx.secretariat, meeting=_meeting(), venue="Vienna International Centre", reason=REASON)
    return 1


def ex_meeting_cancel(ctx, s):
    s.meeting_cancel(actor=ctx.secretariat, meeting=_meeting(), reason="No quorum")
    return 1


def ex_agenda_item_add(ctx, s):
    s.agenda_item_add(actor=ctx.secretariat, meeting=_meeting(), title="Adoption of the agenda", position=1, reason=REASON)
    return 2  # the new item, and the matters-arising item moved to position 2


def ex_agenda_item_update(ctx, s):
    meeting = _meeting()
    s.agenda_item_update(actor=ctx.secretariat, item=_item(meeting, 2), title="Workplan", documents=[_document(ctx)],
                         reason=REASON)
    return 1


def ex_agenda_item_remove(ctx, s):
    meeting = _meeting()
    item = _item(meeting, 2)
    _item(meeting, 3, "Any other business")
    s.agenda_item_remove(actor=ctx.secretariat, item=item, reason=REASON)
    return 2  # the item removed, and item 3 moved up


def ex_agenda_finalise(ctx, s):
    s.agenda_finalise(actor=ctx.secretariat, meeting=_meeting(), reason=REASON)
    return 2  # the meeting, and its matters-arising item's frozen list


def ex_attendance_set(ctx, s):
    from compact.registry.models import Entity

    s.attendance_set(actor=ctx.secretariat, meeting=_meeting(), entity=Entity.objects.get(acronym="INTERPOL"),
                     status="present", reason=REASON)
    return 1


def ex_attendee_invite(ctx, s):
    s.attendee_invite(actor=ctx.secretariat, meeting=_meeting(sensitivity="confidential"), person=ctx.person,
                      reason="Presents the UNDP project")
    return 2  # the attendee, and the read grant (recorded on the meeting) of a person whose entity is not in wg-3


def ex_attendee_set_status(ctx, s):
    from compact.meetings.models import Attendee

    attendee = Attendee.objects.create(meeting=_meeting(), person=ctx.person)
    s.attendee_set_status(actor=ctx.focal, attendee=attendee, status="apologies", reason="Travelling")
    return 1


def ex_minutes_save(ctx, s):
    s.minutes_save(actor=ctx.secretariat, meeting=_meeting(), text="The group met.", reason=REASON)
    return 1


def ex_minutes_circulate(ctx, s):
    meeting = _meeting()
    _minutes(meeting)
    s.minutes_circulate(actor=ctx.secretariat, meeting=meeting, reason=REASON)
    return 1


def ex_minutes_comment(ctx, s):
    version = _minutes(_meeting(), status="circulated")
    s.minutes_comment(actor=ctx.focal, version=version, text="Item 2: UNDP presented, not UNODC.", reason="Accuracy")
    return 1


def ex_minutes_finalise(ctx, s):
    meeting = _meeting()
    _minutes(meeting, status="circulated")
    s.minutes_finalise(actor=ctx.secretariat, meeting=meeting, reason=REASON)
    return 1


def ex_minutes_correct(ctx, s):
    meeting = _meeting()
    _minutes(meeting, status="final")
    s.minutes_correct(actor=ctx.secretariat, meeting=meeting, text="The group met in Vienna.", reason="Place corrected")
    return 1


def ex_decision_record(ctx, s):
    from compact.registry.models import Entity

    s.decision_record(actor=ctx.secretariat, meeting=_meeting(), title="Terms of reference", text="Approved.",
                      subjects=[_document(ctx)], adopted_by=[Entity.objects.get(acronym="INTERPOL")], reason=REASON)
    return 2  # the decision (its adopting entities in it) and its subject


def ex_decision_update(ctx, s):
    s.decision_update(actor=ctx.secretariat, decision=_decision(_meeting()), title="Terms of reference approved",
                      reason=REASON)
    return 1


def ex_action_item_create(ctx, s):
    s.action_item_create(actor=ctx.secretariat, decision=_decision(_meeting()), title="Circulate the terms of reference",
                         due=DAY + dt.timedelta(days=30), owner_entity=ctx.person.entity, reason=REASON)
    return 1


def ex_action_item_update(ctx, s):
    from compact.meetings.models import ActionItem

    decision = _decision(_meeting("wg-1"))
    item = ActionItem.objects.create(decision=decision, body=decision.body, owner_entity=ctx.person.entity,
                                     title="Report", due=DAY)
    s.action_item_update(actor=ctx.focal, item=item, status="done", evidence_note="Sent on 2 June.", reason="Done")
    return 1


def ex_load_default_meetings(ctx, s):
    s.load_default_meetings(actor=ctx.secretariat, reason="Default data")
    return 11  # five meetings, their five matters-arising items, the 2nd meeting's decision (no workplans loaded)


EXERCISES = {
    f"compact.meetings.services.{fn.__name__[3:]}": fn
    for fn in (ex_meeting_create, ex_meeting_update, ex_meeting_cancel, ex_agenda_item_add, ex_agenda_item_update,
               ex_agenda_item_remove, ex_agenda_finalise, ex_attendance_set, ex_attendee_invite, ex_attendee_set_status,
               ex_minutes_save, ex_minutes_circulate, ex_minutes_comment, ex_minutes_finalise, ex_minutes_correct,
               ex_decision_record, ex_decision_update, ex_action_item_create, ex_action_item_update,
               ex_load_default_meetings)
}
