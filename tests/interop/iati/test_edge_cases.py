"""Every file of pyIATI's edge cases gives its expected outcome: read (with the problem or the note it
should raise) or refused (with the reason), and the encodings of real files read as the file says."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from lxml import etree

from compact.interop.iati.reader import IatiFileError, open_iati

EDGE = Path(__file__).resolve().parents[2] / "data" / "iati" / "pyiati-edge-cases"
ENCODINGS = EDGE / "version_independent" / "dataset-encoding"
NO_IDENTIFIER = "The activity has no IATI identifier."
SCHEMA = "Not valid against the IATI 2.03 schema: "
NO_LANGUAGE = ("Neither the activity nor the file gives a language (xml:lang): texts without one are read as "
               "English.")


def outcome(path: Path):
    """``("refused", [(line, message)])`` or ``("read", [problems of each activity], [notes of each])``."""
    try:
        iati = open_iati(path, path.name)
        records = list(iati.activities())
    except IatiFileError as exc:
        return "refused", [(f.line, f.message) for f in exc.findings]
    return ("read", [[(f.line, f.message) for f in r.problems] for r in records],
            [[f.message for f in r.notes] for r in records])


def refused(line: int, message: str):
    return "refused", [(line, message)]


NOT_XML = refused(1, "The file is not XML: Start tag expected, '<' not found, line 1, column 1.")
NOT_ACTIVITIES = "This is not an IATI activity file: its root element is {}, where an IATI activity file has iati-activities."
VERSION_XX = refused(6, "“xx” is not a version of IATI that is read: only 2.01, 2.02 and 2.03 are.")


def read(problems, notes=(NO_LANGUAGE,)):
    """One activity read with ``problems`` (line, message) and ``notes``."""
    return "read", [list(problems)], [list(notes)]


RULE_NOTE = ("The IATI identifier “////////” contains /, &, | or ?, which IATI advises against (IATI Standard rule "
             "1.3.13).")

EXPECTED = {
    "2-02/invalid.xml": NOT_XML,
    "2-02/invalid_iati_missing_required_element.xml": read([
        (14, SCHEMA + "Element 'description': This element is not expected. Expected is ( title )."),
        (4, NO_IDENTIFIER)]),
    "2-02/invalid_iati_missing_required_element_from_common.xml": read([
        (12, SCHEMA + "Element 'title': This element is not expected. Expected is ( reporting-org )."),
        (4, NO_IDENTIFIER)]),
    "2-02/leading_whitespace_xml.xml": VERSION_XX,
    "2-02/ruleset-std/invalid_std_ruleset_bad_date_order.xml": read([
        (4, "The planned end (2016-01-01) is before the planned start (2016-09-04) (IATI Standard rule 11.1.2).")]),
    # IATI-Rulesets 1.3.13 is a warning: a note, and EC identifiers with "/" are published.
    "2-02/ruleset-std/invalid_std_ruleset_bad_identifier.xml": read([], [NO_LANGUAGE, RULE_NOTE]),
    "2-02/ruleset-std/invalid_std_ruleset_does_not_sum_100.xml": read([
        (4, "The percentage 125 is not between 0 and 100 (IATI Standard rule 12.1.1).")]),
    # IATI rule 6.2.2 (a sector for the activity or every transaction) is not one the platform needs.
    "2-02/ruleset-std/invalid_std_ruleset_missing_sector_element.xml": read([]),
    # Rule 6.10.1 (a participating organisation with a ref or a name) neither.
    "2-02/ruleset-std/invalid_std_ruleset_multiple_rule_errors.xml": read([], [NO_LANGUAGE, RULE_NOTE]),
    "2-02/valid_iati.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_iati_breaks_rule.xml": read([(4, NO_IDENTIFIER)]),
    # crs-add is not read by the platform, so its channel code is not checked.
    "2-02/valid_iati_codelist_mapping_element_text_invalid_code.xml": read([]),
    "2-02/valid_iati_codelist_mapping_element_text_valid_code.xml": read([]),
    "2-02/valid_iati_incomplete_codelist_code_not_present.xml": read([
        (18, "'a-code-not-on-the-codelist' is not a code of the IATI codelist Country."), (4, NO_IDENTIFIER)]),
    "2-02/valid_iati_incomplete_codelist_code_present.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_iati_invalid_code.xml": refused(3, "“200.02” is not a version of IATI that is read: only 2.01, 2.02 "
                                                   "and 2.03 are."),
    "2-02/valid_iati_invalid_code_from_common.xml": read([
        (6, "'not-a-valid-value' is not a code of the IATI codelist OrganisationType."), (4, NO_IDENTIFIER)]),
    "2-02/valid_iati_invalid_codes_multiple_xpaths_for_codelist_first.xml": read([
        (15, "'invalid-code' is not a code of the IATI codelist OrganisationType."), (4, NO_IDENTIFIER)]),
    "2-02/valid_iati_invalid_codes_multiple_xpaths_for_codelist_second.xml": read([
        (6, "'invalid-code' is not a code of the IATI codelist OrganisationType."), (4, NO_IDENTIFIER)]),
    "2-02/valid_iati_minimal_file.xml": read([]),
    "2-02/valid_iati_use_xml_lang.xml": read([(4, NO_IDENTIFIER)], []),
    "2-02/valid_iati_valid_code_from_common.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_iati_valid_codes_multiple_xpaths_for_codelist.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_iati_vocab_default_explicit.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_iati_vocab_default_implicit.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_iati_vocab_default_implicit_invalid_code.xml": read([
        (18, "'code-not-in-codelist' is not a code of the IATI codelist Sector."), (4, NO_IDENTIFIER)]),
    "2-02/valid_iati_vocab_multiple_different_invalid_code.xml": read([
        (19, "'112' is not a code of the IATI codelist Sector."),
        (20, "'11110' is not a code of the IATI codelist SectorCategory."), (4, NO_IDENTIFIER),
        (4, "There is only one of the sectors of vocabulary 1: its percentage must be left out or be 100, not 30 "
            "(IATI Standard rule 2.1.4)."),
        (4, "There is only one of the sectors of vocabulary 2: its percentage must be left out or be 100, not 70 "
            "(IATI Standard rule 2.1.4).")]),
    # Valid codes, but one sector per vocabulary with 30 and 70 breaks IATI-Rulesets 2.1.4.
    "2-02/valid_iati_vocab_multiple_different_valid.xml": read([
        (4, NO_IDENTIFIER),
        (4, "There is only one of the sectors of vocabulary 1: its percentage must be left out or be 100, not 30 "
            "(IATI Standard rule 2.1.4)."),
        (4, "There is only one of the sectors of vocabulary 2: its percentage must be left out or be 100, not 70 "
            "(IATI Standard rule 2.1.4).")]),
    "2-02/valid_iati_vocab_multiple_same_invalid_code.xml": read([
        (19, "'112' is not a code of the IATI codelist Sector."), (20, "'111' is not a code of the IATI codelist Sector."),
        (4, NO_IDENTIFIER)]),
    "2-02/valid_iati_vocab_multiple_same_valid.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_iati_vocab_non_default.xml": read([(4, NO_IDENTIFIER)]),
    # Vocabulary 99 (the publisher's own): codes kept as given; a vocabulary-uri is never fetched.
    "2-02/valid_iati_vocab_user_defined.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_iati_vocab_user_defined_with_uri_readable.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_iati_vocab_user_defined_with_uri_readable_bad_code.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_iati_vocab_user_defined_with_uri_unreadable.xml": read([(4, NO_IDENTIFIER)]),
    "2-02/valid_std_ruleset.xml": read([]),
    "version_independent/invalid.xml": NOT_XML,
    "version_independent/leading_whitespace_xml.xml": VERSION_XX,
    "version_independent/valid.xml": read([(4, NO_IDENTIFIER)]),
    "version_independent/valid_not_iati.xml": refused(3, NOT_ACTIVITIES.format("parent")),
    "version_independent/dataset-encoding/valid-undetectable-encoding.xml": refused(1, (
        "The encoding of the file cannot be detected: it looks like UTF-16 little-endian but has no byte-order mark, "
        "which XML requires for that encoding. Save it as UTF-8 (or with a byte-order mark).")),
    # Byte 0x9F, undeclared: Windows-1252's "Ÿ", or another code page's letter; nothing tells which.
    "version_independent/dataset-encoding/valid-windows-1252.xml": refused(7, (
        "Line 7 is not UTF-8, and the XML declaration names no other encoding. The file may be Windows-1252 "
        "(Latin-1), Windows-1251 or another code page, which cannot be told apart safely: save it as UTF-8, or name "
        "its encoding in its first line (<?xml version=\"1.0\" encoding=\"windows-1252\"?>).")),
    "version_independent/dataset-encoding/valid.xml": read([(4, NO_IDENTIFIER)]),
}
for rule_file in sorted((EDGE / "version_independent" / "ruleset").glob("*.xml")):
    # pyIATI's tests of its ruleset engine: generic XML, not IATI.
    EXPECTED[f"version_independent/ruleset/{rule_file.name}"] = refused(3, NOT_ACTIVITIES.format("root_element"))

#: The encoding files, each four activities with the same texts: what each is read as.
UNICODE = {
    "valid-UTF-8.xml": [],
    "valid-UTF-16.xml": ["Read as UTF-16 little-endian (byte-order mark)."],
    "valid-UTF-16LE.xml": ["Read as UTF-16 little-endian (byte-order mark)."],
    "valid-UTF-16BE.xml": ["Read as UTF-16 big-endian (byte-order mark).",
                           "A second byte-order mark at the start of the file was ignored."],
    "valid-UTF-32.xml": ["Read as UTF-32 little-endian (byte-order mark)."],
}


def test_every_edge_case_file_has_an_expected_outcome():
    files = {str(path.relative_to(EDGE)) for path in EDGE.rglob("*.xml")}
    assert files == set(EXPECTED) | {f"version_independent/dataset-encoding/{name}" for name in UNICODE}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_edge_case_file_gives_its_expected_outcome(name):
    assert outcome(EDGE / name) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(UNICODE))
def test_a_unicode_file_with_a_byte_order_mark_reads_as_the_utf8_one(name):
    expected_root = etree.parse(str(ENCODINGS / "valid-UTF-8.xml")).getroot()
    expected = [a.xpath("string(reporting-org/narrative)") for a in expected_root.iter("iati-activity")]
    assert expected[0].encode("utf-8").startswith(b"\xe4\xb6\x8c\xe4\xb9\xa8")  # pyIATI's expected characters
    iati = open_iati(ENCODINGS / name, name)
    records = list(iati.activities())
    assert [note.message for note in iati.notes] == UNICODE[name]
    assert [record.reporting_org.names["en"] for record in records] == expected
    assert [record.line for record in records] == [4, 19, 34, 49]


def test_an_undeclared_windows_1252_file_reads_once_its_encoding_is_declared():
    data = (ENCODINGS / "valid-windows-1252.xml").read_bytes()
    declared = data.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="windows-1252"?>', 1)
    iati = open_iati(declared, "declared.xml")
    (record,) = iati.activities()
    assert record.reporting_org.names == {"en": "\u0178"}  # Windows-1252 0x9F is Ÿ, as pyIATI expects
    assert [note.message for note in iati.notes] == ["Read as windows-1252, as its XML declaration says."]
    assert iati.encoding == "windows-1252"


def test_the_utf8_file_of_the_encoding_cases_reads_its_two_byte_letter():
    (record,) = open_iati(ENCODINGS / "valid.xml", "valid.xml").activities()
    assert record.reporting_org.names == {"en": "\u0178"}  # C5 B8 in UTF-8


def test_leading_whitespace_is_skipped_with_a_note_and_lines_stay_those_of_the_file():
    data = (EDGE / "2-02" / "leading_whitespace_xml.xml").read_bytes()
    assert data.startswith(b"\n\n\n<?xml")
    iati = open_iati(data.replace(b'version="xx"', b'version="2.02"', 1), "leading.xml")
    (record,) = iati.activities()
    assert [note.message for note in iati.notes] == ["Leading whitespace before the XML declaration was ignored (3 lines)."]
    assert record.line == 7  # <iati-activity> on the file's seventh line
    assert {f.line for f in record.problems if f.message.startswith("'xx' is not a code")} == {9, 16, 18, 19, 20}


@pytest.mark.parametrize("encoding,bom,notes", [
    ("utf-8", codecs.BOM_UTF8, ["Read as UTF-8 (byte-order mark)."]),
    ("utf-16-be", codecs.BOM_UTF16_BE, ["Read as UTF-16 big-endian (byte-order mark)."]),
    ("utf-32-be", codecs.BOM_UTF32_BE, ["Read as UTF-32 big-endian (byte-order mark)."]),
])
def test_a_byte_order_mark_and_whitespace_before_the_declaration(encoding, bom, notes):
    text = (ENCODINGS / "valid-UTF-8.xml").read_text("utf-8")
    data = bom + ("\r\n  " + text).encode(encoding)
    iati = open_iati(data, "bom.xml")
    records = list(iati.activities())
    assert [note.message for note in iati.notes] == notes + [
        "Leading whitespace before the XML declaration was ignored (1 line)."]
    assert [record.line for record in records] == [5, 20, 35, 50]
