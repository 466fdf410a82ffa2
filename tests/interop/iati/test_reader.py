"""Reading IATI activity files: what an activity becomes, languages, codes in another letter case,
foreign namespaces, sources of every kind, files that cannot be read, progress, and memory that stays flat
whatever the size of the file."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from compact.interop.iati.reader import PROGRESS_EVERY, IatiFileError, open_iati
from compact.interop.iati.records import Organisation, RelatedActivity, Sector, Tag

FULL = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2024-01-31T10:00:00Z" xml:lang="fr" xmlns:x="http://example.org/x">
 <iati-activity default-currency="usd" hierarchy="2" last-updated-datetime="2024-01-30T09:00:00Z" x:source="portal">
  <iati-identifier> XM-DAC-41114-PROJ-1 </iati-identifier>
  <reporting-org ref="XM-DAC-41114" type="40"><narrative xml:lang="en">UNDP</narrative><narrative>PNUD</narrative></reporting-org>
  <title><narrative xml:lang="en">Countering violent extremism</narrative><narrative>Prévenir l'extrémisme violent</narrative></title>
  <description type="1"><narrative xml:lang="en">General</narrative></description>
  <description type="2"><narrative xml:lang="en">Objectives</narrative><narrative xml:lang="ar">الأهداف</narrative></description>
  <participating-org ref="XM-DAC-41114" role="4" type="40" activity-id="XM-DAC-41114-PROJ-1">
   <narrative xml:lang="en">UNDP</narrative></participating-org>
  <participating-org ref="XM-DAC-41122" role="1" type="40"><narrative xml:lang="en">UNICEF</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2023-01-01"/>
  <activity-date type="2" iso-date="2023-02-01"/>
  <activity-date type="3" iso-date="2025-12-31"/>
  <recipient-country code="ml" percentage="60"/>
  <recipient-region code="289" vocabulary="1" percentage="40"/>
  <sector vocabulary="1" code="15210" percentage="70"/>
  <sector code="15220" percentage="30"/>
  <sector vocabulary="99" code="ct-01"><narrative xml:lang="en">Counter-terrorism</narrative></sector>
  <tag vocabulary="3" code="16.A"/>
  <tag vocabulary="2" code="16"/>
  <policy-marker vocabulary="1" code="1" significance="2"/>
  <budget type="1" status="2">
   <period-start iso-date="2023-01-01"/>
   <period-end iso-date="2023-12-31"/>
   <value currency="USD" value-date="2023-01-01">500000</value>
  </budget>
  <transaction ref="T-1">
   <transaction-type code="11"/>
   <transaction-date iso-date="2023-03-01"/>
   <value value-date="2023-03-01">250000.50</value>
   <description><narrative xml:lang="en">First tranche</narrative></description>
   <provider-org ref="XM-DAC-41122" provider-activity-id="XM-DAC-41122-X" type="40">
    <narrative xml:lang="en">UNICEF</narrative></provider-org>
   <receiver-org ref="XM-DAC-41114" receiver-activity-id="XM-DAC-41114-PROJ-1"/>
  </transaction>
  <transaction>
   <transaction-type code="3"/>
   <transaction-date iso-date="2023-06-30Z"/>
   <value currency="eur" value-date="2023-06-30">-1200</value>
  </transaction>
  <related-activity ref="XM-DAC-41114-PROG" type="1"/>
  <x:extra>ignored</x:extra>
 </iati-activity>
</iati-activities>
"""


def minimal(identifier: str = "XM-DAC-41114-1", *, extra: str = "", attributes: str = "", narrative: str = "") -> str:
    """A valid IATI 2.03 activity: the elements the schema requires, then ``extra``."""
    return f"""
 <iati-activity{attributes}>
  <iati-identifier>{identifier}</iati-identifier>
  <reporting-org ref="XM-DAC-41114" type="40"><narrative{narrative}>UNDP</narrative></reporting-org>
  <title><narrative{narrative}>A project</narrative></title>
  <description><narrative{narrative}>What it does</narrative></description>
  <participating-org ref="XM-DAC-41114" role="4"/>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2023-01-01"/>{extra}
 </iati-activity>"""


