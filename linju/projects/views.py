"""Project pages: an estate's projects, a project with its whole road, its gallery and the
sections other apps add, the forms that move it along, its showcase, and the road's settings
in the console.

Members of the estate see its projects; a designer or contractor sees the one project they
were invited into. A finished project's showcase is public when the project and the estate's
board allow it. A visitor who is not signed in is sent to sign in; anyone else who may not see
a page gets the same 404 as for a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Building, Estate
from linju.core import permissions
from linju.core.http import form_errors, is_htmx, posted
from linju.core.images import serve_photo
from linju.funding.models import Fund
from linju.projects import sections, selectors, services
from linju.projects.forms import (
    AssignForm,
    InviteForm,
    NoteForm,
    PhotoForm,
    ProjectCreateForm,
    ProjectEditForm,
    ReasonForm,
    RoadFormSet,
)
from linju.projects.models import Project, ProjectMember, ProjectPhoto, StageTemplate
from linju.projects.road import DEFAULT_ROAD

SIZES = ("thumb", "web", "full")


class SignInFirst(Exception):
    """The page is not public and the visitor is not signed in."""


def sign_in_first(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except SignInFirst:
            return redirect_to_login(request.get_full_path())

    return wrapped


def _hidden(request: HttpRequest) -> Exception:
    return SignInFirst() if not request.user.is_authenticated else Http404()


def _estate(request: HttpRequest, slug: str) -> Estate:
    """The estate whose projects the visitor may list: its members, those invited into one of
    its projects, and anyone when its board is public (who then sees public showcases only)."""
    estate = community_selectors.estate_get(slug=slug)
    actor = permissions.actor_for(request.user)
    if permissions.can(request.user, "view", Project(estate=estate)):
        return estate
    if permissions.can(request.user, "view", estate, model="board"):
        return estate
    if (
        actor.member_projects
        and Project.objects.filter(estate=estate, pk__in=list(actor.member_projects)).exists()
    ):
        return estate
    raise _hidden(request)


def _project(request: HttpRequest, slug: str, pk: int, action: str = "view") -> Project:
    """The project if the visitor may do ``action`` to it; otherwise sign in, or 404."""
    estate = community_selectors.estate_get(slug=slug)
    project = Project.objects.filter(estate=estate, pk=pk).select_related(
        "estate", "building", "fund"
    )
    found = project.first() if 0 < pk < 2**63 else None
    if found is None:
        raise _hidden(request)
    if not permissions.can(request.user, "view", found):
        raise _hidden(request)
    if action != "view" and not permissions.can(request.user, action, found):
        raise Http404
    return found


def _may(user: Any, project: Project) -> dict[str, bool]:
    active = project.status == Project.Status.ACTIVE
    return {
        "may_manage": project.status != Project.Status.CANCELLED
        and permissions.can(user, "manage", project),
        "may_move": active and permissions.can(user, "move", project),
        "may_move_back": project.status != Project.Status.CANCELLED
        and project.stage_position > 0
        and permissions.can(user, "move_back", project),
        "may_cancel": active and permissions.can(user, "cancel", project),
        "may_invite": active and permissions.can(user, "invite", project),
        "may_add_photo": project.status != Project.Status.CANCELLED
        and permissions.can(user, "add_photo", project),
    }


# --- Lists and the project page ------------------------------------------------------------


@sign_in_first
def project_list_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _estate(request, slug)
    projects = list(selectors.project_list(actor=request.user, estate=estate))
    rows = [
        {
            "project": p,
            "full": permissions.can(request.user, "view", p),
        }
        for p in projects
    ]
    return render(
        request,
        "projects/list.html",
        {
            "estate": estate,
            "rows": rows,
            "may_create": bool(_creatable_buildings(request.user, estate)[0])
            or permissions.can(request.user, "create", Project(estate=estate)),
            "may_road": permissions.can(request.user, "change", estate, model="road"),
        },
    )


def _detail_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    road = selectors.project_road(project=project)
    photos, more = selectors.photo_page(project=project)
    return {
        "estate": project.estate,
        "project": project,
        "road": road,
        "current": next((r for r in road if r.state == "current"), None),
        "sections": sections.sections_for(project=project, actor=request.user, showcase=False),
        "photos": photos,
        "more": more,
        "pairs": selectors.photo_pairs(project=project),
        "members": selectors.project_members(project=project),
        "move_form": NoteForm(),
        **_may(request.user, project),
    }


@sign_in_first
def project_detail_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    found = Project.objects.filter(estate=estate, pk=pk).first() if 0 < pk < 2**63 else None
    if (
        found is not None
        and not permissions.can(request.user, "view", found)
        and permissions.can(request.user, "view_showcase", found)
    ):
        return redirect("project_showcase", slug=estate.slug, pk=found.pk)
    project = _project(request, slug, pk)
    return render(request, "projects/detail.html", _detail_context(request, project))


@sign_in_first
def project_photos_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The next page of the gallery: thumbnails only, for the "more" button."""
    project = _project(request, slug, pk)
    try:
        before = int(request.GET.get("before", "")) if request.GET.get("before") else None
    except ValueError:
        before = None
    photos, more = selectors.photo_page(project=project, before=before)
    context = {"estate": project.estate, "project": project, "photos": photos, "more": more}
    template = "projects/_photos.html" if is_htmx(request) else "projects/photos.html"
    return render(request, template, context)


