"""Discussions on the world's estate, and the small things tests need.

discussion_of(world)                 # an open discussion of building 1, started by the leader
statement_of(discussion, "…")        # an accepted statement (status=... for others)
voters(world, 20)                    # twenty more residents of building 1, with accounts
planted_votes(discussion, users, statements)   # two clear camps plus a shared view
"""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from linju.community.models import Building
from linju.opinions.models import Discussion, Statement, StatementVote
from linju.opinions.services import normalised
from tests.factories import FlatFactory, OccupancyFactory, PersonFactory, UserFactory

_made = itertools.count(1)


def discussion_of(world: Any, building: Building | str | None = "b1", **values: Any) -> Discussion:
    """A discussion (open unless ``status`` says otherwise) of building 1, or of ``building``
    (None: the whole estate), written directly."""
    target = world.b1 if building == "b1" else building
    estate = values.pop("estate", target.estate if target is not None else world.here)
    status = values.pop("status", Discussion.Status.OPEN)
    return Discussion.objects.create(
        estate=estate,
        building=target,
        question=values.pop("question", "电动车停放区应该有哪些规则？"),
        created_by=values.pop("created_by", world.user("leader")),
        status=status,
        opens_at=values.pop("opens_at", timezone.now() if status != "draft" else None),
        **values,
    )


def statement_of(
    discussion: Discussion, text: str, *, author: Any = None, status: str = "accepted"
) -> Statement:
    return Statement.objects.create(
        discussion=discussion,
        author=author,
        text=text,
        normalised=normalised(text),
        status=status,
    )


def voters(world: Any, count: int, building: Building | None = None) -> list[Any]:
    """``count`` more residents (with accounts) of ``building`` (building 1)."""
    building = world.b1 if building is None else building
    made = []
    for _ in range(count):
        n = next(_made)
        user = UserFactory(username=f"voter{n}", display_name=f"邻居{n}")
        person = PersonFactory(estate=building.estate, full_name=f"邻居{n}", user=user)
        flat = FlatFactory(building=building, number=f"{500 + n}")
        OccupancyFactory(flat=flat, person=person)
        made.append(user)
    return made


def vote(statement: Statement, user: Any, value: int) -> StatementVote:
    return StatementVote.objects.create(
        discussion=statement.discussion, statement=statement, participant=user, vote=value
    )


def planted_votes(users: list[Any], statements: list[Statement]) -> None:
    """Two camps: the first half of ``users`` agrees with the even statements and disagrees
    with the odd ones, the second half the other way round; everyone agrees with the last
    statement."""
    *split, shared = statements
    half = len(users) // 2
    for index, user in enumerate(users):
        camp = 1 if index < half else -1
        for position, statement in enumerate(split):
            vote(statement, user, camp if position % 2 == 0 else -camp)
        vote(shared, user, 1)


STATEMENT_TEXTS = (
    "充电只在夜间开放",
    "充电要24小时开放",
    "长期不用的车要清理",
    "清理前不用公示",
    "按楼栋分区停放",
    "不分区，先到先停",
    "访客车辆可以临时停",
    "消防通道不能停车",
)
