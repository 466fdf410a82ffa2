"""Real publisher files and IATI's own examples, read with the counts of activities, transactions (negative
ones included), budgets and languages computed apart, with plain lxml, from the same XML."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from compact.interop.iati.reader import IatiFileError, open_iati

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "iati" / "samples"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: By hand: the d-portal file writes English as ``ENG`` once, the ISO 639-2 code of English (``en``).
ISO_639_2 = {"eng": "en"}

ACTIVITY_FILES = [
    "dfid-haiti-2.01-from-hxl-proxy.xml",
    "iati-standard-example-activity-2.01.xml",
    "iati-standard-example-activity-2.02.xml",
    "iati-standard-example-activity-2.03.xml",
    "real-foodsecurity-7-activities-2.03-dportal.xml",
]


def counted(name: str) -> dict:
    """Counts taken from the file with lxml alone: activities, their transactions and budgets, the values
    below zero, and per activity the languages of the narratives that have a text (the narrative's
    ``xml:lang``, else the activity's, else the file's, else English)."""
    root = etree.parse(str(SAMPLES / name)).getroot()
    activities = root.xpath("iati-activity")
    languages = []
    for activity in activities:
        seen = set()
        for narrative in activity.xpath(".//narrative[normalize-space()]"):
            language = (narrative.get(XML_LANG) or activity.get(XML_LANG) or root.get(XML_LANG) or "en").lower()
            seen.add(ISO_639_2.get(language, language))
        languages.append(seen)
    return {
        "version": root.get("version"),
        "activities": len(activities),
        "transactions": int(root.xpath("count(iati-activity/transaction)")),
        "budgets": int(root.xpath("count(iati-activity/budget)")),
        "negative": int(root.xpath("count(iati-activity/transaction/value[number(normalize-space()) < 0])")
                        + root.xpath("count(iati-activity/budget/value[number(normalize-space()) < 0])")),
        "total": sum((Decimal(value.text.strip()) for value in root.xpath("iati-activity/transaction/value")), Decimal(0)),
        "identifiers": [activity.findtext("iati-identifier").strip() for activity in activities],
        "languages": languages,
    }


def read(name: str):
    iati = open_iati(SAMPLES / name, name)
    return iati, list(iati.activities())


@pytest.mark.parametrize("name", ACTIVITY_FILES)
def test_a_real_file_reads_with_the_counts_lxml_finds_in_it(name):
    expected = counted(name)
    iati, records = read(name)
    assert iati.version == expected["version"]
    assert [record.identifier for record in records] == expected["identifiers"]
    assert [record.position for record in records] == list(range(1, expected["activities"] + 1))
    assert sum(len(record.transactions) for record in records) == expected["transactions"]
    assert sum(len(record.budgets) for record in records) == expected["budgets"]
    negative = sum(1 for record in records for item in record.transactions + record.budgets if item.value < 0)
    assert negative == expected["negative"]
    assert sum((t.value for record in records for t in record.transactions), Decimal(0)) == expected["total"]
    assert [record.languages for record in records] == expected["languages"]
    assert all(record.ok for record in records), [str(p) for record in records for p in record.problems]
    assert iati.problems == []


def test_the_dfid_haiti_file_has_54_activities_and_21_refunds():
    expected = counted("dfid-haiti-2.01-from-hxl-proxy.xml")
    assert (expected["activities"], expected["negative"]) == (54, 21)  # as the shared data's README says
    iati, records = read("dfid-haiti-2.01-from-hxl-proxy.xml")
    assert (len(records), iati.version, iati.encoding) == (54, "2.01", "UTF-8")
    refunds = [t for record in records for t in record.transactions if t.value < 0]
    assert refunds and all(t.currency == "GBP" for t in refunds)


def test_dfid_values_without_a_currency_take_the_default_currency_with_a_note():
    root = etree.parse(str(SAMPLES / "dfid-haiti-2.01-from-hxl-proxy.xml")).getroot()
    without = Counter(activity.findtext("iati-identifier") for activity in root.xpath("iati-activity")
                      for _value in activity.xpath("(transaction|budget)/value[not(@currency)]"))
    assert sum(without.values()) > 0
    _iati, records = read("dfid-haiti-2.01-from-hxl-proxy.xml")
    assert {item.currency for record in records for item in record.transactions + record.budgets} == {"GBP"}
    noted = {record.identifier: [n.message for n in record.notes if "default currency" in n.message] for record in records}
    for identifier, count in without.items():
        assert noted[identifier] == [
            f"{count} value{'s' if count > 1 else ''} without a currency take{'' if count > 1 else 's'} the activity's "
            f"default currency GBP."]
    assert sum(1 for messages in noted.values() if messages) == len(without)


def test_dfid_decimal_percentages_import_and_a_sum_of_99_99_is_noted_as_rounding():
    _iati, records = read("dfid-haiti-2.01-from-hxl-proxy.xml")
    by_id = {record.identifier: record for record in records}
    first = by_id["GB-1-110948"]
    assert [(c.code, c.percentage) for c in first.countries] == [("HT", Decimal("2.4139"))]
    assert [(r.vocabulary, r.code, r.percentage) for r in first.regions] == [("1", "998", Decimal("97.5861"))]
    rounded = by_id["GB-1-201158"]
    assert sum(s.percentage for s in rounded.sectors) == Decimal("99.99")
    assert rounded.ok
    assert "The percentages of the sectors of vocabulary 1 add up to 99.99: 100 once the rounding of their decimals " \
           "is allowed for (IATI Standard rule 2.1.2)." in [n.message for n in rounded.notes]


def test_dfid_parents_and_children_are_related_activities():
    root = etree.parse(str(SAMPLES / "dfid-haiti-2.01-from-hxl-proxy.xml")).getroot()
    expected = Counter(related.get("type") for related in root.xpath("iati-activity/related-activity"))
    _iati, records = read("dfid-haiti-2.01-from-hxl-proxy.xml")
    assert Counter(r.type for record in records for r in record.related) == expected
    parent = next(record for record in records if record.identifier == "GB-1-110948")
    assert [(r.type, r.ref) for r in parent.related][:2] == [("2", "GB-1-110948-101"), ("2", "GB-1-110948-102")]


def test_the_dportal_file_reads_cleanly_its_foreign_attributes_ignored():
    iati, records = read("real-foodsecurity-7-activities-2.03-dportal.xml")
    assert len(records) == 7 and all(record.ok for record in records)
    notes = [note.message for note in iati.notes]
    assert any("http://d-portal.org/xmlns/dstore" in note and "were ignored" in note for note in notes)
    first = records[0]
    assert first.identifier == "XI-IATI-EC_INTPA-2021/429-054"
    assert (first.default_currency, first.hierarchy, first.default_language) == ("EUR", "2", "en")
    assert "“EN” was read as “en”" in " ".join(n.message for n in first.notes)
    assert first.reporting_org.ref == "XI-IATI-EC_INTPA" and first.reporting_org.type == "15"
    assert [(o.role, o.ref) for o in first.participating_orgs] == [
        ("4", "N/A"), ("1", "XI-IATI-EC_INTPA"), ("3", "XT-IATI-EC_INTPA"), ("2", "12000")]


def test_the_iati_standard_example_reads_its_three_languages():
    _iati, records = read("iati-standard-example-activity-2.03.xml")
    (record,) = records
    assert record.languages == {"en", "fr", "es"}
    assert record.reporting_org.names == {"en": "Organisation name", "fr": "Nom de l'organisme"}
    assert record.tags and record.policy_markers


def test_an_iati_1x_file_is_refused_with_a_clear_message():
    with pytest.raises(IatiFileError) as caught:
        open_iati(SAMPLES / "undp_sample-legacy-1.x.xml", "undp_sample-legacy-1.x.xml")
    (finding,) = caught.value.findings
    assert (finding.file, finding.line, finding.element) == ("undp_sample-legacy-1.x.xml", 2, "iati-activities")
    assert "written as in IATI 1.x" in finding.message
    assert "only 2.01, 2.02 and 2.03 are" in finding.message


@pytest.mark.parametrize("name,line", [
    ("iati-standard-example-organisation-2.01.xml", 4),
    ("iati-standard-example-organisation-2.02.xml", 4),
    ("iati-standard-example-organisation-2.03.xml", 5),
])
def test_an_organisation_file_is_refused_saying_what_it_is(name, line):
    with pytest.raises(IatiFileError) as caught:
        open_iati(SAMPLES / name, name)
    (finding,) = caught.value.findings
    assert (finding.line, finding.element) == (line, "iati-organisations")
    assert finding.message.startswith("This is an IATI organisation file")


def test_a_bare_activity_root_is_not_an_activity_file():
    with pytest.raises(IatiFileError) as caught:
        open_iati(SAMPLES / "worked-example-2.03.xml", "worked-example-2.03.xml")
    assert "its root element is iati-activity" in caught.value.findings[0].message
