"""The one access policy: ``restrict(queryset, user, action)`` and ``can(user, action, obj)``.

Both are built from the same table, ``RULES``: for each action and sensitivity level, the audiences
that may act. Each audience is one condition with two forms, a query filter (for ``restrict``) and a
test on one object (for ``can``), so that the list a user sees and the item they may open never
disagree. The table is written down for people in ``docs/access.md``; a test checks that the code
answers as the written table says, for every role, level, content type and action.

Content types take part by inheriting ``compact.access.models.AccessControlled`` and naming their
owning body and/or entity; the policy needs nothing else.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from compact.access.models import AccessControlled, Grant, Sensitivity
from compact.access.principal import Principal, principal_for


class Action(enum.StrEnum):
    """What a user does with content. The first five are reads and follow the same rule."""

    VIEW = "view"  # open one item
    LIST = "list"  # see it in a list
    COUNT = "count"  # have it counted in a count, total or chart
    EXPORT = "export"  # download it in a file
    SEARCH = "search"  # find it in search results
    CHANGE = "change"  # edit it (always also needs read)
    ADOPT = "adopt"  # take a decision in the owning body (always also needs read)


READ_ACTIONS: frozenset[Action] = frozenset({Action.VIEW, Action.LIST, Action.COUNT, Action.EXPORT, Action.SEARCH})


@dataclasses.dataclass(frozen=True)
class Audience:
    """One condition of the rule table, in its two forms: ``q(model, principal)`` -> ``Q`` and
    ``test(obj, principal, grant_level)`` -> bool (``grant_level`` is the user's grant on the object:
    None, "read" or "change")."""

    key: str
    q: Callable[[type[AccessControlled], Principal], Q]
    test: Callable[[AccessControlled, Principal, str | None], bool]


#: Sentinels for "no row" and "every row". (An empty ``Q()`` cannot stand for "every row": Django drops it
#: when it is combined with another condition.)
NOTHING = Q(pk__in=[])
EVERYTHING = Q(pk__isnull=False)


def _owner_body_q(model, ids) -> Q:
    return Q(**{f"{model.access_owner_body}__in": ids}) if model.access_owner_body and ids else NOTHING


def _owner_entity_q(model, entity_id) -> Q:
    return Q(**{model.access_owner_entity: entity_id}) if model.access_owner_entity and entity_id else NOTHING


def _granted_q(model, principal: Principal, levels: tuple[str, ...]) -> Q:
    if not principal.is_authenticated:
        return NOTHING
    granted = Grant.objects.filter(
        user_id=principal.user_id, content_type=ContentType.objects.get_for_model(model), level__in=levels
    ).values("object_id")
    return Q(pk__in=granted)


ANYONE = Audience("anyone", lambda m, p: EVERYTHING, lambda o, p, g: True)
SIGNED_IN = Audience(
    "signed_in", lambda m, p: EVERYTHING if p.is_authenticated else NOTHING, lambda o, p, g: p.is_authenticated
)
SECRETARIAT = Audience(
    "secretariat", lambda m, p: EVERYTHING if p.is_secretariat else NOTHING, lambda o, p, g: p.is_secretariat
)
BODY_PARTICIPANT = Audience(
    "body_participant",
    lambda m, p: _owner_body_q(m, p.participant_body_ids),
    lambda o, p, g: o.access_body_id is not None and o.access_body_id in p.participant_body_ids,
)
BODY_MEMBER = Audience(
    "body_member",
    lambda m, p: _owner_body_q(m, p.member_body_ids),
    lambda o, p, g: o.access_body_id is not None and o.access_body_id in p.member_body_ids,
)
BODY_OFFICER = Audience(
    "body_officer",
    lambda m, p: _owner_body_q(m, p.officer_body_ids),
    lambda o, p, g: o.access_body_id is not None and o.access_body_id in p.officer_body_ids,
)
ENTITY_AFFILIATE = Audience(
    "entity_affiliate",
    lambda m, p: _owner_entity_q(m, p.entity_id),
    lambda o, p, g: p.entity_id is not None and o.access_entity_id == p.entity_id,
)
def _focal_point_q(model, p: Principal) -> Q:
    """Items of the focal point's entity that belong to no body, or to a body the entity is a member of
    (an observer never edits a body's content)."""
    if not p.is_focal_point:
        return NOTHING
    entity = _owner_entity_q(model, p.entity_id)
    if entity is NOTHING or not model.access_owner_body:
        return entity
    body = Q(**{f"{model.access_owner_body}__isnull": True})
    if p.member_body_ids:
        body |= Q(**{f"{model.access_owner_body}__in": p.member_body_ids})
    return entity & body


ENTITY_FOCAL_POINT = Audience(
    "entity_focal_point",
    _focal_point_q,
    lambda o, p, g: (
        p.is_focal_point and p.entity_id is not None and o.access_entity_id == p.entity_id
        and (o.access_body_id is None or o.access_body_id in p.member_body_ids)
    ),
)
READ_GRANTEE = Audience(
    "read_grantee",
    lambda m, p: _granted_q(m, p, (Grant.Level.READ, Grant.Level.CHANGE)),
    lambda o, p, g: g is not None,
)
CHANGE_GRANTEE = Audience(
    "change_grantee",
    lambda m, p: _granted_q(m, p, (Grant.Level.CHANGE,)),
    lambda o, p, g: g == Grant.Level.CHANGE,
)

S = Sensitivity
_READ = {
    S.PUBLIC: (ANYONE,),
    S.INTERNAL: (SIGNED_IN,),
    S.CONFIDENTIAL: (SECRETARIAT, BODY_PARTICIPANT, ENTITY_AFFILIATE, READ_GRANTEE),
    S.STRICTLY_CONFIDENTIAL: (SECRETARIAT, READ_GRANTEE),
}
_CHANGE = {
    S.PUBLIC: (SECRETARIAT, BODY_OFFICER, ENTITY_FOCAL_POINT, CHANGE_GRANTEE),
    S.INTERNAL: (SECRETARIAT, BODY_OFFICER, ENTITY_FOCAL_POINT, CHANGE_GRANTEE),
    S.CONFIDENTIAL: (SECRETARIAT, BODY_OFFICER, ENTITY_FOCAL_POINT, CHANGE_GRANTEE),
    S.STRICTLY_CONFIDENTIAL: (SECRETARIAT, CHANGE_GRANTEE),
}
_ADOPT = {level: (BODY_MEMBER,) for level in S}

#: ``RULES[action][sensitivity]`` -> the audiences that may take that action on content of that level.
#: Change and adopt also need read (``can`` and ``restrict`` check both).
RULES: dict[Action, dict[str, tuple[Audience, ...]]] = {
    **{action: _READ for action in READ_ACTIONS},
    Action.CHANGE: _CHANGE,
    Action.ADOPT: _ADOPT,
}


def _check_model(model) -> None:
    if not (isinstance(model, type) and issubclass(model, AccessControlled)):
        raise TypeError(f"{model!r} is not access-controlled: it must inherit compact.access.models.AccessControlled")


def _rule_q(model, principal: Principal, action: Action) -> Q:
    """``OR`` over levels of ``sensitivity = level AND (any audience of that level)``, leaving out the
    audiences the principal is in none of, and the levels nobody of them may reach."""
    result = NOTHING
    for level, audiences in RULES[action].items():
        parts = [q for q in (a.q(model, principal) for a in audiences) if q is not NOTHING]
        if not parts:
            continue
        if any(q is EVERYTHING for q in parts):
            clause = Q(sensitivity=level)
        else:
            who = parts[0]
            for q in parts[1:]:
                who |= q
            clause = Q(sensitivity=level) & who
        result = clause if result is NOTHING else result | clause
    return result


def access_q(model: type[AccessControlled], user, action: Action | str) -> Q:
    """The filter selecting the rows of ``model`` that ``user`` may take ``action`` on, today.

    Raises ``TypeError`` for a model that is not ``AccessControlled`` and ``ValueError`` for an
    unknown action.
    """
    _check_model(model)
    action = Action(action)
    principal = principal_for(user)
    if principal.is_secretariat and action != Action.ADOPT:
        return Q()
    q = _rule_q(model, principal, Action.VIEW)
    if action not in READ_ACTIONS:
        q &= _rule_q(model, principal, action)
    return q


def restrict(queryset: models.QuerySet, user, action: Action | str = Action.LIST) -> models.QuerySet:
    """``queryset`` narrowed to the rows ``user`` may take ``action`` on (see ``RULES``).

    Every list, count, total, chart, export and search result is computed on the queryset this returns.
    Raises ``TypeError`` when the queryset's model is not ``AccessControlled``.
    """
    return queryset.filter(access_q(queryset.model, user, action))


def grant_level(user, obj: AccessControlled) -> str | None:
    """The user's explicit grant on ``obj``: None, ``"read"`` or ``"change"`` (one query)."""
    if not getattr(user, "is_authenticated", False) or obj.pk is None:
        return None
    return (
        Grant.objects.filter(user=user, content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk)
        .values_list("level", flat=True)
        .first()
    )


def can(user, action: Action | str, obj: AccessControlled) -> bool:
    """Whether ``user`` may take ``action`` on ``obj`` today, by the same ``RULES`` as ``restrict``.

    Raises ``TypeError`` for an object that is not ``AccessControlled`` and ``ValueError`` for an
    unknown action.
    """
    _check_model(type(obj))
    action = Action(action)
    principal = principal_for(user)
    if principal.is_secretariat and action != Action.ADOPT:
        return True
    grant: str | None = None
    if obj.sensitivity in (S.CONFIDENTIAL, S.STRICTLY_CONFIDENTIAL) or action == Action.CHANGE:
        grant = grant_level(user, obj)

    def allowed(act: Action) -> bool:
        return any(a.test(obj, principal, grant) for a in RULES[act].get(obj.sensitivity, ()))

    if not allowed(Action.VIEW):
        return False
    return action in READ_ACTIONS or allowed(action)


def require(user, action: Action | str, obj: AccessControlled) -> None:
    """Raise unless ``user`` may take ``action`` on ``obj``: ``Http404`` when they may not even read it
    (so that its existence does not leak), ``PermissionDenied`` (403) when they may read it but not
    take ``action``."""
    if can(user, action, obj):
        return
    if Action(action) in READ_ACTIONS or not can(user, Action.VIEW, obj):
        raise Http404(_("No such item."))
    raise PermissionDenied(_("You may read this item but not do this."))


def get_for(queryset: models.QuerySet, user, action: Action | str = Action.VIEW, **lookup) -> AccessControlled:
    """The one row of ``queryset`` matching ``lookup`` that ``user`` may take ``action`` on.

    Raises ``Http404`` when no such row exists or the user may not read it, and ``PermissionDenied``
    when they may read it but not take ``action``.
    """
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404(_("No such item."))
    require(user, action, obj)
    return obj
