"""Writes of participatory budgeting: opening a vote on a programme's shortlisted applications,
casting a ballot (online, or from paper by staff), closing, counting by the programme's rule
with the engine in ``linju.foundation.pb``, publishing (which awards the winners through the
grants app), and the Pabulib ``.pb`` export and computation.

Every limit is the server's: a ballot outside the vote's limits, a second ballot of a person
or household, a ballot after the close, is refused with a translated message and nothing is
written.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.budgeting import explain
from linju.budgeting.models import BudgetVote, PBBallot, PBBallotItem, PBOutcome
from linju.community.models import Flat, Occupancy, Person
from linju.core import audit, permissions
from linju.foundation.models import Application, Programme
from linju.foundation.pb import pbfile, rules

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read back from paper
RECEIPT_LENGTH = 10
PB_FILE_MAX_BYTES = 50 * 1024 * 1024
OPEN_FOR = (Programme.Status.PUBLISHED, Programme.Status.REVIEWING, Programme.Status.VOTING)


def _refuse(message: str, code: str = "invalid", field: str | None = None) -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _locked(vote: BudgetVote) -> BudgetVote:
    return (
        BudgetVote.objects.select_for_update(of=("self",))
        .select_related("programme", "programme__street")
        .get(pk=vote.pk)
    )


def _frozen_rules(programme: Programme, eligible: int) -> dict[str, Any]:
    return {
        "rule": programme.pb_rule,
        "exhaustive_stop": programme.pb_exhaustive_stop,
        "comparison": programme.pb_comparison and programme.pb_rule != Programme.PBRule.GREEDY,
        "ballot": programme.pb_ballot,
        "min": programme.pb_min,
        "max": programme.pb_max if programme.pb_max is not None else eligible,
        "unit": programme.pb_unit,
        "budget": f"{programme.budget:f}",
    }


# --- Opening ---------------------------------------------------------------------------------


@transaction.atomic
def vote_open(
    *,
    actor: Any,
    programme: Programme,
    closes_at: datetime.datetime,
    opens_at: datetime.datetime | None = None,
) -> BudgetVote:
    """Put the programme's shortlisted applications to the residents' vote, from ``opens_at``
    (now if not given) to ``closes_at``. The programme's PB settings are copied onto the vote.
    Only a published programme whose winners are chosen (also) by the residents' vote."""
    probe = BudgetVote(programme=programme)
    permissions.require(actor, "manage", probe)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    now = timezone.now()
    opens_at = opens_at or now
    if not programme.uses_pb:
        raise _refuse(_("This programme's winners are not chosen by the residents' vote."))
    if programme.status not in OPEN_FOR:
        raise _refuse(_("Only a published programme can be put to the residents' vote."))
    if BudgetVote.objects.filter(programme=programme).exists():
        raise _refuse(_("This programme already has a residents' vote."), code="exists")
    if closes_at <= opens_at:
        raise _refuse(_("Voting must close after it opens."), field="closes_at")
    if closes_at <= now:
        raise _refuse(_("Voting must close in the future."), field="closes_at")
    eligible = list(
        Application.objects.filter(
            programme=programme, status=Application.Status.SHORTLISTED
        ).order_by("pk")
    )
    if not eligible:
        raise _refuse(_("Shortlist at least one application before opening the vote."))
    frozen = _frozen_rules(programme, len(eligible))
    if frozen["ballot"] == Programme.PBBallot.APPROVAL and frozen["min"] > min(
        len(eligible), frozen["max"]
    ):
        raise _refuse(
            _(
                "A ballot must support at least %(min)s projects, but only %(n)s can be chosen: "
                "change the programme's ballot limits or shortlist more applications."
            )
            % {"min": frozen["min"], "n": min(len(eligible), frozen["max"])}
        )
    vote = BudgetVote.objects.create(
        programme=programme,
        opens_at=opens_at,
        closes_at=closes_at,
        status=BudgetVote.Status.OPEN,
        rules=frozen,
        opened_by=actor,
    )
    vote.eligible.set(eligible)
    _programme_to(actor, programme, Programme.Status.VOTING)
    audit.record(
        actor=actor,
        action="budget_vote.open",
        target=vote,
        changes={
            "opens_at": [None, opens_at.isoformat()],
            "closes_at": [None, closes_at.isoformat()],
            "eligible": [None, [a.pk for a in eligible]],
            "rules": [None, frozen],
        },
    )
    return vote


