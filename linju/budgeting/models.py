"""Residents' participatory-budgeting vote on a programme's shortlisted applications.

A ``BudgetVote`` belongs to one programme; when it opens, the programme's PB settings (rule,
ballot, limits, who votes, budget) are copied onto it, so a later change of the programme never
rewrites a past result. A ``PBBallot`` is one verified resident's (or one household's) ballot,
online or entered from paper by staff; its ``PBBallotItem`` rows are the applications it
approves. ``PBOutcome`` is the count: the engine's outcome (``linju.foundation.pb.rules``) with
every project's explanation, exactly (Decimal costs, the endowment as an exact fraction).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Flat, Person


class BudgetVote(models.Model):
    """The residents' vote on the applications of one programme."""

    permission_key = "budget_vote"

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        COUNTED = "counted", _("counted")
        PUBLISHED = "published", _("published")

    programme = models.OneToOneField(
        "foundation.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="budget_vote",
    )
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    eligible = models.ManyToManyField(
        "foundation.Application",
        verbose_name=_("projects on the ballot"),
        related_name="budget_votes",
    )
    # The programme's PB settings when the vote opened: rule, exhaustive_stop, comparison,
    # ballot, min, max, unit, budget (as text).
    rules = models.JSONField(_("rules of the vote"), default=dict)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ("-opens_at", "-pk")
        verbose_name = _("participatory-budgeting vote")
        verbose_name_plural = _("participatory-budgeting votes")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="budget_vote_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return str(self.programme)

    def get_absolute_url(self) -> str:
        return reverse("pb_vote", args=[self.programme.street.slug, self.pk])

    def is_open_at(self, when: Any) -> bool:
        return self.status == self.Status.OPEN and self.opens_at <= when < self.closes_at

    @property
    def rule(self) -> str:
        return str(self.rules.get("rule", ""))

    @property
    def ballot_kind(self) -> str:
        return str(self.rules.get("ballot", "approval"))

    @property
    def per_household(self) -> bool:
        return self.rules.get("unit") == "household"


class PBBallot(models.Model):
    """One ballot: a verified resident's (or, per the programme, a household's)."""

    permission_key = "pb_ballot"

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        PAPER = "paper", _("paper ballot")

    vote = models.ForeignKey(BudgetVote, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(
        Person, verbose_name=_("voter"), on_delete=models.PROTECT, related_name="+"
    )
    # Set when the vote is one ballot per household.
    household = models.ForeignKey(
        Flat,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("how"), max_length=8, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt = models.CharField(_("receipt code"), max_length=12, unique=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ("vote", "pk")
        verbose_name = _("participatory-budgeting ballot")
        verbose_name_plural = _("participatory-budgeting ballots")
        constraints = [
            models.UniqueConstraint(fields=("vote", "voter"), name="pb_ballot_one_per_person"),
            models.UniqueConstraint(
                fields=("vote", "household"),
                condition=Q(household__isnull=False),
                name="pb_ballot_one_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt


class PBBallotItem(models.Model):
    """An application the ballot approves."""

    ballot = models.ForeignKey(PBBallot, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(
        "foundation.Application", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("ballot", "application")
        constraints = [
            models.UniqueConstraint(fields=("ballot", "application"), name="pb_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.application_id}"


class PBOutcome(models.Model):
    """A count of the vote by its rule; the latest one is the result (and is published)."""

    vote = models.ForeignKey(BudgetVote, on_delete=models.CASCADE, related_name="outcomes")
    computed_at = models.DateTimeField(_("counted"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.CharField(_("rule"), max_length=10)
    selected = models.JSONField(_("funded applications"), default=list)  # ids, in order bought
    cost = models.DecimalField(_("cost (¥)"), max_digits=16, decimal_places=2)
    # Each voter's share in the MES run that gave the outcome, exactly ("12.5" or "25/3");
    # empty for greedy.
    endowment = models.CharField(_("each voter's share"), max_length=80, blank=True)
    explanations = models.JSONField(_("explanations"), default=dict)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ("vote", "-computed_at", "-pk")
        get_latest_by = ("computed_at", "pk")
        verbose_name = _("participatory-budgeting outcome")
        verbose_name_plural = _("participatory-budgeting outcomes")

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.rule}"
