"""Participatory budgeting for the mini-program: a vote with its ballot cards and the caller's
own ballot, casting a ballot, and the results explained. Thin over the budgeting selectors
and services, with the same limits (a ballot outside them is 422 and nothing is written).

A caller without a token gets 401; a vote the caller may not see is the same 404 as a missing
one; results before they are published are 404 to all but the street's foundation officers.
"""

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status

from linju.api.api import bearer
from linju.api.schemas import ErrorOut
from linju.budgeting import explain, selectors, services
from linju.budgeting.models import BudgetVote, PBBallot
from linju.core import permissions

router = Router(auth=bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class CardOut(Schema):
    id: int
    title: str
    estate: str
    building: str | None
    requested: str  # yuan, exact decimal
    summary: str
    photo: str | None


class BallotOut(Schema):
    receipt: str
    channel: str
    created_at: str
    applications: list[int]


class VoteOut(Schema):
    id: int
    programme: str
    street: str
    status: str
    status_label: str
    opens_at: str
    closes_at: str
    is_open: bool
    ballot: str  # approval or knapsack
    min: int
    max: int
    budget: str
    per_household: bool
    rule: str
    rule_label: str
    may_cast: bool
    my_ballot: BallotOut | None
    cards: list[CardOut]


class CastIn(Schema):
    applications: list[int]


class ProjectResultOut(Schema):
    id: int
    title: str
    cost: str
    votes: str
    selected: bool
    round: int | None
    why: str  # in the request's language
    explanation: dict[str, Any]  # the engine's figures, exact


class ResultsOut(Schema):
    vote: int
    published_at: str | None
    rule: str
    rule_label: str
    budget: str
    cost: str
    voters: int
    endowment: str | None  # exact: "12.5" or "25/3"
    comparison: dict[str, Any] | None
    projects: list[ProjectResultOut]


def _vote(request: HttpRequest, vote_id: int) -> BudgetVote:
    found = (
        BudgetVote.objects.filter(pk=vote_id).select_related("programme__street").first()
        if 0 < vote_id <= MAX_ID
        else None
    )
    if found is None:
        raise Http404
    return selectors.vote_get(actor=request.user, street=found.programme.street, vote_id=vote_id)


def _ballot_out(ballot: PBBallot | None) -> BallotOut | None:
    if ballot is None:
        return None
    return BallotOut(
        receipt=ballot.receipt,
        channel=ballot.channel,
        created_at=ballot.created_at.isoformat(),
        applications=sorted(item.application_id for item in ballot.items.all()),
    )


def _vote_out(request: HttpRequest, vote: BudgetVote) -> VoteOut:
    street = vote.programme.street
    cards = []
    for card in selectors.ballot_cards(vote=vote):
        photo = getattr(card, "first_photo", None)
        cards.append(
            CardOut(
                id=card.pk,
                title=card.title,
                estate=card.estate.name,
                building=card.building.number if card.building else None,
                requested=f"{card.requested:f}",
                summary=card.plan[:400],
                photo=reverse("pb_photo", args=[street.slug, vote.pk, photo.pk, "web"])
                if photo
                else None,
            )
        )
    return VoteOut(
        id=vote.pk,
        programme=vote.programme.name,
        street=street.slug,
        status=vote.status,
        status_label=str(vote.get_status_display()),
        opens_at=vote.opens_at.isoformat(),
        closes_at=vote.closes_at.isoformat(),
        is_open=vote.is_open_at(timezone.now()),
        ballot=vote.ballot_kind,
        min=int(vote.rules.get("min", 0)),
        max=int(vote.rules.get("max", 0)),
        budget=str(vote.rules.get("budget", "")),
        per_household=vote.per_household,
        rule=vote.rule,
        rule_label=explain.rule_label(vote.rule),
        may_cast=permissions.can(request.user, "cast", vote)
        and bool(services.voters_for(actor=request.user, vote=vote)),
        my_ballot=_ballot_out(selectors.my_ballot(actor=request.user, vote=vote)),
        cards=cards,
    )


@router.get(
    "/votes/{vote_id}",
    response={200: VoteOut, **READ_ERRORS},
    url_name="budgeting_vote",
    summary="A residents' vote: its rules, the projects on the ballot and your own ballot",
)
def vote_detail(request: HttpRequest, vote_id: int):
    return _vote_out(request, _vote(request, vote_id))


@router.post(
    "/votes/{vote_id}/ballots",
    response={201: BallotOut, **WRITE_ERRORS},
    url_name="budgeting_cast",
    summary="Cast your ballot (once; within the vote's limits)",
    description=(
        "Residents on the roster of an estate of the programme's street. `applications` are "
        "the ids of the projects supported: between `min` and `max` of them on an approval "
        "ballot; on a knapsack ballot, at least one and together within `budget`."
    ),
)
def ballot_cast(request: HttpRequest, vote_id: int, payload: CastIn):
    ballot = services.ballot_cast(
        actor=request.user, vote=_vote(request, vote_id), applications=payload.applications
    )
    return Status(201, _ballot_out(ballot))


@router.get(
    "/votes/{vote_id}/results",
    response={200: ResultsOut, **READ_ERRORS},
    url_name="budgeting_results",
    summary="The published result, with each project's explanation",
)
def vote_results(request: HttpRequest, vote_id: int):
    vote = _vote(request, vote_id)
    if not permissions.can(request.user, "view_results", vote):
        raise Http404
    outcomes = vote.outcomes.order_by("-pk")
    if vote.status == BudgetVote.Status.PUBLISHED:
        outcomes = outcomes.filter(published_at__isnull=False)
    outcome = outcomes.first()
    if outcome is None:
        raise Http404
    record = outcome.explanations
    titles = record.get("titles", {})
    return ResultsOut(
        vote=vote.pk,
        published_at=outcome.published_at.isoformat() if outcome.published_at else None,
        rule=outcome.rule,
        rule_label=explain.rule_label(outcome.rule),
        budget=record["budget"],
        cost=f"{outcome.cost:f}",
        voters=record["voters"],
        endowment=record.get("endowment"),
        comparison=record.get("comparison"),
        projects=[
            ProjectResultOut(
                id=int(project["id"]),
                title=titles.get(project["id"], ""),
                cost=project["cost"],
                votes=project["votes"],
                selected=project["selected"],
                round=project["round"],
                why=explain.project_words(project),
                explanation=project,
            )
            for project in record["projects"]
        ],
    )
