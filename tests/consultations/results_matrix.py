"""Rows of the permission matrix (``tests/core/test_permissions.py``) for survey results: the
rules on results, downloads, publishing and the published summary, and each results URL × role.

The surveys are building 1's lobby survey run by building 1's group, so its group leader runs
it with committee staff and the owners' committee."""

from __future__ import annotations

from typing import Any

from linju.consultations import services
from linju.consultations.models import AnswerPhoto, Consultation
from linju.consultations.publish import consultation_publish
from linju.core.images import photo_store
from linju.notices.models import Notice
from tests.consultations.permission_rows import (
    EVERYONE,
    MANAGERS_THERE,
    MEMBERS_HERE,
    NOBODY,
    ORGANISERS_HERE,
    RUN_B1,
    expect,
)
from tests.consultations.results_data import respond
from tests.consultations.surveys import lobby_survey
from tests.notices.factories import png

OBJECTS: dict[str, Any] = {
    "survey_published_b1": lambda w: Consultation(estate=w.here, building=w.b1, status="published"),
    "survey_published_there": lambda w: Consultation(estate=w.there, status="published"),
}

RULE_ROWS: list[tuple[str, str, str, frozenset[str]]] = [
    ("consultation", "view_results", "survey_open_here", ORGANISERS_HERE),
    ("consultation", "view_results", "survey_open_b1", RUN_B1),
    ("consultation", "view_results", "survey_there", MANAGERS_THERE),
    ("consultation", "export_results", "survey_open_here", ORGANISERS_HERE),
    ("consultation", "export_results", "survey_open_b1", RUN_B1),
    ("consultation", "export_results", "survey_there", MANAGERS_THERE),
    ("consultation", "publish", "survey_open_here", ORGANISERS_HERE),
    ("consultation", "publish", "survey_open_b1", RUN_B1),
    ("consultation", "publish", "survey_there", MANAGERS_THERE),
    ("consultation", "view_summary", "survey_published_b1", MEMBERS_HERE),
    ("consultation", "view_summary", "survey_open_b1", NOBODY),
    ("consultation", "view_summary", "survey_published_there", MANAGERS_THERE),
]


def _answered(w: Any) -> Any:
    lobby = lobby_survey(w, building=w.b1)
    respond(lobby, person=w.person1, flat=w.flat1, use="同意", why="方便聊天")
    return lobby


def _open(w: Any) -> list[Any]:
    return ["here", _answered(w).survey.pk]


def _text_question(w: Any) -> list[Any]:
    lobby = _answered(w)
    return ["here", lobby.survey.pk, lobby.why.pk]


def _closed(w: Any) -> list[Any]:
    lobby = _answered(w)
    services.consultation_close(actor=w.users["staff"], consultation=lobby.survey)
    return ["here", lobby.survey.pk]


def _published(w: Any) -> list[Any]:
    args = _closed(w)
    survey = Consultation.objects.get(pk=args[1])
    consultation_publish(actor=w.users["staff"], consultation=survey, summary="s", decided="d")
    return args


def _photo(w: Any) -> list[Any]:
    lobby = lobby_survey(w, building=w.b1, opened=False)
    question = services.question_add(
        actor=w.users["staff"], consultation=lobby.survey, kind="photo", text="照片", required=False
    )
    response = respond(lobby, building=w.b1, floor=1, use="同意")
    photo = AnswerPhoto(response=response, question=question)
    photo_store(photo, png())
    return ["here", lobby.survey.pk, photo.pk, "thumb"]


API = expect(401, EVERYONE, anonymous=401)

URL_ROWS: dict[str, dict[str, Any]] = {
    "consultation_results": {"args": _published, "GET": expect(200, MEMBERS_HERE)},
    "console_consultation_results": {"args": _open, "GET": expect(200, RUN_B1)},
    "console_consultation_results_text": {"args": _text_question, "GET": expect(200, RUN_B1)},
    "console_consultation_results_waiting": {"args": _open, "GET": expect(200, RUN_B1)},
    "console_consultation_results_xlsx": {"args": _open, "GET": expect(200, RUN_B1)},
    "console_consultation_results_csv": {"args": _open, "GET": expect(200, RUN_B1)},
    "console_consultation_results_photo": {"args": _photo, "GET": expect(200, RUN_B1)},
    "console_consultation_publish": {
        "args": _closed,
        "GET": expect(200, RUN_B1),
        "POST": {
            "data": lambda w: {"summary": "多数同意。", "decided": "改为会客厅"},
            "expect": expect(302, RUN_B1),
            "state": lambda w: Notice.objects.count(),
            "writes": RUN_B1,
        },
    },
    "api:survey_results": {"args": lambda w: _open(w)[1:], "GET": API},
    "api:survey_crosstab": {"args": lambda w: _open(w)[1:], "GET": API},
    "api:survey_publish": {
        "args": lambda w: _closed(w)[1:],
        "POST": {
            "data": lambda w: {"summary": "s", "decided": "d"},
            "expect": API,
            "state": lambda w: Notice.objects.count(),
        },
    },
}
