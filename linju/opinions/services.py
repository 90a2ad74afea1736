"""Writes for the opinion map: discussions, statements, their moderation, votes, and the map's
recomputation.

Each service checks permission, locks what racing could break, validates, writes and audits in
one transaction; a refused or invalid call writes nothing. Votes are not audited one by one:
they are opinions, not acts of governance, and the vote table is their record.

The map is recomputed in the background as votes arrive, at most once every
``RECOMPUTE_EVERY`` seconds: a vote books a recomputation unless one is booked already (it will
read this vote too), at the earliest moment that keeps recomputations that far apart
(``recompute_plan``, a pure function). The task skips its work when a snapshot already holds
every vote (``map_recompute``).
"""

from __future__ import annotations

import datetime
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community.models import Building, Estate
from linju.consultations.opinion.compute import MIN_PARTICIPANTS, opinion_map
from linju.core import audit, permissions
from linju.opinions.models import (
    DESCRIPTION_MAX,
    QUESTION_MAX,
    REASON_MAX,
    STATEMENT_MAX,
    Discussion,
    MapSnapshot,
    Statement,
    StatementVote,
)

RECOMPUTE_EVERY = datetime.timedelta(seconds=5)
# A booked recomputation this late was lost (the worker was down and its queue wiped, say):
# the next vote books a new one instead of waiting for it forever.
RECOMPUTE_LOST_AFTER = datetime.timedelta(minutes=10)
VOTE_VALUES = {1, -1, 0}

log = logging.getLogger("linju.opinions")


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _clean_text(value: Any) -> str:
    """One line of text: control characters dropped, runs of spaces made one."""
    text = "".join(
        " " if ch in "\r\n\t" else ch
        for ch in str(value or "")
        if ch in "\r\n\t" or unicodedata.category(ch) != "Cc"
    )
    return " ".join(text.split())


