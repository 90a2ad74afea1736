"""Meeting services: planning (and booking a room), invitations and answers, attendance, minutes
and outcomes, publishing to the board, cancelling. Each refusal writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linju.core import permissions
from linju.core.models import AuditEvent
from linju.meetings import services
from linju.meetings.models import Attendance, AttendanceSheet, Invitation, Meeting, Outcome
from linju.meetings.requirements import hearing_minutes, review_held
from linju.notices.models import Notice
from linju.notifications.models import Notification
from linju.projects.requirements import unmet
from tests.factories import FlatFactory, OccupancyFactory, PersonFactory
from tests.meetings.factories import held, meeting_for, project_of, published
from tests.projects.factories import photo_png

pytestmark = pytest.mark.django_db


def _state() -> tuple:
    return (
        Meeting.objects.count(),
        Invitation.objects.count(),
        Attendance.objects.count(),
        Outcome.objects.count(),
        Notice.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
        list(Meeting.objects.values_list("status", "minutes", "minutes_published_at")),
    )


def _start(days: float = -1) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def _create(world, role="staff", **values):
    arguments = {
        "estate": world.here,
        "kind": "hearing",
        "title": "门厅听证会",
        "starts_at": _start(2),
        "place": "1号楼门厅",
        "building": world.b1,
    }
    arguments.update(values)
    return services.meeting_create(actor=world.user(role), **arguments)


class TestCreate:
    def test_staff_plan_a_hearing_and_it_is_audited(self, world):
        meeting = _create(world, agenda="  问题清单 \n\n居民发言  ")
        assert meeting.status == Meeting.Status.PLANNED
        assert meeting.agenda_items == ["问题清单", "居民发言"]
        assert meeting.created_by == world.user("staff")
        assert AuditEvent.objects.filter(action="meeting.create").count() == 1

    def test_the_owners_committee_organises_too(self, world):
        assert _create(world, "owners_committee").pk

    @pytest.mark.parametrize("role", ["property", "resident", "leader", "outsider", "foundation"])
    def test_others_may_not_plan_a_hearing(self, world, role):
        before = _state()
        with pytest.raises(PermissionDenied):
            _create(world, role)
        assert _state() == before

    def test_a_leader_plans_their_buildings_group_meeting_only(self, world):
        assert _create(world, "leader", kind="building").building == world.b1
        before = _state()
        with pytest.raises(PermissionDenied):
            _create(world, "leader", kind="building", building=world.b2)
        with pytest.raises(PermissionDenied):
            _create(world, "leader_other_building", kind="building")
        assert _state() == before

    def test_a_projects_meeting_is_of_the_projects_building(self, world):
        project = project_of(world)
        meeting = _create(world, building=None, project=project)
        assert meeting.building == world.b1 and meeting.project == project
        before = _state()
        with pytest.raises(ValidationError) as caught:
            _create(world, building=world.b2, project=project)
        assert "building" in caught.value.message_dict
        assert _state() == before

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"title": "  "}, "title"),
            ({"title": "长" * 121}, "title"),
            ({"kind": "party"}, "kind"),
            ({"place": ""}, "place"),
            ({"online_link": "javascript:alert(1)"}, "online_link"),
            ({"online_link": "meeting.example.org/1"}, "online_link"),
            ({"ends_at": _start(1)}, "ends_at"),
            ({"ends_at": _start(3)}, "ends_at"),
            ({"starts_at": datetime.datetime(2025, 1, 1, 9)}, "starts_at"),
            ({"kind": "building", "building": None}, "building"),
            ({"agenda": "a\x00b"}, "__all__"),
        ],
    )
    def test_bad_input_is_refused_with_nothing_written(self, world, values, field):
        before = _state()
        with pytest.raises(ValidationError) as caught:
            _create(world, **values)
        assert field in caught.value.message_dict
        assert _state() == before

    def test_a_building_of_another_estate_is_refused(self, world):
        before = _state()
        with pytest.raises(ValidationError):
            _create(world, building=world.b_there)
        assert _state() == before

    def test_an_online_meeting_needs_no_place(self, world):
        meeting = _create(world, place="", online_link="https://meeting.example.org/123")
        assert meeting.online_link.startswith("https://")


def _room(world, **values):
    from linju.spaces.models import Space

    return Space.objects.create(
        estate=world.here, building=world.b1, name="1号楼 大堂公共会客厅", kind="room", **values
    )


def _evening(days: int = 3, hour: int = 19) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


class TestBooking:
    def test_choosing_a_room_books_it_for_the_meeting(self, world):
        room = _room(world)
        starts = _evening()
        meeting = _create(
            world,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            place="",
            space=room,
        )
        assert meeting.place == room.name
        assert meeting.booking.space == room and meeting.booking.starts_at == starts
        assert meeting.booking.is_confirmed

    def test_a_taken_slot_plans_nothing(self, world):
        room = _room(world)
        starts = _evening()
        _create(world, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1), space=room)
        before = _state()
        with pytest.raises(ValidationError) as caught:
            _create(
                world,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                space=room,
                title="另一个会",
            )
        assert "space" in caught.value.message_dict
        assert _state() == before

    def test_a_booking_needs_the_end_time(self, world):
        before = _state()
        with pytest.raises(ValidationError) as caught:
            _create(world, starts_at=_evening(), space=_room(world))
        assert "ends_at" in caught.value.message_dict
        assert _state() == before

    def test_cancelling_the_meeting_cancels_its_booking(self, world):
        starts = _evening()
        meeting = _create(
            world,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            space=_room(world),
        )
        services.meeting_cancel(actor=world.user("staff"), meeting=meeting, reason="台风预警")
        meeting.booking.refresh_from_db()
        assert not meeting.booking.is_confirmed

    def test_moving_the_meeting_books_the_new_time(self, world):
        starts = _evening()
        meeting = _create(
            world,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            space=_room(world),
        )
        old = meeting.booking
        later = _evening(hour=20)
        meeting = services.meeting_update(
            actor=world.user("staff"),
            meeting=meeting,
            kind="hearing",
            title=meeting.title,
            starts_at=later,
            ends_at=later + datetime.timedelta(hours=1),
            place=meeting.place,
            building=world.b1,
        )
        old.refresh_from_db()
        assert not old.is_confirmed
        assert meeting.booking.starts_at == later and meeting.booking.is_confirmed


class TestUpdateAndCancel:
    def test_update_changes_a_planned_meeting(self, world):
        meeting = _create(world)
        services.meeting_update(
            actor=world.user("staff"),
            meeting=meeting,
            kind="coordination",
            title="协调会",
            starts_at=meeting.starts_at,
            place="居委会会议室",
        )
        meeting.refresh_from_db()
        assert (meeting.kind, meeting.title, meeting.building) == ("coordination", "协调会", None)

    def test_a_held_meeting_is_not_changed(self, world):
        meeting = held(meeting_for(world))
        before = _state()
        with pytest.raises(ValidationError):
            services.meeting_update(
                actor=world.user("staff"),
                meeting=meeting,
                kind="hearing",
                title="改名",
                starts_at=meeting.starts_at,
                place="门厅",
            )
        assert _state() == before

    def test_cancel_needs_a_reason_and_tells_the_invited(self, world):
        meeting = _create(world)
        services.meeting_invite(actor=world.user("staff"), meeting=meeting, building_residents=True)
        before = _state()
        with pytest.raises(ValidationError):
            services.meeting_cancel(actor=world.user("staff"), meeting=meeting, reason=" ")
        assert _state() == before
        services.meeting_cancel(actor=world.user("staff"), meeting=meeting, reason="台风预警")
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.CANCELLED
        assert Notification.objects.filter(
            recipient=world.user("resident"), kind="meeting.cancelled"
        ).exists()

    def test_a_non_organiser_cannot_cancel(self, world):
        meeting = _create(world)
        before = _state()
        with pytest.raises(PermissionDenied):
            services.meeting_cancel(actor=world.user("leader"), meeting=meeting, reason="不开了")
        assert _state() == before


class TestInvitations:
    def test_the_buildings_adults_are_invited_once_and_told(self, world):
        meeting = _create(world)
        child = PersonFactory(estate=world.here, full_name="李小宝", is_minor=True)
        OccupancyFactory(flat=world.flat1, person=child)
        staff = world.user("staff")
        assert services.meeting_invite(actor=staff, meeting=meeting, building_residents=True) == 1
        assert services.meeting_invite(actor=staff, meeting=meeting, building_residents=True) == 0
        assert list(Invitation.objects.values_list("person", flat=True)) == [world.person1.pk]
        told = Notification.objects.filter(kind="meeting.invited")
        assert [n.recipient for n in told] == [world.user("resident")]
        assert told[0].url == meeting.get_absolute_url()

    def test_an_estate_meeting_needs_chosen_people(self, world):
        meeting = _create(world, building=None)
        before = _state()
        with pytest.raises(ValidationError):
            services.meeting_invite(
                actor=world.user("staff"), meeting=meeting, building_residents=True
            )
        assert _state() == before
        assert (
            services.meeting_invite(
                actor=world.user("staff"), meeting=meeting, people=[world.person2]
            )
            == 1
        )

    def test_people_of_another_estate_are_refused(self, world):
        meeting = _create(world)
        before = _state()
        with pytest.raises(ValidationError):
            services.meeting_invite(
                actor=world.user("staff"), meeting=meeting, people=[world.person_there]
            )
        assert _state() == before

    def test_an_account_is_invited_by_itself(self, world):
        meeting = _create(world)
        services.meeting_invite(
            actor=world.user("staff"), meeting=meeting, users=[world.user("foundation")]
        )
        invitation = Invitation.objects.get()
        assert invitation.user == world.user("foundation") and invitation.person is None


class TestRespond:
    def test_the_invited_answer_and_change_their_answer(self, world):
        meeting = _create(world)
        services.meeting_invite(actor=world.user("staff"), meeting=meeting, building_residents=True)
        resident = world.user("resident")
        services.meeting_respond(actor=resident, meeting=meeting, answer="maybe")
        services.meeting_respond(actor=resident, meeting=meeting, answer="yes")
        assert Invitation.objects.get().response == "yes"

    def test_someone_not_invited_is_refused(self, world):
        meeting = _create(world)
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.meeting_respond(actor=world.user("resident"), meeting=meeting, answer="yes")
        assert caught.value.code == "not_invited"
        assert _state() == before

    def test_no_answers_once_cancelled_or_for_a_bad_answer(self, world):
        meeting = _create(world)
        services.meeting_invite(actor=world.user("staff"), meeting=meeting, building_residents=True)
        before = _state()
        with pytest.raises(ValidationError):
            services.meeting_respond(actor=world.user("resident"), meeting=meeting, answer="sure")
        assert _state() == before
        services.meeting_cancel(actor=world.user("staff"), meeting=meeting, reason="改期")
        before = _state()
        with pytest.raises(ValidationError):
            services.meeting_respond(actor=world.user("resident"), meeting=meeting, answer="no")
        assert _state() == before

    def test_anonymous_is_refused(self, world):
        from django.contrib.auth.models import AnonymousUser

        meeting = _create(world)
        with pytest.raises(PermissionDenied):
            services.meeting_respond(actor=AnonymousUser(), meeting=meeting, answer="yes")


class TestAttendance:
    def test_a_person_is_recorded_once_per_meeting(self, world):
        meeting = meeting_for(world)
        staff = world.user("staff")
        services.attendance_record(
            actor=staff, meeting=meeting, person=world.person1, signed_on_paper=True
        )
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.attendance_record(
                actor=staff, meeting=meeting, person=world.person1, mode="online"
            )
        assert caught.value.message_dict["person"]
        assert _state() == before
        row = Attendance.objects.get()
        assert (row.mode, row.signed_on_paper, row.recorded_by) == ("in_person", True, staff)

    def test_guests_are_recorded_by_name(self, world):
        meeting = meeting_for(world)
        services.attendance_record(
            actor=world.user("staff"), meeting=meeting, name="设计师 周工", mode="online"
        )
        services.attendance_record(actor=world.user("staff"), meeting=meeting, name="设计师 周工")
        assert Attendance.objects.filter(person__isnull=True).count() == 2

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({}, "person"),
            ({"name": "长" * 61}, "name"),
            ({"name": "a\x00b"}, "name"),
            ({"name": "访客", "mode": "telepathy"}, "mode"),
        ],
    )
    def test_bad_lines_are_refused(self, world, values, field):
        meeting = meeting_for(world)
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.attendance_record(actor=world.user("staff"), meeting=meeting, **values)
        assert field in caught.value.message_dict
        assert _state() == before

    def test_not_before_the_day_nor_once_cancelled_nor_after_publishing(self, world):
        staff = world.user("staff")
        future = meeting_for(world, starts_at=_start(3))
        before = _state()
        with pytest.raises(ValidationError):
            services.attendance_record(actor=staff, meeting=future, person=world.person1)
        services.meeting_cancel(actor=staff, meeting=future, reason="改期")
        with pytest.raises(ValidationError):
            services.attendance_record(actor=staff, meeting=future, name="访客")
        done = published(meeting_for(world, title="已结束的会"))
        before = _state()
        with pytest.raises(ValidationError):
            services.attendance_record(actor=staff, meeting=done, person=world.person1)
        assert _state() == before

    def test_someone_of_another_estate_or_outside_a_leaders_building_is_refused(self, world):
        meeting = meeting_for(world)
        group = meeting_for(world, kind="building", actor="leader", title="楼组会")
        before = _state()
        with pytest.raises(ValidationError):
            services.attendance_record(
                actor=world.user("staff"), meeting=meeting, person=world.person_there
            )
        with pytest.raises(ValidationError):
            services.attendance_record(
                actor=world.user("leader"), meeting=group, person=world.person2
            )
        assert _state() == before

    def test_a_leader_records_their_neighbours(self, world):
        group = meeting_for(world, kind="building", actor="leader", title="楼组会")
        services.attendance_record(actor=world.user("leader"), meeting=group, person=world.person1)
        assert Attendance.objects.count() == 1

    def test_a_non_organiser_is_refused(self, world):
        meeting = meeting_for(world)
        before = _state()
        with pytest.raises(PermissionDenied):
            services.attendance_record(
                actor=world.user("leader"), meeting=meeting, person=world.person1
            )
        assert _state() == before

    def test_a_mistaken_line_is_removed(self, world):
        meeting = meeting_for(world)
        line = services.attendance_record(
            actor=world.user("staff"), meeting=meeting, person=world.person1
        )
        services.attendance_remove(actor=world.user("staff"), attendance=line)
        assert Attendance.objects.count() == 0

    def test_a_sheet_photo_is_kept_and_a_non_photo_refused(self, world, settings):
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        from django.core.files.uploadedfile import SimpleUploadedFile

        meeting = meeting_for(world)
        sheet = services.attendance_sheet_add(
            actor=world.user("staff"), meeting=meeting, upload=photo_png("签到表.png")
        )
        assert sheet.image and sheet.width == 64
        before = (AttendanceSheet.objects.count(), AuditEvent.objects.count())
        with pytest.raises(ValidationError) as caught:
            services.attendance_sheet_add(
                actor=world.user("staff"),
                meeting=meeting,
                upload=SimpleUploadedFile("sheet.png", b"not a picture", "image/png"),
            )
        assert "photo" in caught.value.message_dict
        assert (AttendanceSheet.objects.count(), AuditEvent.objects.count()) == before


class TestMinutes:
    def test_writing_the_minutes_holds_the_meeting_and_replaces_outcomes(self, world):
        meeting = held(meeting_for(world))
        assert meeting.status == Meeting.Status.HELD
        assert [o.text for o in Outcome.objects.order_by("position")] == [
            "问题清单定为四项。",
            "设计师一个月内出方案。",
        ]
        services.minutes_write(
            actor=world.user("staff"),
            meeting=meeting,
            minutes="改过的纪要",
            outcomes=["只有一项", " "],
        )
        assert list(Outcome.objects.values_list("position", "text")) == [(1, "只有一项")]

    def test_outcomes_are_linked_to_the_project(self, world):
        project = project_of(world)
        held(meeting_for(world, project=project))
        assert set(Outcome.objects.values_list("project", flat=True)) == {project.pk}

    @pytest.mark.parametrize(
        ("minutes", "outcomes"),
        [
            ("", []),
            ("长" * 15_001, []),
            ("纪要", ["长" * 501]),
            ("纪要", [f"第{n}项" for n in range(31)]),
            ("纪\x00要", []),
        ],
    )
    def test_bad_minutes_are_refused(self, world, minutes, outcomes):
        meeting = meeting_for(world)
        before = _state()
        with pytest.raises(ValidationError):
            services.minutes_write(
                actor=world.user("staff"), meeting=meeting, minutes=minutes, outcomes=outcomes
            )
        assert _state() == before

    def test_no_minutes_before_the_meeting(self, world):
        meeting = meeting_for(world, starts_at=_start(2))
        before = _state()
        with pytest.raises(ValidationError):
            services.minutes_write(actor=world.user("staff"), meeting=meeting, minutes="纪要")
        assert _state() == before


class TestPublish:
    def test_a_hearings_minutes_make_exactly_one_board_notice(self, world):
        project = project_of(world)
        meeting = meeting_for(world, project=project)
        services.attendance_record(actor=world.user("staff"), meeting=meeting, person=world.person1)
        meeting = published(meeting)
        notice = Notice.objects.get()
        assert meeting.notice == notice and meeting.minutes_published_at is not None
        assert notice.category == Notice.Category.HEARINGS
        assert notice.status == Notice.Status.PUBLISHED and notice.building == world.b1
        assert meeting.title in notice.title
        assert "居民逐条讨论了门厅问题清单。" in notice.body
        assert "设计师一个月内出方案。" in notice.body
        assert project.title in notice.body
        assert world.person1.full_name not in notice.body
        before = _state()
        with pytest.raises(ValidationError):
            services.minutes_publish(actor=world.user("staff"), meeting=meeting)
        assert _state() == before
        assert Notice.objects.count() == 1

    def test_the_three_meetings_always_go_to_the_board(self, world):
        meeting = held(meeting_for(world, kind="review"))
        services.minutes_publish(actor=world.user("staff"), meeting=meeting, to_board=False)
        assert Notice.objects.get().category == Notice.Category.HEARINGS

    def test_an_ordinary_meetings_minutes_go_to_the_board_only_if_asked(self, world):
        quiet = held(meeting_for(world, kind="building", actor="leader", title="楼组会"))
        quiet = services.minutes_publish(actor=world.user("leader"), meeting=quiet, to_board=False)
        assert quiet.minutes_published_at is not None and quiet.notice is None
        assert Notice.objects.count() == 0
        shown = held(meeting_for(world, kind="building", actor="leader", title="第二次楼组会"))
        shown = services.minutes_publish(actor=world.user("leader"), meeting=shown)
        assert shown.notice.category == Notice.Category.OTHER
        assert shown.notice.building == world.b1

    def test_nothing_is_published_without_minutes(self, world):
        meeting = meeting_for(world)
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.minutes_publish(actor=world.user("staff"), meeting=meeting)
        assert caught.value.code == "no_minutes"
        assert _state() == before

    @pytest.mark.parametrize("role", ["leader", "property", "resident", "staff_other_estate"])
    def test_a_non_organiser_is_refused(self, world, role):
        meeting = held(meeting_for(world))
        before = _state()
        with pytest.raises(PermissionDenied):
            services.minutes_publish(actor=world.user(role), meeting=meeting)
        assert _state() == before

    def test_a_bad_period_rolls_everything_back(self, world):
        meeting = held(meeting_for(world))
        before = _state()
        with pytest.raises(ValidationError):
            services.minutes_publish(actor=world.user("staff"), meeting=meeting, days=0)
        assert _state() == before


class TestRequirements:
    def test_hearing_minutes(self, world):
        project = project_of(world)
        assert hearing_minutes(project) is not None
        meeting = held(meeting_for(world, project=project))
        assert hearing_minutes(project) is not None
        services.minutes_publish(actor=world.user("staff"), meeting=meeting)
        assert hearing_minutes(project) is None
        assert unmet(project, "hearing_minutes") is None

    def test_review_held(self, world):
        project = project_of(world)
        published(meeting_for(world, project=project))  # a hearing does not count
        assert review_held(project) is not None
        assert unmet(project, "review_held") is not None
        published(meeting_for(world, project=project, kind="review", title="评议会"))
        assert review_held(project) is None

    def test_another_projects_meeting_does_not_count(self, world):
        project = project_of(world)
        other = project_of(world, building=world.b2, title="2号楼 楼道")
        published(meeting_for(world, project=other, building="b2"))
        assert hearing_minutes(project) is not None


class TestProjectSection:
    def test_the_section_lists_the_projects_meetings(self, world, django_assert_max_num_queries):
        from linju.meetings.sections import project_meetings_section

        project = project_of(world)
        published(meeting_for(world, project=project))
        meeting_for(world, project=project, title="协调会", kind="coordination")
        FlatFactory(building=world.b1, number="102")
        resident = world.user("resident")
        assert not permissions.actor_for(resident).member_projects  # the page has worked it out
        with django_assert_max_num_queries(2):
            section = project_meetings_section(project=project, actor=resident, showcase=False)
        assert section is not None
        assert [m.title for m in section["context"]["meetings"]] == [
            "1号楼门厅改造听证会",
            "协调会",
        ]
        shown = project_meetings_section(project=project, actor=None, showcase=True)
        assert shown is not None
        assert [m.title for m in shown["context"]["meetings"]] == ["1号楼门厅改造听证会"]
