"""Who sees what of an appeal and of a call, the pages in English and Arabic, the API, and bounded query
counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compact.appeals import services
from support.projects import make_project

pytestmark = pytest.mark.django_db

SAHEL = "Border security in the Sahel"
KENYA = "Preventing violent extremism in Kenya"


@pytest.fixture
def published(world):
    """A published appeal of the two projects (Kenya published, internal; Sahel public)."""
    from compact.projects import services as project_services

    project_services.project_publish(actor=world.users.sec, project=world.kenya, reason="Endorsed")
    appeal = services.appeal_create(actor=world.users.sec, key="africa-2025", title={"en": "Joint Appeal for Africa",
                                    "ar": "النداء المشترك لأفريقيا"}, period_start=dt.date(2025, 1, 1),
                                    period_end=dt.date(2026, 12, 31), region="002", projects=[world.sahel, world.kenya])
    return services.appeal_publish(actor=world.users.sec, appeal=appeal, reason="Launch")


def test_a_visitor_sees_the_published_appeal_and_only_its_public_projects(published, world, client):
    assert published.title in client.get("/appeals/").content.decode()
    html = client.get("/appeals/africa-2025/").content.decode()
    assert SAHEL in html and KENYA not in html
    m = world.money
    # The visitor's totals hold the public project's money only: no trace of Kenya's 500,000 / 100,000.
    assert f'<span class="total-requirement">{m.sahel_requirement}</span>' in html
    assert f'<span class="total-funded">{m.sahel_funded}</span>' in html
    assert f'<span class="total-gap">{m.sahel_gap}</span>' in html
    data = client.get("/api/appeals/africa-2025/").json()
    assert [p["title"] for p in data["projects"]] == [SAHEL]
    assert data["totals"]["requirement"]["usd"] == str(m.sahel_requirement)
    assert data["totals"]["funded"] == {"usd": str(m.sahel_funded), "complete": True, "not_converted": []}
    csv_text = client.get("/appeals/africa-2025/projects.csv").content.decode("utf-8-sig")
    assert SAHEL in csv_text and KENYA not in csv_text


def test_a_signed_in_user_sees_the_internal_project_and_its_incomplete_money(published, world, client):
    client.force_login(world.users.outsider)
    data = client.get("/api/appeals/africa-2025/").json()
    assert [p["title"] for p in data["projects"]] == [SAHEL, KENYA]
    kenya = data["projects"][1]
    assert kenya["funded"] == {"usd": "100000.00", "complete": False, "not_converted": ["GBP 2025-04"]}
    assert kenya["gap"]["usd"] == "400000.00" and kenya["implementing_entities"] == ["UNDP", "UNESCO"]
    assert data["totals"]["requirement"]["usd"] == "1500000.00"


def test_a_draft_appeal_is_hidden_from_all_but_those_who_manage_it(world, client):
    services.appeal_create(actor=world.users.sec, key="draft", title="Draft appeal", period_start=dt.date(2025, 1, 1),
                           period_end=dt.date(2025, 12, 31), sensitivity="public")
    assert client.get("/appeals/draft/").status_code == 404
    client.force_login(world.users.outsider)
    assert client.get("/appeals/draft/").status_code == 404
    assert "Draft appeal" not in client.get("/appeals/").content.decode()
    client.force_login(world.users.officer)  # an officer of wg-5, the appeal's body
    assert client.get("/appeals/draft/").status_code == 200
    client.force_login(world.users.sec)
    assert "Draft appeal" in client.get("/appeals/").content.decode()


def test_calls_are_hidden_while_drafts_and_public_once_open(world, client):
    call = world.new_call()
    assert client.get(f"/appeals/calls/{call.pk}/").status_code == 404
    assert client.get(f"/api/calls/{call.pk}/").status_code == 404
    services.call_open(actor=world.users.sec, call=call, reason="Open")
    response = client.get(f"/appeals/calls/{call.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Relevance to the Strategy" in html and "Ranking" not in html and "Submit a project" not in html
    data = client.get(f"/api/calls/{call.pk}/").json()
    assert [(c["number"], c["weight"]) for c in data["criteria"]] == [(1, "40.00"), (2, "30.00"), (3, "30.00")]
    assert [c["id"] for c in client.get("/api/calls/").json()] == [call.pk]


def test_a_focal_point_submits_and_a_reviewer_scores_on_the_call_page(world, client):
    u = world.users
    call = world.new_call()
    services.call_open(actor=u.sec, call=call, reason="Open")
    client.force_login(u.unodc)
    page = client.get(f"/appeals/calls/{call.pk}/").content.decode()
    assert "Submit a project" in page and SAHEL in page and KENYA not in page.split("Proposals")[0].split("Submit a project")[1]
    response = client.post(f"/appeals/calls/{call.pk}/submit/", {"project": world.sahel.pk})
    assert response.status_code == 302
    proposal = call.proposals.get()
    services.call_close(actor=u.sec, call=call, reason="Deadline")
    c1, c2, c3 = call.criteria.order_by("number")
    client.force_login(u.outsider)
    assert client.post(f"/appeals/calls/{call.pk}/score/", {"p1-proposal": proposal.pk}).status_code == 403
    client.force_login(u.rev1)
    prefix = f"p{proposal.pk}"
    response = client.post(f"/appeals/calls/{call.pk}/score/", {f"{prefix}-proposal": proposal.pk, f"{prefix}-score_{c1.pk}": 4,
                                                               f"{prefix}-score_{c2.pk}": 2, f"{prefix}-score_{c3.pk}": 5})
    assert response.status_code == 302
    assert sorted(proposal.scores.values_list("score", flat=True)) == [2, 4, 5]
    response = client.post(f"/appeals/calls/{call.pk}/score/", {f"{prefix}-proposal": proposal.pk, f"{prefix}-score_{c1.pk}": 9})
    assert response.status_code == 400
    client.force_login(u.officer)
    page = client.get(f"/appeals/calls/{call.pk}/").content.decode()
    # (40*4 + 30*2 + 30*5) / 100 = 3.70
    assert '<td class="text-end score">3.70</td>' in page
    response = client.post(f"/appeals/calls/{call.pk}/select/", {"selected": [proposal.pk], "reason": "WG 5"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == "decided"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_pages_in_english_and_arabic(published, world, client, language):
    client.force_login(world.users.sec)
    call = world.new_call()
    for url in ("/appeals/", "/appeals/africa-2025/", "/appeals/calls/", f"/appeals/calls/{call.pk}/"):
        response = client.get(url, {"lang": language})
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
    html = client.get("/appeals/africa-2025/", {"lang": language}).content.decode()
    assert ("النداء المشترك لأفريقيا" if language == "ar" else "Joint Appeal for Africa") in html


def test_the_appeal_page_and_api_use_a_bounded_number_of_queries(published, world, client, django_assert_max_num_queries):
    from compact.funding.models import Flow

    client.force_login(world.users.outsider)
    with django_assert_max_num_queries(30):
        assert client.get("/appeals/africa-2025/").status_code == 200
    projects = [make_project(None, stage="published", title=f"Project {i}", iati_identifier=f"XM-TEST-{i}") for i in range(8)]
    for p in projects:
        Flow.objects.create(project=p, kind="requirement", amount=Decimal("1000"), currency="USD", date=dt.date(2025, 1, 1))
    services.appeal_update(actor=world.users.sec, appeal=published, projects=[world.sahel, world.kenya, *projects],
                           reason="More projects")
    with django_assert_max_num_queries(30):
        response = client.get("/appeals/africa-2025/")
    assert "10 projects" in response.content.decode()
    for url in ("/api/appeals/africa-2025/", "/appeals/africa-2025/projects.csv", "/appeals/africa-2025/projects.xlsx"):
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200


def test_the_openapi_schema_documents_the_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/appeals/", "/api/appeals/{key}/", "/api/calls/", "/api/calls/{call_id}/"):
        assert path in schema
