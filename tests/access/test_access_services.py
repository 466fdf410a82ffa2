"""Accounts, affiliation, the secretariat role, grants and the security policy: who may do them, and
what they refuse."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from compact.access import services
from compact.access.models import Grant, SecurityPolicy
from compact.access.policy import can
from compact.access.principal import principal_for
from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired, record_change
from compact.library.models import Document
from compact.registry.models import Body, Entity, Participation

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(seeded, make_user):
    return {
        "sec": make_user("sec", secretariat=True),
        "fp": make_user("fp", entity="UNDP"),
        "rep": make_user("rep", entity="UNDP", function="representative"),
        "other": make_user("other", entity="WCO", function="representative"),
    }


def test_only_the_secretariat_manages_accounts(people):
    for service, kwargs in [
        (services.user_create, {"username": "x", "email": "x@example.org", "password": None}),
        (services.user_set_active, {"user": people["rep"], "active": False}),
        (services.secretariat_set, {"user": people["rep"], "member": True}),
        (services.security_policy_set, {"require_two_factor": True}),
    ]:
        with pytest.raises(PermissionDenied):
            service(actor=people["fp"], reason="trying", **kwargs)
    assert not get_user_model().objects.filter(username="x").exists()
    assert not SecurityPolicy.current().require_two_factor


def test_user_create_hashes_with_argon2_and_refuses_weak_passwords_and_taken_names(people):
    user = services.user_create(username="Newcomer", email="n@example.org", password="amber-quarry-velvet-77",
                                actor=people["sec"], reason="New focal point")
    assert user.password.startswith("argon2")
    event = ChangeEvent.objects.get(object_type="auth.user", object_id=str(user.pk))
    assert "password" in event.changes and "amber" not in str(event.changes) and user.password not in str(event.changes)
    with pytest.raises(ValidationError):
        services.user_create(username="weak", email="w@example.org", password="password", actor=people["sec"], reason="r")
    with pytest.raises(ValidationError, match="already taken"):
        services.user_create(username="newcomer", email="n2@example.org", password=None, actor=people["sec"], reason="r")


def test_a_reason_is_required(people):
    with pytest.raises(ReasonRequired):
        services.secretariat_set(user=people["rep"], member=True, actor=people["sec"], reason="  ")


def test_the_secretariat_cannot_remove_its_own_role(people):
    with pytest.raises(ValueError, match="own secretariat role"):
        services.secretariat_set(user=people["sec"], member=False, actor=people["sec"], reason="leaving")


def test_the_secretariat_cannot_deactivate_its_own_account(people):
    with pytest.raises(ValueError, match="own account"):
        services.user_set_active(user=people["sec"], active=False, actor=people["sec"], reason="leaving")
    people["sec"].refresh_from_db()
    assert people["sec"].is_active


def test_a_deactivated_user_counts_as_a_visitor(people):
    services.user_set_active(user=people["fp"], active=False, actor=people["sec"], reason="Left UNDP")
    people["fp"].refresh_from_db()
    assert not principal_for(people["fp"]).is_authenticated


def test_grants_open_a_strictly_confidential_item_to_a_named_person_and_are_audited(people):
    doc = Document.objects.create(title="Threat assessment", owner_entity=Entity.objects.get(acronym="UNDP"),
                                  sensitivity="strictly_confidential")
    assert not can(people["other"], "view", doc)
    with pytest.raises(PermissionDenied):  # the focal point may not change a strictly confidential item
        services.grant_create(obj=doc, user=people["other"], actor=people["fp"], reason="share")
    services.grant_create(obj=doc, user=people["other"], level="read", actor=people["sec"], reason="Needs it for the review")
    assert can(people["other"], "view", doc) and not can(people["other"], "change", doc)
    event = ChangeEvent.objects.filter(object_type="library.document", object_id=str(doc.pk)).latest("id")
    assert event.changes == {"grant:other": [None, "read"]}
    assert event.reason == "Needs it for the review"
    services.grant_revoke(obj=doc, user=people["other"], actor=people["sec"], reason="Review over")
    assert not Grant.objects.exists()
    fresh = get_user_model().objects.get(pk=people["other"].pk)
    assert not can(fresh, "view", doc)


def test_nobody_but_the_secretariat_names_themselves_on_an_item(people):
    doc = Document.objects.create(title="t", owner_entity=Entity.objects.get(acronym="UNDP"), sensitivity="confidential")
    assert can(people["fp"], "change", doc)
    with pytest.raises(PermissionDenied, match="yourself"):
        services.grant_create(obj=doc, user=people["fp"], level="change", actor=people["fp"], reason="keep access")
    assert not Grant.objects.exists()


def test_unknown_grant_level_is_refused(people):
    doc = Document.objects.create(title="t", owner_entity=Entity.objects.get(acronym="UNDP"))
    with pytest.raises(ValueError, match="Unknown grant level"):
        services.grant_create(obj=doc, user=people["other"], level="admin", actor=people["sec"], reason="r")


def test_structure_changes_and_confidential_content_need_a_reason(people):
    participation = Participation.objects.filter(body__key="wg-1").first()
    with pytest.raises(ReasonRequired):
        record_change(action="update", obj=participation, changes={"end": [None, "2030-01-01"]}, reason="")
    body = Body.objects.get(key="wg-1")
    with pytest.raises(ReasonRequired):
        record_change(action="update", obj=body, changes={"mandate": ["a", "b"]}, reason="")
    doc = Document.objects.create(title="t", owner_entity=Entity.objects.get(acronym="UNDP"), sensitivity="internal")
    record_change(action="update", obj=doc, changes={"title": ["s", "t"]}, reason="")  # internal: no reason needed
    with pytest.raises(ReasonRequired):  # was confidential before this change
        record_change(action="update", obj=doc, changes={"sensitivity": ["confidential", "internal"]}, reason="")
    doc.sensitivity = "confidential"
    with pytest.raises(ReasonRequired):
        record_change(action="update", obj=doc, changes={"title": ["s", "t"]}, reason="")