def _programme_to(actor: Any, programme: Programme, status: str) -> None:
    """Move the programme along its stages (published → reviewing → voting → decided) with the
    foundation's own service, as far as ``status``."""
    from linju.foundation import services as foundation_services

    order: list[str] = [
        Programme.Status.PUBLISHED,
        Programme.Status.REVIEWING,
        Programme.Status.VOTING,
        Programme.Status.DECIDED,
    ]
    programme.refresh_from_db(fields=["status"])
    while programme.status in order and order.index(programme.status) < order.index(status):
        following = order[order.index(programme.status) + 1]
        programme = foundation_services.programme_advance(
            actor=actor, programme=programme, status=following
        )


# --- Ballots ---------------------------------------------------------------------------------


def _new_receipt() -> str:
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
        if not PBBallot.objects.filter(receipt=code).exists():
            return code


@dataclass(frozen=True)
class Voter:
    """Whom a ballot is for: a person on the roster, and their household (the flat they live
    in) when the vote is one ballot per household."""

    person: Person
    flat: Flat


def _home(person: Person, street_id: int) -> Flat | None:
    """The flat a person currently lives in, among the street's estates (verification)."""
    occupancy = (
        Occupancy.objects.current()
        .filter(person=person, flat__building__estate__street_id=street_id)
        .select_related("flat")
        .order_by("pk")
        .first()
    )
    return occupancy.flat if occupancy else None


def voters_for(*, actor: Any, vote: BudgetVote) -> list[Voter]:
    """The actor's people on the roster of an estate of the vote's street."""
    if not getattr(actor, "is_authenticated", False):
        return []
    street_id = vote.programme.street_id
    found = []
    for person in Person.objects.filter(user=actor, estate__street_id=street_id).order_by("pk"):
        flat = _home(person, street_id)
        if flat is not None:
            found.append(Voter(person=person, flat=flat))
    return found


def _check_not_voted(vote: BudgetVote, voter: Voter) -> None:
    if PBBallot.objects.filter(vote=vote, voter=voter.person).exists():
        raise _refuse(_("You have already voted. One ballot per person."), code="voted")
    if vote.per_household and PBBallot.objects.filter(vote=vote, household=voter.flat).exists():
        raise _refuse(
            _(
                "Someone of your household (flat %(flat)s) has already voted. This vote is one "
                "ballot per household."
            )
            % {"flat": voter.flat.label},
            code="household_voted",
        )


def _clean_choice(vote: BudgetVote, applications: Iterable[Any]) -> list[Application]:
    """The chosen applications, checked against the vote's ballot limits."""
    ids: list[int] = []
    for item in applications:
        try:
            ids.append(int(item.pk if isinstance(item, Application) else item))
        except (TypeError, ValueError):
            raise _refuse(
                _("Choose among the projects on the ballot."), "choice", "applications"
            ) from None
    if len(set(ids)) != len(ids):
        raise _refuse(_("Each project can be chosen once."), "choice", "applications")
    eligible = {a.pk: a for a in vote.eligible.all()}
    if any(pk not in eligible for pk in ids):
        raise _refuse(_("Choose among the projects on the ballot."), "choice", "applications")
    chosen = [eligible[pk] for pk in ids]
    frozen = vote.rules
    if vote.ballot_kind == Programme.PBBallot.KNAPSACK:
        if not chosen:
            raise _refuse(_("Choose at least one project."), "count", "applications")
        budget = Decimal(frozen["budget"])
        total = sum((a.requested for a in chosen), Decimal(0))
        if total > budget:
            raise _refuse(
                _(
                    "The projects you chose cost ¥%(total)s together, more than the budget of "
                    "¥%(budget)s. Leave out a project."
                )
                % {"total": f"{total:,.2f}", "budget": f"{budget:,.2f}"},
                "budget",
                "applications",
            )
        return chosen
    low, high = int(frozen["min"]), int(frozen["max"])
    if not low <= len(chosen) <= high:
        if low == high:
            message = _("Choose exactly %(n)s projects.") % {"n": low}
        else:
            message = _("Choose between %(low)s and %(high)s projects.") % {
                "low": low,
                "high": high,
            }
        raise _refuse(message, "count", "applications")
    return chosen


