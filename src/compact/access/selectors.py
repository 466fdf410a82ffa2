"""Reads about accounts for the secretariat's pages (``/account/users/``): the list of accounts, one
account with its standing, explicit grants and change events, and the registry people an account may
be linked to.

Accounts are the secretariat's (``docs/access.md``): for anyone else the list is empty and a single
account answers ``Http404``. Registry people are content (``registry.Person`` is access-controlled):
they are read through ``compact.access.policy.restrict``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from compact.access.filters import UserFilter
from compact.access.models import Grant
from compact.access.policy import Action, restrict
from compact.access.principal import SECRETARIAT_GROUP, Principal, principal_for
from compact.audit.models import ChangeEvent
from compact.audit.selectors import EventView, InvalidFilters, describe_log_page

#: Pages of the items a grant may name, by object type: ``{"app.model": URL name taking the pk}``.
ITEM_PAGES: dict[str, str] = {"library.document": "library:document"}

#: Object type of accounts and of two-factor devices in the change log.
USER_TYPE = "auth.user"
DEVICE_TYPE = "otp_totp.totpdevice"
PERSON_TYPE = "registry.person"


def _is_secretariat(user) -> bool:
    """The secretariat role from the user's cached ``Principal`` (no query once computed)."""
    return principal_for(user).is_secretariat


def _secretariat_member():
    User = get_user_model()
    return Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=SECRETARIAT_GROUP))


def _accounts() -> models.QuerySet:
    """Every account with its person and entity joined, annotated ``in_secretariat`` (a superuser or a
    member of the ``secretariat`` group) and ``two_factor_on`` (a confirmed TOTP device)."""
    User = get_user_model()
    return (
        User.objects.select_related("person__entity", "person__body")
        .annotate(
            in_secretariat=Case(
                When(Q(is_superuser=True) | Q(_secretariat_member()), then=Value(True)),
                default=Value(False), output_field=BooleanField(),
            ),
            two_factor_on=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
        )
    )


def user_list(*, user, filters: UserFilter | Mapping[str, Any] | None = None) -> models.QuerySet:
    """The accounts, by user name, narrowed by ``filters`` (query parameters, or a ``UserFilter`` built
    on them; see ``compact.access.filters``), each with ``person`` and ``person.entity`` joined and the
    annotations ``in_secretariat`` and ``two_factor_on`` (booleans). One query for a page of rows.

    Secretariat only: anyone else gets an empty query set. Raises ``InvalidFilters`` when a parameter
    is malformed (an unknown entity acronym, a yes/no filter with another value).
    """
    User = get_user_model()
    if not _is_secretariat(user):
        return User.objects.none()
    queryset = _accounts().order_by("username")
    if filters is None:
        return queryset
    filterset = filters if isinstance(filters, UserFilter) else UserFilter(filters)
    filterset.queryset = queryset
    if not filterset.is_valid():
        raise InvalidFilters({name: [str(m) for m in messages] for name, messages in filterset.errors.items()})
    return filterset.qs


def user_get(*, user, pk: int):
    """The account ``pk`` with the same joins and annotations as ``user_list`` (one query). Raises
    ``Http404`` when there is no such account or ``user`` is not of the secretariat."""
    if not _is_secretariat(user):
        raise Http404(_("No such page."))
    account = _accounts().filter(pk=pk).first()
    if account is None:
        raise Http404(_("There is no account number %(pk)s.") % {"pk": pk})
    return account


@dataclasses.dataclass
class Standing:
    """A ``Principal``'s bodies as rows: ``member``, ``observer`` and ``officer`` (lists of
    ``registry.Body``, the Compact first, then the committee, then working groups by number)."""

    principal: Principal
    member: list
    observer: list
    officer: list


