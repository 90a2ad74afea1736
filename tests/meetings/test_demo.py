"""The demo's meetings: building 17's hearing and review meeting and building 25's hearing held,
with attendance and minutes on the board; building 2's group meeting planned in the lobby's
public living room (booked when that room exists), its residents invited."""

from __future__ import annotations

import pytest

from linju.community.models import Role
from linju.meetings.demo import LOBBY_ROOM, demo_meetings
from linju.meetings.models import Meeting
from linju.notices.models import Notice
from linju.projects.models import Project
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    estate = f.EstateFactory(slug="zhonghao", name="中浩云花园")
    for number in ("2", "17", "25"):
        building = f.BuildingFactory(estate=estate, number=number)
        for floor in range(1, 4):
            flat = f.FlatFactory(building=building, number=f"{floor}01")
            f.OccupancyFactory(flat=flat, person=f.PersonFactory(estate=estate))
    staff = f.UserFactory(username="staff")
    f.RoleFactory(user=staff, kind=Role.Kind.COMMITTEE_STAFF, estate=estate)
    leader = f.UserFactory(username="leader2")
    f.RoleFactory(
        user=leader,
        kind=Role.Kind.GROUP_LEADER,
        estate=estate,
        building=estate.buildings.get(number="2"),
    )
    return estate


def test_the_demo_meetings(estate):
    project17 = Project.objects.create(
        estate=estate, building=estate.buildings.get(number="17"), title="17号楼门厅微更新"
    )
    made = demo_meetings(estate)
    assert [m.kind for m in made] == ["hearing", "review", "hearing", "building"]
    hearing17, review17, hearing25, group2 = made
    assert hearing17.project == review17.project == project17 and hearing25.project is None
    for meeting in (hearing17, review17, hearing25):
        assert meeting.status == Meeting.Status.HELD and meeting.minutes_published_at
        assert meeting.notice.category == Notice.Category.HEARINGS
        assert meeting.attendances.filter(person__isnull=False).exists()
        assert meeting.attendances.filter(person__isnull=True).exists()
    assert hearing17.starts_at.year == 2023 and review17.starts_at.year == 2025
    assert group2.status == Meeting.Status.PLANNED and group2.place == LOBBY_ROOM
    assert group2.invitations.count() == 3 and group2.booking is None


def test_building_2s_meeting_books_the_lobby_room_when_it_exists(estate):
    from linju.spaces.models import Space

    room = Space.objects.create(
        estate=estate, building=estate.buildings.get(number="2"), name=LOBBY_ROOM, kind="room"
    )
    group2 = demo_meetings(estate)[-1]
    assert group2.booking is not None and group2.booking.space == room
