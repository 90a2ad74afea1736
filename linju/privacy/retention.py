"""How long each kind of personal data is kept, and the purge that enforces it (PIPL Art. 19).

=========================  =====================================  ==============================
Kind                       Kept for                               Then
=========================  =====================================  ==============================
sign_in_codes              1 day after the code was asked for     deleted
security_events            ``LINJU_SECURITY_LOG_DAYS`` (default   deleted
                           365), never less than 183 days
consents_withdrawn         kept                                   kept as proof of what was
                                                                  agreed and until when
join_requests_closed       180 days after a request was refused   deleted
                           (or asked for, if withdrawn)
notifications_read         365 days after it was read             deleted (with its deliveries)
roster_uploads             7 days after the upload                the spreadsheet file is
                                                                  deleted; the report stays
ballot_links               30 days after the link expired         deleted
idempotency_keys           30 days after the API call             deleted (the ledger entry
                                                                  stays)
decision_records           kept                                   the roll, ballots, paper
                                                                  ballot and proxy photos and
                                                                  proof of service are the
                                                                  decision's legal record
notice_reads               as long as the notice (kept)           who read a notice and when
                                                                  first, for those who posted
                                                                  it
=========================  =====================================  ==============================

Accounts, names and phone numbers are kept until the person deletes their account
(``linju.privacy.services.account_delete``); votes, pledges and ledger rows stay, pointing at
the de-identified person.

``RETENTION`` is data: an app that keeps personal data adds its row with ``register()``. A row
whose ``expired`` is None is kept indefinitely and only documented here. A period is measured
from the row's own timestamp; a row exactly as old as its period is still kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from linju.accounts.notice import SECURITY_EVENTS_KEPT, SIGN_IN_CODES_KEPT

# PIPL and the Cybersecurity Law (Art. 21) ask for network logs to be kept six months at least.
SECURITY_EVENTS_KEPT_AT_LEAST = max(SECURITY_EVENTS_KEPT, datetime.timedelta(days=183))
JOIN_REQUESTS_KEPT = datetime.timedelta(days=180)
NOTIFICATIONS_READ_KEPT = datetime.timedelta(days=365)
ROSTER_UPLOADS_KEPT = datetime.timedelta(days=7)
BALLOT_LINKS_KEPT = datetime.timedelta(days=30)


def security_events_kept() -> datetime.timedelta:
    """The security log's period: the setting, but never less than six months."""
    days = int(getattr(settings, "LINJU_SECURITY_LOG_DAYS", 365))
    return max(datetime.timedelta(days=days), SECURITY_EVENTS_KEPT_AT_LEAST)


@dataclass(frozen=True)
class Retention:
    """One kind of personal data: how long it is kept and which rows are past that.

    ``expired(now)`` returns the rows to delete; ``purge`` (default: delete them) may instead
    de-identify, and returns how many rows it handled."""

    kind: str
    description: str | Promise
    period: Callable[[], datetime.timedelta] | None
    expired: Callable[[datetime.datetime], QuerySet] | None = None
    purge: Callable[[QuerySet], int] | None = None


def _delete(rows: QuerySet) -> int:
    count = rows.count()
    rows.delete()
    return count


def _model(label: str):
    app_label, name = label.split(".")
    return apps.get_model(app_label, name)


def _phone_codes(now: datetime.datetime) -> QuerySet:
    return _model("accounts.PhoneCode").objects.filter(created_at__lt=now - SIGN_IN_CODES_KEPT)


def _security_events(now: datetime.datetime) -> QuerySet:
    return _model("core.SecurityEvent").objects.filter(occurred_at__lt=now - security_events_kept())


def _join_requests(now: datetime.datetime) -> QuerySet:
    model = _model("membership.JoinRequest")
    return model.objects.annotate(closed_at=Coalesce("decided_at", "created_at")).filter(
        status__in=[model.Status.REJECTED, model.Status.WITHDRAWN],
        closed_at__lt=now - JOIN_REQUESTS_KEPT,
    )


def _notifications(now: datetime.datetime) -> QuerySet:
    return _model("notifications.Notification").objects.filter(
        read_at__lt=now - NOTIFICATIONS_READ_KEPT
    )


