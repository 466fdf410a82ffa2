"""Importing funding flows: amounts as exact decimals, projects named by number or IATI identifier,
flows updated by number, and every error with its row and column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compact.audit.models import ChangeEvent
from compact.funding.models import Flow
from compact.interop.services import flows_import
from compact.interop.tabular.reader import read_table
from interop.tabular.files import csv_bytes, xlsx_bytes
from support.projects import make_project

HEADER = ["project_iati_identifier", "kind", "provider", "amount", "currency", "date", "reference"]
TAGS = ["#activity +code", "#meta +kind", "#org +funder", "#value", "#currency", "#date", "#meta +ref"]


@pytest.fixture
def sahel(people):
    return make_project(None, iati_identifier="XM-DAC-47066-CT-1")


def run(user, data, name="flows.csv", *, dry_run=False, reason="Flows of 2025"):
    return flows_import(actor=user, table=read_table(data, name), dry_run=dry_run, reason=reason)


def counts():
    return (Flow.objects.count(), ChangeEvent.objects.count())


def test_flows_are_created_with_exact_amounts(people, sahel):
    rows = [HEADER, TAGS,
            ["XM-DAC-47066-CT-1", "requirement", "", "1200000.00", "USD", "2025-01-01", ""],
            ["XM-DAC-47066-CT-1", "commitment", "Japan [XM-DAC-701]", "1234.5", "EUR", "2025-02-03", "JP-2025-7"],
            ["XM-DAC-47066-CT-1", "pledge", "UNDP", "-500", "JPY", "45700", ""]]
    report = run(people.unodc, csv_bytes(rows))
    assert report.problems == [] and report.counts["create"] == 3
    flows = {f.kind: f for f in Flow.objects.filter(project=sahel)}
    assert flows["requirement"].amount == Decimal("1200000.00") and flows["requirement"].currency == "USD"
    commitment = flows["commitment"]
    assert (commitment.amount, commitment.currency, commitment.date) == (Decimal("1234.5"), "EUR", dt.date(2025, 2, 3))
    assert (commitment.provider_name, commitment.provider_ref, commitment.reference) == ("Japan", "XM-DAC-701", "JP-2025-7")
    pledge = flows["pledge"]
    # Excel serial 45700 = 2025-02-12 (45658 is 2025-01-01, plus 42 days).
    assert (pledge.amount, pledge.provider_entity.acronym, pledge.date) == (Decimal(-500), "UNDP", dt.date(2025, 2, 12))


def test_an_xlsx_number_cell_amount_is_read_through_its_text(people, sahel):
    rows = [["project_id", "kind", "amount", "currency", "date", "provider"],
            ["#activity +id", "#meta +kind", "#value", "#currency", "#date", "#org +funder"],
            [sahel.pk, "commitment", 1234.5, "USD", dt.datetime(2025, 5, 1), "Japan"],
            [sahel.pk, "commitment", 12.345, "USD", dt.datetime(2025, 5, 2), "Japan"]]
    report = run(people.unodc, xlsx_bytes(rows), "flows.xlsx")
    # A number cell with more decimals than the currency has is refused, not rounded.
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (4, "C “amount”", "USD has 2 decimal places: 12.345 has 3.")]
    report = run(people.unodc, xlsx_bytes(rows[:3]), "flows.xlsx")
    assert report.written and Flow.objects.get().amount == Decimal("1234.50")


def test_every_error_names_its_row_and_column(people, sahel):
    hidden = make_project(None, title="Confidential study", sensitivity="confidential", lead_entity="UNDP",
                          lead_body="wg-5", working_groups=["wg-5"], iati_identifier="XM-HIDDEN")
    rows = [HEADER + ["colour"], TAGS + ["#meta +colour"],
            ["XM-DAC-47066-CT-1", "commitment", "Japan", "1,234.50", "USD", "2025-01-01", "", ""],  # 3
            ["XM-NOPE", "commitment", "Japan", "10", "USD", "2025-01-01", "", ""],  # 4
            ["XM-DAC-47066-CT-1", "grant", "Japan", "10", "USD", "2025-01-01", "", ""],  # 5
            ["XM-DAC-47066-CT-1", "commitment", "Japan", "10", "XXX", "2025-01-01", "", ""],  # 6
            ["XM-DAC-47066-CT-1", "commitment", "", "10", "USD", "2025-01-01", "", ""],  # 7
            ["XM-DAC-47066-CT-1", "commitment", "Japan", "", "USD", "2025-01-01", "", ""],  # 8
            [hidden.iati_identifier, "commitment", "Japan", "10", "USD", "2025-01-01", "", ""],  # 9
            ["XM-DAC-47066-CT-1", "commitment", "Japan", "10", "USD", "01/02/2025", "", ""]]  # 10
    before = counts()
    report = run(people.unodc, csv_bytes(rows))
    assert [(p.row, p.column, p.value, p.message) for p in report.problems] == [
        (2, "H “colour”", "colour", "Unknown column: it matches no column of this kind of file (see the template)."),
        (3, "D “amount”", "1,234.50",
         "'1,234.50' has a thousands separator: write digits only, with a point for decimals (for example 1234567.50)."),
        (4, "A “project_iati_identifier”", "XM-NOPE", "No joint project has this IATI identifier, or you may not read it."),
        (5, "B “kind”", "grant", "Unknown kind: expected one of requirement, pledge, commitment, disbursement, expenditure."),
        (6, "E “currency”", "XXX", "'XXX' is not a code of the IATI codelist Currency."),
        (7, "C “provider”", "", "A commitment needs a provider: a Compact entity or the donor's name."),
        (8, "D “amount”", "", "A value is required."),
        (9, "A “project_iati_identifier”", "XM-HIDDEN", "No joint project has this IATI identifier, or you may not read it."),
        (10, "F “date”", "01/02/2025",
         "'01/02/2025' is not an unambiguous date: write it as YYYY-MM-DD (for example 2024-01-15) or use a date cell."),
    ]
    assert counts() == before


def test_a_focal_point_of_another_entity_is_refused_row_by_row(people, sahel):
    rows = [HEADER, TAGS, ["XM-DAC-47066-CT-1", "commitment", "Japan", "10", "USD", "2025-01-01", ""]]
    before = counts()
    report = run(people.undp, csv_bytes(rows))
    # The funding services' refusal, from the access policy.
    assert [(p.row, p.message) for p in report.problems] == [(3, "You may read this item but not do this.")]
    assert counts() == before


def test_a_flow_number_updates_the_flow_and_a_dry_run_writes_nothing(people, sahel):
    from compact.funding.services import flow_create

    flow = flow_create(actor=None, project=sahel, kind="commitment", amount=Decimal("100.00"), currency="USD",
                       date=dt.date(2025, 1, 1), provider_name="Japan", reason="set-up")
    rows = [["id", "amount"], ["#meta +id", "#value"], [str(flow.pk), "150.00"]]
    before = counts()
    report = run(people.unodc, csv_bytes(rows), dry_run=True, reason="")
    assert report.ok
    assert [(r.action, r.object_id, r.fields) for r in report.results] == [("update", flow.pk, ("amount",))]
    assert counts() == before
    report = run(people.unodc, csv_bytes(rows), reason="Corrected amount")
    flow.refresh_from_db()
    assert report.written and flow.amount == Decimal("150.00")
    assert ChangeEvent.objects.filter(object_type="funding.flow", reason="Corrected amount").count() == 1


def test_a_file_without_a_project_column_is_refused(people, sahel):
    report = run(people.unodc, csv_bytes([["kind", "amount"], ["#meta +kind", "#value"], ["requirement", "10"]]))
    assert [(p.row, p.message) for p in report.problems] == [
        (None, "The file needs a column project_id (#activity +id) or project_iati_identifier (#activity +code) naming each "
        "flow's joint project, or a column id (#meta +id) naming the flows it changes."),
        (3, "A joint project is required: its number or its IATI identifier."),
        (3, "The file has no column currency, which a new flow needs."),
        (3, "The file has no column date, which a new flow needs.")]
