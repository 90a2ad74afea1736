"""A small client for the WeChat server APIs the mini-program needs.

* ``code_to_session(js_code)``: the mini-program's ``wx.login()`` code → openid, unionid (if the
  mini-program belongs to an open-platform account) and session key (``sns/jscode2session``);
* ``subscribe_send(...)``: one subscribe message (``cgi-bin/message/subscribe/send``);
* the access token those calls need, from ``cgi-bin/stable_token``, cached per process until
  shortly before it expires. The *stable* token is used because ``cgi-bin/token`` hands out a
  new token on every call and so invalidates the one another process (the worker, a second
  web process) is still using.

The base URL comes from ``LINJU_WECHAT_API_BASE``; the app id and secret come from the
environment only (``LINJU_WECHAT_APPID``, ``LINJU_WECHAT_SECRET``). Without them the client
refuses with ``WeChatNotConfigured`` and the WeChat channel is off.

Every failure is a ``WeChatError`` carrying WeChat's ``errcode``; ``transient`` says whether
trying again later may succeed; ``message`` is a sentence for people.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, NamedTuple

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# WeChat answers in a few hundred bytes; anything far larger is not WeChat.
MAX_RESPONSE_BYTES = 256 * 1024
# Refresh a token this long before WeChat says it expires.
TOKEN_MARGIN_SECONDS = 300
# A wx.login() code is a short string of visible ASCII; anything else is refused unasked.
_CODE = re.compile(r"[\x21-\x7e]{1,128}")


class WeChatError(Exception):
    """WeChat refused or could not be reached."""

    transient = False
    default_message = _("WeChat could not complete the request.")

    def __init__(self, detail: str = "", *, errcode: int | None = None) -> None:
        super().__init__(detail or str(self.default_message))
        self.errcode = errcode
        self.detail = detail

    @property
    def message(self) -> str:
        return str(self.default_message)


class WeChatNotConfigured(WeChatError):
    default_message = _("WeChat is not set up on this site.")


class WeChatUnavailable(WeChatError):
    """The network, a timeout, an HTTP error or an answer that is not WeChat's JSON."""

    transient = True
    default_message = _("WeChat cannot be reached at the moment. Please try again later.")


class InvalidCode(WeChatError):
    """40029 (invalid code), 40163 (code already used)."""

    default_message = _("The WeChat sign-in code is invalid or has expired. Please try again.")


class RateLimited(WeChatError):
    """45011: too many requests a minute (45009: the daily quota)."""

    transient = True
    default_message = _("Too many requests to WeChat. Please wait a minute and try again.")


class Busy(WeChatError):
    """-1: WeChat's system is busy."""

    transient = True
    default_message = _("WeChat is busy. Please try again in a moment.")


class RiskyUser(WeChatError):
    """40226: WeChat blocks this user's sign-in as high-risk."""

    default_message = _("WeChat did not allow this sign-in.")


class InvalidToken(WeChatError):
    """40001, 40014, 42001: the access token is invalid or expired (the client refreshes it)."""

    transient = True


class SubscriptionRefused(WeChatError):
    """43101: the person has not (or no longer) agreed to receive this message."""

    default_message = _("The person has not agreed to receive this WeChat message.")


class Misconfigured(WeChatError):
    """A wrong app id or secret, template id or message data: fixing it takes a person."""

    default_message = _("WeChat refused the request: the site's WeChat settings need checking.")


ERRCODES: dict[int, type[WeChatError]] = {
    -1: Busy,
    40001: InvalidToken,
    40014: InvalidToken,
    42001: InvalidToken,
    40029: InvalidCode,
    40163: InvalidCode,
    40226: RiskyUser,
    45009: RateLimited,
    45011: RateLimited,
    43101: SubscriptionRefused,
}


class Session(NamedTuple):
    """What ``sns/jscode2session`` returns. Keep ``session_key`` on the server side only."""

    openid: str
    unionid: str | None
    session_key: str


_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def forget_tokens() -> None:
    """Drop every cached access token (tests; after the secret was changed)."""
    with _tokens_lock:
        _tokens.clear()


def is_configured() -> bool:
    return bool(settings.LINJU_WECHAT_APPID and settings.LINJU_WECHAT_SECRET)


class WeChatClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        appid: str | None = None,
        secret: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.base_url = (base_url or settings.LINJU_WECHAT_API_BASE).rstrip("/")
        self.appid = settings.LINJU_WECHAT_APPID if appid is None else appid
        self.secret = settings.LINJU_WECHAT_SECRET if secret is None else secret
        self.timeout = settings.LINJU_WECHAT_TIMEOUT if timeout is None else timeout

    @property
    def configured(self) -> bool:
        return bool(self.appid and self.secret)

    def _require_configured(self) -> None:
        if not self.configured:
            raise WeChatNotConfigured("LINJU_WECHAT_APPID and LINJU_WECHAT_SECRET are not set")

    # --- HTTP ---------------------------------------------------------------------------------

    def _call(
        self, path: str, *, query: dict[str, str] | None = None, body: dict | None = None
    ) -> dict[str, Any]:
        """One request; WeChat's JSON answer, or the WeChatError its errcode names.

        Error details never contain the URL: ``jscode2session`` carries the secret in it.
        """
        url = f"{self.base_url}/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = urllib.request.Request(  # noqa: S310 - the base URL is ours, from settings
            url, data=data, headers=headers, method="POST" if body is not None else "GET"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise WeChatUnavailable(f"{path}: HTTP {exc.code}") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise WeChatUnavailable(f"{path}: {type(exc).__name__}: {reason}") from None
        if len(raw) > MAX_RESPONSE_BYTES:
            raise WeChatUnavailable(f"{path}: answer too large")
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise WeChatUnavailable(f"{path}: the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise WeChatUnavailable(f"{path}: unexpected answer")
        errcode = answer.get("errcode", 0)
        if errcode:
            error_class = ERRCODES.get(errcode, Misconfigured)
            errmsg = str(answer.get("errmsg", ""))[:200]
            raise error_class(f"{path}: {errcode} {errmsg}", errcode=errcode)
        return answer

    # --- Access token -------------------------------------------------------------------------

    def access_token(self, *, refresh: bool = False) -> str:
        """A valid access token, from this process's cache unless ``refresh``."""
        self._require_configured()
        key = (self.base_url, self.appid)
        now = time.monotonic()
        with _tokens_lock:
            cached = _tokens.get(key)
            if cached and not refresh and cached[1] > now:
                return cached[0]
        answer = self._call(
            "cgi-bin/stable_token",
            body={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
                "force_refresh": False,
            },
        )
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise WeChatUnavailable("cgi-bin/stable_token: no access_token in the answer")
        try:
            lifetime = int(answer.get("expires_in", 7200))
        except (TypeError, ValueError):
            lifetime = 7200
        with _tokens_lock:
            _tokens[key] = (token, now + max(lifetime - TOKEN_MARGIN_SECONDS, 60))
        return token

    def _with_token(self, path: str, body: dict) -> dict[str, Any]:
        """Call with the access token; once more with a fresh one if WeChat says it expired."""
        try:
            return self._call(path, query={"access_token": self.access_token()}, body=body)
        except InvalidToken:
            token = self.access_token(refresh=True)
            return self._call(path, query={"access_token": token}, body=body)

    # --- The APIs -----------------------------------------------------------------------------

    def code_to_session(self, js_code: str) -> Session:
        """Exchange a ``wx.login()`` code for the person's openid (``sns/jscode2session``).

        Raises ``InvalidCode`` for a malformed, unknown, expired or used code, ``RateLimited``,
        ``Busy`` or ``WeChatUnavailable`` when trying again later may help.
        """
        self._require_configured()
        code = js_code if isinstance(js_code, str) else ""
        if not _CODE.fullmatch(code):
            raise InvalidCode("malformed code", errcode=40029)
        answer = self._call(
            "sns/jscode2session",
            query={
                "appid": self.appid,
                "secret": self.secret,
                "js_code": code,
                "grant_type": "authorization_code",
            },
        )
        openid = answer.get("openid")
        session_key = answer.get("session_key")
        if not isinstance(openid, str) or not openid or not isinstance(session_key, str):
            raise WeChatUnavailable("sns/jscode2session: no openid in the answer")
        unionid = answer.get("unionid")
        return Session(
            openid, unionid if isinstance(unionid, str) and unionid else None, session_key
        )

    def subscribe_send(
        self,
        *,
        openid: str,
        template_id: str,
        data: dict[str, str],
        page: str = "",
        state: str | None = None,
        lang: str = "zh_CN",
    ) -> None:
        """Send one subscribe message; ``data`` maps the template's keys to their values."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
            "miniprogram_state": state or settings.LINJU_WECHAT_MINIPROGRAM_STATE,
            "lang": lang,
        }
        if page:
            body["page"] = page
        self._with_token("cgi-bin/message/subscribe/send", body)


def client() -> WeChatClient:
    """A client configured from settings."""
    return WeChatClient()


def code_to_session(js_code: str) -> Session:
    """``(openid, unionid or None, session_key)`` for a mini-program login code."""
    return client().code_to_session(js_code)
