"""Project pages: the list, the project page with its whole road, moving on (refused with what
is missing: 422, nothing written), photos (upload, serving behind the project's permission,
the lazy gallery), the showcase (public only when allowed), the road's settings, and the
estate home's "一楼一品" with a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.projects import requirements, services
from linju.projects.models import Project, ProjectPhoto, ProjectStage, StageTemplate
from linju.projects.sections import register_section, unregister_section
from tests import factories as f
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped
from tests.notices.factories import public_board
from tests.projects.factories import at_stage, not_an_image, photo_png, project_for

pytestmark = pytest.mark.django_db
BUDGET = 4


def client_for(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def _finish(project: Project, public: bool = True) -> Project:
    at_stage(project, project.stages.count() - 1)
    Project.objects.filter(pk=project.pk).update(
        status="finished", finished_at=timezone.now(), showcase_public=public
    )
    project.refresh_from_db()
    return project


class TestList:
    @pytest.mark.parametrize(
        ("role", "status"),
        [("resident", 200), ("leader", 200), ("anonymous", 302), ("outsider", 404)],
    )
    def test_members_see_the_list(self, world, role, status):
        project_for(world)
        response = client_for(world, role).get(reverse("projects", args=["here"]))
        assert response.status_code == status
        if status == 200:
            assert "1号楼 大堂改造" in response.content.decode()

    def test_on_a_public_board_visitors_see_public_showcases_only(self, world):
        public_board(world.here)
        _finish(project_for(world))
        project_for(world, building=world.b2, actor="staff", title="2号楼 楼道在做")
        page = Client().get(reverse("projects", args=["here"])).content.decode()
        assert "1号楼 大堂改造" in page and "2号楼 楼道在做" not in page


class TestCreate:
    def test_a_leader_starts_a_project_for_their_building(self, world):
        client = client_for(world, "leader")
        url = reverse("project_create", args=["here"])
        assert client.get(url).status_code == 200
        response = client.post(url, {"building": world.b1.pk, "title": "1号楼 大堂", "summary": ""})
        project = Project.objects.get()
        assert response.status_code == 302 and response["Location"] == project.get_absolute_url()

    def test_bad_input_is_422_and_writes_nothing(self, world):
        client = client_for(world, "leader")
        url = reverse("project_create", args=["here"])
        events = AuditEvent.objects.count()
        response = client.post(url, {"building": world.b1.pk, "title": ""})
        assert response.status_code == 422
        response = client.post(url, {"building": world.b2.pk, "title": "别人的楼"})
        assert response.status_code == 422
        assert not Project.objects.exists() and AuditEvent.objects.count() == events

    def test_a_resident_has_no_form(self, world):
        response = client_for(world, "resident").get(reverse("project_create", args=["here"]))
        assert response.status_code == 404

    @pytest.mark.parametrize("name", sorted(CORPUS))
    def test_hostile_titles_are_shown_as_text(self, world, name):
        text = CORPUS[name][:120]
        client = client_for(world, "leader")
        response = client.post(
            reverse("project_create", args=["here"]),
            {"building": world.b1.pk, "title": text, "summary": CORPUS[name][:4000]},
        )
        if "\x00" in text:  # refused before any view runs, or by the service
            assert response.status_code in (400, 422)
            assert not Project.objects.exists()
            return
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert_shown_escaped(page, text.strip())
        assert_no_live_markup(client.get(reverse("projects", args=["here"])).content.decode())


class TestProjectPage:
    def test_the_whole_road_with_where_it_stands_and_what_is_missing(self, world):
        project = project_for(world, position=BUDGET)
        ProjectStage.objects.filter(project=project, position=BUDGET + 1).update(
            due_on=timezone.localdate() - datetime.timedelta(days=3)
        )
        page = client_for(world, "resident").get(project.get_absolute_url()).content.decode()
        assert page.count('class="road-stage road-done') == BUDGET
        assert page.count('aria-current="step"') == 1
        assert str(requirements.unmet(project, "budget_set")) in page
        assert "road-overdue" in page
        assert "project-move" not in page  # a resident may not move it

    def test_moving_without_the_requirement_is_422_with_the_message(self, world):
        project = project_for(world, position=BUDGET)
        events = AuditEvent.objects.count()
        response = client_for(world, "leader").post(
            reverse("project_move", args=["here", project.pk]), {"note": ""}
        )
        assert response.status_code == 422
        assert str(requirements.unmet(project, "budget_set")) in response.content.decode()
        project.refresh_from_db()
        assert project.stage_position == BUDGET and AuditEvent.objects.count() == events

    def test_moving_on(self, world):
        project = project_for(world)
        response = client_for(world, "leader").post(
            reverse("project_move", args=["here", project.pk]), {"note": "好"}
        )
        assert response.status_code == 302
        project.refresh_from_db()
        assert project.stage_position == 1

    def test_registered_sections_are_shown(self, world):
        def provider(*, project, actor, showcase):
            if showcase:
                return None
            return {
                "title": "测试栏目",
                "template": "projects/_test_section.html",
                "context": {"words": "栏目内容"},
            }

        register_section("test", provider)
        project = project_for(world)
        try:
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(
                    "linju.projects.templatetags.projects.render_to_string",
                    lambda template, values, request=None: f"<p>{values.get('words', '')}</p>",
                )
                page = client_for(world, "resident").get(project.get_absolute_url())
        finally:
            unregister_section("test")
        assert "测试栏目" in page.content.decode() and "<p>栏目内容</p>" in page.content.decode()

    def test_a_designer_of_another_project_gets_404(self, world):
        project = project_for(world)
        other = project_for(world, building=world.b2, actor="staff", title="2号楼")
        user = f.UserFactory(username="designer")
        services.project_member_invite(
            actor=world.user("staff"), project=other, user=user, kind="designer"
        )
        client = Client()
        client.force_login(user)
        assert client.get(project.get_absolute_url()).status_code == 404
        assert client.get(other.get_absolute_url()).status_code == 200


class TestPhotos:
    def test_upload_and_serve(self, world):
        project = project_for(world)
        client = client_for(world, "leader")
        url = reverse("project_photo_add", args=["here", project.pk])
        response = client.post(url, {"upload": photo_png(), "kind": "general", "caption": "大堂"})
        assert response.status_code == 302
        photo = ProjectPhoto.objects.get()
        served = client_for(world, "resident").get(
            reverse("project_photo", args=["here", project.pk, photo.pk, "thumb"])
        )
        assert (
            served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        )  # a photo is re-encoded as JPEG
        assert served["Content-Security-Policy"] == "sandbox"
        for role, status in (("outsider", 404), ("anonymous", 302)):
            answer = client_for(world, role).get(
                reverse("project_photo", args=["here", project.pk, photo.pk, "web"])
            )
            assert answer.status_code == status

    def test_not_an_image_is_422_with_the_message(self, world):
        project = project_for(world)
        response = client_for(world, "leader").post(
            reverse("project_photo_add", args=["here", project.pk]),
            {"upload": not_an_image(), "kind": "general"},
        )
        assert response.status_code == 422
        assert "JPEG" in response.content.decode()
        assert not ProjectPhoto.objects.exists()

    def test_the_gallery_shows_24_then_more_with_the_same_queries(self, world):
        project = project_for(world)
        leader = world.user("leader")
        client = client_for(world, "resident")

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(project.get_absolute_url()).status_code == 200
            return len(captured.captured_queries)

        for _ in range(3):
            services.photo_add(actor=leader, project=project, upload=photo_png())
        few = queries()
        for _ in range(27):
            services.photo_add(actor=leader, project=project, upload=photo_png())
        assert queries() == few
        page = client.get(project.get_absolute_url()).content.decode()
        assert page.count('class="project-photo"') == 24
        newest = list(ProjectPhoto.objects.order_by("-pk").values_list("pk", flat=True))
        more = client.get(
            reverse("project_photos", args=["here", project.pk]) + f"?before={newest[23]}",
            HTTP_HX_REQUEST="true",
        ).content.decode()
        assert more.count('class="project-photo"') == 6 and "base.html" not in more


class TestShowcase:
    def test_public_when_finished_shown_and_the_board_is_public(self, world):
        project = _finish(project_for(world))
        photo = services.photo_add(
            actor=world.user("staff"), project=project, upload=photo_png(), kind="before", pair=1
        )
        general = services.photo_add(actor=world.user("staff"), project=project, upload=photo_png())
        url = reverse("project_showcase", args=["here", project.pk])
        assert Client().get(url).status_code == 302  # board not public yet
        public_board(world.here)
        assert Client().get(url).status_code == 200
        assert Client().get(project.get_absolute_url())["Location"] == url
        photo_url = reverse("project_photo", args=["here", project.pk, photo.pk, "web"])
        assert Client().get(photo_url).status_code == 200
        general_url = reverse("project_photo", args=["here", project.pk, general.pk, "web"])
        assert Client().get(general_url).status_code == 302
        Project.objects.filter(pk=project.pk).update(showcase_public=False)
        assert Client().get(url).status_code == 302
        assert client_for(world, "outsider").get(url).status_code == 404

    def test_shows_the_funds_accounts(self, world):
        from linju.funding import services as funding

        project = project_for(world)
        fund = funding.fund_create(
            actor=world.user("staff"),
            estate=world.here,
            building=world.b1,
            title="1号楼 楼道微更新",
            target="5000",
            treasurer=world.user("resident"),
        )
        funding.contribution_record(
            actor=world.user("resident"), fund=fund, amount="305.70", method="cash"
        )
        Project.objects.filter(pk=project.pk).update(fund=fund)
        _finish(project)
        page = client_for(world, "resident").get(
            reverse("project_showcase", args=["here", project.pk])
        )
        assert "¥305.70" in page.content.decode()
        assert fund.get_absolute_url() in page.content.decode()


class TestRoadSettings:
    def _data(self, world, **changes):
        services.road_ensure(estate=world.here)
        road = list(StageTemplate.objects.filter(estate=world.here).order_by("position"))
        data = {
            "stages-TOTAL_FORMS": str(len(road)),
            "stages-INITIAL_FORMS": str(len(road)),
            "stages-MIN_NUM_FORMS": "0",
            "stages-MAX_NUM_FORMS": "30",
        }
        for i, s in enumerate(road):
            data.update(
                {
                    f"stages-{i}-key": s.key,
                    f"stages-{i}-name": s.name,
                    f"stages-{i}-requirement": s.requirement,
                    f"stages-{i}-owner_role": s.owner_role,
                    f"stages-{i}-days": s.days or "",
                    f"stages-{i}-ORDER": str(i + 1),
                }
            )
        data.update(changes)
        return data

    def test_staff_reorder_and_delete(self, world):
        client = client_for(world, "staff")
        url = reverse("console_project_road", args=["here"])
        assert client.get(url).status_code == 200
        data = self._data(
            world,
            **{
                "stages-0-ORDER": "3",
                "stages-1-ORDER": "1",
                "stages-2-ORDER": "2",
                "stages-5-DELETE": "on",
            },
        )
        assert client.post(url, data).status_code == 302
        keys = list(
            StageTemplate.objects.filter(estate=world.here)
            .order_by("position")
            .values_list("key", flat=True)
        )
        assert keys[:3] == ["topics", "hearing", "idea"] and "decision" not in keys

    def test_bad_road_is_422_and_writes_nothing(self, world):
        client = client_for(world, "staff")
        url = reverse("console_project_road", args=["here"])
        before = list(StageTemplate.objects.values_list("name", flat=True))
        response = client.post(url, self._data(world, **{"stages-0-requirement": "nonsense"}))
        assert response.status_code == 422
        response = client.post(url, self._data(world, **{"stages-0-name": ""}))
        assert response.status_code == 422
        services.road_ensure(estate=world.here)
        assert list(StageTemplate.objects.values_list("name", flat=True)) in (
            before,
            list(StageTemplate.objects.values_list("name", flat=True)),
        )
        assert StageTemplate.objects.filter(estate=world.here, name="").count() == 0

    def test_only_staff(self, world):
        url = reverse("console_project_road", args=["here"])
        for role in ("leader", "owners_committee", "resident"):
            assert client_for(world, role).get(url).status_code == 404


class TestEstateHome:
    def _queries(self, client, url) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries), response.content.decode()

    def test_each_buildings_status_with_constant_queries(self, world):
        """The same number of queries with 2 buildings and one project as with 21 buildings
        and 20 projects under way or finished."""
        url = reverse("estate_home", args=["here"])
        client = client_for(world, "resident")
        project_for(world)
        small, page = self._queries(client, url)
        assert "一楼一品" in page
        for n in range(3, 22):
            building = f.BuildingFactory(estate=world.here, number=str(n), sort_key=n)
            project = project_for(world, building=building, actor="staff", title=f"{n}号楼")
            if n % 3 == 0:
                _finish(project)
            else:
                at_stage(project, n % 9)
        large, page = self._queries(client, url)
        assert large == small
        assert page.count("project-state-finished") == 7
        assert page.count("project-state-active") == 13
        assert "project-state-none" in page  # building 2

    def test_visitors_see_stages_but_no_project_links(self, world):
        project = project_for(world)
        page = Client().get(reverse("estate_home", args=["here"])).content.decode()
        assert project.get_absolute_url() not in page
        page = client_for(world, "resident").get(reverse("estate_home", args=["here"]))
        assert project.get_absolute_url() in page.content.decode()
