"""Rows of the permission matrix (tests/core/test_permissions.py) for ideas, comments and
topics: the rules on building 1's ideas (the resident, who lives in 1-101, wrote them) and
building 2's, and every page and API URL of the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linju.core.images import photo_store
from linju.ideas.models import Comment, CommentReport, Idea, IdeaPhoto, IdeaSupport, Topic
from linju.projects.models import Project, ProjectMember
from tests.ideas.factories import comment_on, idea_of, png, project_of, topic_of


def _designer_comment(w: Any) -> Comment:
    """A comment on building 1's project, into which the outsider was invited as designer."""
    project = project_of(w)
    ProjectMember.objects.create(project=project, user=w.users["outsider"], kind="designer")
    return Comment(estate=w.here, building=w.b1, project=project)


OBJECTS: dict[str, Callable[[Any], Any]] = {
    "ideas_idea_b1": lambda w: Idea(estate=w.here, building=w.b1, author=w.users["resident"]),
    "ideas_idea_hidden_b1": lambda w: Idea(
        estate=w.here, building=w.b1, author=w.users["resident"], status="hidden"
    ),
    "ideas_idea_b2": lambda w: Idea(estate=w.here, building=w.b2),
    "ideas_idea_there": lambda w: Idea(estate=w.there, building=w.b_there),
    "ideas_comment_b1": lambda w: Comment(estate=w.here, building=w.b1, author=w.users["resident"]),
    "ideas_comment_b2": lambda w: Comment(estate=w.here, building=w.b2),
    "ideas_comment_there": lambda w: Comment(estate=w.there, building=w.b_there),
    "ideas_comment_designer": _designer_comment,
    "ideas_topic_b1": lambda w: Topic(project=Project(estate=w.here, building=w.b1)),
    "ideas_topic_estate": lambda w: Topic(project=Project(estate=w.here)),
    "ideas_topic_there": lambda w: Topic(project=Project(estate=w.there, building=w.b_there)),
}

B1 = frozenset({"resident", "leader", "staff", "admin"})
B1_MODERATORS = frozenset({"leader", "staff", "admin"})
B2_MODERATORS = frozenset({"leader_other_building", "staff", "admin"})


def rule_rows(roles: dict[str, frozenset[str]]) -> list[tuple[str, str, str, frozenset[str]]]:
    members, there, managers = roles["members"], roles["managers_there"], roles["managers"]
    return [
        ("idea", "view", "ideas_idea_b1", members),
        ("idea", "view", "ideas_idea_hidden_b1", B1),
        ("idea", "view", "ideas_idea_there", there),
        ("idea", "create", "ideas_idea_b1", B1),
        ("idea", "create", "ideas_idea_b2", B2_MODERATORS),
        ("idea", "create", "ideas_idea_there", there),
        ("idea", "support", "ideas_idea_b1", B1),
        ("idea", "support", "ideas_idea_there", there),
        ("idea", "manage", "ideas_idea_b1", B1_MODERATORS),
        ("idea", "manage", "ideas_idea_b2", B2_MODERATORS),
        ("idea", "manage", "ideas_idea_there", there),
        ("comment", "view", "ideas_comment_b1", members),
        ("comment", "view", "ideas_comment_there", there),
        ("comment", "view", "ideas_comment_designer", members | {"outsider"}),
        ("comment", "create", "ideas_comment_b1", members),
        ("comment", "create", "ideas_comment_designer", members | {"outsider"}),
        ("comment", "create", "ideas_comment_there", there),
        ("comment", "report", "ideas_comment_b1", members - {"resident"}),
        ("comment", "report", "ideas_comment_there", there),
        ("comment", "moderate", "ideas_comment_b1", B1_MODERATORS),
        ("comment", "moderate", "ideas_comment_b2", B2_MODERATORS),
        ("comment", "moderate", "ideas_comment_there", there),
        ("comment", "review", "here", managers | {"leader", "leader_other_building"}),
        ("comment", "review", "there", there),
        ("topic", "manage", "ideas_topic_b1", B1_MODERATORS),
        ("topic", "manage", "ideas_topic_estate", managers),
        ("topic", "manage", "ideas_topic_there", there),
    ]


def _idea(w: Any) -> Idea:
    return idea_of(w)


def _idea_args(w: Any) -> list[Any]:
    return ["here", _idea(w).pk]


def _photo_args(w: Any) -> list[Any]:
    idea = _idea(w)
    photo = photo_store(IdeaPhoto(idea=idea), png())
    return ["here", idea.pk, photo.pk, "thumb"]


def _two_ideas(w: Any) -> list[Any]:
    into = idea_of(w, title="楼道装灯")
    w.ideas_into = into
    return ["here", idea_of(w, title="楼道太黑").pk]


def _with_project(w: Any) -> list[Any]:
    w.ideas_project = project_of(w)
    return _idea_args(w)


def _comment_args(w: Any, *, hidden: bool = False, reported: bool = False) -> list[Any]:
    comment = comment_on(w, idea=_idea(w))
    if hidden:
        Comment.objects.filter(pk=comment.pk).update(
            hidden_at=comment.created_at, hidden_reason="广告", hidden_as="leader"
        )
    if reported:
        CommentReport.objects.create(comment=comment, reporter=w.users["staff"])
    return ["here", comment.pk]


def _project_args(w: Any) -> list[Any]:
    project = project_of(w)
    comment_on(w, project=project)
    return ["here", project.pk]


def _topic_args(w: Any) -> list[Any]:
    project = project_of(w)
    topic_of(project, "门厅地面", 0)
    second = topic_of(project, "信箱", 1)
    return ["here", project.pk, second.pk]


