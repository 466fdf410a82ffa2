"""Writing a table (a header row, the HXL hashtag row, then the data) as CSV or XLSX.

CSV: UTF-8 with a byte-order mark (so that Excel reads the six UN languages correctly), comma-separated,
quoted as needed (RFC 4180). XLSX: one worksheet whose cells are all text, so that codes keep their
leading zeros and amounts their exact digits; the two header rows are bold and frozen.

A text cell that a spreadsheet program would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return, and not a number) is written with a leading apostrophe (OWASP, "CSV
injection"); ``compact.interop.tabular.cells.text`` removes it on import, so the value comes back as it was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from compact.interop.tabular.cells import FORMULA_START, NUMBER
from compact.interop.tabular.columns import Spec

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value: str) -> str:
    if value and value[0] in FORMULA_START and not NUMBER.match(value):
        return "'" + value
    return value


def write_csv(specs: Sequence[Spec], rows: Iterable[Sequence[str]]) -> bytes:
    """The CSV file of ``rows`` under the header and hashtag rows of ``specs``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([s.name for s in specs])
    writer.writerow([s.hashtag for s in specs])
    writer.writerows([_safe(cell) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(specs: Sequence[Spec], rows: Iterable[Sequence[str]], *, title: str = "data") -> bytes:
    """The XLSX workbook of ``rows`` under the header and hashtag rows of ``specs``, on a sheet ``title``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A3"
    bold = Font(bold=True)

    def cells(values: Sequence[str], *, header: bool = False) -> list:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value if value != "" else None)
            cell.number_format = "@"
            if value:
                cell.data_type = "s"
            if header:
                cell.font = bold
            out.append(cell)
        return out

    sheet.append(cells([s.name for s in specs], header=True))
    sheet.append(cells([s.hashtag for s in specs], header=True))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
