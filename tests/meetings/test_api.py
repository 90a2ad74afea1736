"""The meetings API: list and detail (names of who came for organisers only; 401 without a
token unless the board is public; 404 for outsiders), planning, answering, attendance and the
minutes, each calling the same services (refusals: 403, 422, nothing written)."""

from __future__ import annotations

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.meetings import services
from linju.meetings.models import Attendance, Invitation, Meeting
from linju.notices.models import Notice
from tests.meetings.factories import meeting_for, project_of, published
from tests.notices.factories import public_board

pytestmark = pytest.mark.django_db


def bearer(world, role: str) -> dict[str, str]:
    token = api_token_issue(user=world.user(role), label="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def meeting(world):
    meeting = meeting_for(world, project=project_of(world))
    services.attendance_record(actor=world.user("staff"), meeting=meeting, person=world.person1)
    return published(meeting)


def test_members_list_the_meetings(world, client, meeting):
    rows = client.get("/api/meetings?estate=here", **bearer(world, "resident")).json()
    assert [r["title"] for r in rows] == [meeting.title]
    assert rows[0]["took_part"] == 1 and rows[0]["notice"] == meeting.notice_id
    assert rows[0]["kind"] == "hearing" and rows[0]["building"] == "1"
    auth = bearer(world, "resident")
    assert client.get("/api/meetings?estate=here&kind=review", **auth).json() == []
    assert client.get("/api/meetings?estate=here&kind=party", **auth).status_code == 422
    assert client.get("/api/meetings?estate=here&building=99", **auth).status_code == 404
    assert client.get(f"/api/meetings?estate=here&project={meeting.project_id}", **auth).json()


def test_without_a_token_401_unless_public_and_outsiders_404(world, client, meeting):
    assert client.get("/api/meetings?estate=here").status_code == 401
    assert client.get(f"/api/meetings/{meeting.pk}").status_code == 401
    assert client.get("/api/meetings?estate=here", **bearer(world, "outsider")).status_code == 404
    assert client.get(f"/api/meetings/{meeting.pk}", **bearer(world, "outsider")).status_code == 404
    public_board(world.here)
    body = client.get(f"/api/meetings/{meeting.pk}").json()
    assert body["present"] is None and body["minutes"] and body["online_link"] is None


def test_the_detail_gives_names_to_organisers_only(world, client, meeting):
    staff = client.get(f"/api/meetings/{meeting.pk}", **bearer(world, "staff")).json()
    assert [p["name"] for p in staff["present"]] == [world.person1.full_name]
    resident = client.get(f"/api/meetings/{meeting.pk}", **bearer(world, "resident")).json()
    assert resident["present"] is None
    assert resident["attendance"]["total"] == 1
    assert [o["text"] for o in resident["outcomes"]] == [
        "问题清单定为四项。",
        "设计师一个月内出方案。",
    ]


def _plan(**values):
    return {
        "estate": "here",
        "kind": "hearing",
        "title": "听证会",
        "starts_at": "2031-05-01T09:30:00+08:00",
        "place": "居委会会议室",
        **values,
    }


def test_staff_plan_a_meeting(world, client):
    response = client.post(
        "/api/meetings",
        _plan(building="1"),
        content_type="application/json",
        **bearer(world, "staff"),
    )
    assert response.status_code == 201
    assert response.json()["building"] == "1"
    assert Meeting.objects.get().created_by == world.user("staff")


def test_refusals_write_nothing(world, client):
    bad = client.post(
        "/api/meetings", _plan(title=""), content_type="application/json", **bearer(world, "staff")
    )
    assert bad.status_code == 422 and "title" in bad.json()["errors"]
    leader = client.post(
        "/api/meetings",
        _plan(building="1"),
        content_type="application/json",
        **bearer(world, "leader"),
    )
    assert leader.status_code == 403
    outsider = client.post(
        "/api/meetings", _plan(), content_type="application/json", **bearer(world, "outsider")
    )
    assert outsider.status_code == 404
    assert Meeting.objects.count() == 0


def test_the_invited_answer(world, client):
    meeting = meeting_for(world)
    services.meeting_invite(actor=world.user("staff"), meeting=meeting, building_residents=True)
    url = f"/api/meetings/{meeting.pk}/respond"
    answer = client.post(
        url, {"answer": "maybe"}, content_type="application/json", **bearer(world, "resident")
    )
    assert answer.status_code == 200 and answer.json()["my_answer"] == "maybe"
    other = client.post(
        url, {"answer": "yes"}, content_type="application/json", **bearer(world, "leader")
    )
    assert other.status_code == 422
    assert list(Invitation.objects.values_list("response", flat=True)) == ["maybe"]


def test_attendance_and_minutes_by_the_organisers(world, client):
    meeting = meeting_for(world)
    staff = bearer(world, "staff")
    line = client.post(
        f"/api/meetings/{meeting.pk}/attendance",
        {"person": world.person1.pk, "mode": "online", "signed_on_paper": False},
        content_type="application/json",
        **staff,
    )
    assert line.status_code == 201 and line.json()["mode"] == "online"
    again = client.post(
        f"/api/meetings/{meeting.pk}/attendance",
        {"person": world.person1.pk},
        content_type="application/json",
        **staff,
    )
    assert again.status_code == 422
    assert Attendance.objects.count() == 1
    refused = client.post(
        f"/api/meetings/{meeting.pk}/attendance",
        {"name": "访客"},
        content_type="application/json",
        **bearer(world, "resident"),
    )
    assert refused.status_code == 404
    minutes = client.post(
        f"/api/meetings/{meeting.pk}/minutes",
        {"minutes": "纪要", "outcomes": ["一项"], "publish": True},
        content_type="application/json",
        **staff,
    )
    assert minutes.status_code == 200
    assert minutes.json()["status"] == "held" and minutes.json()["notice"]
    assert Notice.objects.get().category == "hearings"


def test_a_failed_publish_keeps_the_minutes_unwritten(world, client):
    meeting = meeting_for(world)
    response = client.post(
        f"/api/meetings/{meeting.pk}/minutes",
        {"minutes": "纪要", "publish": True, "days": 0},
        content_type="application/json",
        **bearer(world, "staff"),
    )
    assert response.status_code == 422
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes, Notice.objects.count()) == ("planned", "", 0)
