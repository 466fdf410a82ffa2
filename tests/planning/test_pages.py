"""The planning pages: they render in English and Arabic, hide what a user may not read (404), refuse
changes to those who may not make them (403), write through the services, and run a bounded number of
queries whatever the number of activities."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from compact.planning import services as s
from compact.planning.models import Activity, Output, Programme, Workplan

from .conftest import REASON


def _login(client, user):
    client.force_login(user)


@pytest.mark.parametrize("lang, heading, direction", [("en", "Joint programmes of work", 'dir="ltr"'),
                                                      ("ar", 'lang="ar"', 'dir="rtl"')])
def test_the_pages_render_in_english_and_arabic(plan, client, lang, heading, direction):
    _login(client, plan.users.secretariat)
    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    for url in ("/planning/", f"/planning/{plan.v1.pk}/", f"/planning/workplans/{plan.workplan.pk}/",
                f"/planning/compare/?a={plan.v1.pk}&b={v2.pk}", f"/planning/{v2.pk}/edit/",
                f"/planning/{v2.pk}/adopt/", f"/planning/{v2.pk}/carry-over/", f"/planning/{plan.v1.pk}/new-version/"):
        response = client.get(f"{url}{'&' if '?' in url else '?'}lang={lang}")
        assert response.status_code == 200, url
        html = response.content.decode()
        assert heading in html and direction in html, url
    page = client.get(f"/planning/{plan.v1.pk}/", {"lang": "en"}).content.decode()
    for text in ("Border security", "Guidance", "Workshop", "OPCW", "Adopted on 24 January 2024", "CC/2024/1"):
        assert text in page


def test_an_internal_programme_is_not_found_by_visitors(plan, client):
    assert client.get(f"/planning/{plan.v1.pk}/").status_code == 404
    assert client.get(f"/planning/workplans/{plan.workplan.pk}/").status_code == 404
    assert "Joint Programme of Work (test)" not in client.get("/planning/").content.decode()
    assert client.get("/planning/new/").status_code == 302  # to sign in


def test_forms_refuse_those_who_may_not_change(plan, client):
    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    workplan = v2.workplans.get()
    _login(client, plan.users.wco)  # officer of wg-2, not wg-3
    assert client.get(f"/planning/workplans/{workplan.pk}/outputs/new/").status_code == 403
    assert client.get(f"/planning/{v2.pk}/edit/").status_code == 403
    assert client.get("/planning/new/").status_code == 403
    client.logout()
    _login(client, plan.users.unoda)
    assert client.get(f"/planning/workplans/{workplan.pk}/outputs/new/").status_code == 200
    assert client.get(f"/planning/{plan.v1.pk}/edit/").status_code == 403  # the Committee's, and locked


def test_an_officer_adds_an_output_and_an_activity_through_the_forms(plan, client):
    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    workplan = v2.workplans.get()
    _login(client, plan.users.unoda)
    response = client.post(f"/planning/workplans/{workplan.pk}/outputs/new/", {"number": "3", "title_en": "Outreach",
                                                                                "title_fr": "Sensibilisation"})
    assert response.status_code == 302
    output = Output.objects.get(workplan=workplan, number=3)
    assert (output.title_en, output.title_fr) == ("Outreach", "Sensibilisation")
    response = client.post(f"/planning/outputs/{output.pk}/activities/new/", {
        "number": "1", "title_en": "Radio campaign", "lead_entity": plan.entities["UNODA"].pk,
        "participating_entities": [plan.entities["UNICRI"].pk], "start": "2025-03-01", "end": "2025-02-01",
        "status": "planned"})
    assert response.status_code == 400 and "The end is before the start." in response.content.decode()
    response = client.post(f"/planning/outputs/{output.pk}/activities/new/", {
        "number": "1", "title_en": "Radio campaign", "lead_entity": plan.entities["UNODA"].pk,
        "participating_entities": [plan.entities["UNICRI"].pk], "start": "2025-03-01", "status": "planned"})
    assert response.status_code == 302
    activity = Activity.objects.get(output=output)
    assert [e.acronym for e in activity.participating_entities.all()] == ["UNICRI"]


def test_the_secretariat_records_adoption_and_a_missing_reason_is_refused(plan, client):
    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    _login(client, plan.users.secretariat)
    response = client.post(f"/planning/{v2.pk}/adopt/", {"adopted_on": "2024-07-01", "decision": "CC/2024/7"})
    assert response.status_code == 400 and "reason" in response.content.decode().lower()
    response = client.post(f"/planning/{v2.pk}/adopt/", {"adopted_on": "2024-07-01", "decision": "CC/2024/7",
                                                         "reason": "Adopted at the 10th meeting"})
    assert response.status_code == 302
    assert list(Programme.objects.order_by("version").values_list("status", flat=True)) == ["superseded", "adopted"]


def test_the_compare_page_shows_the_changes_and_refuses_bad_numbers(plan, client):
    _login(client, plan.users.secretariat)
    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    s.priority_create(actor=plan.users.secretariat, programme=v2, number=3, title="Gender")
    html = client.get(f"/planning/compare/?a={plan.v1.pk}&b={v2.pk}").content.decode()
    assert "Gender" in html and "added" in html
    assert client.get(f"/planning/compare/?a={plan.v1.pk}&b=x").status_code == 400
    assert client.get(f"/planning/compare/?a={plan.v1.pk}").status_code == 400
    assert client.get(f"/planning/compare/?a={plan.v1.pk}&b=999999").status_code == 404


def test_the_list_offers_to_compare_any_two_programmes(plan, client):
    _login(client, plan.users.secretariat)
    v2 = s.programme_new_version(actor=plan.users.secretariat, programme=plan.v1, reason=REASON)
    html = client.get("/planning/").content.decode()
    assert 'action="/planning/compare/"' in html
    # "From" defaults to the older version, "to" to the newer one.
    assert f'<option value="{plan.v1.pk}" selected>' in html.split('id="compare-a"')[1].split("</select>")[0]
    assert f'<option value="{v2.pk}" selected>' in html.split('id="compare-b"')[1].split("</select>")[0]


def test_a_workplan_history_shows_its_outputs_and_activities_and_a_programme_its_priorities(plan, client):
    _login(client, plan.users.secretariat)
    workplan = client.get(f"/planning/workplans/{plan.workplan.pk}/", {"lang": "en"}).content.decode()
    history = workplan.split("History of changes")[1]
    for text in ("Guidance", "Training", "Workshop", "Course"):  # outputs 1 and 2, activities 1.1 and 2.1
        assert text in history, text
    programme = client.get(f"/planning/{plan.v1.pk}/", {"lang": "en"}).content.decode()
    assert "Border security" in programme.split("History of changes")[1]
    # "(version 1, Adopted)": no space between the status badge and the bracket.
    assert re.search(r'programme-status[^>]*>Adopted</span>\)', workplan)


def _grow(plan, extra: int) -> None:
    """Add ``extra`` workplans' worth of outputs and activities (ORM set-up, to show no query per row)."""
    from compact.registry.models import Body

    for body in Body.objects.filter(kind="working_group").exclude(pk=plan.wg3.pk)[:extra]:
        workplan = Workplan.objects.create(programme=plan.v1, body=body, sensitivity="internal")
        for n in (1, 2):
            output = Output.objects.create(workplan=workplan, number=n, title_en=f"Output {n}", priority=plan.p1)
            for m in (1, 2, 3):
                activity = Activity.objects.create(output=output, number=m, title_en=f"Activity {m}",
                                                   lead_entity=plan.entities["UNODC"], start=dt.date(2024, 1, 1),
                                                   carried_from=plan.acts.workshop)
                activity.participating_entities.set([plan.entities["OPCW"], plan.entities["WCO"]])


@pytest.mark.parametrize("url", ["programme", "workplan", "list"])
def test_pages_run_the_same_number_of_queries_whatever_their_size(plan, client, django_assert_max_num_queries, url):
    _login(client, plan.users.unoda)
    path = {"programme": f"/planning/{plan.v1.pk}/", "workplan": f"/planning/workplans/{plan.workplan.pk}/",
            "list": "/planning/"}[url]
    client.get(path)  # warm caches (content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    _grow(plan, 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(path).status_code == 200
    assert len(small.captured_queries) <= 40


def test_the_working_group_page_links_to_its_current_workplan(seeded, client):
    from compact.planning.models import Workplan

    s.load_default_programmes()
    # 2024-2026 has no workplans yet: the current one is wg-3's in 2019-2020, the latest adopted.
    expected = Workplan.objects.get(programme__key="jpow-2019-2020", body__key="wg-3")
    assert "/planning/working-groups/3/" in client.get("/working-groups/3/").content.decode()
    response = client.get("/planning/working-groups/3/")
    assert response.status_code == 302 and response["Location"] == f"/planning/workplans/{expected.pk}/"
    assert client.get("/planning/working-groups/42/").status_code == 404
