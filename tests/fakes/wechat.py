"""A fake WeChat API server: real HTTP on 127.0.0.1, an ephemeral port, its own thread.

It implements what Linju calls: ``cgi-bin/stable_token`` (and ``cgi-bin/token``),
``cgi-bin/message/subscribe/send`` and ``sns/jscode2session``, with WeChat's JSON answers and
errcodes, and records every request. Behaviours are set on the object:

* ``codes``: the ``wx.login()`` codes it knows, ``code → (openid, unionid or None)``; a code
  works once (a second use is 40163), an unknown code is 40029;
* ``fail_next(endpoint, errcode, times=1)``: the next answers of ``"token"``, ``"send"`` or
  ``"jscode2session"`` are that errcode (-1 busy, 45011 rate limited, 43101 refused, …);
  errcode ``500`` answers HTTP 500 instead;
* ``expire_token()``: the current access token stops working (the next send is 40001) and
  the next token request hands out a new one.

The ``fake_wechat`` fixture starts a server and points the settings at it (API base, app id,
secret, one template per kind of notification); import it in a ``conftest.py``.
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

APPID = "wxfake0123456789"
SECRET = "fake-secret-not-real"
TEMPLATES = {
    "default": "TPL-default-notice",
    "votes": "TPL-votes",
}

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40013: "invalid appid",
    40029: "invalid code",
    40125: "invalid appsecret",
    40163: "code been used",
    43101: "user refuse to accept the msg",
    45011: "api minute-quota reach limit mustslower retry next minute",
}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeWeChat:
    appid: str = APPID
    secret: str = SECRET
    codes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    # The subscribe messages WeChat accepted, as sent.
    sent: list[dict[str, Any]] = field(default_factory=list)
    tokens_issued: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, deque[int]] = defaultdict(deque)
        self._used_codes: set[str] = set()
        self._serial = itertools.count(1)
        self.token = ""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- Behaviours ---------------------------------------------------------------------------

    def fail_next(self, endpoint: str, errcode: int, times: int = 1) -> None:
        assert endpoint in ("token", "send", "jscode2session"), endpoint
        with self._lock:
            self._failures[endpoint].extend([errcode] * times)

    def expire_token(self) -> None:
        with self._lock:
            self._expired = self.token

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    # --- Server -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeWeChat:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                fake._handle(self, None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw.decode("utf-8")) if raw else {}
                except (UnicodeDecodeError, json.JSONDecodeError):
                    body = {"_unparsable": raw.decode("latin-1")}
                fake._handle(self, body)

        self._expired = ""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- Endpoints ----------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, body: dict | None) -> None:
        parsed = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(parsed.query))
        with self._lock:
            self.requests.append(Recorded(handler.command, parsed.path, query, body))
            status, answer = self._answer(handler.command, parsed.path, query, body)
        payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _failure(self, endpoint: str) -> tuple[int, dict] | None:
        queue = self._failures[endpoint]
        if not queue:
            return None
        errcode = queue.popleft()
        if errcode == 500:
            return 500, {"error": "internal"}
        return 200, {"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error")}

    @staticmethod
    def _error(errcode: int) -> tuple[int, dict]:
        return 200, {"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error")}

    def _answer(
        self, method: str, path: str, query: dict[str, str], body: dict | None
    ) -> tuple[int, dict]:
        if path in ("/cgi-bin/stable_token", "/cgi-bin/token"):
            params = body if method == "POST" and body is not None else query
            return self._token(params)
        if path == "/cgi-bin/message/subscribe/send" and method == "POST":
            return self._send(query, body or {})
        if path == "/sns/jscode2session" and method == "GET":
            return self._jscode2session(query)
        return 404, {"errcode": 404, "errmsg": "not found"}

    def _token(self, params: dict) -> tuple[int, dict]:
        if failure := self._failure("token"):
            return failure
        if params.get("grant_type") != "client_credential" or params.get("appid") != self.appid:
            return self._error(40013)
        if params.get("secret") != self.secret:
            return self._error(40125)
        if not self.token or self.token == self._expired:
            self.tokens_issued += 1
            self.token = f"TOKEN-{self.tokens_issued}-{next(self._serial)}"
        return 200, {"access_token": self.token, "expires_in": 7200}

    def _send(self, query: dict[str, str], body: dict) -> tuple[int, dict]:
        token = query.get("access_token", "")
        if not token or token != self.token or token == self._expired:
            return self._error(40001)
        if failure := self._failure("send"):
            return failure
        if not body.get("touser") or not body.get("template_id") or "data" not in body:
            return 200, {"errcode": 47003, "errmsg": "argument invalid!"}
        self.sent.append(body)
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": next(self._serial)}

    def _jscode2session(self, query: dict[str, str]) -> tuple[int, dict]:
        if query.get("appid") != self.appid:
            return self._error(40013)
        if query.get("secret") != self.secret:
            return self._error(40125)
        if failure := self._failure("jscode2session"):
            return failure
        code = query.get("js_code", "")
        if code in self._used_codes:
            return self._error(40163)
        if code not in self.codes or query.get("grant_type") != "authorization_code":
            return self._error(40029)
        self._used_codes.add(code)
        openid, unionid = self.codes[code]
        answer = {"openid": openid, "session_key": f"SESSION-{next(self._serial)}"}
        if unionid:
            answer["unionid"] = unionid
        return 200, answer


@pytest.fixture
def fake_wechat(settings):
    """A running fake WeChat server; the settings point Linju's WeChat client at it."""
    from linju.wechat import client

    server = FakeWeChat().start()
    settings.LINJU_WECHAT_API_BASE = server.base_url
    settings.LINJU_WECHAT_APPID = server.appid
    settings.LINJU_WECHAT_SECRET = server.secret
    settings.LINJU_WECHAT_TEMPLATES = dict(TEMPLATES)
    settings.LINJU_WECHAT_TIMEOUT = 5
    client.forget_tokens()
    try:
        yield server
    finally:
        server.stop()
        client.forget_tokens()