def document(*activities: str, version: str = "2.03", root_attributes: str = "", before: str = "", after: str = "") -> bytes:
    body = "".join(activities)
    return (f'<?xml version="1.0"?>\n<iati-activities version="{version}"{root_attributes}>{before}{body}{after}\n'
            f"</iati-activities>\n").encode()


def records(data, name: str = "test.xml"):
    iati = open_iati(data, name)
    return iati, list(iati.activities())


def messages(findings) -> list[str]:
    return [finding.message for finding in findings]


def test_an_activity_becomes_a_record_of_iati_codes_and_values():
    iati, (record,) = records(FULL.encode(), "full.xml")
    assert (iati.name, iati.version, iati.default_language, iati.encoding) == ("full.xml", "2.03", "fr", "UTF-8")
    assert record.ok, messages(record.problems)
    assert (record.identifier, record.line, record.position, record.file, record.version) == (
        "XM-DAC-41114-PROJ-1", 3, 1, "full.xml", "2.03")
    assert (record.default_currency, record.default_language, record.hierarchy, record.last_updated) == (
        "USD", "fr", "2", "2024-01-30T09:00:00Z")
    assert record.reporting_org == Organisation(ref="XM-DAC-41114", names={"en": "UNDP", "fr": "PNUD"}, type="40")
    assert record.participating_orgs == [
        Organisation(ref="XM-DAC-41114", names={"en": "UNDP"}, type="40", role="4", activity_id="XM-DAC-41114-PROJ-1"),
        Organisation(ref="XM-DAC-41122", names={"en": "UNICEF"}, type="40", role="1")]
    assert record.titles == {"en": "Countering violent extremism", "fr": "Prévenir l'extrémisme violent"}
    assert record.descriptions == {"1": {"en": "General"}, "2": {"en": "Objectives", "ar": "الأهداف"}}
    assert record.status == "2"
    assert record.dates == {"1": dt.date(2023, 1, 1), "2": dt.date(2023, 2, 1), "3": dt.date(2025, 12, 31)}
    assert [(c.code, c.percentage) for c in record.countries] == [("ML", Decimal("60"))]
    assert [(r.vocabulary, r.code, r.percentage) for r in record.regions] == [("1", "289", Decimal("40"))]
    assert record.sectors == [Sector("1", "15210", Decimal("70")), Sector("1", "15220", Decimal("30")),
                              Sector("99", "ct-01", None)]
    assert record.tags == [Tag("3", "16.a"), Tag("2", "16")]
    assert [(m.vocabulary, m.code, m.significance) for m in record.policy_markers] == [("1", "1", "2")]
    (budget,) = record.budgets
    assert (budget.type, budget.status, budget.period_start, budget.period_end, budget.value, budget.currency,
            budget.value_date, budget.line) == ("1", "2", dt.date(2023, 1, 1), dt.date(2023, 12, 31), Decimal("500000"),
                                                "USD", dt.date(2023, 1, 1), 24)
    first, refund = record.transactions
    assert (first.type, first.date, first.value, first.currency, first.value_date, first.ref, first.description,
            first.line) == ("11", dt.date(2023, 3, 1), Decimal("250000.50"), "USD", dt.date(2023, 3, 1), "T-1",
                            {"en": "First tranche"}, 29)
    assert first.provider == Organisation(ref="XM-DAC-41122", names={"en": "UNICEF"}, type="40",
                                          activity_id="XM-DAC-41122-X")
    assert first.receiver == Organisation(ref="XM-DAC-41114", activity_id="XM-DAC-41114-PROJ-1")
    assert (refund.type, refund.date, refund.value, refund.currency, refund.provider) == (
        "3", dt.date(2023, 6, 30), Decimal("-1200"), "EUR", None)
    assert record.related == [RelatedActivity("1", "XM-DAC-41114-PROG")]
    assert record.languages == {"en", "fr", "ar"}


