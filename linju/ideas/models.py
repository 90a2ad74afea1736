"""Ideas residents post for their building, who supports them, comments and the topic list.

An idea belongs to one building. Neighbours support it (once each) and comment on it; the
building's group leader (or committee staff) merges a duplicate into the idea it repeats and
turns ideas into topics of a project of the same building.

``Comment`` is one model for comments on an idea and on a project: exactly one of the two is
set (a check constraint says so). A comment is never deleted by moderation: hiding keeps the
row, and pages show "hidden by the group leader: <reason>" in place of its text.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate
from linju.core.models import PhotoFields

IDEA_TITLE_MAX = 120
IDEA_BODY_MAX = 4000
COMMENT_MAX = 1000
REASON_MAX = 300
TOPIC_TITLE_MAX = 200
MAX_PHOTOS = 6
# Reports that flag a comment for its moderators. The comment stays visible: three neighbours
# disagreeing with a comment is not a reason to silence it before a person has looked at it.
FLAG_AFTER_REPORTS = 3


class Idea(models.Model):
    """A resident's idea for their building (a problem to fix, something to add)."""

    permission_key = "idea"

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        MERGED = "merged", _("merged into another idea")
        ADOPTED = "adopted", _("adopted as a project topic")
        HIDDEN = "hidden", _("hidden")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="ideas"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=IDEA_TITLE_MAX)
    body = models.TextField(_("details"), max_length=IDEA_BODY_MAX, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [models.Index(fields=("building", "status", "-created_at"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("idea_detail", args=[self.estate.slug, self.pk])


class IdeaPhoto(PhotoFields):
    """A photo of an idea (up to six), cleaned by ``linju.core.images.photo_store``."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("idea", "position", "pk")
        verbose_name = _("idea photo")
        verbose_name_plural = _("idea photos")

    def __str__(self) -> str:
        return f"{self.idea_id}/{self.pk}"


class IdeaSupport(models.Model):
    """One person supports one idea (at most once)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=("idea", "user"), name="idea_support_once"),
        ]

    def __str__(self) -> str:
        return f"{self.idea_id} ← {self.user_id}"


class Comment(models.Model):
    """A comment on an idea or on a project (exactly one of them)."""

    permission_key = "comment"

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    # The building whose group leader moderates it (None: a project of the whole estate).
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idea = models.ForeignKey(
        Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    flagged_at = models.DateTimeField(_("flagged for review"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=REASON_MAX, blank=True)
    # Who hid it, as residents are told: "leader" (the building's group leader) or "staff".
    hidden_as = models.CharField(max_length=10, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(idea__isnull=False, project__isnull=True)
                    | models.Q(idea__isnull=True, project__isnull=False)
                ),
                name="comment_on_idea_or_project",
            )
        ]
        indexes = [
            models.Index(fields=("project", "created_at"), name="comment_project_time"),
            models.Index(fields=("idea", "created_at"), name="comment_idea_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CommentReport(models.Model):
    """Someone asks the moderators to look at a comment (once per person and comment)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("why"), max_length=REASON_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a moderator has looked: hid the comment, or kept it.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("comment", "created_at", "pk")
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(fields=("comment", "reporter"), name="comment_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} ⚑ {self.reporter_id}"


class Topic(models.Model):
    """One entry of a project's topic list (what the hearing will discuss)."""

    permission_key = "topic"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("topic"), max_length=TOPIC_TITLE_MAX)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    from_idea = models.ForeignKey(
        Idea,
        verbose_name=_("from the idea"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("project", "position", "pk")
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.title

    def _project(self) -> Any:
        try:
            return self.project
        except ObjectDoesNotExist:
            return None

    @property
    def estate_id(self) -> int | None:
        """The project's estate (so permissions and the audit log treat a topic like it)."""
        project = self._project()
        return project.estate_id if project is not None else None

    @property
    def building_id(self) -> int | None:
        project = self._project()
        return project.building_id if project is not None else None
