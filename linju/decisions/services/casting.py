"""Casting online (for oneself or as an authorised agent), entering paper ballots and proxy
letters twice, and checking one-tap ballot links."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import Any

from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit, permissions
from linju.decisions import selectors
from linju.decisions.models import (
    Ballot,
    BallotLink,
    Decision,
    PaperEntry,
    RollEntry,
)
from linju.decisions.services.common import (
    LINK_SALT,
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    Reason,
    _locked,
    _refuse,
)
from linju.membership.models import Delegation

# --- Casting ---------------------------------------------------------------------------------


def _new_receipt() -> str:
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
        if not Ballot.objects.filter(receipt=code).exists():
            return code


def _clean_vote(
    decision: Decision, choice: str, selections: Sequence[Any]
) -> tuple[str, list[str]]:
    """The choice as stored, or a translated refusal naming what is wrong."""
    if decision.kind == Decision.Kind.OWNERS:
        if choice not in Ballot.Choice.values:
            raise _refuse(_("Choose agree, disagree or abstain."), code="choice", field="choice")
        if selections:
            raise _refuse(_("This vote has no options to choose."), field="selections")
        return choice, []
    keys = [str(k) for k in selections]
    valid = {o.key for o in decision.options.all()}
    if any(k not in valid for k in keys):
        raise _refuse(_("Choose among the options listed."), code="choice", field="selections")
    if len(set(keys)) != len(keys):
        raise _refuse(_("Each option can be chosen once."), field="selections")
    frozen = decision.rules or {}
    low = int(frozen.get("min_choices", decision.min_choices))
    high = int(frozen.get("max_choices", decision.max_choices))
    if decision.kind == Decision.Kind.ELECTION:
        low, high = 0, int(frozen.get("seats") or decision.seats or 1)
    if len(keys) < low or len(keys) > high:
        if low == high:
            message = _("Choose exactly %(n)s.") % {"n": low}
        else:
            message = _("Choose between %(low)s and %(high)s.") % {"low": low, "high": high}
        raise _refuse(message, code="count", field="selections")
    return "", keys


def _shared(decision: Decision) -> Decision:
    """The decision as committed now, share-locked on PostgreSQL (FOR SHARE: casts do not block
    each other; closing, which locks it for update, waits for them). SQLite runs one writing
    transaction at a time, which already gives the same guarantee."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM decisions_decision WHERE id = %s FOR SHARE", [decision.pk]
            )
    return Decision.objects.select_related("estate").get(pk=decision.pk)


def _supersede(ballot: Ballot, reason: str, now: datetime.datetime) -> None:
    ballot.counted = False
    ballot.superseded_at = now
    ballot.superseded_reason = reason
    ballot.save(update_fields=["counted", "superseded_at", "superseded_reason"])


def _store_ballot(
    decision: Decision,
    entry: RollEntry,
    *,
    channel: str,
    choice: str,
    selections: list[str],
    actor: Any,
    delegation: Delegation | None = None,
    proxy_name: str = "",
    document: Any = None,
    now: datetime.datetime,
) -> Ballot:
    """Store a ballot and settle which of the voter's ballots counts:
    online over paper (or the reverse, as the estate chose); a later vote over an earlier one
    of the same kind unless the first vote is final."""
    frozen = decision.rules or {}
    online_over_paper = bool(frozen.get("online_over_paper", True))
    first_final = frozen.get("revote", decision.revote) == Decision.Revote.FIRST
    current = (
        Ballot.objects.select_for_update(of=("self",))
        .filter(decision=decision, entry=entry, counted=True)
        .order_by("pk")
        .first()
    )
    new_counts = True
    new_reason = ""
    if current is not None:
        current_online = current.channel == Ballot.Channel.ONLINE
        new_online = channel == Ballot.Channel.ONLINE
        if current_online == new_online:
            if first_final:
                new_counts, new_reason = False, Reason.FIRST_FINAL
            else:
                _supersede(current, Reason.CHANGED if new_online else Reason.LATER_PAPER, now)
        elif new_online:  # paper counted, now online
            if online_over_paper:
                _supersede(current, Reason.ONLINE_STANDS, now)
            else:
                new_counts, new_reason = False, Reason.PAPER_STANDS
        else:  # online counted, now paper
            if online_over_paper:
                new_counts, new_reason = False, Reason.ONLINE_STANDS
            else:
                _supersede(current, Reason.PAPER_STANDS, now)
    ballot = Ballot(
        estate_id=decision.estate_id,
        decision=decision,
        entry=entry,
        choice=choice,
        selections=selections,
        channel=channel,
        cast_by=actor,
        delegation=delegation,
        proxy_name=proxy_name,
        receipt=_new_receipt(),
        cast_at=now,
        counted=new_counts,
        superseded_at=None if new_counts else now,
        superseded_reason=new_reason,
    )
    if document is not None:
        ballot.document = document
    try:
        with transaction.atomic():
            ballot.save()
    except IntegrityError:
        raise _refuse(
            _("Another ballot for this voter arrived at the same moment; please try again."),
            code="conflict",
        ) from None
    return ballot


