"""Shared pieces of the decisions services: locking, refusals, booking the worker's steps,
telling voters, one-tap ballot links."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy

from linju.community.models import Occupancy, Role
from linju.decisions.models import (
    BallotLink,
    Decision,
    NoticeDelivery,
    RollEntry,
)

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read back from paper
RECEIPT_LENGTH = 10
LINK_SALT = "linju.decisions.ballot-link"
CLOSE_REMINDER_BEFORE = datetime.timedelta(days=2)
MAX_OPTIONS = 30


class Reason:
    """Why a ballot was superseded (stored as codes, shown in words)."""

    CHANGED = "changed"  # the voter voted again ("last vote counts")
    ONLINE_STANDS = "online_stands"  # the owner also voted online; the online vote stands
    PAPER_STANDS = "paper_stands"  # the estate lets a paper ballot stand over an online one
    LATER_PAPER = "later_paper"  # a later paper ballot or proxy replaced an earlier one
    FIRST_FINAL = "first_final"  # the first vote is final; this later one does not count
    AMENDED = "amended"  # the roll entry left the roll by an amendment

    LABELS = {
        CHANGED: gettext_lazy("replaced by a later vote of the same voter"),
        ONLINE_STANDS: gettext_lazy("the owner also voted online; the online vote stands"),
        PAPER_STANDS: gettext_lazy("the owner also voted on paper; the paper ballot stands"),
        LATER_PAPER: gettext_lazy("replaced by a later paper ballot or proxy"),
        FIRST_FINAL: gettext_lazy("the first vote is final"),
        AMENDED: gettext_lazy("the voter left the roll by an amendment"),
    }


# --- Helpers ---------------------------------------------------------------------------------


def _locked(decision: Decision) -> Decision:
    # of=("self",): lock the decision only, not the estate row it is joined with.
    return (
        Decision.objects.select_for_update(of=("self",))
        .select_related("estate")
        .get(pk=decision.pk)
    )


def _refuse(message: str, code: str = "invalid", field: str | None = None) -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _later(task: Any, when: datetime.datetime, *args: Any) -> None:
    """Book a worker task for ``when``, after commit (backends that cannot defer: skipped, the
    step is then taken by hand from the console)."""
    backend = task.get_backend()
    if not backend.supports_defer:
        return
    transaction.on_commit(lambda: task.using(run_after=when).enqueue(*args))


def _voter_users(decision: Decision, entries: Iterable[RollEntry] | None = None) -> dict[int, Any]:
    """{roll entry id: user} for entries whose voter has an account (households: every adult
    member with an account; the first is enough for the inbox record, all are told)."""
    entries = list(
        entries
        if entries is not None
        else RollEntry.objects.filter(decision=decision, active=True).select_related(
            "voter__user", "person__user"
        )
    )
    users: dict[int, list[Any]] = {}
    household_flats = {e.flat_id: e.pk for e in entries if e.kind == RollEntry.Kind.HOUSEHOLD}
    for entry in entries:
        person = entry.voter or entry.person
        if person is not None and person.user is not None and person.user.is_active:
            users.setdefault(entry.pk, []).append(person.user)
    if household_flats:
        for occupancy in (
            Occupancy.objects.current()
            .filter(flat_id__in=household_flats, person__is_minor=False, person__user__isnull=False)
            .select_related("person__user")
        ):
            user = occupancy.person.user
            if user.is_active:
                users.setdefault(household_flats[occupancy.flat_id], []).append(user)
    return users  # type: ignore[return-value]


def _tell_voters(
    decision: Decision,
    *,
    kind: str,
    title: Any,
    body: Any,
    entries: Iterable[RollEntry] | None = None,
    record_delivery: bool = False,
    with_link: bool = False,
) -> int:
    """Notify each voter with an account; optionally record it as service of the notice, and
    send a one-tap ballot link. Returns how many people were told."""
    from linju.notifications.services import notify

    told = 0
    seen: set[tuple[int, int]] = set()
    for entry_id, users in _voter_users(decision, entries).items():
        for user in users:
            if (entry_id, user.pk) in seen:
                continue
            seen.add((entry_id, user.pk))
            url = decision.get_absolute_url()
            if with_link:
                url = _ballot_link(decision, entry_id, user)
            notification = notify(
                recipient=user,
                kind=kind,
                title=title,
                body=body,
                url=url,
                estate=decision.estate,
            )
            told += 1
            if record_delivery:
                NoticeDelivery.objects.create(
                    estate_id=decision.estate_id,
                    decision=decision,
                    entry_id=entry_id,
                    channel=NoticeDelivery.Channel.INBOX,
                    delivered_at=notification.created_at,
                    reference=f"notification:{notification.pk}",
                )
    return told


def _tell_organisers(decision: Decision, *, kind: str, title: Any, body: Any) -> None:
    from linju.notifications.services import notify

    users = {
        role.user
        for role in Role.objects.current()
        .filter(
            estate_id=decision.estate_id,
            kind__in=(Role.Kind.COMMITTEE_STAFF, Role.Kind.OWNERS_COMMITTEE),
        )
        .select_related("user")
        if role.user.is_active
    }
    url = reverse("console_decision", args=[decision.estate.slug, decision.pk])
    for user in sorted(users, key=lambda u: u.pk):
        notify(recipient=user, kind=kind, title=title, body=body, url=url, estate=decision.estate)


# --- One-tap ballot links ---


def _ballot_link(decision: Decision, entry_id: int, user: Any) -> str:
    """A signed, single-use link to the ballot, valid until voting closes."""
    assert decision.closes_at is not None
    link = BallotLink.objects.create(
        estate_id=decision.estate_id,
        decision=decision,
        entry_id=entry_id,
        user=user,
        nonce=secrets.token_urlsafe(16),
        expires_at=decision.closes_at,
    )
    token = signing.dumps({"n": link.nonce}, salt=LINK_SALT, compress=True)
    return reverse("ballot_link", args=[token])
