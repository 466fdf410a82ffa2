"""The meeting cycle of a body: meetings with their agenda and attendance, minutes in versions,
decisions with stable references, and the action items that carry decisions out.

- A ``Meeting`` belongs to a body and is numbered within it ("7th meeting"). Its start and end are
  stored in UTC (``DateTimeField`` with ``USE_TZ``) with the IANA zone it is held in (``time_zone``);
  a meeting known only by its date is ``all_day`` (its start and end are then midnight, in the
  meeting's zone, of its first day and of the day after its last day). ``uid`` and ``sequence`` are
  its iCalendar identity (RFC 5545 sections 3.8.4.7 and 3.8.7.4): the UID never changes, the sequence
  grows with each change attendees should see, and a cancelled meeting keeps both.
- An ``AgendaItem`` is one numbered item; the item of kind *matters arising* lists, while the agenda
  is a draft, the open and overdue action items of the body (``selectors.matters_arising``), and keeps
  them (``action_items``) once the agenda is final.
- ``Attendance`` is an entity's place at a meeting, in the capacity (member or observer) the registry
  gives it in the body on the meeting's date; ``Attendee`` a person's.
- ``MinutesVersion`` rows are the minutes' history: draft -> circulated for comments -> final; a final
  version is never changed: a correction is a new final version that says what it corrects and why.
- A ``Decision`` has a stable reference ``<body code>/<year>/<number>`` (e.g. ``CC/2019/3``), its text
  in the six languages, the meeting and agenda item that took it, its subjects and the member entities
  recorded as adopting it (observers never adopt).
- An ``ActionItem`` is a task a decision gives a body or an entity, with a due date, a status and its
  evidence.
- ``Preference`` holds a user's time zone and the notifications they choose; ``FeedToken`` the secret
  of their private calendar feeds (only its SHA-256 is stored); ``Notification`` every e-mail sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compact.access.models import AccessControlled


class Meeting(AccessControlled):
    """A meeting of a body. ``start``/``end`` are aware datetimes (stored in UTC); ``time_zone`` is the
    IANA name of the zone the meeting is held in (``zoneinfo``), used to show its own local times and to
    write the iCalendar VTIMEZONE."""

    access_owner_body = "body"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    class AgendaStatus(models.TextChoices):
        DRAFT = "draft", _("draft")
        FINAL = "final", _("final")

    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="meetings",
                             verbose_name=_("body"))
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("Its number within the body: 7 for the 7th meeting."))
    title = models.CharField(_("title"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC",
                                 help_text=_("The IANA time zone the meeting is held in, e.g. America/New_York."))
    all_day = models.BooleanField(_("all day"), default=False,
                                  help_text=_("Only the date is known, or the meeting takes whole days."))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    agenda_status = models.CharField(_("agenda"), max_length=8, choices=AgendaStatus.choices,
                                     default=AgendaStatus.DRAFT)
    uid = models.CharField(_("calendar UID"), max_length=120, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="meetings_meeting_number_per_body",
                                    violation_error_message=_("This body already has a meeting with this number.")),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="meetings_meeting_ends_after_start",
                                   violation_error_message=_("A meeting ends after it starts.")),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.body} #{self.number}"


class AgendaItem(models.Model):
    """One item of a meeting's agenda, numbered by ``position`` (1, 2, ...)."""

    class Kind(models.TextChoices):
        ITEM = "item", _("item")
        MATTERS_ARISING = "matters_arising", _("matters arising")

    class Outcome(models.TextChoices):
        INFORMATION = "information", _("for information")
        DISCUSSION = "discussion", _("for discussion")
        DECISION = "decision", _("for decision")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ITEM)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    presenter = models.ForeignKey("registry.Entity", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("presented by"))
    expected_outcome = models.CharField(_("expected outcome"), max_length=12, choices=Outcome.choices,
                                        default=Outcome.INFORMATION)
    documents = models.ManyToManyField("library.Document", blank=True, related_name="agenda_items",
                                       verbose_name=_("documents"))
    action_items = models.ManyToManyField("meetings.ActionItem", blank=True, related_name="arising_in",
                                          verbose_name=_("action items"),
                                          help_text=_("For matters arising: the action items it lists once the agenda is final."))

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "position"], name="meetings_agenda_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Attendance(models.Model):
    """An entity's attendance at a meeting. ``capacity`` is the one the registry gives the entity in the
    meeting's body on the meeting's date (in its own zone), set by the service, never by hand."""

    class Capacity(models.TextChoices):
        MEMBER = "member", _("member")
        OBSERVER = "observer", _("observer")
        GUEST = "guest", _("guest")

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        PRESENT = "present", _("present")
        APOLOGIES = "apologies", _("apologies")
        ABSENT = "absent", _("absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    entity = models.ForeignKey("registry.Entity", on_delete=models.PROTECT, related_name="meeting_attendances",
                               verbose_name=_("entity"))
    capacity = models.CharField(_("capacity"), max_length=10, choices=Capacity.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "entity__acronym"]
        constraints = [models.UniqueConstraint(fields=["meeting", "entity"], name="meetings_attendance_once")]

    def __str__(self) -> str:
        return f"{self.entity} ({self.get_capacity_display()})"