def _store(
    vote: BudgetVote, voter: Voter, chosen: list[Application], *, channel: str, actor: Any
) -> PBBallot:
    ballot = PBBallot(
        vote=vote,
        voter=voter.person,
        household=voter.flat if vote.per_household else None,
        channel=channel,
        entered_by=actor,
        receipt=_new_receipt(),
    )
    try:
        with transaction.atomic():
            ballot.save()
    except IntegrityError:
        raise _refuse(
            _("Another ballot for this voter arrived at the same moment; it was not counted."),
            code="conflict",
        ) from None
    PBBallotItem.objects.bulk_create(
        PBBallotItem(ballot=ballot, application=application) for application in chosen
    )
    return ballot


def _check_open(vote: BudgetVote, now: datetime.datetime) -> None:
    if vote.is_open_at(now):
        return
    if vote.status != BudgetVote.Status.OPEN or now >= vote.closes_at:
        raise _refuse(_("Voting has closed; this ballot was not counted."), code="closed")
    raise _refuse(_("Voting is not open yet."), code="not_open")


@transaction.atomic
def ballot_cast(*, actor: Any, vote: BudgetVote, applications: Sequence[Any]) -> PBBallot:
    """Vote online: a resident on the roster of an estate of the street (a current occupancy),
    once per person (or per household), within the ballot's limits, while voting is open by
    the server's clock. The receipt code is random."""
    permissions.require(actor, "cast", vote)
    vote = _locked(vote)
    _check_open(vote, timezone.now())
    voters = voters_for(actor=actor, vote=vote)
    if not voters:
        raise _refuse(
            _(
                "Only residents on the roster of an estate of this street vote. Ask your "
                "residents' committee if that is wrong."
            ),
            code="not_on_roster",
        )
    for voter in voters:  # one person with homes in two estates of the street votes once
        _check_not_voted(vote, voter)
    chosen = _clean_choice(vote, applications)
    ballot = _store(vote, voters[0], chosen, channel=PBBallot.Channel.ONLINE, actor=actor)
    audit.record(
        actor=actor,
        action="pb_ballot.cast",
        target=vote,
        estate=voters[0].person.estate,
        changes={"receipt": [None, ballot.receipt]},
    )
    return ballot


