"""Writes about a user's own meeting settings: their preferences (time zone, e-mails they receive) and
the secret of their private calendar feeds.

Like every service, each function is keyword-only, runs in one transaction, checks that the actor may
make the change (the user themselves or the secretariat), validates, writes, and records exactly one
change-log event per row written (``compact.audit.services.record_change``).

A feed's secret (``secrets.token_urlsafe(32)``: 32 random bytes, 43 URL-safe characters) is returned
once, to be shown once; only its SHA-256 is stored (``FeedToken.digest``) and recorded. A user has at
most one live token: making one revokes the one before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compact.access.principal import is_secretariat
from compact.audit.models import ChangeEvent
from compact.audit.services import diff, record_change, snapshot
from compact.meetings import times
from compact.meetings.models import FeedToken, Preference
from compact.meetings.services import check_reason

#: The preferences a user may set, with their kinds: the time zone (an IANA name, empty for the site's)
#: and the e-mails they choose to receive.
PREFERENCE_FIELDS = ("time_zone", "notify_invitations", "notify_minutes", "notify_action_items", "notify_overdue",
                     "language")

#: The ``notify_*`` preferences (booleans).
NOTIFY_FIELDS = ("notify_invitations", "notify_minutes", "notify_action_items", "notify_overdue")

#: A token's ``last_used`` is written at most this often (it is bookkeeping, not a change).
LAST_USED_EVERY = dt.timedelta(minutes=1)


def secret_digest(secret: str) -> str:
    """The SHA-256 (64 hexadecimal digits) of a feed secret, as ``FeedToken.digest`` stores it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_self_or_secretariat(actor, user, message: str) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(message)
    if actor.pk != user.pk and not is_secretariat(actor):
        raise PermissionDenied(message)


def preference_set(*, actor, user=None, reason: str = "", **fields) -> Preference:
    """Set ``user``'s meeting preferences (default: the actor's own) to ``fields``, any of
    ``PREFERENCE_FIELDS``; returns the row (created on first use, with the model's defaults for the rest).

    ``time_zone`` is an IANA name known to the tz database (``times.zone``) or empty (the site's zone);
    ``language``, the language of their e-mails, one of ``settings.LANGUAGES`` or empty (the site's
    default); the ``notify_*`` fields are booleans. Nothing is recorded when nothing changes.
    Raises ``PermissionDenied`` unless the actor is the user or the secretariat, ``ValidationError`` on
    ``time_zone`` for an unknown zone, on ``language`` for an unknown language, on ``reason`` beyond
    500 characters, and ``TypeError`` for a field that is not a preference.
    """
    user = user or actor
    check_reason(reason)
    _require_self_or_secretariat(actor, user, _("Only the user or the secretariat may change these preferences."))
    unknown = sorted(set(fields) - set(PREFERENCE_FIELDS))
    if unknown:
        raise TypeError(f"not meeting preferences: {', '.join(unknown)}")
    if "time_zone" in fields:
        name = (fields["time_zone"] or "").strip()
        if name:
            times.zone(name)
        fields["time_zone"] = name
    if "language" in fields:
        code = (fields["language"] or "").strip()
        known = [c for c, _name in settings.LANGUAGES]
        if code and code not in known:
            raise ValidationError({"language": _("Unknown language %(value)r: expected one of %(known)s, or none "
                                                 "for the site's default.") % {"value": code, "known": ", ".join(known)}})
        fields["language"] = code
    for flag in NOTIFY_FIELDS:
        if flag in fields:
            fields[flag] = bool(fields[flag])
    reason = reason.strip() or "Meeting preferences changed by the user"
    with transaction.atomic():
        preference = Preference.objects.select_for_update().filter(user=user).first()
        if preference is None:
            preference = Preference(user=user, **fields)
            preference.save()
            record_change(action=ChangeEvent.Action.CREATE, obj=preference, changes=diff({}, snapshot(preference)),
                          reason=reason, actor=actor)
            return preference
        before = snapshot(preference)
        for name, value in fields.items():
            setattr(preference, name, value)
        changes = diff(before, snapshot(preference))
        if changes:
            preference.save()
            record_change(action=ChangeEvent.Action.UPDATE, obj=preference, changes=changes, reason=reason,
                          actor=actor)
    user.__dict__.pop("_compact_time_zone", None)
    return preference


def _revoke(token: FeedToken, *, actor, reason: str, now: dt.datetime) -> None:
    before = snapshot(token)
    token.revoked = now
    token.save(update_fields=["revoked"])
    record_change(action=ChangeEvent.Action.UPDATE, obj=token, changes=diff(before, snapshot(token)),
                  reason=reason, actor=actor)


def feed_token_create(*, actor, reason: str = "") -> tuple[FeedToken, str]:
    """Make a new secret for the actor's private calendar feeds; returns ``(row, secret)``.

    The actor's live token, if any, is revoked first (one event), so that old feed addresses stop
    working; then the new row is created (one event). The secret is returned only here; the row keeps
    its SHA-256. Raises ``PermissionDenied`` for a visitor who is not signed in.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to make a calendar feed address."))
    check_reason(reason)
    reason = reason.strip() or "Calendar feed address made by the user"
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        for old in FeedToken.objects.select_for_update().filter(user=actor, revoked__isnull=True):
            _revoke(old, actor=actor, reason=reason, now=now)
        token = FeedToken(user=actor, digest=secret_digest(secret))
        token.save()
        record_change(action=ChangeEvent.Action.CREATE, obj=token, changes=diff({}, snapshot(token)),
                      reason=reason, actor=actor)
    return token, secret


def feed_token_revoke(*, actor, token: FeedToken, reason: str = "") -> FeedToken:
    """Revoke ``token``: its feed addresses answer 404 from now on. Returns it.

    Raises ``PermissionDenied`` unless the actor is the token's user or the secretariat, and
    ``ValidationError`` when it is already revoked.
    """
    _require_self_or_secretariat(actor, token.user, _("Only the user or the secretariat may revoke this address."))
    check_reason(reason)
    reason = reason.strip() or "Calendar feed address revoked by the user"
    with transaction.atomic():
        token = FeedToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked is not None:
            raise ValidationError(_("This calendar feed address was already revoked on %(date)s.")
                                  % {"date": token.revoked.date().isoformat()})
        _revoke(token, actor=actor, reason=reason, now=timezone.now())
    return token


def feed_token_used(*, token: FeedToken, now: dt.datetime | None = None) -> bool:
    """Note that ``token`` was used now: ``last_used`` is written when it was never used or last used at
    least ``LAST_USED_EVERY`` ago (one UPDATE, no read first; concurrent feeds write it once). Returns
    whether it was written.

    Bookkeeping, like a session's last activity: not a change anyone makes, so not in the change log
    (the reads of confidential meetings through the feed are in the access log).
    """
    now = now or timezone.now()
    written = (
        FeedToken.objects.filter(pk=token.pk)
        .filter(Q(last_used__isnull=True) | Q(last_used__lte=now - LAST_USED_EVERY))
        .update(last_used=now)
    )
    if written:
        token.last_used = now
    return bool(written)
