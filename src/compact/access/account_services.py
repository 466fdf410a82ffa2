"""Writes about a user's own sign-in: two-factor devices, and the registry person behind an account
created on the command line.

Like every service, each function is keyword-only, runs in one transaction, checks that the actor may
make the change, validates, writes, and records exactly one change-log event per row written
(``compact.audit.services.record_change``). ``actor=None`` is the platform itself (a command, single
sign-on), named through ``actor_label``.

The secret key of a TOTP device never enters the change log: device events list the key as
``"hidden"`` (see ``device_snapshot``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from compact.access.models import SecurityPolicy
from compact.access.principal import is_secretariat
from compact.audit.models import ChangeEvent
from compact.audit.services import diff, record_change, snapshot

#: The name given to the device a user sets up; shown in the change log as the device's name.
DEVICE_NAME = "Authenticator app"

#: Device fields that are internal bookkeeping of django-otp (throttling, replay protection) and the
#: secret itself: never recorded in the change log.
_UNRECORDED_DEVICE_FIELDS = frozenset({"key", "last_t", "drift", "throttling_failure_timestamp",
                                       "throttling_failure_count", "last_used_at"})

#: What the change log shows in place of the key: present or absent, never the value.
HIDDEN = "hidden"


def device_snapshot(device: TOTPDevice) -> dict[str, Any]:
    """The recordable fields of ``device`` as ``{field: value}``: every concrete field except the
    secret key and django-otp's bookkeeping, plus ``"key": "hidden"`` when a key is set."""
    values = {k: v for k, v in snapshot(device).items() if k not in _UNRECORDED_DEVICE_FIELDS}
    values["key"] = HIDDEN if device.key else ""
    return values


def _require_self_or_secretariat(actor, user) -> None:
    """The user themselves, the secretariat, or the platform (``actor`` None) may act on a user's devices."""
    if actor is None or actor.pk == user.pk:
        return
    if not is_secretariat(actor):
        raise PermissionDenied(_("Only the user or the secretariat may change this user's two-factor settings."))


def two_factor_device_create(*, user, actor=None, actor_label: str = "",
                             reason: str = "Two-factor authentication set up by the user") -> TOTPDevice:
    """Create a new, unconfirmed TOTP device (RFC 6238: 6 digits, 30-second steps) for ``user``;
    returns it. The user confirms it with ``two_factor_device_confirm``.

    Earlier unconfirmed devices of the user are deleted first (one event each), so that only the
    newest key shown to the user can be confirmed. Raises ``PermissionDenied`` unless the actor is the
    user (or the platform), ``ValidationError`` when the user already has a confirmed device (it must
    be removed first).
    """
    if actor is not None and actor.pk != user.pk:
        raise PermissionDenied(_("Only the user may set up their own two-factor device."))
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user))
        if any(d.confirmed for d in devices):
            raise ValidationError(
                _("Two-factor authentication is already set up for this account; remove the current device first.")
            )
        for old in devices:
            record_change(action=ChangeEvent.Action.DELETE, obj=old, changes=diff(device_snapshot(old), {}),
                          reason=reason, actor=actor, actor_label=actor_label)
            old.delete()
        device = TOTPDevice(user=user, name=DEVICE_NAME, confirmed=False)
        device.save()
        record_change(action=ChangeEvent.Action.CREATE, obj=device, changes=diff({}, device_snapshot(device)),
                      reason=reason, actor=actor, actor_label=actor_label)
    return device


def two_factor_device_confirm(*, device: TOTPDevice, token: str, actor=None, actor_label: str = "",
                              reason: str = "Two-factor authentication confirmed by the user") -> ChangeEvent:
    """Confirm ``device`` with a 6-digit ``token`` from the authenticator app; returns the event.

    Raises ``PermissionDenied`` unless the actor is the device's user (or the platform),
    ``ValidationError`` when the device is already confirmed, when too many wrong codes were given
    (django-otp's throttling: wait and try again), or when the code is not the current one.
    """
    if actor is not None and actor.pk != device.user_id:
        raise PermissionDenied(_("Only the user may confirm their own two-factor device."))
    token = (token or "").strip().replace(" ", "")
    device.refresh_from_db()
    if device.confirmed:
        raise ValidationError(_("This device is already confirmed."))
    # Outside the transaction below: a wrong code must count towards django-otp's throttling even
    # though the confirmation fails.
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        raise ValidationError(_("Too many wrong codes in a row: wait a minute, then enter the newest code."))
    if not (token.isdigit() and len(token) == device.digits and device.verify_token(token)):
        raise ValidationError(
            _("The code %(code)s is not the current code of this key: check the app's clock and enter the newest "
              "6-digit code.") % {"code": token or "''"}
        )
    with transaction.atomic():
        before = device_snapshot(device)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return record_change(action=ChangeEvent.Action.UPDATE, obj=device, changes=diff(before, device_snapshot(device)),
                             reason=reason, actor=actor, actor_label=actor_label)


def two_factor_device_remove(*, device: TOTPDevice, actor=None, actor_label: str = "",
                             reason: str = "Two-factor authentication removed by the user") -> ChangeEvent:
    """Delete ``device``; returns the event (the device's last recordable values, never its key).

    The user may remove their own device only while the secretariat does not require two-factor
    authentication (``SecurityPolicy.require_two_factor``); the secretariat may remove anyone's device
    (a lost phone), and must give a reason. Raises ``PermissionDenied`` otherwise,
    ``compact.audit.services.ReasonRequired`` when the secretariat gives no reason.
    """
    from compact.audit.services import ReasonRequired

    user = device.user
    _require_self_or_secretariat(actor, user)
    acting_as_secretariat = actor is not None and actor.pk != user.pk
    if acting_as_secretariat and not reason.strip():
        raise ReasonRequired(_("A reason is required to remove another user's two-factor device."))
    if (actor is not None and actor.pk == user.pk and device.confirmed and not is_secretariat(actor)
            and SecurityPolicy.current().require_two_factor):
        raise PermissionDenied(_("Two-factor authentication is required for everyone: the device cannot be removed."))
    with transaction.atomic():
        event = record_change(action=ChangeEvent.Action.DELETE, obj=device, changes=diff(device_snapshot(device), {}),
                              reason=reason, actor=actor, actor_label=actor_label)
        device.delete()
    return event


def person_create(*, entity, given_name: str, family_name: str, email: str = "", function: str,
                  body=None, job_title: str = "", actor=None, actor_label: str = "", reason: str):
    """Create a registry ``Person`` of ``entity`` (``function`` "focal_point" or "representative",
    optionally representing it in ``body``); returns the person, not yet linked to any user (see
    ``compact.access.services.person_link_user``).

    Raises ``PermissionDenied`` unless the actor is the secretariat (or the platform),
    ``ReasonRequired`` without a reason, ``ValidationError`` (by field) for a blank name, an unknown
    function or a malformed e-mail address.
    """
    from compact.audit.services import ReasonRequired
    from compact.registry.models import Person

    if actor is not None and not is_secretariat(actor):
        raise PermissionDenied(_("Only the secretariat may add people to the registry."))
    if not reason.strip():
        raise ReasonRequired(_("A reason is required for this change."))
    person = Person(entity=entity, given_name=given_name.strip(), family_name=family_name.strip(), email=email.strip(),
                    function=function, body=body, job_title=job_title.strip())
    person.full_clean(exclude=["user"])
    with transaction.atomic():
        person.save()
        record_change(action=ChangeEvent.Action.CREATE, obj=person, changes=diff({}, snapshot(person)),
                      reason=reason, actor=actor, actor_label=actor_label)
    return person
