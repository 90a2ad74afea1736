"""Project services: starting on the estate's road, moving stage by stage only when the stage
has what it needs, moving back, assigning, cancelling, inviting a designer, photos and the
road's settings. Every refusal writes nothing."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from linju.core import permissions
from linju.core.models import AuditEvent
from linju.funding import services as funding
from linju.projects import requirements, services
from linju.projects.models import (
    Project,
    ProjectMember,
    ProjectPhoto,
    ProjectStage,
    StageMove,
    StageTemplate,
)
from linju.projects.road import DEFAULT_ROAD
from tests import factories as f
from tests.projects.factories import (
    not_an_image,
    photo_jpeg_with_gps,
    photo_png,
    png_claiming,
    project_for,
    too_big,
)

pytestmark = pytest.mark.django_db
BUDGET = 4  # "Budget and co-funding plan": needs budget_set
LAST = len(DEFAULT_ROAD) - 1


def _media_files() -> int:
    root = Path(settings.MEDIA_ROOT)
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def snapshot() -> tuple:
    """Everything a project service could write."""
    return (
        list(Project.objects.order_by("pk").values_list("status", "stage_position", "title")),
        list(
            ProjectStage.objects.order_by("pk").values_list(
                "started_at", "completed_at", "owner_id", "due_on"
            )
        ),
        StageMove.objects.count(),
        ProjectMember.objects.filter(ended_at__isnull=True).count(),
        ProjectPhoto.objects.count(),
        list(StageTemplate.objects.order_by("pk").values_list("name", "requirement")),
        AuditEvent.objects.count(),
        _media_files(),
    )


def designer(world, project, username: str = "designer"):
    user = f.UserFactory(username=username)
    services.project_member_invite(
        actor=world.user("staff"), project=project, user=user, kind="designer", organisation="X"
    )
    return user


class TestProjectCreate:
    def test_copies_the_default_road_the_first_time_with_due_dates(self, world):
        """The estate's road is made from the default road; the project gets its own copy,
        stage 0 started, each due date the previous one plus the stage's usual length."""
        project = project_for(world)
        road = list(StageTemplate.objects.filter(estate=world.here).order_by("position"))
        assert [s.key for s in road] == [s.key for s in DEFAULT_ROAD]
        stages = list(project.stages.order_by("position"))
        assert [s.key for s in stages] == [s.key for s in DEFAULT_ROAD]
        today = timezone.localdate()
        assert stages[0].due_on == today + datetime.timedelta(days=DEFAULT_ROAD[0].days or 0)
        assert stages[1].due_on == stages[0].due_on + datetime.timedelta(
            days=DEFAULT_ROAD[1].days or 0
        )
        assert stages[-1].due_on is None
        assert stages[0].started_at is not None and stages[1].started_at is None
        assert project.stage_position == 0 and project.status == Project.Status.ACTIVE
        assert AuditEvent.objects.filter(action="project.create").count() == 1

    def test_a_leader_of_another_building_is_refused(self, world):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            project_for(world, actor="leader_other_building")
        assert snapshot() == before

    def test_staff_start_a_project_of_the_whole_estate(self, world):
        project = services.project_create(
            actor=world.user("staff"), estate=world.here, building=None, title="全小区 健身角"
        )
        assert project.building is None

    def test_one_project_at_a_time_per_building(self, world):
        project_for(world)
        before = snapshot()
        with pytest.raises(ValidationError) as refused:
            project_for(world, title="又一个")
        assert "building" in refused.value.message_dict
        assert snapshot() == before

    def test_title_is_required(self, world):
        before = snapshot()
        with pytest.raises(ValidationError):
            project_for(world, title="   ")
        assert snapshot() == before

    def test_a_building_of_another_estate_is_refused(self, world):
        before = snapshot()
        with pytest.raises((ValidationError, PermissionDenied)):
            services.project_create(
                actor=world.user("staff"), estate=world.here, building=world.b_there, title="x"
            )
        assert snapshot() == before


