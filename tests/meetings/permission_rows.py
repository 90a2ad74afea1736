"""The meetings' rows of the permission matrix (``tests/core/test_permissions.py`` adds them to
its tables): the rules for each role, and each meetings URL requested by each role.

Building 1's group meeting (yesterday, planned) is organised by committee staff, the owners'
committee and building 1's leader; a hearing only by the first two. The resident (person1,
building 1) is invited to the planned meetings.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from linju.meetings import services
from linju.meetings.models import Attendance, AttendanceSheet, Invitation, Meeting
from linju.notices.models import Notice
from tests.notices.factories import png, public_board

OBJECTS: dict[str, Callable[[Any], Any]] = {
    "meeting_here": lambda w: Meeting(estate=w.here, kind="hearing"),
    "meeting_hearing_b1": lambda w: Meeting(estate=w.here, building=w.b1, kind="hearing"),
    "meeting_group_b1": lambda w: Meeting(estate=w.here, building=w.b1, kind="building"),
    "meeting_group_b2": lambda w: Meeting(estate=w.here, building=w.b2, kind="building"),
    "meeting_there": lambda w: Meeting(estate=w.there, kind="hearing"),
    "meeting_public_here": lambda w: Meeting(estate=public_board(w.here).estate, kind="hearing"),
}


def rule_rows(roles: dict[str, frozenset[str]]) -> list[tuple[str, str, str, frozenset[str]]]:
    everyone, members = roles["everyone"], roles["members"]
    organisers, there = roles["organisers"], roles["managers_there"]
    signed_in = everyone - {"anonymous"}
    leaders = frozenset({"leader", "leader_other_building"})
    return [
        # Members see the estate's meetings; everyone once its board is public.
        ("meeting", "view", "meeting_here", members),
        ("meeting", "view", "meeting_there", there),
        ("meeting", "view", "meeting_public_here", everyone),
        # Staff and the owners' committee organise any meeting; a leader their group's.
        ("meeting", "console", "here", organisers | leaders),
        ("meeting", "console", "there", there),
        ("meeting", "create", "meeting_hearing_b1", organisers),
        ("meeting", "create", "meeting_group_b1", organisers | {"leader"}),
        ("meeting", "create", "meeting_group_b2", organisers | {"leader_other_building"}),
        ("meeting", "create", "meeting_there", there),
        ("meeting", "manage", "meeting_hearing_b1", organisers),
        ("meeting", "manage", "meeting_group_b1", organisers | {"leader"}),
        ("meeting", "manage", "meeting_there", there),
        # Anyone signed in may try to answer; the service finds their invitation or refuses.
        ("meeting", "respond", "meeting_here", signed_in),
    ]


def _yesterday() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=1)


def _group_meeting(w: Any, *, invited: bool = False, held: bool = False) -> Meeting:
    """Building 1's group meeting, yesterday (so attendance and minutes are open), planned."""
    starts = _yesterday()
    meeting = services.meeting_create(
        actor=w.user("staff"),
        estate=w.here,
        kind="building",
        title="1号楼楼组会",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="1号楼门厅",
        building=w.b1,
    )
    if invited:
        services.meeting_invite(actor=w.user("staff"), meeting=meeting, building_residents=True)
    if held:
        services.minutes_write(actor=w.user("staff"), meeting=meeting, minutes="讨论了门厅。")
    return meeting


def _args(w: Any, **state: bool) -> list[Any]:
    return ["here", _group_meeting(w, **state).pk]


def _with_attendance(w: Any) -> list[Any]:
    meeting = _group_meeting(w)
    line = services.attendance_record(actor=w.user("staff"), meeting=meeting, person=w.person1)
    return ["here", meeting.pk, line.pk]


def _with_sheet(w: Any) -> list[Any]:
    meeting = _group_meeting(w)
    sheet = services.attendance_sheet_add(actor=w.user("staff"), meeting=meeting, upload=png())
    return ["here", meeting.pk, sheet.pk, "thumb"]


def _meetings(w: Any) -> list[Any]:
    return list(Meeting.objects.values_list("title", "status", "minutes", "kind"))


