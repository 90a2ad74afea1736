"""Reads for projects: the list an actor may see, one project with its road, the gallery a page
at a time, the before/after pairs, and every building's project status for the estate home
("一楼一品") in a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from linju.community.models import Building, Estate
from linju.core import permissions
from linju.projects import requirements
from linju.projects.models import Project, ProjectMember, ProjectPhoto, ProjectStage

PHOTO_PAGE = 24


def project_list(*, actor: Any, estate: Estate) -> QuerySet[Project]:
    current = ProjectStage.objects.filter(
        project=OuterRef("pk"), position=OuterRef("stage_position")
    )
    return (
        permissions.visible(actor, Project.objects.filter(estate=estate))
        .select_related("estate", "building")
        .annotate(stage_name=Subquery(current.values("name")[:1]))
    )


def project_get(*, actor: Any, estate: Estate, project_id: Any) -> Project:
    """A project the actor may see (missing and hidden give the same 404)."""
    return permissions.get_visible_or_404(  # type: ignore[return-value]
        actor,
        Project.objects.filter(estate=estate).select_related("estate", "building", "fund"),
        pk=project_id,
    )


def project_for_showcase(*, actor: Any, estate: Estate, project_id: Any) -> Project:
    """A project whose showcase the actor may see; anything else the same 404."""
    try:
        project = Project.objects.select_related("estate", "building", "fund").get(
            estate=estate, pk=project_id
        )
    except (Project.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None
    if not permissions.can(actor, "view_showcase", project):
        raise Http404
    return project


@dataclass
class RoadStage:
    stage: ProjectStage
    state: str  # "done", "current" or "todo"
    overdue: bool
    missing: str | None  # for the current stage: what is still needed to move on
    requirement_label: str


def project_road(*, project: Project) -> list[RoadStage]:
    """The whole road of a project, each stage with its state; what the current stage still
    needs (the requirement's own check) and whether a stage is late."""
    today = timezone.localdate()
    stages = list(
        ProjectStage.objects.filter(project=project).select_related("owner").order_by("position")
    )
    road = []
    for stage in stages:
        if project.status == Project.Status.FINISHED or stage.position < project.stage_position:
            state = "done"
        elif stage.position == project.stage_position:
            state = "current"
        else:
            state = "todo"
        missing = None
        if state == "current" and project.status == Project.Status.ACTIVE:
            missing = requirements.unmet(project, stage.requirement)
        overdue = (
            state != "done"
            and project.status == Project.Status.ACTIVE
            and stage.due_on is not None
            and stage.due_on < today
        )
        road.append(
            RoadStage(
                stage=stage,
                state=state,
                overdue=overdue,
                missing=missing,
                requirement_label=(
                    str(requirements.label(stage.requirement)) if stage.requirement else ""
                ),
            )
        )
    return road


def project_members(*, project: Project) -> list[ProjectMember]:
    return list(
        ProjectMember.objects.filter(project=project, ended_at__isnull=True)
        .select_related("user")
        .order_by("invited_at", "pk")
    )


def photo_page(
    *, project: Project, before: int | None = None, limit: int = PHOTO_PAGE
) -> tuple[list[ProjectPhoto], int | None]:
    """Up to ``limit`` photos, newest first, older than the photo ``before`` (keyset paging:
    one query whatever the page), and the id to ask the next page with (None at the end)."""
    photos = ProjectPhoto.objects.filter(project=project).order_by("-pk")
    if before is not None:
        photos = photos.filter(pk__lt=before)
    rows = list(photos[: limit + 1])
    more = rows[limit - 1].pk if len(rows) > limit else None
    return rows[:limit], more


@dataclass
class Pair:
    number: int
    before: ProjectPhoto | None
    after: ProjectPhoto | None


def photo_pairs(*, project: Project) -> list[Pair]:
    """The before/after photos by pair number (one query)."""
    found: dict[int, Pair] = {}
    for photo in ProjectPhoto.objects.filter(project=project, pair__isnull=False).exclude(
        kind=ProjectPhoto.Kind.GENERAL
    ):
        pair = found.setdefault(photo.pair or 0, Pair(photo.pair or 0, None, None))
        setattr(pair, photo.kind, photo)
    return [found[n] for n in sorted(found)]


@dataclass
class BuildingStatus:
    building: Building
    project: Project | None  # the project under way, else the last finished one
    stage_name: str

    @property
    def state(self) -> str:
        if self.project is None:
            return "none"
        return str(self.project.status)


def _pick(projects: Iterable[Project]) -> Project | None:
    """The project under way if there is one, else the most recently finished."""
    active = [p for p in projects if p.status == Project.Status.ACTIVE]
    if active:
        return active[0]
    finished = [p for p in projects if p.status == Project.Status.FINISHED]
    return max(finished, key=lambda p: (p.finished_at or p.created_at, p.pk)) if finished else None


def building_project_status(
    *, estate: Estate, buildings: Iterable[Building] | None = None
) -> list[BuildingStatus]:
    """Each building of the estate with its project's status ("一楼一品"): no project, the
    stage its project under way has reached, or finished (with a link to the showcase).
    Two queries for any number of buildings (one if ``buildings`` is given)."""
    if buildings is None:
        buildings = Building.objects.filter(estate=estate).order_by("sort_key", "number")
    buildings = list(buildings)
    current = ProjectStage.objects.filter(
        project=OuterRef("pk"), position=OuterRef("stage_position")
    )
    by_building: dict[int, list[Project]] = {}
    projects: Iterable[Any] = (
        Project.objects.filter(estate=estate, building__isnull=False)
        .exclude(status=Project.Status.CANCELLED)
        .annotate(stage_name=Subquery(current.values("name")[:1]))
        .order_by("-created_at", "-pk")
    )
    for project in projects:
        by_building.setdefault(project.building_id, []).append(project)
    rows = []
    for building in buildings:
        picked = _pick(by_building.get(building.pk, []))
        rows.append(
            BuildingStatus(
                building=building,
                project=picked,
                stage_name=getattr(picked, "stage_name", "") or "" if picked else "",
            )
        )
    return rows