def standing(principal: Principal) -> Standing:
    """The bodies behind ``principal``'s ids (one query, none when there are no bodies)."""
    from compact.registry.models import Body

    ids = principal.member_body_ids | principal.observer_body_ids | principal.officer_body_ids
    bodies = {b.pk: b for b in Body.objects.filter(pk__in=ids)} if ids else {}
    rank = {Body.Kind.COMPACT: 0, Body.Kind.COMMITTEE: 1}

    def ordered(wanted):
        return sorted((bodies[i] for i in wanted if i in bodies), key=lambda b: (rank.get(b.kind, 2), b.number or 0, b.key))

    return Standing(principal=principal, member=ordered(principal.member_body_ids),
                    observer=ordered(principal.observer_body_ids), officer=ordered(principal.officer_body_ids))


@dataclasses.dataclass
class GrantRow:
    """One explicit grant of an account: the ``grant``, ``type_label`` (the item type's name, e.g.
    "document"), the ``item`` (None when it no longer exists or the reader may not list it), and ``url``
    of the item's page ("" when it has none)."""

    grant: Grant
    type_label: str
    item: models.Model | None
    url: str = ""


def _item_url(object_type: str, pk) -> str:
    name = ITEM_PAGES.get(object_type)
    if not name:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def user_grants(*, user, account) -> list[GrantRow]:
    """The explicit grants of ``account`` (``access.Grant``), by item type then item id, each with its
    item read through ``restrict(..., "list")`` and a link to the item's page where there is one.

    Secretariat only (an empty list for anyone else). Queries: one for the grants, one per item type.
    """
    if not _is_secretariat(user):
        return []
    grants = list(Grant.objects.filter(user=account).select_related("content_type").order_by("content_type__model", "object_id"))
    ids_by_type: dict[int, set[int]] = {}
    for grant in grants:
        ids_by_type.setdefault(grant.content_type_id, set()).add(grant.object_id)
    items: dict[tuple[int, int], models.Model] = {}
    for type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for obj in restrict(model._default_manager.filter(pk__in=ids), user, Action.LIST):
            items[(type_id, obj.pk)] = obj
    rows = []
    for grant in grants:
        model = grant.content_type.model_class()
        label = str(model._meta.verbose_name) if model is not None else grant.content_type.model
        item = items.get((grant.content_type_id, grant.object_id))
        url = _item_url(f"{grant.content_type.app_label}.{grant.content_type.model}", grant.object_id) if item else ""
        rows.append(GrantRow(grant=grant, type_label=label, item=item, url=url))
    return rows


def user_events(*, user, account, limit: int = 30) -> tuple[list[EventView], bool]:
    """The newest ``limit`` change events about ``account``, newest first, as ``EventView`` rows, and
    whether older ones exist. They are: events on the account itself, on its two-factor devices and on
    registry people it was linked to or unlinked from (their ``user_id`` before or after), and the
    grants made to it on items (``grant:<user name>`` changes).

    Secretariat only (an empty list for anyone else). Queries: one for the events, plus those of
    ``describe_log_page`` (one per related registry type named).
    """
    if not _is_secretariat(user):
        return [], False
    pk = account.pk
    linked = Q(changes__user_id__0=pk) | Q(changes__user_id__1=pk)
    q = (
        Q(object_type=USER_TYPE, object_id=str(pk))
        | (Q(object_type=DEVICE_TYPE) & linked)
        | (Q(object_type=PERSON_TYPE) & linked)
        | Q(changes__has_key=f"grant:{account.get_username()}")
    )
    events = list(ChangeEvent.objects.filter(q).select_related("actor_entity").order_by("-time", "-id")[: limit + 1])
    return describe_log_page(events[:limit]), len(events) > limit


def unlinked_people(*, user) -> models.QuerySet:
    """Registry people without an account that ``user`` may list (``restrict``), by entity acronym,
    family name and given name, with ``entity`` joined."""
    from compact.registry.models import Person

    return restrict(Person.objects.filter(user__isnull=True).select_related("entity"), user, Action.LIST).order_by(
        "entity__acronym", "family_name", "given_name", "pk"
    )
