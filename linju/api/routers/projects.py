"""Building-group projects for the mini-program: an estate's projects, one project with its
whole road, starting a project, moving it to its next stage, and its photos (listing and
uploading). Thin over the projects selectors and services.

Members of the estate see its projects; a designer or contractor invited into a project sees
that project. A caller without a token gets 401 where signing in would help; anyone else who
may not see a project gets the same 404 as for a missing one. A move refused because the stage
lacks what it needs is 422 with the sentence saying what is missing; nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile

from linju.api.api import bearer, optional_bearer
from linju.api.schemas import ErrorOut
from linju.community import selectors as community_selectors
from linju.community.models import Building, Estate
from linju.core import permissions
from linju.projects import selectors, services
from linju.projects.models import Project, ProjectPhoto

router = Router(auth=optional_bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class ProjectQuery(Schema):
    estate: str


class ProjectItemOut(Schema):
    id: int
    estate: str
    building: str | None
    title: str
    status: str
    status_label: str
    stage_position: int
    stage: str | None
    url: str


class StageOut(Schema):
    position: int
    key: str
    name: str
    state: str
    owner_role: str
    owner: str | None
    due_on: str | None
    started_at: str | None
    completed_at: str | None
    overdue: bool
    requirement: str
    requirement_label: str
    missing: str | None


class ProjectOut(ProjectItemOut):
    summary: str
    budget: str | None
    fund: int | None
    showcase_public: bool
    cancel_reason: str
    created_at: str
    finished_at: str | None
    road: list[StageOut]


class ProjectIn(Schema):
    estate: str
    building: str | None = None
    title: str
    summary: str = ""


class MoveIn(Schema):
    note: str = ""


class PhotoOut(Schema):
    id: int
    kind: str
    pair: int | None
    caption: str
    width: int
    height: int
    thumb: str
    web: str
    uploaded_at: str


class PhotoPageOut(Schema):
    photos: list[PhotoOut]
    next_before: int | None


class PhotoIn(Schema):
    kind: str = ProjectPhoto.Kind.GENERAL
    caption: str = ""
    pair: int | None = None


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _project(request: HttpRequest, project_id: int) -> Project:
    """The project if the caller may see it; 401 without a token, else the same 404 as a
    missing project."""
    found = (
        Project.objects.select_related("estate", "building", "fund").filter(pk=project_id).first()
        if 0 < project_id <= MAX_ID
        else None
    )
    if found is None or not permissions.can(request.user, "view", found):
        if not request.user.is_authenticated:
            raise AuthenticationError
        raise Http404
    return found


def _item(project: Project, stage: str | None) -> dict[str, Any]:
    return {
        "id": project.pk,
        "estate": project.estate.slug,
        "building": project.building.number if project.building else None,
        "title": project.title,
        "status": project.status,
        "status_label": project.get_status_display(),
        "stage_position": project.stage_position,
        "stage": stage,
        "url": project.get_absolute_url(),
    }


def _photo(project: Project, photo: ProjectPhoto) -> PhotoOut:
    args = [project.estate.slug, project.pk, photo.pk]
    return PhotoOut(
        id=photo.pk,
        kind=photo.kind,
        pair=photo.pair,
        caption=photo.caption,
        width=photo.width,
        height=photo.height,
        thumb=reverse("project_photo", args=[*args, "thumb"]),
        web=reverse("project_photo", args=[*args, "web"]),
        uploaded_at=photo.uploaded_at.isoformat(),
    )


def _detail(project: Project) -> ProjectOut:
    road = selectors.project_road(project=project)
    current = next((r for r in road if r.state == "current"), None)
    return ProjectOut(
        **_item(project, current.stage.name if current else None),
        summary=project.summary,
        budget=str(project.budget) if project.budget is not None else None,
        fund=project.fund_id,
        showcase_public=project.showcase_public,
        cancel_reason=project.cancel_reason,
        created_at=project.created_at.isoformat(),
        finished_at=_iso(project.finished_at),
        road=[
            StageOut(
                position=r.stage.position,
                key=r.stage.key,
                name=r.stage.name,
                state=r.state,
                owner_role=r.stage.owner_role,
                owner=str(r.stage.owner) if r.stage.owner else None,
                due_on=r.stage.due_on.isoformat() if r.stage.due_on else None,
                started_at=_iso(r.stage.started_at),
                completed_at=_iso(r.stage.completed_at),
                overdue=r.overdue,
                requirement=r.stage.requirement,
                requirement_label=r.requirement_label,
                missing=str(r.missing) if r.missing else None,
            )
            for r in road
        ],
    )


@router.get(
    "",
    response={200: list[ProjectItemOut], **READ_ERRORS},
    url_name="project_list",
    summary="An estate's building-group projects, newest first",
    description=(
        "Members of the estate get every project; others only the finished projects whose "
        "showcase is public (when the estate's board is public)."
    ),
)
def project_list(request: HttpRequest, filters: Query[ProjectQuery]):
    estate = community_selectors.estate_get(slug=filters.estate)
    return [
        ProjectItemOut(**_item(p, getattr(p, "stage_name", None)))
        for p in selectors.project_list(actor=request.user, estate=estate)
    ]


@router.post(
    "",
    auth=bearer,
    response={201: ProjectOut, **WRITE_ERRORS},
    url_name="project_create",
    summary="Start a project for a building (its group leader, committee staff)",
    description=(
        "`building` is the building's number; leave it out for a project of the whole estate "
        "(committee staff only). The project starts at the first stage of the estate's road."
    ),
)
def project_create(request: HttpRequest, payload: ProjectIn):
    estate: Estate = community_selectors.estate_get(slug=payload.estate)
    building = None
    if payload.building:
        building = Building.objects.filter(estate=estate, number=payload.building).first()
        if building is None:
            raise ValidationError({"building": [_("Choose a building of this estate.")]})
    project = services.project_create(
        actor=request.user,
        estate=estate,
        building=building,
        title=payload.title,
        summary=payload.summary,
    )
    return Status(201, _detail(_project(request, project.pk)))


@router.get(
    "/{project_id}",
    response={200: ProjectOut, **READ_ERRORS},
    url_name="project_detail",
    summary="A project with its whole road: each stage's state, owner, due date, what it needs",
)
def project_detail(request: HttpRequest, project_id: int):
    return _detail(_project(request, project_id))


@router.post(
    "/{project_id}/move",
    auth=bearer,
    response={200: ProjectOut, **WRITE_ERRORS},
    url_name="project_move",
    summary="Move the project to its next stage (the building's leader, organisers)",
    description=(
        "Refused (422) when the current stage lacks what it needs: `detail` says what is "
        "missing, and nothing is written. Reaching the last stage finishes the project."
    ),
)
def project_move(request: HttpRequest, project_id: int, payload: MoveIn):
    project = _project(request, project_id)
    services.stage_move(actor=request.user, project=project, note=payload.note)
    return _detail(_project(request, project_id))


@router.get(
    "/{project_id}/photos",
    response={200: PhotoPageOut, **READ_ERRORS},
    url_name="project_photos",
    summary="The project's photos, newest first, 24 at a time",
    description="Pass `before` (from `next_before`) for the next page.",
)
def project_photos(request: HttpRequest, project_id: int, before: int | None = None):
    project = _project(request, project_id)
    if before is not None and not 0 < before <= MAX_ID:
        raise ValidationError({"before": [_("Not a photo of this project.")]})
    photos, more = selectors.photo_page(project=project, before=before)
    return PhotoPageOut(photos=[_photo(project, p) for p in photos], next_before=more)


@router.post(
    "/{project_id}/photos",
    auth=bearer,
    response={201: PhotoOut, **WRITE_ERRORS},
    url_name="project_photo_upload",
    summary="Add a photo (the building's leader, staff, those invited into the project)",
    description=(
        "Sent as `multipart/form-data`: `photo` (JPEG, PNG or WebP, at most 15 MB and 40 "
        "million pixels; re-encoded and stripped of its location data), and `kind` (general, "
        "before or after), `pair` (for before/after) and `caption`."
    ),
)
def project_photo_upload(
    request: HttpRequest,
    project_id: int,
    payload: Form[PhotoIn],
    photo: File[UploadedFile],
):
    project = _project(request, project_id)
    stored = services.photo_add(
        actor=request.user,
        project=project,
        upload=photo,
        kind=payload.kind,
        caption=payload.caption,
        pair=payload.pair,
    )
    return Status(201, _photo(project, stored))
