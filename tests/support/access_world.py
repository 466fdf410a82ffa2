"""The world of the access matrix (fixture ``matrix_world``, registered in tests/conftest.py): one user
per role, and one item per content type, owner and level.

On the default structure, working group 3 (``wg-3``) is chaired by INTERPOL with UNODA, UNICRI and
OPCW as vice-chairs, all four members. The fixture adds, as of today:

- UN-Women as an *observer* of wg-3 that is also (irregularly) named vice-chair: its focal point must
  get no officer rights;
- UNODA's membership and vice-chair role in wg-3 ended yesterday: its focal point is a *former* member.

Each role's standing below is written by hand from that structure (not computed by the platform),
so that the expected answers come from the rule table in ``docs/access.md`` alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

ACCESS_DOC = Path(__file__).resolve().parents[2] / "docs" / "access.md"
LEVELS = ("public", "internal", "confidential", "strictly_confidential")


@dataclasses.dataclass(frozen=True)
class Standing:
    """A role's standing, by hand: bodies by key, entity by acronym."""

    signed_in: bool = True
    secretariat: bool = False
    entity: str | None = None
    focal_point: bool = False
    members_of: frozenset[str] = frozenset()
    observers_of: frozenset[str] = frozenset()
    officers_of: frozenset[str] = frozenset()
    grant: str | None = None  # the grant this role holds on every item: None, "read" or "change"


IN_COMPACT = frozenset({"compact", "committee"})  # every seed entity is a member of the Compact, so of the Committee

ROLES: dict[str, Standing] = {
    "visitor": Standing(signed_in=False),
    "deactivated": Standing(signed_in=False),  # UNDP focal point whose account is deactivated
    "signed_in": Standing(),
    "outsider": Standing(entity="WCO", members_of=IN_COMPACT | {"wg-2"}),
    "wg3_member": Standing(entity="UNICRI", members_of=IN_COMPACT | {"wg-3"}),
    "wg3_officer": Standing(entity="INTERPOL", focal_point=True, members_of=IN_COMPACT | {"wg-2", "wg-3"},
                            officers_of=frozenset({"wg-3", "wg-2"})),
    "officer_elsewhere": Standing(entity="INTERPOL", focal_point=True, members_of=IN_COMPACT | {"wg-2", "wg-3"},
                                  officers_of=frozenset({"wg-2"})),
    "wg3_observer": Standing(entity="UN-Women", focal_point=True, members_of=IN_COMPACT | {"wg-8"},
                             observers_of=frozenset({"wg-3"}), officers_of=frozenset({"wg-8"})),
    "wg3_former": Standing(entity="UNODA", focal_point=True, members_of=IN_COMPACT),
    "owner_staff": Standing(entity="UNDP", members_of=IN_COMPACT | {"wg-1"}),
    "owner_focal_point": Standing(entity="UNDP", focal_point=True, members_of=IN_COMPACT | {"wg-1"},
                                  officers_of=frozenset({"wg-1"})),
    "read_grantee": Standing(entity="WCO", members_of=IN_COMPACT | {"wg-2"}, grant="read"),
    "change_grantee": Standing(entity="WCO", members_of=IN_COMPACT | {"wg-2"}, grant="change"),
    "secretariat": Standing(secretariat=True),
}

#: Content variants: (content type, owning body key, owning entity acronym).
VARIANTS: dict[str, tuple[str, str | None, str | None]] = {
    "document/body+entity": ("document", "wg-3", "UNDP"),
    "document/body": ("document", "wg-3", None),
    "document/entity": ("document", None, "UNDP"),
    "document/body+observer": ("document", "wg-3", "UN-Women"),
    "person/entity+body": ("person", "wg-3", "UNDP"),
    "project/body+entity": ("project", "wg-3", "UNDP"),
    "project/body+observer": ("project", "wg-3", "UN-Women"),
    "meeting/body": ("meeting", "wg-3", None),
    "decision/body": ("decision", "wg-3", None),
    "action/body+entity": ("action", "wg-3", "UNDP"),
    "action/body+observer": ("action", "wg-3", "UN-Women"),
}

AUDIENCE_WORDS = {
    "anyone", "signed-in user", "secretariat", "body participant", "body member", "body officer",
    "entity affiliate", "entity focal point", "read grantee", "change grantee",
}


