"""Notifications, their deliveries by text message and WeChat, and each person's choices."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class KindGroup(models.TextChoices):
    """What a notification is about, in the groups people switch channels for."""

    HOME = "home", _("My home and account")
    NOTICES = "notices", _("Notices and meetings")
    VOTES = "votes", _("Votes and surveys")
    PROJECTS = "projects", _("Building projects and fundraising")


# A kind is "<topic>.<event>" (e.g. "membership.approved"); its topic names its group.
# Topics not listed here count as notices.
KIND_TOPICS: dict[str, KindGroup] = {
    "account": KindGroup.HOME,
    "welcome": KindGroup.HOME,
    "membership": KindGroup.HOME,
    "join": KindGroup.HOME,
    "agent": KindGroup.HOME,
    "data": KindGroup.HOME,
    "notice": KindGroup.NOTICES,
    "meeting": KindGroup.NOTICES,
    "disclosure": KindGroup.NOTICES,
    "decision": KindGroup.VOTES,
    "vote": KindGroup.VOTES,
    "survey": KindGroup.VOTES,
    "consultation": KindGroup.VOTES,
    "project": KindGroup.PROJECTS,
    "pledge": KindGroup.PROJECTS,
    "funding": KindGroup.PROJECTS,
    "foundation": KindGroup.PROJECTS,
}


def group_of(kind: str) -> KindGroup:
    return KIND_TOPICS.get(kind.split(".", 1)[0], KindGroup.NOTICES)


class Notification(models.Model):
    """One message to one person, shown in their inbox (the in-app channel is this row)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    estate = models.ForeignKey(
        "community.Estate",
        verbose_name=_("estate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def group(self) -> KindGroup:
        return group_of(self.kind)


class Delivery(models.Model):
    """One notification pushed through one channel (text message or WeChat), and how it went.

    ``queued`` → ``sending`` (claimed by one task) → ``sent`` or ``failed``; or ``skipped``
    with the reason. A transient error puts it back to ``queued`` with a later ``due_at``
    until ``MAX_ATTEMPTS``. ``digest`` marks deliveries held back to go as one message.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        WECHAT = "wechat", _("WeChat")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")

    class Reason(models.TextChoices):
        SWITCHED_OFF = "switched_off", _("The person switched this off")
        NO_PHONE = "no_phone", _("No mobile number on the account")
        SMS_NOT_CONFIGURED = "sms_not_configured", _("No text-message provider is set up")
        DEMO_NUMBER = "demo_number", _("A demo number: nothing is sent to it")
        WECHAT_NOT_CONFIGURED = "wechat_not_configured", _("WeChat is not set up on this site")
        NO_TEMPLATE = "no_template", _("No WeChat message template for this kind")
        NOT_BOUND = "not_bound", _("The account is not linked to WeChat")
        NOT_SUBSCRIBED = "not_subscribed", _("The person has not agreed to WeChat messages")
        GAVE_UP = "gave_up", _("Gave up after several tries")
        REFUSED = "refused", _("The provider refused the message")

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    digest = models.BooleanField(_("held for a digest"), default=False)
    due_at = models.DateTimeField(_("due"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "channel", "status", "due_at"], name="delivery_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} · {self.channel} · {self.status}"


def _all_groups() -> list[str]:
    return [group.value for group in KindGroup]


def _sms_default() -> list[str]:
    # Votes by text message unless the person turns it off: an owners' vote notice has legal
    # weight, and many owners do not open an app every day.
    return [KindGroup.VOTES.value]


DEFAULT_QUIET_START = datetime.time(22, 0)
DEFAULT_QUIET_END = datetime.time(7, 0)


class NotificationPreference(models.Model):
    """How one person wants to be told: channels per group, quiet hours, digest.

    The inbox always gets everything. Text messages are off until the person switches them
    on (each costs money and some people pay to receive them); WeChat messages are on, as
    WeChat asks the person's agreement for each kind anyway. Quiet hours are local times in
    the site's time zone (Asia/Shanghai); a start after the end spans midnight.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    sms_groups = models.JSONField(_("text messages for"), default=_sms_default, blank=True)
    wechat_groups = models.JSONField(_("WeChat messages for"), default=_all_groups, blank=True)
    quiet_hours = models.BooleanField(_("quiet hours"), default=True)
    quiet_start = models.TimeField(_("quiet from"), default=DEFAULT_QUIET_START)
    quiet_end = models.TimeField(_("quiet until"), default=DEFAULT_QUIET_END)
    digest = models.BooleanField(_("digest"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}"

    def wants(self, channel: str, group: str) -> bool:
        groups = self.sms_groups if channel == Delivery.Channel.SMS else self.wechat_groups
        return group in (groups or [])
