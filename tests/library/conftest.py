"""The library's test world, on the default structure (``seeded``).

Working group 3 (``wg-3``) has INTERPOL, OPCW, UNICRI and UNODA as members (INTERPOL chairs, the others
are vice-chairs); working group 2 (``wg-2``) has CTED, INTERPOL, UNODC and WCO (WCO co-chairs). Users:

- ``secretariat``: in the secretariat group, no entity;
- ``opcw``: an OPCW representative (not a focal point): member of wg-3 only, officer of nothing;
- ``unoda``: UNODA's focal point, representing it in wg-3: an officer of wg-3 and focal point of UNODA;
- ``wco``: WCO's focal point representing it in wg-2: an officer of wg-2, not in wg-3;
- ``outsider``: signed in, with no entity.

Documents, all created through the services by the secretariat (expected readers written by hand from
the rule table of docs/access.md):

====================  =====================  =========  ==============================================
name                  level                  owner      readers besides the secretariat
====================  =====================  =========  ==============================================
``public3``           public                 wg-3       everyone, visitors included
``internal3``         internal               wg-3       every signed-in user
``confidential3``     confidential           wg-3       opcw, unoda (participants of wg-3)
``confidential2``     confidential           wg-2       wco (participant of wg-2)
``strict3``           strictly confidential  wg-3       nobody (its creator holds a change grant)
``annex``             public, annex of       wg-3       everyone; its parent is shown as a stub to
                      ``confidential2``                 those who may not read ``confidential2``
``unoda_memo``        confidential           UNODA      unoda (affiliate of UNODA)
====================  =====================  =========  ==============================================
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest


@pytest.fixture
def library(seeded, make_user):
    from django.contrib.contenttypes.models import ContentType

    from compact.library.models import Document
    from compact.library.services import document_create
    from compact.registry.models import Body, Entity

    ContentType.objects.get_for_model(Document)  # warm the content-type cache: query counts stay fixed
    users = SimpleNamespace(
        secretariat=make_user("selma", secretariat=True),
        opcw=make_user("oskar", entity="OPCW", function="representative", body="wg-3"),
        unoda=make_user("ulla", entity="UNODA", function="focal_point", body="wg-3"),
        wco=make_user("wanda", entity="WCO", function="focal_point", body="wg-2"),
        outsider=make_user("otto"),
    )
    wg2, wg3 = Body.objects.get(key="wg-2"), Body.objects.get(key="wg-3")
    unoda = Entity.objects.get(acronym="UNODA")

    def make(title, sensitivity, *, body=wg3, entity=None, kind="report", day=None, **extra):
        return document_create(
            actor=users.secretariat, reason="filed by the secretariat", title=title, kind=kind, owner_body=body,
            owner_entity=entity, sensitivity=sensitivity, document_date=day, **extra,
        )

    docs = SimpleNamespace()
    docs.public3 = make({"en": "Border security report", "fr": "Rapport sur la sécurité des frontières"}, "public",
                        day=dt.date(2024, 1, 10), summary={"en": "Findings on border controls."})
    docs.internal3 = make({"en": "Workplan 2024"}, "internal", kind="workplan", day=dt.date(2024, 2, 1))
    docs.confidential3 = make({"en": "Minutes of the March meeting"}, "confidential", kind="minutes",
                              day=dt.date(2024, 3, 5))
    docs.confidential2 = make({"en": "Note on customs cooperation"}, "confidential", body=wg2, kind="note",
                              day=dt.date(2024, 4, 1))
    docs.strict3 = make({"en": "Threat assessment"}, "strictly_confidential", day=dt.date(2024, 5, 1))
    docs.annex = make({"en": "Annex: customs contact list"}, "public", kind="other", day=dt.date(2024, 4, 2),
                      annex_of=docs.confidential2)
    docs.unoda_memo = make({"en": "UNODA memo on export controls"}, "confidential", body=None, entity=unoda,
                           kind="note", day=dt.date(2024, 6, 1))
    world = SimpleNamespace(users=users, docs=docs, wg2=wg2, wg3=wg3, unoda=unoda, visible=VISIBLE)
    world.user = lambda who: user_of(world, who)
    world.names = lambda documents: names_of(world, documents)
    return world


#: Titles each reader may list, by hand from the table above ("anonymous" is a visitor).
VISIBLE = {
    "anonymous": {"public3", "annex"},
    "outsider": {"public3", "internal3", "annex"},
    "opcw": {"public3", "internal3", "confidential3", "annex"},
    "unoda": {"public3", "internal3", "confidential3", "annex", "unoda_memo"},
    "wco": {"public3", "internal3", "confidential2", "annex"},
    "secretariat": {"public3", "internal3", "confidential3", "confidential2", "strict3", "annex", "unoda_memo"},
}


def user_of(library, who):
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser() if who == "anonymous" else getattr(library.users, who)


def names_of(library, documents) -> set[str]:
    by_pk = {d.pk: name for name, d in vars(library.docs).items()}
    return {by_pk[d.pk] for d in documents}
