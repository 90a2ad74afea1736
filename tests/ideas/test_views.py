"""The ideas pages: a building's ideas with one-tap support, posting with photos, an idea's
page, comments and their moderation, and a project's topics and comments (read 20 at a time
with the same number of queries however many there are)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.ideas import selectors, services
from linju.ideas.models import Comment, Idea, IdeaPhoto, IdeaSupport, Topic
from linju.projects.sections import sections_for
from tests.ideas.factories import (
    comment_on,
    idea_of,
    neighbour,
    not_a_photo,
    png,
    project_of,
    topic_of,
)

SECRET = "这条评论里有王先生的手机号13800001234"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


class TestBuildingIdeas:
    def test_the_list_shows_ideas_with_counts_and_a_support_button(self, world):
        idea = idea_of(world)
        comment_on(world, idea=idea)
        response = client_for(world.user("leader")).get(
            reverse("building_ideas", args=["here", "1"])
        )
        page = html(response)
        assert response.status_code == 200
        assert idea.title in page and 'hx-post="/e/here/ideas/' in page
        assert 'aria-pressed="false"' in page

    def test_one_tap_support_answers_the_button_for_htmx(self, world):
        idea = idea_of(world)
        client = client_for(world.user("leader"))
        url = reverse("idea_support", args=["here", idea.pk])
        response = client.post(url, {"support": "1"}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert 'aria-pressed="true"' in html(response) and "<html" not in html(response)
        assert IdeaSupport.objects.filter(idea=idea, user=world.user("leader")).exists()
        again = client.post(url, {"support": "1"}, headers={"HX-Request": "true"})
        assert again.status_code == 422 and 'role="alert"' in html(again)
        assert IdeaSupport.objects.count() == 1
        client.post(url, {"support": "0"}, headers={"HX-Request": "true"})
        assert not IdeaSupport.objects.exists()

    def test_without_htmx_support_goes_back_to_the_page(self, world):
        idea = idea_of(world)
        response = client_for(world.user("leader")).post(
            reverse("idea_support", args=["here", idea.pk]),
            {"support": "1", "next": "/e/here/b/1/ideas/"},
        )
        assert response.status_code == 302 and response["Location"] == "/e/here/b/1/ideas/"

    def test_a_foreign_next_is_ignored(self, world):
        idea = idea_of(world)
        response = client_for(world.user("leader")).post(
            reverse("idea_support", args=["here", idea.pk]),
            {"support": "1", "next": "https://evil.example/"},
        )
        assert response["Location"] == idea.get_absolute_url()


class TestPostIdea:
    def test_the_form_takes_photos_from_the_phone_camera(self, world):
        page = html(
            client_for(world.user("resident")).get(reverse("idea_create", args=["here", "1"]))
        )
        assert 'accept="image/*"' in page and "multiple" in page
        assert 'enctype="multipart/form-data"' in page

    def test_posting_with_a_photo(self, world):
        response = client_for(world.user("resident")).post(
            reverse("idea_create", args=["here", "1"]),
            {"title": "楼道装感应灯", "body": "晚上太黑", "photos": [png(), png("b.png")]},
        )
        idea = Idea.objects.get()
        assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
        assert IdeaPhoto.objects.filter(idea=idea).count() == 2

    @pytest.mark.parametrize(
        "data",
        [{"title": ""}, {"title": "好", "photos": [not_a_photo()]}, {"title": "长" * 121}],
        ids=["empty", "not-a-photo", "too-long"],
    )
    def test_bad_input_is_the_form_again_with_422(self, world, data):
        before = AuditEvent.objects.count()
        response = client_for(world.user("resident")).post(
            reverse("idea_create", args=["here", "1"]), data
        )
        assert response.status_code == 422 and 'class="field-error"' in html(response)
        assert not Idea.objects.exists() and not IdeaPhoto.objects.exists()
        assert AuditEvent.objects.count() == before

    def test_the_other_buildings_residents_get_404(self, world):
        client = client_for(world.user("leader_other_building"))
        assert client.get(reverse("idea_create", args=["here", "1"])).status_code == 404


class TestIdeaPage:
    def test_photos_and_comments_are_shown(self, world):
        idea = services.idea_post(
            actor=world.user("resident"),
            estate=world.here,
            building=world.b1,
            title="加装扶手",
            photos=[png()],
        )
        comment_on(world, idea=idea, body="我家老人很需要", author=world.user("leader"))
        client = client_for(world.user("resident"))
        page = html(client.get(idea.get_absolute_url()))
        photo = IdeaPhoto.objects.get()
        photo_url = reverse("idea_photo", args=["here", idea.pk, photo.pk, "web"])
        assert photo_url in page and "我家老人很需要" in page
        served = client.get(photo_url)
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"  # re-encoded
        assert served["Content-Security-Policy"] == "sandbox"

    def test_a_hidden_comments_text_is_never_rendered(self, world):
        """Neither residents nor its moderators see the hidden text on any page; everyone
        sees who hid it and why."""
        idea = idea_of(world)
        project = project_of(world)
        for target in ({"idea": idea}, {"project": project}):
            comment = comment_on(world, body=SECRET, author=neighbour(world), **target)
            services.comment_report(actor=world.user("resident"), comment=comment)
            services.comment_hide(
                actor=world.user("leader"), comment=comment, reason="含有电话号码"
            )
        pages = [
            idea.get_absolute_url(),
            reverse("project_topics", args=["here", project.pk]),
            reverse("project_comments", args=["here", project.pk]),
            reverse("comment_queue", args=["here"]),
            reverse("building_ideas", args=["here", "1"]),
        ]
        for role in ("resident", "leader", "staff", "admin"):
            client = client_for(world.user(role))
            for url in pages:
                response = client.get(url)
                assert response.status_code == (
                    404 if role == "resident" and "console" in url else 200
                )
                assert SECRET not in html(response), (role, url)
        page = html(client_for(world.user("resident")).get(idea.get_absolute_url()))
        assert "含有电话号码" in page
        section = sections_for(project=project, actor=world.user("resident"), showcase=False)
        ours = next(s for s in section if s.name == "ideas")
        rendered = render_to_string(
            ours.template,
            {**ours.context, "project": project, "estate": world.here},
            request=_request(world.user("resident")),
        )
        assert SECRET not in rendered and "含有电话号码" in rendered

    def test_leader_merges_and_turns_into_a_topic_from_the_page(self, world):
        project = project_of(world)
        idea, duplicate = (
            idea_of(world),
            idea_of(world, title="楼道太黑", author=world.user("leader")),
        )
        client = client_for(world.user("leader"))
        page = html(client.get(idea.get_absolute_url()))
        assert reverse("idea_to_topic", args=["here", idea.pk]) in page
        response = client.post(
            reverse("idea_merge", args=["here", duplicate.pk]), {"into": idea.pk}
        )
        assert response.status_code == 302
        response = client.post(
            reverse("idea_to_topic", args=["here", idea.pk]), {"project": project.pk}
        )
        assert response["Location"] == reverse("project_topics", args=["here", project.pk])
        assert Topic.objects.get().from_idea == idea

    def test_merge_into_an_idea_of_another_building_is_422(self, world):
        idea = idea_of(world)
        other = idea_of(world, building=world.b2, author=world.user("leader_other_building"))
        response = client_for(world.user("staff")).post(
            reverse("idea_merge", args=["here", idea.pk]), {"into": other.pk}
        )
        assert response.status_code == 422
        assert Idea.objects.get(pk=idea.pk).status == Idea.Status.OPEN

    def test_an_empty_comment_is_422(self, world):
        idea = idea_of(world)
        response = client_for(world.user("leader")).post(
            reverse("idea_comment_post", args=["here", idea.pk]), {"body": " "}
        )
        assert response.status_code == 422 and not Comment.objects.exists()

    def test_hiding_without_a_reason_is_422(self, world):
        comment = comment_on(world, idea=idea_of(world))
        response = client_for(world.user("leader")).post(
            reverse("comment_hide", args=["here", comment.pk]), {"reason": ""}
        )
        assert response.status_code == 422 and 'class="field-error"' in html(response)
        comment.refresh_from_db()
        assert not comment.is_hidden


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _comments(world, project, n: int) -> None:
    start = timezone.now() - datetime.timedelta(days=30)
    authors = [neighbour(world) for _ in range(3)]
    Comment.objects.bulk_create(
        Comment(
            estate=world.here,
            building=world.b1,
            project=project,
            author=authors[i % 3],
            body=f"第{i}条意见",
            created_at=start + datetime.timedelta(minutes=i),
        )
        for i in range(n)
    )


class TestProjectComments:
    def test_twenty_at_a_time_newest_first_then_more(self, world):
        project = project_of(world)
        _comments(world, project, 45)
        client = client_for(world.user("resident"))
        page = html(client.get(reverse("project_topics", args=["here", project.pk])))
        assert "第44条意见" in page and "第25条意见" in page and "第24条意见" not in page
        first = selectors.comment_page(actor=world.user("resident"), project=project)
        more_url = reverse("project_comments", args=["here", project.pk])
        assert f'hx-get="{more_url}?before={first.next_before}"' in page
        more = html(
            client.get(more_url, {"before": first.next_before}, headers={"HX-Request": "true"})
        )
        assert "第24条意见" in more and "第5条意见" in more and "第4条意见" not in more
        assert "<html" not in more

    def test_constant_queries_whatever_the_number_of_comments(self, world):
        """500 comments cost the same queries as 30: on the topics page, for "more", and in
        the project page's section."""
        small, large = project_of(world), project_of(world, title="1号楼 信箱")
        _comments(world, small, 30)
        _comments(world, large, 500)
        topic_of(small), topic_of(large)
        client = client_for(world.user("leader"))
        counts = {}
        for name, project in (("small", small), ("large", large)):
            before = selectors.comment_page(actor=world.user("leader"), project=project).next_before
            for label, url, data in (
                ("page", reverse("project_topics", args=["here", project.pk]), {}),
                (
                    "more",
                    reverse("project_comments", args=["here", project.pk]),
                    {"before": before},
                ),
            ):
                client.get(url, data)  # warm the session and the actor
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url, data).status_code == 200
                counts[(name, label)] = len(queries)
            leader = world.user("leader")
            selectors.project_section(project=project, actor=leader, showcase=False)
            with CaptureQueriesContext(connection) as queries:
                selectors.project_section(project=project, actor=leader, showcase=False)
            counts[(name, "section")] = len(queries)
        for label in ("page", "more", "section"):
            assert counts[("small", label)] == counts[("large", label)], counts
        assert counts[("large", "section")] <= 5

    def test_a_designer_of_the_project_comments_but_outsiders_do_not(self, world):
        from linju.projects.models import ProjectMember

        project = project_of(world)
        ProjectMember.objects.create(project=project, user=world.user("outsider"), kind="designer")
        url = reverse("project_comment_post", args=["here", project.pk])
        response = client_for(world.user("outsider")).post(url, {"body": "方案下周出"})
        assert response.status_code == 302
        response = client_for(world.user("staff_other_estate")).post(url, {"body": "路过"})
        assert response.status_code == 404
        assert Comment.objects.count() == 1

    def test_showcase_section_lists_topics_only(self, world):
        project = project_of(world)
        topic_of(project, "门厅地面")
        comment_on(world, project=project, body="谢谢大家")
        section = next(
            s for s in sections_for(project=project, actor=None, showcase=True) if s.name == "ideas"
        )
        rendered = render_to_string(section.template, section.context)
        assert "门厅地面" in rendered and "谢谢大家" not in rendered