def rule_table() -> dict[str, dict[str, frozenset[str]]]:
    """``{action: {level: audiences}}`` parsed from the table under "## The rule table" in docs/access.md."""
    text = ACCESS_DOC.read_text(encoding="utf-8")
    section = text.split("## The rule table", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    table: dict[str, dict[str, frozenset[str]]] = {}
    for line in rows[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        level = cells[0].replace(" ", "_")
        assert level in LEVELS, f"docs/access.md: unknown level {cells[0]!r}"
        for head, cell in zip(header[1:], cells[1:], strict=True):
            words = frozenset(w.strip() for w in cell.split(","))
            assert words <= AUDIENCE_WORDS, f"docs/access.md: unknown words {sorted(words - AUDIENCE_WORDS)}"
            for action in re.split(r",\s*", head):
                table.setdefault(action, {})[level] = words
    return table


def audiences_of(standing: Standing, owner_body: str | None, owner_entity: str | None) -> set[str]:
    """The audiences of the rule table that a role belongs to for an item with these owners."""
    if not standing.signed_in:
        return {"anyone"}
    result = {"anyone", "signed-in user"}
    if standing.secretariat:
        result.add("secretariat")
    if owner_body and owner_body in standing.members_of | standing.observers_of:
        result.add("body participant")
    if owner_body and owner_body in standing.members_of:
        result.add("body member")
    if owner_body and owner_body in standing.officers_of:
        result.add("body officer")
    if owner_entity and standing.entity == owner_entity:
        result.add("entity affiliate")
        if standing.focal_point and (owner_body is None or owner_body in standing.members_of):
            result.add("entity focal point")
    if standing.grant:
        result.add("read grantee")
        if standing.grant == "change":
            result.add("change grantee")
    return result


def expected(table, action: str, level: str, standing: Standing, owner_body, owner_entity) -> bool:
    """The answer of the written rule table (change and adopt also need read)."""
    mine = audiences_of(standing, owner_body, owner_entity)
    readable = bool(mine & table["view"][level])
    if action in {"view", "list", "count", "export", "search"}:
        return bool(mine & table[action][level])
    return readable and bool(mine & table[action][level])


@dataclasses.dataclass
class World:
    users: dict[str, object]
    items: dict[tuple[str, str], object]  # (variant, level) -> object
    token: str  # a word in every document title, for search


@pytest.fixture
def matrix_world(seeded, make_user) -> World:
    """One user per role of ``ROLES`` and one item per ``VARIANTS`` x ``LEVELS``, with the grantees' grants."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from compact.access.models import Grant
    from compact.library.models import Document
    from compact.projects.models import Project
    from compact.registry.models import Body, Entity, LeadershipRole, Participation, Person

    today = timezone.localdate()
    wg3 = Body.objects.get(key="wg-3")
    women = Entity.objects.get(acronym="UN-Women")
    Participation.objects.create(entity=women, body=wg3, capacity="observer", start=dt.date(2019, 4, 16))
    LeadershipRole.objects.create(entity=women, body=wg3, role="vice_chair", start=dt.date(2019, 4, 16))
    yesterday = today - dt.timedelta(days=1)
    Participation.objects.filter(body=wg3, entity__acronym="UNODA").update(end=yesterday)
    LeadershipRole.objects.filter(body=wg3, entity__acronym="UNODA").update(end=yesterday)

    users: dict[str, object] = {
        "visitor": AnonymousUser(),
        "deactivated": make_user("deactivated", entity="UNDP", is_active=False),
        "signed_in": make_user("plain"),
        "outsider": make_user("outsider", entity="WCO", function="representative"),
        "wg3_member": make_user("member", entity="UNICRI", function="representative"),
        "wg3_officer": make_user("officer", entity="INTERPOL"),
        "officer_elsewhere": make_user("officer2", entity="INTERPOL", body="wg-2"),
        "wg3_observer": make_user("observer", entity="UN-Women"),
        "wg3_former": make_user("former", entity="UNODA"),
        "owner_staff": make_user("ownerstaff", entity="UNDP", function="representative"),
        "owner_focal_point": make_user("ownerfocal", entity="UNDP"),
        "read_grantee": make_user("reader", entity="WCO", function="representative"),
        "change_grantee": make_user("editor", entity="WCO", function="representative"),
        "secretariat": make_user("secretariat", secretariat=True),
    }
    assert set(users) == set(ROLES)

    token = "zephyrine"
    bodies = {b.key: b for b in Body.objects.all()}
    entities = {e.acronym: e for e in Entity.objects.all()}
    items: dict[tuple[str, str], object] = {}
    for variant, (kind, body_key, entity_acronym) in VARIANTS.items():
        for level in LEVELS:
            body = bodies[body_key] if body_key else None
            entity = entities[entity_acronym] if entity_acronym else None
            if kind == "document":
                obj = Document.objects.create(
                    title=f"{token} {variant} {level}", summary="", owner_body=body, owner_entity=entity, sensitivity=level,
                    document_date=today,
                )
            elif kind in ("meeting", "decision", "action"):
                obj = _meeting_item(kind, f"{token} {variant} {level}", body, entity, level, today)
            elif kind == "project":
                obj = Project.objects.create(
                    title=f"{token} {variant} {level}", lead_body=body, lead_entity=entity, sensitivity=level,
                    stage="published",
                )
            else:
                obj = Person.objects.create(
                    entity=entity, body=body, given_name=token, family_name=level, function="representative",
                    email=f"{level}@example.org", sensitivity=level,
                )
            items[(variant, level)] = obj
            for role in ("read_grantee", "change_grantee"):
                Grant.objects.create(
                    user=users[role], content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk,
                    level=ROLES[role].grant,
                )
    return World(users=users, items=items, token=token)


def _meeting_item(kind: str, title: str, body, entity, level: str, today: dt.date):
    """A meeting, a decision (taken at a meeting of its own) or an action item (of a decision of its
    own) of ``body`` at ``level``; an action item is given to ``entity``. Containers are public, so that
    only the item's own level counts."""
    import uuid

    from django.utils import timezone

    from compact.meetings.models import ActionItem, Decision, Meeting

    start = timezone.now().replace(microsecond=0)
    number = Meeting.objects.filter(body=body).count() + 1
    meeting = Meeting.objects.create(
        body=body, number=number, title=title, start=start, end=start + dt.timedelta(hours=2), time_zone="UTC",
        uid=f"{uuid.uuid4()}@test", sensitivity=level if kind == "meeting" else "public",
    )
    if kind == "meeting":
        return meeting
    decision = Decision.objects.create(
        body=body, year=today.year, number=number, reference=f"WG{body.number}/{today.year}/{number}", meeting=meeting,
        title=title, text=title, adopted_on=today, sensitivity=level if kind == "decision" else "public",
    )
    if kind == "decision":
        return decision
    return ActionItem.objects.create(decision=decision, body=body, owner_entity=entity, title=title, due=today,
                                     sensitivity=level)
