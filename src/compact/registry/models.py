"""The Compact's structure as a dated registry.

Standard terms: the UN Global Counter-Terrorism Strategy (GA resolution 60/288) and its reviews,
its four pillars, the Compact's entities, its bodies (the Compact itself, the Coordination
Committee, the inter-agency working groups) and their milestones, participation in a body as member
or observer, and leadership roles (chair, co-chair, vice-chair). Participation and leadership hold
over a period (``start``..``end``, inclusive, empty end: still in force).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from compact.access.models import AccessControlled
from compact.core.models import Period, PeriodQuerySet


class Strategy(models.Model):
    """A strategy that a compact implements, e.g. the UN Global Counter-Terrorism Strategy."""

    key = models.SlugField(_("key"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    resolution = models.CharField(_("resolution"), max_length=40, help_text=_("e.g. 60/288"))
    adopted = models.DateField(_("adopted"))

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["adopted"]

    def __str__(self) -> str:
        return self.title


class StrategyReview(models.Model):
    """A biennial review of the Strategy by the General Assembly, with its resolution.

    A review that is due but not yet held has no resolution and no adoption date, only ``due_year``.
    """

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="reviews")
    number = models.PositiveSmallIntegerField(_("number"))
    resolution = models.CharField(_("resolution"), max_length=40, blank=True)
    adopted = models.DateField(_("adopted"), null=True, blank=True)
    due_year = models.PositiveSmallIntegerField(_("due year"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("strategy review")
        verbose_name_plural = _("strategy reviews")
        ordering = ["strategy", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="strategy_review_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.resolution or self.due_year}"


class Pillar(models.Model):
    """One of the Strategy's pillars (I to IV for the Global Counter-Terrorism Strategy)."""

    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="pillars")
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.roman}. {self.title}"

    @property
    def roman(self) -> str:
        """The pillar's number in Roman numerals, as the Strategy writes it (1 -> "I")."""
        numerals = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
        return numerals[self.number] if self.number < len(numerals) else str(self.number)


# An acronym names the entity in URLs (/entities/UN-Women/) and in structure files: keep it URL-safe.
ACRONYM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
ACRONYM_VALIDATOR = RegexValidator(
    ACRONYM_PATTERN, _("An acronym starts with a letter or digit and holds only letters, digits, dots, hyphens and underscores.")
)


class Entity(models.Model):
    """An organisation taking part in the Compact (a UN entity, or INTERPOL, WCO, ...)."""

    class Kind(models.TextChoices):
        UN = "un", _("UN entity")
        NON_UN = "non_un", _("Non-UN entity")

    acronym = models.CharField(
        _("acronym"), max_length=30, unique=True, validators=[ACRONYM_VALIDATOR],
        help_text=_("Letters, digits, dots, hyphens and underscores, e.g. UN-Women; unique ignoring case."),
    )
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    iati_identifier = models.CharField(
        _("IATI organisation identifier"), max_length=100, blank=True, help_text=_("e.g. XM-DAC-41114")
    )

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["acronym"]
        constraints = [
            models.UniqueConstraint(
                Lower("acronym"), name="entity_acronym_unique_ci",
                violation_error_message=_("Another entity already has this acronym (ignoring case)."),
            ),
        ]

    def __str__(self) -> str:
        return self.acronym

    @property
    def is_un(self) -> bool:
        """True for a UN entity."""
        return self.kind == self.Kind.UN


