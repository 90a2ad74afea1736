"""The foundation's pages: a street's grant programmes (public once published), the officer's
programme forms, applying from a project, and an application's page with its timeline and the
actions of whoever looks at it (the applicant, the estate's staff, the foundation's officer).

A visitor who is not signed in is sent to sign in for applications; anyone who may not see a
page gets the same 404 as for a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.core import permissions
from linju.core.http import form_errors, posted
from linju.core.images import serve_photo
from linju.foundation import selectors, services
from linju.foundation.forms import (
    AdvanceForm,
    ApplicationForm,
    CriterionFormSet,
    DocumentForm,
    MessageForm,
    MoveForm,
    OptionalMessageForm,
    PhotoForm,
    ProgrammeForm,
)
from linju.foundation.models import Application, ApplicationEvent, Programme

SIZES = ("thumb", "web", "full")


def _form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    return render(request, "foundation/form.html", context, status=status)


def _programme(request: HttpRequest, street_slug: str, pk: int, action: str = "view") -> Any:
    street = selectors.street_get(slug=street_slug)
    programme = selectors.programme_get(actor=request.user, street=street, programme_id=pk)
    if action != "view" and not permissions.can(request.user, action, programme):
        raise Http404
    return programme


def _application(request: HttpRequest, street_slug: str, pk: int, action: str = "view") -> Any:
    street = selectors.street_get(slug=street_slug)
    application = selectors.application_get(actor=request.user, street=street, application_id=pk)
    if action != "view" and not permissions.can(request.user, action, application):
        raise Http404
    return application


# --- Programmes ------------------------------------------------------------------------------


def foundation_home_view(request: HttpRequest, street_slug: str) -> HttpResponse:
    street = selectors.street_get(slug=street_slug)
    return render(
        request,
        "foundation/home.html",
        {
            "street": street,
            "programmes": selectors.programme_list(actor=request.user, street=street),
            "may_create": permissions.can(request.user, "create", Programme(street=street)),
        },
    )


def programme_detail_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    programme = _programme(request, street_slug, pk)
    may_manage = permissions.can(request.user, "manage", programme)
    moves = services.PROGRAMME_MOVES.get(programme.status, ())
    if not programme.uses_pb:
        moves = tuple(m for m in moves if m != Programme.Status.VOTING)
    applications = (
        selectors.application_list(actor=request.user, programme=programme)
        if request.user.is_authenticated
        else Application.objects.none()
    )
    return render(
        request,
        "foundation/programme_detail.html",
        {
            "street": programme.street,
            "programme": programme,
            "criteria": programme.criteria.all(),
            "applications": applications,
            "may_manage": may_manage,
            "moves": [(m, Programme.Status(m).label) for m in moves] if may_manage else [],
        },
    )


def _criteria_initial(programme: Programme | None) -> list[dict[str, Any]]:
    if programme is None:
        return []
    return [
        {"name": c.name, "weight": c.weight, "description": c.description}
        for c in programme.criteria.all()
    ]


def _programme_form(request: HttpRequest, street: Any, programme: Programme | None) -> HttpResponse:
    initial = (
        {name: getattr(programme, name) for name in ProgrammeForm.base_fields} if programme else {}
    )
    form = ProgrammeForm(posted(request), initial=initial)
    criteria = CriterionFormSet(
        posted(request), initial=_criteria_initial(programme), prefix="criteria"
    )
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        rows = [row for row in criteria.cleaned_data if row]
        try:
            if programme is None:
                programme = services.programme_create(
                    actor=request.user, street=street, criteria=rows, **form.cleaned_data
                )
            else:
                programme = services.programme_update(
                    actor=request.user, programme=programme, criteria=rows, **form.cleaned_data
                )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved. Publish the programme when it is ready."))
            return redirect(programme)
    return _form_page(
        request,
        {
            "street": street,
            "programme": programme,
            "form": form,
            "criteria": criteria,
            "title": _("Edit the programme") if programme else _("New grant programme"),
            "submit": _("Save"),
        },
    )


@login_required
def programme_create_view(request: HttpRequest, street_slug: str) -> HttpResponse:
    street = selectors.street_get(slug=street_slug)
    if not permissions.can(request.user, "create", Programme(street=street)):
        raise Http404
    return _programme_form(request, street, None)


@login_required
def programme_edit_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    programme = _programme(request, street_slug, pk, "manage")
    return _programme_form(request, programme.street, programme)


@login_required
@require_POST
def programme_publish_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    programme = _programme(request, street_slug, pk, "manage")
    try:
        services.programme_publish(actor=request.user, programme=programme)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(programme)
    messages.success(request, _("Published: the programme is on every estate's notice board."))
    return redirect(programme)


@login_required
@require_POST
def programme_advance_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    programme = _programme(request, street_slug, pk, "manage")
    form = AdvanceForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose the programme's next stage."))
        services.programme_advance(
            actor=request.user, programme=programme, status=form.cleaned_data["status"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(programme)
    messages.success(request, _("Done."))
    return redirect(programme)


# --- Applying ------------------------------------------------------------------------------------


def _support_choices(project: Any) -> dict[str, Any]:
    """The estate's votes and surveys an application may name as residents' support."""
    from linju.consultations.models import Consultation
    from linju.decisions.models import Decision

    return {
        "decisions": Decision.objects.filter(estate_id=project.estate_id)
        .exclude(status="draft")
        .order_by("-pk"),
        "consultations": Consultation.objects.filter(estate_id=project.estate_id)
        .exclude(status="draft")
        .order_by("-pk"),
    }


@login_required
def application_create_view(
    request: HttpRequest, street_slug: str, pk: int, project_id: int
) -> HttpResponse:
    from linju.projects.models import Project

    programme = _programme(request, street_slug, pk)
    project = (
        Project.objects.filter(pk=project_id, estate__street=programme.street)
        .select_related("estate", "building", "fund")
        .first()
        if 0 < project_id < 2**63
        else None
    )
    draft = Application(
        programme=programme,
        project=project,
        estate=getattr(project, "estate", None),
        building=getattr(project, "building", None),
    )
    if project is None or not permissions.can(request.user, "create", draft):
        raise Http404
    initial = {
        "title": project.title,
        "plan": project.summary,
        "budget": project.budget,
        "requested": project.budget,
    }
    form = ApplicationForm(posted(request), initial=initial, **_support_choices(project))
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user, programme=programme, project=project, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("The application is saved as a draft. Check it, then submit it.")
            )
            return redirect(application)
    return _form_page(
        request,
        {
            "street": programme.street,
            "programme": programme,
            "project": project,
            "raised": services.cofunding_raised(project),
            "photo_count": project.photos.filter(kind__in=["before", "general"]).count(),
            "form": form,
            "title": _("Apply to “%(programme)s”") % {"programme": programme.name},
            "submit": _("Save the draft"),
        },
    )


@login_required
def application_edit_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    application = _application(request, street_slug, pk, "edit")
    if application.status not in services.APPLICANT_EDITS:
        raise Http404
    initial = {
        "title": application.title,
        "plan": application.plan,
        "budget": application.budget,
        "requested": application.requested,
        "support": application.support,
        "support_decision": application.support_decision_id,
        "support_consultation": application.support_consultation_id,
    }
    form = ApplicationForm(
        posted(request), initial=initial, **_support_choices(application.project)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                actor=request.user, application=application, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(application)
    return _form_page(
        request,
        {
            "street": application.programme.street,
            "programme": application.programme,
            "application": application,
            "form": form,
            "title": _("Edit the application"),
            "submit": _("Save"),
        },
    )


def _may(user: Any, application: Application) -> dict[str, bool]:
    status = application.status
    S = Application.Status
    return {
        "may_edit": status in services.APPLICANT_EDITS
        and permissions.can(user, "edit", application),
        "may_endorse": status == S.SUBMITTED and permissions.can(user, "endorse", application),
        "may_receive": status == S.ENDORSED and permissions.can(user, "process", application),
        "may_process": status in services.REQUESTS_OPEN
        and permissions.can(user, "process", application),
        "may_upload": status in services.DOCUMENTS_OPEN
        and permissions.can(user, "upload", application),
    }


# The usual road of an application, shown as steps on its page.
PATH: tuple[str, ...] = (
    Application.Status.DRAFT,
    Application.Status.SUBMITTED,
    Application.Status.ENDORSED,
    Application.Status.RECEIVED,
    Application.Status.UNDER_REVIEW,
    Application.Status.SHORTLISTED,
    Application.Status.AWARDED,
)
# Where a status off the usual road sits on it.
OFF_PATH: dict[str, str] = {
    Application.Status.RETURNED: Application.Status.SUBMITTED,
    Application.Status.DECLINED: Application.Status.UNDER_REVIEW,
    Application.Status.NOT_AWARDED: Application.Status.SHORTLISTED,
}


def _steps(application: Application) -> list[dict[str, Any]]:
    status = application.status
    at = PATH.index(OFF_PATH.get(status, status))
    steps = []
    for i, step in enumerate(PATH):
        label = Application.Status(step).label
        if i == at and status in OFF_PATH:
            label = Application.Status(status).label
        steps.append({"label": label, "done": i < at, "current": i == at})
    if status in OFF_PATH:
        steps = steps[: at + 1]
    return steps


@login_required
def application_detail_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    application = _application(request, street_slug, pk)
    may = _may(request.user, application)
    moves = services.MOVES.get(application.status, ())
    timeline = selectors.application_timeline(application=application)
    requests = selectors.document_requests(application=application)
    return render(
        request,
        "foundation/application_detail.html",
        {
            "street": application.programme.street,
            "programme": application.programme,
            "application": application,
            "steps": _steps(application),
            "timeline": timeline,
            "last_return": next(
                (e for e in reversed(timeline) if e.kind == ApplicationEvent.Kind.RETURNED), None
            ),
            "open_requests": [r for r in requests if r.answered_at is None],
            "requests": requests,
            "documents": application.documents.all(),
            "photos": application.photos.all(),
            "problems": services.application_problems(application) if may["may_edit"] else [],
            "moves": [(m, Application.Status(m).label) for m in moves],
            "endorse_form": OptionalMessageForm(),
            **may,
        },
    )


@login_required
@require_POST
def application_submit_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    application = _application(request, street_slug, pk, "edit")
    try:
        services.application_submit(actor=request.user, application=application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(application)
    messages.success(request, _("Submitted: the estate's committee will endorse it."))
    return redirect(application)


@login_required
@require_POST
def application_endorse_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    application = _application(request, street_slug, pk, "endorse")
    form = OptionalMessageForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(" ".join(str(m) for e in form.errors.values() for m in e))
        services.application_endorse(
            actor=request.user, application=application, message=form.cleaned_data["message"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(application)
    messages.success(request, _("Endorsed: the application goes to the foundation."))
    return redirect(application)


def _message_page(
    request: HttpRequest,
    application: Application,
    service: Any,
    title: str,
    submit: str,
    done: str,
) -> HttpResponse:
    form = MessageForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, application=application, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(application)
    return _form_page(
        request,
        {
            "street": application.programme.street,
            "programme": application.programme,
            "application": application,
            "form": form,
            "title": title,
            "submit": submit,
        },
    )


@login_required
def application_return_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    application = _application(request, street_slug, pk, "endorse")
    return _message_page(
        request,
        application,
        services.application_return,
        _("Return the application"),
        _("Return it"),
        _("Returned: the applicant sees your message."),
    )


@login_required
@require_POST
def application_receive_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    application = _application(request, street_slug, pk, "process")
    try:
        services.application_receive(actor=request.user, application=application)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(application)
    messages.success(request, _("Received."))
    return redirect(application)


@login_required
@require_POST
def application_move_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    application = _application(request, street_slug, pk, "process")
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The application cannot move to that status now."))
        services.application_move(actor=request.user, application=application, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(application)
    messages.success(request, _("Done."))
    return redirect(application)


@login_required
def document_request_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    application = _application(request, street_slug, pk, "process")
    return _message_page(
        request,
        application,
        services.document_request_create,
        _("Ask for a document"),
        _("Send the request"),
        _("Asked: the applicant is told and answers by uploading."),
    )


@login_required
def document_upload_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    application = _application(request, street_slug, pk, "upload")
    requests = selectors.open_requests(application=application)
    initial = {"request": request.GET.get("request")} if request.GET.get("request") else {}
    form = DocumentForm(posted(request), request.FILES or None, initial=initial, requests=requests)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_upload(
                actor=request.user,
                application=application,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                request=form.cleaned_data["request"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The document is added."))
            return redirect(application)
    return _form_page(
        request,
        {
            "street": application.programme.street,
            "programme": application.programme,
            "application": application,
            "form": form,
            "multipart": True,
            "title": _("Add a document"),
            "submit": _("Upload"),
        },
    )


@login_required
def application_photo_add_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    application = _application(request, street_slug, pk, "edit")
    form = PhotoForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_photo_add(
                actor=request.user,
                application=application,
                upload=form.cleaned_data["upload"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The photo is added."))
            return redirect(application)
    return _form_page(
        request,
        {
            "street": application.programme.street,
            "programme": application.programme,
            "application": application,
            "form": form,
            "multipart": True,
            "title": _("Add a photo"),
            "submit": _("Upload"),
        },
    )


@login_required
def application_document_view(
    request: HttpRequest, street_slug: str, pk: int, document_id: int
) -> FileResponse:
    application = _application(request, street_slug, pk)
    document = (
        application.documents.filter(pk=document_id).first() if 0 < document_id < 2**63 else None
    )
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    # PDFs and workbooks are downloaded, photos shown; nothing uploaded runs in the site's
    # origin (a sandboxed response cannot run scripts).
    response = FileResponse(
        handle,
        content_type=document.content_type or "application/octet-stream",
        as_attachment=not document.content_type.startswith("image/"),
        filename=document.file.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def application_photo_view(
    request: HttpRequest, street_slug: str, pk: int, photo_id: int, size: str
) -> FileResponse:
    application = _application(request, street_slug, pk)
    photo = application.photos.filter(pk=photo_id).first() if 0 < photo_id < 2**63 else None
    if photo is None or size not in SIZES:
        raise Http404
    return serve_photo(photo, size, f"application-{application.pk}-{photo.pk}-{size}")


# --- The estate's console --------------------------------------------------------------------


@login_required
def console_applications_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "endorse", Application(estate=estate)):
        raise Http404
    return render(
        request,
        "foundation/console_applications.html",
        {
            "estate": estate,
            "waiting": selectors.applications_to_endorse(actor=request.user, estate=estate),
            "all": permissions.visible(request.user, Application.objects.filter(estate=estate))
            .select_related("programme__street", "building")
            .order_by("-status_changed_at", "-pk")[:100],
        },
    )