@transaction.atomic
def paper_ballot_enter(
    *, actor: Any, vote: BudgetVote, person: Person, applications: Sequence[Any]
) -> PBBallot:
    """Enter a paper ballot for a resident of the staff member's own estate, while voting is
    open or after it closed and before the count (ballots from the box). The same limits as
    online; a person (household) who voted online cannot vote again on paper."""
    permissions.require(actor, "enter_paper", vote)
    vote = _locked(vote)
    if vote.status not in (BudgetVote.Status.OPEN, BudgetVote.Status.CLOSED):
        raise _refuse(_("The vote is counted; no more ballots can be entered."), code="closed")
    if timezone.now() < vote.opens_at:
        raise _refuse(_("Voting is not open yet."), code="not_open")
    person = Person.objects.select_related("estate").get(pk=person.pk)
    if not permissions.can(actor, "manage", person.estate):
        raise _refuse(
            _("You enter paper ballots for residents of your own estate only."),
            code="other_estate",
            field="person",
        )
    flat = _home(person, vote.programme.street_id)
    if flat is None:
        raise _refuse(
            _("This person does not live in an estate of this street, by the roster."),
            code="not_on_roster",
            field="person",
        )
    voter = Voter(person=person, flat=flat)
    if PBBallot.objects.filter(vote=vote, voter=person).exists():
        raise _refuse(_("This person has already voted."), code="voted", field="person")
    if vote.per_household and PBBallot.objects.filter(vote=vote, household=flat).exists():
        raise _refuse(
            _("Someone of this household (flat %(flat)s) has already voted.")
            % {"flat": flat.label},
            code="household_voted",
            field="person",
        )
    chosen = _clean_choice(vote, applications)
    ballot = _store(vote, voter, chosen, channel=PBBallot.Channel.PAPER, actor=actor)
    audit.record(
        actor=actor,
        action="pb_ballot.paper",
        target=vote,
        estate=person.estate,
        changes={"receipt": [None, ballot.receipt], "flat": [None, flat.label]},
    )
    return ballot


# --- Closing, counting, publishing ------------------------------------------------------------


@transaction.atomic
def vote_close(*, actor: Any, vote: BudgetVote) -> BudgetVote:
    """Close the vote once its announced closing time has passed (never earlier: residents
    were told when it closes)."""
    permissions.require(actor, "manage", vote)
    vote = _locked(vote)
    now = timezone.now()
    if vote.status != BudgetVote.Status.OPEN:
        raise _refuse(_("Only an open vote can be closed."), code="status")
    if now < vote.closes_at:
        raise _refuse(
            _("Voting closes %(when)s, as announced; it cannot be closed earlier.")
            % {"when": timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")},
            code="early",
        )
    vote.status = BudgetVote.Status.CLOSED
    vote.closed_at = now
    vote.save(update_fields=["status", "closed_at"])
    audit.record(
        actor=actor, action="budget_vote.close", target=vote, changes={"status": ["open", "closed"]}
    )
    return vote


def vote_instance(vote: BudgetVote) -> rules.Instance:
    """The engine's election: the eligible applications (id as text, cost = amount asked),
    the programme's budget as frozen at opening, one approval ballot per PB ballot."""
    costs = {str(a.pk): a.requested for a in vote.eligible.order_by("pk")}
    approved: dict[int, list[str]] = {}
    for ballot_id in PBBallot.objects.filter(vote=vote).order_by("pk").values_list("pk", flat=True):
        approved[ballot_id] = []
    for ballot_id, application_id in (
        PBBallotItem.objects.filter(ballot__vote=vote)
        .order_by("ballot_id", "application_id")
        .values_list("ballot_id", "application_id")
    ):
        approved[ballot_id].append(str(application_id))
    return rules.instance_build(
        budget=Decimal(vote.rules["budget"]), costs=costs, ballots=approved.values()
    )


def _compute(vote: BudgetVote) -> tuple[rules.Instance, rules.Outcome]:
    instance = vote_instance(vote)
    frozen = vote.rules
    outcome = rules.outcome_compute(
        instance,
        rule=rules.Rule(frozen["rule"]),
        exhaustive_stop=bool(frozen.get("exhaustive_stop")),
        comparison=bool(frozen.get("comparison")),
    )
    return instance, outcome


@transaction.atomic
def outcome_compute(*, actor: Any, vote: BudgetVote) -> PBOutcome:
    """Count a closed vote by the programme's rule (as frozen at opening); a count can be
    repeated until it is published, and the latest is the result."""
    permissions.require(actor, "manage", vote)
    vote = _locked(vote)
    if vote.status not in (BudgetVote.Status.CLOSED, BudgetVote.Status.COUNTED):
        raise _refuse(_("Close the vote before counting it."), code="status")
    instance, outcome = _compute(vote)
    record = explain.outcome_record(outcome, budget=instance.budget, voters=instance.voters)
    record["titles"] = {str(a.pk): a.title for a in vote.eligible.all()}
    result = PBOutcome.objects.create(
        vote=vote,
        computed_by=actor,
        rule=str(outcome.rule),
        selected=[int(pk) for pk in outcome.selected],
        cost=outcome.cost,
        endowment=record["endowment"] or "",
        explanations=record,
    )
    before = vote.status
    vote.status = BudgetVote.Status.COUNTED
    vote.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="budget_vote.count",
        target=vote,
        changes={
            "status": [before, vote.status],
            "selected": [None, result.selected],
            "cost": [None, f"{result.cost:f}"],
            "ballots": [None, instance.voters],
        },
    )
    return result


