"""UN M49 areas: the 249 countries and areas of the UNSD files, the regions built from their region
columns, names in the six languages, region membership and ISO look-ups. Expected values are read here
from the CSV files with the csv module, or are facts of M49 (Nigeria 566 is in Western Africa 011,
Sub-Saharan Africa 202 and Africa 002; France 250 is in Western Europe)."""

from __future__ import annotations

import csv
import filecmp

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from compact.reference import geography
from compact.reference.geography import area, countries, m49_for_iso2, m49_for_iso3, normalise_m49, region_members, regions
from reference.sources import GEO, SHARED

FILES = {"ar": "UNSD-M49-ar.csv", "en": "UNSD-M49-en.csv", "es": "UNSD-M49-es.csv", "fr": "UNSD-M49-fr.csv",
         "ru": "UNSD-M49-ru.csv", "zh-hans": "UNSD-M49-cn.csv"}
REGION_CODE_COLUMNS = ["Global Code", "Region Code", "Sub-region Code", "Intermediate Region Code"]


def rows(language: str) -> list[dict[str, str]]:
    with (GEO / FILES[language]).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def row_of(language: str, m49: str) -> dict[str, str]:
    return next(r for r in rows(language) if r["M49 Code"] == m49)


@pytest.mark.parametrize("language", FILES)
def test_each_file_has_249_countries_or_areas(language):
    assert len(rows(language)) == 249


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared copy of the public sources is not beside the repository")
@pytest.mark.parametrize("name", [*FILES.values(), "country-codes.csv"])
def test_the_shipped_files_are_the_published_ones_unchanged(name):
    assert filecmp.cmp(GEO / name, SHARED / "geo" / name, shallow=False)


def test_only_the_english_file_starts_with_a_byte_order_mark():
    assert [name for name in FILES.values() if (GEO / name).read_bytes().startswith(b"\xef\xbb\xbf")] == ["UNSD-M49-en.csv"]


def test_countries_are_the_rows_of_the_files_with_three_digit_codes():
    assert len(countries()) == 249
    assert sorted(a.code for a in countries()) == sorted(r["M49 Code"] for r in rows("en"))
    assert all(len(a.code) == 3 and a.code.isdigit() for a in geography.areas())
    assert area("004").name("en") == "Afghanistan"


def test_regions_are_the_region_columns_of_the_files_and_world_exists():
    expected = {r[column] for r in rows("en") for column in REGION_CODE_COLUMNS if r[column]}
    assert {a.code for a in regions()} == expected
    world = area("001")
    assert world.kind == "region" and world.parents == ()
    assert world.names == {"ar": "العالم", "en": "World", "es": "Mundo", "fr": "Monde", "ru": "Весь мир", "zh-hans": "世界"}


@pytest.mark.parametrize("value, code", [("4", "004"), (4, "004"), (" 004 ", "004"), ("04", "004"), ("566", "566"), (0, "000")])
def test_normalise_m49_pads_to_three_digits(value, code):
    assert normalise_m49(value) == code


@pytest.mark.parametrize("value", ["", None, "abc", "1234", "-4", "4.0", 4.0, "٤", True, "00 4"])
def test_normalise_m49_refuses_what_is_not_one_to_three_digits(value):
    with pytest.raises(ValidationError) as error:
        normalise_m49(value)
    assert error.value.code == "invalid_m49"


def test_an_unknown_code_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as error:
        area("999")
    assert error.value.messages == ["'999' is not a UN M49 country or region code."]
    with pytest.raises(ValidationError) as error:
        area(999)
    assert error.value.messages == ["'999' is not a UN M49 country or region code."]


def test_a_country_carries_its_iso_codes_and_regions_from_the_file():
    nigeria = area(566)
    source = row_of("en", "566")
    assert (nigeria.kind, nigeria.iso2, nigeria.iso3) == ("country", "NG", "NGA")
    assert nigeria.parents == ("002", "202", "011", "001")
    assert nigeria.parents[:-1] == (source["Region Code"], source["Sub-region Code"], source["Intermediate Region Code"])
    assert area("250").parents == ("150", "155", "001")  # France: Europe, Western Europe (no intermediate region)
    assert area("011").parents == ("002", "202", "001")  # Western Africa
    assert area("010").parents == ("001",)  # Antarctica belongs to no region but World


def test_africa_contains_nigeria_not_france():
    africa = region_members("002")
    assert "566" in africa
    assert "250" not in africa
    assert africa == {r["M49 Code"] for r in rows("en") if r["Region Code"] == "002"}


def test_region_members_reach_every_depth():
    assert region_members("001") == {r["M49 Code"] for r in rows("en")}
    assert region_members("202") == {r["M49 Code"] for r in rows("en") if r["Sub-region Code"] == "202"}
    assert region_members("11") == {r["M49 Code"] for r in rows("en") if r["Intermediate Region Code"] == "011"}
    assert region_members("011") <= region_members("202") <= region_members("002")


def test_region_members_of_a_country_is_refused():
    with pytest.raises(ValidationError) as error:
        region_members("566")
    assert error.value.messages == ["'566' is a UN M49 country or area code, not a region code."]


@pytest.mark.parametrize("language", FILES)
def test_each_name_is_the_one_of_its_language_file(language):
    for m49 in ("566", "250", "156", "682", "643", "724"):
        assert area(m49).name(language) == row_of(language, m49)["Country or Area"]
    africa = row_of(language, "566")
    assert area("002").name(language) == africa["Region Name"]
    assert area("011").name(language) == africa["Intermediate Region Name"]


def test_arabic_and_chinese_names_of_nigeria_equal_the_files():
    assert area("566").names["ar"] == row_of("ar", "566")["Country or Area"] == "نيجيريا"
    assert area("566").names["zh-hans"] == row_of("zh-hans", "566")["Country or Area"] == "尼日利亚"
    with translation.override("ar"):
        assert area("566").name() == "نيجيريا"
    with translation.override("zh-hans"):
        assert area("566").name() == "尼日利亚"


def test_iso_codes_lead_to_m49():
    assert m49_for_iso2("NG") == "566"
    assert m49_for_iso2(" ng ") == "566"
    assert m49_for_iso3("fra") == "250"
    assert m49_for_iso2("XK") is None  # Kosovo: in IATI's Country list, not in M49
    assert m49_for_iso3("") is None
    assert m49_for_iso2(None) is None
    for row in rows("en"):
        assert m49_for_iso2(row["ISO-alpha2 Code"]) == row["M49 Code"]
        assert m49_for_iso3(row["ISO-alpha3 Code"]) == row["M49 Code"]
