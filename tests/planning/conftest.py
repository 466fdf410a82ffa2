"""The planning app's test world, on the default structure (``seeded``).

Users (standing from the registry, as in ``tests/library/conftest.py``):

- ``secretariat``: in the secretariat group;
- ``unoda``: UNODA's focal point representing it in wg-3, where UNODA is a vice-chair: an officer of wg-3;
- ``wco``: WCO's focal point representing it in wg-2, where WCO co-chairs: an officer of wg-2 only;
- ``outsider``: signed in, with no entity.

``plan.v1``: an internal joint programme of work (key ``jpow-test``), written through the services by
the secretariat and adopted on 2024-01-24, with

- priorities 1 "Border security" and 2 "Financing";
- wg-3's workplan: output 1 "Guidance" (priority 1) with activities 1 "Workshop" (UNODA leads, OPCW
  takes part, ongoing, 2024-02-01 to 2024-06-30), 2 "Study" (completed), 3 "Survey" (cancelled),
  4 "Database" (planned); output 2 "Training" with activity 1 "Course" (UNODC, delayed).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

REASON = "Decided at the working group's meeting"


@pytest.fixture
def plan(seeded, make_user):
    from compact.planning import services as s
    from compact.registry.models import Body, Entity

    users = SimpleNamespace(
        secretariat=make_user("selma", secretariat=True),
        unoda=make_user("ulla", entity="UNODA", function="focal_point", body="wg-3"),
        wco=make_user("wanda", entity="WCO", function="focal_point", body="wg-2"),
        outsider=make_user("otto"),
    )
    sec = users.secretariat
    e = {a: Entity.objects.get(acronym=a) for a in ("UNODA", "OPCW", "UNODC", "UNICRI", "WCO")}
    wg2, wg3 = Body.objects.get(key="wg-2"), Body.objects.get(key="wg-3")
    v1 = s.programme_create(actor=sec, key="jpow-test", title={"en": "Joint Programme of Work (test)",
                                                                "fr": "Programme de travail commun (essai)"},
                            period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 12, 31))
    p1 = s.priority_create(actor=sec, programme=v1, number=1, title="Border security")
    s.priority_create(actor=sec, programme=v1, number=2, title="Financing")
    wp = s.workplan_create(actor=sec, programme=v1, body=wg3, summary="Working group 3's workplan")
    out1 = s.output_create(actor=sec, workplan=wp, number=1, title="Guidance", priority=p1)
    out2 = s.output_create(actor=sec, workplan=wp, number=2, title="Training")

    def act(output, number, title, lead, status, **kw):
        return s.activity_create(actor=sec, output=output, number=number, title=title, lead_entity=e[lead],
                                 status=status, **kw)

    acts = SimpleNamespace(
        workshop=act(out1, 1, "Workshop", "UNODA", "ongoing", participating_entities=[e["OPCW"]],
                     start=dt.date(2024, 2, 1), end=dt.date(2024, 6, 30)),
        study=act(out1, 2, "Study", "UNODA", "completed"),
        survey=act(out1, 3, "Survey", "UNICRI", "cancelled"),
        database=act(out1, 4, "Database", "UNODA", "planned"),
        course=act(out2, 1, "Course", "UNODC", "delayed"),
    )
    s.programme_adopt(actor=sec, programme=v1, adopted_on=dt.date(2024, 1, 24), decision="CC/2024/1", reason=REASON)
    return SimpleNamespace(users=users, v1=v1, workplan=wp, out1=out1, out2=out2, acts=acts, entities=e, wg2=wg2,
                           wg3=wg3, p1=p1)