def normalised(text: str) -> str:
    """What makes two statements the same: the text without spaces, punctuation, symbols or
    case, with full-width characters made half-width ("充电时间，晚上十点前！" and
    "充电时间 晚上十点前" are the same statement)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZSC")


def _locked(discussion: Discussion) -> Discussion:
    return (
        Discussion.objects.select_for_update(of=("self",))
        .select_related("estate")
        .get(pk=discussion.pk)
    )


# --- Discussions ----------------------------------------------------------------------------


@transaction.atomic
def discussion_create(
    *,
    actor: Any,
    estate: Estate,
    question: str,
    building: Building | None = None,
    description: str = "",
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    min_participants: int = MIN_PARTICIPANTS,
) -> Discussion:
    """A draft discussion of ``estate`` (of ``building``, if given). Committee staff start one
    for the estate or any building; a group leader for the building they lead."""
    discussion = Discussion(estate=estate, building=building, created_by=actor)
    permissions.require(actor, "create", discussion)
    errors: dict[str, list[ValidationError]] = {}
    if building is not None and building.estate_id != estate.pk:
        errors["building"] = [ValidationError(_("Choose a building of this estate."))]
    discussion.question = _clean_text(question)
    if not discussion.question:
        errors["question"] = [
            ValidationError(_("Write the question residents will answer."), code="required")
        ]
    elif len(discussion.question) > QUESTION_MAX:
        errors["question"] = [
            ValidationError(
                _("Keep it to %(n)s characters or fewer.") % {"n": QUESTION_MAX}, code="too_long"
            )
        ]
    discussion.description = str(description or "").replace("\x00", "").strip()
    if len(discussion.description) > DESCRIPTION_MAX:
        errors["description"] = [
            ValidationError(
                _("Keep it to %(n)s characters or fewer.") % {"n": DESCRIPTION_MAX},
                code="too_long",
            )
        ]
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = [ValidationError(_("The discussion must close after it opens."))]
    try:
        needed = int(min_participants)
    except (TypeError, ValueError):
        needed = 0
    if needed < MIN_PARTICIPANTS:
        errors["min_participants"] = [
            ValidationError(
                _("The map needs at least %(n)s participants: fewer would expose individuals.")
                % {"n": MIN_PARTICIPANTS}
            )
        ]
    if errors:
        raise ValidationError(errors)
    discussion.opens_at, discussion.closes_at = opens_at, closes_at
    discussion.min_participants = needed
    discussion.save()
    audit.record(actor=actor, action="discussion.create", target=discussion)
    return discussion


@transaction.atomic
def discussion_open(*, actor: Any, discussion: Discussion) -> Discussion:
    """Open a draft: residents of its scope write statements and vote from now (or from its
    opening time, if later)."""
    permissions.require(actor, "manage", discussion)
    discussion = _locked(discussion)
    if discussion.status != Discussion.Status.DRAFT:
        raise _refuse(_("Only a draft discussion can be opened."))
    now = timezone.now()
    if discussion.closes_at is not None and discussion.closes_at <= now:
        raise _refuse(_("Its closing time has passed: change it before opening."))
    discussion.status = Discussion.Status.OPEN
    if discussion.opens_at is None:
        discussion.opens_at = now
    discussion.save(update_fields=["status", "opens_at"])
    audit.record(
        actor=actor,
        action="discussion.open",
        target=discussion,
        changes={"status": [Discussion.Status.DRAFT, Discussion.Status.OPEN]},
    )
    return discussion


@transaction.atomic
def discussion_close(*, actor: Any, discussion: Discussion) -> Discussion:
    """Close an open discussion: no more statements or votes; its map stays to be read, and
    is computed once more from every vote."""
    permissions.require(actor, "manage", discussion)
    discussion = _locked(discussion)
    if discussion.status != Discussion.Status.OPEN:
        raise _refuse(_("Only an open discussion can be closed."))
    now = timezone.now()
    discussion.status = Discussion.Status.CLOSED
    if discussion.closes_at is None or discussion.closes_at > now:
        discussion.closes_at = now
    discussion.save(update_fields=["status", "closes_at"])
    audit.record(
        actor=actor,
        action="discussion.close",
        target=discussion,
        changes={"status": [Discussion.Status.OPEN, Discussion.Status.CLOSED]},
    )
    if discussion.votes_changed_at is not None:
        _request_recompute(discussion, now)
    return discussion


# --- Statements ------------------------------------------------------------------------------


def _checked_statement(text: Any) -> tuple[str, str]:
    cleaned = _clean_text(text)
    if not cleaned:
        raise _refuse(_("Write your statement."), field="text", code="required")
    if len(cleaned) > STATEMENT_MAX:
        raise _refuse(
            _(
                "A statement is %(max)s characters at most; this one has %(n)s. Say one thing, "
                "briefly."
            )
            % {"max": STATEMENT_MAX, "n": len(cleaned)},
            field="text",
            code="too_long",
        )
    key = normalised(cleaned)
    if not key:
        raise _refuse(_("Write your statement in words."), field="text", code="required")
    return cleaned, key


@transaction.atomic
def statement_submit(*, actor: Any, discussion: Discussion, text: str) -> Statement:
    """A new statement, waiting for moderation. Residents of the discussion's scope write them
    (and those who run it); the discussion must be open. A statement that says the same as
    one already written (``normalised``) is refused, whatever its status."""
    permissions.require(actor, "submit", discussion)
    discussion = _locked(discussion)
    if not discussion.is_open:
        raise _refuse(_("This discussion is not open for statements."))
    cleaned, key = _checked_statement(text)
    if Statement.objects.filter(discussion=discussion, normalised=key).exists():
        raise _refuse(
            _("Someone has already written this statement: vote on it instead."),
            field="text",
            code="duplicate",
        )
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                discussion=discussion, author=actor, text=cleaned, normalised=key
            )
    except IntegrityError as exc:  # pragma: no cover - the lock above serialises statements
        raise _refuse(
            _("Someone has already written this statement: vote on it instead."),
            field="text",
            code="duplicate",
        ) from exc
    audit.record(actor=actor, action="statement.submit", target=statement)
    return statement


@transaction.atomic
def statement_moderate(
    *, actor: Any, statement: Statement, accept: bool, reason: str = ""
) -> Statement:
    """Accept a waiting statement (it is shown and voted on) or reject it with a reason its
    author reads. Committee staff and the building's group leader moderate."""
    discussion = _locked(statement.discussion)
    permissions.require(actor, "moderate", discussion)
    statement = Statement.objects.select_for_update(of=("self",)).get(
        pk=statement.pk, discussion=discussion
    )
    if statement.status != Statement.Status.PENDING:
        raise _refuse(_("This statement has been moderated already."))
    reason = _clean_text(reason)
    if not accept:
        if not reason:
            raise _refuse(
                _("Say why it is not accepted: its author will read this."),
                field="reason",
                code="required",
            )
        if len(reason) > REASON_MAX:
            raise _refuse(
                _("Keep it to %(n)s characters or fewer.") % {"n": REASON_MAX}, field="reason"
            )
    new_status = Statement.Status.ACCEPTED if accept else Statement.Status.REJECTED
    statement.status = new_status
    statement.reject_reason = "" if accept else reason
    statement.moderated_by = actor
    statement.moderated_at = timezone.now()
    statement.save(update_fields=["status", "reject_reason", "moderated_by", "moderated_at"])
    audit.record(
        actor=actor,
        action="statement.accept" if accept else "statement.reject",
        target=statement,
        estate=discussion.estate,
        changes={"status": [Statement.Status.PENDING, new_status]}
        | ({} if accept else {"reason": [None, reason]}),
    )
    return statement