def _topics(w: Any) -> list[Any]:
    return list(Topic.objects.order_by("position", "pk").values_list("title", flat=True))


def _comments(w: Any) -> list[Any]:
    return list(Comment.objects.order_by("pk").values_list("pk", "hidden_at", "flagged_at"))


def url_rows(
    expect: Callable[..., dict[str, Any]], roles: dict[str, frozenset[str]]
) -> dict[str, dict[str, Any]]:
    members, everyone = roles["members"], roles["everyone"]
    signed_in = everyone - {"anonymous"}
    post_only = expect(405, signed_in)
    leaders_here = roles["managers"] | {"leader", "leader_other_building"}
    no_token = {"args": None, "GET": expect(401, everyone)}

    def post(data: Callable[[Any], dict[str, Any]], allowed, state, writes=None, **extra):
        return {
            "data": data,
            "expect": expect(302, allowed),
            "state": state,
            "writes": allowed if writes is None else writes,
            **extra,
        }

    ideas_state = lambda w: list(Idea.objects.values_list("pk", "status", "project"))  # noqa: E731
    return {
        "building_ideas": {"args": lambda w: ["here", "1"], "GET": expect(200, members)},
        "idea_create": {
            "args": lambda w: ["here", "1"],
            "GET": expect(200, B1),
            "POST": {
                "data": lambda w: {"title": "加装扶手"},
                "expect": expect(302, B1),
                "state": lambda w: Idea.objects.count(),
                "writes": B1,
            },
        },
        "idea_detail": {"args": _idea_args, "GET": expect(200, members)},
        "idea_photo": {"args": _photo_args, "GET": expect(200, members)},
        "idea_support": {
            "args": _idea_args,
            "GET": post_only,
            # The resident wrote the idea: told so (back to the page), nothing written.
            "POST": post(
                lambda w: {"support": "1"},
                B1,
                lambda w: IdeaSupport.objects.count(),
                writes=B1_MODERATORS,
            ),
        },
        "idea_comment_post": {
            "args": _idea_args,
            "GET": post_only,
            "POST": post(lambda w: {"body": "同意"}, members, lambda w: Comment.objects.count()),
        },
        "idea_merge": {
            "args": _two_ideas,
            "GET": post_only,
            "POST": post(lambda w: {"into": w.ideas_into.pk}, B1_MODERATORS, ideas_state),
        },
        "idea_to_topic": {
            "args": _with_project,
            "GET": post_only,
            "POST": post(lambda w: {"project": w.ideas_project.pk}, B1_MODERATORS, ideas_state),
        },
        "comment_report": {
            "args": _comment_args,
            "GET": post_only,
            "POST": post(
                lambda w: {"reason": "不实"},
                members - {"resident"},
                lambda w: CommentReport.objects.count(),
            ),
        },
        "comment_hide": {
            "args": _comment_args,
            "GET": post_only,
            "POST": post(lambda w: {"reason": "广告"}, B1_MODERATORS, _comments),
        },
        "comment_unhide": {
            "args": lambda w: _comment_args(w, hidden=True),
            "GET": post_only,
            "POST": post(lambda w: {}, B1_MODERATORS, _comments),
        },
        "comment_keep": {
            "args": lambda w: _comment_args(w, reported=True),
            "GET": post_only,
            "POST": post(
                lambda w: {},
                B1_MODERATORS,
                lambda w: CommentReport.objects.filter(resolved_at__isnull=True).count(),
            ),
        },
        "comment_queue": {"args": lambda w: ["here"], "GET": expect(200, leaders_here)},
        "project_topics": {"args": _project_args, "GET": expect(200, members)},
        "project_comments": {"args": _project_args, "GET": expect(200, members)},
        "project_comment_post": {
            "args": _project_args,
            "GET": post_only,
            "POST": post(lambda w: {"body": "支持"}, members, lambda w: Comment.objects.count()),
        },
        "topic_add": {
            "args": _project_args,
            "GET": post_only,
            "POST": post(lambda w: {"title": "信箱"}, B1_MODERATORS, _topics),
        },
        "topic_remove": {
            "args": _topic_args,
            "GET": post_only,
            "POST": post(lambda w: {}, B1_MODERATORS, _topics),
        },
        "topic_move": {
            "args": _topic_args,
            "GET": post_only,
            "POST": post(lambda w: {"direction": "up"}, B1_MODERATORS, _topics),
        },
        # The API answers bearer tokens only: a signed-in browser session is 401.
        "api:idea_list": {**no_token, "args": lambda w: []},
        "api:idea_detail": {**no_token, "args": _idea_args_api},
        "api:idea_comments": {**no_token, "args": _idea_args_api},
        "api:project_comments": {**no_token, "args": _project_args_api},
        "api:topic_list": {**no_token, "args": _project_args_api},
        **{
            name: {
                "args": args,
                "POST": {
                    "data": lambda w: {},
                    "expect": expect(401, everyone),
                    "state": lambda w: (Idea.objects.count(), Comment.objects.count()),
                },
            }
            for name, args in (
                ("api:idea_create", lambda w: []),
                ("api:idea_support", _idea_args_api),
                ("api:idea_unsupport", _idea_args_api),
                ("api:idea_comment_create", _idea_args_api),
                ("api:project_comment_create", _project_args_api),
                ("api:comment_report", lambda w: _comment_args(w)[1:]),
                ("api:topic_create", _project_args_api),
            )
        },
    }


def _idea_args_api(w: Any) -> list[Any]:
    return _idea_args(w)[1:]


def _project_args_api(w: Any) -> list[Any]:
    return _project_args(w)[1:]