def url_rows(expect: Callable[..., dict[str, Any]], roles: dict[str, frozenset[str]]):
    everyone, members = roles["everyone"], roles["members"]
    organisers = roles["organisers"]
    signed_in = everyone - {"anonymous"}
    group_b1 = organisers | {"leader"}
    console = organisers | {"leader", "leader_other_building"}
    post_only = expect(405, signed_in)

    def post(data: Callable[[Any], dict[str, Any]], state: Callable[[Any], Any], **extra: Any):
        return {
            "data": data,
            "expect": {**expect(302, group_b1), **extra},
            "state": state,
            "writes": group_b1,
        }

    return {
        "meetings": {"args": lambda w: ["here"], "GET": expect(200, members)},
        "meeting_detail": {"args": _args, "GET": expect(200, members)},
        "meeting_respond": {
            "args": lambda w: _args(w, invited=True),
            "GET": post_only,
            "POST": {
                "data": lambda w: {"answer": "yes"},
                "expect": {**expect(422, members), "resident": 302},
                "state": lambda w: list(Invitation.objects.values_list("response", flat=True)),
                "writes": frozenset({"resident"}),
            },
        },
        "console_meetings": {"args": lambda w: ["here"], "GET": expect(200, console)},
        "console_meeting_create": {
            "args": lambda w: ["here"],
            "GET": expect(200, console),
            "POST": {
                "data": lambda w: {
                    "kind": "hearing",
                    "title": "听证会",
                    "building": "",
                    "starts_at": "2031-05-01T09:30",
                    "place": "居委会会议室",
                },
                # A leader organises group meetings only: a hearing is not a choice for them.
                "expect": {
                    **expect(302, organisers),
                    "leader": 422,
                    "leader_other_building": 422,
                },
                "state": lambda w: Meeting.objects.count(),
                "writes": organisers,
            },
        },
        "console_meeting": {"args": _args, "GET": expect(200, group_b1)},
        "console_meeting_edit": {
            "args": _args,
            "GET": expect(200, group_b1),
            "POST": post(
                lambda w: {
                    "kind": "building",
                    "title": "改过的楼组会",
                    "building": w.b1.pk,
                    "starts_at": "2031-05-01T09:30",
                    "place": "1号楼门厅",
                },
                _meetings,
            ),
        },
        "console_meeting_cancel": {
            "args": _args,
            "GET": post_only,
            "POST": post(lambda w: {"reason": "改期"}, _meetings),
        },
        "console_meeting_invite": {
            "args": _args,
            "GET": post_only,
            "POST": post(
                lambda w: {"building_residents": "on"}, lambda w: Invitation.objects.count()
            ),
        },
        "console_meeting_attendance": {
            "args": _args,
            "GET": expect(200, group_b1),
            "POST": post(
                lambda w: {"person": w.person1.pk, "mode": "in_person"},
                lambda w: Attendance.objects.count(),
            ),
        },
        "console_meeting_roster": {"args": _args, "GET": expect(302, group_b1)},
        "console_meeting_attendance_remove": {
            "args": _with_attendance,
            "GET": post_only,
            "POST": post(lambda w: {}, lambda w: Attendance.objects.count()),
        },
        "console_meeting_sheet_pdf": {"args": _args, "GET": expect(200, group_b1)},
        "console_meeting_sheet_add": {
            "args": _args,
            "GET": post_only,
            "POST": post(lambda w: {"photo": png()}, lambda w: AttendanceSheet.objects.count()),
        },
        "console_meeting_sheet_photo": {"args": _with_sheet, "GET": expect(200, group_b1)},
        "console_meeting_minutes": {
            "args": _args,
            "GET": expect(200, group_b1),
            "POST": post(lambda w: {"minutes": "纪要", "outcomes": "一\n二"}, _meetings),
        },
        "console_meeting_publish": {
            "args": lambda w: _args(w, held=True),
            "GET": post_only,
            "POST": post(
                lambda w: {"to_board": "on", "days": "30"},
                lambda w: (Notice.objects.count(), _meetings(w)),
            ),
        },
        # The API answers bearer tokens only for writes; reads take a session too.
        "api:meeting_list": {"args": lambda w: [], "GET": expect(422, everyone)},
        "api:meeting_detail": {
            "args": lambda w: _args(w)[1:],
            "GET": expect(200, members, anonymous=401),
        },
        "api:meeting_create": {
            "args": lambda w: [],
            "POST": {"data": lambda w: {}, "expect": expect(401, everyone)},
        },
        "api:meeting_respond": {
            "args": lambda w: _args(w)[1:],
            "POST": {"data": lambda w: {}, "expect": expect(401, everyone)},
        },
        "api:meeting_attendance": {
            "args": lambda w: _args(w)[1:],
            "POST": {"data": lambda w: {}, "expect": expect(401, everyone)},
        },
        "api:meeting_minutes": {
            "args": lambda w: _args(w)[1:],
            "POST": {"data": lambda w: {}, "expect": expect(401, everyone)},
        },
    }
