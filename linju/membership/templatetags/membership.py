"""Membership's parts of other apps' pages: my home, a person's and a flat's console pages."""

from typing import Any

from django import template

from linju.core import permissions
from linju.core.phones import mask_phone
from linju.membership import selectors
from linju.membership.services import is_owner

register = template.Library()


def _base(context: Any) -> dict[str, Any]:
    return {"request": context["request"], "csrf_token": context.get("csrf_token")}


def _mine(context: Any) -> selectors.MyMembership:
    """The person's membership, read once per page however many parts of it are shown."""
    request = context["request"]
    if not hasattr(request, "_linju_membership"):
        request._linju_membership = selectors.my_membership(user=request.user)
    return request._linju_membership


@register.inclusion_tag("membership/includes/my_requests.html", takes_context=True)
def my_join_requests(context: Any) -> dict[str, Any]:
    """The person's waiting and refused requests, and requests waiting for them to decide:
    at the top of their home page."""
    return {**_base(context), "m": _mine(context)}


@register.inclusion_tag("membership/includes/my_delegations.html", takes_context=True)
def my_delegations(context: Any) -> dict[str, Any]:
    """Whom the person acts for, and who acts for them: below their flats."""
    return {**_base(context), "m": _mine(context)}


@register.inclusion_tag("membership/includes/person_delegations.html", takes_context=True)
def person_delegations(context: Any, person: Any) -> dict[str, Any]:
    """A person's authorisations on their console page, for those who may see them."""
    user = context["request"].user
    found = selectors.person_delegations(person=person)
    return {
        **_base(context),
        "person": person,
        "estate": context.get("estate"),
        "given": [d for d in found["given"] if permissions.can(user, "view", d)],
        "received": [d for d in found["received"] if permissions.can(user, "view", d)],
        "may_record": permissions.can(user, "manage", person.estate) and is_owner(person),
    }


@register.inclusion_tag("membership/includes/flat_join_code.html", takes_context=True)
def flat_join_code(context: Any, flat: Any) -> dict[str, Any]:
    """The flat's join code on its console page, with the buttons to replace and print it."""
    user = context["request"].user
    may_view = permissions.can(user, "view", flat, model="join_code")
    return {
        **_base(context),
        "flat": flat,
        "estate": context.get("estate"),
        "may_view": may_view,
        "join_code": selectors.join_code_for_flat(flat=flat) if may_view else None,
    }


@register.filter
def masked_phone(phone: str | None) -> str:
    return mask_phone(phone or "")
