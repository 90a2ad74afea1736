"""Which WeChat user (an openid of our mini-program) is which Linju account, and which
subscribe messages they have agreed to receive."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WeChatIdentity(models.Model):
    """A Linju account bound to the openid WeChat gives it inside one mini-program (appid).

    One account has at most one openid per mini-program, and an openid belongs to one account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="wechat_identities",
    )
    appid = models.CharField(_("mini-program app id"), max_length=40)
    openid = models.CharField(_("openid"), max_length=64)
    unionid = models.CharField(_("unionid"), max_length=64, blank=True)
    created = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        verbose_name = _("WeChat identity")
        verbose_name_plural = _("WeChat identities")
        constraints = [
            models.UniqueConstraint(fields=["appid", "openid"], name="wechat_openid_once"),
            models.UniqueConstraint(fields=["appid", "user"], name="wechat_one_openid_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · WeChat"


class WeChatSubscription(models.Model):
    """How many messages of one template the person has agreed to receive.

    A mini-program's subscribe message is one-off: each "allow" in WeChat's prompt lets the
    platform send one message of that template, so acceptances add up and each send uses one.
    """

    identity = models.ForeignKey(
        WeChatIdentity,
        verbose_name=_("WeChat identity"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    template_id = models.CharField(_("template id"), max_length=64)
    remaining = models.PositiveIntegerField(_("messages allowed"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("WeChat subscription")
        verbose_name_plural = _("WeChat subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["identity", "template_id"], name="wechat_subscription_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identity} · {self.template_id} × {self.remaining}"
