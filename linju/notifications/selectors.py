"""Reads of notifications and preferences. A person sees only their own notifications."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from linju.core import permissions
from linju.notifications.models import Notification, NotificationPreference
from linju.wechat import client as wechat
from linju.wechat.selectors import wechat_identity_of


def preferences_for(user: Any) -> NotificationPreference:
    """The person's saved choices, or the defaults (unsaved) if they never changed them."""
    saved = NotificationPreference.objects.filter(user=user).first()
    return saved if saved is not None else NotificationPreference(user=user)


def notification_list(*, user: Any) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return permissions.visible(user, Notification.objects.select_related("estate")).order_by(
        "-created_at", "-id"
    )


def notification_get(*, user: Any, notification_id: Any) -> Notification:
    """One of the person's notifications; anyone else's, or a missing one, is 404."""
    return permissions.get_visible_or_404(  # type: ignore[return-value]
        user, Notification.objects.select_related("estate"), pk=notification_id
    )


def unread_count(*, user: Any) -> int:
    """How many of the person's notifications are unread: one query."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def channel_limits(*, user: Any) -> dict[str, str]:
    """Why text messages or WeChat cannot reach this person, in words, by channel."""
    notes = {}
    if settings.LINJU_SMS_BACKEND == "refuse":
        notes["sms"] = _("Text messages are not set up on this site.")
    elif not user.phone:
        notes["sms"] = _("Your account has no mobile number, so no text messages can be sent.")
    if not wechat.is_configured():
        notes["wechat"] = _("WeChat messages are not set up on this site.")
    elif wechat_identity_of(user) is None:
        notes["wechat"] = _(
            "Open Linju in WeChat and sign in once to link your account; then WeChat can "
            "remind you."
        )
    return notes
