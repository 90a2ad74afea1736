"""The conventions' rows of the permission matrix (``tests/core/test_permissions.py`` adds
them to its tables): every rule for every role of ``world``, and every page and API URL.

Building 1's convention is drafted by its leader; the resident lives in building 1; the leader
of building 2 lives nowhere in ``here`` (as far as ``world`` says), like every officer.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from linju.conventions import services
from linju.conventions.models import (
    Clause,
    ClauseComment,
    Convention,
    ConventionRead,
    ConventionVersion,
)
from linju.decisions.models import Decision
from tests.conventions import factories as cf
from tests.notices.factories import public_board

DRAFTERS_B1 = frozenset({"leader", "staff", "admin"})
COMMENTERS_B1 = frozenset({"resident", "leader", "staff", "admin"})
VOTE_STARTERS = frozenset({"staff", "owners_committee", "admin"})


def _conv(w: Any, **values: Any) -> Convention:
    values.setdefault("estate", w.here)
    values.setdefault("building", w.b1)
    return Convention(**values)


OBJECTS: dict[str, Callable[[Any], Any]] = {
    "convention_b1": lambda w: _conv(w),
    "convention_b1_adopted": lambda w: _conv(w, status="adopted"),
    "convention_b2_adopted": lambda w: _conv(w, building=w.b2, status="adopted"),
    "convention_b2_space_rules": lambda w: _conv(
        w, building=w.b2, kind="space_rules", status="adopted"
    ),
    "convention_here": lambda w: _conv(w, building=None),
    "convention_there": lambda w: _conv(w, estate=w.there, building=w.b_there),
    "convention_public_adopted": lambda w: _conv(
        w, estate=public_board(w.here).estate, status="adopted"
    ),
    "convention_public_draft": lambda w: _conv(w, estate=public_board(w.here).estate),
    "comment_b1_of_resident": lambda w: ClauseComment(
        estate=w.here, convention=_conv(w), author=w.users["resident"]
    ),
    "comment_there": lambda w: ClauseComment(
        estate=w.there,
        convention=_conv(w, estate=w.there, building=w.b_there),
        author=w.users["staff_other_estate"],
    ),
}


def rule_rows(roles: dict[str, frozenset[str]]) -> list[tuple[str, str, str, frozenset[str]]]:
    members, managers_there = roles["members"], roles["managers_there"]
    nobody: frozenset[str] = frozenset()
    return [
        # Members follow every convention of their estate from the first draft; the public
        # reads adopted ones once the board is public.
        ("convention", "view", "convention_b1", members),
        ("convention", "view", "convention_there", managers_there),
        ("convention", "view", "convention_public_adopted", roles["everyone"]),
        ("convention", "view", "convention_public_draft", members),
        ("convention", "create", "convention_b1", DRAFTERS_B1),
        ("convention", "create", "convention_here", roles["managers"]),
        ("convention", "create", "convention_there", managers_there),
        ("convention", "draft", "convention_b1", DRAFTERS_B1),
        ("convention", "draft", "convention_here", roles["managers"]),
        ("convention", "draft", "convention_there", managers_there),
        ("convention", "start_vote", "convention_b1", VOTE_STARTERS),
        ("convention", "start_vote", "convention_there", managers_there),
        ("convention", "comment", "convention_b1", COMMENTERS_B1),
        ("convention", "comment", "convention_here", roles["managers"] | {"resident"}),
        ("convention", "comment", "convention_there", managers_there),
        ("convention", "mark_read", "convention_b1_adopted", frozenset({"resident"})),
        ("convention", "mark_read", "convention_b2_adopted", nobody),
        ("convention", "mark_read", "convention_b2_space_rules", frozenset({"resident"})),
        ("convention", "mark_read", "convention_there", nobody),
        ("convention_comment", "hide", "comment_b1_of_resident", DRAFTERS_B1),
        ("convention_comment", "hide", "comment_there", managers_there),
        ("convention_comment", "report", "comment_b1_of_resident", members - {"resident"}),
        ("convention_comment", "report", "comment_there", frozenset({"admin"})),
    ]


# --- Objects in the database for the URL rows ------------------------------------------------


def _draft(w: Any) -> Convention:
    return cf.draft(w)


def _clause(w: Any) -> Clause:
    return Clause.objects.filter(convention=_draft(w)).order_by("position").first()  # type: ignore[return-value]


def _clause_args(w: Any, *prefix: str) -> list[Any]:
    clause = _clause(w)
    return [*prefix, clause.convention_id, clause.pk]


def _comment(w: Any) -> ClauseComment:
    clause = _clause(w)
    return services.clause_comment_post(actor=w.users["resident"], clause=clause, body="赞成")


def _comment_args(w: Any, action: str) -> list[Any]:
    comment = _comment(w)
    return ["here", comment.convention_id, comment.pk, action]


def _two_versions(w: Any) -> Convention:
    convention = _draft(w)
    services.version_save(actor=w.users["leader"], convention=convention)
    services.clause_add(actor=w.users["leader"], convention=convention, text="宠物文明")
    services.version_save(actor=w.users["leader"], convention=convention)
    return convention


def _vote_dates(w: Any) -> dict[str, str]:
    opens = timezone.localtime() + datetime.timedelta(days=20)
    return {
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "unit": "household",
    }


def _conventions(w: Any) -> list[Any]:
    return list(Convention.objects.order_by("pk").values_list("status", "title", "decision_id"))


def url_rows(expect: Callable[..., dict[str, Any]], roles: dict[str, frozenset[str]]) -> dict:
    members = roles["members"]
    signed_in = roles["everyone"] - {"anonymous"}
    post_only = expect(405, signed_in)
    members_not = {role: 403 for role in members}

    def refused_to_members(allowed: frozenset[str], status: int = 302) -> dict[str, Any]:
        """``status`` for ``allowed``; 403 for the other members (they see the convention);
        404 for everyone else; anonymous visitors to sign in."""
        return {**expect(status, allowed), **{r: 403 for r in members - allowed}}

    return {
        "convention_list": {"args": lambda w: ["here"], "GET": expect(200, members)},
        "convention_detail": {
            "args": lambda w: ["here", _draft(w).pk],
            "GET": expect(200, members),
        },
        "convention_diff": {
            "args": lambda w: ["here", _two_versions(w).pk],
            "GET": expect(200, members),
        },
        "convention_pdf": {
            "args": lambda w: ["here", _draft(w).pk],
            "GET": expect(200, DRAFTERS_B1),
        },
        "convention_read": {
            "args": lambda w: ["here", cf.adopted(w).pk],
            "GET": post_only,
            "POST": {
                "expect": {**members_not, **refused_to_members(frozenset({"resident"}))},
                "state": lambda w: ConventionRead.objects.count(),
                "writes": frozenset({"resident"}),
            },
        },
        "clause_comments": {
            "args": lambda w: _clause_args(w, "here"),
            "GET": expect(200, members),
            "POST": {
                "data": lambda w: {"body": "建议写明时间"},
                "expect": refused_to_members(COMMENTERS_B1),
                "state": lambda w: ClauseComment.objects.count(),
                "writes": COMMENTERS_B1,
            },
        },
        "clause_comment_action": {
            "args": lambda w: _comment_args(w, "hide"),
            "GET": post_only,
            "POST": {
                "data": lambda w: {"reason": "言语不文明"},
                "expect": refused_to_members(DRAFTERS_B1),
                "state": lambda w: list(
                    ClauseComment.objects.values_list("hidden_reason", flat=True)
                ),
                "writes": DRAFTERS_B1,
            },
        },
        "console_convention_create": {
            "args": lambda w: ["here"],
            "GET": expect(200, DRAFTERS_B1 | {"leader_other_building"}),
            "POST": {
                "data": lambda w: {"building": w.b1.pk, "kind": "civility", "title": "1号楼公约"},
                "expect": {
                    **expect(302, DRAFTERS_B1),
                    "leader_other_building": 422,
                },
                "state": _conventions,
                "writes": DRAFTERS_B1,
            },
        },
        "console_convention": {
            "args": lambda w: ["here", _draft(w).pk],
            "GET": expect(200, DRAFTERS_B1),
        },
        "console_clause_add": {
            "args": lambda w: ["here", _draft(w).pk],
            "GET": post_only,
            "POST": {
                "data": lambda w: {"text": "宠物文明，出门牵绳。"},
                "expect": expect(302, DRAFTERS_B1),
                "state": lambda w: list(Clause.objects.values_list("text", flat=True)),
                "writes": DRAFTERS_B1,
            },
        },
        "console_clause_action": {
            "args": lambda w: [*_clause_args(w, "here"), "edit"],
            "GET": post_only,
            "POST": {
                "data": lambda w: {"text": "楼道不堆物。"},
                "expect": expect(302, DRAFTERS_B1),
                "state": lambda w: list(Clause.objects.values_list("text", flat=True)),
                "writes": DRAFTERS_B1,
            },
        },
        "console_version_save": {
            "args": lambda w: ["here", _draft(w).pk],
            "GET": post_only,
            "POST": {
                "data": lambda w: {"note": "初稿"},
                "expect": expect(302, DRAFTERS_B1),
                "state": lambda w: ConventionVersion.objects.count(),
                "writes": DRAFTERS_B1,
            },
        },
        "console_convention_vote": {
            "args": lambda w: ["here", _draft(w).pk],
            "GET": expect(302, frozenset({"staff", "admin"})),
            "POST": {
                "data": _vote_dates,
                "expect": expect(302, frozenset({"staff", "admin"})),
                "state": lambda w: (Decision.objects.count(), _conventions(w)),
                "writes": frozenset({"staff", "admin"}),
            },
        },
        "console_convention_withdraw": {
            "args": lambda w: ["here", _draft(w).pk],
            "GET": post_only,
            "POST": {
                "data": lambda w: {"reason": "楼组决定暂缓"},
                "expect": expect(302, DRAFTERS_B1),
                "state": _conventions,
                "writes": DRAFTERS_B1,
            },
        },
        # The API: reads answer the session's user (401 for nobody); writes need a token.
        "api:convention_list": {"args": lambda w: [], "GET": expect(422, roles["everyone"])},
        "api:convention_detail": {
            "args": lambda w: [_draft(w).pk],
            "GET": expect(200, members, anonymous=401),
        },
        "api:clause_comment_list": {
            "args": lambda w: _clause_args(w),
            "GET": expect(200, members, anonymous=401),
        },
        "api:clause_comment_create": {
            "args": lambda w: _clause_args(w),
            "POST": {
                "data": lambda w: {"body": "同意"},
                "expect": expect(401, roles["everyone"]),
                "state": lambda w: ClauseComment.objects.count(),
            },
        },
        "api:convention_mark_read": {
            "args": lambda w: [_draft(w).pk],
            "POST": {
                "expect": expect(401, roles["everyone"]),
                "state": lambda w: ConventionRead.objects.count(),
            },
        },
        "api:convention_diff": {
            "args": lambda w: [_draft(w).pk],
            "GET": expect(422, roles["everyone"]),
        },
    }
