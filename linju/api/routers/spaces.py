"""Shared spaces for the mini-program: the spaces of an estate, a space with its week of slots,
booking and cancelling, the waiting list, and (for the manager) allocations. Thin over the
spaces selectors and services; refusals are those of the pages (422 with the reason, 403, and
the same 404 for missing and hidden)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from linju.api.api import bearer
from linju.api.schemas import ErrorOut
from linju.community import selectors as community_selectors
from linju.community.models import Estate, Flat
from linju.core import permissions
from linju.spaces import selectors, services
from linju.spaces.models import Allocation, Booking, Space, Spot, WaitingEntry

router = Router(auth=bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class SpaceQuery(Schema):
    estate: str


class WeekQuery(Schema):
    week: str | None = None


class SpaceItemOut(Schema):
    id: int
    estate: str
    building: str | None
    name: str
    kind: str
    kind_label: str
    rules: int | None
    rules_title: str | None
    opens_at: str
    closes_at: str
    slot_minutes: int
    max_booking_minutes: int


class SlotOut(Schema):
    starts_at: str
    ends_at: str
    state: str


class DayOut(Schema):
    date: str
    slots: list[SlotOut]


class StandingOut(Schema):
    spot: str | None = None
    waiting_position: int | None = None
    waiting_entry: int | None = None


class SpaceOut(SpaceItemOut):
    description: str
    rules_accepted: bool
    can_book: bool
    can_manage: bool
    week: list[DayOut] | None = None
    standing: StandingOut | None = None


class BookingIn(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    purpose: str = ""


class BookingOut(Schema):
    id: int
    space: int
    space_name: str
    starts_at: str
    ends_at: str
    purpose: str
    status: str


class WaitingOut(Schema):
    id: int
    space: int
    flat: str
    position: int | None
    joined_at: str


class AllocationIn(Schema):
    spot: int
    flat: int


class AllocationOut(Schema):
    id: int
    spot: str
    flat: str
    starts_on: str
    ends_on: str | None


class SpotOut(Schema):
    id: int
    label: str
    allocation: AllocationOut | None


class EndOut(Schema):
    given: AllocationOut | None


class ConsoleOut(Schema):
    spots: list[SpotOut]
    waiting: list[WaitingOut]


def _estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "view", estate, model="space"):
        raise Http404
    return estate


def _space(request: HttpRequest, space_id: int) -> Space:
    estate = Estate.objects.filter(spaces__pk=space_id).first() if 0 < space_id <= MAX_ID else None
    if estate is None:
        raise Http404
    return selectors.space_get(
        actor=request.user, estate=_estate(request, estate.slug), space_id=space_id
    )


def _item(space: Space) -> dict[str, Any]:
    return {
        "id": space.pk,
        "estate": space.estate.slug,
        "building": space.building.number if space.building else None,
        "name": space.name,
        "kind": space.kind,
        "kind_label": space.get_kind_display(),
        "rules": space.rules_id,
        "rules_title": space.rules.title if space.rules else None,
        "opens_at": f"{space.opens_at:%H:%M}",
        "closes_at": f"{space.closes_at:%H:%M}",
        "slot_minutes": space.slot_minutes,
        "max_booking_minutes": space.max_booking_minutes,
    }


def _booking(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "space": booking.space_id,
        "space_name": booking.space.name,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
        "purpose": booking.purpose,
        "status": booking.status,
    }


def _allocation(allocation: Allocation) -> dict[str, Any]:
    return {
        "id": allocation.pk,
        "spot": allocation.spot.label,
        "flat": allocation.flat.label,
        "starts_on": allocation.starts_on.isoformat(),
        "ends_on": allocation.ends_on.isoformat() if allocation.ends_on else None,
    }


def _waiting(entry: WaitingEntry, position: int | None) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "space": entry.space_id,
        "flat": entry.flat.label,
        "position": position,
        "joined_at": entry.created_at.isoformat(),
    }


@router.get(
    "",
    response={200: list[SpaceItemOut], **READ_ERRORS},
    summary="An estate's shared spaces (members of the estate)",
)
def space_list(request: HttpRequest, filters: Query[SpaceQuery]):
    estate = _estate(request, filters.estate)
    spaces = selectors.spaces_of(actor=request.user, estate=estate).select_related("estate")
    return [SpaceItemOut(**_item(s)) for s in spaces]


@router.get(
    "/bookings/mine",
    response={200: list[BookingOut], **READ_ERRORS},
    summary="The caller's bookings in an estate that have not ended",
)
def space_my_bookings(request: HttpRequest, filters: Query[SpaceQuery]):
    estate = _estate(request, filters.estate)
    return [
        BookingOut(**_booking(b)) for b in selectors.my_bookings(actor=request.user, estate=estate)
    ]


@router.get(
    "/{space_id}",
    response={200: SpaceOut, **READ_ERRORS},
    summary="A space: a room's week of slots (free, taken, mine, past), or for a space of "
    "spots, the caller's spot or place on the waiting list",
)
def space_detail(request: HttpRequest, space_id: int, query: Query[WeekQuery]):
    space = _space(request, space_id)
    body: dict[str, Any] = {
        **_item(space),
        "description": space.description,
        "rules_accepted": services.rules_accepted(user=request.user, space=space),
        "can_book": permissions.can(request.user, "book", space),
        "can_manage": permissions.can(request.user, "manage", space),
    }
    if space.is_room:
        monday = selectors.week_start(query.week)
        body["week"] = [
            {
                "date": day.date.isoformat(),
                "slots": [
                    {
                        "starts_at": s.starts_at.isoformat(),
                        "ends_at": s.ends_at.isoformat(),
                        "state": s.state,
                    }
                    for s in day.slots
                ],
            }
            for day in selectors.week_of(actor=request.user, space=space, monday=monday)
        ]
    else:
        standing = selectors.my_standing(actor=request.user, space=space)
        body["standing"] = {
            "spot": standing.allocation.spot.label if standing.allocation else None,
            "waiting_position": standing.position or None,
            "waiting_entry": standing.entry.pk if standing.entry else None,
        }
    return SpaceOut(**body)


@router.post(
    "/{space_id}/bookings",
    response={201: BookingOut, **WRITE_ERRORS},
    summary="Book a room: whole slots within opening hours, not overlapping, rules accepted",
)
def space_booking_create(request: HttpRequest, space_id: int, payload: BookingIn):
    space = _space(request, space_id)
    booking = services.booking_create(
        actor=request.user,
        space=space,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        purpose=payload.purpose,
    )
    return Status(201, BookingOut(**_booking(booking)))


@router.post(
    "/bookings/{booking_id}/cancel",
    response={200: BookingOut, **WRITE_ERRORS},
    summary="Cancel a booking (the person who booked, the manager, committee staff)",
)
def space_booking_cancel(request: HttpRequest, booking_id: int):
    if not 0 < booking_id <= MAX_ID:
        raise Http404
    found = Booking.objects.filter(pk=booking_id).select_related("space__estate").first()
    if found is None:
        raise Http404
    estate = _estate(request, found.space.estate.slug)
    booking = selectors.booking_get(actor=request.user, estate=estate, booking_id=booking_id)
    booking = services.booking_cancel(actor=request.user, booking=booking)
    return BookingOut(**_booking(booking))


@router.post(
    "/{space_id}/waiting",
    response={201: WaitingOut, **WRITE_ERRORS},
    summary="Put the caller's household on the waiting list for a spot",
)
def space_waiting_join(request: HttpRequest, space_id: int):
    space = _space(request, space_id)
    entry = services.waiting_join(actor=request.user, space=space)
    position = len(selectors.waiting_list(space=space))
    return Status(201, WaitingOut(**_waiting(entry, position)))


@router.delete(
    "/{space_id}/waiting/{entry_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Take a household off the waiting list",
)
def space_waiting_leave(request: HttpRequest, space_id: int, entry_id: int):
    space = _space(request, space_id)
    if not 0 < entry_id <= MAX_ID:
        raise Http404
    entry = selectors.waiting_entry_get(actor=request.user, space=space, entry_id=entry_id)
    services.waiting_leave(actor=request.user, entry=entry)
    return Status(204, None)


def _managed(request: HttpRequest, space_id: int) -> Space:
    space = _space(request, space_id)
    permissions.require(request.user, "manage", space)
    return space


@router.get(
    "/{space_id}/allocations",
    response={200: ConsoleOut, **WRITE_ERRORS},
    summary="The manager's view: every spot with its household, and the waiting list in order",
)
def space_allocations(request: HttpRequest, space_id: int):
    space = _managed(request, space_id)
    return ConsoleOut(
        spots=[
            SpotOut(
                id=row.spot.pk,
                label=row.spot.label,
                allocation=AllocationOut(**_allocation(row.allocation)) if row.allocation else None,
            )
            for row in selectors.spots_grid(space=space)
        ],
        waiting=[
            WaitingOut(**_waiting(entry, n))
            for n, entry in enumerate(selectors.waiting_list(space=space), start=1)
        ],
    )


@router.post(
    "/{space_id}/allocations",
    response={201: AllocationOut, **WRITE_ERRORS},
    summary="Give a free spot to a household (manager, committee staff)",
)
def space_allocation_create(request: HttpRequest, space_id: int, payload: AllocationIn):
    space = _managed(request, space_id)
    if not (0 < payload.spot <= MAX_ID and 0 < payload.flat <= MAX_ID):
        raise Http404
    spot = Spot.objects.filter(space=space, pk=payload.spot).first()
    flat = Flat.objects.filter(estate_id=space.estate_id, pk=payload.flat).first()
    if spot is None or flat is None:
        raise Http404
    allocation = services.allocation_create(actor=request.user, spot=spot, flat=flat)
    return Status(201, AllocationOut(**_allocation(allocation)))


@router.post(
    "/{space_id}/allocations/{allocation_id}/end",
    response={200: EndOut, **WRITE_ERRORS},
    summary="End an allocation; the spot goes to the household first on the waiting list "
    "(answered with that new allocation, or null when nobody was waiting)",
)
def space_allocation_end(request: HttpRequest, space_id: int, allocation_id: int):
    space = _managed(request, space_id)
    if not 0 < allocation_id <= MAX_ID:
        raise Http404
    allocation = Allocation.objects.filter(space=space, pk=allocation_id).first()
    if allocation is None:
        raise Http404
    given = services.allocation_end(actor=request.user, allocation=allocation)
    return EndOut(given=AllocationOut(**_allocation(given)) if given else None)
