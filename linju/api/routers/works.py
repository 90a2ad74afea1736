"""Design, works and acceptance for the mini-program: a project's design options (and adding
one), quotes, milestones, the supervision log, signing the acceptance and the residents'
evaluation. Thin over ``linju.works`` selectors and services.

Whoever may see the project reads these (members of its estate; a designer or contractor: their
one project). A caller without a token gets 401; a signed-in caller who may not see the project
the same 404 as for a missing one. Writes need a token and the permission the page would need.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile

from linju.api.api import bearer, optional_bearer
from linju.api.schemas import ErrorOut
from linju.core import permissions
from linju.projects.models import Project
from linju.works import selectors, services

router = Router(auth=optional_bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class PhotoOut(Schema):
    thumb: str
    web: str


class OptionOut(Schema):
    id: int
    label: str
    description: str
    estimated_cost: str | None
    chosen: bool
    photos: list[PhotoOut]


class DesignOut(Schema):
    project: int
    options: list[OptionOut]
    vote: int | None
    vote_status: str | None
    chosen: int | None


class OptionIn(Schema):
    label: str
    description: str = ""
    estimated_cost: str | None = None


class QuoteOut(Schema):
    id: int
    contractor: str
    amount: str
    items: list[str]
    valid_until: str | None
    cheapest: bool
    chosen: bool
    chosen_reason: str


class QuoteIn(Schema):
    contractor: str
    amount: str
    items: str = ""
    valid_until: datetime.date | None = None


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: str | None
    done_at: str | None
    photos: list[PhotoOut]


class SupervisionOut(Schema):
    id: int
    text: str
    created_at: str
    photos: list[PhotoOut]


class SupervisionIn(Schema):
    text: str


class SignOut(Schema):
    signed_at: str
    accepted: bool


class EvaluationIn(Schema):
    result_rating: int
    process_rating: int
    comment: str = ""


class EvaluationOut(Schema):
    count: int
    result_average: str | None
    process_average: str | None
    comments: list[str]
    mine: dict[str, Any] | None


def _project(request: HttpRequest, project_id: int) -> Project:
    project = (
        Project.objects.select_related("estate", "building").filter(pk=project_id).first()
        if 0 < project_id <= MAX_ID
        else None
    )
    if project is None or not permissions.can(request.user, "view", project, model="works"):
        if not request.user.is_authenticated:
            raise AuthenticationError
        raise Http404
    return project


def _photos(project: Project, kind: str, photos: Any) -> list[dict[str, str]]:
    def url(photo: Any, size: str) -> str:
        return reverse("works_photo", args=[project.estate.slug, project.pk, kind, photo.pk, size])

    return [{"thumb": url(p, "thumb"), "web": url(p, "web")} for p in photos]


def _option(project: Project, option: Any, chosen: Any) -> dict[str, Any]:
    return {
        "id": option.pk,
        "label": option.label,
        "description": option.description,
        "estimated_cost": None if option.estimated_cost is None else str(option.estimated_cost),
        "chosen": chosen is not None and chosen.pk == option.pk,
        "photos": _photos(project, "design", option.photos.all()),
    }


@router.get(
    "/projects/{project_id}/design",
    response={200: DesignOut, **READ_ERRORS},
    url_name="works_design",
    summary="A project's design options and the residents' vote on them",
)
def design_get(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    design = selectors.design_get(project=project)
    return {
        "project": project.pk,
        "options": [_option(project, o, design.chosen) for o in design.options],
        "vote": design.vote.decision_id if design.vote else None,
        "vote_status": design.vote.decision.status if design.vote else None,
        "chosen": design.chosen.pk if design.chosen else None,
    }


@router.post(
    "/projects/{project_id}/design/options",
    auth=bearer,
    response={201: OptionOut, **WRITE_ERRORS},
    url_name="works_option_create",
    summary="Add a design option (the project's designer, its leader, committee staff)",
    description="Sent as `multipart/form-data`, with up to 9 `photos` (JPEG, PNG or WebP).",
)
def option_create(
    request: HttpRequest,
    project_id: int,
    payload: Form[OptionIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    project = _project(request, project_id)
    option = services.design_option_add(
        actor=request.user, project=project, photos=photos or [], **payload.model_dump()
    )
    return Status(201, _option(project, option, None))


@router.get(
    "/projects/{project_id}/quotes",
    response={200: list[QuoteOut], **READ_ERRORS},
    url_name="works_quotes",
    summary="The contractors' quotes, cheapest first",
)
def quote_list(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    return [
        {
            "id": q.pk,
            "contractor": q.contractor,
            "amount": str(q.amount),
            "items": q.item_lines(),
            "valid_until": q.valid_until.isoformat() if q.valid_until else None,
            "cheapest": q.cheapest,  # type: ignore[attr-defined]
            "chosen": q.chosen,
            "chosen_reason": q.chosen_reason,
        }
        for q in selectors.quotes_compared(project=project)
    ]


@router.post(
    "/projects/{project_id}/quotes",
    auth=bearer,
    response={201: QuoteOut, **WRITE_ERRORS},
    url_name="works_quotes",
    summary="Record a contractor's quote (committee staff, the building's leader)",
)
def quote_create(request: HttpRequest, project_id: int, payload: QuoteIn):
    project = _project(request, project_id)
    quote = services.quote_add(actor=request.user, project=project, **payload.model_dump())
    lowest = min(q.amount for q in project.quotes.all())
    return Status(
        201,
        {
            "id": quote.pk,
            "contractor": quote.contractor,
            "amount": str(quote.amount),
            "items": quote.item_lines(),
            "valid_until": quote.valid_until.isoformat() if quote.valid_until else None,
            "cheapest": quote.amount == lowest,
            "chosen": quote.chosen,
            "chosen_reason": quote.chosen_reason,
        },
    )


@router.get(
    "/projects/{project_id}/milestones",
    response={200: list[MilestoneOut], **READ_ERRORS},
    url_name="works_milestones",
    summary="The milestones of the works, with their photos",
)
def milestone_list(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    return [
        {
            "id": m.pk,
            "title": m.title,
            "due_on": m.due_on.isoformat() if m.due_on else None,
            "done_at": m.done_at.isoformat() if m.done_at else None,
            "photos": _photos(project, "milestone", m.photos.all()),
        }
        for m in selectors.milestones(project=project)
    ]


def _entry(project: Project, entry: Any) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "text": entry.text,
        "created_at": entry.created_at.isoformat(),
        "photos": _photos(project, "supervision", entry.photos.all()),
    }


@router.get(
    "/projects/{project_id}/supervision",
    response={200: list[SupervisionOut], **READ_ERRORS},
    url_name="works_supervision",
    summary="The volunteers' supervision log, newest first (the latest 50)",
)
def supervision_list(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    return [_entry(project, e) for e in selectors.supervision_entries(project=project)[:50]]


@router.post(
    "/projects/{project_id}/supervision",
    auth=bearer,
    response={201: SupervisionOut, **WRITE_ERRORS},
    url_name="works_supervision",
    summary="Write in the supervision log (residents of the building)",
    description="Sent as `multipart/form-data`, with up to 9 `photos`.",
)
def supervision_create(
    request: HttpRequest,
    project_id: int,
    payload: Form[SupervisionIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    project = _project(request, project_id)
    entry = services.supervision_add(
        actor=request.user, project=project, text=payload.text, photos=photos or []
    )
    return Status(201, _entry(project, entry))


@router.post(
    "/projects/{project_id}/acceptance/sign",
    auth=bearer,
    response={200: SignOut, **WRITE_ERRORS},
    url_name="works_acceptance_sign",
    summary="Sign the acceptance (only a representative chosen for it)",
)
def acceptance_sign(request: HttpRequest, project_id: int):
    project = _project(request, project_id)
    acceptance = selectors.acceptance_get(project=project)
    signer = selectors.signer_of(actor=request.user, acceptance=acceptance)
    if signer is None:
        permissions.require(request.user, "sign", None, model="acceptance_signer")
    assert signer is not None
    signer = services.acceptance_sign(actor=request.user, signer=signer)
    accepted = selectors.acceptance_get(project=project).complete
    assert signer.signed_at is not None
    return Status(200, {"signed_at": signer.signed_at.isoformat(), "accepted": accepted})


def _evaluation(request: HttpRequest, project: Project) -> dict[str, Any]:
    summary = selectors.evaluation_summary(project=project, comments=20)
    mine = selectors.evaluation_of(actor=request.user, project=project)
    return {
        "count": summary.count,
        "result_average": None if summary.result_average is None else str(summary.result_average),
        "process_average": (
            None if summary.process_average is None else str(summary.process_average)
        ),
        "comments": [e.comment for e in summary.comments],
        "mine": (
            {
                "result_rating": mine.result_rating,
                "process_rating": mine.process_rating,
                "comment": mine.comment,
            }
            if mine
            else None
        ),
    }


@router.get(
    "/projects/{project_id}/evaluation",
    response={200: EvaluationOut, **READ_ERRORS},
    url_name="works_evaluation",
    summary="The residents' evaluation: averages, comments (no names) and one's own",
)
def evaluation_get(request: HttpRequest, project_id: int):
    return _evaluation(request, _project(request, project_id))


@router.post(
    "/projects/{project_id}/evaluation",
    auth=bearer,
    response={200: EvaluationOut, **WRITE_ERRORS},
    url_name="works_evaluation",
    summary="Rate the result and the process, 1 to 5 (residents of the building; once each, "
    "changeable until the project ends)",
)
def evaluation_give(request: HttpRequest, project_id: int, payload: EvaluationIn):
    project = _project(request, project_id)
    services.evaluation_give(actor=request.user, project=project, **payload.model_dump())
    return Status(200, _evaluation(request, project))
