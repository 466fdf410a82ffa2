"""Writing the registry as a compact structure file (the format read by ``reader``).

The output is stable: the same registry always gives the same text, so exports can be compared and
kept under version control. Entities are referenced by acronym; texts carry every language that has
one; empty optional fields are left out.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation
from modeltranslation.utils import build_localized_fieldname
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from compact.interop.structure.reader import FORMAT, LANGUAGES, VERSION, milestone_title_key
from compact.registry.models import (
    ROLE_ORDER,
    Body,
    Entity,
    LeadershipRole,
    Milestone,
    Participation,
    Person,
    Pillar,
    Strategy,
)

HEADER = (
    "Compact structure file, exported by `compact export-structure`.\n"
    "Format documented in docs/structure-file.md; load it with `compact load-structure FILE`."
)
_BODY_KIND_ORDER = {Body.Kind.COMPACT: 0, Body.Kind.COMMITTEE: 1, Body.Kind.WORKING_GROUP: 2}


class NothingToExport(LookupError):
    """The registry holds no strategy, so there is no structure to write."""


def _text(obj: Any, field_name: str) -> CommentedMap:
    """``{language: text}`` for each language with a non-empty text, in the order of ``LANGUAGES``."""
    text = CommentedMap()
    for lang in LANGUAGES:
        value = (getattr(obj, build_localized_fieldname(field_name, lang)) or "").strip()
        if value:
            text[lang] = value
    return text


def _flow(items: Mapping[str, Any]) -> CommentedMap:
    node = CommentedMap(items)
    node.fa.set_flow_style()
    return node


def _put(node: CommentedMap, key: str, value: Any) -> None:
    """Set ``node[key]`` unless ``value`` is empty (None, "", an empty text or list)."""
    if value is None or value == "" or (isinstance(value, Mapping | list) and not value):
        return
    node[key] = value


def export_structure() -> str:
    """The registry as a structure file (YAML text, format ``compact-structure`` version 1).

    Order: reviews and pillars by number; entities by acronym (aliases by name); bodies as the
    compact, committees, then working groups by number (then key); leadership by role (chair,
    co-chair, vice-chair), entity acronym and start; participants by entity acronym and start;
    milestones by date, then identifying title; people by entity, family and given name. A body
    without milestones has no ``milestones`` key. The strategy is the one adopted first when the registry holds
    several (the format describes one); all pillars are written.

    Raises:
        NothingToExport: the registry holds no strategy.
    """
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        strategy = Strategy.objects.order_by("adopted", "key").first()
        if strategy is None:
            raise NothingToExport("The registry holds no strategy; there is no structure to export.")
        doc = CommentedMap()
        doc.yaml_set_start_comment(HEADER)
        doc["format"] = FORMAT
        doc["version"] = VERSION
        doc["strategy"] = _strategy(strategy)
        doc["pillars"] = CommentedSeq(
            CommentedMap(number=p.number, title=_text(p, "title")) for p in Pillar.objects.order_by("number")
        )
        doc["entities"] = CommentedSeq(_entity(e) for e in Entity.objects.prefetch_related("aliases").order_by("acronym"))
        doc["bodies"] = CommentedSeq(_body(b) for b in _bodies())
        people = list(Person.objects.select_related("entity", "body").order_by(
            "entity__acronym", "family_name", "given_name", "pk"))
        if people:
            doc["people"] = CommentedSeq(_person(p) for p in people)
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    yaml.dump(doc, stream)
    return stream.getvalue()


def _strategy(strategy: Strategy) -> CommentedMap:
    node = CommentedMap(key=strategy.key, title=_text(strategy, "title"), resolution=strategy.resolution,
                        adopted=strategy.adopted)
    reviews = CommentedSeq()
    for review in strategy.reviews.order_by("number"):
        item = CommentedMap(number=review.number)
        _put(item, "resolution", review.resolution)
        _put(item, "adopted", review.adopted)
        _put(item, "due_year", review.due_year)
        _put(item, "note", _text(review, "note"))
        reviews.append(item)
    _put(node, "reviews", reviews)
    return node


def _entity(entity: Entity) -> CommentedMap:
    node = CommentedMap(acronym=entity.acronym, kind=entity.kind, name=_text(entity, "name"))
    _put(node, "aliases", CommentedSeq(sorted(a.name for a in entity.aliases.all())))
    _put(node, "iati_identifier", entity.iati_identifier)
    return node


def _bodies() -> list[Body]:
    leadership = LeadershipRole.objects.select_related("entity")
    participants = Participation.objects.select_related("entity")
    bodies = Body.objects.select_related("pillar", "parent", "secretariat").prefetch_related(
        Prefetch("leadership_roles", queryset=leadership), Prefetch("participations", queryset=participants),
        Prefetch("milestones", queryset=Milestone.objects.order_by("date", "pk")))
    return sorted(bodies, key=lambda b: (_BODY_KIND_ORDER.get(b.kind, 9), b.number or 0, b.key))


def _body(body: Body) -> CommentedMap:
    node = CommentedMap(key=body.key, kind=body.kind)
    _put(node, "number", body.number)
    _put(node, "pillar", body.pillar.number if body.pillar else None)
    _put(node, "parent", body.parent.key if body.parent else None)
    _put(node, "secretariat", body.secretariat.acronym if body.secretariat else None)
    node["title"] = _text(body, "title")
    _put(node, "mandate", _text(body, "mandate"))
    node["established"] = body.established
    _put(node, "dissolved", body.dissolved)
    roles = sorted(body.leadership_roles.all(),
                   key=lambda r: (ROLE_ORDER.get(r.role, 9), r.entity.acronym, r.start, r.end or r.start, r.pk))
    _put(node, "leadership", CommentedSeq(_leadership(r) for r in roles))
    rows = sorted(body.participations.all(), key=lambda p: (p.entity.acronym, p.start, p.capacity, p.pk))
    _put(node, "participants", CommentedSeq(_participant(p) for p in rows))
    milestones = [CommentedMap(date=m.date, title=_text(m, "title")) for m in body.milestones.all()]
    milestones.sort(key=lambda m: (m["date"], milestone_title_key(m["title"])))
    _put(node, "milestones", CommentedSeq(milestones))
    return node


def _leadership(role: LeadershipRole) -> CommentedMap:
    item = {"entity": role.entity.acronym, "role": role.role, "start": role.start}
    if role.end:
        item["end"] = role.end
    position = _text(role, "position")
    if not position:
        return _flow(item)
    node = CommentedMap(item)
    node["position"] = position
    return node


def _participant(row: Participation) -> CommentedMap:
    item = {"entity": row.entity.acronym, "capacity": row.capacity, "start": row.start}
    if row.end:
        item["end"] = row.end
    return _flow(item)


def _person(person: Person) -> CommentedMap:
    node = CommentedMap(given_name=person.given_name, family_name=person.family_name,
                        entity=person.entity.acronym, function=person.function)
    _put(node, "body", person.body.key if person.body else None)
    _put(node, "email", person.email)
    _put(node, "job_title", person.job_title)
    _put(node, "sensitivity", person.sensitivity if person.sensitivity != "internal" else None)
    return node
