"""Meeting pages: the list and a meeting's page (names of who came for organisers only, none on
a public board), answering by htmx, the console forms (bad input: the form again with 422 and
nothing written), the roster search, the attendance sheet PDF, foreign ids."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from linju.core.models import AuditEvent
from linju.meetings import services
from linju.meetings.models import Attendance, Meeting
from linju.notices.models import Notice
from tests.meetings.factories import meeting_for, published
from tests.notices.factories import public_board

pytestmark = pytest.mark.django_db


def client_for(world, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


@pytest.fixture
def meeting(world):
    meeting = meeting_for(world)
    services.attendance_record(actor=world.user("staff"), meeting=meeting, person=world.person1)
    return published(meeting)


def test_the_list_shows_the_estates_meetings(world, meeting):
    html = client_for(world, "resident").get(reverse("meetings", args=["here"])).content.decode()
    assert meeting.title in html and meeting.get_absolute_url() in html
    html = (
        client_for(world, "resident")
        .get(reverse("meetings", args=["here"]) + "?building=2")
        .content.decode()
    )
    assert meeting.title not in html


def test_organisers_see_who_came_residents_see_counts(world, meeting):
    url = meeting.get_absolute_url()
    staff_html = client_for(world, "staff").get(url).content.decode()
    assert world.person1.full_name in staff_html
    resident_html = client_for(world, "leader").get(url).content.decode()
    assert world.person1.full_name not in resident_html
    assert "居民逐条讨论了门厅问题清单。" in resident_html
    assert meeting.notice.get_absolute_url() in resident_html


def test_a_public_board_shows_the_meeting_to_anyone_without_names(world, meeting):
    anonymous = client_for(world, "anonymous")
    assert anonymous.get(meeting.get_absolute_url()).status_code == 302
    public_board(world.here)
    response = anonymous.get(meeting.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert world.person1.full_name not in html and "设计师一个月内出方案。" in html


def test_draft_minutes_are_the_organisers_only(world):
    meeting = meeting_for(world)
    services.minutes_write(actor=world.user("staff"), meeting=meeting, minutes="尚未定稿的纪要")
    assert (
        "尚未定稿的纪要"
        in client_for(world, "staff").get(meeting.get_absolute_url()).content.decode()
    )
    assert "尚未定稿的纪要" not in (
        client_for(world, "resident").get(meeting.get_absolute_url()).content.decode()
    )


def test_an_invited_resident_answers_by_htmx(world):
    meeting = meeting_for(world, starts_at=None)
    services.meeting_invite(actor=world.user("staff"), meeting=meeting, building_residents=True)
    client = client_for(world, "resident")
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'name="answer"' in page
    response = client.post(
        reverse("meeting_respond", args=["here", meeting.pk]),
        {"answer": "yes"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="respond"' in response.content.decode()
    assert "<html" not in response.content.decode()
    bad = client.post(
        reverse("meeting_respond", args=["here", meeting.pk]),
        {"answer": "sure"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 422
    assert meeting.invitations.get().response == "yes"


def test_a_bad_plan_is_shown_again_with_422_and_nothing_written(world):
    before = (Meeting.objects.count(), AuditEvent.objects.count())
    response = client_for(world, "staff").post(
        reverse("console_meeting_create", args=["here"]),
        {"kind": "hearing", "title": "听证会", "starts_at": "2031-05-01T09:30", "place": ""},
    )
    assert response.status_code == 422
    assert 'class="field has-error"' in response.content.decode()
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == before


def test_a_project_can_be_chosen_when_planning(world):
    from tests.meetings.factories import project_of

    project = project_of(world)
    client = client_for(world, "staff")
    page = client.get(reverse("console_meeting_create", args=["here"]) + f"?project={project.pk}")
    assert project.title in page.content.decode()
    response = client.post(
        reverse("console_meeting_create", args=["here"]),
        {
            "kind": "hearing",
            "title": "听证会",
            "project": project.pk,
            "starts_at": "2031-05-01T09:30",
            "place": "1号楼门厅",
        },
    )
    assert response.status_code == 302
    assert Meeting.objects.get().building == world.b1


def test_the_roster_search_finds_by_name_and_flat(world):
    meeting = meeting_for(world)
    client = client_for(world, "staff")
    url = reverse("console_meeting_roster", args=["here", meeting.pk])
    by_name = client.get(url, {"q": "李"}, HTTP_HX_REQUEST="true").content.decode()
    assert world.person1.full_name in by_name and world.person2.full_name not in by_name
    by_flat = client.get(url, {"q": "2-201"}, HTTP_HX_REQUEST="true").content.decode()
    assert world.person2.full_name in by_flat and world.person1.full_name not in by_flat
    building = client.get(url, {"q": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert world.person1.full_name in building  # the meeting's building, by default


def test_recording_twice_shows_the_refusal_and_writes_nothing(world):
    meeting = meeting_for(world)
    client = client_for(world, "staff")
    url = reverse("console_meeting_attendance", args=["here", meeting.pk])
    assert client.post(url, {"person": world.person1.pk, "mode": "online"}).status_code == 302
    before = (Attendance.objects.count(), AuditEvent.objects.count())
    again = client.post(url, {"person": world.person1.pk, "mode": "in_person"})
    assert again.status_code == 422
    assert world.person1.full_name in again.content.decode()
    assert (Attendance.objects.count(), AuditEvent.objects.count()) == before


def test_publishing_from_the_console_puts_the_minutes_on_the_board(world):
    meeting = meeting_for(world)
    client = client_for(world, "staff")
    client.post(
        reverse("console_meeting_minutes", args=["here", meeting.pk]),
        {"minutes": "会议纪要正文", "outcomes": "第一项\n第二项"},
    )
    response = client.post(
        reverse("console_meeting_publish", args=["here", meeting.pk]), {"days": "30"}
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.category == "hearings" and "会议纪要正文" in notice.body
    board = client_for(world, "resident").get(reverse("board", args=["here"])).content.decode()
    assert notice.title in board


def test_the_attendance_sheet_pdf_has_the_invited_households(world):
    meeting = meeting_for(world)
    services.meeting_invite(actor=world.user("staff"), meeting=meeting, building_residents=True)
    response = client_for(world, "staff").get(
        reverse("console_meeting_sheet_pdf", args=["here", meeting.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("meeting_detail", "get"),
        ("console_meeting", "get"),
        ("console_meeting_publish", "post"),
        ("console_meeting_attendance", "post"),
    ],
)
def test_a_meeting_of_another_estate_is_404_under_this_estate(world, name, method):
    from tests.factories import BuildingFactory

    b = BuildingFactory(estate=world.there, number="9")
    there = services.meeting_create(
        actor=world.user("staff_other_estate"),
        estate=world.there,
        kind="hearing",
        title="那里的会",
        starts_at=meeting_for(world).starts_at,
        place="那里",
        building=b,
    )
    for role in ("staff", "admin"):
        client = client_for(world, role)
        url = reverse(name, args=["here", there.pk])
        before = AuditEvent.objects.count()
        response = getattr(client, method)(url, {"person": world.person1.pk, "days": "30"})
        assert response.status_code == 404
        assert AuditEvent.objects.count() == before
