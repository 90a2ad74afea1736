"""Surveys for the mini-program: an estate's surveys, one survey with its questions (and where
the caller stands: asked, answered, their draft), answering it, and a named survey's draft.
Thin over the consultations selectors and services.

Members of the estate read its open, closed and published surveys; nothing here is public. A
caller without a token gets 401; a signed-in outsider the same 404 as for a missing survey.

Answers are sent as ``{"answers": {"<question id>": value}}``: a choice id (single), a list of
choice ids (multiple; ranking, in order of preference), an integer (rating), a number as a
string or number (number), text (text). Photo questions are answered on the web page only.
A refusal is 422 with ``errors`` by question (``q<id>``); nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from linju.api.api import bearer
from linju.api.schemas import ErrorOut
from linju.community import selectors as community_selectors
from linju.consultations import selectors, services
from linju.consultations.models import Consultation, Question
from linju.core import permissions

router = Router(auth=bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class SurveyQuery(Schema):
    estate: str


class ChoiceOut(Schema):
    id: int
    label: str


class QuestionOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    help: str
    required: bool
    choices: list[ChoiceOut]
    min_choices: int | None
    max_choices: int | None
    scale_min: int | None
    scale_max: int | None
    number_min: str | None
    number_max: str | None
    show_if_question: int | None
    show_if_choice: int | None
    show_if_value: str


class SurveyItemOut(Schema):
    id: int
    estate: str
    title: str
    status: str
    status_label: str
    building: str | None
    anonymous: bool
    unit: str
    opens_at: str | None
    closes_at: str | None
    accepting: bool
    url: str


class MeOut(Schema):
    asked: bool
    answered: bool
    answered_by_household: bool
    flat: str | None


class SurveyOut(SurveyItemOut):
    description: str
    decided: str
    questions: list[QuestionOut]
    me: MeOut
    draft: dict[str, list[str]]


class AnswersIn(Schema):
    answers: dict[str, Any]


class SubmittedOut(Schema):
    survey: int
    answered: bool


class DraftIn(Schema):
    data: dict[str, Any]


class DraftOut(Schema):
    survey: int
    data: dict[str, list[str]]
    updated_at: str | None


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _survey(request: HttpRequest, survey_id: int) -> Consultation:
    found = (
        Consultation.objects.filter(pk=survey_id).select_related("estate").first()
        if 0 < survey_id <= MAX_ID
        else None
    )
    if found is None:
        raise Http404
    return selectors.consultation_get(
        actor=request.user, estate=found.estate, consultation_id=survey_id
    )


def _item(c: Consultation) -> dict[str, Any]:
    return {
        "id": c.pk,
        "estate": c.estate.slug,
        "title": c.title,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "building": c.building.number if c.building is not None else None,
        "anonymous": c.anonymous,
        "unit": c.unit,
        "opens_at": _iso(c.opens_at),
        "closes_at": _iso(c.closes_at),
        "accepting": c.is_accepting(),
        "url": c.get_absolute_url(),
    }


def _question_out(q: Question) -> QuestionOut:
    rating = q.kind == Question.Kind.RATING
    return QuestionOut(
        id=q.pk,
        position=q.position,
        kind=q.kind,
        text=q.text,
        help=q.help,
        required=q.required,
        choices=[ChoiceOut(id=c.pk, label=c.label) for c in q.choices.all()],
        min_choices=q.min_choices,
        max_choices=q.max_choices,
        scale_min=q.scale_min if rating else None,
        scale_max=q.scale_max if rating else None,
        number_min=str(q.number_min) if q.number_min is not None else None,
        number_max=str(q.number_max) if q.number_max is not None else None,
        show_if_question=q.show_if_question_id,
        show_if_choice=q.show_if_choice_id,
        show_if_value=q.show_if_value,
    )


@router.get(
    "",
    response={200: list[SurveyItemOut], **READ_ERRORS},
    summary="An estate's surveys, newest first",
)
def survey_list(request: HttpRequest, filters: Query[SurveyQuery]):
    estate = community_selectors.estate_get(slug=filters.estate)
    if not permissions.can(request.user, "view", Consultation(estate=estate, status="open")):
        raise Http404
    return [_item(c) for c in selectors.consultation_list(actor=request.user, estate=estate)]


@router.get(
    "/{int:survey_id}",
    response={200: SurveyOut, **READ_ERRORS},
    summary="One survey with its questions, and where the caller stands",
)
def survey_detail(request: HttpRequest, survey_id: int):
    consultation = _survey(request, survey_id)
    turn = selectors.my_turn(actor=request.user, consultation=consultation)
    return {
        **_item(consultation),
        "description": consultation.description,
        "decided": consultation.decided,
        "questions": [_question_out(q) for q in selectors.questions_of(consultation)],
        "me": MeOut(
            asked=turn.invited,
            answered=turn.answered is not None,
            answered_by_household=turn.answered_by_other,
            flat=turn.home.flat.label if turn.home is not None else None,
        ),
        "draft": turn.draft,
    }


@router.post(
    "/{int:survey_id}/answers",
    response={201: SubmittedOut, **WRITE_ERRORS},
    summary="Answer a survey (once per person or per household)",
)
def survey_answer(request: HttpRequest, survey_id: int, payload: AnswersIn):
    consultation = _survey(request, survey_id)
    services.response_submit(actor=request.user, consultation=consultation, answers=payload.answers)
    return Status(201, SubmittedOut(survey=consultation.pk, answered=True))


@router.get(
    "/{int:survey_id}/draft",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="My unfinished answers to a named survey",
)
def survey_draft_get(request: HttpRequest, survey_id: int):
    consultation = _survey(request, survey_id)
    turn = selectors.my_turn(actor=request.user, consultation=consultation)
    return DraftOut(survey=consultation.pk, data=turn.draft, updated_at=None)


@router.put(
    "/{int:survey_id}/draft",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="Keep my unfinished answers to a named survey (anonymous surveys: on the device)",
)
def survey_draft_put(request: HttpRequest, survey_id: int, payload: DraftIn):
    consultation = _survey(request, survey_id)
    draft = services.draft_save(actor=request.user, consultation=consultation, data=payload.data)
    return DraftOut(survey=consultation.pk, data=draft.data, updated_at=_iso(draft.updated_at))
