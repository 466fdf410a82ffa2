"""IATI 2.03 codelists (embedded and non-embedded), read from the XML files shipped with the platform.

The files are copies of IATI/IATI-Codelists (``embedded-2.03``) and IATI/IATI-Codelists-NonEmbedded
(``nonembedded``) under ``compact/data/reference/iati/codelists/`` (provenance in that folder's README).
They are parsed once per process with lxml, without network access or entity expansion, and kept in
memory: reference data is immutable while the platform runs.

Each list maps a code to a ``Code`` (names in English and, where IATI gives them, French, and a status:
``active`` or ``withdrawn``). IATI's rule for withdrawn codes: they stay in the list so that old data
can be read, but may not be used for new data; ``check_code(..., new=True)`` refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree

CODELIST_FOLDERS: tuple[str, ...] = ("embedded-2.03", "nonembedded")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ACTIVE = "active"
WITHDRAWN = "withdrawn"


def _language(language: str | None) -> str:
    """The two-letter base of ``language`` (default: the active language): ``"fr-ca" -> "fr"``."""
    asked = language or translation.get_language() or "en"
    return asked.lower().split("-")[0].split("_")[0]


def _pick(texts: dict[str, str], language: str | None) -> str:
    """``texts[language]``, else the English text, else the first one, else ``""``."""
    asked = _language(language)
    if texts.get(asked):
        return texts[asked]
    if texts.get("en"):
        return texts["en"]
    return next((text for text in texts.values() if text), "")


@dataclass(frozen=True)
class Code:
    """One item of an IATI codelist.

    ``code`` is the code as IATI writes it (case matters for display: ``"16.a"``, ``"USD"``, ``"fr"``);
    ``names`` and ``descriptions`` are ``{language: text}`` as in the XML (``"en"`` for the narrative
    without ``xml:lang``, ``"fr"`` where IATI gives a French one; empty for lists without names, such as
    Version); ``status`` is ``"active"`` or ``"withdrawn"`` (IATI's ``status`` attribute, active when absent).
    """

    code: str
    names: dict[str, str]
    status: str = ACTIVE
    descriptions: dict[str, str] = field(default_factory=dict)

    def name(self, language: str | None = None) -> str:
        """The name in ``language`` (default: the active one) when IATI gives it (English or French),
        else the English name; the code itself when the item has no name (e.g. Version)."""
        return _pick(self.names, language) or self.code

    def description(self, language: str | None = None) -> str:
        """The description in ``language`` as ``name`` chooses it; ``""`` when there is none."""
        return _pick(self.descriptions, language)

    @property
    def withdrawn(self) -> bool:
        """True when IATI has withdrawn the code: show it for old data, refuse it for new data."""
        return self.status == WITHDRAWN

    def label(self, language: str | None = None) -> str:
        """``"code - name"`` (just the code when the item has no name), as in form choices."""
        name = self.name(language)
        return self.code if name == self.code else f"{self.code} - {name}"


@dataclass(frozen=True)
class CodelistInfo:
    """What a codelist is: its IATI ``name`` (``"OrganisationRole"``), ``titles`` and ``descriptions``
    (``{language: text}``), whether it is ``embedded`` in the IATI 2.03 schema release (``True``) or a
    non-embedded list maintained apart, whether IATI says it is ``complete``, its source ``url`` (or
    ``""``) and the number of codes (``size``) and of withdrawn codes (``withdrawn``)."""

    name: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    embedded: bool
    complete: bool
    url: str
    size: int
    withdrawn: int

    def title(self, language: str | None = None) -> str:
        """The title in ``language`` (English or French; English otherwise), else the list's name."""
        return _pick(self.titles, language) or self.name

    def description(self, language: str | None = None) -> str:
        """The description in ``language`` as ``title`` chooses it."""
        return _pick(self.descriptions, language)


def _narratives(element, default_language: str) -> dict[str, str]:
    """``{language: text}`` of the ``narrative`` children of ``element`` (the first one of each language),
    whitespace collapsed; ``{}`` when ``element`` is None."""
    texts: dict[str, str] = {}
    if element is None:
        return texts
    for narrative in element.iterfind("narrative"):
        language = (narrative.get(XML_LANG) or default_language).lower()
        text = " ".join((narrative.text or "").split())
        if text and language not in texts:
            texts[language] = text
    return texts


@dataclass(frozen=True)
class _Codelist:
    info: CodelistInfo
    codes: dict[str, Code]
    folded: dict[str, list[str]]


def _parse(path, embedded: bool) -> _Codelist:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with resources.as_file(path) as real_path:
        root = etree.parse(str(real_path), parser).getroot()
    default_language = (root.get(XML_LANG) or "en").lower()
    codes: dict[str, Code] = {}
    for item in root.iterfind("codelist-items/codelist-item"):
        code = (item.findtext("code") or "").strip()
        if not code:
            continue
        codes[code] = Code(
            code=code,
            names=_narratives(item.find("name"), default_language),
            status=item.get("status") or ACTIVE,
            descriptions=_narratives(item.find("description"), default_language),
        )
    folded: dict[str, list[str]] = {}
    for code in codes:
        folded.setdefault(code.casefold(), []).append(code)
    metadata = root.find("metadata")
    info = CodelistInfo(
        name=root.get("name"),
        titles=_narratives(metadata.find("name") if metadata is not None else None, default_language),
        descriptions=_narratives(metadata.find("description") if metadata is not None else None, default_language),
        embedded=embedded,
        complete=root.get("complete") == "1",
        url=(metadata.findtext("url") or "").strip() if metadata is not None else "",
        size=len(codes),
        withdrawn=sum(1 for c in codes.values() if c.withdrawn),
    )
    return _Codelist(info=info, codes=codes, folded=folded)


@cache
def _all() -> dict[str, _Codelist]:
    """Every shipped codelist by IATI name, sorted by name (parsed once per process)."""
    base = resources.files("compact").joinpath("data", "reference", "iati", "codelists")
    lists: dict[str, _Codelist] = {}
    for folder in CODELIST_FOLDERS:
        for path in base.joinpath(folder).iterdir():
            if path.name.endswith(".xml"):
                parsed = _parse(path, embedded=folder != "nonembedded")
                lists[parsed.info.name] = parsed
    return dict(sorted(lists.items(), key=lambda kv: kv[0].casefold()))


def _get(name: str) -> _Codelist:
    try:
        return _all()[name]
    except (KeyError, TypeError):
        raise LookupError(f"No IATI codelist is named {name!r}; known lists: {', '.join(_all())}.") from None


def codelist_names() -> list[str]:
    """The IATI names of the shipped codelists, sorted case-insensitively."""
    return list(_all())


def codelists() -> list[CodelistInfo]:
    """What each shipped codelist is (``CodelistInfo``), sorted by name."""
    return [parsed.info for parsed in _all().values()]


def codelist_info(name: str) -> CodelistInfo:
    """What the codelist ``name`` is. Raises ``LookupError`` for an unknown list name."""
    return _get(name).info


def codelist(name: str) -> dict[str, Code]:
    """The codelist ``name`` (IATI's name, e.g. ``"OrganisationRole"``, ``"UNSDG-Targets"``) as
    ``{code: Code}`` in the order of the XML file, withdrawn codes included.

    Raises ``LookupError`` (not ``KeyError``) for an unknown list name. The dict is shared: do not change it.
    """
    return _get(name).codes


def check_code(list_name: str, value, *, new: bool = True) -> str:
    """The canonical code of ``value`` in the IATI codelist ``list_name``.

    ``value`` is a ``str`` or ``int`` (spreadsheet cells); surrounding whitespace is stripped, and a
    different letter case is accepted when it matches one code only (``"16.A" -> "16.a"``,
    ``"usd" -> "USD"``). With ``new=True`` (data being created or changed) a code IATI has withdrawn
    is refused; ``new=False`` accepts it (showing or re-importing old data).

    Raises ``django.core.exceptions.ValidationError`` (codes ``"empty_code"``, ``"unknown_code"``,
    ``"withdrawn_code"``) with a message naming the value and the list, and ``LookupError`` for an
    unknown list name (a programming error, not bad input).
    """
    parsed = _get(list_name)
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    if not text:
        raise ValidationError(
            _("A code of the IATI codelist %(codelist)s is required."), code="empty_code", params={"codelist": list_name})
    code = text if text in parsed.codes else None
    if code is None:
        matches = parsed.folded.get(text.casefold(), [])
        code = matches[0] if len(matches) == 1 else None
    if code is None:
        raise ValidationError(
            _("'%(value)s' is not a code of the IATI codelist %(codelist)s."),
            code="unknown_code", params={"value": text, "codelist": list_name})
    if new and parsed.codes[code].withdrawn:
        raise ValidationError(
            _("'%(value)s' is withdrawn from the IATI codelist %(codelist)s and may not be used for new data."),
            code="withdrawn_code", params={"value": code, "codelist": list_name})
    return code


def choices(list_name: str, *, include_withdrawn: bool = False, language: str | None = None) -> list[tuple[str, str]]:
    """Form choices ``[(code, "code - name"), ...]`` of the codelist ``list_name`` in the XML's order,
    names in ``language`` (default: the active one); withdrawn codes only with ``include_withdrawn``
    (then marked "(withdrawn)"). Give a form field a callable (``choices=lambda: choices("Sector")``) so that
    the labels follow each request's language rather than the one active at import. Raises ``LookupError``
    for an unknown list name."""
    out = []
    for item in codelist(list_name).values():
        if item.withdrawn and not include_withdrawn:
            continue
        label = item.label(language)
        if item.withdrawn:
            label = _("%(label)s (withdrawn)") % {"label": label}
        out.append((item.code, label))
    return out
