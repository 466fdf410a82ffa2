"""The audit trail pages and API: the secretariat browses and filters both logs; everyone else gets 404."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from compact.audit.models import AccessEvent, ChangeEvent
from compact.registry.models import Body, Entity

PAGES = ["/audit/", "/audit/access/", "/audit/export.csv", "/audit/access/export.csv"]
APIS = ["/api/audit/changes/", "/api/audit/access/"]


@pytest.fixture
def trail(seeded, events, secretariat, focal_point):
    """Change events spread over early March 2025 (besides the seeded structure's), and access events."""
    unodc = Entity.objects.get(acronym="UNODC")
    unoct = Entity.objects.get(acronym="UNOCT")
    wg3 = Body.objects.get(key="wg-3")
    at = events.at
    made = [
        events.change_at(at("2025-03-01", "23:59:59"), actor=secretariat, actor_label="amara", actor_entity=unoct,
                         object_type="registry.body", object_id=str(wg3.pk), object_repr=str(wg3),
                         changes={"mandate_en": ["Old mandate", "New mandate"]}, reason="Mandate renewed by the Committee",
                         request_id="req-a"),
        events.change_at(at("2025-03-02", "00:00:00"), actor=focal_point, actor_label="tomas",
                         actor_entity=Entity.objects.get(acronym="UNODA"), object_id=str(unodc.pk), object_repr="UNODC",
                         reason="Typo in the identifier", request_id="req-b"),
        events.change_at(at("2025-03-03"), action="delete", object_type="registry.entityalias", object_id="77",
                         object_repr="Old spelling", changes={"name": ["Old spelling", None], "entity_id": [unodc.pk, None]},
                         reason="Alias withdrawn", request_id="req-b"),
        events.change_at(at("2025-03-04", "00:00:00"), action="create", object_type="registry.milestone", object_id="5",
                         object_repr="2025-03-04: Meeting", changes={"title_en": [None, "Meeting"]}, request_id="req-c"),
    ]
    accesses = [
        events.access_at(at("2025-03-01", "10:00"), user=focal_point, user_label="tomas",
                         user_entity=Entity.objects.get(acronym="UNODA"), object_ids=[3, 14], row_count=5,
                         highest_sensitivity="confidential", path="/library/", action="list", request_id="req-x"),
        events.access_at(at("2025-03-02", "10:00"), user=secretariat, user_label="amara", user_entity=unoct,
                         object_ids=[4], highest_sensitivity="strictly_confidential", path="/library/4/", request_id="req-y"),
        events.access_at(at("2025-03-03", "10:00"), user_label="compact audit-export", action="export",
                         object_type="audit.changeevent", object_ids=[], row_count=140, highest_sensitivity="",
                         path="", detail="CSV; no filters"),
    ]
    return made, accesses


def _ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'id="(?:change|access)-(\d+)"', response.content.decode())]