@transaction.atomic
def outcome_publish(*, actor: Any, vote: BudgetVote) -> PBOutcome:
    """Publish the latest count: it shows on the board of every estate of the street, each
    funded application is awarded the amount it asked for (``grant_award``), the others are
    marked not awarded, and the programme is decided. If an award is refused, nothing is
    published."""
    from linju.foundation import services as foundation_services
    from linju.grants.services import grant_award

    permissions.require(actor, "manage", vote)
    vote = _locked(vote)
    if vote.status != BudgetVote.Status.COUNTED:
        raise _refuse(_("Count the vote before publishing it."), code="status")
    outcome = vote.outcomes.latest()
    now = timezone.now()
    outcome.published_at = now
    outcome.save(update_fields=["published_at"])
    vote.status = BudgetVote.Status.PUBLISHED
    vote.save(update_fields=["status"])
    label = explain.rule_label(outcome.rule)
    for application in Application.objects.filter(pk__in=outcome.selected).order_by("pk"):
        grant_award(
            actor=actor,
            application=application,
            amount=application.requested,
            conditions=_("Chosen by the residents' participatory-budgeting vote (%(rule)s).")
            % {"rule": label},
        )
    for application in (
        vote.eligible.exclude(pk__in=outcome.selected)
        .filter(status=Application.Status.SHORTLISTED)
        .order_by("pk")
    ):
        foundation_services.application_move(
            actor=actor,
            application=application,
            status=Application.Status.NOT_AWARDED,
            message=_("Not chosen by the residents' participatory-budgeting vote."),
        )
    _programme_to(actor, vote.programme, Programme.Status.DECIDED)
    audit.record(
        actor=actor,
        action="budget_vote.publish",
        target=vote,
        changes={"status": ["counted", "published"], "awarded": [None, outcome.selected]},
    )
    return outcome


# --- Pabulib .pb files -----------------------------------------------------------------------


