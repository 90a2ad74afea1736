"""The ideas services: posting, support, merging, topics, comments and their moderation.

Each refusal asserts that nothing was written (no row, no audit event, no file)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linju.core.models import AuditEvent
from linju.ideas import selectors, services
from linju.ideas.models import (
    Comment,
    CommentReport,
    Idea,
    IdeaPhoto,
    IdeaSupport,
    Topic,
)
from linju.projects import requirements
from linju.projects.models import Project
from tests.ideas.factories import (
    comment_on,
    idea_of,
    neighbour,
    not_a_photo,
    png,
    project_of,
    supported_by,
    topic_of,
)


def snapshot():
    """Everything the services write, to compare before and after a refusal."""
    return (
        list(Idea.objects.order_by("pk").values_list("pk", "status", "merged_into", "project")),
        IdeaPhoto.objects.count(),
        sorted(IdeaSupport.objects.values_list("idea_id", "user_id")),
        list(Comment.objects.order_by("pk").values_list("pk", "hidden_at", "flagged_at")),
        CommentReport.objects.filter(resolved_at__isnull=True).count(),
        list(Topic.objects.order_by("pk").values_list("pk", "position")),
        AuditEvent.objects.count(),
    )


class TestIdeaPost:
    def test_a_resident_posts_an_idea_with_photos(
        self, world, immediate_tasks, django_capture_on_commit_callbacks
    ):
        """The idea is stored with its photos (re-encoded, web sizes made after commit),
        audited, and open."""
        with django_capture_on_commit_callbacks(execute=True):
            idea = services.idea_post(
                actor=world.user("resident"),
                estate=world.here,
                building=world.b1,
                title="  楼道装感应灯 ",
                body="晚上太黑。",
                photos=[png("a.png"), png("b.png", colour=(10, 20, 30))],
            )
        assert idea.title == "楼道装感应灯" and idea.status == Idea.Status.OPEN
        photos = list(IdeaPhoto.objects.filter(idea=idea).order_by("position"))
        assert len(photos) == 2
        assert [p.position for p in photos] == [0, 1]
        assert all(p.width == 64 and p.thumb for p in photos)
        assert AuditEvent.objects.filter(action="idea.post", target_id=str(idea.pk)).exists()

    @pytest.mark.parametrize("role", ["leader", "staff", "admin"])
    def test_the_leader_and_staff_post_too(self, world, role):
        idea = services.idea_post(
            actor=world.user(role), estate=world.here, building=world.b1, title="加装扶手"
        )
        assert idea.author == world.user(role)

    @pytest.mark.parametrize(
        "role",
        ["leader_other_building", "owners_committee", "property", "outsider", "staff_other_estate"],
    )
    def test_others_are_refused_and_nothing_is_written(self, world, role):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.idea_post(
                actor=world.user(role), estate=world.here, building=world.b1, title="加装扶手"
            )
        assert snapshot() == before

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"title": ""}, "title"),
            ({"title": "   "}, "title"),
            ({"title": "长" * 121}, "title"),
            ({"title": "好", "body": "长" * 4001}, "body"),
            ({"title": "好", "photos": [png() for _ in range(7)]}, "photos"),
            ({"title": "好", "photos": [png(), not_a_photo()]}, "photos"),
        ],
        ids=["empty", "blank", "title-too-long", "body-too-long", "seven-photos", "not-a-photo"],
    )
    def test_bad_input_is_refused_and_nothing_is_written(self, world, values, field):
        before = snapshot()
        with pytest.raises(ValidationError) as caught:
            services.idea_post(
                actor=world.user("resident"), estate=world.here, building=world.b1, **values
            )
        assert field in caught.value.message_dict
        assert snapshot() == before

    def test_a_building_of_another_estate_is_refused(self, world):
        before = snapshot()
        with pytest.raises((ValidationError, PermissionDenied)):
            services.idea_post(
                actor=world.user("admin"), estate=world.here, building=world.b_there, title="好"
            )
        assert snapshot() == before


class TestSupport:
    def test_a_neighbour_supports_once(self, world):
        idea = idea_of(world)
        other = neighbour(world)
        services.idea_support(actor=other, idea=idea)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.idea_support(actor=other, idea=idea)
        assert snapshot() == before
        assert IdeaSupport.objects.filter(idea=idea).count() == 1

    def test_the_author_cannot_support_their_own_idea(self, world):
        idea = idea_of(world)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.idea_support(actor=world.user("resident"), idea=idea)
        assert snapshot() == before

    def test_residents_of_another_building_cannot_support(self, world):
        idea = idea_of(world)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.idea_support(actor=world.user("leader_other_building"), idea=idea)
        assert snapshot() == before

    def test_unsupport_removes_the_support_and_twice_is_refused(self, world):
        idea = supported_by(idea_of(world), world.user("leader"))
        services.idea_unsupport(actor=world.user("leader"), idea=idea)
        assert not IdeaSupport.objects.exists()
        before = snapshot()
        with pytest.raises(ValidationError):
            services.idea_unsupport(actor=world.user("leader"), idea=idea)
        assert snapshot() == before

    def test_a_merged_idea_takes_no_support(self, world):
        target = idea_of(world, title="装灯")
        idea = idea_of(world, status=Idea.Status.MERGED, merged_into=target)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.idea_support(actor=world.user("leader"), idea=idea)
        assert snapshot() == before


class TestMerge:
    def test_supports_are_carried_over_without_double_counting(self, world):
        """Supporters of both count once; the duplicate's author counts for the target; the
        target's author is never a supporter of their own idea; the duplicate keeps none."""
        a, b, c = (neighbour(world) for _ in range(3))
        target = supported_by(idea_of(world, author=a, title="楼道装灯"), b, world.user("leader"))
        duplicate = supported_by(
            idea_of(world, author=world.user("resident"), title="楼道太黑了"),
            a,  # the target's author
            b,  # supports both
            c,
        )
        services.idea_merge(actor=world.user("leader"), idea=duplicate, into=target)
        supporters = set(IdeaSupport.objects.filter(idea=target).values_list("user_id", flat=True))
        assert supporters == {b.pk, c.pk, world.user("leader").pk, world.user("resident").pk}
        assert not IdeaSupport.objects.filter(idea=duplicate).exists()
        duplicate.refresh_from_db()
        assert duplicate.status == Idea.Status.MERGED and duplicate.merged_into == target
        listed = {
            i.pk: i
            for i in selectors.ideas_for_building(actor=world.user("resident"), building=world.b1)
        }
        assert listed[target.pk].support_count == 4

    @pytest.mark.parametrize("case", ["itself", "other-building", "merged-already", "into-merged"])
    def test_refusals_write_nothing(self, world, case):
        idea = idea_of(world)
        into = idea_of(world, title="另一个")
        if case == "itself":
            into = idea
        elif case == "other-building":
            into = idea_of(world, building=world.b2, author=world.user("leader_other_building"))
        elif case == "merged-already":
            Idea.objects.filter(pk=idea.pk).update(status=Idea.Status.MERGED, merged_into=into)
        else:
            Idea.objects.filter(pk=into.pk).update(status=Idea.Status.MERGED)
        before = snapshot()
        with pytest.raises((ValidationError, PermissionDenied)):
            services.idea_merge(actor=world.user("staff"), idea=idea, into=into)
        assert snapshot() == before

    def test_only_the_leader_and_staff_merge(self, world):
        idea, into = idea_of(world), idea_of(world, title="另一个")
        before = snapshot()
        for role in ("resident", "leader_other_building", "owners_committee"):
            with pytest.raises(PermissionDenied):
                services.idea_merge(actor=world.user(role), idea=idea, into=into)
        assert snapshot() == before


