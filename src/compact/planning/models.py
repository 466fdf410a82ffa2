"""The joint programme of work (JPoW) and the working groups' workplans.

A ``Programme`` row is one *version* of a joint programme of work for a period (2019-2020, 2024-2026):
a draft, then adopted on a date by a decision of the Coordination Committee, then superseded when a
later version (``supersedes``) is adopted. It has numbered priorities and one ``Workplan`` per working
group; a workplan has numbered outputs, and an output has activities (lead entity, participating
entities, timeline, status). An activity carried into a later programme points back to the one it
continues (``carried_from``).

Source of the terms: the Compact's Coordination Committee adopted its first joint programme of work for
2019-2020 on 2019-07-27, and a programme for 2024-2026 with five priorities on 2024-01-24 (see the seed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compact.access.models import AccessControlled


class Programme(AccessControlled):
    """One version of a joint programme of work, owned by the Coordination Committee (``owner_body``).

    ``status``: draft -> adopted (``adopted_on``, ``decision``) -> superseded (by the version whose
    ``supersedes`` points here). ``version`` counts from 1 within one ``key`` (e.g. ``jpow-2019-2020``).
    """

    access_owner_body = "owner_body"
    audit_omit = ("created_by",)

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ADOPTED = "adopted", _("adopted")
        SUPERSEDED = "superseded", _("superseded")

    key = models.SlugField(_("key"), max_length=60, help_text=_("The same for every version, e.g. jpow-2019-2020."))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=60, blank=True,
        help_text=_("Reference of the Coordination Committee decision that adopted it, e.g. CC/2019/3."),
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    owner_body = models.ForeignKey(
        "registry.Body", on_delete=models.PROTECT, related_name="programmes", verbose_name=_("owning body"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("joint programme of work")
        verbose_name_plural = _("joint programmes of work")
        ordering = ["-period_start", "key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="planning_programme_key_version"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="planning_programme_period_order"),
            models.CheckConstraint(condition=~Q(status="adopted") | Q(adopted_on__isnull=False),
                                   name="planning_programme_adopted_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Priority(models.Model):
    """A numbered priority of a programme (the 2024-2026 programme has five)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="planning_priority_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Workplan(AccessControlled):
    """A working group's workplan within one programme version; owned by the working group, so its
    officers keep it (``docs/access.md``)."""

    access_owner_body = "body"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="workplans")
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="workplans",
                             verbose_name=_("working group"))
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("workplan")
        verbose_name_plural = _("workplans")
        ordering = ["programme", "body__number"]
        constraints = [models.UniqueConstraint(fields=["programme", "body"], name="planning_workplan_per_group")]

    def __str__(self) -> str:
        return f"{self.body} - {self.programme}"


class Output(models.Model):
    """A numbered output of a workplan, optionally serving one of the programme's priorities."""

    workplan = models.ForeignKey(Workplan, on_delete=models.CASCADE, related_name="outputs")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    priority = models.ForeignKey(Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="outputs",
                                 verbose_name=_("priority"))

    class Meta:
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        ordering = ["workplan", "number"]
        constraints = [models.UniqueConstraint(fields=["workplan", "number"], name="planning_output_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Activity(models.Model):
    """An activity of an output: led by one entity, with participating entities, a timeline and a status.

    ``carried_from`` is the unfinished activity of an earlier programme that this one continues."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ONGOING = "ongoing", _("ongoing")
        COMPLETED = "completed", _("completed")
        DELAYED = "delayed", _("delayed")
        CANCELLED = "cancelled", _("cancelled")

    #: Statuses of an activity that is finished: it is not carried into the next programme.
    FINISHED = frozenset({Status.COMPLETED, Status.CANCELLED})

    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="activities")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    lead_entity = models.ForeignKey("registry.Entity", on_delete=models.PROTECT, related_name="led_activities",
                                    verbose_name=_("lead entity"))
    participating_entities = models.ManyToManyField(
        "registry.Entity", blank=True, related_name="activities", verbose_name=_("participating entities"))
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    carried_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="carried_into", verbose_name=_("carried from"))

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["output", "number"]
        constraints = [
            models.UniqueConstraint(fields=["output", "number"], name="planning_activity_number"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
                                   name="planning_activity_dates_order"),
        ]

    def __str__(self) -> str:
        return self.title