def vote_export_pb(*, actor: Any, vote: BudgetVote) -> str:
    """The vote's ballots as a Pabulib ``.pb`` file, once voting has closed. Voters are
    numbered 1, 2, ... in the order of their random receipt codes: nothing in the file leads
    back to a person or a flat."""
    permissions.require(actor, "manage", vote)
    if vote.status in (BudgetVote.Status.DRAFT, BudgetVote.Status.OPEN):
        raise _refuse(_("The ballots can be exported once voting has closed."), code="status")
    applications = list(vote.eligible.order_by("pk"))
    ballots: dict[int, list[str]] = {}
    receipts = dict(PBBallot.objects.filter(vote=vote).values_list("pk", "receipt"))
    for ballot_id in receipts:
        ballots[ballot_id] = []
    for ballot_id, application_id in (
        PBBallotItem.objects.filter(ballot__vote=vote)
        .order_by("ballot_id", "application_id")
        .values_list("ballot_id", "application_id")
    ):
        ballots[ballot_id].append(str(application_id))
    votes = {str(a.pk): 0 for a in applications}
    for chosen in ballots.values():
        for pk in chosen:
            votes[pk] += 1
    outcome = vote.outcomes.order_by("-computed_at", "-pk").first()
    selected = {str(pk) for pk in outcome.selected} if outcome else set()
    street = vote.programme.street
    meta = {
        "description": f"{vote.programme.name}, {street.name}",
        "country": "China",
        "unit": street.name,
        "instance": vote.programme.name,
        "num_projects": str(len(applications)),
        "num_votes": str(len(ballots)),
        "budget": vote.rules["budget"],
        "vote_type": "approval",
        "rule": vote.rules["rule"],
        "date_begin": timezone.localtime(vote.opens_at).strftime("%d.%m.%Y"),
        "date_end": timezone.localtime(vote.closes_at).strftime("%d.%m.%Y"),
        "min_length": str(vote.rules["min"]),
        "max_length": str(vote.rules["max"]),
        "language": "zh",
        "currency": "CNY",
    }
    projects = tuple(
        pbfile.Project(
            project_id=str(a.pk),
            cost=a.requested,
            fields={
                "name": a.title,
                "votes": str(votes[str(a.pk)]),
                **({"selected": "1" if str(a.pk) in selected else "0"} if outcome else {}),
            },
        )
        for a in applications
    )
    order = sorted(ballots, key=lambda pk: receipts[pk])
    election = pbfile.Election(
        meta=meta,
        projects=projects,
        ballots=tuple(
            pbfile.Ballot(voter_id=str(number), projects=tuple(ballots[pk]))
            for number, pk in enumerate(order, start=1)
        ),
        project_columns=("project_id", "cost", "name", "votes")
        + (("selected",) if outcome else ()),
        vote_columns=("voter_id", "vote"),
        budget=Decimal(vote.rules["budget"]),
        vote_type="approval",
    )
    audit.record_security(
        user=actor,
        event="budget_vote.export",
        detail=f"vote {vote.pk}: {len(order)} ballots, anonymised",
    )
    return pbfile.write_pb(election)


@dataclass(frozen=True)
class FileOutcome:
    """A ``.pb`` file's election and its outcome by a rule, explained."""

    election: pbfile.Election
    outcome: rules.Outcome
    record: dict[str, Any]


def pb_file_compute(
    *, actor: Any, data: bytes, rule: str, exhaustive_stop: bool = False, comparison: bool = False
) -> FileOutcome:
    """The outcome of the election in a ``.pb`` file by ``rule`` (nothing is stored). A file
    that cannot be read, or ballots the rule cannot count, are refused naming the line."""
    permissions.require(actor, "compute", model="pb_file")
    if len(data) > PB_FILE_MAX_BYTES:
        raise _refuse(_("The file is too large (50 MB at most)."), field="file")
    try:
        election = pbfile.parse_pb(data)
    except pbfile.PbFileError as error:
        raise _refuse(
            _("This is not a .pb file that can be read: line %(line)s: %(message)s")
            % {"line": error.line, "message": error.message},
            code="bad_file",
            field="file",
        ) from None
    try:
        chosen = rules.Rule(rule)
    except ValueError:
        raise _refuse(_("Choose a rule."), field="rule") from None
    if chosen == rules.Rule.GREEDY:
        comparison = False
    if chosen not in (rules.Rule.MES_ADD1, rules.Rule.MES_ADD1U):
        exhaustive_stop = False
    instance = rules.instance_from_election(election)
    try:
        outcome = rules.outcome_compute(
            instance, rule=chosen, exhaustive_stop=exhaustive_stop, comparison=comparison
        )
    except rules.RuleError as error:
        if error.vote_type == "cumulative":
            message = _("Cumulative ballots are counted by greedy only (by points).")
        else:
            message = _("Ordinal ballots are read, but no rule here counts them.")
        raise _refuse(message, code="rule", field="rule") from None
    record = explain.outcome_record(outcome, budget=election.budget, voters=instance.voters)
    record["titles"] = {p.project_id: p.fields.get("name", "") for p in election.projects}
    return FileOutcome(election=election, outcome=outcome, record=record)
