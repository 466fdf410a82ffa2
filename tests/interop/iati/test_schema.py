"""The official IATI 2.03 schema, used offline, on IATI's own schema test corpus: every should-pass file
validates, every should-fail file is refused with a located error, activity by activity as the reader
streams, with the same verdict as validating the whole document."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from lxml import etree

from compact.interop.iati import schema
from compact.interop.iati.reader import IatiFileError, open_iati

DATA = Path(__file__).resolve().parents[2] / "data" / "iati"
SCHEMA_TESTS = DATA / "schema-tests-2.03" / "tests"
SCHEMA_PREFIX = "Not valid against the IATI 2.03 schema"


def corpus(folder: Path) -> list[tuple[str, Path]]:
    """``(kind, path)`` of every file under ``folder``, ``kind`` being ``should-pass`` or ``should-fail``
    (the folder the file sits in), whatever its extension: one should-fail file has none."""
    files = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            kind = "should-fail" if "should-fail" in path.parts else "should-pass"
            files.append((kind, path))
    return files


def with_version(data: bytes, version: str) -> bytes:
    """The file with ``version="xx"`` (every schema test file has it) made ``version``, so that the
    reader, which refuses unknown versions, reads it; the schema accepts any version string."""
    return re.sub(rb'(<iati-activities\b[^>]*\bversion=")xx(")', rb"\g<1>" + version.encode() + rb"\g<2>", data, count=1)


def per_activity_errors(document) -> list[tuple[int | None, str, str]]:
    """The document checked as the reader checks it: the root's attributes, then each activity on its
    own; an element without namespace other than an activity at the top level, or no activity at all,
    is an error as the schema says."""
    root = document.getroot()
    if root.tag != "iati-activities":
        return [(root.sourceline, root.tag, "not an activities file")]
    errors = list(schema.validate_root(root))
    activities = 0
    for child in root:
        if not isinstance(child.tag, str) or child.tag.startswith("{"):
            continue
        if child.tag == "iati-activity":
            activities += 1
            errors += schema.validate_activity(child, position=activities)
        else:
            errors.append((child.sourceline, f"iati-activities/{child.tag}", "not an activity"))
    if not activities:
        errors.append((root.sourceline, "iati-activities", "no activity"))
    return errors


def test_the_schema_is_built_once_from_the_shipped_files_without_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the schema must not touch the network")

    monkeypatch.setattr(socket, "socket", no_network)
    schema.activities_schema.cache_clear()
    built = schema.activities_schema()
    assert isinstance(built, etree.XMLSchema)
    assert schema.activities_schema() is built


def test_an_import_the_platform_does_not_ship_is_refused_not_fetched():
    parser = schema.safe_parser()
    parser.resolvers.add(schema._PackageResolver())
    document = etree.fromstring(
        b'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        b'<xsd:include schemaLocation="http://example.org/elsewhere.xsd"/></xsd:schema>',
        parser, base_url="iati-activities-schema.xsd")
    with pytest.raises(etree.XMLSchemaParseError):
        etree.XMLSchema(document.getroottree())


def test_per_activity_validation_gives_the_verdict_of_the_whole_document_on_the_corpus():
    verdicts = {"should-pass": 0, "should-fail": 0, "not well-formed": 0}
    for kind, path in corpus(SCHEMA_TESTS):
        try:
            document = etree.parse(str(path), schema.safe_parser())
        except etree.XMLSyntaxError:
            assert kind == "should-fail", path
            verdicts["not well-formed"] += 1
            continue
        whole = schema.activities_schema().validate(document)
        errors = per_activity_errors(document)
        assert whole == (not errors), (path, errors)
        assert whole == (kind == "should-pass"), path
        verdicts[kind] += 1
        for line, element, message in errors:
            assert line and element and message, (path, errors)
    print(f"\nIATI 2.03 schema tests, per activity: {verdicts['should-pass']} should-pass valid, "
          f"{verdicts['should-fail']} should-fail invalid, {verdicts['not well-formed']} not well-formed")
    assert verdicts == {"should-pass": 215, "should-fail": 323, "not well-formed": 1}


def structural_findings(data: bytes, name: str):
    """What the reader says against a file's structure: ``("refused", findings)`` when it cannot read the
    file at all, else ``("read", findings)`` with the file's problems and the activities' schema
    problems (codelist problems aside: the corpus writes ``xx`` for every code)."""
    try:
        iati = open_iati(data, name)
        records = list(iati.activities())
    except IatiFileError as exc:
        return "refused", exc.findings
    findings = list(iati.problems)
    findings += [problem for record in records for problem in record.problems if problem.message.startswith(SCHEMA_PREFIX)]
    return "read", findings


def test_the_reader_passes_every_should_pass_file_and_refuses_every_should_fail_file_with_a_located_error():
    counts = {"should-pass": 0, "should-fail": 0}
    for kind, path in corpus(SCHEMA_TESTS):
        outcome, findings = structural_findings(with_version(path.read_bytes(), "2.03"), path.name)
        if kind == "should-pass":
            assert (outcome, findings) == ("read", []), (path, [str(f) for f in findings])
        else:
            assert findings, path
            for finding in findings:
                assert finding.file == path.name and finding.line, (path, str(finding))
                if outcome == "read":
                    assert finding.element.startswith("iati-activities"), (path, str(finding))
        counts[kind] += 1
    print(f"\nIATI 2.03 schema tests through the reader: {counts['should-pass']} should-pass read without a "
          f"problem, {counts['should-fail']} should-fail refused with a located error")
    assert counts == {"should-pass": 215, "should-fail": 324}


@pytest.mark.parametrize("version,expected", [("2.01", 50), ("2.02", 58)])
def test_older_versions_schema_tests_validate_against_the_2_03_schema(version, expected):
    files = corpus(DATA / f"schema-tests-version-{version}" / "tests")
    assert {kind for kind, _path in files} == {"should-pass"}
    for _kind, path in files:
        outcome, findings = structural_findings(with_version(path.read_bytes(), version), path.name)
        assert (outcome, findings) == ("read", []), (path, [str(f) for f in findings])
    print(f"\nIATI {version} schema tests: {len(files)} should-pass files valid against the 2.03 schema")
    assert len(files) == expected


def test_each_error_of_an_activity_is_given_with_its_line_and_element_path():
    data = b"""<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity>
  <iati-identifier>XM-DAC-1-A</iati-identifier>
  <reporting-org ref="XM-DAC-1" type="10"><narrative>Org</narrative></reporting-org>
  <title><narrative>A</narrative></title>
  <description><narrative>A</narrative></description>
  <participating-org role="1" ref="XM-DAC-1"/>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2020-01-01"/>
 </iati-activity>
 <iati-activity>
  <iati-identifier>XM-DAC-1-B</iati-identifier>
  <reporting-org ref="XM-DAC-1" type="10"><narrative>Org</narrative></reporting-org>
  <title><narrative>B</narrative></title>
  <description><narrative>B</narrative></description>
  <participating-org role="1" ref="XM-DAC-1"/>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2020-01-01"/>
  <budget>
   <period-start iso-date="2020-01-01"/>
   <period-end iso-date="2020-12-31"/>
   <value value-date="2020-01-01">100</value>
  </budget>
  <budget>
   <period-start iso-date="2021-01-01"/>
   <period-end iso-date="not a date"/>
   <value value-date="2021-01-01">a hundred</value>
  </budget>
 </iati-activity>
</iati-activities>
"""
    document = etree.fromstring(data, schema.safe_parser()).getroottree()
    second = document.getroot()[1]
    errors = schema.validate_activity(second, position=2)
    assert [(line, path) for line, path, _message in errors] == [
        (27, "iati-activities/iati-activity[2]/budget[2]/period-end"),
        (28, "iati-activities/iati-activity[2]/budget[2]/value"),
    ]
    assert "iso-date" in errors[0][2] and "xs:decimal" in errors[1][2]
    assert schema.validate_activity(document.getroot()[0], position=1) == []
