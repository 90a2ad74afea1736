"""Meetings: hearings (听证会), coordination (协调会) and review (评议会) meetings — the 三会 whose
results Shanghai's residents' committee regulation (Art. 17) requires to be made public — and
pitches and ordinary building-group meetings.

A meeting is planned, then held (its minutes are written) or cancelled. Who was invited and how
they answered, who came (in person, online, or signed the paper sheet) and what was decided
(its outcomes, linked to the project) are rows of their own. Publishing the minutes puts a
notice on the disclosure board and links it back; published minutes are never edited again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Person
from linju.core.models import PhotoFields


class Meeting(models.Model):
    """One meeting of an estate, or of one of its buildings, perhaps about one project."""

    permission_key = "meeting"

    class Kind(models.TextChoices):
        HEARING = "hearing", _("hearing (听证会)")
        COORDINATION = "coordination", _("coordination meeting (协调会)")
        REVIEW = "review", _("review meeting (评议会)")
        PITCH = "pitch", _("pitch (路演)")
        BUILDING = "building", _("building-group meeting")
        OTHER = "other", _("other meeting")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    # The 三会: their minutes always go to the disclosure board.
    DISCLOSED_KINDS = (Kind.HEARING, Kind.COORDINATION, Kind.REVIEW)

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="meetings"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for a meeting of the whole estate."),
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    agenda = models.TextField(
        _("agenda"), blank=True, help_text=_("One item per line, in the order they are taken.")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online meeting link"), max_length=300, blank=True)
    booking = models.OneToOneField(
        "spaces.Booking",
        verbose_name=_("room booking"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)
    notice = models.ForeignKey(
        "notices.Notice",
        verbose_name=_("notice on the board"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("-starts_at", "-pk")
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=("estate", "-starts_at")),
            models.Index(fields=("project", "kind", "status")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(minutes_published_at__isnull=True) | Q(status="held"),
                name="meeting_minutes_published_when_held",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", args=[self.estate.slug, self.pk])

    @property
    def minutes_go_to_board(self) -> bool:
        """A hearing's, coordination or review meeting's minutes always go to the board."""
        return self.kind in self.DISCLOSED_KINDS

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]

    @property
    def minutes_published(self) -> bool:
        return self.minutes_published_at is not None


class Invitation(models.Model):
    """Someone asked to come: a person of the roster (with or without an account) or an account
    (a designer, a foundation officer). Their answer is theirs to give."""

    class Answer(models.TextChoices):
        YES = "yes", _("will come")
        NO = "no", _("cannot come")
        MAYBE = "maybe", _("maybe")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    response = models.CharField(_("answer"), max_length=8, choices=Answer.choices, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ("meeting", "invited_at", "pk")
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(user__isnull=False),
                name="invitation_names_someone",
            ),
            models.UniqueConstraint(
                fields=("meeting", "person"),
                condition=Q(person__isnull=False),
                name="invitation_once_per_person",
            ),
            models.UniqueConstraint(
                fields=("meeting", "user"),
                condition=Q(person__isnull=True),
                name="invitation_once_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.person_id or self.user_id}"


class Attendance(models.Model):
    """Someone who came: a person of the roster (once per meeting) or a named guest."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        Person,
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(
        _("guest's name"),
        max_length=60,
        blank=True,
        help_text=_("For someone not on the roster: a designer, a street officer, a guest."),
    )
    mode = models.CharField(
        _("took part"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON
    )
    signed_on_paper = models.BooleanField(_("signed the paper sheet"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ("meeting", "recorded_at", "pk")
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(name=""),
                name="attendance_names_someone",
            ),
            models.UniqueConstraint(
                fields=("meeting", "person"),
                condition=Q(person__isnull=False),
                name="attendance_once_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.meeting_id}: {self.person_id}"


class Outcome(models.Model):
    """One thing the meeting decided or agreed, in order; linked to the meeting's project."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes")
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_outcomes",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("outcome"), max_length=500)

    class Meta:
        ordering = ("meeting", "position")
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "position"), name="outcome_position")
        ]

    def __str__(self) -> str:
        return self.text


class AttendanceSheet(PhotoFields):
    """A photo of the signed paper attendance sheet, kept as the record of who signed."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sheets")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ("meeting", "uploaded_at", "pk")
        verbose_name = _("attendance sheet photo")
        verbose_name_plural = _("attendance sheet photos")

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.pk}"
