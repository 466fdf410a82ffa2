"""Plain records of IATI 2.x activities, as the reader gives them and the importer and writer use them.

The reader (``compact.interop.iati.reader``) turns each ``<iati-activity>`` of a file into an
``ActivityRecord``: IATI's own codes and values, already checked against the official 2.03 schema, the
IATI codelists and the rules that matter for the platform (``compact.interop.iati.rules``), with each
code in its codelist's canonical letter case. Nothing here touches the database.

Texts are ``{language: text}`` with ISO 639-1 codes in lower case (IATI Language codelist); a narrative
without ``xml:lang`` takes the activity's ``xml:lang``, else the file's, else ``"en"``. Amounts are
``Decimal`` (never float); dates are ``datetime.date``; percentages are ``Decimal`` or None when absent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Texts = dict[str, str]


@dataclass(frozen=True)
class Finding:
    """A problem or a note, located: ``file`` (its name as given), ``line`` (1-based, None when the
    whole file is meant), ``element`` (the element's path from the root with positions, e.g.
    ``iati-activities/iati-activity[3]/budget[2]/value``), the ``activity`` identifier when known, and
    the ``message`` (translated)."""

    file: str
    line: int | None
    element: str
    message: str
    activity: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.element}: {self.message}" if self.element else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"file": self.file, "line": self.line, "element": self.element, "activity": self.activity,
                "message": self.message}


@dataclass(frozen=True)
class Organisation:
    """An organisation as an activity names it: IATI organisation identifier ``ref`` (may be empty),
    ``names`` (narratives), IATI OrganisationType ``type``, OrganisationRole ``role`` (participating
    organisations only: 1 funding, 2 accountable, 3 extending, 4 implementing) and the
    ``activity_id`` attribute (participating organisations and transaction parties)."""

    ref: str = ""
    names: Texts = field(default_factory=dict)
    type: str = ""
    role: str = ""
    activity_id: str = ""

    def name(self, language: str = "en") -> str:
        """The name in ``language``, else English, else any; ``""`` when it has none."""
        return self.names.get(language) or self.names.get("en") or next(iter(self.names.values()), "")


@dataclass(frozen=True)
class Sector:
    """A sector: IATI SectorVocabulary (``"1"`` when the attribute is absent), code, percentage."""

    vocabulary: str
    code: str
    percentage: Decimal | None = None


@dataclass(frozen=True)
class Tag:
    """A tag: IATI TagVocabulary (2 SDG goal, 3 SDG target, 99 reporting organisation) and code."""

    vocabulary: str
    code: str


@dataclass(frozen=True)
class Country:
    """A recipient country: ISO 3166-1 alpha-2 code (IATI Country codelist, upper case), percentage."""

    code: str
    percentage: Decimal | None = None


@dataclass(frozen=True)
class Region:
    """A recipient region: IATI RegionVocabulary (``"1"`` OECD DAC when absent; 2 UN M49), code,
    percentage."""

    vocabulary: str
    code: str
    percentage: Decimal | None = None


@dataclass(frozen=True)
class PolicyMarker:
    """A policy marker: IATI PolicyMarkerVocabulary (``"1"`` OECD DAC CRS when absent), code, IATI
    PolicySignificance ``significance`` (``""`` when absent)."""

    vocabulary: str
    code: str
    significance: str = ""


@dataclass(frozen=True)
class Budget:
    """A budget: IATI BudgetType ``type`` (1 original, 2 revised; 1 when absent), BudgetStatus ``status``
    (1 indicative, 2 committed; 1 when absent), period, ``value`` in ``currency`` (the value's own, else
    the activity's default-currency) valued on ``value_date``."""

    type: str
    status: str
    period_start: dt.date
    period_end: dt.date
    value: Decimal
    currency: str
    value_date: dt.date
    line: int | None = None


@dataclass(frozen=True)
class Transaction:
    """A transaction: IATI TransactionType ``type`` (e.g. 2 outgoing commitment, 3 disbursement, 11
    incoming commitment), ``date`` (transaction-date), ``value`` (negative for a refund) in
    ``currency`` (the value's own, else default-currency) valued on ``value_date``, ``ref``,
    ``description`` (narratives), ``provider`` and ``receiver`` (None when absent)."""

    type: str
    date: dt.date
    value: Decimal
    currency: str
    value_date: dt.date
    ref: str = ""
    description: Texts = field(default_factory=dict)
    provider: Organisation | None = None
    receiver: Organisation | None = None
    line: int | None = None


@dataclass(frozen=True)
class RelatedActivity:
    """A related activity: IATI RelatedActivityType ``type`` (1 parent, 2 child, 3 sibling, 4 co-funded,
    5 third party) and the other activity's IATI identifier ``ref``."""

    type: str
    ref: str


@dataclass
class ActivityRecord:
    """One ``<iati-activity>``, read and checked. ``line`` is where it starts in the file; ``position`` is
    its 1-based rank among the file's activities. ``problems`` are findings that make the activity
    unusable (schema, codelist or rule violations); ``notes`` say what was normalised (a code's letter
    case, a defaulted currency) or left aside (a language or a transaction type the platform does not
    keep). ``languages`` are the languages of every narrative of the activity.

    ``descriptions`` maps an IATI DescriptionType code (1 general, 2 objectives, 3 target groups,
    4 other; 1 when absent) to its texts. ``dates`` maps an IATI ActivityDateType code (1 planned start,
    2 actual start, 3 planned end, 4 actual end) to the date. ``hierarchy`` is the attribute (1 when
    absent); ``default_language`` the activity's ``xml:lang`` or the file's.
    """

    identifier: str
    line: int
    position: int
    file: str
    version: str
    default_currency: str = ""
    default_language: str = "en"
    hierarchy: str = "1"
    last_updated: str = ""
    reporting_org: Organisation | None = None
    participating_orgs: list[Organisation] = field(default_factory=list)
    titles: Texts = field(default_factory=dict)
    descriptions: dict[str, Texts] = field(default_factory=dict)
    status: str = ""
    dates: dict[str, dt.date] = field(default_factory=dict)
    sectors: list[Sector] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    policy_markers: list[PolicyMarker] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    related: list[RelatedActivity] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the activity has no problem."""
        return not self.problems