class TestStageMove:
    def test_a_stage_without_a_requirement_moves_on_and_is_recorded(self, world):
        project = project_for(world)
        services.stage_move(actor=world.user("leader"), project=project, note="大家都同意")
        project.refresh_from_db()
        assert project.stage_position == 1
        move = StageMove.objects.get(project=project)
        assert (move.from_position, move.to_position, move.moved_by) == (
            0,
            1,
            world.user("leader"),
        )
        assert move.note == "大家都同意"
        first, second = project.stages.order_by("position")[:2]
        assert first.completed_at is not None and second.started_at is not None

    def test_moving_without_the_requirement_is_refused_with_its_sentence(self, world):
        """At "budget", without a budget and a fund, the move is refused with the sentence
        the requirement gives, and nothing is written."""
        project = project_for(world, position=BUDGET)
        expected = requirements.unmet(project, "budget_set")
        assert expected
        before = snapshot()
        with pytest.raises(ValidationError) as refused:
            services.stage_move(actor=world.user("leader"), project=project)
        assert refused.value.messages == [expected]
        assert snapshot() == before

    def test_with_budget_and_fund_it_moves_and_records_the_evidence(self, world):
        project = project_for(world, position=BUDGET)
        fund = funding.fund_create(
            actor=world.user("staff"),
            estate=world.here,
            building=world.b1,
            title="1号楼 楼道微更新",
            target="5000",
            treasurer=world.user("resident"),
        )
        services.project_update(
            actor=world.user("leader"),
            project=project,
            title=project.title,
            budget="5000",
            fund=fund,
        )
        services.stage_move(actor=world.user("leader"), project=project)
        move = StageMove.objects.get(project=project)
        assert move.evidence == str(requirements.label("budget_set"))

    def test_reaching_the_showcase_finishes_the_project(self, world):
        project = project_for(world, position=LAST - 1)
        ProjectStage.objects.filter(project=project, position=LAST - 1).update(requirement="")
        services.stage_move(actor=world.user("staff"), project=project)
        project.refresh_from_db()
        assert project.status == Project.Status.FINISHED
        assert project.finished_at is not None
        assert project.stage_position == LAST

    def test_a_cancelled_project_does_not_move(self, world):
        project = project_for(world)
        services.project_cancel(actor=world.user("staff"), project=project, reason="楼里意见不一")
        before = snapshot()
        with pytest.raises(ValidationError):
            services.stage_move(actor=world.user("leader"), project=project)
        assert snapshot() == before

    @pytest.mark.parametrize("role", ["resident", "leader_other_building", "property", "outsider"])
    def test_others_may_not_move_it(self, world, role):
        project = project_for(world)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.stage_move(actor=world.user(role), project=project)
        assert snapshot() == before

    def test_a_requirement_nobody_registered_is_unmet(self, world):
        project = project_for(world)
        ProjectStage.objects.filter(project=project, position=0).update(requirement="no_such")
        before = snapshot()
        with pytest.raises(ValidationError):
            services.stage_move(actor=world.user("leader"), project=project)
        assert snapshot() == before


class TestMoveBackAndCancel:
    def test_staff_move_back_with_a_reason(self, world):
        project = project_for(world, position=3)
        services.stage_move_back(actor=world.user("staff"), project=project, reason="方案要重做")
        project.refresh_from_db()
        assert project.stage_position == 2
        assert StageMove.objects.get(project=project).note == "方案要重做"

    def test_a_reason_is_required_and_the_leader_may_not(self, world):
        project = project_for(world, position=3)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.stage_move_back(actor=world.user("staff"), project=project, reason=" ")
        with pytest.raises(PermissionDenied):
            services.stage_move_back(actor=world.user("leader"), project=project, reason="x")
        assert snapshot() == before

    def test_moving_back_a_finished_project_reopens_it(self, world):
        project = project_for(world, position=LAST)
        Project.objects.filter(pk=project.pk).update(status="finished", finished_at=timezone.now())
        project.refresh_from_db()
        services.stage_move_back(actor=world.user("staff"), project=project, reason="验收漏项")
        project.refresh_from_db()
        assert project.status == Project.Status.ACTIVE and project.finished_at is None

    def test_cancel_needs_staff_and_a_reason(self, world):
        project = project_for(world)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.project_cancel(actor=world.user("leader"), project=project, reason="x")
        with pytest.raises(ValidationError):
            services.project_cancel(actor=world.user("staff"), project=project, reason="")
        assert snapshot() == before


