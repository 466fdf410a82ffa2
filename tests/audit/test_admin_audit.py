"""Edits in the admin are recorded in the audit trail with the user, the request id and a reason."""

import pytest
from django.contrib.auth import get_user_model

from compact.audit.models import ChangeEvent
from compact.registry.models import Entity


@pytest.fixture
def secretariat_client(client, seeded):
    user = get_user_model().objects.create_superuser("secretariat", "secretariat@example.org", "a-long-passphrase-1")
    client.force_login(user)
    return client


def _entity_form(entity: Entity, **overrides) -> dict:
    data = {f"name_{code}": getattr(entity, f"name_{code}") or "" for code in ("ar", "en", "es", "fr", "ru", "zh_hans")}
    data.update(
        {
            "acronym": entity.acronym,
            "kind": entity.kind,
            "iati_identifier": entity.iati_identifier,
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0",
            "aliases-MAX_NUM_FORMS": "1000",
        }
    )
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_change_is_recorded_with_its_reason(secretariat_client):
    undp = Entity.objects.get(acronym="UNDP")
    before = ChangeEvent.objects.count()
    response = secretariat_client.post(
        f"/admin/registry/entity/{undp.pk}/change/",
        _entity_form(undp, name_es="Programa de las Naciones Unidas para el Desarrollo", change_reason="Spanish name added"),
        HTTP_X_REQUEST_ID="req-admin-0001",
    )
    assert response.status_code == 302, response.content[:2000]
    event = ChangeEvent.objects.order_by("-id").first()
    assert ChangeEvent.objects.count() == before + 1
    assert event.action == "update"
    assert event.object_type == "registry.entity"
    assert event.changes == {"name_es": [None, "Programa de las Naciones Unidas para el Desarrollo"]} or event.changes == {
        "name_es": ["", "Programa de las Naciones Unidas para el Desarrollo"]
    }
    assert event.reason == "Spanish name added"
    assert event.actor.username == "secretariat"
    assert event.request_id == "req-admin-0001"


@pytest.mark.django_db
def test_admin_change_without_reason_is_refused_and_nothing_changes(secretariat_client):
    undp = Entity.objects.get(acronym="UNDP")
    before = ChangeEvent.objects.count()
    response = secretariat_client.post(f"/admin/registry/entity/{undp.pk}/change/", _entity_form(undp, name_en="Changed"))
    assert response.status_code == 200  # the form comes back with an error
    assert "change_reason" in response.context["adminform"].form.errors
    assert Entity.objects.get(acronym="UNDP").name_en != "Changed"
    assert ChangeEvent.objects.count() == before


@pytest.mark.django_db
def test_change_log_cannot_be_edited_or_deleted(seeded):
    event = ChangeEvent.objects.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        ChangeEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        ChangeEvent.objects.update(reason="rewritten")


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["strategy", "pillar", "entity", "body", "person"])
def test_registry_admin_pages_open(secretariat_client, model):
    assert secretariat_client.get(f"/admin/registry/{model}/").status_code == 200
    assert secretariat_client.get(f"/admin/registry/{model}/add/").status_code == 200


@pytest.mark.django_db
def test_admin_body_page_shows_leadership_and_participation_inlines(secretariat_client):
    from compact.registry.models import Body

    wg2 = Body.objects.get(key="wg-2")
    response = secretariat_client.get(f"/admin/registry/body/{wg2.pk}/change/")
    assert response.status_code == 200
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    roles = formsets["leadership_roles"]
    assert sorted((f.instance.entity.acronym, f.instance.role) for f in roles.forms if f.instance.pk) == [
        ("CTED", "chair"), ("INTERPOL", "vice_chair"), ("UNODC", "vice_chair"), ("WCO", "co_chair"),
    ]


@pytest.mark.django_db
def test_admin_change_of_an_inline_role_records_only_that_role(secretariat_client):
    from compact.registry.models import Body

    wg8 = Body.objects.get(key="wg-8")
    page = secretariat_client.get(f"/admin/registry/body/{wg8.pk}/change/")
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else (value.pk if hasattr(value, "pk") else value)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({k: v for k, v in formset.management_form.initial.items() for k in [f"{formset.prefix}-{k}"]})
        for i, sub in enumerate(formset.forms):
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                data[f"{formset.prefix}-{i}-{name}"] = "" if value is None else (value.pk if hasattr(value, "pk") else value)
    chair_index = next(i for i, f in enumerate(next(
        x.formset for x in page.context["inline_admin_formsets"] if x.formset.prefix == "leadership_roles").forms)
        if f.instance.role == "chair")
    data[f"leadership_roles-{chair_index}-end"] = "2024-12-31"
    data["change_reason"] = "End of UN-Women's term as chair"
    before = ChangeEvent.objects.count()
    response = secretariat_client.post(f"/admin/registry/body/{wg8.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    events = list(ChangeEvent.objects.order_by("id")[before:])
    assert [(e.object_type, e.action) for e in events] == [("registry.leadershiprole", "update")]
    assert events[0].changes == {"end": [None, "2024-12-31"]}
    assert events[0].reason == "End of UN-Women's term as chair"


@pytest.mark.django_db
def test_the_database_itself_refuses_to_rewrite_the_change_log(seeded):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the database-level guard is a PostgreSQL trigger")
    event = ChangeEvent.objects.first()
    table = ChangeEvent._meta.db_table
    for statement in (f"UPDATE {table} SET reason = 'rewritten' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert ChangeEvent.objects.get(pk=event.pk).reason == event.reason