# --- Votes -----------------------------------------------------------------------------------


def _vote_value(vote: Any) -> int:
    try:
        value = int(vote)
    except (TypeError, ValueError):
        value = 99
    if value not in VOTE_VALUES or isinstance(vote, float):
        raise _refuse(_("Choose agree, disagree or pass."), field="vote")
    return value


@transaction.atomic
def vote_cast(*, actor: Any, statement: Statement, vote: Any) -> StatementVote:
    """``actor`` agrees (1), disagrees (-1) or passes (0) on an accepted statement of an open
    discussion. A later vote on the same statement replaces the earlier. Books the map's
    recomputation."""
    discussion = _locked(statement.discussion)
    permissions.require(actor, "vote", discussion)
    value = _vote_value(vote)
    now = timezone.now()
    if not discussion.is_open_at(now):
        raise _refuse(_("This discussion is closed: votes are no longer taken."))
    statement = Statement.objects.get(pk=statement.pk, discussion=discussion)
    if statement.status != Statement.Status.ACCEPTED:
        raise _refuse(_("This statement is not open for votes."), field="statement")
    cast, created = StatementVote.objects.select_for_update().get_or_create(
        statement=statement,
        participant=actor,
        defaults={"discussion": discussion, "vote": value, "created_at": now, "updated_at": now},
    )
    if not created:
        cast.vote, cast.updated_at = value, now
        cast.save(update_fields=["vote", "updated_at"])
    _request_recompute(discussion, now)
    return cast


# --- The map's recomputation -----------------------------------------------------------------


@dataclass(frozen=True)
class RecomputePlan:
    """Whether to book a recomputation, and when it is to run."""

    enqueue: bool
    run_after: datetime.datetime | None


def recompute_plan(
    *,
    now: datetime.datetime,
    due_at: datetime.datetime | None,
    computed_at: datetime.datetime | None,
    every: datetime.timedelta = RECOMPUTE_EVERY,
) -> RecomputePlan:
    """A vote arrived at ``now``. A recomputation booked already (``due_at``) will read it too:
    nothing to book, unless that booking is so late it was lost. Otherwise book one for the
    earliest moment at least ``every`` after the last computation (``computed_at``): at once
    if that was long enough ago."""
    if due_at is not None and now - due_at < RECOMPUTE_LOST_AFTER:
        return RecomputePlan(enqueue=False, run_after=due_at)
    if computed_at is None:
        return RecomputePlan(enqueue=True, run_after=now)
    return RecomputePlan(enqueue=True, run_after=max(now, computed_at + every))


def _last_computed_at(discussion: Discussion) -> datetime.datetime | None:
    return (
        MapSnapshot.objects.filter(discussion=discussion)
        .order_by("-version")
        .values_list("computed_at", flat=True)
        .first()
    )


def _request_recompute(discussion: Discussion, now: datetime.datetime) -> bool:
    """Note that the votes changed and book a recomputation if ``recompute_plan`` says so (the
    discussion is locked by the caller). True if one was booked."""
    plan = recompute_plan(
        now=now, due_at=discussion.recompute_due_at, computed_at=_last_computed_at(discussion)
    )
    discussion.votes_changed_at = now
    fields = ["votes_changed_at"]
    if plan.enqueue:
        discussion.recompute_due_at = plan.run_after
        fields.append("recompute_due_at")
    Discussion.objects.filter(pk=discussion.pk).update(
        **{name: getattr(discussion, name) for name in fields}
    )
    if plan.enqueue:
        pk, run_after = discussion.pk, plan.run_after
        transaction.on_commit(lambda: _enqueue(pk, run_after))
    return plan.enqueue


