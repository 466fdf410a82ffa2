"""Every write about users and access: accounts, affiliation with a registry person, the secretariat
role, explicit grants and the platform's security policy.

Each service runs in one transaction, checks that the actor may make the change, and records exactly
one change-log event per row written (``compact.audit.services``). ``actor=None`` is the platform
itself, for command-line use (the command names itself through ``actor_label``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from compact.access.models import AccessControlled, Grant, SecurityPolicy
from compact.access.policy import Action, can
from compact.access.principal import SECRETARIAT_GROUP, is_secretariat
from compact.audit.models import ChangeEvent
from compact.audit.services import ReasonRequired, diff, record_change, snapshot


def _require_secretariat(actor) -> None:
    if actor is not None and not is_secretariat(actor):
        raise PermissionDenied(_("Only the secretariat may do this."))


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise ReasonRequired(_("A reason is required for this change."))


def user_create(*, username: str, email: str, password: str | None, actor=None, actor_label: str = "", reason: str):
    """Create an active user account; returns the user.

    ``password`` None leaves the account without a usable password (single sign-on, or a reset by
    e-mail). Raises ``PermissionDenied`` unless the actor is the secretariat (or the platform),
    ``ReasonRequired`` without a reason, ``django.core.exceptions.ValidationError`` for a password
    the validators refuse or a user name already taken.
    """
    from django.core.exceptions import ValidationError

    _require_secretariat(actor)
    _require_reason(reason)
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The user name {username!r} is already taken."})
    user = User(username=username, email=email, is_active=True)
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        record_change(action=ChangeEvent.Action.CREATE, obj=user, changes=diff({}, snapshot(user)),
                      reason=reason, actor=actor, actor_label=actor_label)
    return user


def user_set_active(*, user, active: bool, actor=None, actor_label: str = "", reason: str) -> ChangeEvent | None:
    """Activate or deactivate an account (a deactivated user cannot sign in and counts as a visitor).
    Returns the event, or None when nothing changed. Raises ``PermissionDenied`` unless the actor is the
    secretariat, ``ReasonRequired`` without a reason, ``ValueError`` when the actor would deactivate their
    own account."""
    _require_secretariat(actor)
    _require_reason(reason)
    if actor is not None and actor.pk == user.pk and not active:
        raise ValueError(_("You cannot deactivate your own account; ask another member of the secretariat."))
    if user.is_active == active:
        return None
    with transaction.atomic():
        before = snapshot(user)
        user.is_active = active
        user.save(update_fields=["is_active"])
        return record_change(action=ChangeEvent.Action.UPDATE, obj=user, changes=diff(before, snapshot(user)),
                             reason=reason, actor=actor, actor_label=actor_label)


def password_set(*, user, password: str, actor=None, actor_label: str = "", reason: str = "Password changed") -> ChangeEvent:
    """Set a user's password (validated by ``AUTH_PASSWORD_VALIDATORS``, hashed with Argon2). The trail
    records that it changed, never the value. Raises ``PermissionDenied`` unless the actor is the user
    or the secretariat, ``ValidationError`` for a refused password."""
    if actor is not None and actor.pk != user.pk:
        _require_secretariat(actor)
    validate_password(password, user)
    with transaction.atomic():
        before = snapshot(user)
        user.set_password(password)
        user.save(update_fields=["password"])
        return record_change(action=ChangeEvent.Action.UPDATE, obj=user, changes=diff(before, snapshot(user)),
                             reason=reason, actor=actor, actor_label=actor_label)


def person_link_user(*, person, user, actor=None, actor_label: str = "", reason: str) -> ChangeEvent | None:
    """Affiliate ``user`` with an entity by linking them to the registry ``person`` (``user`` None
    unlinks). A user has at most one person: linking moves the user away from any other person, which
    is recorded as its own event. Returns the event for ``person``, or None when nothing changed.
    Raises ``PermissionDenied`` unless the actor is the secretariat, ``ReasonRequired`` without a reason."""
    from compact.registry.models import Person

    _require_secretariat(actor)
    _require_reason(reason)
    if person.user_id == (user.pk if user else None):
        return None
    with transaction.atomic():
        if user is not None:
            for other in Person.objects.filter(user=user).exclude(pk=person.pk):
                other_before = snapshot(other)
                other.user = None
                other.save(update_fields=["user"])
                record_change(action=ChangeEvent.Action.UPDATE, obj=other, changes=diff(other_before, snapshot(other)),
                              reason=reason, actor=actor, actor_label=actor_label)
        before = snapshot(person)
        person.user = user
        person.save(update_fields=["user"])
        return record_change(action=ChangeEvent.Action.UPDATE, obj=person, changes=diff(before, snapshot(person)),
                             reason=reason, actor=actor, actor_label=actor_label)


def secretariat_set(*, user, member: bool, actor=None, actor_label: str = "", reason: str) -> ChangeEvent | None:
    """Give or take away the secretariat role (membership of the ``secretariat`` group). Returns the
    event (recorded on the user as ``{"secretariat": [before, after]}``), or None when nothing changed.
    Raises ``PermissionDenied`` unless the actor is the secretariat, ``ReasonRequired`` without a reason,
    ``ValueError`` when the actor would remove their own role."""
    _require_secretariat(actor)
    _require_reason(reason)
    if actor is not None and actor.pk == user.pk and not member:
        raise ValueError(_("You cannot remove your own secretariat role; ask another member of the secretariat."))
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
        was = user.groups.filter(pk=group.pk).exists()
        if was == member:
            return None
        (user.groups.add if member else user.groups.remove)(group)
        user.__dict__.pop("_compact_principals", None)
        return record_change(action=ChangeEvent.Action.UPDATE, obj=user, changes={"secretariat": [was, member]},
                             reason=reason, actor=actor, actor_label=actor_label)


def _require_can_share(actor, obj: AccessControlled) -> None:
    if actor is not None and not can(actor, Action.CHANGE, obj):
        raise PermissionDenied(_("Only someone who may change this item may share it."))


def grant_create(*, obj: AccessControlled, user, level: str = Grant.Level.READ, actor=None, actor_label: str = "",
                 reason: str) -> Grant:
    """Name ``user`` as a reader (``level="read"``) or editor (``"change"``) of ``obj``; returns the
    grant. Changing the level of an existing grant updates it. The event is recorded on ``obj`` itself
    (``{"grant:<username>": [before, after]}``) so that the item's history shows who it was opened to.
    Raises ``PermissionDenied`` unless the actor may change ``obj``, or when actors other than the secretariat
    name themselves (rights that come from a role end with the role); ``ReasonRequired`` without a reason,
    ``ValueError`` for an unknown level."""
    if level not in Grant.Level.values:
        raise ValueError(_("Unknown grant level “%(level)s”: expected one of %(levels)s.")
                         % {"level": level, "levels": ", ".join(Grant.Level.values)})
    if actor is not None and actor.pk == user.pk and not is_secretariat(actor):
        # Rights that come from a role last as long as the role: nobody turns them into a grant of their own.
        raise PermissionDenied(_("You cannot name yourself on an item; ask the secretariat or another officer."))
    _require_can_share(actor, obj)
    _require_reason(reason)
    content_type = ContentType.objects.get_for_model(type(obj))
    with transaction.atomic():
        grant = Grant.objects.filter(user=user, content_type=content_type, object_id=obj.pk).first()
        before = grant.level if grant else None
        if grant is None:
            grant = Grant.objects.create(user=user, content_type=content_type, object_id=obj.pk, level=level,
                                         granted_by=actor if getattr(actor, "is_authenticated", False) else None)
        elif grant.level != level:
            grant.level = level
            grant.save(update_fields=["level"])
        if before != level:
            record_change(action=ChangeEvent.Action.UPDATE, obj=obj, changes={f"grant:{user.get_username()}": [before, level]},
                          reason=reason, actor=actor, actor_label=actor_label)
        user.__dict__.pop("_compact_principals", None)
        return grant


def grant_revoke(*, obj: AccessControlled, user, actor=None, actor_label: str = "", reason: str) -> ChangeEvent | None:
    """Remove ``user``'s grant on ``obj``; returns the event recorded on ``obj``, or None when there was
    no grant. Raises ``PermissionDenied`` unless the actor may change ``obj``, ``ReasonRequired`` without
    a reason."""
    _require_can_share(actor, obj)
    _require_reason(reason)
    content_type = ContentType.objects.get_for_model(type(obj))
    with transaction.atomic():
        grant = Grant.objects.filter(user=user, content_type=content_type, object_id=obj.pk).first()
        if grant is None:
            return None
        level = grant.level
        grant.delete()
        return record_change(action=ChangeEvent.Action.UPDATE, obj=obj, changes={f"grant:{user.get_username()}": [level, None]},
                             reason=reason, actor=actor, actor_label=actor_label)


def security_policy_set(*, require_two_factor: bool, actor=None, actor_label: str = "", reason: str) -> ChangeEvent | None:
    """Require (or stop requiring) two-factor authentication for every user. Returns the event, or None
    when nothing changed. Raises ``PermissionDenied`` unless the actor is the secretariat,
    ``ReasonRequired`` without a reason."""
    _require_secretariat(actor)
    _require_reason(reason)
    with transaction.atomic():
        policy = SecurityPolicy.objects.select_for_update().filter(pk=1).first()
        created = policy is None
        policy = policy or SecurityPolicy(pk=1)
        before = {} if created else snapshot(policy)
        if not created and policy.require_two_factor == require_two_factor:
            return None
        policy.require_two_factor = require_two_factor
        policy.save()
        return record_change(action=ChangeEvent.Action.CREATE if created else ChangeEvent.Action.UPDATE, obj=policy,
                             changes=diff(before, snapshot(policy)), reason=reason, actor=actor, actor_label=actor_label)