@sign_in_first
def project_photo_view(
    request: HttpRequest, slug: str, pk: int, photo_id: int, size: str
) -> FileResponse:
    """A photo of the project for those who see the project; a before or after photo of a
    public showcase for anyone."""
    estate = community_selectors.estate_get(slug=slug)
    project = Project.objects.filter(estate=estate, pk=pk).first() if 0 < pk < 2**63 else None
    photo = (
        ProjectPhoto.objects.filter(project=project, pk=photo_id).first()
        if project is not None and 0 < photo_id < 2**63
        else None
    )
    if photo is None or size not in SIZES:
        raise _hidden(request)
    if not permissions.can(request.user, "view", project):
        showcased = photo.kind != ProjectPhoto.Kind.GENERAL and permissions.can(
            request.user, "view_showcase", project
        )
        if not showcased:
            raise _hidden(request)
    return serve_photo(photo, size, f"project-{pk}-{photo.pk}-{size}")


@sign_in_first
def project_showcase_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    project = Project.objects.filter(estate=estate, pk=pk).select_related(
        "estate", "building", "fund"
    )
    found = project.first() if 0 < pk < 2**63 else None
    if found is None or not permissions.can(request.user, "view_showcase", found):
        raise _hidden(request)
    figures = None
    fund_visible = False
    if found.fund is not None:
        from linju.funding.views.common import figures_for

        figures = figures_for([found.fund.pk])[found.fund.pk]
        fund_visible = permissions.can(request.user, "view", found.fund)
    return render(
        request,
        "projects/showcase.html",
        {
            "estate": estate,
            "project": found,
            "pairs": selectors.photo_pairs(project=found),
            "figures": figures,
            "fund_visible": fund_visible,
            "road": selectors.project_road(project=found),
            "sections": sections.sections_for(project=found, actor=request.user, showcase=True),
            "member_view": permissions.can(request.user, "view", found),
        },
    )


# --- Starting and editing ------------------------------------------------------------------


def _creatable_buildings(user: Any, estate: Estate) -> tuple[Any, bool]:
    """The buildings ``user`` may start a project for, and whether the whole estate too."""
    whole = permissions.can(user, "create", Project(estate=estate))
    buildings = Building.objects.filter(estate=estate).order_by("sort_key", "number")
    if not whole:
        led = permissions.actor_for(user).leader_buildings
        buildings = buildings.filter(pk__in=led)
    return buildings, whole


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, failed: bool = False
) -> HttpResponse:
    status = 422 if request.method == "POST" or failed else 200
    return render(request, template, context, status=status)


@login_required
def project_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    buildings, whole = _creatable_buildings(request.user, estate)
    if not whole and not buildings.exists():
        raise Http404
    form = ProjectCreateForm(posted(request), buildings=buildings, whole_estate=whole)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                actor=request.user,
                estate=estate,
                building=form.cleaned_data["building"],
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The project has started: its road is below."))
            return redirect(project)
    return _form_page(
        request,
        "projects/form.html",
        {
            "estate": estate,
            "form": form,
            "title": _("Start a project"),
            "submit": _("Start the project"),
            "back": ("projects", [estate.slug]),
        },
    )


@login_required
def project_edit_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _project(request, slug, pk, "manage")
    funds = Fund.objects.filter(estate=project.estate, building_id__in=[project.building_id])
    funds = funds | Fund.objects.filter(estate=project.estate, building__isnull=True)
    initial = {
        "title": project.title,
        "summary": project.summary,
        "budget": project.budget,
        "fund": project.fund_id,
        "showcase_public": project.showcase_public,
    }
    form = ProjectEditForm(posted(request), initial=initial, funds=funds.order_by("-pk"))
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(project)
    return _form_page(
        request,
        "projects/form.html",
        {
            "estate": project.estate,
            "project": project,
            "form": form,
            "title": _("Edit the project"),
            "submit": _("Save"),
        },
    )


# --- Moving along the road ---------------------------------------------------------------------