@transaction.atomic
def ballot_cast(
    *,
    actor: Any,
    decision: Decision,
    entry: RollEntry | None = None,
    choice: str = "",
    selections: Sequence[Any] = (),
) -> Ballot:
    """Vote online, for oneself or as an owner's authorised agent (recorded as such). Refused
    outside the voting period by the server's clock. The receipt code is random.

    Ballots of different voters do not wait for each other: the decision row is only share-
    locked (so closing waits for ballots in flight, and a ballot after the close sees it), and
    the voter's roll entry is locked, so one voter's simultaneous attempts go one at a time."""
    permissions.require(actor, "vote", decision)
    decision = _shared(decision)
    now = timezone.now()
    if not decision.is_open_at(now):
        if decision.closes_at is not None and now >= decision.closes_at:
            raise _refuse(_("Voting has closed; this ballot was not counted."), code="closed")
        raise _refuse(_("Voting is not open."), code="not_open")
    mine = {v.entry.pk: v for v in selectors.voter_entries(actor=actor, decision=decision)}
    if entry is not None:
        chosen = mine.get(entry.pk)
        if chosen is None:
            raise _refuse(_("You cannot vote for that voter."), code="not_on_roll", field="entry")
    elif len(mine) == 1:
        chosen = next(iter(mine.values()))
    elif not mine:
        raise _refuse(
            _("You are not on this vote's roll. Ask the residents' committee if that is wrong."),
            code="not_on_roll",
        )
    else:
        raise _refuse(_("Choose whom you are voting for."), code="which", field="entry")
    clean_choice, clean_selections = _clean_vote(decision, choice, selections)
    roll_entry = RollEntry.objects.select_for_update(of=("self",)).get(pk=chosen.entry.pk)
    ballot = _store_ballot(
        decision,
        roll_entry,
        channel=Ballot.Channel.ONLINE,
        choice=clean_choice,
        selections=clean_selections,
        actor=actor,
        delegation=chosen.delegation,
        now=now,
    )
    if not ballot.counted and ballot.superseded_reason == Reason.FIRST_FINAL:
        raise _refuse(
            _("You have already voted, and on this vote the first vote is final."), code="final"
        )
    audit.record(
        actor=actor,
        action="ballot.cast",
        target=decision,
        changes={
            "voter": [None, roll_entry.ref],
            "receipt": [None, ballot.receipt],
            **({"as_agent": [None, chosen.delegation.pk]} if chosen.delegation else {}),
            **({"counted": [None, False]} if not ballot.counted else {}),
        },
    )
    return ballot


# --- Paper ballots and proxies ---------------------------------------------------------------


def _same_reading(a: PaperEntry, b: PaperEntry) -> bool:
    return (
        a.channel == b.channel
        and a.choice == b.choice
        and list(a.selections) == list(b.selections)
        and " ".join(a.proxy_name.split()) == " ".join(b.proxy_name.split())
    )