def _api_ids(client, url: str, **params) -> list[int]:
    response = client.get(url, {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return [row["id"] for row in body["results"]]


def _newest_first(rows) -> list[int]:
    return [r.pk for r in sorted(rows, key=lambda r: (r.time, r.pk), reverse=True)]


# --- who may see the trail -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES + APIS)
def test_visitors_and_other_users_get_404(trail, client, focal_point, path):
    assert client.get(path).status_code == 404
    client.force_login(focal_point)
    response = client.get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.json()["error"]["status"] == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES + APIS)
def test_the_secretariat_and_superusers_may_read_the_trail(trail, client, secretariat, django_user_model, path):
    client.force_login(secretariat)
    assert client.get(path).status_code == 200
    root = django_user_model.objects.create_superuser("root-operator", "root@example.org", "a-long-passphrase-9")
    client.force_login(root)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_the_footer_links_to_the_trail_for_the_secretariat_only(trail, client, secretariat, focal_point):
    link = 'href="/audit/"'
    assert link not in client.get("/").content.decode()
    client.force_login(focal_point)
    assert link not in client.get("/").content.decode()
    client.force_login(secretariat)
    assert link in client.get("/").content.decode()


# --- browsing --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_change_log_lists_newest_first_with_the_diff_reason_and_request(trail, client, secretariat):
    made, _ = trail
    client.force_login(secretariat)
    response = client.get("/audit/")
    assert response.status_code == 200
    everything = list(ChangeEvent.objects.all())
    assert response.context["count"] == len(everything)
    assert _ids(response) == _newest_first(everything)[:50]
    # The March 2025 events are older than the seeded structure: look at them on their own.
    response = client.get("/audit/", {"date_to": "2025-03-31"})
    assert _ids(response) == [e.pk for e in reversed(made)]
    html = response.content.decode()
    row = html[html.index(f'id="change-{made[0].pk}"'):html.index(f'id="change-{made[0].pk}"') + 4000]
    assert "2025-03-01 23:59:59 UTC" in row
    assert "amara" in row and "UNOCT" in row
    assert "<del>Old mandate</del>" in row and "<ins>New mandate</ins>" in row
    assert "Mandate renewed by the Committee" in row
    assert "req-a" in row
    assert 'href="/working-groups/3/"' in row  # the object's page
    deleted = html[html.index(f'id="change-{made[2].pk}"'):]
    assert "<del>UNODC</del>" in deleted[:3000]  # a related entity shown by name, not by id


@pytest.mark.django_db
def test_change_log_pages_hold_fifty_events(trail, client, secretariat):
    client.force_login(secretariat)
    total = ChangeEvent.objects.count()
    assert total > 100
    newest = _newest_first(ChangeEvent.objects.all())
    second = client.get("/audit/", {"page": 2})
    assert second.status_code == 200
    assert _ids(second) == newest[50:100]
    assert 'rel="prev"' in second.content.decode()
    last = (total + 49) // 50
    assert client.get("/audit/", {"page": last + 1}).status_code == 404


@pytest.mark.django_db
def test_access_log_lists_newest_first(trail, client, secretariat):
    _, accesses = trail
    client.force_login(secretariat)
    response = client.get("/audit/access/")
    assert response.status_code == 200
    assert _ids(response) == _newest_first(AccessEvent.objects.all())
    html = response.content.decode()
    assert "strictly confidential" in html and "/library/4/" in html and "3, 14" in html


# --- filters ---------------------------------------------------------------------------------------


def _local_day(event) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(event.time).date()


CHANGE_FILTERS = [
    ({"actor": "AMA"}, lambda e: "ama" in e.actor_label.lower()),
    ({"actor": "tomas"}, lambda e: e.actor_label == "tomas"),
    ({"entity": "unoda"}, lambda e: e.actor_entity is not None and e.actor_entity.acronym == "UNODA"),
    ({"object_type": "registry.body"}, lambda e: e.object_type == "registry.body"),
    ({"object_id": "77"}, lambda e: e.object_id == "77"),
    ({"action": "delete"}, lambda e: e.action == "delete"),
    ({"date_from": "2025-03-02"}, lambda e: _local_day(e) >= dt.date(2025, 3, 2)),
    ({"date_to": "2025-03-01"}, lambda e: _local_day(e) <= dt.date(2025, 3, 1)),
    ({"date_from": "2025-03-02", "date_to": "2025-03-03"}, lambda e: dt.date(2025, 3, 2) <= _local_day(e) <= dt.date(2025, 3, 3)),
    ({"request_id": "req-b"}, lambda e: e.request_id == "req-b"),
    ({"reason": "  TYPO "}, lambda e: "typo" in e.reason.lower()),
    ({"reason": "fixture", "object_type": "registry.entity"},
     lambda e: "fixture" in e.reason and e.object_type == "registry.entity"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "keep"), CHANGE_FILTERS)
def test_each_change_log_filter(trail, client, secretariat, params, keep):
    client.force_login(secretariat)
    expected = _newest_first([e for e in ChangeEvent.objects.select_related("actor_entity") if keep(e)])
    assert expected, "the filter should keep something"
    assert len(expected) < ChangeEvent.objects.count(), "the filter should drop something"
    response = client.get("/audit/", params)
    assert response.status_code == 200
    assert response.context["count"] == len(expected)
    assert _ids(response) == expected[:50]
    assert _api_ids(client, "/api/audit/changes/", **params) == expected


ACCESS_FILTERS = [
    ({"user": "tomas"}, lambda e: e.user_label == "tomas"),
    ({"user": "audit-export"}, lambda e: "audit-export" in e.user_label),
    ({"entity": "UNOCT"}, lambda e: e.user_entity is not None and e.user_entity.acronym == "UNOCT"),
    ({"object_type": "audit.changeevent"}, lambda e: e.object_type == "audit.changeevent"),
    ({"object_id": "4"}, lambda e: 4 in e.object_ids),
    ({"object_id": "14"}, lambda e: 14 in e.object_ids),
    ({"action": "export"}, lambda e: e.action == "export"),
    ({"date_from": "2025-03-02"}, lambda e: _local_day(e) >= dt.date(2025, 3, 2)),
    ({"date_to": "2025-03-02"}, lambda e: _local_day(e) <= dt.date(2025, 3, 2)),
    ({"request_id": "req-y"}, lambda e: e.request_id == "req-y"),
    ({"sensitivity": "strictly_confidential"}, lambda e: e.highest_sensitivity == "strictly_confidential"),
    ({"path": "/library/"}, lambda e: "/library/" in e.path),
    ({"detail": "csv"}, lambda e: "csv" in e.detail.lower()),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "keep"), ACCESS_FILTERS)
