"""Writes of notifications: ``notify`` (the one way to tell a person something), marking read,
and each person's preferences.

``notify`` writes the inbox entry and the planned deliveries in the caller's transaction;
the pushes are handed to the background worker only after that transaction commits, so a
write that rolls back leaves no notification and sends nothing.
"""

from __future__ import annotations

import datetime
import re
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linju.core import audit, permissions
from linju.notifications import delivery, rules
from linju.notifications.channels import PUSH_CHANNELS, language_of
from linju.notifications.models import (
    Delivery,
    KindGroup,
    Notification,
    NotificationPreference,
    group_of,
)
from linju.notifications.selectors import preferences_for

KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
# A path on this site: "/e/zhonghao/b/17/", never "//elsewhere" or "https://…".
LOCAL_URL = re.compile(r"^/(?![/\\])[^\s\\]*$")
TITLE_MAX = 120
BODY_MAX = 2000
URL_MAX = 300


def _clean_text(value: Any, limit: int) -> str:
    text = str(value).replace("\x00", "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


@transaction.atomic
def notify(
    *,
    recipient: Any,
    kind: str,
    title: Any,
    body: Any,
    url: str = "",
    estate: Any = None,
    urgent: bool = False,
) -> Notification:
    """Tell ``recipient`` something: an inbox entry now, pushes after the caller commits.

    ``kind`` is ``"<topic>.<event>"`` (``"membership.approved"``, ``"notice.published"``); the
    topic decides which of the person's channel switches apply (``models.KIND_TOPICS``).
    ``title`` and ``body`` may be lazy translations: they are rendered in the recipient's
    language. Text is kept as given (over-long text is shortened, NULs dropped); ``url`` must
    be a path on this site. ``urgent`` pushes ignore quiet hours and are never held for a
    digest. System-initiated: the caller's own service checked its permission and audits
    its action; the Delivery rows record what was sent.
    """
    if not KIND.match(kind or "") or len(kind) > 60:
        raise ValueError(f"notification kind must look like 'topic.event', not {kind!r}")
    if url and (len(url) > URL_MAX or not LOCAL_URL.match(url)):
        raise ValueError(f"notification url must be a path on this site, not {url!r}")
    with translation.override(language_of(recipient)):
        title_text = _clean_text(title, TITLE_MAX)
        body_text = _clean_text(body, BODY_MAX)
    if not title_text:
        raise ValueError("a notification needs a title")
    now = timezone.now()
    notification = Notification.objects.create(
        recipient=recipient,
        estate=estate,
        kind=kind,
        title=title_text,
        body=body_text,
        url=url,
        urgent=urgent,
        created_at=now,
    )
    planned = _plan_deliveries(notification, now)
    Delivery.objects.bulk_create(d for d, _starts in planned)
    to_schedule = [(d, starts) for d, starts in planned if d.status == Delivery.Status.QUEUED]
    if to_schedule:
        transaction.on_commit(partial(delivery.schedule, to_schedule), robust=True)
    return notification


def _plan_deliveries(
    notification: Notification, now: datetime.datetime
) -> list[tuple[Delivery, bool]]:
    """One Delivery per push channel: skipped with a reason, or queued for when it may go.
    The flag says whether this delivery opens a new digest (whose task must be scheduled)."""
    recipient = notification.recipient
    preferences = preferences_for(recipient)
    group = group_of(notification.kind)
    planned = []
    for channel in PUSH_CHANNELS:
        row = Delivery(
            notification=notification,
            recipient=recipient,
            channel=channel.name,
            urgent=notification.urgent,
            due_at=now,
            created_at=now,
        )
        starts_digest = False
        reason = channel.skip_reason(recipient, preferences, group)
        if reason:
            row.status, row.reason = Delivery.Status.SKIPPED, reason
        elif not notification.urgent:
            row.due_at = delivery.after_quiet_hours(now, preferences)
            if preferences.digest:
                row.due_at, row.digest, starts_digest = _digest_plan(row, preferences)
        planned.append((row, starts_digest))
    return planned


def _digest_plan(
    row: Delivery, preferences: NotificationPreference
) -> tuple[datetime.datetime, bool, bool]:
    """(due, held for a digest, opens a new digest) for a non-urgent push."""
    mine = Delivery.objects.filter(recipient=row.recipient, channel=row.channel)
    pending = (
        mine.filter(status=Delivery.Status.QUEUED, digest=True)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    if pending is not None:
        return pending, True, False
    window = datetime.timedelta(minutes=settings.LINJU_NOTIFY_DIGEST_WINDOW_MINUTES)
    recent = mine.filter(
        urgent=False,
        digest=False,
        status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING, Delivery.Status.SENT],
        due_at__gt=row.due_at - window,
        due_at__lte=row.due_at,
    ).values_list("due_at", flat=True)
    slot = rules.digest_slot(
        row.due_at, list(recent), after=settings.LINJU_NOTIFY_DIGEST_AFTER, window=window
    )
    if slot is None:
        return row.due_at, False, False
    return delivery.after_quiet_hours(slot, preferences), True, True


# --- Reading ---------------------------------------------------------------------------------
# Marking read is the reader's own bookkeeping, like a read flag on a message: it is not
# audited (an audit row per read would also tell staff who read what).


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (again: no change)."""
    permissions.require(actor, "view", notification)
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Any) -> int:
    """Mark all of the actor's unread notifications read; returns how many."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("You do not have permission to do this."))
    unread = permissions.visible(actor, Notification.objects.filter(read_at__isnull=True))
    return Notification.objects.filter(pk__in=unread.values("pk")).update(read_at=timezone.now())


# --- Preferences -----------------------------------------------------------------------------


@transaction.atomic
def preferences_update(
    *,
    actor: Any,
    user: Any,
    sms_groups: list[str],
    wechat_groups: list[str],
    quiet_hours: bool,
    quiet_start: datetime.time,
    quiet_end: datetime.time,
    digest: bool,
) -> NotificationPreference:
    """Save how ``user`` wants to be told. Only the person themselves may change it."""
    permissions.require(actor, "change", NotificationPreference(user=user))
    preferences, _created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user
    )
    known = set(KindGroup.values)
    errors = {}
    for field, groups in (("sms_groups", sms_groups), ("wechat_groups", wechat_groups)):
        if not set(groups) <= known:
            errors[field] = _("Choose from the kinds of message listed.")
    if quiet_hours and quiet_start == quiet_end:
        errors["quiet_end"] = _("Quiet hours must end at a different time than they start.")
    if errors:
        raise ValidationError(errors)
    values = {
        "sms_groups": [g for g in KindGroup.values if g in sms_groups],
        "wechat_groups": [g for g in KindGroup.values if g in wechat_groups],
        "quiet_hours": quiet_hours,
        "quiet_start": quiet_start,
        "quiet_end": quiet_end,
        "digest": digest,
    }
    changes = audit.changes(preferences, values)
    for name, value in values.items():
        setattr(preferences, name, value)
    preferences.save()
    audit.record(
        actor=actor, action="notification_preferences.update", target=preferences, changes=changes
    )
    return preferences