@transaction.atomic
def paper_ballot_enter(
    *,
    actor: Any,
    decision: Decision,
    entry: RollEntry,
    channel: str,
    choice: str = "",
    selections: Sequence[Any] = (),
    proxy_name: str = "",
    document: Any,
) -> PaperEntry:
    """Enter a paper ballot or a proxy letter (委托书) with its photo. It counts only when a
    different staff member has entered the same reading; a different reading flags both."""
    permissions.require(actor, "enter_paper", decision)
    decision = _locked(decision)
    if decision.status not in (Decision.Status.OPEN, Decision.Status.CLOSED):
        raise _refuse(_("Paper ballots are entered while voting is open or before the count."))
    locked_entry = (
        RollEntry.objects.select_for_update(of=("self",))
        .filter(pk=entry.pk, decision=decision)
        .order_by("pk")
        .first()
    )
    if locked_entry is None or not locked_entry.active:
        raise _refuse(_("That voter is not on this roll."), field="entry")
    entry = locked_entry
    if channel not in (Ballot.Channel.PAPER, Ballot.Channel.PROXY):
        raise _refuse(_("Choose paper ballot or proxy."), field="channel")
    proxy_name = " ".join((proxy_name or "").split())
    if channel == Ballot.Channel.PROXY and not proxy_name:
        raise _refuse(_("Write the name of the proxy the letter names."), field="proxy_name")
    if len(proxy_name) > 60:
        raise _refuse(_("At most 60 characters."), field="proxy_name")
    if not document:
        raise _refuse(_("Attach a photo of the ballot or the letter."), field="document")
    clean_choice, clean_selections = _clean_vote(decision, choice, selections)
    reading = PaperEntry(
        estate_id=decision.estate_id,
        decision=decision,
        entry=entry,
        channel=channel,
        choice=clean_choice,
        selections=clean_selections,
        proxy_name=proxy_name if channel == Ballot.Channel.PROXY else "",
        document=document,
        entered_by=actor,
    )
    reading.save()
    others = list(
        PaperEntry.objects.select_for_update()
        .filter(
            decision=decision,
            entry=entry,
            status__in=(PaperEntry.Status.WAITING, PaperEntry.Status.MISMATCH),
        )
        .exclude(pk=reading.pk)
        .exclude(entered_by=actor)
        .order_by("entered_at", "pk")
    )
    match = next((other for other in others if _same_reading(other, reading)), None)
    if match is not None:
        ballot = _store_ballot(
            decision,
            entry,
            channel=channel,
            choice=clean_choice,
            selections=clean_selections,
            actor=actor,
            proxy_name=reading.proxy_name,
            document=match.document.name or None,
            now=timezone.now(),
        )
        for paper in (match, reading):
            paper.status = PaperEntry.Status.CONFIRMED
            paper.ballot = ballot
            paper.save(update_fields=["status", "ballot"])
        # Other readings of the same ballot that disagreed are settled by this confirmation.
        PaperEntry.objects.filter(
            decision=decision, entry=entry, status=PaperEntry.Status.MISMATCH
        ).exclude(pk__in=[match.pk, reading.pk]).update(status=PaperEntry.Status.DISCARDED)
    elif others:
        for paper in [*others, reading]:
            paper.status = PaperEntry.Status.MISMATCH
            paper.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="ballot.paper_enter",
        target=decision,
        changes={
            "voter": [None, entry.ref],
            "channel": [None, channel],
            "status": [None, reading.status],
        },
    )
    return reading


@transaction.atomic
def paper_entry_discard(*, actor: Any, paper_entry: PaperEntry, reason: str) -> PaperEntry:
    """Set aside a reading that was wrong (a typing slip, the wrong flat), with a reason."""
    permissions.require(actor, "enter_paper", paper_entry.decision)
    decision = _locked(paper_entry.decision)
    paper_entry = PaperEntry.objects.select_for_update().get(pk=paper_entry.pk)
    reason = " ".join((reason or "").split())
    if not reason:
        raise _refuse(_("Say why this entry is set aside."), field="reason")
    if len(reason) > 200:
        raise _refuse(_("At most 200 characters."), field="reason")
    if paper_entry.status not in (PaperEntry.Status.WAITING, PaperEntry.Status.MISMATCH):
        raise _refuse(_("Only an entry that has not been confirmed can be set aside."))
    if decision.status not in (Decision.Status.OPEN, Decision.Status.CLOSED):
        raise _refuse(_("Paper ballots are entered while voting is open or before the count."))
    paper_entry.status = PaperEntry.Status.DISCARDED
    paper_entry.save(update_fields=["status"])
    # If one reading is left of a mismatch, it waits again for a second entry.
    rest = PaperEntry.objects.filter(
        decision=decision, entry=paper_entry.entry, status=PaperEntry.Status.MISMATCH
    )
    if rest.count() == 1:
        rest.update(status=PaperEntry.Status.WAITING)
    audit.record(
        actor=actor,
        action="ballot.paper_discard",
        target=decision,
        changes={"voter": [None, paper_entry.entry.ref], "reason": [None, reason]},
    )
    return paper_entry


# --- One-tap ballot links --------------------------------------------------------------------


@transaction.atomic
def ballot_link_use(*, token: str) -> BallotLink:
    """Check a one-tap link: the signature, that it was not used, that voting has not closed;
    mark it used. The view then signs its person in and shows the ballot."""
    refused = _refuse(_("This link has expired or was already used. Sign in to vote."), code="link")
    try:
        payload = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        raise refused from None
    nonce = payload.get("n") if isinstance(payload, dict) else None
    link = (
        BallotLink.objects.select_for_update(of=("self",))
        .select_related("decision__estate", "user")
        .filter(nonce=nonce)
        .first()
        if isinstance(nonce, str)
        else None
    )
    now = timezone.now()
    if link is None or link.used_at is not None or now >= link.expires_at:
        raise refused
    if not link.user.is_active:
        raise refused
    link.used_at = now
    link.save(update_fields=["used_at"])
    audit.record_security(
        user=link.user,
        event="sign_in.ballot_link",
        detail=f"decision {link.decision_id}",
        estate=link.decision.estate,
    )
    return link
