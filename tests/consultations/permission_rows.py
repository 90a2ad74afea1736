"""Rows of the permission matrix (``tests/core/test_permissions.py``) for surveys: the objects
the rules are asked about, the rule table and each URL × role.

The surveys of the URL rows are building 1's lobby survey run by building 1's group (so its
group leader runs it with committee staff and the owners' committee); the resident lives in
building 1 and is asked."""

from __future__ import annotations

from typing import Any

from linju.consultations.models import Consultation, Draft, Question, Response
from linju.notifications.models import Notification
from tests.consultations.surveys import form_data, lobby_of, lobby_survey

ROLES = (
    "anonymous",
    "outsider",
    "resident",
    "leader",
    "leader_other_building",
    "staff",
    "owners_committee",
    "property",
    "foundation",
    "admin",
    "staff_other_estate",
)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
NOBODY: frozenset[str] = frozenset()
MANAGERS_THERE = frozenset({"staff_other_estate", "admin"})
ORGANISERS_HERE = frozenset({"staff", "owners_committee", "admin"})
RUN_B1 = ORGANISERS_HERE | {"leader"}
CONSOLE_HERE = ORGANISERS_HERE | {"leader", "leader_other_building"}
MEMBERS_HERE = ORGANISERS_HERE | {"property", "resident", "leader", "leader_other_building"}


def expect(
    status: int | set[int],
    allowed: frozenset[str],
    *,
    denied: int = 404,
    anonymous: int = 302,
    others: dict[str, int] | None = None,
) -> dict[str, Any]:
    table = {
        role: status if role in allowed else anonymous if role == "anonymous" else denied
        for role in ROLES
    }
    table.update(others or {})
    return table


POST_ONLY = expect(405, SIGNED_IN)

OBJECTS: dict[str, Any] = {
    "survey_draft_here": lambda w: Consultation(estate=w.here, status="draft"),
    "survey_draft_b1": lambda w: Consultation(estate=w.here, building=w.b1, status="draft"),
    "survey_open_here": lambda w: Consultation(estate=w.here, status="open"),
    "survey_open_b1": lambda w: Consultation(estate=w.here, building=w.b1, status="open"),
    "survey_anonymous_b1": lambda w: Consultation(
        estate=w.here, building=w.b1, status="open", anonymous=True
    ),
    "survey_there": lambda w: Consultation(estate=w.there, status="open"),
}

RULE_ROWS: list[tuple[str, str, str, frozenset[str]]] = [
    ("consultation", "console", "here", CONSOLE_HERE),
    ("consultation", "console", "there", MANAGERS_THERE),
    ("consultation", "create", "survey_draft_here", ORGANISERS_HERE),
    ("consultation", "create", "survey_draft_b1", RUN_B1),
    ("consultation", "create", "survey_there", MANAGERS_THERE),
    ("consultation", "manage", "survey_open_here", ORGANISERS_HERE),
    ("consultation", "manage", "survey_open_b1", RUN_B1),
    ("consultation", "manage", "survey_there", MANAGERS_THERE),
    ("consultation", "view", "survey_draft_here", ORGANISERS_HERE),
    ("consultation", "view", "survey_draft_b1", RUN_B1),
    ("consultation", "view", "survey_open_here", MEMBERS_HERE),
    ("consultation", "view", "survey_there", MANAGERS_THERE),
    ("consultation", "answer", "survey_open_here", frozenset({"resident"})),
    ("consultation", "answer", "survey_there", NOBODY),
    ("consultation", "view_who", "survey_open_b1", RUN_B1),
    ("consultation", "view_who", "survey_anonymous_b1", NOBODY),
]


def _open(w: Any) -> list[Any]:
    return ["here", lobby_survey(w, building=w.b1).survey.pk]


def _draft(w: Any) -> list[Any]:
    return ["here", lobby_survey(w, building=w.b1, opened=False).survey.pk]


def _draft_question(w: Any) -> list[Any]:
    lobby = lobby_survey(w, building=w.b1, opened=False)
    return ["here", lobby.survey.pk, lobby.rating.pk]


def _survey(w: Any) -> Any:
    return lobby_of(Consultation.objects.filter(estate=w.here).latest("pk"))


def _answers(w: Any) -> dict[str, Any]:
    return form_data(_survey(w))


def _statuses(w: Any) -> list[str]:
    return list(Consultation.objects.values_list("status", flat=True))


def _questions(w: Any) -> list[Any]:
    return list(Question.objects.order_by("position", "pk").values_list("pk", "text", "position"))


def _acting(allowed: frozenset[str]) -> dict[str, Any]:
    return {
        "expect": expect(302, allowed),
        "state": _questions,
        "writes": allowed,
    }


