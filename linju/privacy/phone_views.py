"""Every time staff are shown someone's full phone number, the security log says so.

The ``{% phone %}`` tag notes each full number it shows on the request; after the page is
rendered, ``FullPhoneAuditMiddleware`` writes one security event per estate: ``person <id>``
for a single number, ``people list: <n> numbers`` for a list. So a page of fifty people costs
one write, and a number shown twice on one page counts once. A person's own number, shown to
themself, is not recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from linju.core import audit, permissions

_ATTR = "_linju_full_phones"


def full_phone_shown(request: HttpRequest | None, person: Any) -> None:
    """Note that ``request``'s user was shown ``person``'s full number."""
    if request is None or person.pk is None:
        return
    user = getattr(request, "user", None)
    if user is None or person.pk in permissions.actor_for(user).person_ids:
        return
    shown: dict[int, set[int]] = request.__dict__.setdefault(_ATTR, {})
    shown.setdefault(person.estate_id, set()).add(person.pk)


def full_phones_record(request: HttpRequest) -> None:
    """Write the security events for the full numbers ``request`` showed, and forget them."""
    shown: dict[int, set[int]] = request.__dict__.pop(_ATTR, {})
    if not shown:
        return
    from linju.community.models import Estate

    estates = Estate.objects.in_bulk(list(shown))
    for estate_id, person_ids in shown.items():
        if len(person_ids) == 1:
            detail = f"person {next(iter(person_ids))}"
        else:
            detail = f"people list: {len(person_ids)} numbers"
        audit.record_security(
            user=request.user, event="phone.view_full", detail=detail, estate=estates.get(estate_id)
        )


class FullPhoneAuditMiddleware:
    """Records the full phone numbers a page showed, once the page is rendered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        full_phones_record(request)
        return response
