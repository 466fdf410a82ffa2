"""Which IATI activities matter for the Compact: the counter-terrorism relevance test of an import.

An activity is kept when at least one criterion matches, and the import says which (``reasons``):

- a sector of the OECD DAC CRS (IATI SectorVocabulary 1, or its 3-digit category with vocabulary 2);
  the default codes are 15210 "Security system management and reform" and 15220 "Civilian
  peace-building, conflict prevention and resolution", the codes under which the OECD DAC asks members to
  report their activities preventing violent extremism (DAC High Level Meeting, February 2016);
- an SDG target, as an IATI tag (TagVocabulary 3) or a sector of vocabulary 8; default 16.a, "Strengthen
  relevant national institutions ... to prevent violence and combat terrorism and crime";
- a policy marker, written ``vocabulary:code`` (``1:3`` is the OECD DAC marker 3, participatory
  development/good governance; ``99:CT`` a publisher's own marker); none by default, since the IATI
  PolicyMarker codelist has no counter-terrorism marker, and any significance above 0 counts;
- a keyword found in a title or a description, in any language. Keywords and texts are compared without
  letter case and without accents or other combining marks (Unicode NFKD), so that "extremis" finds
  "extrémisme" and "ارهاب" finds "الإرهاب"; a keyword is a stem ("terror" finds "terrorism",
  "terroriste", "terrorismo").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from compact.interop.iati.records import ActivityRecord
from compact.reference import codelists

#: Default sectors (OECD DAC CRS purpose codes, IATI Sector codelist): see the module docstring.
CT_SECTORS: frozenset[str] = frozenset({"15210", "15220"})

#: Default SDG targets (IATI UNSDG-Targets codes).
CT_SDG_TARGETS: frozenset[str] = frozenset({"16.a"})

#: Default keywords, stems in the six UN languages (terrorism, violent extremism, radicalisation).
CT_KEYWORDS: tuple[str, ...] = (
    "terror", "violent extremis", "extremisme violent", "extremismo violento", "radicalis", "radicaliz",
    "террор", "экстремизм", "ارهاب", "التطرف العنيف", "恐怖", "暴力极端主义",
)

#: Sector vocabularies whose codes are OECD DAC CRS (1: 5-digit purpose codes, 2: 3-digit categories).
DAC_VOCABULARIES = ("1", "2")


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(match: re.Match) -> str:
    return "".join(c for c in match.group() if not unicodedata.combining(c))


def _fold(text: str) -> str:
    """``text`` without letter case and without combining marks (NFKD), for keyword matching."""
    if text.isascii():
        return text.lower()  # the same for ASCII, which has no marks and whose case folding is lower case
    return _NON_ASCII.sub(_without_marks, unicodedata.normalize("NFKD", text.casefold()))  # marks are not ASCII


def _split(text: str) -> list[str]:
    """Items of a comma- or line-separated text, stripped, empty ones dropped."""
    return [part.strip() for line in (text or "").splitlines() for part in line.split(",") if part.strip()]


@dataclass(frozen=True)
class Selection:
    """The criteria of relevance: ``sectors`` (OECD DAC CRS codes, 5 or 3 digits), ``sdg_targets`` (IATI
    UNSDG-Targets codes), ``policy_markers`` (``"vocabulary:code"``), ``keywords`` (stems)."""

    sectors: frozenset[str] = frozenset()
    sdg_targets: frozenset[str] = frozenset()
    policy_markers: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()

    @classmethod
    def counter_terrorism(cls) -> Selection:
        """The default criteria (module docstring)."""
        return cls(CT_SECTORS, CT_SDG_TARGETS, frozenset(), CT_KEYWORDS)

    @classmethod
    def parse(cls, *, sectors: str = "", sdg_targets: str = "", policy_markers: str = "", keywords: str = "") -> Selection:
        """Criteria from comma- or line-separated texts (a form, the command line). Sector codes must be in
        the IATI Sector or SectorCategory codelist, SDG targets in UNSDG-Targets (in any letter case),
        policy markers ``vocabulary:code`` (or a bare code, vocabulary 1, checked against PolicyMarker).
        Raises ``ValidationError`` ``{field: [messages]}`` naming each bad value; at least one criterion
        is required."""
        errors: dict[str, list[str]] = {}
        sector_codes = set()
        for code in _split(sectors):
            listed = codelists.codelist("Sector" if len(code) == 5 else "SectorCategory")
            if code not in listed:
                errors.setdefault("sectors", []).append(
                    _("%(code)s is not an OECD DAC CRS sector code (IATI Sector or SectorCategory).") % {"code": code})
            sector_codes.add(code)
        targets = set()
        for code in _split(sdg_targets):
            try:
                targets.add(codelists.check_code("UNSDG-Targets", code, new=False))
            except ValidationError as exc:
                errors.setdefault("sdg_targets", []).extend(exc.messages)
        markers = set()
        for item in _split(policy_markers):
            vocabulary, _sep, code = item.rpartition(":")
            vocabulary = vocabulary.strip() or "1"
            code = code.strip()
            if vocabulary == "1":
                try:
                    code = codelists.check_code("PolicyMarker", code, new=False)
                except ValidationError as exc:
                    errors.setdefault("policy_markers", []).extend(exc.messages)
                    continue
            if not code:
                errors.setdefault("policy_markers", []).append(_("'%(value)s' is not vocabulary:code.") % {"value": item})
                continue
            markers.add(f"{vocabulary}:{code}")
        words = tuple(dict.fromkeys(_split(keywords)))
        if not errors and not (sector_codes or targets or markers or words):
            errors["__all__"] = [_("Give at least one criterion: a sector, an SDG target, a policy marker or a keyword.")]
        if errors:
            raise ValidationError(errors)
        return cls(frozenset(sector_codes), frozenset(targets), frozenset(markers), words)

    def as_texts(self) -> dict[str, str]:
        """The criteria as the comma-separated texts ``parse`` reads (form initial values, job options)."""
        return {"sectors": ", ".join(sorted(self.sectors)), "sdg_targets": ", ".join(sorted(self.sdg_targets)),
                "policy_markers": ", ".join(sorted(self.policy_markers)), "keywords": ", ".join(self.keywords)}

    def reasons(self, record: ActivityRecord) -> list[str]:
        """Why ``record`` is relevant: one translated sentence per criterion met (empty: not relevant)."""
        out: list[str] = []
        for sector in record.sectors:
            if sector.vocabulary in DAC_VOCABULARIES and (sector.code in self.sectors or sector.code[:3] in self.sectors):
                out.append(_("sector %(code)s (%(name)s)") % {"code": sector.code, "name": _sector_name(sector.vocabulary, sector.code)})
            if sector.vocabulary == "8" and sector.code in self.sdg_targets:
                out.append(_("SDG target %(code)s (sector)") % {"code": sector.code})
        for tag in record.tags:
            if tag.vocabulary == "3" and tag.code in self.sdg_targets:
                out.append(_("SDG target %(code)s (tag)") % {"code": tag.code})
        for marker in record.policy_markers:
            key = f"{marker.vocabulary}:{marker.code}"
            if key in self.policy_markers and marker.significance not in ("0",):
                out.append(_("policy marker %(marker)s, significance %(significance)s")
                           % {"marker": key, "significance": marker.significance or "-"})
        out += self._keyword_reasons(record)
        return list(dict.fromkeys(out))

    @cached_property
    def _folded_keywords(self) -> tuple[tuple[str, str], ...]:
        """``(keyword, folded keyword)`` pairs, the folded one not empty."""
        return tuple((keyword, needle) for keyword in self.keywords if (needle := _fold(keyword)))

    def _keyword_reasons(self, record: ActivityRecord) -> list[str]:
        if not self.keywords:
            return []
        folded = self._folded_keywords
        out = []
        places: Iterable[tuple[Callable[[], str], dict[str, str]]] = [(lambda: _("title"), record.titles)] + [
            (lambda: _("description"), texts) for texts in record.descriptions.values()]
        for place, texts in places:
            for language, text in texts.items():
                haystack = _fold(text)
                for keyword, needle in folded:
                    if needle in haystack:
                        out.append(_("keyword “%(keyword)s” in the %(place)s (%(language)s)")
                                   % {"keyword": keyword, "place": place(), "language": language})
        return out


def _sector_name(vocabulary: str, code: str) -> str:
    listed = codelists.codelist("Sector" if vocabulary == "1" else "SectorCategory")
    found = listed.get(code)
    return found.name() if found else code
