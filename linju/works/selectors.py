"""Reads for design, works and acceptance: a project as its reader may see it, the design and
its vote, the quotes side by side, milestones, the supervision log, the acceptance's state and
the evaluations' averages."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import Http404

from linju.community.models import Estate, Occupancy, Person
from linju.core import permissions
from linju.decisions.models import Decision
from linju.projects.models import Project
from linju.works.models import (
    AcceptanceItem,
    AcceptanceSigner,
    DesignOption,
    DesignPhoto,
    DesignPlan,
    DesignScope,
    DesignVote,
    Evaluation,
    Milestone,
    OwnersDecisionLink,
    Quote,
    SupervisionEntry,
)

MAX_ID = 2**63 - 1


def project_get(*, actor: Any, estate: Estate, project_id: int) -> Project:
    """The project if ``actor`` may see it; missing, hidden and foreign give the same 404."""
    if not 0 < int(project_id) <= MAX_ID:
        raise Http404
    project = (
        Project.objects.select_related("estate", "building")
        .filter(estate=estate, pk=project_id)
        .first()
    )
    if project is None or not permissions.can(actor, "view", project, model="works"):
        raise Http404
    return project


# --- Design ----------------------------------------------------------------------------------


def design_vote_current(*, project: Project) -> DesignVote | None:
    """The project's design vote that is not cancelled (the latest), if any."""
    return (
        DesignVote.objects.filter(project=project)
        .exclude(decision__status=Decision.Status.CANCELLED)
        .select_related("decision", "decision__estate")
        .order_by("-started_at", "-pk")
        .first()
    )


def design_winner_key(vote: DesignVote | None) -> str | None:
    """The key of the option that won a published design vote, or None."""
    if vote is None or not vote.decision.results_public:
        return None
    winners = (vote.decision.result or {}).get("residents", {}).get("winners") or []
    return str(winners[0]) if len(winners) == 1 else None


def design_chosen_option(*, project: Project) -> DesignOption | None:
    key = design_winner_key(design_vote_current(project=project))
    if key is None or not key.isdigit():
        return None
    return DesignOption.objects.filter(project=project, vote_option_id=int(key)).first()


def _photos() -> Prefetch:
    return Prefetch("photos", queryset=DesignPhoto.objects.order_by("pk"))


@dataclass
class Design:
    plans: list[DesignPlan]
    options: list[DesignOption]
    vote: DesignVote | None
    chosen: DesignOption | None
    scope: DesignScope | None
    owners_links: list[OwnersDecisionLink] = field(default_factory=list)

    @property
    def offers(self) -> list[int]:
        """Items of Art. 278 the works call for that have no live draft yet."""
        if self.scope is None:
            return []
        taken = {
            link.matter
            for link in self.owners_links
            if link.decision.status != Decision.Status.CANCELLED
        }
        return [m for m in self.scope.matters() if m not in taken]


def design_get(*, project: Project) -> Design:
    plans = list(DesignPlan.objects.filter(project=project).prefetch_related(_photos()))
    options = list(DesignOption.objects.filter(project=project).prefetch_related(_photos()))
    vote = design_vote_current(project=project)
    key = design_winner_key(vote)
    chosen = next((o for o in options if key and str(o.vote_option_id) == key), None)
    return Design(
        plans=plans,
        options=options,
        vote=vote,
        chosen=chosen,
        scope=DesignScope.objects.filter(project=project).first(),
        owners_links=list(
            OwnersDecisionLink.objects.filter(project=project).select_related(
                "decision", "decision__estate"
            )
        ),
    )


# --- Quotes, milestones, supervision ----------------------------------------------------------


def quotes_compared(*, project: Project) -> list[Quote]:
    """The quotes, cheapest first; each carries ``cheapest`` (True for the lowest amount)."""
    quotes = list(Quote.objects.filter(project=project).prefetch_related("photos"))
    lowest = min((q.amount for q in quotes), default=None)
    for quote in quotes:
        quote.cheapest = quote.amount == lowest  # type: ignore[attr-defined]
    return quotes


def milestones(*, project: Project) -> list[Milestone]:
    return list(Milestone.objects.filter(project=project).prefetch_related("photos"))


def supervision_entries(*, project: Project) -> QuerySet[SupervisionEntry]:
    return (
        SupervisionEntry.objects.filter(project=project)
        .select_related("author")
        .prefetch_related("photos")
    )


# --- Acceptance and evaluation ----------------------------------------------------------------


@dataclass
class Acceptance:
    items: list[AcceptanceItem]
    signers: list[AcceptanceSigner]

    @property
    def failed(self) -> list[AcceptanceItem]:
        return [i for i in self.items if i.result == AcceptanceItem.Result.FAIL]

    @property
    def pending(self) -> list[AcceptanceItem]:
        return [i for i in self.items if i.result == AcceptanceItem.Result.PENDING]

    @property
    def signed(self) -> list[AcceptanceSigner]:
        return [s for s in self.signers if s.has_signed]

    @property
    def frozen(self) -> bool:
        return bool(self.signed)

    @property
    def complete(self) -> bool:
        return (
            bool(self.items)
            and bool(self.signers)
            and not self.failed
            and not self.pending
            and len(self.signed) == len(self.signers)
        )


def acceptance_get(*, project: Project) -> Acceptance:
    return Acceptance(
        items=list(AcceptanceItem.objects.filter(project=project)),
        signers=list(
            AcceptanceSigner.objects.filter(project=project).select_related("person", "paper_photo")
        ),
    )


def signer_of(*, actor: Any, acceptance: Acceptance) -> AcceptanceSigner | None:
    """The representative the signed-in person is, if they were chosen."""
    mine = permissions.actor_for(actor).person_ids if getattr(actor, "is_authenticated", 0) else ()
    return next((s for s in acceptance.signers if s.person_id in mine), None)


def representative_candidates(*, project: Project) -> QuerySet[Person]:
    """Adult residents of the project's building (of the estate, for an estate-wide one)."""
    current = Occupancy.objects.current()
    if project.building_id:
        current = current.filter(flat__building_id=project.building_id)
    else:
        current = current.filter(flat__estate_id=project.estate_id)
    return Person.objects.filter(pk__in=current.values("person_id"), is_minor=False).order_by(
        "full_name", "pk"
    )


def _one_decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class EvaluationSummary:
    count: int
    result_average: Decimal | None
    process_average: Decimal | None
    comments: list[Evaluation]


def evaluation_summary(*, project: Project, comments: int = 5) -> EvaluationSummary:
    """How many residents rated, the averages (one decimal, from exact sums) and the latest
    comments (the page never shows who wrote them)."""
    totals = Evaluation.objects.filter(project=project).aggregate(
        n=Count("pk"), result=Sum("result_rating"), process=Sum("process_rating")
    )
    n = totals["n"] or 0
    return EvaluationSummary(
        count=n,
        result_average=_one_decimal(Fraction(totals["result"], n)) if n else None,
        process_average=_one_decimal(Fraction(totals["process"], n)) if n else None,
        comments=list(
            Evaluation.objects.filter(project=project)
            .exclude(comment="")
            .only("comment", "result_rating", "process_rating", "updated_at", "project_id")[
                :comments
            ]
        ),
    )


def evaluation_of(*, actor: Any, project: Project) -> Evaluation | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return Evaluation.objects.filter(project=project, user=actor).first()
