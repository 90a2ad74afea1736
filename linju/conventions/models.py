"""Conventions (公约): a building's civility convention or a shared space's rules, drafted
clause by clause, commented on by residents, kept in numbered versions, adopted by a residents'
vote and then marked read by residents.

``Clause`` rows are the working draft; a ``ConventionVersion`` is an immutable snapshot of them
(the version put to the vote is one of these, so what residents voted on never changes). A
``ConventionRead`` is one resident's "I have read it" for one version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate

MAX_CLAUSES = 60
CLAUSE_MAX_LENGTH = 1000
COMMENT_MAX_LENGTH = 1000


class Convention(models.Model):
    """One convention of a building (or of the whole estate)."""

    permission_key = "convention"

    class Kind(models.TextChoices):
        CIVILITY = "civility", _("civility convention")
        SPACE_RULES = "space_rules", _("rules of a shared space")

    class Status(models.TextChoices):
        DRAFTING = "drafting", _("being drafted")
        VOTING = "voting", _("being voted on")
        ADOPTED = "adopted", _("adopted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="conventions"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conventions",
        help_text=_("Leave empty for the whole estate."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CIVILITY)
    title = models.CharField(_("title"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFTING
    )
    decision = models.ForeignKey(
        "decisions.Decision",
        verbose_name=_("adoption vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voted_version = models.ForeignKey(
        "ConventionVersion",
        verbose_name=_("version put to the vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_version = models.ForeignKey(
        "ConventionVersion",
        verbose_name=_("adopted version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    notice = models.ForeignKey(
        "notices.Notice",
        verbose_name=_("notice on the board"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conventions",
    )
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ("estate", "-created_at", "-pk")
        indexes = [models.Index(fields=("estate", "status"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("convention_detail", args=[self.estate.slug, self.pk])

    @property
    def is_drafting(self) -> bool:
        return self.status == self.Status.DRAFTING

    @property
    def is_adopted(self) -> bool:
        return self.status == self.Status.ADOPTED


class Clause(models.Model):
    """One clause of the working draft."""

    permission_key = "convention_clause"

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="clauses"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"), max_length=CLAUSE_MAX_LENGTH)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ("convention", "position", "pk")

    def __str__(self) -> str:
        return self.text[:40]


class ClauseComment(models.Model):
    """A resident's comment on a clause. Hidden (never deleted) by the building's leader or
    staff, with the reason shown in its place."""

    permission_key = "convention_comment"

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="+")
    clause = models.ForeignKey(
        Clause,
        verbose_name=_("clause"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    clause_text = models.CharField(_("clause as commented"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    reports = models.PositiveSmallIntegerField(_("reports"), default=0)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("clause comment")
        verbose_name_plural = _("clause comments")
        ordering = ("clause", "created_at", "pk")
        indexes = [models.Index(fields=("convention", "clause"))]

    def __str__(self) -> str:
        return self.body[:40]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ClauseCommentReport(models.Model):
    """One resident's report of a comment (once per resident and comment)."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    comment = models.ForeignKey(ClauseComment, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)

    class Meta:
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(fields=("comment", "user"), name="clause_comment_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} · {self.user_id}"


class ConventionVersion(models.Model):
    """A numbered, immutable snapshot of the clauses (``clauses`` is a list of strings)."""

    permission_key = "convention_version"

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    clauses = models.JSONField(_("clauses"), default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("convention version")
        verbose_name_plural = _("convention versions")
        ordering = ("convention", "number")
        constraints = [
            models.UniqueConstraint(
                fields=("convention", "number"), name="convention_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        # A saved version is a record of what was proposed or voted on: never rewritten.
        if not self._state.adding:
            raise ValueError("A convention version is immutable.")
        super().save(*args, **kwargs)


class ConventionRead(models.Model):
    """A resident's "I have read it" for one version of a convention."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="reads"
    )
    version = models.ForeignKey(
        ConventionVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="reads",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read"), default=timezone.now)

    class Meta:
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")
        ordering = ("convention", "read_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=("version", "user"), name="convention_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.user_id}"
