"""The lifecycle of a decision: announce, open, remind, close, count, publish, archive, cancel."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.core import audit, permissions
from linju.decisions import selectors
from linju.decisions.models import (
    PUBLISH_WITHIN_DAYS,
    Decision,
    PaperEntry,
    RollEntry,
)
from linju.decisions.services.common import (
    CLOSE_REMINDER_BEFORE,
    _later,
    _locked,
    _refuse,
    _tell_organisers,
    _tell_voters,
)
from linju.decisions.services.roll import _fingerprint_now, _frozen_rules, _sync_roll

# --- Lifecycle -------------------------------------------------------------------------------


@transaction.atomic
def decision_announce(*, actor: Any, decision: Decision) -> Decision:
    """Fix the agenda and serve the notice: the voting period must start at least the notice
    period from now (15 days by default); the rules are frozen; the roll is built and every
    voter with an account is told (that delivery is recorded as service of the notice)."""
    permissions.require(actor, "manage", decision)
    decision = _locked(decision)
    if decision.status != Decision.Status.DRAFT:
        raise _refuse(_("Only a draft can be announced."))
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if decision.opens_at is None:
        errors["opens_at"] = [_("Set when voting opens.")]
    elif decision.opens_at < now + datetime.timedelta(days=decision.notice_days):
        errors["opens_at"] = [
            _(
                "Voting can open %(days)s days after the announcement at the earliest "
                "(%(date)s): owners must have time to read the notice."
            )
            % {
                "days": decision.notice_days,
                "date": timezone.localtime(
                    now + datetime.timedelta(days=decision.notice_days)
                ).strftime("%Y-%m-%d %H:%M"),
            }
        ]
    if decision.closes_at is None:
        errors["closes_at"] = [_("Set when voting closes.")]
    if errors:
        raise ValidationError(errors)
    decision.rules = _frozen_rules(decision)
    decision.status = Decision.Status.ANNOUNCED
    decision.announced_at = now
    decision.save()
    _sync_roll(decision)
    if not RollEntry.objects.filter(decision=decision, active=True).exists():
        raise _refuse(_("Nobody is entitled to vote in this scope: check the flats and owners."))
    audit.record(actor=actor, action="decision.announce", target=decision)
    _tell_voters(
        decision,
        kind="decision.announced",
        title=gettext_lazy("Notice of a vote: %(title)s") % {"title": decision.title},
        body=gettext_lazy("Voting opens %(opens)s and closes %(closes)s.")
        % {
            "opens": timezone.localtime(decision.opens_at).strftime("%Y-%m-%d %H:%M"),
            "closes": timezone.localtime(decision.closes_at).strftime("%Y-%m-%d %H:%M"),
        },
        record_delivery=True,
    )
    from linju.decisions import tasks

    _later(tasks.decision_open_due, decision.opens_at, decision.pk)  # type: ignore[arg-type]
    return decision


@transaction.atomic
def decision_open(
    *, actor: Any, decision: Decision, now: datetime.datetime | None = None
) -> Decision:
    """Open voting once the notice period is over: the roll is brought up to date one last
    time, frozen and fingerprinted; voters get a one-tap link. ``actor`` None is the worker."""
    if actor is not None:
        permissions.require(actor, "manage", decision)
    decision = _locked(decision)
    now = now or timezone.now()
    if decision.status != Decision.Status.ANNOUNCED:
        raise _refuse(_("Only an announced decision can be opened."))
    assert decision.opens_at is not None and decision.closes_at is not None
    if now < decision.opens_at:
        raise _refuse(
            _("Voting opens at %(when)s, as the notice says.")
            % {"when": timezone.localtime(decision.opens_at).strftime("%Y-%m-%d %H:%M")}
        )
    if now >= decision.closes_at:
        raise _refuse(_("The voting period is already over; cancel this decision instead."))
    _sync_roll(decision)
    decision.status = Decision.Status.OPEN
    decision.opened_at = now
    decision.roll_frozen_at = now
    decision.roll_fingerprint = _fingerprint_now(decision)
    decision.save()
    audit.record(
        actor=actor,
        action="decision.open",
        target=decision,
        changes={"fingerprint": [None, decision.roll_fingerprint]},
    )
    _tell_voters(
        decision,
        kind="decision.opened",
        title=gettext_lazy("Voting is open: %(title)s") % {"title": decision.title},
        body=gettext_lazy("Tap to vote. Voting closes %(closes)s.")
        % {"closes": timezone.localtime(decision.closes_at).strftime("%Y-%m-%d %H:%M")},
        with_link=True,
    )
    from linju.decisions import tasks

    remind_at = max(decision.closes_at - CLOSE_REMINDER_BEFORE, now)
    _later(tasks.decision_close_reminder, remind_at, decision.pk)  # type: ignore[arg-type]
    _later(tasks.decision_close_due, decision.closes_at, decision.pk)  # type: ignore[arg-type]
    return decision


@transaction.atomic
def decision_remind(*, decision: Decision) -> int:
    """Before the close, remind voters who have not voted (with a one-tap link). Once."""
    decision = _locked(decision)
    if decision.status != Decision.Status.OPEN or decision.close_reminded_at is not None:
        return 0
    pending = (
        RollEntry.objects.filter(decision=decision, active=True)
        .exclude(ballots__counted=True)
        .select_related("voter__user", "person__user")
    )
    assert decision.closes_at is not None
    told = _tell_voters(
        decision,
        kind="decision.closing",
        title=gettext_lazy("Voting closes soon: %(title)s") % {"title": decision.title},
        body=gettext_lazy("You have not voted yet. Voting closes %(closes)s.")
        % {"closes": timezone.localtime(decision.closes_at).strftime("%Y-%m-%d %H:%M")},
        entries=pending,
        with_link=True,
    )
    decision.close_reminded_at = timezone.now()
    decision.save(update_fields=["close_reminded_at"])
    return told


@transaction.atomic
def decision_close(
    *, actor: Any, decision: Decision, now: datetime.datetime | None = None
) -> Decision:
    """Close voting at the end of the period (by the server's clock). Paper ballots collected
    before the close may still be entered; then the decision is counted."""
    if actor is not None:
        permissions.require(actor, "manage", decision)
    decision = _locked(decision)
    now = now or timezone.now()
    if decision.status != Decision.Status.OPEN:
        raise _refuse(_("Only an open vote can be closed."))
    assert decision.closes_at is not None
    if now < decision.closes_at:
        raise _refuse(
            _("Voting closes at %(when)s, as the notice says.")
            % {"when": timezone.localtime(decision.closes_at).strftime("%Y-%m-%d %H:%M")}
        )
    decision.status = Decision.Status.CLOSED
    decision.closed_at = now
    decision.save()
    audit.record(actor=actor, action="decision.close", target=decision)
    return decision


@transaction.atomic
def decision_tally(*, actor: Any, decision: Decision) -> Decision:
    """Count a closed decision and store the result (published separately, within 3 days).
    Refused while a paper ballot waits for its second entry or two entries differ."""
    permissions.require(actor, "manage", decision)
    decision = _locked(decision)
    if decision.status != Decision.Status.CLOSED:
        raise _refuse(_("Only a closed vote can be counted."))
    unresolved = PaperEntry.objects.filter(
        decision=decision, status__in=(PaperEntry.Status.WAITING, PaperEntry.Status.MISMATCH)
    ).count()
    if unresolved:
        raise _refuse(
            _(
                "%(n)s paper ballot entries still need a second entry or differ: resolve them "
                "before counting."
            )
            % {"n": unresolved},
            code="paper_unresolved",
        )
    lots: list[dict[str, Any]] = []
    system_random = secrets.SystemRandom()

    def draw(tied: list[str]) -> list[str]:
        drawn = system_random.sample(tied, len(tied))
        lots.append({"tied": tied, "drawn": drawn})
        return drawn

    decision.result = selectors.tally(decision=decision, draw=draw)
    decision.status = Decision.Status.TALLIED
    decision.tallied_at = timezone.now()
    decision.save()
    audit.record(
        actor=actor,
        action="decision.tally",
        target=decision,
        changes={"lots": [None, lots]} if lots else None,
    )
    from linju.decisions import tasks

    _later(
        tasks.decision_publish_reminder,  # type: ignore[arg-type]
        decision.tallied_at + datetime.timedelta(days=PUBLISH_WITHIN_DAYS),
        decision.pk,
    )
    return decision


@transaction.atomic
def decision_publish(*, actor: Any, decision: Decision) -> Decision:
    """Post the results (the law asks within 3 days of the count) and tell the voters."""
    permissions.require(actor, "manage", decision)
    decision = _locked(decision)
    if decision.status != Decision.Status.TALLIED:
        raise _refuse(_("Only a counted decision can be published."))
    decision.status = Decision.Status.PUBLISHED
    decision.published_at = timezone.now()
    decision.save()
    audit.record(actor=actor, action="decision.publish", target=decision)
    _tell_voters(
        decision,
        kind="decision.published",
        title=gettext_lazy("Results: %(title)s") % {"title": decision.title},
        body=gettext_lazy("The results are on the notice board and in the app."),
    )
    return decision


@transaction.atomic
def decision_publish_remind(*, decision: Decision) -> bool:
    """Three days after the count, tell the organisers if the results are still not posted."""
    decision = _locked(decision)
    if decision.status != Decision.Status.TALLIED or decision.publish_reminded_at is not None:
        return False
    _tell_organisers(
        decision,
        kind="decision.unpublished",
        title=gettext_lazy("Results not yet published: %(title)s") % {"title": decision.title},
        body=gettext_lazy("Results must be posted within 3 days of the count."),
    )
    decision.publish_reminded_at = timezone.now()
    decision.save(update_fields=["publish_reminded_at"])
    return True


@transaction.atomic
def decision_archive(*, actor: Any, decision: Decision) -> Decision:
    permissions.require(actor, "manage", decision)
    decision = _locked(decision)
    if decision.status != Decision.Status.PUBLISHED:
        raise _refuse(_("Only a published decision can be archived."))
    decision.status = Decision.Status.ARCHIVED
    decision.archived_at = timezone.now()
    decision.save()
    audit.record(actor=actor, action="decision.archive", target=decision)
    return decision


@transaction.atomic
def decision_cancel(*, actor: Any, decision: Decision, reason: str) -> Decision:
    """Cancel before the count, with a reason everyone can read. Ballots already cast stay in
    the record, uncounted."""
    permissions.require(actor, "manage", decision)
    decision = _locked(decision)
    reason = " ".join((reason or "").split())
    if not reason:
        raise _refuse(_("Say why the decision is cancelled."), field="reason")
    if len(reason) > 300:
        raise _refuse(_("At most 300 characters."), field="reason")
    if decision.status not in Decision.CANCELLABLE:
        raise _refuse(_("A decision can be cancelled only before it is counted."))
    was_public = decision.status != Decision.Status.DRAFT
    old_status = decision.status
    decision.status = Decision.Status.CANCELLED
    decision.cancelled_at = timezone.now()
    decision.cancel_reason = reason
    decision.save()
    audit.record(
        actor=actor,
        action="decision.cancel",
        target=decision,
        changes={"status": [old_status, decision.status], "reason": [None, reason]},
    )
    if was_public:
        _tell_voters(
            decision,
            kind="decision.cancelled",
            title=gettext_lazy("Vote cancelled: %(title)s") % {"title": decision.title},
            body=reason,
        )
    return decision
