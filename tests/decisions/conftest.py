"""A building of owners as the Civil Code counts them, and helpers to move a decision through
its lifecycle without waiting out the notice period."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from linju.community.models import Owner, OwnerMember
from linju.decisions import services
from linju.decisions.models import Decision
from tests import factories as f


class Block:
    """Building 17 of estate ``here`` (the world's estate): six flats, five owner entities.

    - 17-101 (100.00 m²) and 17-102 (50.00 m²): one buyer, 老王 → one head, 150.00 m²
    - 17-201 (80.00 m²): co-owners 张 and 李, 李 named to vote
    - 17-202 (70.00 m²) and 17-301 (60.00 m²): the developer, unsold → one head, 130.00 m²
    - 17-302 (40.00 m²): 陈, who has an account
    - 17-401 (60.00 m²): no owner recorded yet → its own head

    Total: 5 heads, 460.00 m².
    """

    def __init__(self, world):
        estate = world.here
        self.world = world
        self.estate = estate
        self.building = f.BuildingFactory(estate=estate, number="17", sort_key=17)
        self.flats = {}
        for number, area in (
            ("101", "100.00"),
            ("102", "50.00"),
            ("201", "80.00"),
            ("202", "70.00"),
            ("301", "60.00"),
            ("302", "40.00"),
            ("401", "60.00"),
        ):
            self.flats[number] = f.FlatFactory(
                building=self.building, number=number, area=Decimal(area)
            )
        self.users = {}
        self.people = {}
        for key, name in (("wang", "老王"), ("zhang", "张"), ("li", "李"), ("chen", "陈")):
            user = f.UserFactory(username=f"owner_{key}")
            self.users[key] = user
            self.people[key] = f.PersonFactory(estate=estate, full_name=name, user=user)
        wang = self._owner("老王", [self.people["wang"]], ["101", "102"])
        joint = self._owner(
            "张、李", [self.people["zhang"], self.people["li"]], ["201"], kind=Owner.Kind.JOINT
        )
        joint.voter = self.people["li"]
        joint.save()
        self.developer = self._owner("开发商", [], ["202", "301"], kind=Owner.Kind.DEVELOPER)
        chen = self._owner("陈", [self.people["chen"]], ["302"])
        self.owners = {"wang": wang, "joint": joint, "chen": chen}
        for key, flat in (("wang", "101"), ("zhang", "201"), ("li", "201"), ("chen", "302")):
            f.OccupancyFactory(flat=self.flats[flat], person=self.people[key])
        self.staff = world.users["staff"]
        self.committee = world.users["owners_committee"]

    def _owner(self, name, people, flats, kind=Owner.Kind.PERSON):
        owner = Owner.objects.create(estate=self.estate, name=name, kind=kind)
        for person in people:
            OwnerMember.objects.create(estate=self.estate, owner=owner, person=person)
        for number in flats:
            flat = self.flats[number]
            flat.owner = owner
            flat.save()
        return owner

    def draft(self, **values) -> Decision:
        now = timezone.now()
        defaults = {
            "kind": Decision.Kind.OWNERS,
            "title": "17号楼大堂改造",
            "matter": 7,
            "buildings": [self.building],
            "opens_at": now + datetime.timedelta(days=16),
            "closes_at": now + datetime.timedelta(days=30),
        }
        defaults.update(values)
        return services.decision_create(actor=self.staff, estate=self.estate, **defaults)

    def announced(self, **values) -> Decision:
        return services.decision_announce(actor=self.staff, decision=self.draft(**values))

    def opened(self, **values) -> Decision:
        decision = self.announced(**values)
        move(decision, opens_at=-1)
        return services.decision_open(actor=self.staff, decision=decision)

    def closed(self, decision: Decision) -> Decision:
        move(decision, closes_at=-1)
        return services.decision_close(actor=self.staff, decision=decision)


def move(decision: Decision, **minutes_from_now: int) -> None:
    """Set ``opens_at``/``closes_at`` to now plus the given minutes (negative: in the past),
    as if the notice period had run."""
    now = timezone.now()
    values = {
        field: now + datetime.timedelta(minutes=minutes)
        for field, minutes in minutes_from_now.items()
    }
    Decision.objects.filter(pk=decision.pk).update(**values)
    decision.refresh_from_db()


@pytest.fixture
def block(world):
    return Block(world)
