"""Reads of participatory budgeting: a vote as the actor may see it, its ballot cards, the
actor's own ballot, the board's rows and the results explained."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from linju.budgeting import explain
from linju.budgeting.models import BudgetVote, PBBallot, PBOutcome
from linju.community.models import Street
from linju.core import permissions
from linju.foundation.models import Application


def vote_get(*, actor: Any, street: Street, vote_id: Any) -> BudgetVote:
    """A vote of ``street`` the actor may see; missing and hidden are the same 404."""
    queryset = BudgetVote.objects.select_related("programme", "programme__street").filter(
        programme__street=street
    )
    vote = permissions.get_visible_or_404(actor, queryset, pk=vote_id)
    assert isinstance(vote, BudgetVote)
    return vote


def street_get(*, slug: str) -> Street:
    try:
        return Street.objects.get(slug=slug)
    except Street.DoesNotExist as exc:
        raise Http404 from exc


def ballot_cards(*, vote: BudgetVote) -> list[Application]:
    """The applications on the ballot, with the estate, building and first photo at hand."""
    applications = list(
        vote.eligible.select_related("estate", "building").prefetch_related("photos").order_by("pk")
    )
    for application in applications:
        photos = list(application.photos.all())
        application.first_photo = photos[0] if photos else None  # type: ignore[attr-defined]
        application.amount_text = explain.money(f"{application.requested:f}")  # type: ignore[attr-defined]
    return applications


def my_ballot(*, actor: Any, vote: BudgetVote) -> PBBallot | None:
    """The ballot of the actor's own person(s), if they voted (on paper too)."""
    if not getattr(actor, "is_authenticated", False):
        return None
    return (
        PBBallot.objects.filter(vote=vote, voter__user=actor)
        .prefetch_related("items__application")
        .first()
    )


def household_ballot(*, vote: BudgetVote, flat: Any) -> PBBallot | None:
    if not vote.per_household or flat is None:
        return None
    return PBBallot.objects.filter(vote=vote, household=flat).first()


def ballot_counts(*, vote: BudgetVote) -> dict[str, int]:
    """How many ballots, online and on paper (no choices: those wait for the count)."""
    counts = {"online": 0, "paper": 0}
    for row in PBBallot.objects.filter(vote=vote).values("channel").annotate(n=Count("pk")):
        counts[row["channel"]] = row["n"]
    counts["total"] = counts["online"] + counts["paper"]
    return counts


def latest_outcome(*, vote: BudgetVote) -> PBOutcome | None:
    return vote.outcomes.order_by("-computed_at", "-pk").first()


@dataclass(frozen=True)
class ProjectLine:
    id: str
    title: str
    cost: Decimal
    cost_text: str
    votes: str
    selected: bool
    round: int | None
    words: str


@dataclass(frozen=True)
class Results:
    rule: str
    rule_label: str
    rule_help: str
    budget: str
    cost: str
    left: str
    voters: int
    endowment: str  # rounded to the fen, for reading
    endowment_exact: str
    increments: int | None
    comparison: dict[str, Any] | None
    funded: list[ProjectLine]
    not_funded: list[ProjectLine]


def results_explained(record: dict[str, Any]) -> Results:
    """An outcome's stored data (``explain.outcome_record`` plus titles) in plain words."""
    titles = record.get("titles", {})
    lines = []
    for project in record["projects"]:
        lines.append(
            ProjectLine(
                id=project["id"],
                title=titles.get(project["id"], project["id"]),
                cost=Decimal(project["cost"]),
                cost_text=explain.money(project["cost"]),
                votes=project["votes"],
                selected=project["selected"],
                round=project["round"],
                words=explain.project_words(project),
            )
        )
    funded = sorted((p for p in lines if p.selected), key=lambda p: p.round or 0)
    not_funded = sorted(
        (p for p in lines if not p.selected), key=lambda p: (-Decimal(p.votes), p.id)
    )
    budget = Decimal(record["budget"])
    cost = sum((p.cost for p in funded), Decimal(0))
    endowment = record.get("endowment")
    return Results(
        rule=record["rule"],
        rule_label=explain.rule_label(record["rule"]),
        rule_help=explain.rule_help(record["rule"]),
        budget=explain.money(f"{budget:f}"),
        cost=explain.money(f"{cost:f}"),
        left=explain.money(f"{budget - cost:f}"),
        voters=record["voters"],
        endowment=explain.money(endowment) if endowment else "",
        endowment_exact=endowment or "",
        increments=record.get("increments"),
        comparison=record.get("comparison"),
        funded=funded,
        not_funded=not_funded,
    )


def published_votes(*, street_id: int) -> QuerySet[BudgetVote]:
    return BudgetVote.objects.filter(
        programme__street_id=street_id,
        status__in=(BudgetVote.Status.OPEN, BudgetVote.Status.PUBLISHED),
    ).select_related("programme", "programme__street")


def votes_on_board(*, street_id: int) -> list[dict[str, Any]]:
    """Rows for the board: open votes (with their closing time) and published results (the
    funded projects and what they cost). No personal data."""
    rows = []
    for vote in published_votes(street_id=street_id).order_by("-opens_at", "-pk"):
        row: dict[str, Any] = {"vote": vote, "programme": vote.programme}
        if vote.status == BudgetVote.Status.PUBLISHED:
            outcome = vote.outcomes.filter(published_at__isnull=False).order_by("-pk").first()
            if outcome is None:
                continue
            titles = outcome.explanations.get("titles", {})
            row["funded"] = [titles.get(str(pk), str(pk)) for pk in outcome.selected]
            row["cost"] = explain.money(f"{outcome.cost:f}")
            row["rule_label"] = explain.rule_label(outcome.rule)
        rows.append(row)
    return rows
