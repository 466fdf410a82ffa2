"""Every service leaves exactly one change-log event per row it writes, with its actor, the actor's
entity, the request id and the reason.

The services are found, not listed: every public function of a ``compact.<app>.services`` or
``compact.<app>.*_services`` module that takes an ``actor`` is a writing service (the audit trail's own
primitives in ``compact.audit.services`` excepted). Each must have an exercise below; a new service
without one fails ``test_every_service_has_an_exercise``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable

import pytest

import compact
from compact.audit.context import audit_context
from compact.audit.models import ChangeEvent
from support import exercises

pytestmark = pytest.mark.django_db

TRAIL_PRIMITIVES = "compact.audit.services"


def discovered_services() -> set[str]:
    """``{"module.function"}`` for every writing service of the platform."""
    found = set()
    for info in pkgutil.walk_packages(compact.__path__, "compact."):
        leaf = info.name.rsplit(".", 1)[-1]
        if not (leaf == "services" or leaf.endswith("_services")) or info.name == TRAIL_PRIMITIVES:
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_") and "actor" in inspect.signature(fn).parameters:
                found.add(f"{module.__name__}.{name}")
    return found


class Ctx:
    """What an exercise gets: the users and a world to write in."""

    def __init__(self, make_user):
        from compact.registry.models import Person

        self.secretariat = make_user("sec", secretariat=True, entity="UNOCT")
        self.focal = make_user("fp", entity="UNDP")
        self.person = Person.objects.get(user=self.focal)


def _doc(ctx, **kw):
    from compact.library.models import Document

    fields = {"title": "Terms of reference", "owner_entity": ctx.person.entity, "sensitivity": "internal"} | kw
    return Document.objects.create(**fields)


def ex_user_create(ctx, s):
    s.user_create(username="newcomer", email="n@example.org", password="amber-quarry-velvet-77", actor=ctx.secretariat,
                  reason="New focal point")
    return 1


def ex_user_set_active(ctx, s):
    s.user_set_active(user=ctx.focal, active=False, actor=ctx.secretariat, reason="Left the entity")
    return 1


def ex_password_set(ctx, s):
    s.password_set(user=ctx.focal, password="copper-meadow-falcon-19", actor=ctx.focal, reason="Password changed")
    return 1


def ex_person_link_user(ctx, s):
    from compact.registry.models import Entity, Person

    other = Person.objects.create(entity=Entity.objects.get(acronym="WCO"), given_name="Ada", family_name="Example",
                                  function="representative")
    s.person_link_user(person=other, user=ctx.focal, actor=ctx.secretariat, reason="Moved to WCO")
    return 2  # the old person is unlinked, the new one linked


def ex_secretariat_set(ctx, s):
    s.secretariat_set(user=ctx.focal, member=True, actor=ctx.secretariat, reason="Joins the secretariat")
    return 1


def ex_grant_create(ctx, s):
    s.grant_create(obj=_doc(ctx, sensitivity="confidential"), user=ctx.secretariat, level="read", actor=ctx.focal,
                   reason="For review")
    return 1


def ex_grant_revoke(ctx, s):
    from django.contrib.contenttypes.models import ContentType

    from compact.access.models import Grant

    doc = _doc(ctx)
    Grant.objects.create(user=ctx.secretariat, content_type=ContentType.objects.get_for_model(type(doc)), object_id=doc.pk)
    s.grant_revoke(obj=doc, user=ctx.secretariat, actor=ctx.focal, reason="Review over")
    return 1


def ex_security_policy_set(ctx, s):
    s.security_policy_set(require_two_factor=True, actor=ctx.secretariat, reason="Two-factor for everyone")
    return 1


def ex_structure_apply(ctx, s):
    from compact.interop.structure.reader import read_structure_file
    from compact.registry.models import Participation

    document = read_structure_file(s.default_structure_file())
    Participation.objects.filter(body__key="wg-3", entity__acronym="UNODA").delete()
    s.structure_apply(document=document, actor=ctx.secretariat, actor_label="", reason="Restore wg-3", dry_run=False)
    return 1  # the one participation the file has and the registry lost


def ex_two_factor_device_create(ctx, s):
    s.two_factor_device_create(user=ctx.focal, actor=ctx.focal)
    return 1


def ex_two_factor_device_confirm(ctx, s):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=ctx.focal, name="phone", confirmed=False)
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    s.two_factor_device_confirm(device=device, token=token, actor=ctx.focal)
    return 1


def ex_two_factor_device_remove(ctx, s):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=ctx.focal, name="phone", confirmed=True)
    s.two_factor_device_remove(device=device, actor=ctx.secretariat, reason="Lost phone")
    return 1


def ex_person_create(ctx, s):
    s.person_create(entity=ctx.person.entity, given_name="Lin", family_name="Example", function="representative",
                    actor=ctx.secretariat, reason="New representative")
    return 1


def ex_document_create(ctx, s):
    s.document_create(actor=ctx.focal, reason="Draft", title={"en": "Workplan", "fr": "Plan de travail"},
                      owner_entity=ctx.person.entity, sensitivity="internal")
    return 1


def ex_document_create_strictly_confidential(ctx, s):
    s.document_create(actor=ctx.secretariat, reason="Assessment", title="Assessment", owner_entity=ctx.person.entity,
                      sensitivity="strictly_confidential")
    return 2  # the document, and the creator's grant (recorded on it)


def ex_document_update(ctx, s):
    s.document_update(document=_doc(ctx), actor=ctx.focal, reason="Retitled", title={"en": "Terms of reference 2024"})
    return 1


def ex_document_delete(ctx, s):
    s.document_delete(document=_doc(ctx), actor=ctx.focal, reason="Duplicate")
    return 1


EXERCISES: dict[str, Callable] = {
    "compact.access.account_services.two_factor_device_create": ex_two_factor_device_create,
    "compact.access.account_services.two_factor_device_confirm": ex_two_factor_device_confirm,
    "compact.access.account_services.two_factor_device_remove": ex_two_factor_device_remove,
    "compact.access.account_services.person_create": ex_person_create,
    "compact.library.services.document_create": ex_document_create,
    "compact.library.services.document_update": ex_document_update,
    "compact.library.services.document_delete": ex_document_delete,
    "compact.access.services.user_create": ex_user_create,
    "compact.access.services.user_set_active": ex_user_set_active,
    "compact.access.services.password_set": ex_password_set,
    "compact.access.services.person_link_user": ex_person_link_user,
    "compact.access.services.secretariat_set": ex_secretariat_set,
    "compact.access.services.grant_create": ex_grant_create,
    "compact.access.services.grant_revoke": ex_grant_revoke,
    "compact.access.services.security_policy_set": ex_security_policy_set,
    "compact.registry.services.structure_apply": ex_structure_apply,
} | exercises.collected()


#: Further exercises of a service already covered above (other paths that write more than one row).
MORE_EXERCISES: dict[str, tuple[str, Callable]] = {
    "document_create strictly confidential": ("compact.library.services", ex_document_create_strictly_confidential),
}


def test_every_service_has_an_exercise():
    services = discovered_services()
    assert "compact.access.services.grant_create" in services  # discovery works
    missing = sorted(services - set(EXERCISES))
    assert not missing, f"services without an audit exercise: {missing}"
    stale = sorted(set(EXERCISES) - services)
    assert not stale, f"exercises of services that no longer exist: {stale}"


CASES = {q: (q.rsplit(".", 1)[0], fn) for q, fn in EXERCISES.items()} | MORE_EXERCISES


@pytest.mark.parametrize("case", sorted(CASES))
def test_service_leaves_one_event_per_write(case, seeded, make_user):
    module_name, exercise = CASES[case]
    _name = case.rsplit(".", 1)[-1].replace(" ", "-")
    ctx = Ctx(make_user)
    before = set(ChangeEvent.objects.values_list("pk", flat=True))
    with audit_context(request_id=f"req-{_name}"):
        writes = exercise(ctx, importlib.import_module(module_name))
    events = list(ChangeEvent.objects.exclude(pk__in=before))
    assert len(events) == writes, [str(e) for e in events]
    for event in events:
        assert event.request_id == f"req-{_name}"
        assert event.reason.strip()
        assert event.actor_id is not None or event.actor_label
        if event.actor_id is not None:
            from compact.access.principal import principal_for

            assert event.actor_entity_id == principal_for(event.actor).entity_id
