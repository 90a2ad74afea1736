"""The channels a notification travels through, behind one interface.

* ``InboxChannel``: always; the Notification row is the inbox entry, nothing is pushed.
* ``SmsChannel``: a text message through ``linju.accounts.sms`` to people who have a mobile
  number and switched text messages on for that kind.
* ``WeChatChannel``: a subscribe message through ``linju.wechat`` to people whose account is
  linked to the mini-program and who agreed to that template; off while the site has no WeChat
  app id and secret.

``skip_reason()`` says why a channel will not carry a message to a person (None: it will);
``send()`` pushes one message and raises ``Skipped``, ``TransientError`` (try again later) or
``PermanentError`` (give up) when it did not.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from linju.accounts.sms import SmsError, send_sms
from linju.notifications.models import Delivery, Notification, NotificationPreference
from linju.wechat import client as wechat
from linju.wechat import selectors as wechat_selectors
from linju.wechat import services as wechat_services

Reason = Delivery.Reason

SMS_MAX_CHARS = 200
WECHAT_THING_MAX_CHARS = 20  # WeChat's limit for "thing" fields of subscribe messages


class Skipped(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientError(Exception):
    """Sending failed in a way that may pass: try again later."""


class PermanentError(Exception):
    """Sending failed in a way that trying again will not fix."""


def language_of(user: Any) -> str:
    languages = dict(settings.LANGUAGES)
    return user.language if user.language in languages else settings.LANGUAGE_CODE


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Message:
    """What one push says: one notification, or a digest of several."""

    group: str
    created_at: datetime.datetime
    titles: tuple[str, ...]
    body: str = ""

    @classmethod
    def of(cls, notification: Notification) -> Message:
        return cls(
            group=notification.group,
            created_at=notification.created_at,
            titles=(notification.title,),
            body=notification.body,
        )

    @classmethod
    def digest_of(cls, notifications: Sequence[Notification]) -> Message:
        """Several notifications in one push; the newest names the group and the time."""
        if len(notifications) == 1:
            return cls.of(notifications[0])
        newest = max(notifications, key=lambda n: (n.created_at, n.pk))
        return cls(
            group=newest.group,
            created_at=newest.created_at,
            titles=tuple(n.title for n in notifications),
        )

    @property
    def is_digest(self) -> bool:
        return len(self.titles) > 1

    def headline(self) -> str:
        if not self.is_digest:
            return self.titles[0]
        count = len(self.titles)
        return ngettext(
            "%(count)d new message on Linju", "%(count)d new messages on Linju", count
        ) % {"count": count}

    def summary(self) -> str:
        if not self.is_digest:
            return self.body
        return gettext("; ").join(self.titles)


class Channel(ABC):
    name: ClassVar[str]

    @abstractmethod
    def skip_reason(
        self, user: Any, preferences: NotificationPreference, group: str
    ) -> str | None: ...

    @abstractmethod
    def send(self, user: Any, message: Message) -> None: ...


class InboxChannel(Channel):
    """The notification row is the inbox entry: nothing to push, never skipped."""

    name = "inbox"

    def skip_reason(self, user, preferences, group):
        return None

    def send(self, user, message):
        return None


class SmsChannel(Channel):
    name = Delivery.Channel.SMS

    def skip_reason(self, user, preferences, group):
        if not user.phone:
            return Reason.NO_PHONE
        if not preferences.wants(self.name, group):
            return Reason.SWITCHED_OFF
        if settings.LINJU_SMS_BACKEND == "refuse":
            return Reason.SMS_NOT_CONFIGURED
        return None

    def text(self, message: Message) -> str:
        if message.is_digest:
            text = gettext("%(headline)s: %(titles)s") % {
                "headline": message.headline(),
                "titles": message.summary(),
            }
        elif message.body:
            text = gettext("%(title)s: %(body)s") % {
                "title": message.headline(),
                "body": message.body,
            }
        else:
            text = message.headline()
        return _shorten(text, SMS_MAX_CHARS)

    def send(self, user, message):
        with translation.override(language_of(user)):
            text = self.text(message)
        try:
            sent = send_sms(phone=user.phone, message=text)
        except SmsError as exc:
            raise TransientError(str(exc)) from None
        if not sent:
            raise Skipped(Reason.DEMO_NUMBER)


class WeChatChannel(Channel):
    name = Delivery.Channel.WECHAT

    def skip_reason(self, user, preferences, group):
        if not wechat.is_configured():
            return Reason.WECHAT_NOT_CONFIGURED
        if not preferences.wants(self.name, group):
            return Reason.SWITCHED_OFF
        template_id = wechat_selectors.template_id_for(group)
        if not template_id:
            return Reason.NO_TEMPLATE
        identity = wechat_selectors.wechat_identity_of(user)
        if identity is None:
            return Reason.NOT_BOUND
        if wechat_selectors.subscription_remaining(identity, template_id) < 1:
            return Reason.NOT_SUBSCRIBED
        return None

    def data(self, message: Message) -> dict[str, str]:
        fields = settings.LINJU_WECHAT_TEMPLATE_FIELDS
        local = timezone.localtime(message.created_at)
        data = {
            fields["title"]: _shorten(message.headline(), WECHAT_THING_MAX_CHARS),
            fields["time"]: local.strftime("%Y-%m-%d %H:%M"),
        }
        if fields.get("body"):
            data[fields["body"]] = _shorten(message.summary() or "-", WECHAT_THING_MAX_CHARS)
        return data

    def send(self, user, message):
        template_id = wechat_selectors.template_id_for(message.group)
        identity = wechat_selectors.wechat_identity_of(user)
        if not wechat.is_configured():
            raise Skipped(Reason.WECHAT_NOT_CONFIGURED)
        if not template_id:
            raise Skipped(Reason.NO_TEMPLATE)
        if identity is None:
            raise Skipped(Reason.NOT_BOUND)
        language = language_of(user)
        with translation.override(language):
            data = self.data(message)
        try:
            wechat.client().subscribe_send(
                openid=identity.openid,
                template_id=template_id,
                data=data,
                lang="zh_CN" if language.startswith("zh") else "en_US",
            )
        except wechat.SubscriptionRefused:
            wechat_services.wechat_subscription_refused(identity=identity, template_id=template_id)
            raise Skipped(Reason.NOT_SUBSCRIBED) from None
        except wechat.WeChatNotConfigured:
            raise Skipped(Reason.WECHAT_NOT_CONFIGURED) from None
        except wechat.WeChatError as exc:
            if exc.transient:
                raise TransientError(str(exc)) from None
            raise PermanentError(str(exc)) from None
        wechat_services.wechat_subscription_use(identity=identity, template_id=template_id)


INBOX = InboxChannel()
PUSH_CHANNELS: tuple[Channel, ...] = (SmsChannel(), WeChatChannel())
CHANNELS: dict[str, Channel] = {channel.name: channel for channel in (INBOX, *PUSH_CHANNELS)}
