"""The demo estate's opinion map: "非机动车停放区应该有哪些规则？", asked of the whole estate by
the residents' committee, with twenty accepted statements (charging hours, zones, clearing
bikes nobody uses, visitors' bikes…), two rejected with the reason their authors read, and the
votes of about sixty neighbours.

The votes are generated from three planted points of view plus noise, so the map shows groups
with their representative statements and the statements everyone agrees on: "safety first"
(short charging hours, clear out abandoned bikes, register every bike), "convenience first"
(charge around the clock, park anywhere, let visitors in) and "keep costs down" (no fees, no
paid equipment). Discussion and statements go through the same services as real ones; the
votes are written in bulk (sixty neighbours' worth, as if cast over the last days), and the
map is computed once at the end.

Neighbours who vote get accounts of their own (no password: they sign in with the phone number
the roster holds). ``resident17`` has voted on ten statements, so the demo shows "you are here"
and still leaves statements to vote on.

Call ``demo_opinions(estate)`` after ``demo_ideas(estate)``.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from linju.community.models import Estate, Occupancy, Person
from linju.opinions import services
from linju.opinions.models import Discussion, Statement, StatementVote

QUESTION = "非机动车停放区应该有哪些规则？"
DESCRIPTION = (
    "17号楼的非机动车停放区建成后，电动车不再进楼道了。居委会准备在全小区推广，"
    "想先听听大家对停放和充电规则的看法：写下你的观点，也对邻居的观点表个态。"
)
PARTICIPANTS = 60
SEED = 2026

# (statement, stance of "safety first", of "convenience first", of "keep costs down"):
# 1 agrees, -1 disagrees, 0 no clear view.
STATEMENTS: tuple[tuple[str, int, int, int], ...] = (
    ("楼道里和家里一律不准给电动车充电。", 1, 1, 1),
    ("消防通道上任何时候都不能停车。", 1, 1, 1),
    ("清理长期不用的车之前，先在群里和公告栏公示一个月。", 1, 1, 1),
    ("儿童自行车和老人三轮车要留专门的位置。", 1, 1, 1),
    ("规则定下来先试行三个月，再根据大家的意见调整。", 1, 1, 1),
    ("充电桩只在晚上10点到早上6点开放，白天不充。", 1, -1, 0),
    ("充电要24小时开放，上夜班的人也要用。", -1, 1, 0),
    ("超过三个月没人动的车，贴条提醒后统一清理。", 1, -1, 0),
    ("电动车要登记车牌，不登记的不能停进停放区。", 1, -1, 0),
    ("停放区不分楼栋，先到先停。", -1, 1, 0),
    ("按楼栋划分停放区，各停各的。", 1, -1, 0),
    ("访客的自行车和电动车可以临时停放。", -1, 1, 0),
    ("快递和外卖电动车不能进小区停放。", 1, -1, 1),
    ("共享单车不能停进小区。", 1, -1, 1),
    ("充电应该免费，电费从小区公共收益里出。", 0, 1, 1),
    ("充电按度收费，每度不超过1元。", 0, 1, -1),
    ("停车要收管理费，用来维护车棚。", 1, 0, -1),
    ("车棚要加装喷淋和烟感，钱从维修资金里出。", 1, 0, -1),
    ("停放区要装监控，防止偷车和偷电。", 1, 1, -1),
    ("每户最多停两辆非机动车。", 1, -1, 1),
)
REJECTED: tuple[tuple[str, str], ...] = (
    (
        "3号楼那个姓王的天天乱停车，应该罚他！",
        "观点针对具体的邻居。请就规则本身发表看法，比如乱停车应该怎么处理。",
    ),
    (
        "代办电动车上牌、换锂电池，加微信13800001111。",
        "含有广告和个人联系方式，不在这里发布。",
    ),
)
# How many neighbours hold each point of view (the rest of PARTICIPANTS goes to the last).
VIEWPOINT_SHARES = (0.4, 0.35, 0.25)
FOLLOW = 0.85  # the chance a neighbour votes their point of view on a statement it decides


def _participants(estate: Estate, count: int) -> list[Any]:
    """Adult residents of ``estate`` with an account (one is made, without a password, for
    those who have none), ``resident17`` first if there is one."""
    users = get_user_model().objects
    today = timezone.localdate()
    people = (
        Person.objects.filter(
            estate=estate,
            is_minor=False,
            occupancies__in=Occupancy.objects.current(today),
        )
        .distinct()
        .order_by("pk")
    )
    found: list[Any] = []
    first = users.filter(username="resident17").first()
    if first is not None and Person.objects.filter(estate=estate, user=first).exists():
        found.append(first)
    made = 0
    for person in people:
        if len(found) >= count:
            break
        if person.user_id is not None:
            user = person.user
            if user in found:
                continue
        else:
            made += 1
            username = f"neighbour-map{made}"
            user = users.filter(username=username).first()
            if user is None:
                user = users.create(
                    username=username, display_name=person.full_name, phone=None, is_active=True
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
            Person.objects.filter(pk=person.pk).update(user=user)
        found.append(user)
    return found


def _vote(stance: int, rng: random.Random) -> int:
    if stance == 0:
        return rng.choices((1, -1, 0), weights=(35, 25, 40))[0]
    if rng.random() < FOLLOW:
        return stance
    return rng.choice((-stance, 0))


def _viewpoints(count: int) -> list[int]:
    sizes = [round(share * count) for share in VIEWPOINT_SHARES[:-1]]
    sizes.append(count - sum(sizes))
    return [view for view, size in enumerate(sizes) for _ in range(size)]


@transaction.atomic
def demo_opinions(estate: Estate) -> dict[str, Any]:
    """The parking-area discussion with its statements, votes and map (nothing is added if the
    estate has a discussion already)."""
    if Discussion.objects.filter(estate=estate).exists():
        return {}
    users = get_user_model().objects
    staff = users.get(username="staff")
    rng = random.Random(SEED)  # noqa: S311 - demo data, reproducible
    participants = _participants(estate, PARTICIPANTS)
    now = timezone.now()
    discussion = services.discussion_create(
        actor=staff,
        estate=estate,
        question=QUESTION,
        description=DESCRIPTION,
        closes_at=now + datetime.timedelta(days=20),
    )
    discussion = services.discussion_open(actor=staff, discussion=discussion)

    statements = []
    authors = list(participants[1:]) or [staff]
    for n, (text, *_stances) in enumerate(STATEMENTS):
        author = staff if n < 3 else authors[n % len(authors)]
        statement = services.statement_submit(actor=author, discussion=discussion, text=text)
        statement = services.statement_moderate(actor=staff, statement=statement, accept=True)
        statements.append(statement)
    rejected = []
    for n, (text, reason) in enumerate(REJECTED):
        author = authors[(n * 7 + 3) % len(authors)]
        statement = services.statement_submit(actor=author, discussion=discussion, text=text)
        rejected.append(
            services.statement_moderate(
                actor=staff, statement=statement, accept=False, reason=reason
            )
        )

    views = _viewpoints(len(participants))
    votes = []
    for index, (user, view) in enumerate(zip(participants, views, strict=True)):
        order = list(range(len(statements)))
        rng.shuffle(order)
        how_many = 10 if index == 0 else rng.randint(12, len(statements))
        for position, which in enumerate(order[:how_many]):
            statement = statements[which]
            if statement.author_id == user.pk:
                continue
            stances = STATEMENTS[which][1:]
            moment = now - datetime.timedelta(hours=rng.randint(1, 200), minutes=position)
            votes.append(
                StatementVote(
                    discussion=discussion,
                    statement=statement,
                    participant=user,
                    vote=_vote(stances[view], rng),
                    created_at=moment,
                    updated_at=moment,
                )
            )
    StatementVote.objects.bulk_create(votes)
    Discussion.objects.filter(pk=discussion.pk).update(
        created_at=now - datetime.timedelta(days=10),
        opens_at=now - datetime.timedelta(days=9),
        votes_changed_at=now,
    )
    Statement.objects.filter(discussion=discussion).update(
        created_at=now - datetime.timedelta(days=8)
    )
    snapshot = services.map_recompute(discussion_id=discussion.pk, force=True)
    return {
        "discussion": discussion,
        "statements": statements,
        "rejected": rejected,
        "votes": len(votes),
        "snapshot": snapshot,
    }