def test_what_was_normalised_is_said_once_per_code_with_where_it_first_was():
    iati, (record,) = records(FULL.encode(), "full.xml")
    assert [(n.line, n.element, n.message) for n in record.notes] == [
        (3, "iati-activities/iati-activity[1]/@default-currency",
         "1 value without a currency takes the activity's default currency USD."),
        (3, "iati-activities/iati-activity[1]/@default-currency",
         "“usd” was read as “USD”, as the IATI codelist Currency writes it (once)."),
        (16, "iati-activities/iati-activity[1]/recipient-country/@code",
         "“ml” was read as “ML”, as the IATI codelist Country writes it (once)."),
        (21, "iati-activities/iati-activity[1]/tag[1]/@code",
         "“16.A” was read as “16.a”, as the IATI codelist UNSDG-Targets writes it (once)."),
        (41, "iati-activities/iati-activity[1]/transaction[2]/value/@currency",
         "“eur” was read as “EUR”, as the IATI codelist Currency writes it (once)."),
    ]
    assert all(n.activity == "XM-DAC-41114-PROJ-1" and n.file == "full.xml" for n in record.notes)
    assert messages(iati.notes) == [
        "Elements and attributes of the namespace http://example.org/x (extensions to IATI) were ignored."]


@pytest.mark.parametrize("root_lang,activity_lang,narrative_lang,expected", [
    ("", "", ' xml:lang="es"', "es"),  # the narrative's own
    (' xml:lang="fr"', ' xml:lang="ar"', "", "ar"),  # else the activity's
    (' xml:lang="fr"', "", "", "fr"),  # else the file's
    ("", "", "", "en"),  # else English
])
def test_a_narrative_s_language_is_its_own_else_the_activity_s_else_the_file_s_else_english(
        root_lang, activity_lang, narrative_lang, expected):
    _iati, (record,) = records(document(minimal(attributes=activity_lang, narrative=narrative_lang),
                                        root_attributes=root_lang))
    assert record.titles == {expected: "A project"}
    assert record.languages == {expected}
    assert record.default_language == ("ar" if activity_lang else "fr" if root_lang else "en")
    assumed = "Neither the activity nor the file gives a language (xml:lang): texts without one are read as English."
    assert (assumed in messages(record.notes)) is (expected == "en")


def test_languages_written_otherwise_are_read_as_iati_codes_with_a_note():
    _iati, (record,) = records(document(minimal(attributes=' xml:lang="ENG"', extra="""
  <sector code="15210"><narrative xml:lang="en-GB">Security</narrative><narrative xml:lang="FRE">Sécurité</narrative></sector>""")))
    assert record.ok
    assert record.languages == {"en", "fr"}
    assert messages(record.notes) == [
        "“ENG” was read as “en”, as the IATI codelist Language writes it (once).",
        "“en-GB” was read as “en”, as the IATI codelist Language writes it (once).",
        "“FRE” was read as “fr”, as the IATI codelist Language writes it (once).",
    ]


def test_an_unknown_code_is_a_problem_a_withdrawn_one_a_note_and_the_publisher_s_own_kept_as_given():
    _iati, (record,) = records(document(minimal(extra="""
  <recipient-country code="XX"/>
  <sector vocabulary="1" code="41050" percentage="50"/>
  <sector vocabulary="1" code="15210" percentage="50"/>
  <sector vocabulary="98" code="anything"><narrative>Mine</narrative></sector>
  <tag vocabulary="99" code="my-tag"/>
  <policy-marker vocabulary="99" code="UN-GEM" significance="9"><narrative>Gender marker</narrative></policy-marker>""")))
    assert [(p.line, p.element, p.message) for p in record.problems] == [
        (11, "iati-activities/iati-activity[1]/recipient-country/@code",
         "'XX' is not a code of the IATI codelist Country."),
        (16, "iati-activities/iati-activity[1]/policy-marker/@significance",
         "'9' is not a code of the IATI codelist PolicySignificance."),
    ]
    assert "“41050” is withdrawn from the IATI codelist Sector; it is kept, as older data may use it (once)." in \
        messages(record.notes)
    assert [s.code for s in record.sectors] == ["41050", "15210", "anything"]
    assert record.tags == [Tag("99", "my-tag")]
    assert [(m.vocabulary, m.code) for m in record.policy_markers] == [("99", "UN-GEM")]


