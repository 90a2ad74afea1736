"""Grant review and decisions for the mini-program: a reviewer's applications and score
sheets, the officer's scores table, decisions and payments, a grant with its reports, and a
report's submission. Thin over the grants selectors and services; missing and forbidden give
the same 404.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from linju.api.api import bearer
from linju.api.schemas import ErrorOut
from linju.community.models import Estate, Street
from linju.core import permissions
from linju.grants import selectors, services
from linju.grants.models import Grant

router = Router(auth=bearer)
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}


class ToScoreOut(Schema):
    id: int
    title: str
    estate: str
    building: str | None
    requested: Decimal
    done: bool


class ReviewOut(Schema):
    assignment: int
    programme: int
    programme_name: str
    applications: list[ToScoreOut]
    hidden: int


class ScoreIn(Schema):
    scores: dict[int, int]
    comments: dict[int, str] = {}


class ScoreOut(Schema):
    criterion: int
    value: int
    comment: str


class ConflictIn(Schema):
    estate: str
    note: str = ""


class CellOut(Schema):
    reviewer: str
    raw: str
    normalised: str


class TableRowOut(Schema):
    application: int
    title: str
    rank: int | None
    score: str
    raw: str
    cells: list[CellOut | None]


class TableOut(Schema):
    normalisation: str
    reviewers: list[str]
    rows: list[TableRowOut]
    budget: Decimal
    awarded: Decimal
    remaining: Decimal


class AwardIn(Schema):
    amount: Decimal
    conditions: str = ""
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


class DeclineIn(Schema):
    reason: str


class DisburseIn(Schema):
    amount: Decimal
    reference: str = ""


class ReportOut(Schema):
    id: int
    kind: str
    kind_label: str
    due_on: datetime.date
    submitted_at: datetime.datetime | None
    text: str


class GrantOut(Schema):
    id: int
    application: int
    title: str
    estate: str
    building: str | None
    status: str
    amount: Decimal
    paid: Decimal
    conditions: str
    reason: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    reports: list[ReportOut]


class ReportIn(Schema):
    text: str


def _street(slug: str) -> Street:
    return selectors.street_get(slug=slug)


def _grant_out(grant: Grant) -> GrantOut:
    application = grant.application
    return GrantOut(
        id=grant.pk,
        application=application.pk,
        title=application.title,
        estate=application.estate.slug,
        building=application.building.number if application.building else None,
        status=grant.status,
        amount=grant.amount,
        paid=selectors.disbursed(grant),
        conditions=grant.conditions,
        reason=grant.reason,
        starts_on=grant.starts_on,
        ends_on=grant.ends_on,
        reports=[
            ReportOut(
                id=r.pk,
                kind=r.kind,
                kind_label=r.get_kind_display(),
                due_on=r.due_on,
                submitted_at=r.submitted_at,
                text=r.text if r.submitted_at else "",
            )
            for r in grant.reports.all()
        ],
    )


@router.get(
    "/{street}/reviews",
    url_name="grants_reviews",
    response={200: list[ReviewOut], **READ_ERRORS},
    summary="The programmes of a street I review, with the applications I may score",
    description="Applications of estates where the reviewer lives, holds a role or declared a "
    "conflict are left out (counted in `hidden`).",
)
def reviews(request: HttpRequest, street: str):
    return [
        ReviewOut(
            assignment=r.assignment.pk,
            programme=r.assignment.programme_id,
            programme_name=r.assignment.programme.name,
            applications=[
                ToScoreOut(
                    id=i.application.pk,
                    title=i.application.title,
                    estate=i.application.estate.slug,
                    building=i.application.building.number if i.application.building else None,
                    requested=i.application.requested,
                    done=i.done,
                )
                for i in r.applications
            ],
            hidden=r.hidden,
        )
        for r in selectors.my_reviews(actor=request.user, street=_street(street))
    ]


@router.post(
    "/{street}/reviews/{assignment_id}/applications/{application_id}/scores",
    url_name="grants_score_submit",
    response={200: list[ScoreOut], **WRITE_ERRORS},
    summary="Submit my score sheet for an application (0–10 on every criterion)",
)
def score_submit(
    request: HttpRequest, street: str, assignment_id: int, application_id: int, body: ScoreIn
):
    assignment = selectors.assignment_get(
        actor=request.user, street=_street(street), assignment_id=assignment_id
    )
    application = selectors.application_for_review(
        assignment=assignment, application_id=application_id
    )
    saved = services.scores_submit(
        actor=request.user,
        assignment=assignment,
        application=application,
        scores=body.scores,
        comments=body.comments,
    )
    return [ScoreOut(criterion=s.criterion_id, value=s.value, comment=s.comment) for s in saved]


@router.post(
    "/{street}/reviews/{assignment_id}/conflicts",
    url_name="grants_conflict_declare",
    response={201: dict[str, Any], **WRITE_ERRORS},
    summary="Declare a conflict of interest with an estate of the street",
)
def conflict_declare(request: HttpRequest, street: str, assignment_id: int, body: ConflictIn):
    street_obj = _street(street)
    assignment = selectors.assignment_get(
        actor=request.user, street=street_obj, assignment_id=assignment_id
    )
    estate = Estate.objects.filter(street=street_obj, slug=body.estate).first()
    declaration = services.conflict_declare(
        actor=request.user, assignment=assignment, estate=estate, note=body.note
    )
    return Status(201, {"id": declaration.pk, "estate": body.estate})


@router.get(
    "/{street}/programmes/{programme_id}/scores",
    url_name="grants_scores_table",
    response={200: TableOut, **READ_ERRORS},
    summary="The officer's scores side by side, normalised per reviewer (min-max), ranked",
)
def scores_table(request: HttpRequest, street: str, programme_id: int):
    programme = selectors.programme_for_officer(
        actor=request.user, street=_street(street), programme_id=programme_id
    )
    table = selectors.scores_table(programme=programme)
    names = [c.name for c in table.columns]
    return TableOut(
        normalisation="min-max per reviewer",
        reviewers=names,
        rows=[
            TableRowOut(
                application=row.application.pk,
                title=row.application.title,
                rank=row.rank,
                score=row.score_shown,
                raw=row.raw_shown,
                cells=[
                    CellOut(reviewer=name, raw=cell.raw, normalised=cell.normalised)
                    if cell
                    else None
                    for name, cell in zip(names, row.cells, strict=True)
                ],
            )
            for row in table.rows
        ],
        budget=programme.budget,
        awarded=services.awarded_total(programme),
        remaining=services.remaining_budget(programme),
    )


@router.post(
    "/{street}/applications/{application_id}/award",
    url_name="grants_award",
    response={201: GrantOut, **WRITE_ERRORS},
    summary="Award a grant (at most what was asked, within the programme's budget left)",
)
def award(request: HttpRequest, street: str, application_id: int, body: AwardIn):
    application = selectors.application_for_officer(
        actor=request.user, street=_street(street), application_id=application_id
    )
    grant = services.grant_award(actor=request.user, application=application, **body.dict())
    return Status(201, _grant_out(grant))


@router.post(
    "/{street}/applications/{application_id}/decline",
    url_name="grants_decline",
    response={201: GrantOut, **WRITE_ERRORS},
    summary="Decline an application, with the reason",
)
def decline(request: HttpRequest, street: str, application_id: int, body: DeclineIn):
    application = selectors.application_for_officer(
        actor=request.user, street=_street(street), application_id=application_id
    )
    grant = services.grant_decline(actor=request.user, application=application, reason=body.reason)
    return Status(201, _grant_out(grant))


@router.get(
    "/{street}/grants/{grant_id}",
    url_name="grants_grant_detail",
    response={200: GrantOut, **READ_ERRORS},
    summary="A grant: the decision, what was paid and its reports",
)
def grant_detail(request: HttpRequest, street: str, grant_id: int):
    return _grant_out(
        selectors.grant_get(actor=request.user, street=_street(street), grant_id=grant_id)
    )


@router.post(
    "/{street}/grants/{grant_id}/disbursements",
    url_name="grants_disburse",
    response={201: GrantOut, **WRITE_ERRORS},
    summary="Pay part of a grant into the project's fund (a ledger entry naming the foundation)",
)
def disburse(request: HttpRequest, street: str, grant_id: int, body: DisburseIn):
    grant = selectors.grant_get(actor=request.user, street=_street(street), grant_id=grant_id)
    permissions.require(request.user, "manage", grant.programme, model="grants")
    services.grant_disburse(
        actor=request.user, grant=grant, amount=body.amount, reference=body.reference
    )
    return Status(
        201,
        _grant_out(
            selectors.grant_get(actor=request.user, street=_street(street), grant_id=grant_id)
        ),
    )


@router.post(
    "/{street}/grants/{grant_id}/reports/{report_id}",
    url_name="grants_report_submit",
    response={200: GrantOut, **WRITE_ERRORS},
    summary="Submit a report the grant owes (photos through the web page)",
)
def report_submit(request: HttpRequest, street: str, grant_id: int, report_id: int, body: ReportIn):
    grant = selectors.grant_get(actor=request.user, street=_street(street), grant_id=grant_id)
    report = selectors.report_get(grant=grant, report_id=report_id)
    services.report_submit(actor=request.user, report=report, text=body.text)
    return _grant_out(
        selectors.grant_get(actor=request.user, street=_street(street), grant_id=grant_id)
    )
