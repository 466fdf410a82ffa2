"""The joint-project pages: list with filters and count, detail with names in the active language,
the form with its formsets, the workflow buttons; access as in docs/access.md; bounded queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from compact.projects.models import Project

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _count(html: str) -> int:
    return int(re.search(r'class="project-count"><strong>(\d+) joint project', html).group(1))


def test_the_list_counts_only_readable_projects(world):
    u, p = world.users, world.projects
    # visitors: the public project only; WG 3's officer: internal ones too, not WG 2's confidential one
    for user, expected in ((None, {p.public3}), (u.unoda, {p.public3, p.internal2}),
                           (u.wco, {p.public3, p.internal2, p.confidential2}),
                           (u.secretariat, {p.public3, p.internal2, p.confidential2})):
        html = _client(user).get("/projects/").content.decode()
        assert _count(html) == len(expected), user
        for project in (p.public3, p.internal2, p.confidential2):
            assert (f'href="/projects/{project.pk}/"' in html) == (project in expected), (user, project)
    assert "Confidential border assessment" not in _client(u.unoda).get("/projects/").content.decode()


def test_the_confidential_project_answers_404_to_those_who_may_not_read_it(world):
    pk = world.projects.confidential2.pk
    assert _client().get(f"/projects/{pk}/").status_code == 404
    assert _client(world.users.unoda).get(f"/projects/{pk}/").status_code == 404
    assert _client(world.users.wco).get(f"/projects/{pk}/").status_code == 200


@pytest.mark.parametrize(("query", "expected"), [
    ("country=566", {"public3"}),  # Nigeria
    ("country=002", {"public3", "internal2", "confidential2"}),  # Africa holds Mali, Niger and Nigeria
    ("country=011", {"public3", "internal2", "confidential2"}),  # Western Africa
    ("country=466", {"internal2", "confidential2"}),
    ("working_group=wg-3", {"public3"}),
    ("pillar=3", {"public3"}),
    ("lead_entity=unodc", {"internal2", "confidential2"}),
    ("implementing_entity=OPCW", {"public3"}),
    ("sdg_target=16.a", {"internal2", "confidential2"}),
    ("stage=draft", {"internal2"}),
    ("q=chemical", {"public3"}),
])
def test_filters(world, query, expected):
    html = _client(world.users.secretariat).get(f"/projects/?{query}").content.decode()
    assert _count(html) == len(expected)
    for name in expected:
        assert f'href="/projects/{getattr(world.projects, name).pk}/"' in html


def test_a_bad_filter_answers_400_with_its_message(world):
    response = _client().get("/projects/?country=999")
    assert response.status_code == 400
    assert "&#x27;999&#x27; is not a UN M49 country or region code." in response.content.decode()


def test_detail_shows_names_in_english_and_arabic(world):
    pk = world.projects.internal2.pk
    html = _client(world.users.unoda).get(f"/projects/{pk}/").content.decode()
    assert "Implementation" in html  # ActivityStatus 2
    assert "Mali" in html and "Niger" in html
    assert "$1,200,000.00" in html
    assert "Security system management and reform" in html  # Sector 15210
    assert "Implementing" in html and "Funding" in html and "Japan" in html
    # Codes with their names: pillar II, SDG target 16.a (UNSDG-Targets), the default currency (ISO 4217).
    assert "II. Measures to prevent and combat terrorism" in html and "Pillar 2" not in html
    assert "<bdi>16.a</bdi> - Strengthen relevant national institutions" in html
    assert "USD - US Dollar" in html
    # Percentages as entered (stored 60.000 and 40.000), not with the stored scale.
    assert "<bdi>60&nbsp;%</bdi>" in html and "<bdi>40&nbsp;%</bdi>" in html and "60.000" not in html
    french = _client(world.users.unoda).get(f"/projects/{pk}/?lang=fr").content.decode()
    assert "<bdi>100&nbsp;%</bdi>" in french
    client = _client(world.users.unoda)
    arabic = client.get(f"/projects/{pk}/?lang=ar")
    assert arabic.status_code == 200
    text = arabic.content.decode()
    assert 'dir="rtl"' in text
    assert "مالي" in text  # Mali in Arabic (UN M49)


def test_the_workflow_buttons_are_those_the_user_may_press(world):
    pk = world.projects.internal2.pk
    assert 'class="row g-2 align-items-end mb-2 step-submit"' in _client(world.users.unodc).get(f"/projects/{pk}/").content.decode()
    assert "step-submit" not in _client(world.users.unoda).get(f"/projects/{pk}/").content.decode()
    response = _client(world.users.unodc).post(f"/projects/{pk}/submit/", {"reason": "Ready"})
    assert response.status_code == 302
    assert Project.objects.get(pk=pk).stage == "submitted"
    assert _client(world.users.unodc).post(f"/projects/{pk}/endorse/", {"reason": "x"}).status_code == 403
    assert _client(world.users.wco).post(f"/projects/{pk}/endorse/", {"reason": ""}).status_code == 400
    assert _client(world.users.wco).post(f"/projects/{pk}/endorse/", {"reason": "Agreed"}).status_code == 302
    html = _client(world.users.secretariat).get(f"/projects/{pk}/").content.decode()
    assert "step-publish" in html and "step-endorse" not in html


def _form_data(**extra):
    data = {
        "title_en": "Prison radicalisation prevention", "lead_entity": "", "lead_body": "", "activity_status": "1",
        "default_currency": "EUR", "sensitivity": "internal", "reason": "New",
        "participants-TOTAL_FORMS": "1", "participants-INITIAL_FORMS": "0",
        "participants-0-role": "4", "participants-0-name": "Penal Reform International",
        "sectors-TOTAL_FORMS": "1", "sectors-INITIAL_FORMS": "0", "sectors-0-vocabulary": "1",
        "sectors-0-code": "15130",
        "areas-TOTAL_FORMS": "3", "areas-INITIAL_FORMS": "0",
        "areas-0-code": "466", "areas-0-percentage": "33.33", "areas-1-code": "562", "areas-1-percentage": "33.33",
        "areas-2-code": "854", "areas-2-percentage": "33.33",
        "budgets-TOTAL_FORMS": "1", "budgets-INITIAL_FORMS": "0", "budgets-0-period_start": "2025-01-01",
        "budgets-0-period_end": "2025-12-31", "budgets-0-amount": "250000.50", "budgets-0-currency": "EUR",
        "budgets-0-type": "1", "budgets-0-status": "2",
        "paragraphs-TOTAL_FORMS": "0", "paragraphs-INITIAL_FORMS": "0",
    }
    return data | extra


def test_the_form_creates_a_project_with_its_nested_rows(world):
    from compact.registry.models import Body, Entity

    client = _client(world.users.unodc)
    assert client.get("/projects/new/").status_code == 200
    data = _form_data(lead_entity=Entity.objects.get(acronym="UNODC").pk, lead_body=Body.objects.get(key="wg-2").pk)
    response = client.post("/projects/new/", data)
    assert response.status_code == 400
    assert ("Percentages of beneficiary countries and regions sum to 99.99, not 100: 33.33 + 33.33 + 33.33."
            in response.content.decode())
    response = client.post("/projects/new/", data | {"areas-2-percentage": "33.34"})
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(title_en="Prison radicalisation prevention")
    assert sorted(project.areas.values_list("code", "percentage")) == [
        ("466", Decimal("33.330")), ("562", Decimal("33.330")), ("854", Decimal("33.340"))]
    assert project.budgets.get().amount == Decimal("250000.50")
    edit = client.get(f"/projects/{project.pk}/edit/")
    assert edit.status_code == 200 and "Penal Reform International" in edit.content.decode()


def test_the_form_fits_the_page_and_shows_stored_numbers_as_typed(world):
    """Every widget carries its Bootstrap class (so the long SDG targets cannot widen the page), the
    titles come first and the reason last, and a stored 60.000 % or 250000.50 shows as 60 and 250000.5."""
    html = _client(world.users.unodc).get(f"/projects/{world.projects.internal2.pk}/edit/").content.decode()
    assert re.search(r'<select name="sdg_targets"[^>]*class="form-select"', html) or re.search(
        r'<select name="sdg_targets"[^>]*size="8"[^>]*class="form-select"', html)
    assert re.search(r'<select name="areas-0-code" class="form-select form-select-sm"', html)
    assert re.search(r'<input type="text" name="title_en"[^>]*class="form-control"', html)
    assert html.index('name="title_ar"') < html.index('name="lead_entity"') < html.index('name="reason"')
    assert html.index('name="reason"') < html.index('name="participants-TOTAL_FORMS"')
    assert 'name="areas-0-percentage" value="60"' in html and 'name="areas-1-percentage" value="40"' in html
    assert 'name="sectors-0-percentage" value="100"' in html


def test_the_form_records_the_resolution_paragraphs_a_project_answers(world):
    from compact.registry.models import Body, Entity, StrategyReview

    review = StrategyReview.objects.get(resolution="75/291")  # the 7th review, 2021
    client = _client(world.users.unodc)
    data = _form_data(lead_entity=Entity.objects.get(acronym="UNODC").pk, lead_body=Body.objects.get(key="wg-2").pk,
                      **{"areas-2-percentage": "33.34", "paragraphs-TOTAL_FORMS": "2", "paragraphs-0-review": review.pk,
                         "paragraphs-0-paragraph": "118", "paragraphs-1-paragraph": "77"})
    response = client.post("/projects/new/", data)
    assert response.status_code == 400  # paragraph 77 names no review
    assert "a Strategy review is required." in response.content.decode()
    response = client.post("/projects/new/", data | {"paragraphs-1-paragraph": ""})
    assert response.status_code == 302
    project = Project.objects.get(title_en="Prison radicalisation prevention")
    assert list(project.resolution_paragraphs.values_list("review__resolution", "paragraph")) == [("75/291", "118")]
    assert "75/291 para. 118" in client.get(f"/projects/{project.pk}/").content.decode()
    edit = client.get(f"/projects/{project.pk}/edit/").content.decode()
    assert 'name="paragraphs-0-paragraph" value="118"' in edit


def test_who_gets_the_form(world):
    assert _client().get("/projects/new/").status_code == 302
    assert _client(world.users.outsider).get("/projects/new/").status_code == 403
    pk = world.projects.internal2.pk
    assert _client(world.users.unoda).get(f"/projects/{pk}/edit/").status_code == 403
    assert _client(world.users.unoda).get(f"/projects/{world.projects.confidential2.pk}/edit/").status_code == 404


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_detail_queries_are_bounded(world, django_assert_max_num_queries):
    from support.projects import make_project

    client = _client(world.users.secretariat)
    client.get("/projects/")
    before = _queries(client, "/projects/")
    for n in range(5):
        make_project(None, title=f"Project {n}")
    assert _queries(client, "/projects/") == before  # no query per row
    with django_assert_max_num_queries(30):  # sign-in, standing, choices, count, the page and 8 prefetches, log
        assert client.get("/projects/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/projects/{world.projects.public3.pk}/").status_code == 200