def test_a_2_01_value_without_currency_takes_the_default_and_without_default_is_a_problem():
    transaction = """
  <transaction>
   <transaction-type code="3"/>
   <transaction-date iso-date="2015-05-01"/>
   <value value-date="2015-05-01">-50.25</value>
  </transaction>"""
    _iati, (with_default, without) = records(document(
        minimal("GB-1-1", attributes=' default-currency="GBP"', extra=transaction),
        minimal("GB-1-2", extra=transaction), version="2.01"))
    assert [(t.value, t.currency) for t in with_default.transactions] == [(Decimal("-50.25"), "GBP")]
    assert with_default.ok
    assert [(t.value, t.currency) for t in without.transactions] == [(Decimal("-50.25"), "")]
    assert messages(without.problems) == [
        "The value has no currency and the activity has no default currency (IATI Standard rule 7.8.1)."]
    assert without.problems[0].element == "iati-activities/iati-activity[2]/transaction/value"


def test_foreign_elements_anywhere_and_foreign_attributes_are_ignored():
    # A foreign element before iati-identifier, where the schema allows none, and one in the middle.
    activity = minimal(extra='\n  <y:note xmlns:y="http://example.org/y">free text</y:note>\n  <sector code="15210"/>')
    activity = activity.replace("<iati-identifier>", '<y:first xmlns:y="http://example.org/y"/>\n  '
                                '<iati-identifier z:flag="1" xmlns:z="http://example.org/z">', 1)
    iati, (record,) = records(document(activity, after='\n <y:tail xmlns:y="http://example.org/y"/>'))
    assert record.ok, messages(record.problems)
    assert record.identifier == "XM-DAC-41114-1"
    assert iati.problems == []
    assert messages(iati.notes) == [
        "Elements and attributes of the namespaces http://example.org/y, http://example.org/z (extensions to IATI) "
        "were ignored."]


def test_an_element_without_namespace_that_iati_does_not_define_is_refused_by_the_schema():
    _iati, (record,) = records(document(minimal(extra="\n  <foo>bar</foo>")))
    assert [(p.line, p.element) for p in record.problems] == [(11, "iati-activities/iati-activity[1]/foo")]
    assert record.problems[0].message.startswith("Not valid against the IATI 2.03 schema: Element 'foo'")


def test_the_root_s_attributes_and_children_are_checked_as_the_schema_says():
    iati, found = records(document(minimal(), root_attributes=' generated-datetime="yesterday"',
                                   after="\n <comment>stray</comment>"))
    assert len(found) == 1
    assert [(p.line, p.element) for p in iati.problems] == [(2, "iati-activities"), (12, "iati-activities/comment")]
    assert "generated-datetime" in iati.problems[0].message
    assert iati.problems[1].message == "The element comment is not allowed in iati-activities, which holds activities only."
    empty_iati, none = records(b'<iati-activities version="2.03"></iati-activities>')
    assert none == []
    assert [(p.line, p.message) for p in empty_iati.problems] == [(1, "The file holds no activity.")]


def test_a_broken_activity_gives_its_problems_without_stopping_the_others():
    broken = minimal("XM-DAC-41114-2", extra="""
  <budget>
   <period-start iso-date="2023-13-01"/>
   <period-end iso-date="2023-12-31"/>
   <value value-date="2023-01-01">1</value>
  </budget>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2023-01-01"/>
   <value value-date="2023-01-01">lots</value></transaction>""")
    _iati, (first, second, third) = records(document(minimal(), broken, minimal("XM-DAC-41114-3")))
    assert first.ok and third.ok
    assert second.budgets == [] and second.transactions == []
    assert [p.element for p in second.problems] == [
        "iati-activities/iati-activity[2]/budget/period-start", "iati-activities/iati-activity[2]/transaction/value"]


