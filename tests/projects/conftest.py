"""The projects' test world, on the default structure (``seeded``).

Working group 2 (``wg-2``) has CTED, INTERPOL, UNODC and WCO as members (CTED chairs, WCO co-chairs,
INTERPOL and UNODC vice-chair); working group 3 (``wg-3``) has INTERPOL, OPCW, UNICRI and UNODA. Users:

- ``secretariat``: in the secretariat group (UNOCT);
- ``unodc``: UNODC's focal point representing it in wg-4: an officer of wg-4 only, but as UNODC's focal
  point (a member of wg-2) it may change UNODC's projects in wg-2, not endorse them;
- ``wco``: WCO's focal point representing it in wg-2: an officer of wg-2;
- ``unoda``: UNODA's focal point representing it in wg-3: an officer of wg-3, not in wg-2;
- ``opcw``: an OPCW representative (not a focal point): member of wg-3 only;
- ``outsider``: signed in, with no entity.

Projects (``support.projects.make_project``, created by the platform): ``internal2`` (internal draft of
UNODC in wg-2), ``confidential2`` (confidential, UNODC in wg-2, published), ``public3`` (public, UNODA in
wg-3, published, beneficiary Nigeria 566).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def world(seeded, make_user):
    from decimal import Decimal

    from support.projects import make_project

    users = SimpleNamespace(
        secretariat=make_user("secretariat", secretariat=True, entity="UNOCT", function="representative"),
        unodc=make_user("unodc", entity="UNODC", body="wg-4"),
        wco=make_user("wco", entity="WCO", body="wg-2"),
        unoda=make_user("unoda", entity="UNODA", body="wg-3"),
        opcw=make_user("opcw", entity="OPCW", function="representative"),
        outsider=make_user("outsider"),
    )
    projects = SimpleNamespace(
        internal2=make_project(None),
        confidential2=make_project(None, title="Confidential border assessment", sensitivity="confidential",
                                   stage="published", iati_identifier="XM-DAC-41114-CONF-1"),
        public3=make_project(None, title="Chemical security in West Africa", lead_entity="UNODA", lead_body="wg-3",
                             working_groups=["wg-3"], sensitivity="public", stage="published",
                             participants=[{"role": "4", "entity": "UNODA"}, {"role": "4", "entity": "OPCW"}],
                             areas=[{"code": "566", "percentage": Decimal("100")}], sdg_targets=["16.4"],
                             pillars=[2, 3]),
    )
    return SimpleNamespace(users=users, projects=projects)
