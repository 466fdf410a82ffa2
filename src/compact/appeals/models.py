"""The appeal: calls for proposals with published criteria and weights, reviewers' scores, the
selection, and the published appeal the selected projects form.

A ``Call`` belongs to a body (the resource-mobilization working group, or the Committee) and is
opened by the secretariat with its ``Criterion`` rows (weights) and a deadline; entities submit their
projects as ``Proposal`` rows before the deadline; named reviewers give each proposal a ``Score`` per
criterion (0 to ``Call.max_score``); the weighted average ranks proposals; the group selects; the
selected projects form an ``Appeal`` which, once published, anyone may browse (e.g. the Multi-Year
Appeal 2019-2020, or the UN Joint Appeal for Counter-Terrorism in Africa, 2023).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compact.access.models import AccessControlled


class Appeal(AccessControlled):
    """A published set of projects seeking funding, owned by a body (``body``)."""

    access_owner_body = "body"

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CLOSED = "closed", _("closed")

    key = models.SlugField(_("key"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="appeals",
                             verbose_name=_("body"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    region = models.CharField(_("region (UN M49)"), max_length=3, blank=True,
                              help_text=_("For an appeal for one region, e.g. 002 Africa."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="appeals",
                                      verbose_name=_("projects"))

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-period_start", "key"]

    def __str__(self) -> str:
        return self.title


class Call(AccessControlled):
    """A call for proposals. ``status``: draft -> open (criteria published) -> closed (deadline passed
    or closed by hand; reviewers score) -> decided (selection made, ``appeal`` formed)."""

    access_owner_body = "body"

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", pgettext_lazy("status of a call for proposals", "open")
        CLOSED = "closed", _("closed")
        DECIDED = "decided", _("decided")

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="calls",
                             verbose_name=_("body"))
    opens = models.DateField(_("opens"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"))
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=5, validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="calls_to_review",
                                       verbose_name=_("reviewers"))
    appeal = models.OneToOneField(Appeal, on_delete=models.SET_NULL, null=True, blank=True, related_name="call",
                                  verbose_name=_("appeal"))

    class Meta:
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")
        ordering = ["-deadline"]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """A published criterion of a call, with its weight (any positive number; weights are normalised
    when scores are combined)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["call", "number"]
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="appeals_criterion_number"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="appeals_criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Proposal(models.Model):
    """A project submitted to a call by its lead entity."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        SELECTED = "selected", _("selected")
        NOT_SELECTED = "not_selected", _("not selected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="proposals")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="proposals",
                                verbose_name=_("project"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted = models.DateTimeField(_("submitted"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.SUBMITTED)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["call", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "project"], name="appeals_proposal_once")]

    def __str__(self) -> str:
        return f"{self.project} - {self.call}"


class Score(models.Model):
    """A reviewer's score of one proposal against one criterion (0 to the call's highest score)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("reviewer"))
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["proposal", "criterion", "reviewer"]
        constraints = [models.UniqueConstraint(fields=["proposal", "criterion", "reviewer"],
                                               name="appeals_score_once")]

    def __str__(self) -> str:
        return f"{self.score}"
