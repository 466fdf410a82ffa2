"""The decisions register as a file: CSV or XLSX, a header row, the HXL hashtag row (Humanitarian Exchange
Language 1.1, https://hxlstandard.org/standard/1-1final/dictionary/), then one row per decision, written by
``compact.interop.tabular.writer`` (UTF-8 with a byte-order mark; text cells; formula-like text escaped).

The rows are exactly the decisions given (the register's filtered, restricted queryset): the page, the CSV
and the XLSX show the same values. Texts are in the active language, falling back as the pages do
(``compact.core.i18n.translated``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import capfirst

from compact.core.i18n import translated
from compact.interop.tabular.columns import Spec
from compact.interop.tabular.writer import CSV_TYPE, XLSX_TYPE, write_csv, write_xlsx
from compact.meetings.models import Decision

#: The register's columns: name (header) and HXL hashtag.
REGISTER_COLUMNS: tuple[Spec, ...] = (
    Spec("reference", "#meta +ref", "The decision's stable reference: body code / year / number, e.g. CC/2019/3."),
    Spec("body", "#org +body +code", "The key of the body that took it (committee, wg-3)."),
    Spec("year", "#date +year", "The year of the reference."),
    Spec("number", "#meta +num", "Its number within the body and year."),
    Spec("adopted_on", "#date +adopted", "The date of adoption, YYYY-MM-DD."),
    Spec("meeting", "#event +num", "The number of the meeting that took it, within the body."),
    Spec("meeting_title", "#event +name", "The meeting's title."),
    Spec("agenda_item", "#meta +agenda_item", "The agenda item's number and title."),
    Spec("title", "#description +title", "The decision's title."),
    Spec("text", "#description +text", "The decision's text."),
    Spec("subjects", "#activity +subject", "What it is about: kind and name, separated by \"; \"."),
    Spec("adopted_by", "#org +adopting", "Acronyms of the member entities recorded as adopting it, \"; \"."),
    Spec("follow_up", "#status +follow_up", "none, pending, overdue or done (of the action items one may read)."),
    Spec("sensitivity", "#meta +sensitivity", "public, internal, confidential or strictly_confidential."),
)


def _subject(subject) -> str:
    target = subject.target
    name = translated(target, "title").text if hasattr(target, "title_en") else str(target)
    return f"{capfirst(subject.get_kind_display())}: {name or target}"


def register_rows(decisions: Iterable[Decision]) -> list[list[str]]:
    """The rows of ``decisions`` in ``REGISTER_COLUMNS`` order, as strings. Each decision needs its body,
    meeting and agenda item, its ``subjects`` (with their targets) and ``adopted_by`` prefetched, and the
    ``follow_up`` annotation (``selectors.decision_list``), and ``meeting_shown`` set
    (``visibility.mark_meetings``): a decision whose meeting the reader may not read has its meeting's
    number and title and its agenda item left empty (docs/access.md, "No leaks through relations"); a
    decision without the mark is treated so."""
    rows = []
    for d in decisions:
        shown = getattr(d, "meeting_shown", False)
        item = d.agenda_item if shown else None
        rows.append([
            d.reference,
            d.body.key,
            str(d.year),
            str(d.number),
            d.adopted_on.isoformat(),
            str(d.meeting.number) if shown else "",
            translated(d.meeting, "title").text if shown else "",
            f"{item.position}. {translated(item, 'title').text}" if item is not None else "",
            translated(d, "title").text,
            translated(d, "text").text,
            "; ".join(_subject(s) for s in d.subjects.all()),
            "; ".join(e.acronym for e in sorted(d.adopted_by.all(), key=lambda e: e.acronym.lower())),
            getattr(d, "follow_up", ""),
            d.sensitivity,
        ])
    return rows


def register_file(decisions: Iterable[Decision], fmt: str) -> tuple[bytes, str]:
    """``(content, media type)`` of the register of ``decisions`` as ``fmt`` (``"csv"`` or ``"xlsx"``).
    Raises ``ValueError`` for another format."""
    rows = register_rows(decisions)
    if fmt == "csv":
        return write_csv(REGISTER_COLUMNS, rows), CSV_TYPE
    if fmt == "xlsx":
        return write_xlsx(REGISTER_COLUMNS, rows, title="decisions"), XLSX_TYPE
    raise ValueError(f"unknown format {fmt!r}")
