"""The demo estate's meetings, made through the same services as real ones.

- Building 17: the lobby hearing (听证会, spring 2023) and the review meeting (评议会, 2025),
  both held, with attendance (in person, online, signed on paper) and their minutes and
  outcomes published on the disclosure board.
- Building 25 (its project is at the design stage): the hearing, held, minutes published.
- Building 2: an ordinary building-group meeting planned in the lobby's public living room,
  with the building's residents invited; the room is booked when the shared-spaces demo has
  made it ("2号楼 大堂公共会客厅").

Call after the projects demo (meetings attach to the projects of buildings 17 and 25 when they
exist; without them the meetings stand alone).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from linju.community.models import Building, Estate, Occupancy
from linju.meetings import services
from linju.meetings.models import Attendance, Meeting

LOBBY_ROOM = "2号楼 大堂公共会客厅"


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def _project(estate: Estate, number: str) -> Any:
    if not apps.is_installed("linju.projects"):
        return None
    from linju.projects.models import Project

    return (
        Project.objects.filter(estate=estate, building__number=number)
        .exclude(status="cancelled")
        .order_by("created_at", "pk")
        .first()
    )


def _record(actor: Any, meeting: Meeting, count: int, guests: tuple[str, ...]) -> None:
    """Record ``count`` adults of the meeting's building as present (a quarter online, half of
    those in person signed the paper sheet), then the guests."""
    occupancies = (
        Occupancy.objects.current()
        .filter(flat__building_id=meeting.building_id, person__is_minor=False)
        .select_related("person")
        .order_by("flat__floor", "flat__number", "pk")
    )
    seen: set[int] = set()
    for n, occupancy in enumerate(occupancies):
        if len(seen) >= count:
            break
        if occupancy.person_id in seen:
            continue
        seen.add(occupancy.person_id)
        online = n % 4 == 3
        services.attendance_record(
            actor=actor,
            meeting=meeting,
            person=occupancy.person,
            mode=Attendance.Mode.ONLINE if online else Attendance.Mode.IN_PERSON,
            signed_on_paper=not online and n % 2 == 0,
        )
    for name in guests:
        services.attendance_record(actor=actor, meeting=meeting, name=name, signed_on_paper=True)


def _held(
    *,
    actor: Any,
    estate: Estate,
    building: Building,
    project: Any,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    place: str,
    agenda: str,
    present: int,
    guests: tuple[str, ...],
    minutes: str,
    outcomes: list[str],
) -> Meeting:
    meeting = services.meeting_create(
        actor=actor,
        estate=estate,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=90),
        place=place,
        agenda=agenda,
        building=building,
        project=project,
    )
    _record(actor, meeting, present, guests)
    services.minutes_write(actor=actor, meeting=meeting, minutes=minutes, outcomes=outcomes)
    return services.minutes_publish(actor=actor, meeting=meeting)


def _next_evening(space: Any) -> tuple[datetime.datetime, datetime.datetime]:
    """The first whole slot at or after 19:00 a week from now, lasting about 90 minutes (within
    the room's longest booking and opening hours)."""
    day = timezone.localdate() + datetime.timedelta(days=7)
    slot = datetime.timedelta(minutes=space.slot_minutes)
    opens = timezone.make_aware(datetime.datetime.combine(day, space.opens_at))
    closes = timezone.make_aware(datetime.datetime.combine(day, space.closes_at))
    start = opens
    wanted = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 0)))
    while start < wanted and start + slot <= closes:
        start += slot
    length = slot
    longest = datetime.timedelta(minutes=min(space.max_booking_minutes, 120))
    while length + slot <= longest and length < datetime.timedelta(minutes=90):
        length += slot
    while start + length > closes and start - slot >= opens:
        start -= slot
    return start, start + length


def _lobby_room(estate: Estate) -> Any:
    if not apps.is_installed("linju.spaces"):
        return None
    from linju.spaces.models import Space

    return Space.objects.filter(estate=estate, name=LOBBY_ROOM, kind=Space.Kind.ROOM).first()


def _plan_building_2(estate: Estate, leader: Any) -> Meeting:
    building = Building.objects.get(estate=estate, number="2")
    room = _lobby_room(estate)
    day = timezone.localdate() + datetime.timedelta(days=7)
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 0)))
    ends_at = starts_at + datetime.timedelta(minutes=90)
    arguments: dict[str, Any] = {
        "actor": leader,
        "estate": estate,
        "kind": Meeting.Kind.BUILDING,
        "title": "2号楼楼组议事会：楼道文明公约和大堂会客厅使用",
        "place": LOBBY_ROOM,
        "building": building,
        "agenda": "\n".join(
            (
                "通报《2号楼文明公约》征求意见稿的修改情况",
                "讨论大堂公共会客厅的开放时间和预约办法",
                "征集楼里的书画、摄影作品在大堂展示",
                "其他事项",
            )
        ),
    }
    meeting = None
    if room is not None:
        starts_at, ends_at = _next_evening(room)
        try:
            meeting = services.meeting_create(
                **arguments, starts_at=starts_at, ends_at=ends_at, space=room
            )
        except (ValidationError, PermissionDenied):
            meeting = None  # the room could not be booked: plan the meeting without it
    if meeting is None:
        meeting = services.meeting_create(**arguments, starts_at=starts_at, ends_at=ends_at)
    services.meeting_invite(actor=leader, meeting=meeting, building_residents=True)
    return meeting


