"""Reads for shared spaces: the week of slots of a room, bookings, spots and the waiting list.
Each comes from a fixed number of queries, however many slots, spots or households there are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from linju.community.models import Estate
from linju.core import permissions
from linju.spaces.models import Allocation, Booking, Space, Spot, WaitingEntry

WEEK_DAYS = 7


def spaces_of(*, actor: Any, estate: Estate) -> QuerySet[Space]:
    """The shared spaces of ``estate`` the actor may see."""
    return permissions.visible(
        actor,
        Space.objects.filter(estate=estate).select_related("building", "rules", "manager"),
    ).order_by("building__sort_key", "name", "pk")


def space_get(*, actor: Any, estate: Estate, space_id: int) -> Space:
    """A space of ``estate`` the actor may see; missing and hidden give the same 404."""
    space = permissions.get_visible_or_404(
        actor,
        Space.objects.select_related("estate", "building", "rules", "manager"),
        pk=space_id,
        estate=estate,
    )
    assert isinstance(space, Space)
    return space


def booking_get(*, actor: Any, estate: Estate, booking_id: int) -> Booking:
    booking = permissions.get_visible_or_404(
        actor,
        Booking.objects.select_related("space__estate", "booked_by", "flat"),
        pk=booking_id,
        space__estate=estate,
    )
    assert isinstance(booking, Booking)
    return booking


def waiting_entry_get(*, actor: Any, space: Space, entry_id: int) -> WaitingEntry:
    entry = permissions.get_visible_or_404(
        actor,
        WaitingEntry.objects.select_related("space__estate", "flat"),
        pk=entry_id,
        space=space,
    )
    assert isinstance(entry, WaitingEntry)
    return entry


def week_start(value: str | None) -> datetime.date:
    """The Monday of the week ``value`` (YYYY-MM-DD) falls in; this week when it is missing or
    not a date."""
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(value or "")
    except ValueError:
        day = today
    if abs((day - today).days) > 400:
        day = today
    return day - datetime.timedelta(days=day.weekday())


@dataclass
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    state: str  # "free", "taken", "mine", "past"
    booking: Booking | None = None

    @property
    def label(self) -> str:
        return f"{timezone.localtime(self.starts_at):%H:%M}"


@dataclass
class Day:
    date: datetime.date
    slots: list[Slot] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.date == timezone.localdate()

    @property
    def free(self) -> int:
        return sum(1 for s in self.slots if s.state == "free")


def week_of(*, actor: Any, space: Space, monday: datetime.date) -> list[Day]:
    """The seven days from ``monday``, each with the space's slots and whether each is free,
    taken, the actor's own, or past. One query for the week's bookings."""
    first = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    last = first + datetime.timedelta(days=WEEK_DAYS)
    bookings = list(
        Booking.objects.filter(
            space=space,
            status=Booking.Status.CONFIRMED,
            starts_at__lt=last,
            ends_at__gt=first,
        ).order_by("starts_at")
    )
    user_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    step = datetime.timedelta(minutes=space.slot_minutes)
    days = []
    for offset in range(WEEK_DAYS):
        date = monday + datetime.timedelta(days=offset)
        day = Day(date=date)
        start = timezone.make_aware(datetime.datetime.combine(date, space.opens_at))
        closes = timezone.make_aware(datetime.datetime.combine(date, space.closes_at))
        while start + step <= closes:
            end = start + step
            booking = next((b for b in bookings if b.starts_at < end and b.ends_at > start), None)
            if booking is not None:
                state = "mine" if booking.booked_by_id == user_id else "taken"
            elif start < now:
                state = "past"
            else:
                state = "free"
            day.slots.append(Slot(starts_at=start, ends_at=end, state=state, booking=booking))
            start = end
        days.append(day)
    return days


def my_bookings(*, actor: Any, estate: Estate) -> QuerySet[Booking]:
    """The actor's confirmed bookings in ``estate`` that have not ended, soonest first."""
    if not getattr(actor, "is_authenticated", False):
        return Booking.objects.none()
    return (
        Booking.objects.filter(
            booked_by=actor,
            space__estate=estate,
            status=Booking.Status.CONFIRMED,
            ends_at__gt=timezone.now(),
        )
        .select_related("space__estate")
        .order_by("starts_at", "pk")
    )


def space_bookings(*, space: Space, days: int = 14) -> QuerySet[Booking]:
    """The space's confirmed bookings from now for ``days`` days (the manager's list)."""
    now = timezone.now()
    return (
        Booking.objects.filter(
            space=space,
            status=Booking.Status.CONFIRMED,
            ends_at__gt=now,
            starts_at__lt=now + datetime.timedelta(days=days),
        )
        .select_related("booked_by", "flat__building", "flat__entrance")
        .order_by("starts_at", "pk")
    )


@dataclass
class SpotRow:
    spot: Spot
    allocation: Allocation | None


def spots_grid(*, space: Space) -> list[SpotRow]:
    """Every spot of the space with its current allocation (household by flat number)."""
    current = {
        a.spot_id: a
        for a in Allocation.objects.filter(space=space, ends_on__isnull=True).select_related(
            "flat__building", "flat__entrance"
        )
    }
    return [SpotRow(spot=s, allocation=current.get(s.pk)) for s in space.spots.order_by("label")]


def waiting_list(*, space: Space) -> list[WaitingEntry]:
    """The households waiting for a spot, first come first."""
    return list(
        WaitingEntry.objects.filter(space=space, left_at__isnull=True, served_at__isnull=True)
        .select_related("flat__building", "flat__entrance")
        .order_by("created_at", "pk")
    )


@dataclass
class Standing:
    """Where the actor's household stands in a space of spots."""

    allocation: Allocation | None = None
    entry: WaitingEntry | None = None
    position: int = 0


def my_standing(*, actor: Any, space: Space) -> Standing:
    """The actor's household's spot, or its place on the waiting list."""
    from linju.spaces.services import households_of

    flats = [f.pk for f in households_of(user=actor, space=space)]
    if not flats:
        return Standing()
    allocation = (
        Allocation.objects.filter(space=space, flat_id__in=flats, ends_on__isnull=True)
        .select_related("spot", "flat__building", "flat__entrance")
        .first()
    )
    if allocation is not None:
        return Standing(allocation=allocation)
    queue = waiting_list(space=space)
    for index, entry in enumerate(queue, start=1):
        if entry.flat_id in flats:
            return Standing(entry=entry, position=index)
    return Standing()
