"""ISO 4217 currencies: which codes exist, their minor units, names and money formatting.

The list of codes and which are withdrawn come from the IATI Currency codelist (a replica of ISO 4217,
``compact.reference.codelists``). The minor unit (number of decimal places) is ISO 4217's, as given in
the ``ISO4217-currency_minor_unit`` column of datasets/country-codes (``compact/data/reference/geo/
country-codes.csv``); for codes that file does not carry (funds codes, SDR, withdrawn currencies) it is
CLDR's, through babel. The two differ for some currencies that CLDR rounds for display (ISO gives IQD
3 places and IDR 2, CLDR 0): amounts are checked against ISO. Names and formatting are CLDR's (babel),
in the active language.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_name, get_currency_precision
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compact.reference.codelists import check_code, codelist

CURRENCY_CODELIST = "Currency"


def babel_locale(language: str | None = None) -> Locale:
    """The babel ``Locale`` for a Django language code (default: the active one): ``"zh-hans" -> zh_Hans``;
    English when babel does not know the language."""
    asked = language or translation.get_language() or "en"
    try:
        return Locale.parse(translation.to_locale(asked))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


@dataclass(frozen=True)
class Currency:
    """An ISO 4217 currency: ``code`` (three capital letters, ``"USD"``), ``minor_unit`` (decimal places:
    JPY 0, USD 2, KWD 3) and ``withdrawn`` (IATI's status: refused for new data)."""

    code: str
    minor_unit: int
    withdrawn: bool

    def name(self, language: str | None = None) -> str:
        """The CLDR name in ``language`` (default: the active one), via ``babel.numbers.get_currency_name``;
        the IATI (English) name when CLDR has none."""
        name = get_currency_name(self.code, locale=babel_locale(language))
        if name == self.code:
            return codelist(CURRENCY_CODELIST)[self.code].name(language)
        return name


@cache
def _iso_minor_units() -> dict[str, int]:
    """``{code: minor unit}`` from country-codes.csv, whose cells may list several currencies of one country
    (``"INR,BTN"`` with ``"2,2"``); non-numeric units (``"N.A."``) are left out."""
    data = resources.files("compact").joinpath("data", "reference", "geo", "country-codes.csv").read_bytes()
    units: dict[str, int] = {}
    for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        codes = [c.strip().upper() for c in row["ISO4217-currency_alphabetic_code"].split(",")]
        minors = [m.strip() for m in row["ISO4217-currency_minor_unit"].split(",")]
        for code, minor in zip(codes, minors, strict=False):
            if code and minor.isdigit():
                units.setdefault(code, int(minor))
    return units


@cache
def _currencies() -> dict[str, Currency]:
    iso = _iso_minor_units()
    return {
        code: Currency(code=code, minor_unit=iso.get(code, get_currency_precision(code)), withdrawn=item.withdrawn)
        for code, item in codelist(CURRENCY_CODELIST).items()
    }


def currencies(*, include_withdrawn: bool = True) -> list[Currency]:
    """Every ISO 4217 currency of the IATI Currency codelist, by code (withdrawn ones unless asked not to)."""
    return [c for c in _currencies().values() if include_withdrawn or not c.withdrawn]


def currency(code, *, new: bool = True) -> Currency:
    """The currency with the ISO 4217 ``code`` (any case, whitespace stripped).

    Raises ``ValidationError`` as ``codelists.check_code`` on the Currency codelist: an empty, unknown or
    (with ``new=True``) withdrawn code.
    """
    return _currencies()[check_code(CURRENCY_CODELIST, code, new=new)]


def _decimal_places(amount: Decimal) -> int:
    """Decimal places written in ``amount`` after dropping trailing zeros (``10.50`` has 1, ``100`` has 0)."""
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def check_amount(amount, currency_code, *, new: bool = False) -> Decimal:
    """``amount`` as a ``Decimal`` of the currency ``currency_code``.

    ``amount`` is a ``str`` (``"1234.50"``, surrounding spaces allowed), ``int`` or ``Decimal``; a
    ``float`` is refused (binary floating point cannot hold amounts exactly), and so are NaN and
    infinities. The amount may not have more significant decimal places than the currency's ISO 4217
    minor unit ("JPY has no minor unit: 10.5 has 1 decimal place"); trailing zeros do not count
    (``"10.50"`` USD is fine). The value is returned as written (``Decimal("10.50")``). Negative
    amounts are accepted (refunds, reversals): whether they fit is the caller's rule.

    The currency is checked with ``currency(currency_code, new=new)``: withdrawn currencies are accepted
    unless ``new=True``, since old amounts in them stay valid.

    Raises ``ValidationError`` with code ``"float_amount"``, ``"invalid_amount"``, ``"too_many_decimals"``
    or those of ``currency``.
    """
    found = currency(currency_code, new=new)
    if isinstance(amount, float):
        raise ValidationError(
            _("Amounts must be given as text or whole numbers, not as floating-point numbers (%(value)r)."),
            code="float_amount", params={"value": amount})
    if isinstance(amount, bool) or not isinstance(amount, (str, int, Decimal)):
        raise ValidationError(_("'%(value)s' is not an amount."), code="invalid_amount", params={"value": amount})
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValidationError(
            _("'%(value)s' is not an amount: write digits with a point for decimals, such as 1234.50."),
            code="invalid_amount", params={"value": amount}) from None
    if not value.is_finite():
        raise ValidationError(_("'%(value)s' is not an amount."), code="invalid_amount", params={"value": amount})
    places = _decimal_places(value)
    if places > found.minor_unit:
        if found.minor_unit == 0:
            message = ngettext(
                "%(currency)s has no minor unit: %(value)s has %(places)d decimal place.",
                "%(currency)s has no minor unit: %(value)s has %(places)d decimal places.", places)
        else:
            message = ngettext(
                "%(currency)s has %(minor)d decimal place: %(value)s has %(places)d.",
                "%(currency)s has %(minor)d decimal places: %(value)s has %(places)d.", found.minor_unit)
        raise ValidationError(message, code="too_many_decimals",
                              params={"currency": found.code, "value": value, "places": places, "minor": found.minor_unit})
    return value


def format_money(amount: Decimal, currency_code: str, language: str | None = None) -> str:
    """``amount`` formatted in ``currency_code`` for ``language`` (default: the active one) with
    ``babel.numbers.format_currency`` and the locale's currency pattern, showing the currency's ISO 4217
    minor unit (``"$1,234.50"`` in en, ``"1 234,50 $US"`` in fr, ``"¥1,234"`` for JPY 1234 in en); an
    amount with more places than the minor unit is rounded half-even for display.

    Raises ``ValidationError`` for an unknown currency code (withdrawn ones are accepted: old data).
    """
    found = currency(currency_code, new=False)
    locale = babel_locale(language)
    pattern = locale.currency_formats["standard"]
    pattern = type(pattern)(pattern.pattern, pattern.prefix, pattern.suffix, pattern.grouping, pattern.int_prec,
                            (found.minor_unit, found.minor_unit), pattern.exp_prec, pattern.exp_plus,
                            pattern.number_pattern)
    return format_currency(Decimal(amount), found.code, format=pattern, locale=locale, currency_digits=False)