class TestTopics:
    def test_the_leader_turns_an_idea_into_a_topic(self, world):
        project = project_of(world)
        idea = idea_of(world)
        topic = services.idea_to_topic(actor=world.user("leader"), idea=idea, project=project)
        idea.refresh_from_db()
        assert (topic.title, topic.position, topic.from_idea) == (idea.title, 0, idea)
        assert idea.status == Idea.Status.ADOPTED and idea.project == project
        assert requirements.unmet(project, "topics_listed") is None

    def test_a_project_without_topics_does_not_meet_the_requirement(self, world):
        project = project_of(world)
        assert requirements.unmet(project, "topics_listed") == selectors.topics_listed(project)
        assert selectors.topics_listed(project)  # a sentence saying what is missing

    @pytest.mark.parametrize("case", ["other-building", "finished", "twice", "merged"])
    def test_refusals_write_nothing(self, world, case):
        project = project_of(world)
        idea = idea_of(world)
        if case == "other-building":
            project = project_of(world, building=world.b2)
        elif case == "finished":
            Project.objects.filter(pk=project.pk).update(status=Project.Status.FINISHED)
            project.refresh_from_db()
        elif case == "twice":
            services.idea_to_topic(actor=world.user("leader"), idea=idea, project=project)
        else:
            Idea.objects.filter(pk=idea.pk).update(status=Idea.Status.MERGED)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.idea_to_topic(actor=world.user("staff"), idea=idea, project=project)
        assert snapshot() == before

    def test_add_reorder_and_remove(self, world):
        project = project_of(world)
        leader = world.user("leader")
        first = services.topic_add(actor=leader, project=project, title="门厅地面")
        second = services.topic_add(actor=leader, project=project, title="信箱")
        third = services.topic_add(actor=leader, project=project, title="照明")
        services.topic_reorder(actor=leader, project=project, order=[third.pk, first.pk, second.pk])
        assert [t.title for t in selectors.project_topics(project=project)] == [
            "照明",
            "门厅地面",
            "信箱",
        ]
        services.topic_remove(actor=leader, topic=first)
        assert [(t.title, t.position) for t in selectors.project_topics(project=project)] == [
            ("照明", 0),
            ("信箱", 1),
        ]

    def test_removing_an_ideas_topic_opens_the_idea_again(self, world):
        project, idea = project_of(world), idea_of(world)
        topic = services.idea_to_topic(actor=world.user("leader"), idea=idea, project=project)
        services.topic_remove(actor=world.user("leader"), topic=topic)
        idea.refresh_from_db()
        assert idea.status == Idea.Status.OPEN and idea.project is None

    @pytest.mark.parametrize("case", ["empty", "not-a-number", "twice", "missing", "foreign"])
    def test_a_bad_order_writes_nothing(self, world, case):
        project = project_of(world)
        a, b = topic_of(project, "一", 0), topic_of(project, "二", 1)
        foreign = topic_of(project_of(world, building=world.b2))
        order = {
            "empty": [],
            "not-a-number": ["x", a.pk],
            "twice": [a.pk, a.pk],
            "missing": [b.pk],
            "foreign": [a.pk, b.pk, foreign.pk],
        }[case]
        before = snapshot()
        with pytest.raises(ValidationError):
            services.topic_reorder(actor=world.user("staff"), project=project, order=order)
        assert snapshot() == before

    @pytest.mark.parametrize("title", ["", "  ", "长" * 201])
    def test_a_bad_title_writes_nothing(self, world, title):
        project = project_of(world)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.topic_add(actor=world.user("leader"), project=project, title=title)
        assert snapshot() == before

    def test_a_resident_cannot_change_topics(self, world):
        project = project_of(world)
        topic = topic_of(project)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.topic_add(actor=world.user("resident"), project=project, title="加装扶手")
        with pytest.raises(PermissionDenied):
            services.topic_remove(actor=world.user("leader_other_building"), topic=topic)
        assert snapshot() == before