def _enqueue(discussion_id: int, run_after: datetime.datetime | None) -> None:
    from linju.opinions.tasks import map_recompute_task

    task = map_recompute_task
    if run_after is not None and run_after > timezone.now() and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(discussion_id)


def _shares(
    votes: Iterable[tuple[str, str, int]], groups: list[dict[str, Any]]
) -> tuple[dict[str, dict[str, list[int]]], dict[str, float]]:
    """Each group's (and all grouped participants', under "all") votes, agrees and disagrees
    per statement; and per statement how far apart the groups' agree shares are (0 to 1)."""
    group_of = {member: str(group["id"]) for group in groups for member in group["members"]}
    shares: dict[str, dict[str, list[int]]] = {key: {} for key in [*group_of.values(), "all"]}
    for participant, statement, vote in votes:
        group = group_of.get(participant)
        if group is None:
            continue
        for key in (group, "all"):
            cell = shares[key].setdefault(statement, [0, 0, 0])
            cell[0] += 1
            cell[1] += vote == 1
            cell[2] += vote == -1
    split: dict[str, float] = {}
    statements = set(shares["all"])
    for statement in statements:
        rates = [
            shares[str(group["id"])][statement][1] / shares[str(group["id"])][statement][0]
            for group in groups
            if statement in shares[str(group["id"])]
        ]
        split[statement] = round(max(rates) - min(rates), 4) if len(rates) > 1 else 0.0
    return shares, split


def map_compute(votes: list[tuple[str, str, int]]) -> dict[str, Any]:
    """The snapshot's result for these votes (participant, statement, vote; ids as text, in
    the order cast): the engine's JSON plus the groups' shares and each statement's split."""
    result = opinion_map(votes).to_json()
    latest = {(p, s): v for p, s, v in votes}
    deduplicated = [(p, s, v) for (p, s), v in latest.items()]
    shares, split = _shares(deduplicated, result["groups"])
    result["shares"] = shares
    result["split"] = split
    return result


def map_recompute(*, discussion_id: int, force: bool = False) -> MapSnapshot | None:
    """Compute the map from the discussion's votes on accepted statements and keep it as a new
    snapshot. Does nothing (returns None) when the latest snapshot already holds every vote,
    unless ``force``. Clears the booked recomputation."""
    with transaction.atomic():
        discussion = Discussion.objects.select_for_update().filter(pk=discussion_id).first()
        if discussion is None:
            return None
        Discussion.objects.filter(pk=discussion.pk).update(recompute_due_at=None)
        as_of = discussion.votes_changed_at
        latest = MapSnapshot.objects.filter(discussion=discussion).order_by("-version").first()
        if (
            not force
            and latest is not None
            and latest.votes_as_of is not None
            and (as_of is None or latest.votes_as_of >= as_of)
        ):
            return None
        votes = [
            (str(participant), str(statement), vote)
            for participant, statement, vote in StatementVote.objects.filter(
                discussion=discussion, statement__status=Statement.Status.ACCEPTED
            )
            .order_by("updated_at", "pk")
            .values_list("participant_id", "statement_id", "vote")
        ]
    result = map_compute(votes)
    with transaction.atomic():
        Discussion.objects.select_for_update().filter(pk=discussion.pk).first()
        newest = MapSnapshot.objects.filter(discussion=discussion).order_by("-version").first()
        if (
            not force
            and newest is not None
            and newest.votes_as_of is not None
            and as_of is not None
            and newest.votes_as_of >= as_of
        ):
            return None  # another run saved these votes meanwhile
        version = (
            MapSnapshot.objects.filter(discussion=discussion).aggregate(v=Max("version"))["v"] or 0
        ) + 1
        snapshot = MapSnapshot.objects.create(
            discussion=discussion,
            version=version,
            computed_at=timezone.now(),
            votes_as_of=as_of or timezone.now(),
            votes_count=len(votes),
            participants=len({participant for participant, _s, _v in votes}),
            result=result,
        )
    log.info("opinion map %s v%s: %s votes", discussion.pk, version, len(votes))
    return snapshot
