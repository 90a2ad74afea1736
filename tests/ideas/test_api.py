"""The ideas API: the same services and permissions as the pages, JSON refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.ideas import services
from linju.ideas.models import Comment, CommentReport, Idea, IdeaPhoto, IdeaSupport, Topic
from tests.ideas.factories import (
    comment_on,
    idea_of,
    neighbour,
    not_a_photo,
    png,
    project_of,
    topic_of,
)

SECRET = "隐藏的原文"


def api(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        token = api_token_issue(user=world.user(role), label="test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


class TestIdeas:
    def test_list_and_detail(self, world):
        idea = idea_of(world)
        IdeaSupport.objects.create(idea=idea, user=world.user("leader"))
        response = api(world, "leader").get("/api/ideas", {"estate": "here", "building": "1"})
        assert response.status_code == 200
        (item,) = response.json()
        assert (item["id"], item["support_count"], item["supported"]) == (idea.pk, 1, True)
        assert item["author"] == "李**" or item["author"].endswith("*")
        detail = api(world, "resident").get(f"/api/ideas/{idea.pk}").json()
        assert detail["title"] == idea.title and detail["supported"] is False

    def test_create_with_a_photo(self, world):
        response = api(world, "resident").post(
            "/api/ideas",
            {"estate": "here", "building": "1", "title": "加装扶手", "photos": [png()]},
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert len(body["photos"]) == 1 and IdeaPhoto.objects.count() == 1

    @pytest.mark.parametrize(
        ("data", "status"),
        [
            ({"title": ""}, 422),
            ({"title": "好", "photos": [not_a_photo()]}, 422),
        ],
    )
    def test_bad_input_is_422_and_nothing_written(self, world, data, status):
        response = api(world, "resident").post(
            "/api/ideas", {"estate": "here", "building": "1", **data}
        )
        assert response.status_code == status and "detail" in response.json()
        assert not Idea.objects.exists() and not IdeaPhoto.objects.exists()

    def test_refusals(self, world):
        idea = idea_of(world)
        assert api(world, "anonymous").get(f"/api/ideas/{idea.pk}").status_code == 401
        assert api(world, "staff_other_estate").get(f"/api/ideas/{idea.pk}").status_code == 404
        assert api(world, "resident").get("/api/ideas/987654").status_code == 404
        response = api(world, "leader_other_building").post(
            "/api/ideas", {"estate": "here", "building": "1", "title": "好"}
        )
        assert response.status_code == 403 and not Idea.objects.exclude(pk=idea.pk).exists()

    def test_support_and_unsupport(self, world):
        idea = idea_of(world)
        client = api(world, "leader")
        response = client.post(f"/api/ideas/{idea.pk}/support")
        assert response.json() == {"idea": idea.pk, "supported": True, "support_count": 1}
        assert client.post(f"/api/ideas/{idea.pk}/support").status_code == 422
        assert client.delete(f"/api/ideas/{idea.pk}/support").json()["support_count"] == 0
        forbidden = api(world, "leader_other_building").post(f"/api/ideas/{idea.pk}/support")
        assert forbidden.status_code == 403 and not IdeaSupport.objects.exists()


class TestComments:
    def test_idea_comments_hide_the_hidden_text(self, world):
        idea = idea_of(world)
        comment = comment_on(world, idea=idea, body=SECRET, author=neighbour(world))
        services.comment_hide(actor=world.user("leader"), comment=comment, reason="广告")
        client = api(world, "resident")
        created = client.post(
            f"/api/ideas/{idea.pk}/comments", {"body": "同意"}, content_type="application/json"
        )
        assert created.status_code == 201
        page = client.get(f"/api/ideas/{idea.pk}/comments").json()
        assert page["total"] == 2 and SECRET not in str(page)
        hidden = next(c for c in page["comments"] if c["hidden"])
        assert hidden == {**hidden, "body": None, "hidden_reason": "广告"}

    def test_project_comments_page_with_a_cursor(self, world):
        project = project_of(world)
        for n in range(25):
            comment_on(world, project=project, body=f"意见{n}")
        client = api(world, "resident")
        first = client.get(f"/api/projects/{project.pk}/comments").json()
        assert len(first["comments"]) == 20 and first["total"] == 25
        rest = client.get(
            f"/api/projects/{project.pk}/comments", {"before": first["next_before"]}
        ).json()
        assert len(rest["comments"]) == 5 and rest["next_before"] is None
        posted = client.post(
            f"/api/projects/{project.pk}/comments", {"body": " "}, content_type="application/json"
        )
        assert posted.status_code == 422 and Comment.objects.count() == 25

    def test_report_once(self, world):
        comment = comment_on(world, idea=idea_of(world))
        client = api(world, "leader")
        assert client.post(
            f"/api/comments/{comment.pk}/report",
            {"reason": "不实"},
            content_type="application/json",
        ).json() == {"comment": comment.pk, "reported": True}
        again = client.post(
            f"/api/comments/{comment.pk}/report", {}, content_type="application/json"
        )
        assert again.status_code == 422 and CommentReport.objects.count() == 1
        own = api(world, "resident").post(
            f"/api/comments/{comment.pk}/report", {}, content_type="application/json"
        )
        assert own.status_code == 403


class TestTopics:
    def test_list_and_add(self, world):
        project = project_of(world)
        topic_of(project, "门厅地面")
        assert [
            t["title"]
            for t in api(world, "resident").get(f"/api/projects/{project.pk}/topics").json()
        ] == ["门厅地面"]
        added = api(world, "leader").post(
            f"/api/projects/{project.pk}/topics", {"title": "信箱"}, content_type="application/json"
        )
        assert added.status_code == 201 and added.json()["position"] == 1
        refused = api(world, "resident").post(
            f"/api/projects/{project.pk}/topics", {"title": "x"}, content_type="application/json"
        )
        assert refused.status_code == 403 and Topic.objects.count() == 2
        outsider = api(world, "outsider").get(f"/api/projects/{project.pk}/topics")
        assert outsider.status_code == 404
