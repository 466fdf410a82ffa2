"""The secretariat keeps a body's milestones in the admin, on the body's page, audited like any edit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from compact.audit.models import ChangeEvent
from compact.registry.models import Body, Milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat_client(client, seeded):
    user = get_user_model().objects.create_superuser("secretariat", "secretariat@example.org", "a-long-passphrase-1")
    client.force_login(user)
    return client


def form_data(page) -> dict:
    """The body's change form as the browser would post it unchanged: the form and every inline."""
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else (value.pk if hasattr(value, "pk") else value)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        for i, sub in enumerate(formset.forms):
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                data[f"{formset.prefix}-{i}-{name}"] = "" if value is None else (value.pk if hasattr(value, "pk") else value)
    return data


def test_the_committee_page_in_the_admin_lists_its_milestones(secretariat_client):
    committee = Body.objects.get(key="committee")
    page = secretariat_client.get(f"/admin/registry/body/{committee.pk}/change/")
    assert page.status_code == 200
    formsets = {f.formset.prefix: f.formset for f in page.context["inline_admin_formsets"]}
    assert [(f.instance.date, f.instance.title_en) for f in formsets["milestones"].forms if f.instance.pk] == [
        (dt.date(2018, 12, 6), "Inaugurated by the Secretary-General"),
        (dt.date(2019, 4, 16), "Second meeting: approved the working groups' terms of reference and first workplans"),
        (dt.date(2019, 7, 27), "Adopted its first joint programme of work, for 2019-2020"),
    ]
    assert {"title_en", "title_fr", "title_ar"} <= set(formsets["milestones"].forms[0].fields)


def test_a_milestone_added_in_the_admin_is_recorded_with_its_reason(secretariat_client):
    committee = Body.objects.get(key="committee")
    page = secretariat_client.get(f"/admin/registry/body/{committee.pk}/change/")
    data = form_data(page)
    n = int(data["milestones-TOTAL_FORMS"])
    data["milestones-TOTAL_FORMS"] = str(n + 1)
    data.update({f"milestones-{n}-date": "2020-08-28", f"milestones-{n}-title_en": "Fifth meeting, held virtually",
                 f"milestones-{n}-title_fr": "Cinquième réunion, tenue virtuellement"})
    data["change_reason"] = "Meeting record of the fifth meeting"
    before = ChangeEvent.objects.count()
    response = secretariat_client.post(f"/admin/registry/body/{committee.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    added = Milestone.objects.get(body=committee, date=dt.date(2020, 8, 28))
    assert added.title_fr == "Cinquième réunion, tenue virtuellement"
    events = list(ChangeEvent.objects.order_by("id")[before:])
    assert [(e.object_type, e.action, e.reason) for e in events] == [
        ("registry.milestone", "create", "Meeting record of the fifth meeting")]