class TestComments:
    def test_comment_on_an_idea_and_on_a_project(self, world):
        idea, project = idea_of(world), project_of(world)
        on_idea = services.comment_post(
            actor=world.user("leader_other_building"), idea=idea, body="好主意"
        )
        on_project = services.comment_post(
            actor=world.user("resident"), project=project, body="支持"
        )
        assert (on_idea.idea, on_idea.project, on_idea.building) == (idea, None, world.b1)
        assert (on_project.idea, on_project.project) == (None, project)

    @pytest.mark.parametrize("body", ["", "   ", "长" * 1001])
    def test_empty_or_too_long_is_refused(self, world, body):
        idea = idea_of(world)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.comment_post(actor=world.user("resident"), idea=idea, body=body)
        assert snapshot() == before

    @pytest.mark.parametrize("role", ["outsider", "staff_other_estate", "foundation"])
    def test_outsiders_cannot_comment(self, world, role):
        idea, project = idea_of(world), project_of(world)
        before = snapshot()
        for target in ({"idea": idea}, {"project": project}):
            with pytest.raises(PermissionDenied):
                services.comment_post(actor=world.user(role), body="路过", **target)
        assert snapshot() == before

    def test_a_hidden_idea_takes_no_comment_from_others(self, world):
        idea = idea_of(world, status=Idea.Status.HIDDEN)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.comment_post(actor=world.user("leader_other_building"), idea=idea, body="看看")
        assert snapshot() == before

    def test_the_database_refuses_a_comment_on_both_or_neither(self, world):
        from django.db import IntegrityError, transaction

        idea, project = idea_of(world), project_of(world)
        for values in ({"idea": idea, "project": project}, {}):
            with pytest.raises(IntegrityError), transaction.atomic():
                Comment.objects.create(
                    estate=world.here, author=world.user("resident"), body="x", **values
                )