def test_each_access_log_filter(trail, client, secretariat, params, keep):
    client.force_login(secretariat)
    expected = _newest_first([e for e in AccessEvent.objects.select_related("user_entity") if keep(e)])
    assert expected and len(expected) < AccessEvent.objects.count()
    response = client.get("/audit/access/", params)
    assert response.status_code == 200
    assert _ids(response) == expected
    assert _api_ids(client, "/api/audit/access/", **params) == expected


@pytest.mark.django_db
def test_object_type_choices_are_the_types_present(trail, client, secretariat):
    client.force_login(secretariat)
    form = client.get("/audit/").context["form"]
    present = sorted(set(ChangeEvent.objects.values_list("object_type", flat=True)))
    assert [value for value, _ in form.fields["object_type"].choices if value] == present


BAD_CHANGE_INPUT = [
    ({"date_from": "2025-02-30"}, "date_from", "YYYY-MM-DD"),
    ({"date_to": "31/03/2025"}, "date_to", "YYYY-MM-DD"),
    ({"date_from": "2025-03-04", "date_to": "2025-03-01"}, "date_to", "before the start date"),
    ({"object_type": "registry.nothing"}, "object_type", "valid choice"),
    ({"action": "rename"}, "action", "valid choice"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "field", "message"), BAD_CHANGE_INPUT)
def test_bad_filters_are_refused_with_a_clear_message(trail, client, secretariat, params, field, message):
    client.force_login(secretariat)
    response = client.get("/audit/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="{field}-errors"' in html  # beside the field
    assert _ids(response) == []
    api = client.get("/api/audit/changes/", params)
    assert api.status_code == 400
    assert message in " ".join(api.json()["error"]["fields"][field])
    export = client.get("/audit/export.csv", params)
    assert export.status_code == 400 and message in export.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "field"), [({"object_id": "four"}, "object_id"), ({"sensitivity": "secret"}, "sensitivity"),
                                                 ({"date_from": "yesterday"}, "date_from")])
def test_bad_access_filters_are_refused(trail, client, secretariat, params, field):
    client.force_login(secretariat)
    response = client.get("/audit/access/", params)
    assert response.status_code == 400
    assert f'id="{field}-errors"' in response.content.decode()
    assert field in client.get("/api/audit/access/", params).json()["error"]["fields"]
    before = AccessEvent.objects.count()
    assert client.get("/audit/access/export.csv", params).status_code == 400
    assert AccessEvent.objects.count() == before  # a refused export is not recorded


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["two", "0", "-1"])
def test_a_bad_page_number_is_refused(trail, client, secretariat, page):
    client.force_login(secretariat)
    response = client.get("/audit/", {"page": page})
    assert response.status_code == 400
    assert "not a page number" in response.content.decode()


@pytest.mark.django_db
def test_api_is_paginated(trail, client, secretariat):
    client.force_login(secretariat)
    body = client.get("/api/audit/changes/").json()
    assert body["count"] == ChangeEvent.objects.count()
    assert len(body["results"]) == 50
    assert body["results"][0]["id"] == _newest_first(ChangeEvent.objects.all())[0]
    assert "page=2" in body["next"]
    made, _ = trail
    row = client.get("/api/audit/changes/", {"request_id": "req-a"}).json()["results"][0]
    assert row == {
        "id": made[0].pk, "time": "2025-03-01T23:59:59Z", "actor": "amara", "actor_entity": "UNOCT", "action": "update",
        "object_type": "registry.body", "object_id": made[0].object_id, "object": made[0].object_repr,
        "changes": {"mandate_en": ["Old mandate", "New mandate"]}, "reason": "Mandate renewed by the Committee",
        "request_id": "req-a",
    }


