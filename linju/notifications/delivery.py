"""Pushing queued deliveries, in the background worker (``linju worker``).

Two tasks: ``deliver_task(delivery_id, attempt)`` sends one delivery, ``digest_task(recipient_id,
channel)`` sends a person's held deliveries on one channel as one message.

Never twice: a task first *claims* its rows in a short transaction, under
``select_for_update``: only rows still ``queued`` (and, for a single delivery, still at the
attempt the task was scheduled for) are moved to ``sending``; a duplicate or stale task finds
nothing to claim and sends nothing. The message goes out after that transaction, so no
database lock is held while WeChat or the SMS provider answers; the outcome is written in a
second short transaction. A worker that dies between the two leaves the row ``sending``:
it is not sent again (at most once).

Quiet hours and back-off: a task that finds its row not yet due (quiet hours began, a
preference changed) moves it and schedules itself for then. Transient errors retry after
``rules.RETRY_DELAYS``; after ``rules.MAX_ATTEMPTS`` the row is ``failed``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from linju.notifications import rules
from linju.notifications.channels import (
    CHANNELS,
    Message,
    PermanentError,
    Skipped,
    TransientError,
)
from linju.notifications.models import Delivery, NotificationPreference, group_of
from linju.notifications.selectors import preferences_for

logger = logging.getLogger("linju.notifications")
Status = Delivery.Status


def after_quiet_hours(
    moment: datetime.datetime, preferences: NotificationPreference
) -> datetime.datetime:
    """``moment``, or the end of the person's quiet hours if it falls inside them."""
    if not preferences.quiet_hours:
        return moment
    return rules.after_quiet_hours(
        moment, preferences.quiet_start, preferences.quiet_end, ZoneInfo(settings.TIME_ZONE)
    )


# --- Scheduling ------------------------------------------------------------------------------


def _enqueue(task_: Any, due_at: datetime.datetime | None, *args: Any) -> bool:
    """Hand a task to the worker, to run at ``due_at`` (now if past). A backend that cannot
    defer (the immediate backend of tests) is not given future tasks: the row stays queued
    until a task for it runs again."""
    if due_at is not None and due_at > timezone.now():
        if not task_.get_backend().supports_defer:
            logger.info("task backend cannot defer %s%r to %s", task_.name, args, due_at)
            return False
        task_ = task_.using(run_after=due_at)
    task_.enqueue(*args)
    return True


def schedule(planned: Iterable[tuple[Delivery, bool]]) -> None:
    """After the notification committed: a task per single delivery, one per new digest."""
    for row, starts_digest in planned:
        if not row.digest:
            _enqueue(deliver_task, row.due_at, row.pk, row.attempts)
        elif starts_digest:
            _enqueue(digest_task, row.due_at, row.recipient_id, row.channel)


# --- Sending ---------------------------------------------------------------------------------


def _outcome(
    rows: list[Delivery], channel: Any, message: Message
) -> tuple[str, str, str, datetime.datetime | None]:
    """Send; (status, reason, last error, retry at) for the claimed rows."""
    attempts = max(row.attempts for row in rows)
    try:
        channel.send(rows[0].recipient, message)
    except Skipped as exc:
        return Status.SKIPPED, exc.reason, "", None
    except TransientError as exc:
        delay = rules.retry_delay(attempts)
        if delay is None:
            return Status.FAILED, Delivery.Reason.GAVE_UP, str(exc), None
        return Status.QUEUED, "", str(exc), timezone.now() + delay
    except PermanentError as exc:
        return Status.FAILED, Delivery.Reason.REFUSED, str(exc), None
    except Exception as exc:  # a bug must not leave the row claimed forever
        logger.exception("sending delivery %s failed", rows[0].pk)
        return Status.FAILED, "", f"{type(exc).__name__}: {exc}", None
    return Status.SENT, "", "", None


def _finish(rows: list[Delivery], outcome: tuple[str, str, str, datetime.datetime | None]) -> None:
    status, reason, error, retry_at = outcome
    values: dict[str, Any] = {"status": status, "reason": reason, "last_error": error[:300]}
    if status == Status.SENT:
        values["sent_at"] = timezone.now()
    if retry_at is not None:
        values["due_at"] = retry_at
    with transaction.atomic():
        Delivery.objects.filter(pk__in=[r.pk for r in rows], status=Status.SENDING).update(**values)
        if retry_at is not None:
            first = rows[0]
            if first.digest:
                args: tuple[Any, ...] = (digest_task, retry_at, first.recipient_id, first.channel)
            else:
                args = (deliver_task, retry_at, first.pk, first.attempts)
            transaction.on_commit(partial(_enqueue, *args), robust=True)


def delivery_run(*, delivery_id: int, attempt: int) -> str:
    """Send one delivery if it is still queued at ``attempt``; what happened, in a word."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            Delivery.objects.select_for_update()
            .select_related("notification", "recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if row is None:
            return "gone"
        if row.status != Status.QUEUED or row.attempts != attempt or row.digest:
            return "already handled"
        preferences = preferences_for(row.recipient)
        channel = CHANNELS[row.channel]
        reason = channel.skip_reason(row.recipient, preferences, group_of(row.notification.kind))
        if reason:
            row.status, row.reason = Status.SKIPPED, reason
            row.save(update_fields=["status", "reason"])
            return "skipped"
        due = max(row.due_at, now)
        if not row.urgent:
            due = after_quiet_hours(due, preferences)
        if due > now:
            row.due_at = due
            row.save(update_fields=["due_at"])
            transaction.on_commit(
                partial(_enqueue, deliver_task, due, row.pk, row.attempts), robust=True
            )
            return "deferred"
        row.status, row.attempts = Status.SENDING, row.attempts + 1
        row.save(update_fields=["status", "attempts"])
    outcome = _outcome([row], channel, Message.of(row.notification))
    _finish([row], outcome)
    return outcome[0]


def digest_run(*, recipient_id: int, channel: str) -> str:
    """Send the person's held deliveries on ``channel`` that are due, as one message."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update()
            .select_related("notification", "recipient")
            .filter(
                recipient_id=recipient_id,
                channel=channel,
                status=Status.QUEUED,
                digest=True,
                due_at__lte=now,
            )
            .order_by("notification__created_at", "pk")
        )
        if not rows:
            return "nothing due"
        recipient = rows[0].recipient
        preferences = preferences_for(recipient)
        sender = CHANNELS[channel]
        going = []
        for row in rows:
            reason = sender.skip_reason(recipient, preferences, group_of(row.notification.kind))
            if reason:
                row.status, row.reason = Status.SKIPPED, reason
                row.save(update_fields=["status", "reason"])
            else:
                going.append(row)
        if not going:
            return "skipped"
        due = after_quiet_hours(now, preferences)
        if due > now:
            Delivery.objects.filter(pk__in=[r.pk for r in going]).update(due_at=due)
            transaction.on_commit(
                partial(_enqueue, digest_task, due, recipient_id, channel), robust=True
            )
            return "deferred"
        for row in going:
            row.status, row.attempts = Status.SENDING, row.attempts + 1
        Delivery.objects.bulk_update(going, ["status", "attempts"])
    outcome = _outcome(going, sender, Message.digest_of([row.notification for row in going]))
    _finish(going, outcome)
    return outcome[0]


# --- The tasks -------------------------------------------------------------------------------


@task()
def deliver_task(delivery_id: int, attempt: int) -> str:
    return delivery_run(delivery_id=delivery_id, attempt=attempt)


@task()
def digest_task(recipient_id: int, channel: str) -> str:
    return digest_run(recipient_id=recipient_id, channel=channel)
