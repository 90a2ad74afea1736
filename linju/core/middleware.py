"""Request id, language cookie, large-text preference, and bad input mapped to 4xx."""

import re
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from linju.core.audit import current_client_ip, current_request_id, record_security

LARGE_TEXT_COOKIE = "linju_large_text"
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")


def _client_address(request) -> str:
    """The client's address. Behind a reverse proxy listed in LINJU_TRUSTED_PROXIES, the last
    address the proxy appended to X-Forwarded-For (a client can forge the earlier ones)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.LINJU_TRUSTED_PROXIES:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1]
    return remote


class RequestIdMiddleware:
    """A request id for the audit log; the client's real address for every limit and log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META["REMOTE_ADDR"] = _client_address(request)
        # A proxy's id is kept only if it is plain; anything else gets our own.
        request_id = request.headers.get("X-Request-Id", "")
        if not _PLAIN_ID.fullmatch(request_id):
            request_id = uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        ip_token = current_client_ip.set(request.META.get("REMOTE_ADDR", ""))
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
            current_client_ip.reset(ip_token)
        response["X-Request-Id"] = request_id
        return response


class LanguageCookieMiddleware:
    """Chinese unless the person chose English: the choice is a cookie, never a URL prefix.

    The browser's Accept-Language is deliberately ignored: a phone set to English in a
    Shanghai estate still gets the Chinese the committee writes in, until the person switches.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in supported and request.path.startswith("/api/"):
            # The mini-program has no cookie jar: it says its language in the header.
            language = translation.get_language_from_request(request)
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary = response.get("Vary", "")
        if "Cookie" not in patch_vary:
            response["Vary"] = f"{patch_vary}, Cookie" if patch_vary else "Cookie"
        translation.deactivate()
        return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseNulMiddleware:
    """Refuse input holding a NUL character before any view sees it: no text field may hold
    one, and PostgreSQL would reject it with a database error deep inside a write.

    Query strings, forms and JSON bodies are checked here. The body is read first, so the view
    can still read it (and its files) afterwards; bodies larger than Django's in-memory limit
    (file uploads) are left to their forms' fields, which refuse NUL characters themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            refused = self._holds_nul(request)
        except MultiPartParserError:
            return self._refuse(request, _("The request could not be read."))
        if refused:
            return self._refuse(request, _("The form contained a character that is not allowed."))
        return self.get_response(request)

    @staticmethod
    def _holds_nul(request) -> bool:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        small = size <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request.content_type == "application/json" and small:
            return b"\x00" in request.body or b"\\u0000" in request.body
        form = request.method == "POST" and small and request.content_type in FORM_TYPES
        if form:
            request.body  # noqa: B018 - cache the body so the view can read it again
        sources = [request.GET] + ([request.POST] if form else [])
        return any(
            "\x00" in key or any("\x00" in v for v in values)
            for data in sources
            for key, values in data.lists()
        )

    @staticmethod
    def _refuse(request, message):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(message)}, status=400)
        return render(request, "errors/400.html", {"messages_list": [message]}, status=400)


class PreferencesMiddleware:
    """Large-text mode from the account (if signed in) or the cookie; maps bad input to 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.large_text:
            request.large_text = True
        else:
            request.large_text = request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            detail = exception.args[1] if len(exception.args) > 1 else request.path
            record_security(user=request.user, event="permission.denied", detail=str(detail))
            return None  # Django answers 403 as usual
        if isinstance(exception, ValidationError):
            return render(
                request, "errors/400.html", {"messages_list": exception.messages}, status=400
            )
        return None