class TestTopicPages:
    def test_the_leader_adds_moves_and_removes_topics(self, world):
        project = project_of(world)
        client = client_for(world.user("leader"))
        base = reverse("project_topics", args=["here", project.pk])
        for title in ("门厅地面", "信箱", "照明"):
            assert client.post(base + "new/", {"title": title}).status_code == 302
        last = Topic.objects.get(title="照明")
        client.post(reverse("topic_move", args=["here", project.pk, last.pk]), {"direction": "up"})
        assert [t.title for t in selectors.project_topics(project=project)] == [
            "门厅地面",
            "照明",
            "信箱",
        ]
        client.post(reverse("topic_remove", args=["here", project.pk, last.pk]))
        assert [t.title for t in selectors.project_topics(project=project)] == ["门厅地面", "信箱"]
        response = client.post(base + "new/", {"title": ""})
        assert response.status_code == 422 and Topic.objects.count() == 2


class TestQueue:
    def test_the_leader_sees_flagged_comments_first_and_keeps_one(self, world):
        idea = idea_of(world)
        once = comment_on(world, idea=idea, body="一条普通意见")
        flagged = comment_on(world, idea=idea, body="一条被多人举报的意见")
        services.comment_report(actor=world.user("staff"), comment=once)
        for user in (neighbour(world) for _ in range(3)):
            services.comment_report(actor=user, comment=flagged)
        client = client_for(world.user("leader"))
        page = html(client.get(reverse("comment_queue", args=["here"])))
        assert page.index("一条被多人举报的意见") < page.index("一条普通意见")
        response = client.post(reverse("comment_keep", args=["here", flagged.pk]))
        assert response.status_code == 302
        flagged.refresh_from_db()
        assert flagged.flagged_at is None


def test_the_project_page_shows_topics_and_the_newest_comments(world):
    """The section on the project's own page: its topics, the newest 20 comments, "more"."""
    project = project_of(world)
    topic_of(project, "门厅地面")
    _comments(world, project, 25)
    page = html(client_for(world.user("resident")).get(project.get_absolute_url()))
    assert "门厅地面" in page and "第24条意见" in page and "第4条意见" not in page
    assert reverse("project_comments", args=["here", project.pk]) + "?before=" in page
    assert reverse("project_comment_post", args=["here", project.pk]) in page
