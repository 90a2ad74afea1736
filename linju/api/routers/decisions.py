"""Votes for the mini-program: the list, one decision with the caller's part in it, casting a
ballot, the published results and the public bulletin board. Thin over the decisions
selectors and services; reading is public (drafts only for organisers), casting needs a token.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from linju.api.api import bearer, optional_bearer
from linju.api.schemas import (
    BallotIn,
    BallotOut,
    BoardEntryOut,
    BoardOut,
    BoardQuery,
    DecisionItemOut,
    DecisionOut,
    ErrorOut,
    OptionOut,
    ParticipationOut,
    ResultsOut,
    VoterEntryOut,
    VoterFlatOut,
)
from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.decisions import selectors, services
from linju.decisions.models import Decision, RollEntry

router = Router(auth=optional_bearer)
# 400: a query carrying a NUL character is refused before any view runs.
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_ID = 2**63 - 1
CENTS = Decimal("0.01")


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _decision(request: HttpRequest, decision_id: int) -> Decision:
    """The decision if the caller may see it; missing, hidden and foreign give the same 404."""
    estate = (
        Estate.objects.filter(decisions__pk=decision_id).first()
        if 0 < decision_id <= MAX_ID
        else None
    )
    if estate is None:
        raise Http404
    return selectors.decision_get(actor=request.user, estate=estate, decision_id=decision_id)


def _may_still_vote(decision: Decision, entries: list[selectors.VoterEntry]) -> bool:
    if not entries or not decision.is_open_at(timezone.now()):
        return False
    if decision.rules.get("revote", decision.revote) == Decision.Revote.LAST:
        return True
    return any(v.ballot is None for v in entries)


def _buildings(decision: Decision) -> list[str]:
    buildings = sorted(decision.buildings.all(), key=lambda b: (b.sort_key, b.number))
    return [b.number for b in buildings]


def _item(decision: Decision, entries: list[selectors.VoterEntry]) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "estate": decision.estate.slug,
        "title": decision.title,
        "kind": decision.kind,
        "kind_label": decision.get_kind_display(),
        "matter": decision.matter,
        "matter_label": decision.get_matter_display() if decision.matter else None,
        "status": decision.status,
        "status_label": decision.get_status_display(),
        "opens_at": _iso(decision.opens_at),
        "closes_at": _iso(decision.closes_at),
        "buildings": _buildings(decision),
        "can_vote": _may_still_vote(decision, entries),
    }


def _area(value: Decimal) -> str:
    """An area in m² with two decimals (SQLite's sums drop trailing zeros)."""
    return str(Decimal(value).quantize(CENTS))


def _plain(value: Any) -> Any:
    """Running totals as JSON: areas as decimal strings."""
    if isinstance(value, Decimal):
        return _area(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@router.get(
    "",
    response={200: list[DecisionItemOut], **READ_ERRORS},
    summary="An estate's votes, newest first (drafts only for their organisers)",
)
def decision_list(request: HttpRequest, estate: str):
    place = community_selectors.estate_get(slug=estate)
    items = []
    for decision in selectors.decision_list(actor=request.user, estate=place).select_related(
        "estate"
    ):
        entries = (
            selectors.voter_entries(actor=request.user, decision=decision)
            if decision.status == Decision.Status.OPEN
            else []
        )
        items.append(DecisionItemOut(**_item(decision, entries)))
    return items


@router.get(
    "/{decision_id}",
    response={200: DecisionOut, **READ_ERRORS},
    summary="A vote: its frozen rules and roll fingerprint, participation, my ballots",
    description=(
        "`voter_entries` lists the roll entries the caller may vote for (their own, and owners' "
        "who authorised them), with the receipt of the ballot that counts. Choice totals are "
        "hidden while voting is open unless the organiser opted in; `result` appears once the "
        "results are published."
    ),
)
def decision_detail(request: HttpRequest, decision_id: int):
    decision = _decision(request, decision_id)
    entries = selectors.voter_entries(actor=request.user, decision=decision)
    participation = None
    if decision.status in (Decision.Status.OPEN, Decision.Status.CLOSED):
        p = selectors.participation(decision=decision)
        participation = ParticipationOut(
            total_area=_area(p["total_area"]),
            total_heads=p["total_heads"],
            voted_area=_area(p["voted_area"]),
            voted_heads=p["voted_heads"],
        )
    running = selectors.running_totals(decision=decision)
    return DecisionOut(
        **_item(decision, entries),
        body=decision.body,
        rules=decision.rules,
        fingerprint=decision.roll_fingerprint,
        roll_frozen_at=_iso(decision.roll_frozen_at),
        participation=participation,
        running_totals=_plain(running) if running is not None else None,
        voter_entries=[
            VoterEntryOut(
                ref=v.entry.ref,
                label=v.label,
                acting_for=v.delegation is not None,
                voted=v.ballot is not None,
                receipt=v.ballot.receipt if v.ballot is not None else None,
            )
            for v in entries
        ],
        options=[OptionOut(key=o.key, label=o.label) for o in decision.options.all()],
        result=decision.result if decision.results_public and decision.result else None,
        cancel_reason=decision.cancel_reason,
    )


@router.post(
    "/{decision_id}/ballots",
    auth=bearer,
    response={200: BallotOut, 403: ErrorOut, **READ_ERRORS},
    summary="Cast my ballot (or an owner's, as their authorised agent)",
    description=(
        "`choice` is agree, disagree or abstain for owners' decisions; `selections` are option "
        "keys (in rank order for a ranking) for residents' votes and elections. `entry` (a "
        "voter number from `voter_entries`) is needed only when the caller may vote for "
        "several. Refused (422) outside the voting period by the server's clock. Voting again "
        "replaces the earlier ballot unless the first vote is final. The receipt is random: "
        "look it up on the bulletin board."
    ),
)
def ballot_cast(request: HttpRequest, decision_id: int, payload: BallotIn):
    decision = _decision(request, decision_id)
    entry = None
    if payload.entry:
        entry = RollEntry.objects.filter(decision=decision, ref=payload.entry).first()
        if entry is None:
            raise ValidationError({"entry": [_("You cannot vote for that voter.")]})
    ballot = services.ballot_cast(
        actor=request.user,
        decision=decision,
        entry=entry,
        choice=payload.choice,
        selections=payload.selections,
    )
    return BallotOut(
        receipt=ballot.receipt,
        entry=ballot.entry.ref,
        cast_at=ballot.cast_at.isoformat(),
        counted=ballot.counted,
        superseded_reason=ballot.superseded_reason,
    )


@router.get(
    "/{decision_id}/results",
    response={200: ResultsOut, **READ_ERRORS},
    summary="The published results (404 until they are published)",
    description=(
        "The stored count as documented for the decision record: for owners' decisions the "
        "strict tally (and the deemed-consent tally where the estate's rules have it) with "
        "per-building lines. `voter_flats` lists flats that voted with their areas, only where "
        "the estate publishes them (never names or phone numbers)."
    ),
)
def decision_results(request: HttpRequest, decision_id: int):
    decision = _decision(request, decision_id)
    if not decision.results_public or not decision.result:
        raise Http404
    return ResultsOut(
        id=decision.pk,
        status=decision.status,
        published_at=_iso(decision.published_at),
        result=decision.result,
        voter_flats=[VoterFlatOut(**line) for line in selectors.voter_flats(decision=decision)],
    )


@router.get(
    "/{decision_id}/board",
    response={200: BoardOut, **READ_ERRORS},
    summary="The public bulletin board: every ballot by its receipt code",
    description=(
        "Counted and superseded ballots, with why a ballot was superseded. Choices are shown "
        "only once the results are published. `receipt` finds one's own ballot (spaces, dashes "
        "and case do not matter)."
    ),
)
def decision_board(request: HttpRequest, decision_id: int, filters: Query[BoardQuery]):
    decision = _decision(request, decision_id)
    ballots = selectors.bulletin(decision=decision, receipt=filters.receipt[:40])
    shown = decision.results_public
    page = ballots[filters.offset : filters.offset + filters.limit]
    return BoardOut(
        decision=decision.pk,
        total=ballots.count(),
        choices_shown=shown,
        entries=[
            BoardEntryOut(
                receipt=b.receipt,
                channel=b.channel,
                channel_label=b.get_channel_display(),
                cast_at=b.cast_at.isoformat(),
                counted=b.counted,
                superseded_reason=b.superseded_reason,
                superseded_label=str(
                    services.Reason.LABELS.get(b.superseded_reason, b.superseded_reason)
                ),
                choice=b.choice if shown else None,
                selections=[str(k) for k in b.selections] if shown else None,
            )
            for b in page
        ],
    )
