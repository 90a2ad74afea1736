"""Binding accounts to WeChat, subscriptions, and the sign-in lookup the API builds on."""

import pytest
from django.core.exceptions import ValidationError

from linju.core.models import AuditEvent, SecurityEvent
from linju.wechat import client
from linju.wechat.models import WeChatIdentity, WeChatSubscription
from linju.wechat.selectors import (
    subscription_remaining,
    template_id_for,
    wechat_identity_for,
    wechat_identity_of,
)
from linju.wechat.services import (
    wechat_identity_bind,
    wechat_subscription_accept,
    wechat_subscription_refused,
    wechat_subscription_use,
)
from tests.factories import UserFactory
from tests.fakes.wechat import TEMPLATES

pytestmark = pytest.mark.django_db

OPENID = "oAbCdEfGhIjKlMnOpQrStUvWx123"


def _written():
    return (
        WeChatIdentity.objects.count(),
        WeChatSubscription.objects.count(),
        AuditEvent.objects.count(),
        SecurityEvent.objects.count(),
    )


class TestBind:
    def test_binds_audits_and_logs_a_security_event(self, fake_wechat):
        user = UserFactory()
        identity = wechat_identity_bind(user=user, openid=OPENID, unionid="uUNION123456")
        assert (identity.appid, identity.openid, identity.unionid) == (
            fake_wechat.appid,
            OPENID,
            "uUNION123456",
        )
        assert AuditEvent.objects.filter(action="wechat.bind", target_id=str(identity.pk)).exists()
        assert SecurityEvent.objects.filter(event="wechat.bind", user=user).exists()

    def test_binding_the_same_pair_again_changes_nothing(self, fake_wechat):
        user = UserFactory()
        first = wechat_identity_bind(user=user, openid=OPENID)
        before = _written()
        assert wechat_identity_bind(user=user, openid=OPENID) == first
        assert _written() == before

    def test_an_openid_of_another_account_is_refused(self, fake_wechat):
        wechat_identity_bind(user=UserFactory(), openid=OPENID)
        before = _written()
        with pytest.raises(ValidationError):
            wechat_identity_bind(user=UserFactory(), openid=OPENID)
        assert _written() == before

    def test_an_account_has_one_openid(self, fake_wechat):
        user = UserFactory()
        wechat_identity_bind(user=user, openid=OPENID)
        before = _written()
        with pytest.raises(ValidationError):
            wechat_identity_bind(user=user, openid="oAnotherOpenId000000000000000")
        assert _written() == before

    @pytest.mark.parametrize("openid", ["", "short", "<script>", "o" * 65, "o p e n i d 1"])
    def test_a_malformed_openid_is_refused(self, fake_wechat, openid):
        with pytest.raises(ValidationError):
            wechat_identity_bind(user=UserFactory(), openid=openid)
        assert _written() == (0, 0, 0, 0)

    def test_without_wechat_nothing_can_be_bound(self, settings):
        settings.LINJU_WECHAT_APPID = ""
        with pytest.raises(ValidationError):
            wechat_identity_bind(user=UserFactory(), openid=OPENID)
        assert _written() == (0, 0, 0, 0)


class TestSignInLookup:
    def test_code_to_session_then_the_binding_finds_the_account(self, fake_wechat):
        """What the API's WeChat sign-in does: exchange the code, look the openid up."""
        user = UserFactory()
        fake_wechat.codes["login-code"] = (OPENID, None)
        openid, unionid, _session_key = client.code_to_session("login-code")
        assert wechat_identity_for(openid) is None  # not yet bound: the API asks to bind
        wechat_identity_bind(user=user, openid=openid, unionid=unionid)
        found = wechat_identity_for(openid)
        assert found is not None and found.user == user
        assert wechat_identity_of(user) == found

    def test_another_mini_program_or_an_empty_openid_finds_nothing(self, fake_wechat):
        wechat_identity_bind(user=UserFactory(), openid=OPENID)
        assert wechat_identity_for(OPENID, appid="wxsomeoneelse00") is None
        assert wechat_identity_for("") is None


class TestSubscriptions:
    def test_each_allow_is_one_message_and_each_send_uses_one(self, fake_wechat):
        identity = wechat_identity_bind(user=UserFactory(), openid=OPENID)
        template = TEMPLATES["default"]
        wechat_subscription_accept(identity=identity, template_ids=[template, "TPL-unknown"])
        wechat_subscription_accept(identity=identity, template_ids=[template])
        assert subscription_remaining(identity, template) == 2
        assert subscription_remaining(identity, "TPL-unknown") == 0
        assert wechat_subscription_use(identity=identity, template_id=template)
        assert wechat_subscription_use(identity=identity, template_id=template)
        assert not wechat_subscription_use(identity=identity, template_id=template)
        assert subscription_remaining(identity, template) == 0

    def test_a_refusal_leaves_nothing(self, fake_wechat):
        identity = wechat_identity_bind(user=UserFactory(), openid=OPENID)
        template = TEMPLATES["votes"]
        for _ in range(3):
            wechat_subscription_accept(identity=identity, template_ids=[template])
        wechat_subscription_refused(identity=identity, template_id=template)
        assert subscription_remaining(identity, template) == 0

    def test_templates_by_kind_fall_back_to_the_default(self, fake_wechat, settings):
        assert template_id_for("votes") == TEMPLATES["votes"]
        assert template_id_for("home") == TEMPLATES["default"]
        settings.LINJU_WECHAT_TEMPLATES = {}
        assert template_id_for("home") == ""
