"""Reads of the reference data for the pages, the CSV downloads and the API: the code lists, the M49
areas and the currencies, filtered, with each name in the language asked for.

Reference data is public and held in memory (``codelists``, ``geography``, ``currencies``): these
readers take no user, touch no database and return plain lists. The HTML pages, their CSV downloads
and the API call the same functions with the same filters, so they always show the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from compact.reference import codelists, currencies, geography

STATUS_ACTIVE = "active"
STATUS_WITHDRAWN = "withdrawn"


def asked_language(language: str | None = None) -> str:
    """The platform language code for ``language`` (default: the active one): ``"fr"``, ``"zh-hans"``, ..."""
    try:
        return translation.get_supported_language_variant(language or translation.get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Named:
    """A name as shown: its ``text``, the ``language`` it is written in and ``is_fallback`` when that is
    not the language asked for (IATI gives English and French names only)."""

    text: str
    language: str
    is_fallback: bool


def _named(texts: dict[str, str], fallback: str, language: str) -> Named:
    base = language.split("-")[0]
    for code in (language, base):
        if texts.get(code):
            return Named(texts[code], language, False)
    if texts.get("en"):
        return Named(texts["en"], "en", language != "en")
    return Named(fallback, language, False)


@dataclass(frozen=True)
class CodeRow:
    """One code of a list as shown: the ``item`` (``codelists.Code``), its ``name`` and ``description``
    (``Named``) in the language asked for."""

    item: codelists.Code
    name: Named
    description: Named


def _matches(q: str, *texts: str | None) -> bool:
    folded = q.casefold()
    return any(folded in text.casefold() for text in texts if text)


def code_rows(list_name: str, *, q: str = "", status: str = "", language: str | None = None) -> list[CodeRow]:
    """The codes of the IATI codelist ``list_name`` in the file's order, as ``CodeRow`` in ``language``
    (default: the active one); ``q`` keeps the codes whose code or name (any language) contains it,
    case-insensitively; ``status`` ``"active"`` / ``"withdrawn"`` keeps those codes only.

    Raises ``LookupError`` for an unknown list name."""
    asked = asked_language(language)
    rows = []
    for item in codelists.codelist(list_name).values():
        if status and item.status != status:
            continue
        if q and not _matches(q, item.code, *item.names.values()):
            continue
        rows.append(CodeRow(item=item, name=_named(item.names, item.code, asked),
                            description=_named(item.descriptions, "", asked)))
    return rows


def area_list(*, kind: str = "", region: str = "", q: str = "") -> list[geography.Area]:
    """M49 areas by code: ``kind`` ``"country"`` / ``"region"`` keeps those only; ``region`` (an M49
    region code, already normalised) keeps the countries and regions inside it (itself excluded); ``q``
    keeps those whose M49 code, ISO codes or name in any of the six languages contains it,
    case-insensitively."""
    found = geography.areas()
    if kind:
        found = [a for a in found if a.kind == kind]
    if region:
        found = [a for a in found if region in a.parents]
    if q:
        found = [a for a in found if _matches(q, a.code, a.iso2, a.iso3, *a.names.values())]
    return found


def currency_list(*, q: str = "", status: str = "", language: str | None = None) -> list[currencies.Currency]:
    """ISO 4217 currencies by code: ``status`` ``"active"`` / ``"withdrawn"`` keeps those only; ``q`` keeps
    those whose code or name (in ``language``, default the active one, or in English) contains it."""
    found = currencies.currencies()
    if status:
        found = [c for c in found if c.withdrawn == (status == STATUS_WITHDRAWN)]
    if q:
        found = [c for c in found if _matches(q, c.code, c.name(language), c.name("en"))]
    return found
