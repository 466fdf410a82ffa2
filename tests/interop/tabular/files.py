"""Files built at test time for the exchange tests: CSV (any separator, with or without a byte-order
mark, any encoding) and XLSX (cells of any type), and the sample files of ``data/``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

DATA = Path(__file__).parent / "data"


def csv_bytes(rows, *, delimiter=",", bom=False, encoding="utf-8") -> bytes:
    """A CSV file of ``rows`` (lists of text)."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    """An XLSX workbook whose first sheet holds ``rows`` (cells of any type openpyxl writes)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
