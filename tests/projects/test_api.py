"""The projects API: listing (members; public showcases for others), a project with its whole
road, starting one, moving it (422 with what is missing, nothing written), and its photos
(listing and a multipart upload cleaned like every photo)."""

from __future__ import annotations

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.core.models import AuditEvent
from linju.projects import requirements
from linju.projects.models import Project, ProjectPhoto, StageMove
from tests.projects.factories import not_an_image, photo_png, project_for

pytestmark = pytest.mark.django_db
BUDGET = 4


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, label='test')}"}


@pytest.fixture
def client() -> Client:
    return Client()


class TestReading:
    def test_members_list_the_estates_projects(self, world, client):
        project = project_for(world, position=2)
        rows = client.get("/api/projects?estate=here", **bearer(world.user("resident"))).json()
        assert [(r["id"], r["building"], r["stage_position"]) for r in rows] == [
            (project.pk, "1", 2)
        ]
        assert rows[0]["stage"] == project.stages.get(position=2).name

    def test_outsiders_see_no_projects(self, world, client):
        project_for(world)
        assert (
            client.get("/api/projects?estate=here", **bearer(world.user("outsider"))).json() == []
        )

    def test_detail_has_the_whole_road(self, world, client):
        project = project_for(world, position=BUDGET)
        body = client.get(f"/api/projects/{project.pk}", **bearer(world.user("resident"))).json()
        states = [s["state"] for s in body["road"]]
        assert states.count("done") == BUDGET and states[BUDGET] == "current"
        assert body["road"][BUDGET]["missing"] == requirements.unmet(project, "budget_set")

    @pytest.mark.parametrize(("who", "status"), [(None, 401), ("outsider", 404)])
    def test_hidden_projects(self, world, client, who, status):
        project = project_for(world)
        headers = bearer(world.user(who)) if who else {}
        assert client.get(f"/api/projects/{project.pk}", **headers).status_code == status
        assert client.get("/api/projects/987654", **headers).status_code == status


class TestWriting:
    def test_a_leader_starts_a_project(self, world, client):
        response = client.post(
            "/api/projects",
            {"estate": "here", "building": "1", "title": "1号楼 大堂"},
            content_type="application/json",
            **bearer(world.user("leader")),
        )
        assert response.status_code == 201
        assert response.json()["road"][0]["state"] == "current"

    def test_another_buildings_leader_is_refused(self, world, client):
        events = AuditEvent.objects.count()
        response = client.post(
            "/api/projects",
            {"estate": "here", "building": "1", "title": "1号楼 大堂"},
            content_type="application/json",
            **bearer(world.user("leader_other_building")),
        )
        assert response.status_code == 403
        assert not Project.objects.exists() and AuditEvent.objects.count() == events

    def test_move_refused_with_what_is_missing(self, world, client):
        project = project_for(world, position=BUDGET)
        response = client.post(
            f"/api/projects/{project.pk}/move",
            {"note": ""},
            content_type="application/json",
            **bearer(world.user("leader")),
        )
        assert response.status_code == 422
        assert response.json()["detail"] == requirements.unmet(project, "budget_set")
        assert not StageMove.objects.exists()

    def test_move(self, world, client):
        project = project_for(world)
        response = client.post(
            f"/api/projects/{project.pk}/move",
            {"note": "开始收集议题"},
            content_type="application/json",
            **bearer(world.user("leader")),
        )
        assert response.status_code == 200 and response.json()["stage_position"] == 1

    def test_move_needs_a_token(self, world, client):
        project = project_for(world)
        response = client.post(
            f"/api/projects/{project.pk}/move", {}, content_type="application/json"
        )
        assert response.status_code == 401


class TestPhotos:
    def test_upload_and_list(self, world, client):
        project = project_for(world)
        response = client.post(
            f"/api/projects/{project.pk}/photos",
            {"photo": photo_png(), "kind": "before", "pair": "1", "caption": "大堂"},
            **bearer(world.user("leader")),
        )
        assert response.status_code == 201, response.content
        body = client.get(
            f"/api/projects/{project.pk}/photos", **bearer(world.user("resident"))
        ).json()
        assert [(p["kind"], p["pair"], p["caption"]) for p in body["photos"]] == [
            ("before", 1, "大堂")
        ]
        assert body["next_before"] is None
        assert client.get(body["photos"][0]["thumb"]).status_code == 302  # not signed in

    def test_not_an_image_is_422_and_nothing_stored(self, world, client):
        project = project_for(world)
        response = client.post(
            f"/api/projects/{project.pk}/photos",
            {"photo": not_an_image(), "kind": "general"},
            **bearer(world.user("leader")),
        )
        assert response.status_code == 422
        assert "upload" in response.json()["errors"]
        assert not ProjectPhoto.objects.exists()

    def test_a_resident_may_not_upload(self, world, client):
        project = project_for(world)
        response = client.post(
            f"/api/projects/{project.pk}/photos",
            {"photo": photo_png(), "kind": "general"},
            **bearer(world.user("resident")),
        )
        assert response.status_code == 403
        assert not ProjectPhoto.objects.exists()
