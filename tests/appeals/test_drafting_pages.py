"""The pages that draft and change calls for proposals and appeals: who gets them (visitors the sign-in
page, others 403, unreadable drafts 404), valid and invalid posts with the services' messages on the
fields, locked fields once a call is open, deleting a draft call, links shown only to those who may use
them, English and Arabic, and bounded query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from compact.appeals import services
from compact.appeals.models import Appeal, Call
from compact.audit.models import ChangeEvent

pytestmark = pytest.mark.django_db

LANGS = ("ar", "en", "es", "fr", "ru", "zh_hans")


def _texts(prefix: str, **given) -> dict[str, str]:
    return {f"{prefix}_{code}": given.get(code, "") for code in LANGS}


def _criterion(i: int, *, number="", name="", weight="", fr="") -> dict[str, str]:
    row = {f"criteria-{i}-{k}": v for k, v in _texts("name", en=name, fr=fr).items()}
    row |= {f"criteria-{i}-{k}": "" for k in _texts("description")}
    return row | {f"criteria-{i}-number": str(number), f"criteria-{i}-weight": str(weight)}


def _call_post(world, **extra) -> dict:
    """A new call: deadline 17:00 in New York on 31 March 2030 (EDT, UTC-4, so 21:00 UTC), criteria given
    as number 2 then number 1."""
    from compact.registry.models import Body

    data = {
        **_texts("title", en="Call for Africa 2030", fr="Appel pour l'Afrique 2030"), **_texts("description"),
        "body": Body.objects.get(key="wg-5").pk, "opens": "2030-01-15", "deadline_0": "2030-03-31",
        "deadline_1": "17:00", "time_zone": "America/New_York", "max_score": "10",
        "reviewers": [world.users.rev1.pk, world.users.rev2.pk], "reason": "Joint Appeal 2030",
        "criteria-TOTAL_FORMS": "3", "criteria-INITIAL_FORMS": "0", "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        **_criterion(0, number=2, name="Joint delivery", weight="60"),
        **_criterion(1, number=1, name="Relevance to the Strategy", fr="Pertinence", weight="40"),
        **_criterion(2),
    }
    return data | extra


def _login(client, user):
    client.force_login(user)
    return client


# --- calls -----------------------------------------------------------------------------------------


def test_the_secretariat_drafts_a_call_with_its_criteria_on_the_page(world, client):
    _login(client, world.users.sec)
    page = client.get("/appeals/calls/new/")
    assert page.status_code == 200 and 'name="criteria-TOTAL_FORMS"' in page.content.decode()
    response = client.post("/appeals/calls/new/", _call_post(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(title_en="Call for Africa 2030")
    assert response["Location"] == f"/appeals/calls/{call.pk}/"
    assert call.status == "draft" and call.max_score == 10 and call.opens == dt.date(2030, 1, 15)
    assert call.deadline == dt.datetime(2030, 3, 31, 21, 0, tzinfo=dt.UTC)  # 17:00 EDT = UTC-4
    assert call.title_fr == "Appel pour l'Afrique 2030"
    assert list(call.criteria.values_list("number", "name_en", "weight")) == [
        (1, "Relevance to the Strategy", Decimal("40.00")), (2, "Joint delivery", Decimal("60.00"))]
    assert sorted(call.reviewers.values_list("username", flat=True)) == ["rev1", "rev2"]
    events = ChangeEvent.objects.filter(reason="Joint Appeal 2030")
    assert sorted(events.values_list("object_type", flat=True)) == ["appeals.call", "appeals.criterion", "appeals.criterion"]


def test_an_invalid_call_is_shown_again_with_each_message_at_its_field(world, client):
    _login(client, world.users.sec)
    data = _call_post(world, **_texts("title"), **_criterion(0, number=2, name="Joint delivery", weight="0"))
    response = client.post("/appeals/calls/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "A title is required, in at least one language." in html
    # Criteria are numbered by their numbers: "Joint delivery" (number 2) is the second.
    assert "Criterion 2: the weight 0 is not a number greater than 0 with at most two decimals." in html
    assert not Call.objects.exists()
    # 02:30 on 10 March 2030 does not exist in New York: the clocks go from 02:00 to 03:00.
    response = client.post("/appeals/calls/new/", _call_post(world, deadline_0="2030-03-10", deadline_1="02:30"))
    assert response.status_code == 400
    assert "2030-03-10 02:30 does not exist in America/New_York" in response.content.decode()
    response = client.post("/appeals/calls/new/", _call_post(world, opens="2030-04-01"))
    assert "The call would open (2030-04-01) after its deadline (2030-03-31)." in response.content.decode()


def test_who_gets_the_call_pages(world, client):
    u = world.users
    draft = world.new_call()
    assert client.get("/appeals/calls/new/").status_code == 302  # the sign-in page
    assert client.get(f"/appeals/calls/{draft.pk}/edit/").status_code == 404
    _login(client, u.unodc)  # a focal point
    assert client.get("/appeals/calls/new/").status_code == 403
    assert client.post("/appeals/calls/new/", _call_post(world)).status_code == 403
    assert client.get(f"/appeals/calls/{draft.pk}/edit/").status_code == 404  # a draft it may not read
    assert client.post(f"/appeals/calls/{draft.pk}/delete/", {"reason": "x"}).status_code == 404
    _login(client, u.officer)  # an officer of wg-5 reads the draft, but only the secretariat drafts calls
    assert client.get("/appeals/calls/new/").status_code == 403
    assert client.get(f"/appeals/calls/{draft.pk}/edit/").status_code == 403
    assert client.post(f"/appeals/calls/{draft.pk}/delete/", {"reason": "x"}).status_code == 403
    assert Call.objects.filter(pk=draft.pk).exists() and not Call.objects.filter(title_en="Call for Africa 2030").exists()


def test_editing_a_draft_replaces_its_criteria_and_an_open_call_keeps_them_locked(world, client):
    call = world.new_call()
    _login(client, world.users.sec)
    page = client.get(f"/appeals/calls/{call.pk}/edit/").content.decode()
    assert 'value="Relevance to the Strategy"' in page and 'value="Pertinence au regard de la Stratégie"' in page
    data = _call_post(world, reason="One criterion") | {"criteria-TOTAL_FORMS": "1",
                                                        **_criterion(0, number=1, name="Value for money", weight="100")}
    assert client.post(f"/appeals/calls/{call.pk}/edit/", data).status_code == 302
    assert list(call.criteria.values_list("name_en", flat=True)) == ["Value for money"]
    services.call_open(actor=world.users.sec, call=call, reason="Open")
    page = client.get(f"/appeals/calls/{call.pk}/edit/").content.decode()
    assert "criteria-TOTAL_FORMS" not in page and "Locked: the call is open" in page
    from compact.registry.models import Body

    later = _call_post(world, deadline_0="2030-04-30", time_zone="UTC", max_score="3", reason="Extended",
                       body=Body.objects.get(key="committee").pk) | {"criteria-TOTAL_FORMS": "1",
                                                                     **_criterion(0, number=1, name="Sneaky", weight="1")}
    assert client.post(f"/appeals/calls/{call.pk}/edit/", later).status_code == 302
    call.refresh_from_db()
    assert call.deadline == dt.datetime(2030, 4, 30, 17, 0, tzinfo=dt.UTC)
    assert call.max_score == 10 and call.body.key == "wg-5"  # locked: the posted values are ignored
    assert list(call.criteria.values_list("name_en", flat=True)) == ["Value for money"]


def test_a_draft_call_is_deleted_with_a_reason_and_an_open_one_is_not(world, client):
    call = world.new_call()
    _login(client, world.users.sec)
    response = client.post(f"/appeals/calls/{call.pk}/delete/", {"reason": ""})
    assert response.status_code == 400 and "Say why the call is deleted." in response.content.decode()
    response = client.post(f"/appeals/calls/{call.pk}/delete/", {"reason": "Replaced"})
    assert response.status_code == 302 and response["Location"] == "/appeals/calls/"
    assert not Call.objects.filter(pk=call.pk).exists()
    deleted = ChangeEvent.objects.filter(reason="Replaced", action="delete")
    assert sorted(deleted.values_list("object_type", flat=True)) == ["appeals.call", *["appeals.criterion"] * 3]
    opened = world.new_call()
    services.call_open(actor=world.users.sec, call=opened, reason="Open")
    response = client.post(f"/appeals/calls/{opened.pk}/delete/", {"reason": "Oops"})
    assert response.status_code == 400
    assert "Only a draft call can be deleted; this one is open: close it instead." in response.content.decode()


def test_a_decided_call_has_no_edit_page(world, client):
    call = world.new_call()
    Call.objects.filter(pk=call.pk).update(status="decided")
    _login(client, world.users.sec)
    response = client.get(f"/appeals/calls/{call.pk}/edit/")
    assert response.status_code == 400 and "The call is decided: it can no longer change." in response.content.decode()


def test_links_to_the_call_forms_are_shown_to_the_secretariat_only(world, client):
    call = world.new_call()
    services.call_open(actor=world.users.sec, call=call, reason="Open")
    for user, shown in ((None, False), (world.users.unodc, False), (world.users.officer, False), (world.users.sec, True)):
        if user is not None:
            _login(client, user)
        assert ('href="/appeals/calls/new/"' in client.get("/appeals/calls/").content.decode()) is shown, user
        assert (f'href="/appeals/calls/{call.pk}/edit/"' in client.get(f"/appeals/calls/{call.pk}/").content.decode()) is shown


# --- appeals ---------------------------------------------------------------------------------------


def _appeal_post(world, **extra) -> dict:
    from compact.registry.models import Body

    data = {"key": "africa-2030", **_texts("title", en="Joint Appeal for Africa", ar="النداء المشترك لأفريقيا"),
            **_texts("description"), "body": Body.objects.get(key="wg-5").pk, "period_start": "2030-01-01",
            "period_end": "2031-12-31", "region": "002", "projects": [world.sahel.pk, world.kenya.pk], "reason": "Draft"}
    return data | extra


def test_an_officer_drafts_an_appeal_of_projects_they_may_read(world, client):
    _login(client, world.users.officer)
    page = client.get("/appeals/new/").content.decode()
    assert world.sahel.title in page and world.kenya.title in page
    response = client.post("/appeals/new/", _appeal_post(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    appeal = Appeal.objects.get(key="africa-2030")
    assert response["Location"] == "/appeals/africa-2030/"
    assert appeal.status == "draft" and appeal.region == "002" and appeal.title_ar == "النداء المشترك لأفريقيا"
    assert appeal.period_end == dt.date(2031, 12, 31) and appeal.body.key == "wg-5"
    assert sorted(appeal.projects.values_list("pk", flat=True)) == sorted([world.sahel.pk, world.kenya.pk])


def test_an_invalid_appeal_is_shown_again_with_each_message_at_its_field(world, client):
    _login(client, world.users.sec)
    response = client.post("/appeals/new/", _appeal_post(world, key="calls", period_end="2029-12-31"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The key “calls” is not usable" in html
    assert "The period ends (2029-12-31) before it starts (2030-01-01)." in html
    response = client.post("/appeals/new/", _appeal_post(world, region="404"))  # Kenya: a country, not a region
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
    assert not Appeal.objects.exists()


@pytest.fixture
def plain_focal_point(make_user):
    """A UNDP focal point representing it in the Compact only: no officer standing in any body."""
    return make_user("undp-compact-fp", entity="UNDP", body="compact")


def test_who_gets_the_appeal_pages(world, client, plain_focal_point):
    appeal = services.appeal_create(actor=world.users.sec, key="draft", title="Draft appeal",
                                    period_start=dt.date(2030, 1, 1), period_end=dt.date(2030, 12, 31))
    assert client.get("/appeals/new/").status_code == 302
    assert client.get(f"/appeals/{appeal.key}/edit/").status_code == 404
    # UNODC's focal point is an officer of wg-2 and wg-4 (seed): it drafts appeals for those only.
    _login(client, world.users.unodc)
    form = client.get("/appeals/new/").context["form"]
    assert sorted(form.fields["body"].queryset.values_list("key", flat=True)) == ["wg-2", "wg-4"]
    response = client.post("/appeals/new/", _appeal_post(world))
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
    _login(client, plain_focal_point)
    assert client.get("/appeals/new/").status_code == 403
    assert client.post("/appeals/new/", _appeal_post(world)).status_code == 403
    assert client.get(f"/appeals/{appeal.key}/edit/").status_code == 404
    services.appeal_update(actor=world.users.sec, appeal=appeal, sensitivity="public", reason="Shown")
    Appeal.objects.filter(pk=appeal.pk).update(status="published")
    assert client.get(f"/appeals/{appeal.key}/edit/").status_code == 403  # readable, not changeable
    assert not Appeal.objects.filter(key="africa-2030").exists()


def test_editing_keeps_the_projects_the_editor_may_not_read(world, client):
    from support.projects import make_project

    hidden = make_project(None, stage="published", title="Strictly confidential project", sensitivity="strictly_confidential")
    appeal = services.appeal_create(actor=world.users.sec, key="africa", title="Joint Appeal", period_start=dt.date(2030, 1, 1),
                                    period_end=dt.date(2030, 12, 31), projects=[world.sahel, hidden])
    _login(client, world.users.officer)
    page = client.get("/appeals/africa/edit/").content.decode()
    assert "Strictly confidential project" not in page
    response = client.post("/appeals/africa/edit/", _appeal_post(world, key="africa", projects=[world.kenya.pk]))
    assert response.status_code == 302
    assert sorted(appeal.projects.values_list("pk", flat=True)) == sorted([world.kenya.pk, hidden.pk])


def test_a_published_appeal_changes_with_a_reason_and_closes_on_its_page(world, client):
    from compact.projects import services as project_services

    project_services.project_publish(actor=world.users.sec, project=world.kenya, reason="Endorsed")
    appeal = services.appeal_create(actor=world.users.sec, key="africa", title="Joint Appeal", period_start=dt.date(2030, 1, 1),
                                    period_end=dt.date(2030, 12, 31), projects=[world.sahel, world.kenya])
    services.appeal_publish(actor=world.users.sec, appeal=appeal, reason="Launch")
    _login(client, world.users.sec)
    assert 'href="/appeals/africa/edit/"' in client.get("/appeals/africa/").content.decode()
    response = client.post("/appeals/africa/edit/", _appeal_post(world, key="africa", reason=""))
    assert response.status_code == 400 and "The appeal is published: say why it changes." in response.content.decode()
    assert client.post("/appeals/africa/edit/", _appeal_post(world, key="africa", reason="Renamed")).status_code == 302
    appeal.refresh_from_db()
    assert appeal.title_en == "Joint Appeal for Africa" and appeal.status == "published"
    assert client.post("/appeals/africa/step/", {"op": "close_appeal", "reason": "Period over"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "closed"


def test_links_to_the_appeal_forms_are_shown_to_those_who_may_use_them(world, client, plain_focal_point):
    services.appeal_create(actor=world.users.sec, key="africa", title="Joint Appeal", period_start=dt.date(2030, 1, 1),
                           period_end=dt.date(2030, 12, 31), sensitivity="public")
    Appeal.objects.filter(key="africa").update(status="published")
    u = world.users
    # (user, sees "New appeal", sees "Edit" on the wg-5 appeal): UNODC's focal point drafts for wg-2 and wg-4 only.
    for user, new, edit in ((None, False, False), (plain_focal_point, False, False), (u.unodc, True, False),
                            (u.officer, True, True), (u.sec, True, True)):
        if user is not None:
            _login(client, user)
        assert ('href="/appeals/new/"' in client.get("/appeals/").content.decode()) is new, user
        assert ('href="/appeals/africa/edit/"' in client.get("/appeals/africa/").content.decode()) is edit, user


# --- languages and queries -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_forms_in_english_and_arabic(world, client, language):
    call = world.new_call()
    appeal = services.appeal_create(actor=world.users.sec, key="africa", title={"en": "Joint Appeal", "ar": "النداء المشترك"},
                                    period_start=dt.date(2030, 1, 1), period_end=dt.date(2030, 12, 31))
    _login(client, world.users.sec)
    for url in ("/appeals/calls/new/", f"/appeals/calls/{call.pk}/edit/", "/appeals/new/", f"/appeals/{appeal.key}/edit/"):
        response = client.get(url, {"lang": language})
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
        assert 'lang="ar" dir="rtl"' in html  # the Arabic texts are typed right to left whatever the page's language
    html = client.get(f"/appeals/{appeal.key}/edit/", {"lang": language}).content.decode()
    assert ("النداء المشترك" if language == "ar" else "Joint Appeal") in html.split("<h1>")[0]


def test_the_forms_use_a_bounded_number_of_queries(world, client, make_user, django_assert_max_num_queries):
    from support.projects import make_project

    call = world.new_call()
    _login(client, world.users.sec)
    for n in range(6):
        make_user(f"extra{n}", entity="UNDP", function="representative")
        make_project(None, stage="published", title=f"Project {n}", iati_identifier=f"XM-TEST-Q{n}")
    for url in ("/appeals/calls/new/", f"/appeals/calls/{call.pk}/edit/", "/appeals/new/"):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(60):
        assert client.post("/appeals/calls/new/", _call_post(world)).status_code == 302
    with django_assert_max_num_queries(40):
        assert client.post("/appeals/new/", _appeal_post(world)).status_code == 302
