"""Rows of the permission matrix (``tests/core/test_permissions.py``) for shared spaces: the
objects rules are asked about, the rule table and each URL × role."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from linju.spaces.models import Allocation, Booking, Space, Spot, WaitingEntry

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
SIGNED_IN = EVERYONE - {"anonymous"}
NOBODY: frozenset[str] = frozenset()
MANAGERS_HERE = frozenset({"staff", "admin"})
MANAGERS_THERE = frozenset({"staff_other_estate", "admin"})
MEMBERS_HERE = MANAGERS_HERE | {
    "owners_committee",
    "property",
    "resident",
    "leader",
    "leader_other_building",
}
# The resident lives in building 1; the leader of building 1 does not live there.
BOOKERS_HERE = frozenset({"resident", "staff", "admin"})


def expect(
    status: int | set[int], allowed: frozenset[str], *, denied: int = 404, anonymous: int = 302
) -> dict[str, Any]:
    return {
        role: status if role in allowed else anonymous if role == "anonymous" else denied
        for role in ROLES
    }


POST_ONLY = expect(405, SIGNED_IN)
API_ONLY = expect(401, EVERYONE, anonymous=401)


def _space(w: Any, *, estate: Any = None, building: Any = None, kind: str = "room", **kw: Any):
    return Space(estate=estate or w.here, building=building, name="会客厅", kind=kind, **kw)


def _room(w: Any) -> Space:
    return Space.objects.create(estate=w.here, name="大堂公共会客厅")


def _parking(w: Any) -> Space:
    space = Space.objects.create(
        estate=w.here, building=w.b1, name="1号楼 非机动车停放区", kind=Space.Kind.SPOTS
    )
    Spot.objects.create(space=space, label="A-01")
    return space


def _tomorrow_at(hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _booking_of_resident(w: Any) -> Booking:
    return Booking.objects.create(
        space=_room(w),
        booked_by=w.users["resident"],
        flat=w.flat1,
        starts_at=_tomorrow_at(10),
        ends_at=_tomorrow_at(11),
    )


def _waiting_of_flat1(w: Any) -> WaitingEntry:
    return WaitingEntry.objects.create(space=_parking(w), flat=w.flat1, person=w.person1)


def _allocation(w: Any) -> Allocation:
    space = _parking(w)
    return Allocation.objects.create(space=space, spot=space.spots.get(), flat=w.flat1)


OBJECTS: dict[str, Any] = {
    "space_here": lambda w: _space(w),
    "space_b1": lambda w: _space(w, building=w.b1),
    "space_b2": lambda w: _space(w, building=w.b2),
    "space_there": lambda w: _space(w, estate=w.there),
    "space_managed_by_resident": lambda w: _space(w, manager=w.users["resident"]),
    "booking_of_resident": _booking_of_resident,
    "waiting_of_flat1": _waiting_of_flat1,
}

RULE_ROWS = [
    ("space", "view", "space_here", MEMBERS_HERE),
    ("space", "view", "space_there", MANAGERS_THERE),
    ("space", "create", "space_here", MANAGERS_HERE),
    ("space", "create", "space_there", MANAGERS_THERE),
    ("space", "change", "space_here", MANAGERS_HERE),
    ("space", "change", "space_managed_by_resident", MANAGERS_HERE | {"resident"}),
    ("space", "change", "space_there", MANAGERS_THERE),
    ("space", "manage", "space_here", MANAGERS_HERE),
    ("space", "manage", "space_managed_by_resident", MANAGERS_HERE | {"resident"}),
    ("space", "manage", "space_there", MANAGERS_THERE),
    ("space", "book", "space_here", BOOKERS_HERE),
    ("space", "book", "space_b1", BOOKERS_HERE | {"leader"}),
    ("space", "book", "space_b2", MANAGERS_HERE | {"leader_other_building"}),
    ("space", "book", "space_there", MANAGERS_THERE),
    ("space", "join_waiting", "space_here", frozenset({"resident"})),
    ("space", "join_waiting", "space_b1", frozenset({"resident"})),
    ("space", "join_waiting", "space_b2", NOBODY),
    ("space", "join_waiting", "space_there", NOBODY),
    ("booking", "cancel", "booking_of_resident", BOOKERS_HERE),
    ("waiting_entry", "leave", "waiting_of_flat1", BOOKERS_HERE),
]


def _room_args(w: Any) -> list[Any]:
    return ["here", _room(w).pk]


def _parking_args(w: Any) -> list[Any]:
    return ["here", _parking(w).pk]


SPACE_FORM = {
    "name": "二楼活动室",
    "kind": "room",
    "opens_at": "09:00",
    "closes_at": "18:00",
    "slot_minutes": "60",
    "max_booking_minutes": "120",
}

URL_ROWS: dict[str, dict[str, Any]] = {
    "spaces": {"args": lambda w: ["here"], "GET": expect(200, MEMBERS_HERE)},
    "my_bookings": {"args": lambda w: ["here"], "GET": expect(200, MEMBERS_HERE)},
    "space_detail": {"args": _room_args, "GET": expect(200, MEMBERS_HERE)},
    "space_accept_rules": {
        "args": _room_args,
        "GET": POST_ONLY,
        "POST": {"data": lambda w: {}, "expect": expect(302, MEMBERS_HERE)},
    },
    # Without a slot chosen the booking page sends the booker back to the week.
    "space_book": {
        "args": _room_args,
        "GET": expect(302, BOOKERS_HERE),
        "POST": {
            "data": lambda w: {"starts_at": _tomorrow_at(10).isoformat(), "slots": "1"},
            "expect": expect(302, BOOKERS_HERE),
            "state": lambda w: Booking.objects.count(),
            "writes": BOOKERS_HERE,
        },
    },
    "space_booking_cancel": {
        "args": lambda w: ["here", _booking_of_resident(w).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, BOOKERS_HERE),
            "state": lambda w: list(Booking.objects.values_list("status", flat=True)),
            "writes": BOOKERS_HERE,
        },
    },
    "space_waiting_join": {
        "args": _parking_args,
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, frozenset({"resident"})),
            "state": lambda w: WaitingEntry.objects.count(),
            "writes": frozenset({"resident"}),
        },
    },
    "space_waiting_leave": {
        "args": lambda w: ["here", (e := _waiting_of_flat1(w)).space_id, e.pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, BOOKERS_HERE),
            "state": lambda w: WaitingEntry.objects.filter(left_at__isnull=True).count(),
            "writes": BOOKERS_HERE,
        },
    },
    "space_create": {
        "args": lambda w: ["here"],
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: SPACE_FORM,
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Space.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "space_console": {"args": _parking_args, "GET": expect(200, MANAGERS_HERE)},
    "space_edit": {
        "args": _room_args,
        "GET": expect(200, MANAGERS_HERE),
        "POST": {
            "data": lambda w: SPACE_FORM,
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: list(Space.objects.values_list("name", flat=True)),
            "writes": MANAGERS_HERE,
        },
    },
    "space_spots_add": {
        "args": _parking_args,
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"labels": "A-02~A-04"},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Spot.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "space_allocate": {
        "args": _parking_args,
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {"spot": Spot.objects.get().pk, "flat": w.flat1.pk},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Allocation.objects.count(),
            "writes": MANAGERS_HERE,
        },
    },
    "space_allocation_end": {
        "args": lambda w: ["here", (a := _allocation(w)).space_id, a.pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, MANAGERS_HERE),
            "state": lambda w: Allocation.objects.filter(ends_on__isnull=True).count(),
            "writes": MANAGERS_HERE,
        },
    },
    # The API answers bearer tokens only (tests/spaces/test_api.py has the roles).
    "api:space_list": {"args": lambda w: [], "GET": API_ONLY},
    "api:space_my_bookings": {"args": lambda w: [], "GET": API_ONLY},
    "api:space_detail": {"args": lambda w: [1], "GET": API_ONLY},
    "api:space_booking_create": {
        "args": lambda w: [1],
        "POST": {"data": lambda w: {}, "expect": API_ONLY},
    },
    "api:space_booking_cancel": {
        "args": lambda w: [1],
        "POST": {"data": lambda w: {}, "expect": API_ONLY},
    },
    "api:space_waiting_join": {
        "args": lambda w: [1],
        "POST": {"data": lambda w: {}, "expect": API_ONLY},
    },
    "api:space_waiting_leave": {"args": lambda w: [1, 1], "GET": expect(405, EVERYONE)},
    "api:space_allocations": {"args": lambda w: [1], "GET": API_ONLY},
    "api:space_allocation_create": {
        "args": lambda w: [1],
        "POST": {"data": lambda w: {}, "expect": API_ONLY},
    },
    "api:space_allocation_end": {
        "args": lambda w: [1, 1],
        "POST": {"data": lambda w: {}, "expect": API_ONLY},
    },
}
