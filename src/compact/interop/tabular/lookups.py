"""Registry look-ups for reading exchange files: entities by acronym (or alias), bodies by key, pillars
by number, Strategy reviews by resolution, loaded once per file (a few queries, whatever its length)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from compact.interop.tabular.cells import CellError
from compact.registry.models import Body, Entity, EntityAlias, Pillar, StrategyReview

#: Pillar numbers as Roman numerals, as the Strategy writes them.
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_NAMED = re.compile(r"^(?P<name>.*?)\s*\[(?P<ref>[^\[\]]*)\]$")


@dataclass(frozen=True)
class Org:
    """An organisation named in a cell: a registry ``entity``, or a ``name`` with its IATI organisation
    identifier ``ref`` (``"Japan [XM-DAC-701]"``; the last brackets hold the identifier, so a name that
    ends with brackets is written with empty ones after it: ``"Fund [B] []"``)."""

    entity: Entity | None
    name: str = ""
    ref: str = ""

    def key(self) -> tuple:
        """What makes two organisations the same, for comparison and sorting."""
        return (self.entity.acronym if self.entity else "", self.name, self.ref)

    def __str__(self) -> str:
        if self.entity is not None:
            return self.entity.acronym
        if self.ref or self.name.endswith("]"):
            return f"{self.name} [{self.ref}]"  # "Name []": a name that itself ends with brackets
        return self.name


class Lookups:
    """The registry rows a file may name, loaded once."""

    def __init__(self):
        self.entities = {e.acronym.casefold(): e for e in Entity.objects.all()}
        for alias in EntityAlias.objects.select_related("entity"):
            self.entities.setdefault(alias.name.casefold(), alias.entity)
        self.bodies = {b.key.casefold(): b for b in Body.objects.all()}
        self.pillars = {p.number: p for p in Pillar.objects.all()}
        self.reviews = {r.resolution.strip(): r for r in StrategyReview.objects.exclude(resolution="")}

    def entity(self, text: str) -> Entity:
        """The entity with the acronym (or alias) ``text``, any case; ``CellError`` when none."""
        found = self.entities.get(text.strip().casefold())
        if found is None:
            raise CellError(_("No entity has the acronym '%(value)s'.") % {"value": text})
        return found

    def body(self, text: str) -> Body:
        """The body with the key ``text`` (``wg-2``), any case; ``CellError`` when none."""
        found = self.bodies.get(text.strip().casefold())
        if found is None:
            raise CellError(_("No body has the key '%(value)s' (working groups are wg-1, wg-2, ...).") % {"value": text})
        return found

    def pillar(self, text: str) -> Pillar:
        """The pillar numbered ``text`` (``2`` or ``II``); ``CellError`` when none."""
        raw = text.strip().upper()
        number = ROMAN.get(raw) or (int(raw) if raw.isascii() and raw.isdigit() else None)
        if number not in self.pillars:
            raise CellError(_("'%(value)s' is not a pillar of the Strategy (1 to %(last)d, or I to IV).")
                            % {"value": text, "last": max(self.pillars, default=4)})
        return self.pillars[number]

    def review(self, text: str) -> StrategyReview:
        """The Strategy review adopted by resolution ``text`` (``77/298``); ``CellError`` when none."""
        found = self.reviews.get(text.strip())
        if found is None:
            raise CellError(_("No review of the Strategy was adopted by resolution '%(value)s' (known: %(known)s).")
                            % {"value": text, "known": ", ".join(sorted(self.reviews))})
        return found

    def org(self, text: str) -> Org:
        """An organisation item: an entity's acronym or alias, else a name with an optional ``[ref]``."""
        found = self.entities.get(text.strip().casefold())
        if found is not None:
            return Org(found)
        match = _NAMED.match(text.strip())
        if match:
            return Org(None, match.group("name").strip(), match.group("ref").strip())
        return Org(None, text.strip())
