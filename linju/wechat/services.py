"""Writes of WeChat bindings and subscriptions. Each is atomic; binding is audited and logged
as a security event (it is a way to sign in)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from linju.core import audit
from linju.wechat.models import WeChatIdentity, WeChatSubscription

# openids and unionids are 28 characters of base64url today; allow some room, nothing else.
_WECHAT_ID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
# One "allow" in WeChat's prompt is one message; nobody taps it a thousand times.
MAX_REMAINING = 1000


@transaction.atomic
def wechat_identity_bind(
    *, user: Any, openid: str, unionid: str | None = None, appid: str | None = None
) -> WeChatIdentity:
    """Bind ``user`` to ``openid`` of our mini-program (after ``code_to_session`` proved it).

    Binding the same pair again changes nothing. An openid already bound to another account,
    or an account already bound to another openid, is refused with a ValidationError.
    """
    appid = appid or settings.LINJU_WECHAT_APPID
    if not appid:
        raise ValidationError(_("WeChat is not set up on this site."))
    if not _WECHAT_ID.match(openid or "") or (unionid and not _WECHAT_ID.match(unionid)):
        raise ValidationError(_("WeChat sent an account id that Linju cannot use."))
    existing = WeChatIdentity.objects.select_for_update().filter(appid=appid, openid=openid).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise ValidationError(_("This WeChat account is already linked to another account."))
        if unionid and existing.unionid != unionid:
            existing.unionid = unionid
            existing.save(update_fields=["unionid"])
        return existing
    if WeChatIdentity.objects.filter(appid=appid, user=user).exists():
        raise ValidationError(_("Your account is already linked to another WeChat account."))
    identity = WeChatIdentity.objects.create(
        user=user, appid=appid, openid=openid, unionid=unionid or ""
    )
    audit.record(actor=user, action="wechat.bind", target=identity)
    audit.record_security(user=user, event="wechat.bind")
    return identity


@transaction.atomic
def wechat_subscription_accept(
    *, identity: WeChatIdentity, template_ids: list[str]
) -> list[WeChatSubscription]:
    """Record that the person tapped "allow" for each of ``template_ids`` (one message each).

    Only the templates this site uses are recorded; others are ignored.
    """
    known = {str(t) for t in settings.LINJU_WECHAT_TEMPLATES.values() if t}
    rows = []
    for template_id in dict.fromkeys(template_ids):
        if template_id not in known:
            continue
        row, _created = WeChatSubscription.objects.select_for_update().get_or_create(
            identity=identity, template_id=template_id
        )
        row.remaining = min(row.remaining + 1, MAX_REMAINING)
        row.save(update_fields=["remaining", "updated_at"])
        rows.append(row)
    if rows:
        audit.record(
            actor=identity.user,
            action="wechat.subscribe",
            target=identity,
            changes={"templates": [row.template_id for row in rows]},
        )
    return rows


def wechat_subscription_use(*, identity: WeChatIdentity, template_id: str) -> bool:
    """Use up one allowed message after WeChat accepted it; False if none was left."""
    return bool(
        WeChatSubscription.objects.filter(
            identity=identity, template_id=template_id, remaining__gt=0
        ).update(remaining=F("remaining") - 1)
    )


def wechat_subscription_refused(*, identity: WeChatIdentity, template_id: str) -> None:
    """WeChat says the person no longer accepts this template (43101): nothing is left."""
    WeChatSubscription.objects.filter(identity=identity, template_id=template_id).update(
        remaining=0
    )
