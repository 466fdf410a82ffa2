"""Flow services and rate loading: who may write, what is refused and why, what is recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired
from compact.funding import services
from compact.funding.models import ExchangeRate, Flow


def _events(obj_type):
    return list(ChangeEvent.objects.filter(object_type=obj_type).order_by("pk"))


def test_focal_point_of_the_lead_entity_adds_a_commitment(world):
    before = len(_events("funding.flow"))
    flow = services.flow_create(actor=world.unodc, project=world.p2, kind="commitment", amount="12500.50",
                                currency="eur", date="2026-01-31", provider_name="Germany", reason="Grant signed")
    assert (flow.amount, flow.currency, flow.date) == (D("12500.50"), "EUR", dt.date(2026, 1, 31))
    events = _events("funding.flow")[before:]
    assert len(events) == 1 and events[0].action == "create" and events[0].reason == "Grant signed"
    assert events[0].changes["amount"] == [None, "12500.50"]


def test_a_user_who_may_not_change_the_project_is_refused(world):
    with pytest.raises(PermissionDenied):  # wco reads p2 (member of wg-2) but is not its focal point or officer
        services.flow_create(actor=world.wco, project=world.p2, kind="requirement", amount="1", currency="USD",
                             date="2026-01-01", reason="x")
    with pytest.raises(Http404):  # unodc may not even read p3 (confidential, wg-5): it does not exist for them
        services.flow_create(actor=world.unodc, project=world.p3, kind="requirement", amount="1", currency="USD",
                             date="2026-01-01", reason="x")
    assert not Flow.objects.filter(amount=D("1")).exists()


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"kind": "gift"}, "kind", "Unknown kind"),
    ({"currency": "XYZ"}, "currency", "XYZ"),
    ({"amount": "0"}, "amount", "zero"),
    ({"amount": 1.5}, "amount", "floating-point"),
    ({"amount": "100.5", "currency": "JPY"}, "amount", "JPY has no minor unit"),
    ({"amount": "ten"}, "amount", "not an amount"),
    ({"date": None}, "date", "A date is required"),
    ({"date": "31/01/2026"}, "date", "not a date"),
    ({"provider_name": ""}, "provider_name", "needs a provider"),
])
def test_bad_flows_are_refused_naming_the_field(world, fields, field, words):
    values = {"kind": "commitment", "amount": "100", "currency": "USD", "date": "2026-01-01",
              "provider_name": "Japan"} | fields
    count = Flow.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.flow_create(actor=world.secretariat, project=world.p1, reason="x", **values)
    assert field in caught.value.message_dict
    assert words in " ".join(caught.value.message_dict[field])
    assert Flow.objects.count() == count


def test_negative_amounts_and_providerless_requirements_are_accepted(world):
    services.flow_create(actor=world.secretariat, project=world.p1, kind="commitment", amount="-500", currency="USD",
                         date="2026-01-01", provider_entity=world.entities["UNDP"], reason="De-obligation")
    services.flow_create(actor=world.secretariat, project=world.p1, kind="requirement", amount="5", currency="USD",
                         date="2026-01-01")


def test_a_flow_of_a_confidential_project_needs_a_reason(world):
    with pytest.raises(ReasonRequired):
        services.flow_create(actor=world.secretariat, project=world.p2, kind="requirement", amount="5", currency="USD",
                             date="2026-01-01")


def test_update_needs_a_reason_and_records_only_what_changed(world):
    flow = Flow.objects.get(project=world.p2, currency="JPY")
    with pytest.raises(ReasonRequired):
        services.flow_update(actor=world.unodc, flow=flow, reason=" ", amount="1")
    before = len(_events("funding.flow"))
    services.flow_update(actor=world.unodc, flow=flow, reason="Amended", amount="31000000")
    events = _events("funding.flow")[before:]
    assert [e.changes for e in events] == [{"amount": ["30000000.000", "31000000"]}]
    services.flow_update(actor=world.unodc, flow=flow, reason="Again", amount=D("31000000"))
    assert len(_events("funding.flow")) == before + 1  # nothing changed: nothing recorded
    with pytest.raises(ValidationError) as caught:
        services.flow_update(actor=world.unodc, flow=flow, reason="x", created_by=None)
    assert "created_by" in caught.value.message_dict
    with pytest.raises(Http404):  # moving it to a project unodc may not read
        services.flow_update(actor=world.unodc, flow=flow, reason="x", project=world.p3)


def test_delete_needs_a_reason_and_the_right_to_change(world):
    flow = Flow.objects.get(project=world.p3, kind="commitment")
    with pytest.raises(ReasonRequired):
        services.flow_delete(actor=world.secretariat, flow=flow, reason="")
    with pytest.raises(Http404):
        services.flow_delete(actor=world.wco, flow=flow, reason="x")
    services.flow_delete(actor=world.secretariat, flow=flow, reason="Entered twice")
    assert not Flow.objects.filter(pk=flow.pk).exists()
    assert _events("funding.flow")[-1].action == "delete"


# --- rates --------------------------------------------------------------------------------------------

def _rates():
    return sorted(ExchangeRate.objects.values_list("currency", "month", "rate"))


def test_rates_load_creates_replaces_and_leaves_alone(world):
    rows = [
        {"currency": "EUR", "month": "2026-01", "rate": "0.8"},  # same as stored: unchanged
        {"currency": "JPY", "month": "2026-02-15", "rate": "151.25"},  # replaces 150
        {"currency": "eur", "month": dt.date(2026, 3, 9), "rate": D("0.9215")},  # new
    ]
    dry = services.rates_load(actor=world.secretariat, rows=rows, reason="March rates", dry_run=True)
    assert dry.ok and not dry.written
    assert [(c.currency, c.month, c.action, c.before) for c in dry.changes] == [
        ("EUR", dt.date(2026, 1, 1), "unchanged", D("0.8")),
        ("JPY", dt.date(2026, 2, 1), "update", D("150")),
        ("EUR", dt.date(2026, 3, 1), "create", None),
    ]
    assert ExchangeRate.objects.count() == 2
    before = ChangeEvent.objects.count()
    report = services.rates_load(actor=world.secretariat, rows=rows, reason="March rates")
    assert report.written and (report.count("create"), report.count("update"), report.count("unchanged")) == (1, 1, 1)
    assert _rates() == [("EUR", dt.date(2026, 1, 1), D("0.8")), ("EUR", dt.date(2026, 3, 1), D("0.9215")),
                        ("JPY", dt.date(2026, 2, 1), D("151.25"))]
    events = list(ChangeEvent.objects.filter(pk__gt=0).order_by("pk"))[before:]
    assert sorted(e.action for e in events) == ["create", "update"]


@pytest.mark.parametrize(("row", "column", "words"), [
    ({"currency": "XYZ", "month": "2026-04", "rate": "1"}, "currency", "XYZ"),
    ({"currency": "USD", "month": "2026-04", "rate": "1"}, "currency", "US dollars need no rate"),
    ({"currency": "EUR", "month": "April 2026", "rate": "1"}, "month", "YYYY-MM"),
    ({"currency": "EUR", "month": "2026-13", "rate": "1"}, "month", "YYYY-MM"),
    ({"currency": "EUR", "month": "2026-04", "rate": "abc"}, "rate", "Not a number"),
    ({"currency": "EUR", "month": "2026-04", "rate": "0"}, "rate", "positive"),
    ({"currency": "EUR", "month": "2026-04", "rate": "-1"}, "rate", "positive"),
    ({"currency": "EUR", "month": "2026-04", "rate": ""}, "rate", "required"),
    ({"currency": "EUR", "month": "2026-04", "rate": "0.123456789"}, "rate", "8 decimal places"),
    ({"currency": "EUR", "month": "2026-04", "rate": 0.5}, "rate", "floating-point"),
    ({"currency": "EUR", "month": "2026-01", "rate": "0.7"}, "month", "already given on row 1"),
])
def test_one_bad_row_writes_nothing(world, row, column, words):
    rows = [{"currency": "EUR", "month": "2026-01", "rate": "0.95"}, {"currency": "GBP", "month": "2026-04", "rate": "0.79"},
            row]
    stored, events = _rates(), ChangeEvent.objects.count()
    report = services.rates_load(actor=world.secretariat, rows=rows, reason="April rates")
    assert not report.ok and not report.written
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    assert words in report.errors[0].message
    assert str(report.errors[0]).startswith(f"Row 3, column {column}")
    assert _rates() == stored and ChangeEvent.objects.count() == events  # the good rows were not written either


def test_rates_are_loaded_by_the_secretariat_only_with_a_reason(world):
    rows = [{"currency": "EUR", "month": "2026-04", "rate": "0.9"}]
    with pytest.raises(PermissionDenied):
        services.rates_load(actor=world.unodc, rows=rows, reason="x")
    with pytest.raises(ReasonRequired):
        services.rates_load(actor=world.secretariat, rows=rows, reason="")
    assert not services.rates_load(actor=world.secretariat, rows=[], reason="x").ok


def test_rates_read_csv_saved_by_excel():
    # Excel in a French locale: UTF-8 with BOM, ";" separators, decimal commas, header in capitals, a blank line
    data = "\ufeffCurrency;Month;Rate;Notes\r\nEUR;2026-03;0,9215;x\r\n\r\nJPY;2026-03;149,5;\r\n".encode()
    assert services.rates_read_csv(data) == [
        {"currency": "EUR", "month": "2026-03", "rate": "0.9215", "row": "2"},
        {"currency": "JPY", "month": "2026-03", "rate": "149.5", "row": "4"},
    ]
    plain = b" currency , MONTH,rate,source\nEUR,2026-03,0.9215,UN Treasury\n"
    assert services.rates_read_csv(plain) == [
        {"currency": "EUR", "month": "2026-03", "rate": "0.9215", "source": "UN Treasury", "row": "2"}]
    windows = "currency,month,rate,source\nEUR,2026-03,0.9,Trésor\n".encode("cp1252")
    assert services.rates_read_csv(windows)[0]["source"] == "Trésor"


def test_rates_read_csv_refuses_missing_columns_and_empty_files():
    with pytest.raises(ValidationError) as caught:
        services.rates_read_csv(b"currency,value\nEUR,1\n")
    assert "month, rate" in caught.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        services.rates_read_csv(b"\n\n")


def test_csv_row_numbers_reach_the_errors(world):
    rows = services.rates_read_csv(b"currency;month;rate\n\nEUR;2026-05;0,9\nEUR;2026-05;x\n")
    report = services.rates_load(actor=world.secretariat, rows=rows, reason="May")
    assert [(e.row, e.column, e.value) for e in report.errors] == [(4, "rate", "x")]


def test_an_amount_longer_than_fifteen_significant_digits_is_refused_not_rounded(world):
    """SQLite keeps decimals as IEEE 754 doubles (15 significant digits): 12345678901234567 would be stored
    as 12345678901234600, so it is refused with its field; 999999999999.99 (15 digits) is kept exactly."""
    with pytest.raises(ValidationError) as excinfo:
        services.flow_create(actor=None, project=world.p4, kind="requirement", amount="12345678901234567",
                             currency="USD", date=dt.date(2026, 5, 1))
    assert "15 significant digits" in excinfo.value.message_dict["amount"][0]
    flow = services.flow_create(actor=None, project=world.p4, kind="requirement", amount="999999999999.99",
                                currency="USD", date=dt.date(2026, 5, 1))
    assert Flow.objects.get(pk=flow.pk).amount == D("999999999999.99")