class Attendee(models.Model):
    """A person invited to (and attending) a meeting, for their entity."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="meeting_attendances",
                               verbose_name=_("person"))
    status = models.CharField(_("status"), max_length=10, choices=Attendance.Status.choices,
                              default=Attendance.Status.INVITED)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["meeting", "person__family_name", "person__given_name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="meetings_attendee_once")]

    def __str__(self) -> str:
        return str(self.person)


class MinutesVersion(models.Model):
    """One version of a meeting's minutes. ``number`` counts from 1; the latest is the current text.
    A draft may be edited; circulated minutes take comments; final minutes are locked, and a correction
    is a new final version (``corrects`` the one before, with its ``reason``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CIRCULATED = "circulated", _("circulated for comments")
        FINAL = "final", _("final")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    text = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    document = models.ForeignKey("library.Document", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("document"))
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("corrects"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("written by"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    circulated = models.DateTimeField(_("circulated"), null=True, blank=True)
    finalised = models.DateTimeField(_("made final"), null=True, blank=True)

    class Meta:
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        ordering = ["meeting", "-number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="meetings_minutes_version")]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.number}"


class MinutesComment(models.Model):
    """A comment on circulated minutes."""

    version = models.ForeignKey(MinutesVersion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    text = models.TextField(_("comment"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment on minutes")
        verbose_name_plural = _("comments on minutes")
        ordering = ["version", "created", "id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class Decision(AccessControlled):
    """A decision of a body, taken at one of its meetings. ``reference`` is ``<code>/<year>/<number>``
    (``selectors.body_code``: ``CC`` for the Coordination Committee, ``WG3`` for working group 3), the
    year being that of ``adopted_on`` (by default the meeting's date in its own zone), the number counting
    from 1 within the body and year. References are given once and never reused."""

    access_owner_body = "body"

    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="decisions",
                             verbose_name=_("body"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"))
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions",
                                verbose_name=_("meeting"))
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="decisions", verbose_name=_("agenda item"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    adopted_on = models.DateField(_("adopted on"))
    adopted_by = models.ManyToManyField("registry.Entity", blank=True, related_name="decisions_adopted",
                                        verbose_name=_("adopted by"),
                                        help_text=_("The member entities recorded as adopting it; observers never adopt."))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-year", "body", "-number"]
        constraints = [models.UniqueConstraint(fields=["body", "year", "number"], name="meetings_decision_number")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class DecisionSubject(models.Model):
    """What a decision is about: exactly one of a joint programme of work, a workplan, a document (terms
    of reference), a project or a call for proposals."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("joint programme of work")
        WORKPLAN = "workplan", _("workplan")
        TERMS_OF_REFERENCE = "terms_of_reference", _("terms of reference")
        PROJECT = "project", _("project")
        CALL = "call", _("call for proposals")

    #: The field holding the subject, by kind.
    FIELDS = {Kind.PROGRAMME: "programme", Kind.WORKPLAN: "workplan", Kind.TERMS_OF_REFERENCE: "document",
              Kind.PROJECT: "project", Kind.CALL: "call"}

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="subjects")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    programme = models.ForeignKey("planning.Programme", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="decision_subjects", verbose_name=_("joint programme of work"))
    workplan = models.ForeignKey("planning.Workplan", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="decision_subjects", verbose_name=_("workplan"))
    document = models.ForeignKey("library.Document", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="decision_subjects", verbose_name=_("terms of reference"))
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="decision_subjects", verbose_name=_("project"))
    call = models.ForeignKey("appeals.Call", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="decision_subjects", verbose_name=_("call for proposals"))

    class Meta:
        verbose_name = _("subject of a decision")
        verbose_name_plural = _("subjects of decisions")
        ordering = ["decision", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="programme", programme__isnull=False, workplan=None, document=None, project=None, call=None)
                    | Q(kind="workplan", workplan__isnull=False, programme=None, document=None, project=None, call=None)
                    | Q(kind="terms_of_reference", document__isnull=False, programme=None, workplan=None,
                        project=None, call=None)
                    | Q(kind="project", project__isnull=False, programme=None, workplan=None, document=None, call=None)
                    | Q(kind="call", call__isnull=False, programme=None, workplan=None, document=None, project=None)
                ),
                name="meetings_decision_subject_one",
                violation_error_message=_("A subject names exactly one item, of its kind."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target}"

    @property
    def target(self):
        """The programme, workplan, document, project or call this subject names."""
        return getattr(self, self.FIELDS[self.kind])


class ActionItem(AccessControlled):
    """A task a decision gives a body (``owner_body``) or an entity (``owner_entity``). It is read by the
    rules of its decision's body (``body``) and by the tasked entity; it is overdue when still open or in
    progress after its ``due`` date."""

    access_owner_body = "body"
    access_owner_entity = "owner_entity"

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status of an action item", "open")
        IN_PROGRESS = "in_progress", pgettext_lazy("status of an action item", "in progress")
        DONE = "done", pgettext_lazy("status of an action item", "done")
        DROPPED = "dropped", pgettext_lazy("status of an action item", "dropped")

    #: Statuses of an item still to be carried out.
    PENDING = (Status.OPEN, Status.IN_PROGRESS)

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="action_items",
                                 verbose_name=_("decision"))
    body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, related_name="action_items",
                             verbose_name=_("body"), help_text=_("The body whose decision it carries out."))
    owner_body = models.ForeignKey("registry.Body", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="tasks", verbose_name=_("tasked body"))
    owner_entity = models.ForeignKey("registry.Entity", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="tasks", verbose_name=_("tasked entity"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    due = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    evidence_document = models.ForeignKey("library.Document", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("evidence: document"))
    evidence_url = models.URLField(_("evidence: link"), max_length=500, blank=True)
    evidence_note = models.TextField(_("evidence: note"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_body__isnull=False, owner_entity=None) | Q(owner_body=None, owner_entity__isnull=False)),
                name="meetings_action_item_one_owner",
                violation_error_message=_("An action item is given to one body or one entity."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    """A user's time zone (IANA name; empty: the site's), the language of their e-mails (one of
    ``settings.LANGUAGES``; empty: the site's default) and the e-mails they choose to receive."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_preference")
    time_zone = models.CharField(_("my time zone"), max_length=64, blank=True)
    language = models.CharField(_("language of my e-mails"), max_length=10, choices=settings.LANGUAGES, blank=True,
                                help_text=_("Empty: the site's default language."))
    notify_invitations = models.BooleanField(_("invitations to meetings"), default=True)
    notify_minutes = models.BooleanField(_("minutes circulated for comments"), default=True)
    notify_action_items = models.BooleanField(_("new action items for my entity"), default=True)
    notify_overdue = models.BooleanField(_("overdue action items"), default=True)

    class Meta:
        verbose_name = _("meeting preferences")
        verbose_name_plural = _("meeting preferences")

    def __str__(self) -> str:
        return str(self.user)


class FeedToken(models.Model):
    """The secret of a user's private calendar feeds. Only its SHA-256 (hex) is stored; the secret itself
    is shown once, when made. A revoked token answers 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    digest = models.CharField(_("SHA-256 of the secret"), max_length=64, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} {self.digest[:8]}"


class Notification(models.Model):
    """An e-mail sent (or left unsent by the user's choice) about a meeting, minutes or an action item.
    ``key`` makes each notice once only: e.g. ``overdue:<action item id>:<due date>``."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        MEETING_CHANGED = "meeting_changed", _("meeting changed")
        MEETING_CANCELLED = "meeting_cancelled", _("meeting cancelled")
        MINUTES_CIRCULATED = "minutes_circulated", _("minutes circulated")
        ACTION_ITEM = "action_item", _("new action item")
        OVERDUE = "overdue", _("overdue action item")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=120)
    subject = models.CharField(_("subject"), max_length=300)
    sent = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-sent"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="meetings_notification_once")]

    def __str__(self) -> str:
        return self.subject
