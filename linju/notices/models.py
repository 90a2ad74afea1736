"""The disclosure board (居务公开).

A notice is drafted, then published for a period ("公示 30 天") and, once that period has run,
moves to the archive. A published notice is never edited or deleted: a mistake is withdrawn
with a reason, and the withdrawn notice stays on the board, marked, with that reason
(disclosure must not silently disappear). Each signed-in reader's first opening of a published
notice is recorded once (``NoticeRead``).
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate

MIN_DAYS = 1
MAX_DAYS = 365
DEFAULT_DAYS = 30


class BoardSettings(models.Model):
    """An estate's choices for its board."""

    estate = models.OneToOneField(
        Estate, verbose_name=_("estate"), on_delete=models.CASCADE, related_name="board_settings"
    )
    public = models.BooleanField(
        _("readable without signing in"),
        default=False,
        help_text=_(
            "Anyone with the link can read the notice board and its notices, without signing "
            "in. The public view shows no personal data: no names of readers or of who posted."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("board settings")
        verbose_name_plural = _("board settings")

    def __str__(self) -> str:
        return str(self.estate)


class Notice(models.Model):
    """One notice on the board of an estate, or of one of its buildings."""

    class Category(models.TextChoices):
        # Shanghai Regulation on Residents' Committees, Art. 17: what must be made public.
        MEETING = "meeting", _("Decisions of the residents' meeting and their implementation")
        HEARINGS = "hearings", _("Hearings, coordination and review meetings")
        CONSULTATION = "consultation", _("Consultation results")
        WORKING_FUNDS = "working_funds", _("Use of working funds")
        PUBLIC_MONEY = "public_money", _("Use of government money and donated money and goods")
        OTHER = "other", _("Other matters")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="notices"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for the whole estate."),
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    pinned_at = models.DateTimeField(_("pinned"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    shown_until = models.DateField(_("shown until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-pinned", "-pinned_at", "-published_at", "-id"]
        indexes = [
            models.Index(fields=["estate", "status", "shown_until"]),
            models.Index(fields=["estate", "building"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(published_at__isnull=False, shown_until__isnull=False),
                name="notice_published_has_period",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="notice_withdrawn_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notice_detail", args=[self.estate.slug, self.pk])

    def is_current_on(self, day: datetime.date) -> bool:
        """On the board (not yet in the archive) on ``day``: published or withdrawn, and its
        period has not ended."""
        return (
            self.status != self.Status.DRAFT
            and self.shown_until is not None
            and day <= self.shown_until
        )

    @property
    def is_current(self) -> bool:
        return self.is_current_on(timezone.localdate())

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


def _attachment_upload_to(instance: NoticeAttachment, filename: str) -> str:
    # The stored name never carries the uploaded name: that one is kept, as text, on the row.
    return f"notices/{instance.estate_id}/{uuid.uuid4().hex}.{instance.kind}"


class NoticeAttachment(models.Model):
    """A file attached to a notice: PDF, JPEG, PNG or Excel (.xlsx), checked by what it holds,
    up to 10 MB. Served only through a page that checks who may read the notice."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPG = "jpg", "JPEG"
        PNG = "png", "PNG"
        XLSX = "xlsx", "Excel"

    CONTENT_TYPES = {
        "pdf": "application/pdf",
        "jpg": "image/jpeg",
        "png": "image/png",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=_attachment_upload_to)
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("file type"), max_length=8, choices=Kind.choices)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["notice", "added_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.kind]


class NoticeRead(models.Model):
    """A reader's first opening of a published notice: one row per person and notice."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    read_at = models.DateTimeField(_("first read"), default=timezone.now)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        ordering = ["notice", "read_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_read_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.notice} · {self.user}"
