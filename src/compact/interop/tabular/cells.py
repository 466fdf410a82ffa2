"""Turning one cell of a file into a value, or into a ``CellError`` that says what is wrong with it.

Cells come as text (CSV, or XLSX text cells) or as XLSX typed values (``int``, ``float``,
``datetime``). The rules, and their sources:

- Dates: ISO 8601 calendar dates ``YYYY-MM-DD``, XLSX date cells, and Excel serial day numbers (a
  number cell, or whole-number text, converted with ``openpyxl.utils.datetime.from_excel``). Other
  spellings (``15/01/2024``, ``01/15/2024``, ``15 Jan 2024``) are refused: day-first and month-first
  readings cannot be told apart.
- Amounts and percentages: ``Decimal`` from the cell's text, digits with an optional sign and a point
  for decimals (``1234.50``). Thousands separators and decimal commas are refused. An XLSX number cell
  is converted with ``Decimal(str(value))`` (the shortest text that reads back as the same binary
  number), never through binary arithmetic; a value binary floating point altered (``0.30000000000000004``)
  is then refused by the currency's decimal places (``compact.reference.currencies.check_amount``).
- UN M49 codes keep three digits: ``004`` stays ``004``; a number cell ``4`` (a spreadsheet drops the
  zeros) becomes ``004`` and is reported as normalised.
- Lists: items separated by ``;`` (spaces around them ignored).
- Text: an apostrophe that the exports put before a formula-like text (``'=...``) is removed
  (``compact.interop.tabular.writer``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

#: Excel's largest serial day number (9999-12-31).
MAX_SERIAL = 2_958_465
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
#: First characters that make a spreadsheet program read a text cell as a formula.
FORMULA_START = "=+-@\t\r"
_GROUPED = re.compile(r"^[+-]?\d{1,3}([,' \u00a0\u202f]\d{3})+([.,]\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


class CellError(ValueError):
    """A cell that does not hold what its column needs; the message says what it should be."""


def is_blank(value: object) -> bool:
    """Whether a cell is empty (None, or text of spaces only)."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str:
    """The cell as text, stripped: a whole XLSX number as digits (``12.0`` -> ``"12"``), a date as ISO
    8601, an empty cell as ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raw = str(value).strip()
    if raw[:1] == "'" and raw[1:2] and raw[1] in FORMULA_START:
        return raw[1:]  # an apostrophe the exports put before a formula-like text (see ``writer``)
    return raw


def items(value: object) -> list[str]:
    """The items of a list cell: ``"UNDP; UNODC"`` -> ``["UNDP", "UNODC"]``; empty items dropped."""
    return [part.strip() for part in text(value).split(";") if part.strip()]


def date(value: object) -> dt.date | None:
    """The date in a cell (see the module docstring), None when empty; ``CellError`` otherwise."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise CellError(_("'%(value)s' has a time of day: a date is expected.") % {"value": value.isoformat(sep=" ")})
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("'%(value)s' is not a date.") % {"value": text(value)})
    if isinstance(value, int | float):
        return _serial(value)
    raw = str(value).strip()
    if _ISO_DATE.match(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise CellError(_("'%(value)s' is not a date of the calendar.") % {"value": raw}) from None
    if raw.isascii() and raw.isdigit():
        return _serial(int(raw))
    raise CellError(_(
        "'%(value)s' is not an unambiguous date: write it as YYYY-MM-DD (for example 2024-01-15) or use a date cell."
    ) % {"value": raw})


def _serial(number: float) -> dt.date:
    if isinstance(number, float) and not number.is_integer():
        raise CellError(_("'%(value)s' is an Excel date with a time of day: a date is expected.") % {"value": number})
    if not 1 <= number <= MAX_SERIAL:
        raise CellError(_("'%(value)s' is not a date: as an Excel serial day number it is out of range.") % {"value": number})
    return from_excel(int(number)).date()


def decimal(value: object) -> Decimal | None:
    """The number in a cell as ``Decimal`` (see the module docstring), None when empty; ``CellError``
    for a thousands separator, a decimal comma or anything that is not a number."""
    if is_blank(value):
        return None
    if isinstance(value, bool) or isinstance(value, dt.date):
        raise CellError(_("'%(value)s' is not a number.") % {"value": text(value)})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise CellError(_("'%(value)s' is not a number.") % {"value": value})
        return number
    raw = str(value).strip()
    if NUMBER.match(raw):
        return Decimal(raw)
    if _GROUPED.match(raw):
        raise CellError(_(
            "'%(value)s' has a thousands separator: write digits only, with a point for decimals (for example 1234567.50)."
        ) % {"value": raw})
    if _DECIMAL_COMMA.match(raw):
        raise CellError(_("'%(value)s' has a decimal comma: write a point for decimals (for example %(fixed)s).")
                        % {"value": raw, "fixed": raw.replace(",", ".")})
    raise CellError(_("'%(value)s' is not a number: write digits with a point for decimals (for example 1234.50).")
                    % {"value": raw})


def whole(value: object) -> int | None:
    """A whole number in a cell (``2``, ``"2"``, XLSX ``2.0``), None when empty; ``CellError`` otherwise."""
    number = decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("'%(value)s' is not a whole number.") % {"value": text(value)})
    return int(number)


def m49(value: object) -> tuple[str, bool]:
    """A UN M49 code in a cell or list item: ``("004", normalised)``, where ``normalised`` says a number
    cell or a short code was padded with zeros. Only the form is checked here (one to three digits);
    ``compact.reference.geography.area`` says whether the code exists."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = str(value).strip() if not isinstance(value, bool) else ""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
        raise CellError(_("'%(value)s' is not a UN M49 code: expected three digits, such as 004.") % {"value": text(value)})
    return raw.zfill(3), isinstance(value, int) or len(raw) < 3
