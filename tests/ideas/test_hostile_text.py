"""Hostile text (tests/hostile.py) through every text field of ideas, comments and topics:
stored and shown escaped, exactly as typed, wherever it appears; or refused with a message and
nothing written. Never a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linju.core.models import AuditEvent
from linju.ideas.models import Comment, CommentReport, Idea, Topic
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped
from tests.ideas.factories import comment_on, idea_of, project_of


@dataclass(frozen=True)
class Field:
    role: str
    url: Callable[[Any], str]
    data: Callable[[Any, str], dict[str, Any]]
    stored: Callable[[Any, str], Any]
    shown_on: Callable[[Any, Any], list[str]]


def _idea_pages(w: Any, idea: Idea) -> list[str]:
    return [idea.get_absolute_url(), reverse("building_ideas", args=["here", "1"])]


def _setup(w: Any) -> None:
    if not hasattr(w, "hostile_idea"):
        w.hostile_idea = idea_of(w)
        w.hostile_project = project_of(w)


def _fresh_comment(w: Any) -> Comment:
    _setup(w)
    return comment_on(w, idea=w.hostile_idea, author=w.users["leader"], body="一条评论")


FIELDS: dict[str, Field] = {
    "idea.title": Field(
        "resident",
        lambda w: reverse("idea_create", args=["here", "1"]),
        lambda w, text: {"title": text, "body": ""},
        lambda w, text: Idea.objects.filter(title=text).first(),
        _idea_pages,
    ),
    "idea.body": Field(
        "resident",
        lambda w: reverse("idea_create", args=["here", "1"]),
        lambda w, text: {"title": "标题", "body": text},
        lambda w, text: Idea.objects.filter(body=text).first(),
        lambda w, idea: [idea.get_absolute_url()],
    ),
    "comment.body (idea)": Field(
        "resident",
        lambda w: (_setup(w), reverse("idea_comment_post", args=["here", w.hostile_idea.pk]))[1],
        lambda w, text: {"body": text},
        lambda w, text: Comment.objects.filter(body=text, idea__isnull=False).first(),
        lambda w, c: [c.idea.get_absolute_url()],
    ),
    "comment.body (project)": Field(
        "resident",
        lambda w: (
            _setup(w),
            reverse("project_comment_post", args=["here", w.hostile_project.pk]),
        )[1],
        lambda w, text: {"body": text},
        lambda w, text: Comment.objects.filter(body=text, project__isnull=False).first(),
        lambda w, c: [
            reverse("project_topics", args=["here", c.project_id]),
            reverse("project_comments", args=["here", c.project_id]),
        ],
    ),
    "comment.hidden_reason": Field(
        "leader",
        lambda w: reverse("comment_hide", args=["here", _fresh_comment(w).pk]),
        lambda w, text: {"reason": text},
        lambda w, text: Comment.objects.filter(hidden_reason=text).first(),
        lambda w, c: [c.idea.get_absolute_url()],
    ),
    "report.reason": Field(
        "resident",
        lambda w: reverse("comment_report", args=["here", _fresh_comment(w).pk]),
        lambda w, text: {"reason": text},
        lambda w, text: CommentReport.objects.filter(reason=text).first(),
        lambda w, r: [reverse("comment_queue", args=["here"])],
    ),
    "topic.title": Field(
        "leader",
        lambda w: (_setup(w), reverse("topic_add", args=["here", w.hostile_project.pk]))[1],
        lambda w, text: {"title": text},
        lambda w, text: Topic.objects.filter(title=text).first(),
        lambda w, t: [reverse("project_topics", args=["here", t.project_id])],
    ),
}


def _counts() -> tuple[int, ...]:
    return (
        Idea.objects.count(),
        Comment.objects.filter(hidden_at__isnull=False).count(),
        Comment.objects.count(),
        CommentReport.objects.count(),
        Topic.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("name", FIELDS)
def test_hostile_text_through_the_page(world, name):
    """Each corpus string is stored and shown escaped, or refused with a message."""
    field = FIELDS[name]
    client = Client(raise_request_exception=False)
    client.force_login(world.user(field.role))
    shown: list[tuple[str, str]] = []
    for key, text in CORPUS.items():
        url = field.url(world)
        before = _counts()
        response = client.post(url, field.data(world, text))
        page = response.content.decode()
        assert response.status_code < 500, key
        assert_no_live_markup(page)
        if "\x00" in text:
            assert response.status_code == 400 and _counts() == before, key
            continue
        stored = field.stored(world, text)
        if response.status_code == 302:
            assert stored is not None, f"{key}: accepted but not stored as typed"
            shown += [(where, text) for where in field.shown_on(world, stored)]
        else:
            assert 400 <= response.status_code < 500, key
            assert "field-error" in page or "errorlist" in page, f"{key}: no message"
            assert stored is None and _counts() == before, f"{key}: refused but written"
    # The leader reads reports in the queue; everything else the posting account reads.
    reader = Client()
    reader.force_login(world.user("leader" if name == "report.reason" else field.role))
    for where, text in shown:
        response = reader.get(where)
        assert response.status_code == 200, where
        assert_shown_escaped(response.content.decode(), text)