# --- queries ---------------------------------------------------------------------------------------


def _more_changes(events, n: int, start: int = 0):
    unodc = Entity.objects.get(acronym="UNODC")
    wg3 = Body.objects.get(key="wg-3")
    for i in range(start, start + n):
        events.change_at(
            events.at("2025-04-01") + dt.timedelta(minutes=i), object_id=str(unodc.pk), object_repr="UNODC",
            changes={"iati_identifier": [f"X-{i}", f"X-{i + 1}"], "name_en": ["a", "b"]}, reason=f"Change {i}",
            request_id=f"bulk-{i}", actor_entity=unodc, actor_label="tomas",
        )
        events.change_at(
            events.at("2025-04-01") + dt.timedelta(minutes=i, seconds=30), action="create",
            object_type="registry.participation", object_id=str(1000 + i), object_repr=f"E{i} member of wg-3",
            changes={"entity_id": [None, unodc.pk], "body_id": [None, wg3.pk], "capacity": [None, "member"]},
            reason="Joined",
        )


def _more_accesses(events, n: int, start: int = 0):
    unodc = Entity.objects.get(acronym="UNODC")
    for i in range(start, start + n):
        events.access_at(events.at("2025-04-02") + dt.timedelta(minutes=i), object_ids=[i, i + 1], user_entity=unodc,
                         user_label="tomas", path=f"/library/{i}/")


# What the platform runs for any signed-in request: session, user, two one-time-password device
# lookups, the security policy, and the session saved again (savepoint, update, release).
SIGNED_IN = 8
# Secretariat check, object types present, count, the page's events (with the actor's entity), the
# registry rows they name (entities, bodies), the footer's secretariat check.
CHANGE_LOG_QUERIES = SIGNED_IN + 7
CHANGE_API_QUERIES = SIGNED_IN + 4  # no names, no footer
# Secretariat check, object types present, count, the page's events (with the user's entity), footer.
ACCESS_LOG_QUERIES = SIGNED_IN + 5
ACCESS_API_QUERIES = SIGNED_IN + 4


@pytest.mark.django_db
def test_change_log_page_and_api_queries_do_not_grow(trail, events, client, secretariat, django_assert_num_queries):
    client.force_login(secretariat)
    params = {"date_from": "2025-04-01", "date_to": "2025-04-30"}
    _more_changes(events, 50)
    with django_assert_num_queries(CHANGE_LOG_QUERIES):
        assert len(_ids(client.get("/audit/", params))) == 50
    with django_assert_num_queries(CHANGE_API_QUERIES):  # the API names no rows
        assert client.get("/api/audit/changes/", params).status_code == 200
    _more_changes(events, 50, start=50)
    with django_assert_num_queries(CHANGE_LOG_QUERIES):
        response = client.get("/audit/", params)
    assert response.context["count"] == 200
    with django_assert_num_queries(CHANGE_API_QUERIES):
        assert len(client.get("/api/audit/changes/", {**params, "page_size": 200}).json()["results"]) == 200


@pytest.mark.django_db
def test_access_log_page_and_api_queries_do_not_grow(trail, events, client, secretariat, django_assert_num_queries):
    client.force_login(secretariat)
    _more_accesses(events, 10)
    with django_assert_num_queries(ACCESS_LOG_QUERIES):
        assert client.get("/audit/access/").status_code == 200
    with django_assert_num_queries(ACCESS_API_QUERIES):
        assert client.get("/api/audit/access/").status_code == 200
    _more_accesses(events, 100, start=10)
    with django_assert_num_queries(ACCESS_LOG_QUERIES):
        assert len(_ids(client.get("/audit/access/"))) == 50
    with django_assert_num_queries(ACCESS_API_QUERIES):
        assert client.get("/api/audit/access/", {"object_id": "7"}).json()["count"] == 2
