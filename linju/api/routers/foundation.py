"""The community foundation for the mini-program: a street's grant programmes (public once
published), applying from a project, submitting, the estate's endorsement, and documents the
foundation asks for. Thin over the foundation's selectors and services.

Amounts are decimal strings in yuan. A caller without a token gets 401 where signing in would
help; anyone else who may not see an application gets the same 404 as for a missing one. A
refused step (the call is closed, the co-funding share is not reached) is 422 with the
sentences saying why; nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile

from linju.api.api import bearer, optional_bearer
from linju.api.schemas import ErrorOut
from linju.core import permissions
from linju.foundation import selectors, services
from linju.foundation.models import Application, ApplicationDocument, Programme

router = Router(auth=optional_bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class ProgrammeQuery(Schema):
    street: str


class CriterionOut(Schema):
    name: str
    weight: int
    description: str


class ProgrammeItemOut(Schema):
    id: int
    street: str
    name: str
    status: str
    status_label: str
    budget: str
    call_opens: str
    call_closes: str
    selection: str
    url: str


class ProgrammeOut(ProgrammeItemOut):
    description: str
    applicants: str
    eligibility: str
    min_cofunding_share: str
    max_amount: str | None
    matching_ratio: str
    matching_cap: str | None
    review_ends: str | None
    decision_on: str | None
    pb_rule: str
    pb_exhaustive_stop: bool
    pb_comparison: bool
    pb_ballot: str
    pb_min: int
    pb_max: int | None
    pb_unit: str
    criteria: list[CriterionOut]


class EventOut(Schema):
    kind: str
    kind_label: str
    to_status: str
    message: str
    occurred_at: str


class RequestOut(Schema):
    id: int
    message: str
    requested_at: str
    answered_at: str | None


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    request: int | None
    uploaded_at: str


class ApplicationOut(Schema):
    id: int
    programme: int
    project: int
    estate: str
    building: str | None
    title: str
    plan: str
    budget: str
    requested: str
    cofunding_raised: str
    support: str
    support_decision: int | None
    status: str
    status_label: str
    status_changed_at: str
    submitted_at: str | None
    problems: list[str]
    timeline: list[EventOut]
    document_requests: list[RequestOut]
    documents: list[DocumentOut]
    url: str


class ApplicationIn(Schema):
    programme: int
    project: int
    title: str
    plan: str
    budget: str
    requested: str
    support: str = ""


class MessageIn(Schema):
    message: str = ""


class DocumentIn(Schema):
    kind: str = ApplicationDocument.Kind.OTHER
    title: str = ""
    request: int | None = None


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _money(amount: Any) -> str | None:
    return str(amount) if amount is not None else None


def _programme_item(p: Programme) -> dict[str, Any]:
    return {
        "id": p.pk,
        "street": p.street.slug,
        "name": p.name,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "budget": str(p.budget),
        "call_opens": p.call_opens.isoformat(),
        "call_closes": p.call_closes.isoformat(),
        "selection": p.selection,
        "url": p.get_absolute_url(),
    }


def _programme(request: HttpRequest, programme_id: int) -> Programme:
    found = (
        Programme.objects.select_related("street").filter(pk=programme_id).first()
        if 0 < programme_id <= MAX_ID
        else None
    )
    if found is None or not permissions.can(request.user, "view", found):
        raise Http404
    return found


def _application(request: HttpRequest, application_id: int) -> Application:
    """The application if the caller may see it; 401 without a token, else the same 404 as a
    missing one."""
    found = (
        Application.objects.select_related("programme__street", "project", "estate", "building")
        .filter(pk=application_id)
        .first()
        if 0 < application_id <= MAX_ID
        else None
    )
    if found is None or not permissions.can(request.user, "view", found):
        if not request.user.is_authenticated:
            raise AuthenticationError
        raise Http404
    return found


def _detail(request: HttpRequest, application: Application) -> ApplicationOut:
    may_edit = application.status in services.APPLICANT_EDITS and permissions.can(
        request.user, "edit", application
    )
    return ApplicationOut(
        id=application.pk,
        programme=application.programme_id,
        project=application.project_id,
        estate=application.estate.slug,
        building=application.building.number if application.building else None,
        title=application.title,
        plan=application.plan,
        budget=str(application.budget),
        requested=str(application.requested),
        cofunding_raised=str(application.cofunding_raised),
        support=application.support,
        support_decision=application.support_decision_id,
        status=application.status,
        status_label=str(application.get_status_display()),
        status_changed_at=application.status_changed_at.isoformat(),
        submitted_at=_iso(application.submitted_at),
        problems=[str(p) for p in services.application_problems(application)] if may_edit else [],
        timeline=[
            EventOut(
                kind=e.kind,
                kind_label=str(e.get_kind_display()),
                to_status=e.to_status,
                message=e.message,
                occurred_at=e.occurred_at.isoformat(),
            )
            for e in selectors.application_timeline(application=application)
        ],
        document_requests=[
            RequestOut(
                id=r.pk,
                message=r.message,
                requested_at=r.requested_at.isoformat(),
                answered_at=_iso(r.answered_at),
            )
            for r in selectors.document_requests(application=application)
        ],
        documents=[
            DocumentOut(
                id=d.pk,
                kind=d.kind,
                title=d.title,
                request=d.request_id,
                uploaded_at=d.uploaded_at.isoformat(),
            )
            for d in application.documents.all()
        ],
        url=application.get_absolute_url(),
    )


@router.get(
    "/programmes",
    response={200: list[ProgrammeItemOut], **READ_ERRORS},
    url_name="foundation_programme_list",
    summary="A street's grant programmes, newest first",
    description="Anyone sees published programmes; the street's foundation officers drafts too.",
)
def programme_list(request: HttpRequest, filters: Query[ProgrammeQuery]):
    street = selectors.street_get(slug=filters.street)
    return [
        ProgrammeItemOut(**_programme_item(p))
        for p in selectors.programme_list(actor=request.user, street=street).select_related(
            "street"
        )
    ]


@router.get(
    "/programmes/{programme_id}",
    response={200: ProgrammeOut, **READ_ERRORS},
    url_name="foundation_programme_detail",
    summary="A programme with its rules, dates, matching, criteria and residents' vote settings",
)
def programme_detail(request: HttpRequest, programme_id: int):
    p = _programme(request, programme_id)
    return ProgrammeOut(
        **_programme_item(p),
        description=p.description,
        applicants=p.applicants,
        eligibility=p.eligibility,
        min_cofunding_share=str(p.min_cofunding_share),
        max_amount=_money(p.max_amount),
        matching_ratio=str(p.matching_ratio),
        matching_cap=_money(p.matching_cap),
        review_ends=p.review_ends.isoformat() if p.review_ends else None,
        decision_on=p.decision_on.isoformat() if p.decision_on else None,
        pb_rule=p.pb_rule,
        pb_exhaustive_stop=p.pb_exhaustive_stop,
        pb_comparison=p.pb_comparison,
        pb_ballot=p.pb_ballot,
        pb_min=p.pb_min,
        pb_max=p.pb_max,
        pb_unit=p.pb_unit,
        criteria=[
            CriterionOut(name=c.name, weight=c.weight, description=c.description)
            for c in p.criteria.all()
        ],
    )


@router.post(
    "/applications",
    auth=bearer,
    response={201: ApplicationOut, **WRITE_ERRORS},
    url_name="foundation_application_create",
    summary="Apply from a project (its building's group leader, committee staff): a draft",
    description=(
        "The draft carries copies of the project's photos and the co-funding its fund holds "
        "now (read again at submission). `budget` and `requested` are yuan as strings."
    ),
)
def application_create(request: HttpRequest, payload: ApplicationIn):
    from linju.projects.models import Project

    programme = _programme(request, payload.programme)
    project = (
        Project.objects.select_related("estate", "building", "fund")
        .filter(pk=payload.project)
        .first()
        if 0 < payload.project <= MAX_ID
        else None
    )
    if project is None or not permissions.can(request.user, "view", project):
        raise ValidationError({"project": [_("Choose a project you may apply for.")]})
    application = services.application_create(
        actor=request.user,
        programme=programme,
        project=project,
        title=payload.title,
        plan=payload.plan,
        budget=payload.budget,
        requested=payload.requested,
        support=payload.support,
    )
    return Status(201, _detail(request, _application(request, application.pk)))


@router.get(
    "/applications/{application_id}",
    response={200: ApplicationOut, **READ_ERRORS},
    url_name="foundation_application_detail",
    summary="An application with its timeline, the foundation's requests and its documents",
    description="`problems` lists what keeps a draft from being submitted (applicant only).",
)
def application_detail(request: HttpRequest, application_id: int):
    return _detail(request, _application(request, application_id))


@router.post(
    "/applications/{application_id}/submit",
    auth=bearer,
    response={200: ApplicationOut, **WRITE_ERRORS},
    url_name="foundation_application_submit",
    summary="Submit to the estate's committee for endorsement (the applicant side)",
    description="Refused (422) when the programme's rules are not met, each reason in `errors`.",
)
def application_submit(request: HttpRequest, application_id: int):
    application = _application(request, application_id)
    services.application_submit(actor=request.user, application=application)
    return _detail(request, _application(request, application_id))


@router.post(
    "/applications/{application_id}/endorse",
    auth=bearer,
    response={200: ApplicationOut, **WRITE_ERRORS},
    url_name="foundation_application_endorse",
    summary="Endorse a submitted application for the foundation (committee staff)",
)
def application_endorse(request: HttpRequest, application_id: int, payload: MessageIn):
    application = _application(request, application_id)
    services.application_endorse(
        actor=request.user, application=application, message=payload.message
    )
    return _detail(request, _application(request, application_id))


@router.post(
    "/applications/{application_id}/return",
    auth=bearer,
    response={200: ApplicationOut, **WRITE_ERRORS},
    url_name="foundation_application_return",
    summary="Return a submitted application with a message (committee staff)",
)
def application_return(request: HttpRequest, application_id: int, payload: MessageIn):
    application = _application(request, application_id)
    services.application_return(
        actor=request.user, application=application, message=payload.message
    )
    return _detail(request, _application(request, application_id))


@router.post(
    "/applications/{application_id}/document-requests",
    auth=bearer,
    response={201: RequestOut, **WRITE_ERRORS},
    url_name="foundation_document_request",
    summary="Ask the applicant for a missing document (the street's foundation officers)",
)
def document_request(request: HttpRequest, application_id: int, payload: MessageIn):
    application = _application(request, application_id)
    asked = services.document_request_create(
        actor=request.user, application=application, message=payload.message
    )
    return Status(
        201,
        RequestOut(
            id=asked.pk,
            message=asked.message,
            requested_at=asked.requested_at.isoformat(),
            answered_at=None,
        ),
    )


@router.post(
    "/applications/{application_id}/documents",
    auth=bearer,
    response={201: DocumentOut, **WRITE_ERRORS},
    url_name="foundation_document_upload",
    summary="Add a document, answering a request of the foundation (the applicant side)",
    description=(
        "Sent as `multipart/form-data`: `file` (PDF, JPEG, PNG or .xlsx, checked by content, "
        "at most 10 MB), `kind` (plan, budget, minutes, other), `title` and `request` (the id "
        "of the request it answers)."
    ),
)
def document_upload(
    request: HttpRequest,
    application_id: int,
    payload: Form[DocumentIn],
    file: File[UploadedFile],
):
    application = _application(request, application_id)
    asked = None
    if payload.request is not None:
        asked = (
            application.document_requests.filter(pk=payload.request).first()
            if 0 < payload.request <= MAX_ID
            else None
        )
        if asked is None:
            raise ValidationError({"request": [_("That is not a request of this application.")]})
    document = services.document_upload(
        actor=request.user,
        application=application,
        upload=file,
        kind=payload.kind,
        title=payload.title,
        request=asked,
    )
    return Status(
        201,
        DocumentOut(
            id=document.pk,
            kind=document.kind,
            title=document.title,
            request=document.request_id,
            uploaded_at=document.uploaded_at.isoformat(),
        ),
    )
