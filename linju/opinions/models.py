"""Discussions of the opinion map: a question, residents' short statements (moderated before
they are shown), their agree / disagree / pass votes, and the maps computed from the votes.

A discussion belongs to an estate, or to one building of it. Its residents (the building's,
or the whole estate's) write statements and vote; the map is recomputed in the background as
votes arrive and kept as a ``MapSnapshot`` (the engine's JSON, plus each group's shares), so a
page never computes. ``votes_changed_at`` and ``recompute_due_at`` on the discussion carry the
debounce: see ``linju.opinions.services.recompute_plan``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate
from linju.consultations.opinion.compute import MIN_PARTICIPANTS

QUESTION_MAX = 200
DESCRIPTION_MAX = 2000
STATEMENT_MAX = 140
REASON_MAX = 300


class Discussion(models.Model):
    """A question residents answer with statements and votes; the map shows their groups."""

    permission_key = "discussion"

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+"
    )
    # None: the whole estate takes part.
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    question = models.CharField(_("question"), max_length=QUESTION_MAX)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    min_participants = models.PositiveSmallIntegerField(
        _("participants needed for the map"), default=MIN_PARTICIPANTS
    )
    # The debounce of the map's recomputation (services.recompute_plan).
    votes_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    recompute_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        indexes = [models.Index(fields=("estate", "status"), name="discussion_estate_status")]

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("opinion_discussion", args=[self.estate.slug, self.pk])

    def is_open_at(self, moment: Any) -> bool:
        return (
            self.status == self.Status.OPEN
            and (self.opens_at is None or self.opens_at <= moment)
            and (self.closes_at is None or moment < self.closes_at)
        )

    @property
    def is_open(self) -> bool:
        return self.is_open_at(timezone.now())


class Statement(models.Model):
    """A resident's short statement (140 characters at most), shown once accepted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for moderation")
        ACCEPTED = "accepted", _("accepted and shown")
        REJECTED = "rejected", _("not accepted")

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="statements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(_("statement"), max_length=STATEMENT_MAX)
    # The text without spaces, punctuation or case (services.normalised): one per discussion.
    normalised = models.CharField(max_length=STATEMENT_MAX, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reject_reason = models.CharField(_("why not accepted"), max_length=REASON_MAX, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("discussion", "created_at", "pk")
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(
                fields=("discussion", "normalised"), name="statement_unique_text"
            ),
        ]
        indexes = [models.Index(fields=("discussion", "status"), name="statement_status")]

    def __str__(self) -> str:
        return self.text

    @property
    def estate_id(self) -> int:
        """The discussion's estate (the audit log files a statement under it)."""
        return self.discussion.estate_id


class StatementVote(models.Model):
    """One participant's vote on one statement; a later vote replaces the earlier."""

    class Vote(models.IntegerChoices):
        AGREE = 1, _("agree")
        DISAGREE = -1, _("disagree")
        PASS = 0, _("pass / unsure")

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    vote = models.SmallIntegerField(_("vote"), choices=Vote.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("discussion", "updated_at", "pk")
        verbose_name = _("vote on a statement")
        verbose_name_plural = _("votes on statements")
        constraints = [
            models.UniqueConstraint(
                fields=("statement", "participant"), name="statement_vote_once"
            ),
            models.CheckConstraint(
                condition=models.Q(vote__in=(1, -1, 0)), name="statement_vote_value"
            ),
        ]
        indexes = [
            models.Index(fields=("discussion", "participant"), name="statement_vote_participant")
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.vote}"


class MapSnapshot(models.Model):
    """The map computed from a discussion's votes at one moment (``version`` counts up).

    ``result`` is the engine's ``to_json()`` plus ``shares`` (each group's votes, agrees and
    disagrees per statement, and the same for everyone grouped) and ``split`` (per statement,
    how far apart the groups' agree shares are). It names participants by account id: it is
    read by the selectors only, never sent as it is.
    """

    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField()
    computed_at = models.DateTimeField(default=timezone.now)
    # The discussion's votes_changed_at when the votes were read.
    votes_as_of = models.DateTimeField(null=True, blank=True)
    votes_count = models.PositiveIntegerField(default=0)
    participants = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ("discussion", "-version")
        verbose_name = _("opinion map")
        verbose_name_plural = _("opinion maps")
        constraints = [
            models.UniqueConstraint(fields=("discussion", "version"), name="map_snapshot_version")
        ]

    def __str__(self) -> str:
        return f"{self.discussion_id} v{self.version}"
