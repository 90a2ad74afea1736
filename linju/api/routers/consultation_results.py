"""A survey's results for the mini-program: the figures, a cross-tabulation, and publishing the
summary on the board. Thin over ``linju.consultations.results`` and ``publish``.

Those who run a survey get its live results (free-text groups included, photos as a count);
members of the estate get the totals once the results are published, with the notice's text
and what was decided; anyone else the same 404 as for a missing survey. Shares are exact
fractions as text (``"2/3"``) with their percentage written out (``"66.7%"``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from linju.api.api import bearer
from linju.api.schemas import ErrorOut
from linju.consultations import results
from linju.consultations.charts import percent
from linju.consultations.models import Consultation, Question
from linju.consultations.publish import consultation_publish
from linju.core import permissions

router = Router(auth=bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class RateOut(Schema):
    label: str
    answered: int
    invited: int
    share: str | None
    percent: str


class BarOut(Schema):
    label: str
    count: int
    share: str | None
    percent: str


class RankOut(Schema):
    label: str
    points: int
    ranked: int
    mean_rank: str | None


class TextGroupOut(Schema):
    text: str
    count: int


class QuestionResultOut(Schema):
    id: int
    kind: str
    text: str
    answered: int
    bars: list[BarOut]
    mean: str | None
    median: str | None
    minimum: str | None
    maximum: str | None
    ranking: list[RankOut]
    text_groups: list[TextGroupOut]


class ResultsOut(Schema):
    id: int
    title: str
    status: str
    anonymous: bool
    responses: int
    online: int
    paper: int
    total: RateOut
    buildings: list[RateOut]
    questions: list[QuestionResultOut]
    decided: str
    notice: int | None
    notice_text: str


class CrossQuery(Schema):
    question: int
    by: str = results.Dimension.BUILDING


class CrossRowOut(Schema):
    label: str
    responses: int
    hidden: bool
    cells: list[BarOut]


class CrossTabOut(Schema):
    question: int
    by: str
    columns: list[str]
    rows: list[CrossRowOut]


class PublishIn(Schema):
    summary: str
    decided: str


class PublishOut(Schema):
    notice: int
    url: str


def _survey(request: HttpRequest, survey_id: int) -> Consultation:
    survey = (
        Consultation.objects.filter(pk=survey_id).select_related("estate", "notice").first()
        if 0 < survey_id <= MAX_ID
        else None
    )
    if survey is None or not permissions.can(request.user, "view", survey):
        raise Http404
    return survey


def _organised(request: HttpRequest, survey_id: int) -> Consultation:
    survey = _survey(request, survey_id)
    if not permissions.can(request.user, "view_results", survey):
        raise Http404
    return survey


def _share(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _rate(rate: results.Rate) -> RateOut:
    return RateOut(
        label=rate.label,
        answered=rate.answered,
        invited=rate.invited,
        share=_share(rate.share),
        percent=percent(rate.share),
    )


def _bar(label: str, count: int, share: Fraction | None) -> BarOut:
    return BarOut(label=label, count=count, share=_share(share), percent=percent(share))


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _question(result: results.QuestionResult) -> QuestionResultOut:
    return QuestionResultOut(
        id=result.question.pk,
        kind=result.kind,
        text=result.question.text,
        answered=result.answered,
        bars=[_bar(b.label, b.count, b.share) for b in result.bars],
        mean=_text(result.mean_shown),
        median=_text(result.median_shown),
        minimum=_text(result.minimum_shown),
        maximum=_text(result.maximum_shown),
        ranking=[
            RankOut(
                label=r.label,
                points=r.points,
                ranked=r.ranked,
                mean_rank=_text(r.mean_rank_shown),
            )
            for r in result.ranking
        ],
        text_groups=[TextGroupOut(text=g.text, count=g.count) for g in result.groups],
    )


@router.get(
    "/{survey_id}/results",
    response={200: ResultsOut, **READ_ERRORS},
    summary="A survey's results (live for its organisers; the totals once published)",
)
def survey_results(request: HttpRequest, survey_id: int):
    survey = _survey(request, survey_id)
    organiser = permissions.can(request.user, "view_results", survey)
    if not organiser and not permissions.can(request.user, "view_summary", survey):
        raise Http404
    found = results.consultation_results(survey, with_private=organiser)
    return ResultsOut(
        id=survey.pk,
        title=survey.title,
        status=survey.status,
        anonymous=survey.anonymous,
        responses=found.responses,
        online=found.online,
        paper=found.paper,
        total=_rate(found.rates.total),
        buildings=[_rate(r) for r in found.rates.buildings],
        questions=[_question(r) for r in found.questions],
        decided=survey.decided,
        notice=survey.notice_id,
        notice_text=survey.notice.body if survey.notice is not None else "",
    )


@router.get(
    "/{survey_id}/results/crosstab",
    response={200: CrossTabOut, **READ_ERRORS},
    summary="A choice question by building, floor or owner/tenant (organisers)",
)
def survey_crosstab(request: HttpRequest, survey_id: int, filters: Query[CrossQuery]):
    survey = _organised(request, survey_id)
    question = Question.objects.filter(
        consultation=survey,
        pk=filters.question if 0 < filters.question <= MAX_ID else 0,
        kind__in=(Question.Kind.SINGLE, Question.Kind.MULTIPLE),
    ).first()
    if question is None:
        raise Http404
    if filters.by not in results.Dimension.FIELDS:
        raise ValidationError({"by": [_("Choose building, floor or relation.")]})
    table = results.crosstab(survey, question, filters.by)
    return CrossTabOut(
        question=question.pk,
        by=table.dimension,
        columns=table.columns,
        rows=[
            CrossRowOut(
                label=row.label,
                responses=row.responses,
                hidden=row.hidden,
                cells=[
                    _bar(column, cell.count, cell.share)
                    for column, cell in zip(table.columns, row.cells, strict=False)
                ],
            )
            for row in table.rows
        ],
    )


@router.post(
    "/{survey_id}/results/publish",
    response={201: PublishOut, **WRITE_ERRORS},
    summary="Publish a closed survey's summary and what was decided on the board (organisers)",
)
def survey_publish(request: HttpRequest, survey_id: int, payload: PublishIn):
    survey = _organised(request, survey_id)
    notice = consultation_publish(
        actor=request.user, consultation=survey, summary=payload.summary, decided=payload.decided
    )
    return Status(201, PublishOut(notice=notice.pk, url=notice.get_absolute_url()))
