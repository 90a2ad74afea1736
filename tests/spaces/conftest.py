"""Spaces of ``world``'s estate ``here``: a bookable room for the whole estate, and a parking
area of building 1 with three spots, managed by a resident of building 1."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from linju.conventions.models import Convention
from linju.spaces import services
from linju.spaces.models import Space, Spot
from tests import factories as f


def at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """Local time ``hour``:``minute`` ``days`` from today (aware)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class Place:
    def __init__(self, world: Any) -> None:
        self.w = world
        self.staff = world.users["staff"]
        self.resident = world.users["resident"]  # lives in flat 1-101
        self.room = Space.objects.create(
            estate=world.here,
            name="大堂公共会客厅",
            kind=Space.Kind.ROOM,
            opens_at=datetime.time(8),
            closes_at=datetime.time(21),
            slot_minutes=60,
            max_booking_minutes=180,
        )
        self.neighbours = {}
        for number in ("102", "103", "104"):
            user = f.UserFactory(username=f"n{number}")
            person = f.PersonFactory(estate=world.here, full_name=f"邻居{number}", user=user)
            flat = f.FlatFactory(building=world.b1, number=number)
            f.OccupancyFactory(flat=flat, person=person)
            self.neighbours[number] = user
        self.manager = self.neighbours["104"]
        self.parking = Space.objects.create(
            estate=world.here,
            building=world.b1,
            name="1号楼 非机动车停放区",
            kind=Space.Kind.SPOTS,
            manager=self.manager,
        )
        self.spots = [Spot.objects.create(space=self.parking, label=f"A-0{i}") for i in (1, 2, 3)]

    def flat(self, number: str) -> Any:
        from linju.community.models import Flat

        return Flat.objects.get(building=self.w.b1, number=number)

    def book(self, user: Any = None, days: int = 1, start: int = 10, end: int = 11, **kw: Any):
        return services.booking_create(
            actor=user or self.resident,
            space=self.room,
            starts_at=at(days, start),
            ends_at=at(days, end),
            purpose=kw.get("purpose", ""),
        )

    def with_rules(self, space: Space) -> Convention:
        rules = Convention.objects.create(
            estate=self.w.here,
            building=space.building,
            kind=Convention.Kind.SPACE_RULES,
            title=f"{space.name} 使用公约",
        )
        space.rules = rules
        space.save(update_fields=["rules"])
        return rules


@pytest.fixture
def place(world):
    return Place(world)


@pytest.fixture
def accepted(monkeypatch):
    """Who has accepted which rules, standing in for the conventions app's read marks."""
    import linju.conventions.selectors as conventions

    marks: set[tuple[int, int]] = set()

    def convention_accepted(*, user: Any, convention: Any) -> bool:
        return (user.pk, convention.pk) in marks

    monkeypatch.setattr(conventions, "convention_accepted", convention_accepted)
    return marks
