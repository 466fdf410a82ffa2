"""Reading a CSV or XLSX file into a ``Table``: its columns (header name and HXL hashtag) and its rows
of raw cells, numbered as in the file.

What spreadsheet programs save is read as they save it:

- XLSX (Office Open XML workbooks, read with openpyxl): the first worksheet; cells keep their types
  (text, whole or decimal number, date), which ``compact.interop.tabular.cells`` checks column by column.
- CSV: UTF-8 with or without a byte-order mark, or UTF-16 with its byte-order mark (Excel's "Unicode
  text"); separated by commas, semicolons (Excel in many European locales) or tabs, found with
  ``csv.Sniffer``. Every cell is text, so a code such as ``004`` keeps its leading zeros. A file in
  another encoding is refused with the place of the first byte that is not UTF-8: a single-byte file
  could be Windows-1252 (Western Europe) as well as Windows-1251 (Cyrillic) or another code page, and
  no rule tells them apart without guessing, which would silently corrupt names.
- The hashtag row is the first row, among the first 25, in which at least half of the filled cells are
  HXL hashtags (libhxl's rule); the row above it, when there is one, holds the column names. Rows above
  these (titles, notes) are skipped, as libhxl skips them.

libhxl is not used to read: it turns every XLSX cell into text (losing the number cell ``4`` that must be
reported as normalised to ``004``, and the date cells) and does not give the file's row numbers that
messages need; its rule for finding the hashtag row is kept (``compact.interop.tabular.hxl``).

Row numbers are those a spreadsheet program shows: the worksheet's row, or the CSV record's position
counted from 1 (a quoted cell spanning several lines stays one row). Empty rows are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from compact.interop.tabular import hxl

#: The largest file read: 10 MB (the reference scale's biggest import, a year of flows, is far smaller).
MAX_FILE_SIZE = 10 * 1024 * 1024
#: The most data rows read from one file.
MAX_ROWS = 50_000
#: Separators a CSV file may use.
DELIMITERS = ",;\t"


class TableError(ValueError):
    """A file that cannot be read as a table at all; ``messages`` say why, one per problem."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Column:
    """A column of the file: ``index`` from 0, the ``header`` name (``""`` when none) and the hashtag
    as written (``tag_text``) and parsed (``hashtag``, None when the cell is empty or not a hashtag)."""

    index: int
    header: str
    tag_text: str
    hashtag: hxl.Hashtag | None

    @property
    def letter(self) -> str:
        """The spreadsheet letter of the column: ``A``, ``B``, ... ``AA``."""
        return get_column_letter(self.index + 1)

    def __str__(self) -> str:
        """``column C "lead_entity" #org +lead +code``: what a message names."""
        parts = [_("column %(letter)s") % {"letter": self.letter}]
        if self.header:
            parts.append(f"“{self.header}”")
        if self.tag_text:
            parts.append(self.tag_text.strip())
        return " ".join(parts)


@dataclass(frozen=True)
class Row:
    """A data row: its ``number`` as a spreadsheet shows it and its raw ``cells`` (``str`` for CSV;
    ``str``, ``int``, ``float``, ``datetime`` or None for XLSX), one per column of the table."""

    number: int
    cells: tuple[object, ...]


@dataclass
class Table:
    """A file read: ``name``, ``format`` (``"csv"`` or ``"xlsx"``), ``columns``, data ``rows``, the row
    numbers of the header and hashtag rows (``header_row`` is None without one) and ``notes`` on how it
    was read (encoding, separator)."""

    name: str
    format: str
    columns: list[Column]
    rows: list[Row]
    hashtag_row: int
    header_row: int | None = None
    notes: list[str] = field(default_factory=list)


