"""Exports of the audit trail: CSV from the pages and ``compact audit-export``, each recorded in the access log."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from compact.audit.models import AccessEvent, ChangeEvent
from compact.registry.models import Entity


@pytest.fixture
def trail(seeded, events, focal_point):
    unodc = Entity.objects.get(acronym="UNODC")
    at = events.at
    made = [
        events.change_at(at("2025-05-01", "08:00"), actor=focal_point, actor_label="tomas", actor_entity=unodc,
                         changes={"name_ar": [None, "مكتب الأمم المتحدة"], "iati_identifier": ["", "=1+1"]},
                         reason='Arabic name, "quoted", with a comma\nand a second line', request_id="req-1"),
        events.change_at(at("2025-05-02", "08:00"), action="delete", object_type="registry.entityalias", object_id="9",
                         object_repr="Old alias", changes={"name": ["Old alias", None]}, reason="Withdrawn"),
        events.change_at(at("2025-05-03", "08:00"), object_type="registry.body", object_id="3", object_repr="WG 3",
                         changes={"dissolved": [None, "2025-05-03"]}, reason="Dissolved"),
    ]
    accesses = [
        events.access_at(at("2025-05-01", "09:00"), user=focal_point, user_label="tomas", user_entity=unodc,
                         object_ids=[3, 14], row_count=7, highest_sensitivity="confidential", action="list",
                         path="/library/", detail="list page 1", request_id="req-9"),
        events.access_at(at("2025-05-04", "09:00"), object_ids=[2], highest_sensitivity="strictly_confidential"),
    ]
    return made, accesses


def _csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _expected_change_row(event: ChangeEvent) -> dict:
    return {
        "id": str(event.pk),
        "time": timezone.localtime(event.time).isoformat(),
        "actor": event.actor_label,
        "actor_entity": event.actor_entity.acronym if event.actor_entity else "",
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object": event.object_repr,
        "changes": event.changes,
        "reason": event.reason,
        "request_id": event.request_id,
    }


@pytest.mark.django_db
def test_change_log_export_holds_the_filtered_events_oldest_first(trail, client, secretariat):
    made, _ = trail
    client.force_login(secretariat)
    response = client.get("/audit/export.csv", {"date_from": "2025-05-01", "date_to": "2025-05-02"})
    assert response.status_code == 200
    assert 'attachment; filename="compact-changes-log-' in response["Content-Disposition"]
    rows = _csv(response)
    assert list(rows[0].keys()) == ["id", "time", "actor", "actor_entity", "action", "object_type", "object_id", "object",
                                    "changes", "reason", "request_id"]
    for row in rows:
        row["changes"] = json.loads(row["changes"])
    assert rows == [_expected_change_row(ChangeEvent.objects.select_related("actor_entity").get(pk=e.pk)) for e in made[:2]]
    assert rows[0]["reason"] == 'Arabic name, "quoted", with a comma\nand a second line'
    assert rows[0]["changes"]["name_ar"] == [None, "مكتب الأمم المتحدة"]


@pytest.mark.django_db
def test_unfiltered_export_holds_every_event_and_is_recorded(trail, client, secretariat):
    client.force_login(secretariat)
    before = set(AccessEvent.objects.values_list("pk", flat=True))
    rows = _csv(client.get("/audit/export.csv", HTTP_X_REQUEST_ID="req-export-1"))
    expected = list(ChangeEvent.objects.select_related("actor_entity").order_by("time", "id"))
    assert [int(r["id"]) for r in rows] == [e.pk for e in expected]
    recorded = AccessEvent.objects.exclude(pk__in=before).get()
    assert recorded.action == "export"
    assert recorded.user == secretariat and recorded.user_label == "amara"
    assert recorded.user_entity.acronym == "UNOCT"
    assert recorded.object_type == "audit.changeevent"
    assert recorded.row_count == len(rows) == len(expected)
    assert recorded.object_ids == []
    assert recorded.path == "/audit/export.csv"
    assert recorded.request_id == "req-export-1"
    assert recorded.detail == "CSV; no filters"


@pytest.mark.django_db
def test_access_log_export_is_recorded_but_does_not_contain_itself(trail, client, secretariat):
    _, accesses = trail
    client.force_login(secretariat)
    before = list(AccessEvent.objects.order_by("time", "id"))
    response = client.get("/audit/access/export.csv", {"object_type": "registry.person", "date_to": "2025-05-31"})
    rows = _csv(response)
    assert [int(r["id"]) for r in rows] == [a.pk for a in accesses]
    first = rows[0]
    assert first == {
        "id": str(accesses[0].pk), "time": "2025-05-01T09:00:00+00:00", "user": "tomas", "user_entity": "UNODC",
        "action": "list", "object_type": "registry.person", "object_ids": "3 14", "row_count": "7",
        "highest_sensitivity": "confidential", "path": "/library/", "detail": "list page 1", "request_id": "req-9",
    }
    recorded = AccessEvent.objects.order_by("-id").first()
    assert recorded.pk not in [b.pk for b in before]
    assert recorded.object_type == "audit.accessevent" and recorded.row_count == 2
    assert recorded.detail == "CSV; object_type=registry.person, date_to=2025-05-31"
    # A second export holds the first one's record.
    again = _csv(client.get("/audit/access/export.csv"))
    assert str(recorded.pk) in [r["id"] for r in again]


@pytest.mark.django_db
def test_export_queries_do_not_grow_with_the_log(trail, events, client, secretariat, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(secretariat)

    def export_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/audit/export.csv")
            rows = _csv(response)
        assert len(rows) == ChangeEvent.objects.count()
        return len(queries)

    small = export_queries()
    for i in range(150):
        events.change_at(events.at("2025-06-01"), object_id=str(i), reason=f"bulk {i}")
    assert export_queries() == small


# --- compact audit-export --------------------------------------------------------------------------


def _run(*args) -> str:
    out = io.StringIO()
    call_command("audit_export", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_cli_exports_the_change_log_as_csv_and_records_it(trail):
    made, _ = trail
    before = AccessEvent.objects.count()
    text = _run("--from", "2025-05-02", "--to", "2025-05-03")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["id"]) for r in rows] == [made[1].pk, made[2].pk]
    assert json.loads(rows[1]["changes"]) == {"dissolved": [None, "2025-05-03"]}
    assert AccessEvent.objects.count() == before + 1
    recorded = AccessEvent.objects.order_by("-id").first()
    assert recorded.user is None and recorded.user_label == "compact audit-export"
    assert recorded.action == "export" and recorded.row_count == 2 and recorded.object_type == "audit.changeevent"
    assert recorded.detail == "CSV; date_from=2025-05-02, date_to=2025-05-03"


@pytest.mark.django_db
def test_cli_exports_json_lines_by_object_type(trail):
    made, _ = trail
    lines = _run("--format", "jsonl", "--object-type", "registry.entityalias", "--to", "2025-12-31").splitlines()
    assert [json.loads(line) for line in lines] == [{
        "id": made[1].pk, "time": "2025-05-02T08:00:00+00:00", "actor": "compact load-structure", "actor_entity": "",
        "action": "delete", "object_type": "registry.entityalias", "object_id": "9", "object": "Old alias",
        "changes": {"name": ["Old alias", None]}, "reason": "Withdrawn", "request_id": "",
    }]


@pytest.mark.django_db
def test_cli_exports_the_access_log(trail):
    _, accesses = trail
    lines = [json.loads(line) for line in _run("--log", "access", "--format", "jsonl", "--to", "2025-05-31").splitlines()]
    assert [row["id"] for row in lines] == [a.pk for a in accesses]
    assert lines[0]["object_ids"] == [3, 14]
    assert lines[0]["user_entity"] == "UNODC"


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), [
    (("--from", "2025-13-01"), "--from: Enter a real calendar date in the form YYYY-MM-DD"),
    (("--to", "1 May 2025"), "--to: Enter a real calendar date"),
    (("--from", "2025-05-03", "--to", "2025-05-01"), "before the start date"),
    (("--object-type", "registry.nothing"), "--object-type: Select a valid choice"),
])
def test_cli_refuses_bad_options_and_records_nothing(trail, args, message):
    before = AccessEvent.objects.count()
    with pytest.raises(CommandError, match=message) as raised:
        _run(*args)
    assert raised.value.returncode == 2
    assert AccessEvent.objects.count() == before


def test_cli_through_the_compact_command(trail, capsys, monkeypatch):
    """``compact audit-export`` reaches the same command (hyphen for underscore)."""
    from django.db import connections

    from compact.cli import main

    expected = ChangeEvent.objects.filter(object_type="registry.body").count()
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's connection and transaction
    main(["audit-export", "--format", "jsonl", "--object-type", "registry.body"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {row["object_type"] for row in lines} == {"registry.body"}
    assert len(lines) == expected