def _roster_uploads(now: datetime.datetime) -> QuerySet:
    model = _model("community.RosterImport")
    return (
        model.objects.filter(created_at__lt=now - ROSTER_UPLOADS_KEPT)
        .exclude(file="")
        .exclude(status__in=model.RUNNING)
    )


def _delete_upload_files(rows: QuerySet) -> int:
    """The spreadsheet files go; the import's report (counts, row numbers) stays."""
    count = 0
    for roster_import in rows:
        roster_import.file.delete(save=False)
        roster_import.save(update_fields=["file"])
        count += 1
    return count


def _ballot_links(now: datetime.datetime) -> QuerySet:
    return _model("decisions.BallotLink").objects.filter(expires_at__lt=now - BALLOT_LINKS_KEPT)


RETENTION: dict[str, Retention] = {}


def register(rule: Retention) -> None:
    """Add (or replace) the row for one kind of data."""
    RETENTION[rule.kind] = rule


register(
    Retention(
        "sign_in_codes",
        _("Sign-in codes: one day, then deleted."),
        lambda: SIGN_IN_CODES_KEPT,
        _phone_codes,
    )
)
register(
    Retention(
        "security_events",
        _("Security records (sign-ins, refusals, exports): at least six months, then deleted."),
        security_events_kept,
        _security_events,
    )
)
register(
    Retention(
        "consents_withdrawn",
        _("Withdrawn consents: kept, as proof of what was agreed and until when."),
        None,
    )
)
register(
    Retention(
        "roster_uploads",
        _("Uploaded roster spreadsheets: seven days, then the file is deleted."),
        lambda: ROSTER_UPLOADS_KEPT,
        _roster_uploads,
        _delete_upload_files,
    )
)
if apps.is_installed("linju.membership"):
    register(
        Retention(
            "join_requests_closed",
            _("Refused or withdrawn requests to join a flat: 180 days, then deleted."),
            lambda: JOIN_REQUESTS_KEPT,
            _join_requests,
        )
    )
if apps.is_installed("linju.notifications"):
    register(
        Retention(
            "notifications_read",
            _("Messages in the inbox: one year after they were read, then deleted."),
            lambda: NOTIFICATIONS_READ_KEPT,
            _notifications,
        )
    )

if apps.is_installed("linju.decisions"):
    register(
        Retention(
            "ballot_links",
            _("One-tap links to a ballot: 30 days after they expired, then deleted."),
            lambda: BALLOT_LINKS_KEPT,
            _ballot_links,
        )
    )
    register(
        Retention(
            "decision_records",
            _(
                "Votes: the roll, the ballots (with photos of paper ballots and proxy letters) "
                "and proof that notices were served are kept as the decision's record, since "
                "owners may ask a court to revoke a decision; without your name once you "
                "delete your account."
            ),
            None,
        )
    )

# notices
if apps.is_installed("linju.notices"):
    register(
        Retention(
            "notice_reads",
            _(
                "Who opened a notice on the notice board, and when first: kept as long as the "
                "notice, which stays as part of the estate's public record; without your name "
                "once you delete your account."
            ),
            None,
        )
    )


# funding
IDEMPOTENCY_KEYS_KEPT = datetime.timedelta(days=30)


def _idempotency_keys(now: datetime.datetime) -> QuerySet:
    return _model("funding.IdempotentRequest").objects.filter(
        created_at__lt=now - IDEMPOTENCY_KEYS_KEPT
    )


if apps.is_installed("linju.funding"):
    register(
        Retention(
            "idempotency_keys",
            _(
                "Answers kept so that a retried payment request is not recorded twice: 30 days, "
                "then deleted (the payment itself stays in the ledger)."
            ),
            lambda: IDEMPOTENCY_KEYS_KEPT,
            _idempotency_keys,
        )
    )


def retention_purge(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Delete (or de-identify) every row past its kind's period; ``{kind: rows}`` for each kind
    that has a purge. With ``dry_run``, count what would go and change nothing. All kinds go in
    one transaction: either the whole purge happens or none of it."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    with transaction.atomic():
        for kind, rule in RETENTION.items():
            if rule.expired is None:
                continue
            rows = rule.expired(now)
            counts[kind] = rows.count() if dry_run else (rule.purge or _delete)(rows)
    return counts