@pytest.mark.parametrize("data,message", [
    (b"", "The file is empty."),
    (b"  \n\t ", "The file holds only whitespace."),
    (b"PK\x03\x04\x14\x00\x00\x00", "The file is not XML: it holds binary data (NUL bytes at its start)."),
    (b'<?xml version="1.0" encoding="x-klingon"?><iati-activities version="2.03"/>',
     "The XML declaration names the encoding “x-klingon”, which is not known: save the file as UTF-8."),
    (b"<iati-activities version=\"2.03\"><iati-activity>", "The file is not well-formed XML: "),
    (b'<iati-activities version="1.03"><iati-activity/></iati-activities>',
     "IATI version 1.03 is not supported: only 2.01, 2.02 and 2.03 are; the publisher can convert it to version 2.03 "
     "(the IATI Standard's upgrade guidance says how) and publish it again."),
    (b'<iati-activities version="2.04"><iati-activity/></iati-activities>',
     "“2.04” is not a version of IATI that is read: only 2.01, 2.02 and 2.03 are."),
    (b"<iati-activities><iati-activity><iati-identifier>A</iati-identifier></iati-activity></iati-activities>",
     "The file does not give its IATI version (the version attribute of iati-activities): only 2.01, 2.02 and 2.03 "
     "are read."),
    (b'<x:iati-activities xmlns:x="http://example.org/" version="2.03"/>',
     "This is not an IATI activity file: its root element is {http://example.org/}iati-activities, where an IATI "
     "activity file has iati-activities."),
])
def test_a_file_that_cannot_be_read_is_refused_saying_why(data, message):
    with pytest.raises(IatiFileError) as caught:
        open_iati(data, "bad.xml")
    (finding,) = caught.value.findings
    assert finding.file == "bad.xml"
    assert finding.message.startswith(message)


def test_a_file_that_breaks_further_on_is_refused_when_the_reading_gets_there():
    activities = [minimal(f"XM-DAC-41114-{n}") for n in range(1, 301)]
    activities[250] = activities[250].replace("</title>", "</titel>")
    data = document(*activities)
    line = data.decode().splitlines().index("  <title><narrative>A project</narrative></titel>") + 1
    iati = open_iati(data, "long.xml")  # the start of the file is fine
    seen = []
    with pytest.raises(IatiFileError) as caught:
        for record in iati.activities():
            seen.append(record.identifier)
    assert 0 < len(seen) <= 250
    (finding,) = caught.value.findings
    assert finding.line == line
    assert "not well-formed" in finding.message and "titel" in finding.message


@pytest.mark.parametrize("count", [1, 400])
@pytest.mark.parametrize("encoding,bad,name", [
    ("utf-16", "\ud800".encode("utf-16-le", "surrogatepass"), "UTF-16"),  # a lone surrogate
    ("windows-1252", b"\x81", "windows-1252"),  # a byte Windows-1252 does not define
])
def test_bytes_a_declared_encoding_cannot_read_are_refused_with_their_line(encoding, bad, name, count):
    """At the start of the file (``open_iati``) or further on (``activities()``, 400 activities later)."""
    text = document(*(minimal(f"XM-DAC-41114-{n}") for n in range(count)), minimal("XM-DAC-41114-BAD")).decode()
    text = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>', 1)
    head, tail = text.split("XM-DAC-41114-BAD", 1)
    if encoding == "utf-16":
        data = codecs.BOM_UTF16_LE + head.encode("utf-16-le") + bad + tail.encode("utf-16-le")
    else:
        data = head.encode(encoding) + bad + tail.encode(encoding)
    line = head.count("\n") + 1
    with pytest.raises(IatiFileError) as caught:
        list(open_iati(data, "bad.xml").activities())
    (finding,) = caught.value.findings
    assert finding.line == line
    assert finding.message.startswith(f"The file is not valid {name}")