@login_required
@require_POST
def project_move_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _project(request, slug, pk, "move")
    form = NoteForm(request.POST)
    error = None
    if form.is_valid():
        try:
            project = services.stage_move(
                actor=request.user, project=project, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if project.status == Project.Status.FINISHED:
                messages.success(request, _("The project is finished: its showcase is open."))
            else:
                messages.success(request, _("The project has moved to its next stage."))
            return redirect(project)
    else:
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
    context = _detail_context(request, project)
    context["move_form"] = form
    context["move_error"] = error
    return render(request, "projects/detail.html", context, status=422)


def _reason_page(
    request: HttpRequest, project: Project, title: str, submit: str, service: Callable[..., Any]
) -> HttpResponse:
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, project=project, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Done."))
            return redirect(project)
    return _form_page(
        request,
        "projects/form.html",
        {
            "estate": project.estate,
            "project": project,
            "form": form,
            "title": title,
            "submit": submit,
        },
    )


@login_required
def project_move_back_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _project(request, slug, pk, "move_back")
    return _reason_page(
        request,
        project,
        _("Move back a stage"),
        _("Move back"),
        services.stage_move_back,
    )


@login_required
def project_cancel_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _project(request, slug, pk, "cancel")
    return _reason_page(
        request, project, _("Cancel the project"), _("Cancel it"), services.project_cancel
    )


@login_required
def stage_assign_view(request: HttpRequest, slug: str, pk: int, position: int) -> HttpResponse:
    project = _project(request, slug, pk, "manage")
    stage = project.stages.filter(position=position).select_related("owner").first()
    if stage is None:
        raise Http404
    initial = {"owner": stage.owner.username if stage.owner else "", "due_on": stage.due_on}
    form = AssignForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_assign(
                actor=request.user,
                project=project,
                position=position,
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(project)
    return _form_page(
        request,
        "projects/form.html",
        {
            "estate": project.estate,
            "project": project,
            "form": form,
            "title": _("Assign the stage “%(name)s”") % {"name": stage.name},
            "submit": _("Save"),
        },
    )


# --- Photos ----------------------------------------------------------------------------------


@login_required
def photo_add_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _project(request, slug, pk, "add_photo")
    form = PhotoForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_add(
                actor=request.user,
                project=project,
                upload=form.cleaned_data["upload"],
                kind=form.cleaned_data["kind"],
                caption=form.cleaned_data["caption"],
                pair=form.cleaned_data["pair"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The photo was added."))
            return redirect(project)
    return _form_page(
        request,
        "projects/form.html",
        {
            "estate": project.estate,
            "project": project,
            "form": form,
            "title": _("Add a photo"),
            "submit": _("Add the photo"),
            "multipart": True,
        },
    )


@login_required
@require_POST
def photo_remove_view(request: HttpRequest, slug: str, pk: int, photo_id: int) -> HttpResponse:
    project = _project(request, slug, pk)
    photo = ProjectPhoto.objects.filter(project=project, pk=photo_id).first()
    if photo is None or not permissions.can(request.user, "remove", photo):
        raise Http404
    photo.project = project
    services.photo_remove(actor=request.user, photo=photo)
    messages.success(request, _("The photo was removed."))
    return redirect(project)


# --- Invited designers and contractors ---------------------------------------------------------


@login_required
def project_members_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _project(request, slug, pk, "invite")
    form = InviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.project_member_invite(
                actor=request.user,
                project=project,
                user=form.cleaned_data["account"],
                kind=form.cleaned_data["kind"],
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Invited: they can now open this project."))
            return redirect("project_members", slug=project.estate.slug, pk=project.pk)
    return _form_page(
        request,
        "projects/members.html",
        {
            "estate": project.estate,
            "project": project,
            "form": form,
            "members": selectors.project_members(project=project),
        },
    )


@login_required
@require_POST
def project_member_end_view(
    request: HttpRequest, slug: str, pk: int, member_id: int
) -> HttpResponse:
    project = _project(request, slug, pk, "invite")
    member = ProjectMember.objects.filter(
        project=project, pk=member_id, ended_at__isnull=True
    ).first()
    if member is None:
        raise Http404
    services.project_member_end(actor=request.user, member=member)
    messages.success(request, _("Their part in the project has ended."))
    return redirect("project_members", slug=project.estate.slug, pk=project.pk)


# --- The road's settings (console) -------------------------------------------------------------


def _road_initial(estate: Estate) -> list[dict[str, Any]]:
    rows = list(StageTemplate.objects.filter(estate=estate).order_by("position"))
    if rows:
        return [
            {
                "key": s.key,
                "name": s.name,
                "requirement": s.requirement,
                "owner_role": s.owner_role,
                "days": s.days,
                "ORDER": s.position + 1,
            }
            for s in rows
        ]
    return [
        {
            "key": s.key,
            "name": str(s.name),
            "requirement": s.requirement,
            "owner_role": s.owner_role,
            "days": s.days,
            "ORDER": i + 1,
        }
        for i, s in enumerate(DEFAULT_ROAD)
    ]


@login_required
def console_road_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "change", estate, model="road"):
        raise Http404
    formset = RoadFormSet(posted(request), initial=_road_initial(estate), prefix="stages")
    error = None
    if request.method == "POST" and formset.is_valid():
        stages = [
            {k: v for k, v in f.cleaned_data.items() if k not in ("ORDER", "DELETE")}
            for f in formset.ordered_forms
        ]
        try:
            services.road_update(actor=request.user, estate=estate, stages=stages)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("Saved. New projects follow this road; those under way keep theirs.")
            )
            return redirect("console_project_road", slug=estate.slug)
    return _form_page(
        request,
        "projects/console/road.html",
        {"estate": estate, "formset": formset, "error": error},
    )