@transaction.atomic
def demo_meetings(estate: Estate) -> list[Meeting]:
    users = get_user_model().objects
    staff = users.get(username="staff")
    b17 = Building.objects.get(estate=estate, number="17")
    b25 = Building.objects.get(estate=estate, number="25")
    made = [
        _held(
            actor=staff,
            estate=estate,
            building=b17,
            project=_project(estate, "17"),
            kind=Meeting.Kind.HEARING,
            title="17号楼门厅微更新听证会",
            starts_at=_at(2023, 4, 15, 9, 30),
            place="17号楼门厅",
            agenda="\n".join(
                (
                    "楼组长通报居民提出的门厅问题清单",
                    "居民逐条发表意见，补充遗漏的问题",
                    "设计师说明下一步出方案和预算的安排",
                    "商定筹款方式：有钱筹钱、有物集物",
                )
            ),
            present=26,
            guests=("设计师 周工", "居委会社工 小陈"),
            minutes=(
                "听证会由居委会书记主持，26位居民到场或在线参加。\n"
                "楼组长通报了前期收集的问题：门厅地面破损、信箱老旧、照明不足、电瓶车推上楼"
                "充电有安全隐患。居民补充了两点：门厅缺少坐下来歇脚的地方；楼道墙面广告多。\n"
                "设计师表示将按问题清单出两个方案，附预算，方案出来后再开会听取意见。\n"
                "多位居民表示家里装修剩下的地板、瓷砖可以捐出来用，居委会建议登记在册、统一保管。"
            ),
            outcomes=[
                "问题清单确定为六项：地面、信箱、照明、座椅、墙面、电瓶车停放。",
                "设计师一个月内拿出两个方案和预算，再开居民会议听取意见。",
                "剩余建材由楼组长登记，暂存地下室，使用情况在公示栏公布。",
            ],
        ),
        _held(
            actor=staff,
            estate=estate,
            building=b17,
            project=_project(estate, "17"),
            kind=Meeting.Kind.REVIEW,
            title="17号楼门厅微更新评议会",
            starts_at=_at(2025, 3, 22, 9, 30),
            place="17号楼门厅（新）",
            agenda="\n".join(
                (
                    "楼组长汇报施工和验收情况",
                    "公布项目决算：居民筹款、街道配捐和每笔支出",
                    "居民对效果和过程打分、提意见",
                    "商定门厅日常维护和文明公约的执行",
                )
            ),
            present=31,
            guests=("万里社区基金会 林老师", "设计师 周工"),
            minutes=(
                "评议会在改造后的门厅举行，31位居民参加，基金会和设计师列席。\n"
                "楼组长汇报了施工过程、志愿者监督记录和验收结果，账目逐笔公示，结余转入"
                "门厅维护基金。\n"
                "居民普遍认为门厅明亮整洁，电瓶车不再上楼；也提出信箱标签不够醒目、座椅"
                "需要防滑垫。"
            ),
            outcomes=[
                "居民对改造效果的平均评分为 4.6 分（满分 5 分），对过程的评分为 4.4 分。",
                "信箱标签和座椅防滑垫由物业在两周内补齐。",
                "门厅维护由楼组志愿者轮值，按《17号楼文明公约》执行。",
            ],
        ),
        _held(
            actor=staff,
            estate=estate,
            building=b25,
            project=_project(estate, "25"),
            kind=Meeting.Kind.HEARING,
            title="25号楼门厅和楼道改造听证会",
            starts_at=timezone.localtime() - datetime.timedelta(days=40),
            place="25号楼门厅",
            agenda="\n".join(
                (
                    "楼组长通报居民意见汇总",
                    "讨论门厅、楼道的改造重点",
                    "介绍设计单位和下一步方案征询的安排",
                )
            ),
            present=22,
            guests=("设计师 周工",),
            minutes=(
                "听证会由25号楼楼组长主持，22位居民参加。大家最关心楼道照明、扶手和门厅的"
                "无障碍坡道，也希望保留门厅的绿植角。\n"
                "设计单位将据此拿出两个方案，由全楼居民投票选择。"
            ),
            outcomes=[
                "改造重点：楼道照明、扶手、无障碍坡道、门厅绿植角。",
                "设计单位出两个方案，交全楼居民投票。",
            ],
        ),
    ]
    made.append(_plan_building_2(estate, users.get(username="leader2")))
    return made