def test_sources_bytes_paths_and_files_read_alike_and_again(tmp_path):
    data = document(minimal("XM-DAC-41114-1"), minimal("XM-DAC-41114-2"))
    path = tmp_path / "two.xml"
    path.write_bytes(data)
    expected = [r.identifier for r in records(data)[1]]
    assert expected == ["XM-DAC-41114-1", "XM-DAC-41114-2"]
    for source in (data, bytearray(data), str(path), path, io.BytesIO(data), path.open("rb")):
        iati = open_iati(source, "two.xml")
        assert iati.size == len(data)
        assert [r.identifier for r in iati.activities()] == expected
        assert [r.identifier for r in iati.activities()] == expected  # read again from the start


class OneWay:
    """A stream that can only be read forward, as a network upload may be."""

    def __init__(self, data: bytes):
        self._stream = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)


def test_a_one_way_stream_is_read_once():
    data = document(minimal("XM-DAC-41114-1"), minimal("XM-DAC-41114-2"))
    iati = open_iati(OneWay(data), "stream.xml")
    assert iati.size is None
    assert [r.identifier for r in iati.activities()] == ["XM-DAC-41114-1", "XM-DAC-41114-2"]
    with pytest.raises(RuntimeError):
        list(iati.activities())
    with pytest.raises(TypeError):
        open_iati(42, "number")


def generated(count: int) -> bytes:
    """A valid file of ``count`` activities of about 1.3 kB each, with a transaction and a budget."""
    extra = """
  <sector code="15210"/>
  <budget><period-start iso-date="2023-01-01"/><period-end iso-date="2023-12-31"/>
   <value currency="USD" value-date="2023-01-01">1000</value></budget>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2023-05-01"/>
   <value currency="USD" value-date="2023-05-01">250</value>
   <description><narrative xml:lang="en">A disbursement to an implementing partner of the project</narrative></description>
   <receiver-org ref="XM-DAC-41122"><narrative xml:lang="en">UNICEF</narrative></receiver-org></transaction>"""
    return document(*(minimal(f"XM-DAC-41114-{n}", extra=extra, narrative=' xml:lang="en"') for n in range(count)))


def test_progress_is_reported_every_megabyte_and_at_the_end():
    data = generated(3500)
    assert len(data) > 3 * PROGRESS_EVERY
    calls = []
    iati = open_iati(data, "big.xml")
    count = sum(1 for _record in iati.activities(progress=calls.append))
    assert count == 3500
    assert calls[-1] == len(data)
    assert calls == sorted(calls)
    assert all(later - earlier >= PROGRESS_EVERY for earlier, later in zip(calls[:-2], calls[1:-1], strict=True))
    assert len(data) // PROGRESS_EVERY <= len(calls) <= len(data) // PROGRESS_EVERY + 2


def peak_python_memory(data: bytes) -> int:
    """The peak of Python's allocations while the file's activities are read one by one, none kept."""
    iati = open_iati(data, "memory.xml")
    tracemalloc.start()
    try:
        for _record in iati.activities():
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_python_memory_stays_flat_whatever_the_number_of_activities():
    list(open_iati(generated(10), "warm.xml").activities())  # codelists and translations loaded
    small = peak_python_memory(generated(400))
    large = peak_python_memory(generated(1600))
    assert large < small * 1.25 + 256 * 1024, (small, large)


def resident() -> int:
    """The process's resident memory now, in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads the resident memory of Linux processes")
def test_the_parsed_tree_does_not_grow_with_the_file(tmp_path):
    """lxml's tree lives outside Python's allocator: the resident memory, sampled at every activity, grows
    no more for a file four times larger (the whole tree of 20 MB would take well over 100 MB)."""
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    small.write_bytes(generated(5000))
    large.write_bytes(generated(20000))
    growth = {}
    for path in (small, small, large):
        before = resident()
        highest = before
        for _record in open_iati(path, path.name).activities():
            highest = max(highest, resident())
        growth[path.name] = highest - before
    assert large.stat().st_size > 20_000_000
    assert growth["large.xml"] < growth["small.xml"] + 16 * 1024 * 1024, growth
