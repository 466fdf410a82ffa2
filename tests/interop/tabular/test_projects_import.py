"""Importing joint projects from CSV and XLSX: what is created and updated, every kind of error with its
row and column, and a database left as it was after a failed import or a dry run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired
from compact.interop.services import projects_import
from compact.interop.tabular.reader import read_table
from compact.projects.models import Area, Participant, Project, Sector
from interop.tabular.files import csv_bytes, xlsx_bytes
from support.projects import make_project

HEADER = ["iati_identifier", "title_en", "title_fr", "lead_entity", "lead_working_group", "start", "countries",
          "implementing", "funding", "sectors", "sdg_targets"]
TAGS = ["#activity +code", "#activity +name +i_en", "#activity +name +i_fr", "#org +lead +code", "#group +lead +code",
        "#date +start", "#country +code", "#org +impl", "#org +funder", "#sector +code", "#sector +sdg +code"]
BORDERS = ["XM-DAC-47066-CT-1", "Border management in Central Asia", "Gestion des frontières en Asie centrale",
           "UNODC", "wg-2", "2025-01-01", "004:50;008:50", "UNODC; UNDP", "Japan [XM-DAC-701]", "15210", "16.a"]


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Project, Participant, Area, Sector, ChangeEvent)}


def run(user, data, name="projects.csv", *, dry_run=False, reason="Projects of 2025"):
    return projects_import(actor=user, table=read_table(data, name), dry_run=dry_run, reason=reason)


def test_a_csv_as_excel_saves_it_creates_the_projects(people):
    # Semicolons, a byte-order mark, an Excel serial date (45658 = 2025-01-01) and codes with leading zeros.
    second = ["", "Prison radicalisation", "", "UNODC", "wg-2", "45658", "466", "UNODC", "", "15210:60;15220:40", ""]
    report = run(people.unodc, csv_bytes([HEADER, TAGS, BORDERS, second], delimiter=";", bom=True))
    assert report.problems == [] and report.written
    assert [(r.row, r.action) for r in report.results] == [(3, "create"), (4, "create")]
    borders = Project.objects.get(iati_identifier="XM-DAC-47066-CT-1")
    assert (borders.title_en, borders.title_fr, borders.lead_entity.acronym, borders.lead_body.key) == (
        "Border management in Central Asia", "Gestion des frontières en Asie centrale", "UNODC", "wg-2")
    assert borders.start == dt.date(2025, 1, 1)
    assert sorted((a.code, a.percentage) for a in borders.areas.all()) == [("004", Decimal(50)), ("008", Decimal(50))]
    assert sorted((p.role, p.entity.acronym if p.entity else p.name, p.ref) for p in borders.participants.all()) == [
        ("1", "Japan", "XM-DAC-701"), ("4", "UNDP", ""), ("4", "UNODC", "")]
    assert list(borders.sdg_targets.values_list("code", flat=True)) == ["16.a"]
    prisons = Project.objects.get(title_en="Prison radicalisation")
    assert prisons.iati_identifier is None and prisons.start == dt.date(2025, 1, 1)
    assert sorted((s.code, s.percentage) for s in prisons.sectors.all()) == [("15210", 60), ("15220", 40)]
    assert [(a.code, a.percentage) for a in prisons.areas.all()] == [("466", 100)]
    assert set(ChangeEvent.objects.filter(object_type="projects.project").values_list("reason", flat=True)) == {
        "Projects of 2025"}


def test_an_xlsx_number_4_in_the_country_column_is_read_as_004_and_reported(people):
    data = xlsx_bytes([["title_en", "lead_entity", "lead_working_group", "countries", "start"],
                       ["#activity +name +i_en", "#org +lead +code", "#group +lead +code", "#country +code", "#date +start"],
                       ["Afghanistan border posts", "UNODC", "wg-2", 4, dt.datetime(2025, 3, 1)]])
    report = run(people.unodc, data, "projects.xlsx")
    assert report.written
    project = Project.objects.get(title_en="Afghanistan border posts")
    assert [(a.code, a.percentage) for a in project.areas.all()] == [("004", 100)]
    assert project.start == dt.date(2025, 3, 1)
    assert [(n.row, n.column, n.message) for n in report.notes] == [
        (3, "D “countries”", "The number 4 was read as the UN M49 code 004.")]


def test_a_row_with_an_existing_iati_identifier_updates_only_what_differs(people):
    project = make_project(None, iati_identifier="XM-DAC-47066-CT-1")
    data = csv_bytes([["iati_identifier", "title_en", "end"], ["#activity +code", "#activity +name +i_en", "#date +end"],
                      ["XM-DAC-47066-CT-1", "Border security in the Sahel", "2027-06-30"]])
    before = ChangeEvent.objects.count()
    report = run(people.unodc, data)
    assert [(r.action, r.object_id, r.fields) for r in report.results] == [("update", project.pk, ("end",))]
    project.refresh_from_db()
    assert project.end == dt.date(2027, 6, 30) and project.title_fr == "Sécurité des frontières au Sahel"
    assert ChangeEvent.objects.count() == before + 1


def test_a_dry_run_reports_what_would_change_and_writes_nothing(people):
    before = counts()
    report = run(people.unodc, csv_bytes([HEADER, TAGS, BORDERS]), dry_run=True, reason="")
    assert report.ok and not report.written and report.counts == {"create": 1, "update": 0, "unchanged": 0}
    assert report.results[0].object_id is None
    assert counts() == before


def test_a_real_import_needs_a_reason(people):
    with pytest.raises(ReasonRequired):
        run(people.unodc, csv_bytes([HEADER, TAGS, BORDERS]), reason=" ")


def bad_rows():
    """One row per kind of error, and the problem each must give: (row, column, hashtag, value, message)."""
    header = HEADER + ["notes"]
    tags = TAGS + ["#meta +notes"]

    def row(**changes):
        values = dict(zip(HEADER, BORDERS, strict=True)) | {"iati_identifier": ""} | changes
        return [values[h] for h in HEADER] + [""]

    rows = [
        row(iati_identifier="XM-A", lead_entity=""),  # 3: missing required value
        row(iati_identifier="XM-B", sdg_targets="16.z"),  # 4: bad code
        row(iati_identifier="XM-C", start="15/01/2025"),  # 5: bad date
        row(iati_identifier="XM-D", countries="004:33.33;008:33.33;012:33.33"),  # 6: percentages not 100
        row(iati_identifier="XM-E", lead_entity="UNDP", lead_working_group="wg-5"),  # 7: permission refused
        row(iati_identifier="XM-F"),  # 8
        row(iati_identifier="XM-F"),  # 9: duplicate identifier within the file
        row(iati_identifier="XM-G", countries="999"),  # 10: unknown M49 code
    ]
    expected = [
        (2, "L “notes”", "#meta +notes", "notes", "Unknown column: it matches no column of this kind of file (see the template)."),
        (3, "D “lead_entity”", "#org +lead +code", "", "A value is required."),
        (4, "K “sdg_targets”", "#sector +sdg +code", "16.z", "'16.z' is not a code of the IATI codelist UNSDG-Targets."),
        (5, "F “start”", "#date +start", "15/01/2025",
         "'15/01/2025' is not an unambiguous date: write it as YYYY-MM-DD (for example 2024-01-15) or use a date cell."),
        (6, "G “countries”", "#country +code", "004:33.33;008:33.33;012:33.33",
         "Percentages of beneficiary countries and regions sum to 99.99, not 100: 33.33 + 33.33 + 33.33."),
        (7, "", "", "", "You may not add a joint project for this lead entity and working group."),
        (9, "A “iati_identifier”", "#activity +code", "XM-F", "Row 8 has this IATI identifier too."),
        (10, "G “countries”", "#country +code", "999", "'999' is not a UN M49 country or region code."),
    ]
    return [header, tags, *rows], expected


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_error_names_row_column_value_and_reason_and_nothing_is_written(people, file_format):
    rows, expected = bad_rows()
    data = csv_bytes(rows) if file_format == "csv" else xlsx_bytes(rows)
    before = counts()
    report = run(people.unodc, data, f"projects.{file_format}")
    assert [(p.row, p.column, p.hashtag, p.value, p.message) for p in report.problems] == expected
    assert not report.written
    assert counts() == before  # the good row 8 was rolled back too: no project, no change-log event


def test_thousands_separators_and_decimal_commas_in_percentages_are_refused(people):
    data = csv_bytes([["title_en", "lead_entity", "lead_working_group", "sectors"],
                      ["#activity +name +i_en", "#org +lead +code", "#group +lead +code", "#sector +code"],
                      ["A", "UNODC", "wg-2", "15210:50,5;15220:49,5"]], delimiter=";")
    report = run(people.unodc, data)
    assert [p.message for p in report.problems] == [
        "'50,5' has a decimal comma: write a point for decimals (for example 50.5)."]


def test_a_focal_point_cannot_update_another_entitys_project(people):
    make_project(None, iati_identifier="XM-DAC-47066-CT-1")
    data = csv_bytes([["iati_identifier", "end"], ["#activity +code", "#date +end"], ["XM-DAC-47066-CT-1", "2027-06-30"]])
    before = counts()
    report = run(people.undp, data)
    assert [(p.row, p.message) for p in report.problems] == [(3, "You may read this joint project but not change it.")]
    assert counts() == before


def test_an_unknown_project_number_is_refused(people):
    data = csv_bytes([["id", "title_en"], ["#activity +id", "#activity +name +i_en"], ["999999", "Renamed"]])
    report = run(people.secretariat, data)
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (3, "A “id”", "No joint project has this number, or you may not read it.")]
