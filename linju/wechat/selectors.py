"""Reads of WeChat bindings and subscriptions."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from linju.wechat.models import WeChatIdentity, WeChatSubscription


def wechat_identity_for(openid: str, *, appid: str | None = None) -> WeChatIdentity | None:
    """The binding of ``openid`` in our mini-program (with its account), or None: the API's
    WeChat sign-in calls ``code_to_session`` and then this."""
    if not openid:
        return None
    return (
        WeChatIdentity.objects.select_related("user")
        .filter(appid=appid or settings.LINJU_WECHAT_APPID, openid=openid)
        .first()
    )


def wechat_identity_of(user: Any, *, appid: str | None = None) -> WeChatIdentity | None:
    """The account's binding in our mini-program, or None."""
    if user is None or not getattr(user, "pk", None):
        return None
    return WeChatIdentity.objects.filter(
        appid=appid or settings.LINJU_WECHAT_APPID, user=user
    ).first()


def template_id_for(group: str) -> str:
    """The subscribe-message template for a kind of notification ("" if none is set):
    ``LINJU_WECHAT_TEMPLATES[group]``, else its ``"default"``."""
    templates = settings.LINJU_WECHAT_TEMPLATES
    return str(templates.get(group) or templates.get("default") or "")


def subscription_remaining(identity: WeChatIdentity, template_id: str) -> int:
    """How many more messages of ``template_id`` the person has agreed to receive."""
    row = WeChatSubscription.objects.filter(identity=identity, template_id=template_id).first()
    return row.remaining if row else 0
