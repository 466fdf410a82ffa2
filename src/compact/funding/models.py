"""Money: the funding flows of joint projects and the dated exchange rates that convert them to US dollars.

A ``Flow`` is one requirement, pledge, commitment, disbursement or expenditure of a project, from a
provider (the donor) to a receiver (the recipient), for an amount in a currency on a date. Negative
amounts are valid (a refund, a de-obligation) and are counted. What is "funded" (see
``compact.funding.selectors``) follows OCHA's Financial Tracking Service: commitments count, pledges
are shown but kept out until they become commitments.

IATI 2.03 TransactionType equivalents (for exchange with IATI): pledge 13 (incoming pledge),
commitment 11 (incoming commitment), disbursement 1 (incoming funds) or 3 (disbursement),
expenditure 4; a requirement is what the project seeks (an IATI budget has no transaction type).

Rates are the UN operational rates of exchange: units of a currency per one US dollar, for a month
(``month`` is the first day of the month). A flow converts at the rate of the month of its value date
(``value_date``, IATI's value-date) or, without one, of its date. No rate for that month means "not
converted".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compact.projects.models import MONEY


class Flow(models.Model):
    """A funding flow of a project. It is read by whoever may read its project and changed by whoever
    may change its project (``compact.funding.selectors`` / ``services``)."""

    audit_omit = ("created_by",)

    class Origin(models.TextChoices):
        PLATFORM = "platform", _("keyed in the platform")
        IATI = "iati", _("imported from IATI")

    class Kind(models.TextChoices):
        REQUIREMENT = "requirement", _("requirement")
        PLEDGE = "pledge", _("pledge")
        COMMITMENT = "commitment", _("commitment")
        DISBURSEMENT = "disbursement", _("disbursement")
        EXPENDITURE = "expenditure", _("expenditure")

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="flows",
                                verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, db_index=True)
    provider_entity = models.ForeignKey("registry.Entity", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="flows_provided", verbose_name=_("provider entity"))
    provider_name = models.CharField(_("provider (donor)"), max_length=300, blank=True,
                                     help_text=_("The donor, when it is not a Compact entity, e.g. a Member State."))
    provider_ref = models.CharField(_("provider IATI identifier"), max_length=150, blank=True)
    receiver_entity = models.ForeignKey("registry.Entity", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="flows_received", verbose_name=_("receiver entity"))
    receiver_name = models.CharField(_("receiver (recipient)"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code, e.g. USD, EUR, JPY."))
    date = models.DateField(_("date"), db_index=True)
    value_date = models.DateField(
        _("value date"), null=True, blank=True,
        help_text=_("The date the amount is valued at for conversion to US dollars (IATI value-date), when it is "
                    "not the flow's date."))
    reference = models.CharField(_("reference"), max_length=100, blank=True,
                                 help_text=_("The flow's own reference, e.g. a grant or transaction number."))
    description = models.CharField(_("description"), max_length=500, blank=True)
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices, default=Origin.PLATFORM,
                              help_text=_("Where the flow comes from: a re-import of IATI data replaces only the "
                                          "flows it brought."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("funding flow")
        verbose_name_plural = _("funding flows")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["project", "kind", "currency", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency} {self.date}"


class ExchangeRate(models.Model):
    """A UN operational rate of exchange: ``rate`` units of ``currency`` buy one US dollar during
    ``month`` (stored as the month's first day). Loaded by the secretariat from CSV."""

    audit_omit = ("loaded_by",)

    currency = models.CharField(_("currency"), max_length=3)
    month = models.DateField(_("month"))
    rate = models.DecimalField(_("rate (units per US dollar)"), max_digits=24, decimal_places=8)
    source = models.CharField(_("source"), max_length=200, blank=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("loaded by"))
    loaded = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-month", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="funding_rate_once"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="funding_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.month:%Y-%m} {self.rate}"