def _count(model: Any) -> Any:
    return lambda w: model.objects.count()


FORBIDDEN_MEMBERS = {r: 403 for r in MEMBERS_HERE - {"resident"}}

URL_ROWS: dict[str, dict[str, Any]] = {
    "consultations": {"args": lambda w: ["here"], "GET": expect(200, MEMBERS_HERE)},
    "consultation_detail": {"args": _open, "GET": expect(200, MEMBERS_HERE)},
    "consultation_answer": {
        "args": _open,
        "GET": POST_ONLY,
        "POST": {
            "data": _answers,
            "expect": expect(302, frozenset({"resident"}), others=FORBIDDEN_MEMBERS),
            "state": _count(Response),
            "writes": frozenset({"resident"}),
        },
    },
    "consultation_draft": {
        "args": _open,
        "GET": POST_ONLY,
        "POST": {
            "data": _answers,
            "expect": expect(302, frozenset({"resident"}), others=FORBIDDEN_MEMBERS),
            "state": _count(Draft),
            "writes": frozenset({"resident"}),
            "audited": False,
        },
    },
    "console_consultations": {"args": lambda w: ["here"], "GET": expect(200, CONSOLE_HERE)},
    "console_consultation_create": {
        "args": lambda w: ["here"],
        "GET": expect(200, CONSOLE_HERE),
        "POST": {
            "data": lambda w: {
                "title": "楼道问卷",
                "building": w.b1.pk,
                "scope": "buildings",
                "audience_buildings": [w.b1.pk],
                "unit": "household",
            },
            "expect": expect(302, RUN_B1, others={"leader_other_building": 422}),
            "state": _count(Consultation),
            "writes": RUN_B1,
        },
    },
    "console_consultation": {"args": _open, "GET": expect(200, RUN_B1)},
    "console_consultation_edit": {
        "args": _draft,
        "GET": expect(200, RUN_B1),
        "POST": {
            "data": lambda w: {
                "title": "新标题",
                "scope": "buildings",
                "audience_buildings": [w.b1.pk],
                "unit": "person",
            },
            "expect": expect(302, RUN_B1),
            "state": lambda w: list(Consultation.objects.values_list("title", "unit")),
            "writes": RUN_B1,
        },
    },
    "console_question_add": {
        "args": _draft,
        "GET": expect(200, RUN_B1),
        "POST": {
            "data": lambda w: {"kind": "text", "text": "还有什么？"},
            **_acting(RUN_B1),
        },
    },
    "console_question_edit": {
        "args": _draft_question,
        "GET": expect(200, RUN_B1),
        "POST": {
            "data": lambda w: {"kind": "rating", "text": "满意吗？", "scale_min": "0"},
            **_acting(RUN_B1),
        },
    },
    "console_question_delete": {
        "args": _draft_question,
        "GET": POST_ONLY,
        "POST": {"data": lambda w: {}, **_acting(RUN_B1)},
    },
    "console_question_move": {
        "args": _draft_question,
        "GET": POST_ONLY,
        "POST": {"data": lambda w: {"direction": "up"}, **_acting(RUN_B1)},
    },
    "console_consultation_open": {
        "args": _draft,
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, RUN_B1),
            "state": _statuses,
            "writes": RUN_B1,
        },
    },
    "console_consultation_close": {
        "args": _open,
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, RUN_B1),
            "state": _statuses,
            "writes": RUN_B1,
        },
    },
    "console_consultation_remind": {
        "args": _open,
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, RUN_B1),
            "state": _count(Notification),
            "writes": RUN_B1,
        },
    },
    "console_consultation_pdf": {"args": _open, "GET": expect(200, RUN_B1)},
    "console_consultation_paper": {
        "args": _open,
        "GET": expect(200, RUN_B1),
        "POST": {
            "data": lambda w: {"household": w.flat1.pk, **_answers(w)},
            "expect": expect(302, RUN_B1),
            "state": _count(Response),
            "writes": RUN_B1,
        },
    },
    "api:survey_list": {"args": lambda w: [], "GET": expect(401, EVERYONE, anonymous=401)},
    "api:survey_detail": {
        "args": lambda w: _open(w)[1:],
        "GET": expect(401, EVERYONE, anonymous=401),
    },
    "api:survey_answer": {
        "args": lambda w: _open(w)[1:],
        "POST": {
            "data": lambda w: {},
            "expect": expect(401, EVERYONE, anonymous=401),
            "state": _count(Response),
        },
    },
    "api:survey_draft_get": {
        "args": lambda w: _open(w)[1:],
        "GET": expect(401, EVERYONE, anonymous=401),
    },
    "api:survey_draft_put": {
        "args": lambda w: _open(w)[1:],
        "GET": expect(401, EVERYONE, anonymous=401),
    },
}