class TestAssign:
    def test_assigns_a_member_of_the_estate_and_a_due_date(self, world):
        project = project_for(world)
        due = timezone.localdate() + datetime.timedelta(days=10)
        services.stage_assign(
            actor=world.user("leader"),
            project=project,
            position=2,
            owner=world.user("resident"),
            due_on=due,
        )
        stage = project.stages.get(position=2)
        assert (stage.owner, stage.due_on) == (world.user("resident"), due)

    def test_an_outsider_cannot_carry_a_stage(self, world):
        project = project_for(world)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.stage_assign(
                actor=world.user("leader"),
                project=project,
                position=2,
                owner=world.user("outsider"),
            )
        assert snapshot() == before


class TestMembers:
    def test_an_invited_designer_sees_this_project_only(self, world):
        project = project_for(world)
        other = project_for(world, building=world.b2, actor="staff", title="2号楼 楼道")
        user = designer(world, project)
        assert permissions.can(user, "view", project)
        assert permissions.can(user, "add_photo", project)
        assert not permissions.can(user, "view", other)
        assert not permissions.can(user, "move", project)

    def test_ending_their_part_closes_the_project_to_them(self, world):
        project = project_for(world)
        user = designer(world, project)
        member = ProjectMember.objects.get(user=user)
        services.project_member_end(actor=world.user("staff"), member=member)
        permissions.forget(user)
        assert not permissions.can(user, "view", project)

    def test_inviting_twice_is_refused(self, world):
        project = project_for(world)
        user = designer(world, project)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.project_member_invite(
                actor=world.user("staff"), project=project, user=user, kind="designer"
            )
        assert snapshot() == before

    def test_a_resident_may_not_invite(self, world):
        project = project_for(world)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.project_member_invite(
                actor=world.user("resident"),
                project=project,
                user=world.user("outsider"),
                kind="designer",
            )
        assert snapshot() == before


class TestPhotos:
    def test_the_leader_adds_a_photo_and_its_sizes_are_made_after_commit(
        self, world, immediate_tasks, django_capture_on_commit_callbacks
    ):
        project = project_for(world)
        with django_capture_on_commit_callbacks(execute=True):
            photo = services.photo_add(
                actor=world.user("leader"), project=project, upload=photo_png(size=(2000, 1500))
            )
        photo.refresh_from_db()
        assert (photo.width, photo.height) == (2000, 1500)
        assert photo.web and photo.thumb
        with photo.thumb.open("rb") as handle, Image.open(handle) as thumb:
            assert max(thumb.size) == 320

    def test_a_designer_of_another_project_may_not_add_a_photo(self, world):
        project = project_for(world)
        other = project_for(world, building=world.b2, actor="staff", title="2号楼 楼道")
        user = designer(world, other)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.photo_add(actor=user, project=project, upload=photo_png())
        assert snapshot() == before

    def test_the_invited_designer_may(self, world):
        project = project_for(world)
        user = designer(world, project)
        photo = services.photo_add(actor=user, project=project, upload=photo_png())
        assert photo.uploaded_by == user

    @pytest.mark.parametrize(
        ("upload", "code"),
        [
            (not_an_image, "not_a_photo"),
            (too_big, "too_big"),
            (lambda: png_claiming(20000, 20000), "too_many_pixels"),
            (lambda: png_claiming(8000, 6000), "too_many_pixels"),
        ],
        ids=["not-an-image", "over-15-MB", "20000x20000", "48-megapixels"],
    )
    def test_bad_uploads_are_refused_and_nothing_is_stored(self, world, upload, code):
        project = project_for(world)
        before = snapshot()
        with pytest.raises(ValidationError) as refused:
            services.photo_add(actor=world.user("leader"), project=project, upload=upload())
        assert "upload" in refused.value.message_dict
        assert snapshot() == before

    def test_location_and_camera_are_stripped(self, world):
        """A phone's JPEG with GPS and camera in its EXIF is stored with no EXIF at all."""
        upload = photo_jpeg_with_gps()
        with Image.open(io.BytesIO(upload.read())) as original:
            assert original.getexif().get_ifd(0x8825)  # the test photo does carry GPS
        upload.seek(0)
        project = project_for(world)
        photo = services.photo_add(actor=world.user("leader"), project=project, upload=upload)
        with photo.image.open("rb") as handle:
            data = handle.read()
        with Image.open(io.BytesIO(data)) as stored:
            assert not stored.getexif()
            assert "exif" not in stored.info
        assert b"GPS" not in data and "手机型号".encode() not in data

    def test_before_and_after_pairs(self, world):
        project = project_for(world)
        leader = world.user("leader")
        services.photo_add(actor=leader, project=project, upload=photo_png(), kind="before", pair=1)
        services.photo_add(actor=leader, project=project, upload=photo_png(), kind="after", pair=1)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.photo_add(
                actor=leader, project=project, upload=photo_png(), kind="after", pair=1
            )
        with pytest.raises(ValidationError):
            services.photo_add(actor=leader, project=project, upload=photo_png(), kind="before")
        assert snapshot() == before

    def test_the_uploader_removes_their_photo_others_may_not(
        self, world, django_capture_on_commit_callbacks
    ):
        project = project_for(world)
        user = designer(world, project)
        photo = services.photo_add(actor=user, project=project, upload=photo_png())
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.photo_remove(actor=world.user("resident"), photo=photo)
        assert snapshot() == before
        name = photo.image.name
        with django_capture_on_commit_callbacks(execute=True):
            services.photo_remove(actor=user, photo=photo)
        assert not ProjectPhoto.objects.exists()
        assert not photo.image.storage.exists(name)