def read_table(data: bytes, name: str = "") -> Table:
    """The table in the bytes of a CSV or XLSX file called ``name`` (the name only labels messages;
    the format is recognised from the content). Raises ``TableError`` for an empty, too large, unreadable
    or untagged file, or one in an encoding other than UTF-8/UTF-16."""
    if not data:
        raise TableError([_("The file is empty.")])
    if len(data) > MAX_FILE_SIZE:
        raise TableError([_("The file is larger than %(size)d MB.") % {"size": MAX_FILE_SIZE // (1024 * 1024)}])
    if data.startswith(b"PK\x03\x04"):
        return _table(name, "xlsx", _xlsx_rows(data), [])
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError([_("Excel 97-2003 workbooks (.xls) are not read: save the file as an Excel workbook "
                            "(.xlsx) or as CSV UTF-8.")])
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise TableError([_("The file is named as an Excel workbook but is not one (an .xlsx file is a ZIP archive).")])
    text, notes = _decode(data)
    rows, more = _csv_rows(text)
    return _table(name, "csv", rows, notes + more)


def _xlsx_rows(data: bytes) -> list[tuple[int, tuple[object, ...]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise TableError([_("The file is not a readable Excel workbook (%(error)s).") % {"error": exc}]) from exc
    except Exception as exc:  # openpyxl raises TypeError, ValueError ... for damaged parts of a workbook
        raise TableError([_("The Excel workbook is damaged and cannot be read (%(error)s). Open it in a spreadsheet "
                            "program and save it again, or save it as CSV UTF-8.") % {"error": exc}]) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, tuple(values)))
            if len(rows) > MAX_ROWS + hxl.SEARCH_ROWS:
                raise TableError([_("The file has more than %(count)d rows.") % {"count": MAX_ROWS}])
        return rows
    except TableError:
        raise
    except Exception as exc:
        raise TableError([_("The Excel workbook is damaged and cannot be read (%(error)s). Open it in a spreadsheet "
                            "program and save it again, or save it as CSV UTF-8.") % {"error": exc}]) from exc
    finally:
        workbook.close()


def _decode(data: bytes) -> tuple[str, list[str]]:
    """The text of a CSV file and a note on its encoding; ``TableError`` when it is not UTF-8/UTF-16."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), [_("Read as UTF-16 (byte-order mark found).")]
        except UnicodeDecodeError as exc:
            raise TableError([_("The file starts as UTF-16 but is not valid UTF-16 (at byte %(offset)d).")
                              % {"offset": exc.start}]) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise TableError([_(
            "The file is not UTF-8: byte 0x%(byte)02X on line %(line)d, position %(column)d, is not UTF-8 text. "
            "It may be Windows-1252 (Latin-1), Windows-1251 or another code page, which cannot be told apart "
            "safely. In Excel, save it as “CSV UTF-8 (comma delimited)” or as an Excel workbook (.xlsx); in "
            "LibreOffice, choose the character set “Unicode (UTF-8)”."
        ) % {"byte": data[exc.start], "line": line, "column": column}]) from exc
    notes = [_("Read as UTF-8 (byte-order mark found).")] if data.startswith(codecs.BOM_UTF8) else []
    return text, notes


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[: hxl.SEARCH_ROWS + 5])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # The sniffer needs a consistent count per line; otherwise the separator of the hashtag row wins.
        for line in sample.splitlines():
            if "#" in line:
                counts = {d: line.count(d) for d in DELIMITERS}
                best = max(counts, key=counts.__getitem__)
                if counts[best]:
                    return best
        return ","


def _csv_rows(text: str) -> tuple[list[tuple[int, tuple[object, ...]]], list[str]]:
    if "\x00" in text:
        raise TableError([_("The file holds NUL characters: it is not a text file.")])
    delimiter = _delimiter(text)
    names = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs")}
    rows = []
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            rows.append((number, tuple(record)))
            if len(rows) > MAX_ROWS + hxl.SEARCH_ROWS:
                raise TableError([_("The file has more than %(count)d rows.") % {"count": MAX_ROWS}])
    except csv.Error as exc:
        raise TableError([_("The CSV file cannot be read after row %(row)d: %(error)s.")
                          % {"row": len(rows), "error": exc}]) from exc
    return rows, [_("Columns separated by %(separator)s.") % {"separator": names[delimiter]}]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(name: str, format: str, rows: list[tuple[int, tuple[object, ...]]], notes: list[str]) -> Table:
    position = next((i for i, (_n, cells) in enumerate(rows[: hxl.SEARCH_ROWS]) if hxl.is_hashtag_row(cells)), None)
    if position is None:
        raise TableError([_(
            "No row of HXL hashtags found in the first %(count)d rows: the file needs a row of column names and, "
            "under it, a row of hashtags such as #activity +code (download a template from the exchange page)."
        ) % {"count": hxl.SEARCH_ROWS}])
    tag_number, tag_cells = rows[position]
    header_number, header_cells = rows[position - 1] if position > 0 else (None, ())
    width = max((len(cells) for _n, cells in rows), default=0)
    columns = []
    for index in range(width):
        tag_text = _text(tag_cells[index]) if index < len(tag_cells) else ""
        header = _text(header_cells[index]) if index < len(header_cells) else ""
        columns.append(Column(index, header.strip(), tag_text, hxl.parse(tag_text)))
    data = []
    for number, cells in rows[position + 1:]:
        if all(_blank(c) for c in cells):
            continue
        data.append(Row(number, tuple(cells) + (None,) * (width - len(cells))))
    while columns and not columns[-1].header and not columns[-1].tag_text and all(_blank(r.cells[-1]) for r in data):
        columns.pop()
        data = [Row(r.number, r.cells[:-1]) for r in data]
    return Table(name=name, format=format, columns=columns, rows=data, hashtag_row=tag_number,
                 header_row=header_number, notes=notes)


def _text(value: object) -> str:
    return "" if value is None else str(value)
