"""Demo shared spaces: building 17's non-motor-vehicle parking area (24 spots, every one
taken, three households waiting, managed by a resident of 17, its rules the convention the
conventions demo made) and building 2's lobby living room (bookable by the hour, 8:00–21:00,
with bookings this week and next).

Bookings and allocations are written as they would stand after weeks of use (some start in the
past, which the services would refuse today), so the rows are created directly.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from linju.community.models import Building, Estate, Occupancy, Person, Role
from linju.core import audit
from linju.spaces.models import Allocation, Booking, Space, Spot, WaitingEntry

SEED = 1717
PARKING_NAME = "17号楼 非机动车停放区"
PARKING_RULES_TITLE = "17号楼 非机动车停放区 使用公约"
LOUNGE_NAME = "2号楼 大堂公共会客厅"
SPOTS = 24
ALLOCATED = SPOTS  # all taken: a household waits only when no spot is free
WAITING = 3
PURPOSES = [
    "楼组议事会",
    "孙女生日聚会",
    "书法兴趣小组",
    "老年合唱排练",
    "邻里茶话会",
    "业主代表碰头会",
    "小朋友绘本共读",
    "象棋比赛",
    "社区志愿者培训",
]


def _account(person: Person) -> Any:
    """The person's account, made for the demo if they have none (they sign in by phone)."""
    if person.user_id is not None:
        return person.user
    users = get_user_model().objects
    username = f"resident-{person.pk}"
    user = users.filter(username=username).first()
    if user is None:
        user = users.create(
            username=username, display_name=person.full_name, phone=person.phone or None
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Person.objects.filter(pk=person.pk).update(user=user)
    return user


def _households(building: Building) -> list[tuple[Any, Person]]:
    """(flat, an adult living there) for each occupied flat of ``building``, by flat number."""
    seen: dict[int, tuple[Any, Person]] = {}
    for occupancy in (
        Occupancy.objects.current()
        .filter(flat__building=building, person__is_minor=False)
        .select_related("flat__building", "flat__entrance", "person__user")
        .order_by("flat__entrance__number", "flat__number", "pk")
    ):
        seen.setdefault(occupancy.flat_id, (occupancy.flat, occupancy.person))
    return list(seen.values())


def _staff(estate: Estate) -> Any:
    role = (
        Role.objects.current()
        .filter(estate=estate, kind=Role.Kind.COMMITTEE_STAFF)
        .select_related("user")
        .first()
    )
    return role.user if role else None


def _rules(estate: Estate) -> Any:
    from django.apps import apps

    if not apps.is_installed("linju.conventions"):
        return None
    convention = apps.get_model("conventions", "Convention")
    return convention.objects.filter(estate=estate, title=PARKING_RULES_TITLE).first()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def demo_spaces(estate: Estate) -> list[Space]:
    """Make the two demo spaces of ``estate`` (run after the conventions demo, whose parking
    rules it links when they exist). Returns the spaces."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    staff = _staff(estate)
    b17 = Building.objects.get(estate=estate, number="17")
    b2 = Building.objects.get(estate=estate, number="2")
    households = _households(b17)
    demo_user = get_user_model().objects.filter(username="resident17").first()
    others = [h for h in households if h[1].user_id is None or h[1].user != demo_user]
    rng.shuffle(others)
    manager_person = others[0][1]
    parking = Space.objects.create(
        estate=estate,
        building=b17,
        name=PARKING_NAME,
        kind=Space.Kind.SPOTS,
        description=(
            "17号楼北侧车棚，供本楼居民停放电动自行车、自行车和儿童推车。"
            "车位按户分配，每户一个；车位已满时可登记排队，空出的车位按登记先后分配。"
        ),
        rules=_rules(estate),
        manager=_account(manager_person),
    )
    spots = Spot.objects.bulk_create(
        Spot(space=parking, label=f"A-{n:02d}") for n in range(1, SPOTS + 1)
    )
    today = timezone.localdate()
    allocated = others[:ALLOCATED]
    Allocation.objects.bulk_create(
        Allocation(
            space=parking,
            spot=spot,
            flat=flat,
            person=person,
            starts_on=today - datetime.timedelta(days=rng.randint(30, 700)),
        )
        for spot, (flat, person) in zip(spots, allocated, strict=False)
    )
    # The demo resident is second in the queue, so their page shows the waiting list at work.
    waiting = others[ALLOCATED : ALLOCATED + WAITING - 1]
    mine = [h for h in households if demo_user is not None and h[1].user_id == demo_user.pk]
    waiting = waiting[:1] + mine[:1] + waiting[1:] if mine else others[ALLOCATED : ALLOCATED + 3]
    now = timezone.now()
    for days, (flat, person) in zip((41, 23, 9), waiting, strict=False):
        WaitingEntry.objects.create(
            space=parking, flat=flat, person=person, created_at=now - datetime.timedelta(days=days)
        )
    lounge = Space.objects.create(
        estate=estate,
        building=b2,
        name=LOUNGE_NAME,
        kind=Space.Kind.ROOM,
        description=(
            "2号楼一楼大堂改造后的公共会客厅，有沙发、长桌和投影，可坐十余人。"
            "楼组开会、邻里聚会、兴趣小组活动均可预约，用后请恢复桌椅、关灯关空调。"
        ),
        manager=staff,
        opens_at=datetime.time(8),
        closes_at=datetime.time(21),
        slot_minutes=60,
        max_booking_minutes=180,
    )
    b2_people = [_account(person) for _flat, person in _households(b2)[:12]]
    monday = today - datetime.timedelta(days=today.weekday())
    taken: set[tuple[datetime.date, int]] = set()
    for offset in range(14):
        day = monday + datetime.timedelta(days=offset)
        for _ in range(rng.randint(1, 3)):
            hour = rng.choice([9, 10, 14, 15, 16, 18, 19])
            length = rng.choice([1, 1, 2])
            if any((day, h) in taken for h in range(hour, hour + length)) or hour + length > 21:
                continue
            taken.update((day, h) for h in range(hour, hour + length))
            Booking.objects.create(
                space=lounge,
                booked_by=rng.choice(b2_people) if b2_people else staff,
                starts_at=_at(day, hour),
                ends_at=_at(day, hour + length),
                purpose=rng.choice(PURPOSES),
                created_at=now - datetime.timedelta(days=rng.randint(1, 6)),
            )
    for space in (parking, lounge):
        audit.record(actor=None, action="demo.space", target=space)
    return [parking, lounge]
