"""The WeChat client against the fake WeChat server: real HTTP on 127.0.0.1, no mocks."""

import pytest
from django.utils import translation

from linju.wechat import client
from linju.wechat.client import (
    Busy,
    InvalidCode,
    Misconfigured,
    RateLimited,
    Session,
    SubscriptionRefused,
    WeChatClient,
    WeChatNotConfigured,
    WeChatUnavailable,
)
from tests.fakes.wechat import SECRET, FakeWeChat


class TestCodeToSession:
    def test_a_known_code_gives_openid_unionid_and_session_key(self, fake_wechat):
        fake_wechat.codes["code-1"] = ("oOPENID0001", "oUNIONID0001")
        session = client.code_to_session("code-1")
        assert isinstance(session, Session)
        openid, unionid, session_key = session
        assert (openid, unionid) == ("oOPENID0001", "oUNIONID0001")
        assert session_key.startswith("SESSION-")
        (call,) = fake_wechat.calls("/sns/jscode2session")
        assert call.query == {
            "appid": fake_wechat.appid,
            "secret": SECRET,
            "js_code": "code-1",
            "grant_type": "authorization_code",
        }

    def test_without_an_open_platform_account_there_is_no_unionid(self, fake_wechat):
        fake_wechat.codes["code-2"] = ("oOPENID0002", None)
        assert client.code_to_session("code-2").unionid is None

    def test_an_unknown_code_is_invalid(self, fake_wechat):
        with pytest.raises(InvalidCode) as caught:
            client.code_to_session("never-issued")
        assert caught.value.errcode == 40029
        assert not caught.value.transient
        with translation.override("en"):
            assert caught.value.message == (
                "The WeChat sign-in code is invalid or has expired. Please try again."
            )

    def test_a_code_works_once(self, fake_wechat):
        fake_wechat.codes["code-3"] = ("oOPENID0003", None)
        client.code_to_session("code-3")
        with pytest.raises(InvalidCode) as caught:
            client.code_to_session("code-3")
        assert caught.value.errcode == 40163

    @pytest.mark.parametrize(
        ("errcode", "error"), [(45011, RateLimited), (-1, Busy), (500, WeChatUnavailable)]
    )
    def test_busy_and_rate_limited_are_transient(self, fake_wechat, errcode, error):
        fake_wechat.codes["code-4"] = ("oOPENID0004", None)
        fake_wechat.fail_next("jscode2session", errcode)
        with pytest.raises(error) as caught:
            client.code_to_session("code-4")
        assert caught.value.transient
        # The code was not used up: the same code works on the next try.
        assert client.code_to_session("code-4").openid == "oOPENID0004"

    @pytest.mark.parametrize(
        "code", ["", " ", "x" * 129, "代码", "a\nb", "a\x00b", None, 42], ids=repr
    )
    def test_a_malformed_code_is_refused_before_any_request(self, fake_wechat, code):
        with pytest.raises(InvalidCode):
            client.code_to_session(code)
        assert fake_wechat.requests == []

    def test_without_app_id_and_secret_nothing_is_asked(self, fake_wechat, settings):
        settings.LINJU_WECHAT_APPID = ""
        assert not client.is_configured()
        with pytest.raises(WeChatNotConfigured) as caught:
            client.code_to_session("code")
        with translation.override("en"):
            assert caught.value.message == "WeChat is not set up on this site."
        assert fake_wechat.requests == []

    def test_a_wrong_secret_needs_a_person_and_is_never_shown(self, fake_wechat, settings):
        settings.LINJU_WECHAT_SECRET = "wrong-secret-value"
        with pytest.raises(Misconfigured) as caught:
            client.code_to_session("code")
        assert caught.value.errcode == 40125
        assert "wrong-secret-value" not in str(caught.value)

    def test_an_unreachable_server_is_unavailable_and_the_secret_stays_out_of_it(self, settings):
        server = FakeWeChat().start()
        base = server.base_url
        server.stop()
        settings.LINJU_WECHAT_API_BASE = base
        settings.LINJU_WECHAT_APPID, settings.LINJU_WECHAT_SECRET = "wxapp", SECRET
        with pytest.raises(WeChatUnavailable) as caught:
            client.code_to_session("code")
        assert caught.value.transient
        assert SECRET not in str(caught.value)


class TestSubscribeSend:
    def _send(self, **overrides):
        values = {
            "openid": "oOPENID0001",
            "template_id": "TPL-default-notice",
            "data": {"thing1": "议事会通知", "time3": "2026-03-10 10:00"},
        }
        client.client().subscribe_send(**{**values, **overrides})

    def test_sends_the_message_as_wechat_expects_it(self, fake_wechat, settings):
        self._send(page="pages/inbox/index")
        (body,) = fake_wechat.sent
        assert body == {
            "touser": "oOPENID0001",
            "template_id": "TPL-default-notice",
            "data": {"thing1": {"value": "议事会通知"}, "time3": {"value": "2026-03-10 10:00"}},
            "miniprogram_state": "formal",
            "lang": "zh_CN",
            "page": "pages/inbox/index",
        }

    def test_the_access_token_is_fetched_once_and_reused(self, fake_wechat):
        self._send()
        self._send()
        assert len(fake_wechat.calls("/cgi-bin/stable_token")) == 1
        (token_call,) = fake_wechat.calls("/cgi-bin/stable_token")
        assert token_call.body == {
            "grant_type": "client_credential",
            "appid": fake_wechat.appid,
            "secret": SECRET,
            "force_refresh": False,
        }
        sends = fake_wechat.calls("/cgi-bin/message/subscribe/send")
        assert [s.query["access_token"] for s in sends] == [fake_wechat.token] * 2

    def test_an_expired_token_is_renewed_and_the_message_sent_once(self, fake_wechat):
        self._send()
        fake_wechat.expire_token()
        self._send()
        sends = fake_wechat.calls("/cgi-bin/message/subscribe/send")
        assert len(sends) == 3  # ok; 40001; ok with the new token
        assert len(fake_wechat.calls("/cgi-bin/stable_token")) == 2
        assert sends[1].query["access_token"] != sends[2].query["access_token"]
        assert len(fake_wechat.sent) == 2

    def test_a_refusal_by_the_person_is_its_own_error(self, fake_wechat):
        fake_wechat.fail_next("send", 43101)
        with pytest.raises(SubscriptionRefused) as caught:
            self._send()
        assert not caught.value.transient
        assert fake_wechat.sent == []

    @pytest.mark.parametrize(("errcode", "error"), [(-1, Busy), (45011, RateLimited)])
    def test_busy_and_rate_limits_are_transient(self, fake_wechat, errcode, error):
        fake_wechat.fail_next("send", errcode)
        with pytest.raises(error) as caught:
            self._send()
        assert caught.value.transient

    def test_a_token_that_cannot_be_had_is_an_error(self, fake_wechat):
        fake_wechat.fail_next("token", -1)
        with pytest.raises(Busy):
            self._send()
        assert fake_wechat.calls("/cgi-bin/message/subscribe/send") == []

    def test_tokens_are_cached_per_server_and_app(self, fake_wechat):
        self._send()
        other = FakeWeChat(appid="wxother000000001").start()
        try:
            WeChatClient(base_url=other.base_url, appid=other.appid, secret=SECRET).subscribe_send(
                openid="oOPENID0009", template_id="TPL", data={"thing1": "x"}
            )
        finally:
            other.stop()
        assert len(other.calls("/cgi-bin/stable_token")) == 1
        assert len(fake_wechat.calls("/cgi-bin/stable_token")) == 1
