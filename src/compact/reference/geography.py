"""UN M49 countries, areas and regions, with their names in the six UN languages.

Source: the United Nations Statistics Division's "Standard country or area codes for statistical use
(M49)", as published in the six files ``UNSD-M49-{ar,cn,en,es,fr,ru}.csv`` of datasets/country-codes,
shipped under ``compact/data/reference/geo/`` (provenance in that folder's README). The ``cn`` file is
the Chinese one (language ``zh-hans`` here); only the ``en`` file starts with a UTF-8 byte-order mark.

Each row is a country or area (``Country or Area``, ``M49 Code``, ISO 3166-1 alpha-2 and alpha-3)
with the regions containing it (``Global``, ``Region``, ``Sub-region`` and ``Intermediate Region``
code and name columns); the regions are built from those columns, so "001" World, "002" Africa, "202"
Sub-Saharan Africa, "011" Western Africa and so on exist, with names in each language from the
matching file. M49 codes are three digits with leading zeros kept (``"004"`` Afghanistan).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

COUNTRY = "country"
REGION = "region"
WORLD = "001"
# The six files, by the platform's language code (UNSD names the Chinese file "cn").
M49_FILES: dict[str, str] = {
    "ar": "UNSD-M49-ar.csv",
    "en": "UNSD-M49-en.csv",
    "es": "UNSD-M49-es.csv",
    "fr": "UNSD-M49-fr.csv",
    "ru": "UNSD-M49-ru.csv",
    "zh-hans": "UNSD-M49-cn.csv",
}
# Region columns of the files, broadest first: (code column, name column).
REGION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Global Code", "Global Name"),
    ("Region Code", "Region Name"),
    ("Sub-region Code", "Sub-region Name"),
    ("Intermediate Region Code", "Intermediate Region Name"),
)


def _language(language: str | None) -> str:
    """One of the six keys of ``Area.names`` for ``language`` (default: the active one); ``"en"`` otherwise."""
    asked = (language or translation.get_language() or "en").lower().replace("_", "-")
    if asked in M49_FILES:
        return asked
    if asked.startswith("zh"):
        return "zh-hans"
    base = asked.split("-")[0]
    return base if base in M49_FILES else "en"


@dataclass(frozen=True)
class Area:
    """A UN M49 country or area (``kind="country"``) or region (``kind="region"``).

    ``code``: three digits (``"004"``); ``names``: ``{"ar", "en", "es", "fr", "ru", "zh-hans": name}``
    from the six UNSD files; ``iso2`` / ``iso3``: ISO 3166-1 alpha-2 / alpha-3 codes of a country
    (None for regions); ``parents``: the M49 codes of the regions containing it, in the order region,
    sub-region, intermediate region (those that apply), then ``"001"`` World (empty for World itself).
    """

    code: str
    kind: str
    names: dict[str, str]
    iso2: str | None = None
    iso3: str | None = None
    parents: tuple[str, ...] = ()

    def name(self, language: str | None = None) -> str:
        """The name in ``language`` (default: the active one), English for other languages."""
        return self.names.get(_language(language)) or self.names.get("en", self.code)

    @property
    def is_country(self) -> bool:
        """True for a country or area, False for a region."""
        return self.kind == COUNTRY


def _read(filename: str) -> list[dict[str, str]]:
    data = resources.files("compact").joinpath("data", "reference", "geo", filename).read_bytes()
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@dataclass(frozen=True)
class _M49:
    areas: dict[str, Area]
    members: dict[str, frozenset[str]]
    by_iso2: dict[str, str]
    by_iso3: dict[str, str]


@cache
def _m49() -> _M49:
    """Every area by code, region members, ISO look-ups (read once per process)."""
    rows_by_language = {language: _read(filename) for language, filename in M49_FILES.items()}
    country_names: dict[str, dict[str, str]] = {}
    region_names: dict[str, dict[str, str]] = {}
    for language, rows in rows_by_language.items():
        for row in rows:
            country_names.setdefault(row["M49 Code"].strip(), {})[language] = row["Country or Area"].strip()
            for code_column, name_column in REGION_COLUMNS:
                code = row[code_column].strip()
                if code:
                    region_names.setdefault(code, {}).setdefault(language, row[name_column].strip())
    areas: dict[str, Area] = {}
    region_parents: dict[str, tuple[str, ...]] = {}
    members: dict[str, set[str]] = {}
    by_iso2: dict[str, str] = {}
    by_iso3: dict[str, str] = {}
    for row in rows_by_language["en"]:
        chain = [row[code_column].strip() for code_column, _name in REGION_COLUMNS]
        chain = [code for code in chain if code]  # broadest first: World, region, sub-region, intermediate
        for depth, code in enumerate(chain):
            above = chain[:depth]
            region_parents.setdefault(code, tuple(above[1:]) + tuple(above[:1]))
        code = row["M49 Code"].strip()
        iso2 = row["ISO-alpha2 Code"].strip().upper() or None
        iso3 = row["ISO-alpha3 Code"].strip().upper() or None
        areas[code] = Area(code=code, kind=COUNTRY, names=country_names[code], iso2=iso2, iso3=iso3,
                           parents=tuple(chain[1:]) + tuple(chain[:1]))
        for region in chain:
            members.setdefault(region, set()).add(code)
        if iso2:
            by_iso2[iso2] = code
        if iso3:
            by_iso3[iso3] = code
    for code, names in region_names.items():
        areas[code] = Area(code=code, kind=REGION, names=names, parents=region_parents[code])
    return _M49(
        areas=dict(sorted(areas.items())),
        members={code: frozenset(codes) for code, codes in members.items()},
        by_iso2=by_iso2,
        by_iso3=by_iso3,
    )


def normalise_m49(value) -> str:
    """``value`` as a three-digit M49 code: ``"4"``, ``4`` and ``" 004 "`` give ``"004"``.

    Raises ``ValidationError`` (code ``"invalid_m49"``) when ``value`` is empty, not made of digits
    (signs, decimals and booleans included) or longer than three digits.
    """
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 3:
        raise ValidationError(
            _("'%(value)s' is not a UN M49 code: expected one to three digits, such as 004."),
            code="invalid_m49", params={"value": text})
    return text.zfill(3)


def area(code) -> Area:
    """The country or region with the M49 ``code`` (any form ``normalise_m49`` accepts).

    Raises ``ValidationError``: ``"invalid_m49"`` as ``normalise_m49``, ``"unknown_m49"`` when no
    country or region has the code ("'999' is not a UN M49 country or region code.").
    """
    normal = normalise_m49(code)
    try:
        return _m49().areas[normal]
    except KeyError:
        raise ValidationError(
            _("'%(value)s' is not a UN M49 country or region code."), code="unknown_m49", params={"value": normal}) from None


def areas() -> list[Area]:
    """Every country and region, by M49 code."""
    return list(_m49().areas.values())


def countries() -> list[Area]:
    """The countries and areas (249 in the shipped files), by M49 code."""
    return [a for a in _m49().areas.values() if a.kind == COUNTRY]


def regions() -> list[Area]:
    """The regions (World, regions, sub-regions, intermediate regions), by M49 code."""
    return [a for a in _m49().areas.values() if a.kind == REGION]


def region_members(region_code) -> frozenset[str]:
    """The M49 codes of the countries and areas inside the region ``region_code``, at any depth
    (``"002"`` Africa contains ``"566"`` Nigeria through Sub-Saharan and Western Africa).

    Raises ``ValidationError`` as ``area``, and (code ``"not_a_region"``) when the code is a country's.
    """
    found = area(region_code)
    if found.kind != REGION:
        raise ValidationError(
            _("'%(value)s' is a UN M49 country or area code, not a region code."), code="not_a_region",
            params={"value": found.code})
    return _m49().members[found.code]


def m49_for_iso2(code) -> str | None:
    """The M49 code of the country with the ISO 3166-1 alpha-2 ``code`` (any case; IATI's
    recipient-country and Country codelist use alpha-2), or None when M49 has none (e.g. ``"XK"``)."""
    return _m49().by_iso2.get(str(code or "").strip().upper())


def m49_for_iso3(code) -> str | None:
    """The M49 code of the country with the ISO 3166-1 alpha-3 ``code`` (any case), or None."""
    return _m49().by_iso3.get(str(code or "").strip().upper())
