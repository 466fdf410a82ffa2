"""IATI 2.03 codelists: every shipped list is read whole, codes are checked against it (case, whitespace,
withdrawn codes), names come in English or French. Expected values are counted in the XML here with
lxml, or taken from the IATI Standard and the 2030 Agenda (17 goals, 169 targets)."""

from __future__ import annotations

import filecmp

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from lxml import etree

from compact.reference import codelists
from compact.reference.codelists import check_code, choices, codelist
from reference.sources import CODELISTS, SHARED

XML_FILES = sorted(CODELISTS.glob("*/*.xml"))
REQUIRED = [
    "OrganisationRole", "ActivityStatus", "TransactionType", "BudgetType", "BudgetStatus", "Sector", "SectorVocabulary",
    "PolicyMarker", "PolicySignificance", "Currency", "Country", "Region", "RegionVocabulary", "UNSDG-Goals",
    "UNSDG-Targets", "Language", "OrganisationType", "Version", "DocumentCategory", "RelatedActivityType", "FinanceType",
    "FlowType", "AidType", "TagVocabulary", "DescriptionType", "ActivityDateType",
]


def _tree(path):
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))


def _withdrawn_items() -> list[tuple[str, str]]:
    """(list name, code) of the first withdrawn item of each list that has one, found in the XML."""
    found = []
    for path in XML_FILES:
        root = _tree(path).getroot()
        item = root.find("codelist-items/codelist-item[@status='withdrawn']")
        if item is not None:
            found.append((root.get("name"), item.findtext("code").strip()))
    return found


def test_the_required_lists_are_shipped():
    assert set(REQUIRED) <= set(codelists.codelist_names())


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.stem)
def test_each_list_holds_every_item_of_its_file(path):
    root = _tree(path).getroot()
    items = root.findall("codelist-items/codelist-item")
    codes = codelist(root.get("name"))
    assert len(codes) == len(items) > 0
    assert list(codes) == [i.findtext("code").strip() for i in items]
    assert sum(c.withdrawn for c in codes.values()) == len([i for i in items if i.get("status") == "withdrawn"])
    info = codelists.codelist_info(root.get("name"))
    assert info.embedded == (path.parent.name == "embedded-2.03")


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared copy of the public sources is not beside the repository")
@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.stem)
def test_the_shipped_files_are_the_published_ones_unchanged(path):
    assert filecmp.cmp(path, SHARED / "iati" / "codelists" / path.parent.name / path.name, shallow=False)


def test_the_sdg_lists_have_the_2030_agenda_goals_and_targets():
    targets = codelist("UNSDG-Targets")
    assert len(targets) == 169  # the 2030 Agenda (A/RES/70/1) has 169 targets
    assert len(codelist("UNSDG-Goals")) == 17
    assert "16.a" in targets
    assert targets["16.a"].name("en").startswith("Strengthen relevant national institutions")
    assert "terrorism" in targets["16.a"].name("en")


@pytest.mark.parametrize("value, canonical", [
    ("16.A", "16.a"), (" 16.a ", "16.a"), ("usd", "USD"), ("Usd", "USD"), ("\tEUR\n", "EUR"),
])
def test_check_code_normalises_case_and_whitespace(value, canonical):
    list_name = "Currency" if canonical.isalpha() else "UNSDG-Targets"
    assert check_code(list_name, value) == canonical


def test_check_code_takes_whole_numbers_from_spreadsheets():
    assert check_code("OrganisationRole", 4) == "4"
    assert check_code("TransactionType", "11") == "11"
    assert check_code("Language", "FR") == "fr"


def test_an_unknown_code_is_refused_naming_the_value_and_the_list():
    with pytest.raises(ValidationError) as error:
        check_code("Currency", "XYZ")
    assert error.value.messages == ["'XYZ' is not a code of the IATI codelist Currency."]
    assert error.value.code == "unknown_code"


@pytest.mark.parametrize("value", ["", "   ", None])
def test_an_empty_code_is_refused(value):
    with pytest.raises(ValidationError) as error:
        check_code("OrganisationRole", value)
    assert error.value.messages == ["A code of the IATI codelist OrganisationRole is required."]


def test_a_boolean_is_not_a_code():
    with pytest.raises(ValidationError):
        check_code("OrganisationRole", True)


@pytest.mark.parametrize("list_name, code", _withdrawn_items(), ids=lambda v: v)
def test_a_withdrawn_code_is_refused_for_new_data_and_accepted_for_old(list_name, code):
    with pytest.raises(ValidationError) as error:
        check_code(list_name, code)
    assert error.value.messages == [
        f"'{code}' is withdrawn from the IATI codelist {list_name} and may not be used for new data."]
    assert check_code(list_name, code, new=False) == code
    assert check_code(list_name, code.lower(), new=False) == code
    assert codelist(list_name)[code].withdrawn


def test_withdrawn_currencies_found_in_the_xml_include_the_belarusian_ruble_of_2000():
    assert ("Currency", "BYR") in _withdrawn_items()


def test_an_unknown_list_is_a_lookup_error_not_a_key_error():
    with pytest.raises(LookupError) as error:
        codelist("NoSuchList")
    assert not isinstance(error.value, KeyError)
    with pytest.raises(LookupError):
        check_code("NoSuchList", "1")
    with pytest.raises(LookupError):
        choices("NoSuchList")


def test_names_follow_the_active_language_with_english_as_fallback():
    implementing = codelist("OrganisationRole")["4"]
    assert implementing.names == {"en": "Implementing", "fr": "Mise en œuvre"}
    assert implementing.name("en") == "Implementing"
    assert implementing.name("fr") == "Mise en œuvre"
    assert implementing.name("ar") == "Implementing"
    with translation.override("fr"):
        assert implementing.name() == "Mise en œuvre"
    with translation.override("zh-hans"):
        assert implementing.name() == "Implementing"


def test_a_list_without_names_shows_its_codes():
    version = codelist("Version")["2.03"]
    assert version.names == {}
    assert version.name() == "2.03"


def test_choices_leave_out_withdrawn_codes_unless_asked():
    active = dict(choices("Currency"))
    everything = dict(choices("Currency", include_withdrawn=True))
    assert "BYR" not in active and "BYR" in everything
    assert len(everything) == len(codelist("Currency"))
    assert "(withdrawn)" in everything["BYR"]
    assert choices("OrganisationRole", language="en")[0] == ("1", "1 - Funding")
    assert choices("OrganisationRole", language="fr")[0] == ("1", "1 - Financement")


def test_entities_in_a_codelist_file_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    path = tmp_path / "Evil.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE codelist [<!ENTITY e SYSTEM "file://{secret}">]>'
        '<codelist name="Evil" xml:lang="en"><codelist-items><codelist-item><code>1</code>'
        '<name><narrative>&e;</narrative></name></codelist-item></codelist-items></codelist>'
    )
    parsed = codelists._parse(path, embedded=False)
    assert "SECRET" not in parsed.codes["1"].name()