class TestRoadSettings:
    def _stages(self, world):
        services.road_ensure(estate=world.here)
        return [
            {
                "key": s.key,
                "name": s.name,
                "requirement": s.requirement,
                "owner_role": s.owner_role,
                "days": s.days,
            }
            for s in StageTemplate.objects.filter(estate=world.here).order_by("position")
        ]

    def test_staff_rename_reorder_add_and_remove_stages(self, world):
        project = project_for(world)
        stages = self._stages(world)
        stages[0]["name"] = "金点子"
        stages[1], stages[2] = stages[2], stages[1]
        del stages[5]
        stages.insert(3, {"name": "居民议事会", "requirement": "", "owner_role": "staff"})
        services.road_update(actor=world.user("staff"), estate=world.here, stages=stages)
        road = list(StageTemplate.objects.filter(estate=world.here).order_by("position"))
        assert [s.name for s in road][:4] == [
            "金点子",
            stages[1]["name"],
            stages[2]["name"],
            "居民议事会",
        ]
        assert len(road) == len(DEFAULT_ROAD)
        assert len({s.key for s in road}) == len(road)
        # The project under way keeps the road it started with.
        assert [s.key for s in project.stages.order_by("position")] == [s.key for s in DEFAULT_ROAD]
        assert (
            project_for(world, building=world.b2, actor="staff").stages.get(position=0).name
            == "金点子"
        )

    @pytest.mark.parametrize(
        "change",
        [
            lambda stages: stages[0].update(requirement="no_such_requirement"),
            lambda stages: stages[0].update(name=""),
            lambda stages: stages[0].update(days="0"),
            lambda stages: stages[0].update(owner_role="mayor"),
            lambda stages: stages.__delitem__(slice(1, None)),
        ],
        ids=["unknown-requirement", "no-name", "zero-days", "unknown-owner", "one-stage"],
    )
    def test_bad_roads_are_refused(self, world, change):
        stages = self._stages(world)
        change(stages)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.road_update(actor=world.user("staff"), estate=world.here, stages=stages)
        assert snapshot() == before

    def test_only_staff_change_the_road(self, world):
        stages = self._stages(world)
        before = snapshot()
        for role in ("leader", "owners_committee", "staff_other_estate"):
            with pytest.raises(PermissionDenied):
                services.road_update(actor=world.user(role), estate=world.here, stages=stages)
        assert snapshot() == before
