"""ISO 4217 currencies: the list and withdrawn status of IATI's Currency codelist, ISO 4217 minor units,
amounts checked against them, names and formats of the Unicode CLDR (babel). Minor units and names are
written here from ISO 4217 and CLDR, not from the code under test."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from lxml import etree

from compact.reference.currencies import check_amount, currencies, currency, format_money
from reference.sources import CODELISTS, GEO


def test_every_code_of_the_iati_currency_list_is_a_currency():
    root = etree.parse(str(CODELISTS / "nonembedded" / "Currency.xml"), etree.XMLParser(resolve_entities=False, no_network=True))
    items = root.findall("codelist-items/codelist-item")
    assert [c.code for c in currencies()] == [i.findtext("code") for i in items]
    assert {c.code for c in currencies() if c.withdrawn} == {i.findtext("code") for i in items if i.get("status") == "withdrawn"}
    assert len(currencies(include_withdrawn=False)) == len(items) - len([i for i in items if i.get("status") == "withdrawn"])


@pytest.mark.parametrize("code, minor", [
    ("JPY", 0), ("USD", 2), ("EUR", 2), ("KWD", 3), ("BHD", 3), ("CLF", 4), ("XOF", 0), ("KRW", 0),
    ("IQD", 3), ("IDR", 2), ("COP", 2),  # ISO 4217 minor units where CLDR rounds to 0 for display
])
def test_minor_units_are_iso_4217s(code, minor):
    assert currency(code).minor_unit == minor


def test_minor_units_agree_with_the_iso_columns_of_country_codes():
    listed = {c.code for c in currencies()}
    outside = set()
    with (GEO / "country-codes.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            for code, minor in zip(row["ISO4217-currency_alphabetic_code"].split(","),
                                   row["ISO4217-currency_minor_unit"].split(","), strict=False):
                if code not in listed:
                    outside.add(code)
                elif minor.isdigit():
                    assert currency(code, new=False).minor_unit == int(minor), code
    # The IATI replica of ISO 4217 lacks three newer codes: the Uruguayan wage index unit (UYW, 2018),
    # Zimbabwe Gold (ZWG, 2024) and the Caribbean guilder (XCG, 2025). They are not usable in IATI data.
    assert outside - {""} == {"UYW", "ZWG", "XCG"}


def test_codes_are_case_insensitive_and_trimmed():
    assert currency("usd").code == "USD"
    assert currency(" eur ").code == "EUR"


def test_unknown_and_withdrawn_currencies():
    with pytest.raises(ValidationError) as error:
        currency("ABC")
    assert error.value.messages == ["'ABC' is not a code of the IATI codelist Currency."]
    with pytest.raises(ValidationError) as error:
        currency("EEK")
    assert error.value.messages == ["'EEK' is withdrawn from the IATI codelist Currency and may not be used for new data."]
    assert currency("eek", new=False).withdrawn


def test_names_are_cldrs_in_the_active_language():
    usd = currency("USD")
    assert usd.name("en") == "US Dollar"
    assert usd.name("fr") == "dollar des États-Unis"
    assert usd.name("es") == "dólar estadounidense"
    assert usd.name("ru") == "доллар США"
    assert usd.name("ar") == "دولار أمريكي"
    assert usd.name("zh-hans") == "美元"
    with translation.override("fr"):
        assert currency("EUR").name() == "euro"


@pytest.mark.parametrize("amount, code, expected", [
    ("10", "JPY", Decimal("10")), ("1234.50", "USD", Decimal("1234.50")), (" 99.999 ", "KWD", Decimal("99.999")),
    (1500, "USD", Decimal("1500")), (Decimal("0.01"), "EUR", Decimal("0.01")), ("-25.5", "USD", Decimal("-25.5")),
    ("10.0", "JPY", Decimal("10.0")), ("1E+3", "JPY", Decimal("1000")),
])
def test_amounts_within_the_minor_unit_are_decimals(amount, code, expected):
    value = check_amount(amount, code)
    assert isinstance(value, Decimal)
    assert value == expected


@pytest.mark.parametrize("amount, code, message", [
    ("10.5", "JPY", "JPY has no minor unit: 10.5 has 1 decimal place."),
    ("10.25", "XOF", "XOF has no minor unit: 10.25 has 2 decimal places."),
    ("10.123", "USD", "USD has 2 decimal places: 10.123 has 3."),
    ("1.2345", "KWD", "KWD has 3 decimal places: 1.2345 has 4."),
    (Decimal("0.001"), "EUR", "EUR has 2 decimal places: 0.001 has 3."),
])
def test_more_decimal_places_than_the_minor_unit_are_refused(amount, code, message):
    with pytest.raises(ValidationError) as error:
        check_amount(amount, code)
    assert error.value.messages == [message]
    assert error.value.code == "too_many_decimals"


@pytest.mark.parametrize("amount", [10.5, 10.0, float("nan")])
def test_floats_are_refused(amount):
    with pytest.raises(ValidationError) as error:
        check_amount(amount, "USD")
    assert error.value.code == "float_amount"


@pytest.mark.parametrize("amount", [
    "NaN", "sNaN", "Infinity", "-Infinity", Decimal("NaN"), Decimal("Infinity"), "abc", "", "1,5", True, None,
])
def test_what_is_not_a_finite_number_is_refused(amount):
    with pytest.raises(ValidationError) as error:
        check_amount(amount, "USD")
    assert error.value.code == "invalid_amount"


def test_check_amount_checks_the_currency_too():
    with pytest.raises(ValidationError) as error:
        check_amount("10", "XYZ")
    assert error.value.messages == ["'XYZ' is not a code of the IATI codelist Currency."]
    assert check_amount("10", "EEK") == Decimal("10")
    with pytest.raises(ValidationError):
        check_amount("10", "EEK", new=True)


@pytest.mark.parametrize("amount, code, language, expected", [
    ("1234.5", "USD", "en", "$1,234.50"),
    ("1234.5", "USD", "fr", "1\u202f234,50\xa0$US"),
    ("1234567", "JPY", "en", "¥1,234,567"),
    ("1.234", "KWD", "en", "KWD1.234"),  # CLDR en: the code as symbol, no space
    ("1234.567", "IQD", "en", "IQD1,234.567"),  # ISO's three places, where CLDR would show none
    ("-5", "EUR", "de", "-5,00\xa0€"),
])
def test_format_money_uses_the_locale_and_the_minor_unit(amount, code, language, expected):
    assert format_money(Decimal(amount), code, language) == expected


def test_format_money_follows_the_active_language():
    with translation.override("zh-hans"):
        assert format_money(Decimal("10"), "CNY") == "¥10.00"
