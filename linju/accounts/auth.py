"""django-axes wired to Linju: password failures counted per account, refusals as pages.

* ``LockoutBackend`` comes first in AUTHENTICATION_BACKENDS and refuses a locked-out account
  before any password is checked. Without a request (management commands, the shell) there is
  no client to count, so it stands aside; every page and API sign-in passes its request.
* ``lockout_key`` is what axes counts failures under: the account's sign-in name whether the
  person typed it or the account's phone in any form, so ``13800138000``, ``+86 138 0013 8000``
  and the sign-in name share one counter. Unknown names count under what was typed (a phone
  in E.164), so known and unknown accounts lock out alike.
* ``lockout_response`` keeps the page our view rendered (the sign-in form with the message,
  status 429) and gives any other caller a plain 429 page.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from linju.core.phones import normalise_phone


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request: Any, username: Any = None, password: Any = None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_key(request: HttpRequest, credentials: dict | None) -> str:
    typed = str((credentials or {}).get("username") or "")
    if not typed and request is not None:
        typed = str(request.POST.get("username", ""))
    user_model = get_user_model()
    user = user_model.objects.filter(username=typed).only("username").first()
    if user is None and (phone := normalise_phone(typed)):
        user = user_model.objects.filter(phone=phone).only("username").first()
        if user is None:
            return phone
    return user.get_username() if user is not None else typed[:150]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    if original_response is not None and original_response.status_code == 429:
        return original_response
    if request.path.startswith("/api/"):
        message = _("Too many wrong passwords. Please try again later.")
        return JsonResponse({"detail": str(message)}, status=429)
    return render(request, "accounts/locked_out.html", status=429)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the pages, the API and axes all count it.

    ``REMOTE_ADDR``, which RequestIdMiddleware sets to the client's address behind a reverse
    proxy listed in ``LINJU_TRUSTED_PROXIES``."""
    return request.META.get("REMOTE_ADDR") or None
