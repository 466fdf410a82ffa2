"""Joint projects: what entities do together, described with IATI 2.03 fields so that what an entity
already publishes to IATI need not be keyed in twice.

A ``Project`` is kept by its lead entity (``lead_entity``, the owning entity for the access policy) and
endorsed by its lead working group (``lead_body``, the owning body). It moves through ``Stage``: draft
(the entity) -> submitted -> endorsed (by the working group's officers) -> published; each step is a
service call recorded in the audit trail with its reason.

Codes: participating organisations' roles, activity status, sectors, budget type and status are IATI
2.03 codes (``compact.reference.codelists``); beneficiary countries and regions are UN M49 codes
(``compact.reference.geography``); SDG targets are IATI UNSDG-Targets codes ("16.a"); currencies are
ISO 4217. Percentages of beneficiary areas, and of sectors within a vocabulary, sum to exactly 100.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compact.access.models import AccessControlled

#: Markers on the UN Gender Equality Marker scale (0-3), used for gender and for human rights.
MARKER_CHOICES = [
    (0, _("0 - not expected to contribute")),
    (1, _("1 - limited contribution")),
    (2, _("2 - significant contribution")),
    (3, _("3 - principal objective")),
]

#: Money: up to 17 digits before the point and 3 after (ISO 4217 minor units are 0, 2 or 3).
MONEY = {"max_digits": 20, "decimal_places": 3}

#: Most significant digits an amount may have: SQLite keeps a decimal column as a binary floating-point
#: number (IEEE 754 double, exact to 15 significant digits), so a longer amount would not be stored as
#: given. 15 digits still hold 999,999,999,999.999 in a currency with three decimals.
MONEY_SIGNIFICANT_DIGITS = 15


def significant_digits(amount) -> int:
    """The number of significant digits of a finite ``Decimal`` (``Decimal("1200000.50")`` has 8)."""
    return len(amount.normalize().as_tuple().digits) if amount else 0
#: Percentages: up to 100 with four decimals, as IATI publishers give them (e.g. 2.4139).
PERCENT = {"max_digits": 7, "decimal_places": 4}


class Project(AccessControlled):
    """A joint project. See the module docstring for the workflow and the code lists."""

    access_owner_body = "lead_body"
    access_owner_entity = "lead_entity"
    audit_omit = ("created_by",)

    class Stage(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        ENDORSED = "endorsed", _("endorsed")
        PUBLISHED = "published", _("published")

    iati_identifier = models.CharField(
        _("IATI activity identifier"), max_length=150, unique=True, null=True, blank=True,
        help_text=_("The identifier the project has in IATI, when it is published there."),
    )
    iati_reporting_org = models.CharField(
        _("IATI reporting organisation"), max_length=150, blank=True,
        help_text=_("The IATI organisation identifier of the publisher whose file the project was imported from: "
                    "a later import of that publisher's file reports the projects it no longer has."),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    lead_entity = models.ForeignKey("registry.Entity", on_delete=models.PROTECT, related_name="led_projects",
                                    verbose_name=_("lead entity"))
    lead_body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="led_projects",
                                  verbose_name=_("lead working group"))
    working_groups = models.ManyToManyField("registry.Body", blank=True, related_name="projects",
                                            verbose_name=_("working groups"))
    pillars = models.ManyToManyField("registry.Pillar", blank=True, related_name="projects",
                                     verbose_name=_("pillars"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.DRAFT, db_index=True)
    activity_status = models.CharField(_("activity status"), max_length=2, default="1",
                                       help_text=_("IATI ActivityStatus code: 1 pipeline, 2 implementation, ..."))
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    gender_marker = models.PositiveSmallIntegerField(
        _("gender equality marker"), choices=MARKER_CHOICES, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)])
    human_rights_marker = models.PositiveSmallIntegerField(
        _("human rights marker"), choices=MARKER_CHOICES, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(3)])
    default_currency = models.CharField(_("default currency"), max_length=3, default="USD")
    documents = models.ManyToManyField("library.Document", blank=True, related_name="projects",
                                       verbose_name=_("documents"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("joint project")
        verbose_name_plural = _("joint projects")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
                                   name="projects_project_dates_order"),
        ]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """An organisation taking part in a project in an IATI OrganisationRole (1 funding, 2 accountable,
    3 extending, 4 implementing). A registry entity when it is one; otherwise named (a Member State, a
    foundation), with its IATI organisation identifier when known."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("role"), max_length=2, help_text=_("IATI OrganisationRole code."))
    entity = models.ForeignKey("registry.Entity", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="project_roles", verbose_name=_("entity"))
    name = models.CharField(_("organisation name"), max_length=300, blank=True)
    ref = models.CharField(_("IATI organisation identifier"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")
        ordering = ["project", "role", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(entity__isnull=False) | ~Q(name=""), name="projects_participant_named"),
        ]

    def __str__(self) -> str:
        return str(self.entity or self.name)


class Sector(models.Model):
    """A sector of a project in an IATI SectorVocabulary (1: OECD DAC CRS 5-digit), with a percentage;
    the percentages of one vocabulary sum to 100."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sectors")
    vocabulary = models.CharField(_("vocabulary"), max_length=4, default="1")
    code = models.CharField(_("code"), max_length=20)
    percentage = models.DecimalField(_("percentage"), null=True, blank=True, **PERCENT)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["project", "vocabulary", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "vocabulary", "code"], name="projects_sector_once")]

    def __str__(self) -> str:
        return f"{self.vocabulary}:{self.code}"


class Area(models.Model):
    """A beneficiary country or region (UN M49 code, three digits) with its share of the project, in
    percent; the shares of a project sum to exactly 100 (IATI rule for recipient countries and regions)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("UN M49 code"), max_length=3)
    percentage = models.DecimalField(_("percentage"), **PERCENT)

    class Meta:
        verbose_name = _("beneficiary country or region")
        verbose_name_plural = _("beneficiary countries and regions")
        ordering = ["project", "code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="projects_area_once"),
            models.CheckConstraint(condition=Q(percentage__gt=0) & Q(percentage__lte=100),
                                   name="projects_area_percentage_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.percentage}%"


class SdgTarget(models.Model):
    """An SDG target the project serves (IATI UNSDG-Targets code, e.g. "16.a")."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sdg_targets")
    code = models.CharField(_("SDG target"), max_length=8)

    class Meta:
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")
        ordering = ["project", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="projects_sdg_target_once")]

    def __str__(self) -> str:
        return self.code


class ResolutionParagraph(models.Model):
    """A paragraph of a Strategy review resolution the project answers (e.g. 75/291 para. 118)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="resolution_paragraphs")
    review = models.ForeignKey("registry.StrategyReview", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("Strategy review"))
    paragraph = models.CharField(_("paragraph"), max_length=12)

    class Meta:
        verbose_name = _("resolution paragraph")
        verbose_name_plural = _("resolution paragraphs")
        ordering = ["project", "review", "paragraph"]
        constraints = [models.UniqueConstraint(fields=["project", "review", "paragraph"],
                                               name="projects_paragraph_once")]

    def __str__(self) -> str:
        return f"{self.review.resolution} para. {self.paragraph}"


class Budget(models.Model):
    """An IATI budget line: a period, an amount in a currency valued on a date, a type (1 original,
    2 revised) and a status (1 indicative, 2 committed)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budgets")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    value_date = models.DateField(_("value date"))
    type = models.CharField(_("budget type"), max_length=2, default="1")
    status = models.CharField(_("budget status"), max_length=2, default="1")

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["project", "period_start"]
        constraints = [models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                              name="projects_budget_period_order")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.period_start}..{self.period_end}"


class RelatedActivity(models.Model):
    """Another IATI activity this project is linked to: IATI 2.03 RelatedActivityType ``type`` (1 parent,
    2 child, 3 sibling, 4 co-funded, 5 third party) and the other activity's IATI identifier ``ref``,
    which may or may not be a project of the platform (``compact.projects.selectors.related_projects``)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="related_activities")
    type = models.CharField(_("relation"), max_length=2, help_text=_("IATI RelatedActivityType code."))
    ref = models.CharField(_("IATI activity identifier"), max_length=150)

    class Meta:
        verbose_name = _("related activity")
        verbose_name_plural = _("related activities")
        ordering = ["project", "type", "ref"]
        constraints = [models.UniqueConstraint(fields=["project", "type", "ref"], name="projects_related_once")]

    def __str__(self) -> str:
        return f"{self.type}:{self.ref}"