class EntityAlias(models.Model):
    """Another spelling of an entity's name, as found in documents (e.g. a second French spelling)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("alias"), max_length=300)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), name="entity_alias_name_unique_ci",
                violation_error_message=_("This alias already names an entity (ignoring case)."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Body(models.Model):
    """A body of a compact: the Compact itself, its Coordination Committee or a working group."""

    audit_requires_reason = True  # structure: every change says why (docs/access.md)

    class Kind(models.TextChoices):
        COMPACT = "compact", _("Compact")
        COMMITTEE = "committee", _("Coordination Committee")
        WORKING_GROUP = "working_group", _("Working group")

    key = models.SlugField(_("key"), unique=True, help_text=_("e.g. compact, committee, wg-1"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    mandate = models.TextField(_("mandate"), blank=True)
    pillar = models.ForeignKey(
        Pillar, on_delete=models.PROTECT, null=True, blank=True, related_name="bodies", verbose_name=_("pillar")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("reports to"),
    )
    secretariat = models.ForeignKey(
        Entity, on_delete=models.PROTECT, null=True, blank=True, related_name="secretariat_of",
        verbose_name=_("secretariat"),
    )
    established = models.DateField(_("established"))
    dissolved = models.DateField(_("dissolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["kind", "number", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"], name="body_kind_number_unique",
                violation_error_message=_("Another body of this kind already has this number."),
            ),
            models.CheckConstraint(
                condition=Q(dissolved__isnull=True) | Q(dissolved__gte=F("established")),
                name="body_dissolved_after_established",
                violation_error_message=_("A body cannot be dissolved before it is established."),
            ),
            # The number is required too (see clean()), but not here: renumbering groups frees numbers
            # inside one transaction.
            models.CheckConstraint(
                condition=~Q(kind="working_group") | Q(pillar__isnull=False),
                name="body_working_group_under_a_pillar",
                violation_error_message=_("A working group belongs to a pillar."),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.WORKING_GROUP:
            return f"WG {self.number}: {self.title}"
        return self.title

    def clean(self):
        """A working group needs a number and a pillar (raises ``ValidationError``)."""
        super().clean()
        if self.kind == self.Kind.WORKING_GROUP:
            errors = {}
            if self.number is None:
                errors["number"] = _("A working group needs a number.")
            if self.pillar_id is None:
                errors["pillar"] = _("A working group belongs to a pillar.")
            if errors:
                raise ValidationError(errors)

    def exists_on(self, day) -> bool:
        """True when the body had been established and not dissolved on ``day``."""
        return self.established <= day and (self.dissolved is None or day <= self.dissolved)


class Milestone(models.Model):
    """A dated event in a body's life: its inauguration, a meeting's decision, the adoption of a joint
    programme of work. A body's milestones form its timeline; pages show those on or before the date
    they answer for."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("body"))
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["body", "date", "pk"]
        indexes = [models.Index(fields=["body", "date"], name="milestone_body_date")]

    def __str__(self) -> str:
        return f"{self.date.isoformat()}: {self.title}"


class Participation(Period):
    """An entity's participation in a body, as member or observer, over a period."""

    audit_requires_reason = True  # structure: every change says why (docs/access.md)

    class Capacity(models.TextChoices):
        MEMBER = "member", _("member")
        OBSERVER = "observer", _("observer")

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="participations")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="participations")
    capacity = models.CharField(_("capacity"), max_length=10, choices=Capacity.choices)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["body", "entity__acronym", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="participation_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.get_capacity_display()} of {self.body.key}"


class LeadershipRole(Period):
    """An entity holding the chair, a co-chair or a vice-chair of a body over a period."""

    audit_requires_reason = True  # structure: every change says why (docs/access.md)

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        CO_CHAIR = "co_chair", _("co-chair")
        VICE_CHAIR = "vice_chair", _("vice-chair")

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="leadership_roles")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="leadership_roles")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    position = models.CharField(
        _("held by"), max_length=300, blank=True,
        help_text=_("The office that exercises the role, e.g. the Under-Secretary-General of UNOCT."),
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("leadership role")
        verbose_name_plural = _("leadership roles")
        ordering = ["body", "role", "entity__acronym", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="leadership_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.get_role_display()} of {self.body.key}"


ROLE_ORDER = {LeadershipRole.Role.CHAIR: 0, LeadershipRole.Role.CO_CHAIR: 1, LeadershipRole.Role.VICE_CHAIR: 2}


class Person(AccessControlled):
    """A focal point or representative of an entity, and the affiliation of a platform user with it.

    A person's contact details are content like any other: owned by the entity (and the body the person
    represents it in, if any), internal by default (``compact.access``). A user is linked to at most
    one person; the person's entity and function give the user's standing (``access.principal``).
    """

    access_owner_entity = "entity"
    access_owner_body = "body"

    class Function(models.TextChoices):
        FOCAL_POINT = "focal_point", _("focal point")
        REPRESENTATIVE = "representative", _("representative")

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="people")
    given_name = models.CharField(_("given name"), max_length=150)
    family_name = models.CharField(_("family name"), max_length=150)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    body = models.ForeignKey(
        Body, on_delete=models.SET_NULL, null=True, blank=True, related_name="people",
        help_text=_("The body this person represents the entity in, if any."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="person",
        verbose_name=_("user account"), help_text=_("The platform account of this person, if any."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.entity})"
