"""Rows of the permission matrix (tests/core/test_permissions.py) for the opinion map: the rules
on discussions of building 1 (the resident lives in 1-101; the leader leads it), building 2,
the whole estate and the other estate, and every page and API URL of the app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linju.opinions.models import Discussion, Statement, StatementVote
from tests.opinions.factories import discussion_of, statement_of

OBJECTS: dict[str, Callable[[Any], Any]] = {
    "opinions_b1": lambda w: Discussion(estate=w.here, building=w.b1, status="open"),
    "opinions_draft_b1": lambda w: Discussion(estate=w.here, building=w.b1, status="draft"),
    "opinions_b2": lambda w: Discussion(estate=w.here, building=w.b2, status="open"),
    "opinions_estate": lambda w: Discussion(estate=w.here, status="open"),
    "opinions_there": lambda w: Discussion(estate=w.there, building=w.b_there, status="open"),
}


def rule_rows(roles: dict[str, frozenset[str]]) -> list[tuple[str, str, str, frozenset[str]]]:
    members, managers, there = roles["members"], roles["managers"], roles["managers_there"]
    b1_runners = managers | {"leader"}
    return [
        ("discussion", "view", "opinions_b1", members),
        ("discussion", "view", "opinions_draft_b1", b1_runners),
        ("discussion", "view", "opinions_there", there),
        ("discussion", "create", "opinions_b1", b1_runners),
        ("discussion", "create", "opinions_b2", managers | {"leader_other_building"}),
        ("discussion", "create", "opinions_estate", managers),
        ("discussion", "create", "opinions_there", there),
        ("discussion", "manage", "opinions_b1", b1_runners),
        ("discussion", "manage", "opinions_estate", managers),
        ("discussion", "manage", "opinions_there", there),
        ("discussion", "moderate", "opinions_b1", b1_runners),
        ("discussion", "moderate", "opinions_b2", managers | {"leader_other_building"}),
        ("discussion", "moderate", "opinions_there", there),
        ("discussion", "console", "here", managers | {"leader", "leader_other_building"}),
        ("discussion", "console", "there", there),
        # Only residents vote: the map is theirs. Those who run it do not, unless they live there.
        ("discussion", "vote", "opinions_b1", frozenset({"resident"})),
        ("discussion", "vote", "opinions_estate", frozenset({"resident"})),
        ("discussion", "vote", "opinions_b2", frozenset()),
        ("discussion", "vote", "opinions_there", frozenset()),
        ("discussion", "submit", "opinions_b1", b1_runners | {"resident"}),
        ("discussion", "submit", "opinions_estate", managers | {"resident"}),
        ("discussion", "submit", "opinions_b2", managers | {"leader_other_building"}),
        ("discussion", "submit", "opinions_there", there),
    ]


def _open(w: Any) -> Discussion:
    found = Discussion.objects.filter(estate=w.here, status="open").first()
    return found or discussion_of(w)


def _args(w: Any) -> list[Any]:
    return ["here", _open(w).pk]


def _draft_args(w: Any) -> list[Any]:
    return ["here", discussion_of(w, status="draft").pk]


def _with_statement(w: Any) -> list[Any]:
    discussion = _open(w)
    w.opinions_statement = statement_of(discussion, "充电只在夜间开放")
    return ["here", discussion.pk]


def _pending_args(w: Any) -> list[Any]:
    discussion = _open(w)
    statement = statement_of(discussion, "访客车辆可以临时停", status="pending")
    return ["here", discussion.pk, statement.pk]


def _statuses(w: Any) -> list[Any]:
    return list(Discussion.objects.order_by("pk").values_list("pk", "status"))


def _statements(w: Any) -> list[Any]:
    return list(Statement.objects.order_by("pk").values_list("pk", "status"))


def url_rows(
    expect: Callable[..., dict[str, Any]], roles: dict[str, frozenset[str]]
) -> dict[str, dict[str, Any]]:
    members, managers, everyone = roles["members"], roles["managers"], roles["everyone"]
    signed_in = everyone - {"anonymous"}
    post_only = expect(405, signed_in)
    runners = managers | {"leader"}
    console = managers | {"leader", "leader_other_building"}
    create_post = expect(302, managers)
    create_post.update({"leader": 422, "leader_other_building": 422})  # no building chosen

    def api_get(args: Callable[[Any], list[Any]]) -> dict[str, Any]:
        return {"args": args, "GET": expect(401, everyone)}

    def api_post(args: Callable[[Any], list[Any]]) -> dict[str, Any]:
        return {
            "args": args,
            "POST": {
                "data": lambda w: {},
                "expect": expect(401, everyone),
                "state": lambda w: (Statement.objects.count(), StatementVote.objects.count()),
            },
        }

    return {
        "opinion_list": {"args": lambda w: ["here"], "GET": expect(200, members)},
        "opinion_discussion": {"args": _args, "GET": expect(200, members)},
        "opinion_map": {"args": _args, "GET": expect(200, members)},
        "opinion_vote": {
            "args": _with_statement,
            "GET": post_only,
            "POST": {
                "data": lambda w: {"statement": w.opinions_statement.pk, "vote": "1"},
                "expect": expect(302, frozenset({"resident"})),
                "state": lambda w: StatementVote.objects.count(),
                "writes": frozenset({"resident"}),
                "audited": False,  # votes are opinions: the vote table is their record
            },
        },
        "opinion_statement_submit": {
            "args": _args,
            "GET": post_only,
            "POST": {
                "data": lambda w: {"text": "车棚要装烟感"},
                "expect": expect(302, runners | {"resident"}),
                "state": _statements,
                "writes": runners | {"resident"},
            },
        },
        "console_opinions": {"args": lambda w: ["here"], "GET": expect(200, console)},
        "console_opinion_create": {
            "args": lambda w: ["here"],
            "GET": expect(200, console),
            "POST": {
                "data": lambda w: {"question": "停车规则？", "min_participants": "15"},
                "expect": create_post,
                "state": lambda w: Discussion.objects.count(),
                "writes": managers,
            },
        },
        "console_opinion": {"args": _args, "GET": expect(200, runners)},
        "console_opinion_open": {
            "args": _draft_args,
            "GET": post_only,
            "POST": {
                "data": lambda w: {},
                "expect": expect(302, runners),
                "state": _statuses,
                "writes": runners,
            },
        },
        "console_opinion_close": {
            "args": _args,
            "GET": post_only,
            "POST": {
                "data": lambda w: {},
                "expect": expect(302, runners),
                "state": _statuses,
                "writes": runners,
            },
        },
        "console_statement_moderate": {
            "args": _pending_args,
            "GET": post_only,
            "POST": {
                "data": lambda w: {"decision": "accept"},
                "expect": expect(302, runners),
                "state": _statements,
                "writes": runners,
            },
        },
        # The API answers bearer tokens only: a signed-in browser session is 401.
        "api:opinion_list": api_get(lambda w: []),
        "api:opinion_detail": api_get(lambda w: _args(w)[1:]),
        "api:opinion_next": api_get(lambda w: _args(w)[1:]),
        "api:opinion_map": api_get(lambda w: _args(w)[1:]),
        "api:opinion_vote": api_post(lambda w: _args(w)[1:]),
        "api:opinion_statement_create": api_post(lambda w: _args(w)[1:]),
    }
