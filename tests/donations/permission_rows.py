"""Rows of the permission matrix (tests/core/test_permissions.py) for the foundation's money:
the rules on the foundation's account, donations and the street's own fund, and every page and
API URL of the app. ``world.here``'s street has the ``foundation`` officer; ``world.there`` is
in another street."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from linju.donations import services
from linju.donations.models import Donation, FoundationAccount
from linju.funding.models import Fund

ROLES = (
    "anonymous",
    "outsider",
    "resident",
    "leader",
    "leader_other_building",
    "staff",
    "owners_committee",
    "property",
    "foundation",
    "admin",
    "staff_other_estate",
)
EVERYONE = frozenset(ROLES)
OFFICERS = frozenset({"foundation", "admin"})
ADMIN = frozenset({"admin"})

OBJECTS: dict[str, Callable[[Any], Any]] = {
    "foundation_street_here": lambda w: w.here.street,
    "foundation_street_there": lambda w: w.there.street,
    "foundation_account_here": lambda w: FoundationAccount(street=w.here.street),
    "foundation_account_there": lambda w: FoundationAccount(street=w.there.street),
    "donation_here": lambda w: Donation(street=w.here.street),
    "donation_there": lambda w: Donation(street=w.there.street),
    "street_fund_here": lambda w: Fund(street=w.here.street, treasurer=w.users["foundation"]),
    "street_fund_there": lambda w: Fund(street=w.there.street, treasurer=w.users["admin"]),
}

RULE_ROWS = [
    ("foundation_account", "create", "foundation_account_here", OFFICERS),
    ("foundation_account", "create", "foundation_account_there", ADMIN),
    ("foundation_account", "view_dashboard", "foundation_street_here", OFFICERS),
    ("foundation_account", "view_dashboard", "foundation_street_there", ADMIN),
    ("donation", "record", "donation_here", OFFICERS),
    ("donation", "record", "donation_there", ADMIN),
    ("donation", "view", "donation_here", OFFICERS),
    ("donation", "view", "donation_there", ADMIN),
    # A street's fund (its foundation's money) is kept by its officers; no estate role reaches
    # it, and nobody pledges to it (the platform admin's blanket rule aside).
    ("fund", "view", "street_fund_here", OFFICERS),
    ("fund", "create", "street_fund_here", OFFICERS),
    ("fund", "record", "street_fund_here", OFFICERS),
    ("fund", "record", "street_fund_there", ADMIN),
    ("fund", "pledge", "street_fund_here", ADMIN),
]


def _account(w: Any) -> FoundationAccount:
    found = FoundationAccount.objects.filter(street=w.here.street).first()
    return found or services.foundation_account_create(
        actor=w.users["foundation"], street=w.here.street, name="万里社区基金会"
    )


def _donation(w: Any) -> Donation:
    _account(w)
    return Donation.objects.first() or services.donation_record(
        actor=w.users["foundation"],
        street=w.here.street,
        donor_name="陈建国",
        amount="100.00",
        received_on=timezone.localdate(),
        method="cash",
    )


def _street(w: Any) -> list[Any]:
    return [w.here.street.slug]


def _with_account(w: Any) -> list[Any]:
    _account(w)
    return [w.here.street.slug]


def _with_donation(w: Any) -> list[Any]:
    return [w.here.street.slug, _donation(w).pk]


def _table(status: int, allowed: frozenset[str], anonymous: int = 302) -> dict[str, int]:
    return {
        role: status if role in allowed else (anonymous if role == "anonymous" else 404)
        for role in ROLES
    }


def _count(model: Any) -> Callable[[Any], int]:
    return lambda w: model.objects.count()


page = _table(200, OFFICERS)
acted = _table(302, OFFICERS)
api = {role: 401 for role in ROLES}

URL_ROWS: dict[str, dict[str, Any]] = {
    "foundation_account_setup": {
        "args": _street,
        "GET": page,
        "POST": {
            "data": lambda w: {"name": "万里社区基金会"},
            "expect": acted,
            "state": _count(FoundationAccount),
            "writes": OFFICERS,
        },
    },
    "foundation_dashboard": {"args": _street, "GET": page},
    "foundation_dashboard_xlsx": {"args": _street, "GET": page},
    "foundation_fund": {"args": _with_account, "GET": page},
    "foundation_donations": {"args": _with_account, "GET": page},
    "foundation_donation_create": {
        "args": _with_account,
        "GET": page,
        "POST": {
            "data": lambda w: {
                "donor_name": "王丽娟",
                "donor_kind": "person",
                "amount": "500.00",
                "received_on": timezone.localdate().isoformat(),
                "method": "cash",
            },
            "expect": acted,
            "state": _count(Donation),
            "writes": OFFICERS,
        },
    },
    "foundation_receipt_pdf": {"args": _with_donation, "GET": page},
    "foundation_receipt_send": {
        "args": _with_donation,
        "GET": page,
        "POST": {
            "data": lambda w: {"email": "donor@example.com"},
            "expect": acted,
            "state": lambda w: list(Donation.objects.values_list("receipt_sent_to", flat=True)),
            "writes": OFFICERS,
        },
    },
    "foundation_receipt_check": {
        "args": lambda w: [w.here.street.slug, _donation(w).token],
        "GET": _table(200, EVERYONE),
    },
    "api:foundation_donations": {"args": _street, "GET": api},
    "api:foundation_donation_create": {"args": _street, "POST": {"expect": api}},
    "api:foundation_dashboard": {"args": _street, "GET": api},
}
