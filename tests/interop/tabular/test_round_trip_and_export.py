"""Exports: what a user may export, as CSV and XLSX with the HXL row, written to the access log, and
importing back with no change."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from compact.audit.models import AccessEvent, ChangeEvent
from compact.funding.models import Flow
from compact.funding.services import flow_create
from compact.interop.selectors import export_table, template
from compact.interop.services import flows_import, projects_import
from compact.interop.tabular.reader import read_table
from compact.projects.models import Project
from support.projects import make_project


@pytest.fixture
def world(people):
    """Three projects: the factory's (Mali 60 / Niger 40, Japan funding), one with every kind of cell that
    could change on the way (a French-only description, a formula-like title, sectors in two vocabularies,
    a resolution paragraph, markers empty), and a confidential one of wg-5 led by UNDP; flows in USD,
    EUR and JPY."""
    from compact.registry.models import StrategyReview

    sahel = make_project(None, iati_identifier="XM-DAC-47066-CT-1")
    review = StrategyReview.objects.exclude(resolution="").order_by("-number").first()
    odd = make_project(
        None, title={"en": "=Prisons; radicalisation", "ar": "السجون"}, description={"fr": "Étude « pilote »"},
        sectors=[{"vocabulary": "1", "code": "15210", "percentage": Decimal("33.333")},
                 {"vocabulary": "1", "code": "15220", "percentage": Decimal("66.667")},
                 {"vocabulary": "2", "code": "152", "percentage": None}],
        areas=[{"code": "002", "percentage": Decimal("100")}], gender_marker=None, human_rights_marker=None,
        resolution_paragraphs=[{"review": review, "paragraph": "118"}], participants=[], start=None, end=None,
        stage="submitted")
    secret = make_project(None, title="Confidential study", sensitivity="confidential", lead_entity="UNDP",
                          lead_body="wg-5", working_groups=["wg-5"])
    for project, kind, amount, currency, day in [
        (sahel, "requirement", "1200000.00", "USD", dt.date(2025, 1, 1)),
        (sahel, "commitment", "-250.5", "EUR", dt.date(2025, 2, 1)),
        (odd, "pledge", "5000", "JPY", dt.date(2025, 3, 1)),
        (secret, "requirement", "10.00", "USD", dt.date(2025, 4, 1)),
    ]:
        flow_create(actor=None, project=project, kind=kind, amount=Decimal(amount), currency=currency, date=day,
                    provider_name="" if kind == "requirement" else "-Donor [XM-1]", reason="set-up")
    return sahel, odd, secret


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("kind,importer", [("projects", projects_import), ("flows", flows_import)])
def test_an_exported_file_imports_back_with_no_change(people, world, kind, importer, file_format):
    exported = export_table(user=people.secretariat, kind=kind, file_format=file_format)
    events = ChangeEvent.objects.count()
    report = importer(actor=people.secretariat, table=read_table(exported.content, exported.filename), dry_run=False,
                      reason="Round trip")
    assert report.problems == []
    assert [r for r in report.results if r.action != "unchanged"] == []
    assert report.counts == {"create": 0, "update": 0, "unchanged": 3 if kind == "projects" else 4}
    assert ChangeEvent.objects.count() == events


def test_the_projects_csv_has_the_header_the_hxl_row_and_the_cells(people, world):
    sahel, odd, _secret = world
    exported = export_table(user=people.secretariat, kind="projects", file_format="csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    header, tags, *rows = rows_of(exported.content)
    assert header[:4] == ["id", "iati_identifier", "title_ar", "title_en"]
    assert tags[:4] == ["#activity +id", "#activity +code", "#activity +name +i_ar", "#activity +name +i_en"]
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert [c["id"] for c in cells] == [str(p.pk) for p in world]
    first, second = cells[0], cells[1]
    assert (first["countries"], first["funding"], first["implementing"], first["sectors"]) == (
        "466:60; 562:40", "Japan [XM-DAC-701]", "UNODC", "15210:100")
    assert (first["lead_entity"], first["lead_working_group"], first["pillars"], first["start"]) == (
        "UNODC", "wg-2", "2", "2025-01-01")
    assert second["title_en"] == "'=Prisons; radicalisation"  # no formula when a spreadsheet opens it
    assert (second["sectors"], second["countries"], second["stage"]) == ("15210:33.333; 15220:66.667; 2:152:", "002:100",
                                                                         "submitted")


def test_exports_hold_only_what_the_user_may_export_and_are_logged(people, world):
    _sahel, _odd, secret = world
    exported = export_table(user=people.unodc, kind="flows", file_format="csv", detail="test")
    _header, _tags, *rows = rows_of(exported.content)
    assert len(rows) == 3 and str(secret.pk) not in {r[1] for r in rows}
    event = AccessEvent.objects.get(user=people.unodc)
    assert (event.action, event.object_type, event.row_count, event.detail) == ("export", "projects.project", 3,
                                                                                 "flows csv test")
    exported = export_table(user=people.undp, kind="projects", file_format="csv")
    assert len(rows_of(exported.content)) == 2 + 3  # UNDP's focal point reads its confidential project
    logged = AccessEvent.objects.filter(user=people.undp).get()
    assert logged.object_ids == sorted(p.pk for p in world) and logged.highest_sensitivity == "confidential"
    assert Project.objects.count() == 3 and Flow.objects.count() == 4


def test_a_visitor_exports_no_internal_project(world):
    from django.contrib.auth.models import AnonymousUser

    exported = export_table(user=AnonymousUser(), kind="projects", file_format="csv")
    assert len(rows_of(exported.content)) == 2


def test_templates_hold_the_two_header_rows_only(db):
    content = template(kind="flows", file_format="csv").content
    assert rows_of(content) == [
        ["id", "project_id", "project_iati_identifier", "project_title", "kind", "provider", "receiver", "amount",
         "currency", "date", "reference", "description"],
        ["#meta +id", "#activity +id", "#activity +code", "#activity +name", "#meta +kind", "#org +funder",
         "#org +receiver", "#value", "#currency", "#date", "#meta +ref", "#description"]]
    table = read_table(template(kind="projects", file_format="xlsx").content, "t.xlsx")
    # id, iati_identifier, 6 titles, 6 descriptions, lead entity and working group, working groups, pillars,
    # stage, activity status, start, end, 4 organisation roles, countries, sectors, SDG targets, paragraphs,
    # 2 markers, currency, sensitivity: 2 + 12 + 4 + 4 + 4 + 4 + 4 = 34.
    assert table.rows == [] and len(table.columns) == 34