class TestModeration:
    def test_three_reports_flag_the_comment_but_it_stays_visible(self, world):
        comment = comment_on(world, idea=idea_of(world), body="楼组长就会拍脑袋")
        reporters = [neighbour(world) for _ in range(3)]
        for n, user in enumerate(reporters, start=1):
            services.comment_report(actor=user, comment=comment, reason="人身攻击")
            comment.refresh_from_db()
            assert (comment.flagged_at is not None) == (n >= 3)
        assert comment.hidden_at is None
        queue = selectors.moderation_queue(actor=world.user("leader"), estate=world.here)
        assert [c.pk for c in queue] == [comment.pk] and queue[0].open_reports == 3

    def test_reporting_twice_or_ones_own_comment_is_refused(self, world):
        comment = comment_on(world, idea=idea_of(world))
        services.comment_report(actor=world.user("leader"), comment=comment)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.comment_report(actor=world.user("leader"), comment=comment)
        with pytest.raises(PermissionDenied):
            services.comment_report(actor=world.user("resident"), comment=comment)
        with pytest.raises(ValidationError):
            services.comment_report(actor=world.user("staff"), comment=comment, reason="长" * 301)
        assert snapshot() == before

    def test_the_leader_hides_with_a_reason_and_shows_again(self, world):
        comment = comment_on(world, idea=idea_of(world))
        services.comment_report(actor=world.user("staff"), comment=comment)
        services.comment_hide(
            actor=world.user("leader"), comment=comment, reason="含有住户电话号码"
        )
        comment.refresh_from_db()
        assert comment.is_hidden and comment.hidden_as == "leader"
        assert comment.hidden_reason == "含有住户电话号码" and comment.hidden_by == world.user(
            "leader"
        )
        assert not CommentReport.objects.filter(resolved_at__isnull=True).exists()
        assert selectors.moderation_queue(actor=world.user("leader"), estate=world.here) == []
        services.comment_unhide(actor=world.user("staff"), comment=comment)
        comment.refresh_from_db()
        assert not comment.is_hidden and comment.hidden_reason == ""

    def test_staff_hiding_is_said_to_be_the_committees(self, world):
        comment = comment_on(world, project=project_of(world))
        services.comment_hide(actor=world.user("staff"), comment=comment, reason="广告")
        comment.refresh_from_db()
        assert comment.hidden_as == "staff"

    @pytest.mark.parametrize("reason", ["", "  ", "长" * 301])
    def test_hiding_needs_a_reason(self, world, reason):
        comment = comment_on(world, idea=idea_of(world))
        before = snapshot()
        with pytest.raises(ValidationError):
            services.comment_hide(actor=world.user("leader"), comment=comment, reason=reason)
        assert snapshot() == before

    @pytest.mark.parametrize(
        "role", ["resident", "leader_other_building", "owners_committee", "property"]
    )
    def test_only_the_buildings_leader_and_staff_hide(self, world, role):
        comment = comment_on(world, idea=idea_of(world), author=world.user("leader"))
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.comment_hide(actor=world.user(role), comment=comment, reason="不妥")
        assert snapshot() == before

    def test_keep_clears_the_reports_and_the_flag(self, world):
        comment = comment_on(world, idea=idea_of(world))
        for user in (neighbour(world) for _ in range(3)):
            services.comment_report(actor=user, comment=comment)
        services.comment_keep(actor=world.user("leader"), comment=comment)
        comment.refresh_from_db()
        assert comment.flagged_at is None and comment.hidden_at is None
        before = snapshot()
        with pytest.raises(ValidationError):
            services.comment_keep(actor=world.user("leader"), comment=comment)
        assert snapshot() == before

    def test_the_queue_shows_a_leader_their_own_buildings_only(self, world):
        here = comment_on(world, idea=idea_of(world))
        other = comment_on(
            world,
            idea=idea_of(world, building=world.b2, author=world.user("leader_other_building")),
        )
        for comment in (here, other):
            services.comment_report(actor=world.user("staff"), comment=comment)
        assert [
            c.pk for c in selectors.moderation_queue(actor=world.user("leader"), estate=world.here)
        ] == [here.pk]
        assert {
            c.pk for c in selectors.moderation_queue(actor=world.user("staff"), estate=world.here)
        } == {
            here.pk,
            other.pk,
        }
