"""Single sign-on through OpenID Connect (e.g. Microsoft Entra ID), with mozilla-django-oidc.

Active only when ``COMPACT_OIDC_RP_CLIENT_ID`` is set (``compact.settings``). The identity provider
vouches for an e-mail address; the platform then signs in:

1. the one active user account with that e-mail address (ignoring case); or
2. when ``OIDC_CREATE_USER`` is on (``COMPACT_OIDC_CREATE_USER=1``) and there is no such account, a
   new account for the one registry person with that e-mail address who has no account yet: the
   account is created through ``compact.access.services.user_create`` (no usable password) and
   linked to the person with ``person_link_user``, both recorded in the change log as made by
   "single sign-on";
3. nobody else: unknown addresses are refused, as are addresses shared by several accounts or people,
   and claims whose ``email_verified`` is false.

The second sign-in step (two-factor) still applies after single sign-on when the user has an
authenticator app or the secretariat requires it.
"""

from __future__ import annotations

import logging
import re

from django.contrib.auth import get_user_model
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger(__name__)

#: How the change log names the platform when single sign-on creates or links an account.
ACTOR_LABEL = "single sign-on"


def claimed_email(claims: dict) -> str:
    """The e-mail address in the claims (``email``, else Entra ID's ``preferred_username`` when it is
    an address), stripped; ``""`` when there is none."""
    email = (claims.get("email") or "").strip()
    if not email:
        candidate = (claims.get("preferred_username") or "").strip()
        email = candidate if "@" in candidate else ""
    return email


class CompactOIDCBackend(OIDCAuthenticationBackend):
    """Matches the identity provider's e-mail claim to a platform account or a registry person (see the
    module's description). Raises nothing for an unknown user: sign-in simply fails."""

    def verify_claims(self, claims: dict) -> bool:
        """True when the claims carry an e-mail address that the provider has not marked unverified."""
        if not claimed_email(claims):
            logger.warning("Single sign-on refused: the identity provider sent no e-mail address.")
            return False
        if claims.get("email_verified") is False:
            logger.warning("Single sign-on refused: the identity provider marks the e-mail address as unverified.")
            return False
        return True

    def filter_users_by_claims(self, claims: dict):
        """The active users whose e-mail address equals the claimed one, ignoring case (a query set;
        empty without an address)."""
        email = claimed_email(claims)
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def _person_for(self, email: str):
        """The one registry person with ``email`` (ignoring case) and no account, or None."""
        from compact.registry.models import Person

        people = list(Person.objects.filter(email__iexact=email).select_related("entity")[:2])
        if len(people) != 1:
            if people:
                logger.warning("Single sign-on refused: several people in the registry have the address %s.", email)
            return None
        if people[0].user_id is not None:
            logger.warning("Single sign-on refused: the registry person with the address %s already has an account.", email)
            return None
        return people[0]

    def get_username(self, claims: dict) -> str:
        """A free user name derived from the e-mail address's local part (letters, digits and ``.-_``),
        with a number appended when taken: ``amina.haddad``, ``amina.haddad2``, ..."""
        email = claimed_email(claims)
        base = re.sub(r"[^\w.\-]", "", email.split("@", 1)[0])[:140] or "user"
        User = get_user_model()
        taken = {u.lower() for u in User.objects.filter(username__istartswith=base).values_list("username", flat=True)}
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base}{n}"
        return name

    def create_user(self, claims: dict):
        """Create and link an account for the registry person with the claimed address (see the
        module's description); returns the user, or None (sign-in refused) when there is no such
        person. Called only when ``OIDC_CREATE_USER`` is on."""
        from compact.access import services

        if not self.get_settings("OIDC_CREATE_USER", False):
            return None
        email = claimed_email(claims)
        person = self._person_for(email)
        if person is None:
            logger.info("Single sign-on refused: no account and no registry person for %s.", email)
            return None
        reason = f"Account created at first single sign-on for {person.given_name} {person.family_name} ({person.entity})"
        with transaction.atomic():
            user = services.user_create(username=self.get_username(claims), email=email, password=None, actor=None,
                                        actor_label=ACTOR_LABEL, reason=reason)
            services.person_link_user(person=person, user=user, actor=None, actor_label=ACTOR_LABEL, reason=reason)
        return user
