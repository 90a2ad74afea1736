"""The roster pages of the staff console: upload → columns → preview → confirm → report, the
export, and the building-list lock."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Estate, RosterImport
from linju.community.roster import export, parse, selectors, services
from linju.community.roster.forms import BuildingLockForm, RosterColumnsForm, RosterUploadForm
from linju.core import permissions

# A request body this many times the file limit is refused without being read at all.
HOPELESS_FACTOR = 4


def _estate(request: HttpRequest, slug: str, action: str = "import_roster") -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, action, estate):
        raise Http404
    return estate


class LimitedUploadHandler(FileUploadHandler):
    """Stops an upload as soon as it passes the roster size limit: nothing beyond the limit is
    kept, the rest of the request body is read and dropped, and the view says why."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_big = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received = start + len(raw_data)
        if self.received > self.limit:
            self.too_big = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _upload_page(
    request: HttpRequest,
    estate: Estate,
    form: RosterUploadForm,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    return render(
        request,
        "community/console/roster.html",
        {
            "estate": estate,
            "form": form,
            "upload_error": error,
            "lock_form": BuildingLockForm(initial={"locked": estate.building_list_locked}),
            "imports": selectors.roster_import_list(actor=request.user, estate=estate),
            "may_export": permissions.can(request.user, "export_roster", estate),
        },
        status=status,
    )


@csrf_exempt  # the CSRF check runs in _roster_upload, once the upload limit is in place
@login_required
def console_roster_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _estate(request, slug)
    limit = parse.limits().max_bytes
    if request.method != "POST":
        return _upload_page(request, estate, RosterUploadForm(max_bytes=limit))
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit * HOPELESS_FACTOR:
        return _upload_refused(request, estate, limit)  # the body is never read
    handler = LimitedUploadHandler(request, limit)
    handlers = request.upload_handlers
    # A body small enough for memory may have been read by a middleware already (then it is
    # an immutable tuple); roster_upload checks that file's size.
    if isinstance(handlers, list):
        handlers.insert(0, handler)
    return _roster_upload(request, estate, limit, handler)


def _upload_refused(request: HttpRequest, estate: Estate, limit: int) -> HttpResponse:
    error = parse.render(parse.TOO_BIG_UPLOAD, {"limit": parse.megabytes(limit)})
    return _upload_page(request, estate, RosterUploadForm(max_bytes=limit), 422, error)


@csrf_protect
def _roster_upload(
    request: HttpRequest, estate: Estate, limit: int, handler: LimitedUploadHandler
) -> HttpResponse:
    form = RosterUploadForm(request.POST, request.FILES, max_bytes=limit)
    if handler.too_big:
        return _upload_refused(request, estate, limit)
    if form.is_valid():
        try:
            roster_import = services.roster_upload(
                actor=request.user, estate=estate, upload=form.cleaned_data["file"]
            )
        except parse.RosterRefused as exc:
            form.add_error("file", exc.text())
        else:
            return redirect("console_roster_columns", slug=estate.slug, import_id=roster_import.pk)
    return _upload_page(request, estate, form, status=422)


@login_required
def console_roster_columns_view(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    estate = _estate(request, slug)
    roster_import = selectors.roster_import_get(
        actor=request.user, estate=estate, import_id=import_id
    )
    if roster_import.status not in (RosterImport.Status.UPLOADED, RosterImport.Status.CHECKED):
        return redirect("console_roster_import", slug=estate.slug, import_id=roster_import.pk)
    status = 200
    try:
        layout = services.roster_layout(roster_import=roster_import)
        if request.method == "POST":
            form = RosterColumnsForm(request.POST, layout=layout)
            status = 422
            if form.is_valid():
                sheet = form.cleaned_data["sheet"] or 0
                header_row = form.cleaned_data["header_row"]
                if "reload" in request.POST or (sheet, header_row) != (
                    roster_import.sheet,
                    roster_import.header_row,
                ):
                    layout = services.roster_layout(
                        roster_import=roster_import, sheet=sheet, header_row=header_row
                    )
                    form = RosterColumnsForm(
                        layout=layout, initial={"sheet": sheet, "header_row": header_row}
                    )
                    status = 200
                else:
                    try:
                        services.roster_columns_set(
                            actor=request.user,
                            roster_import=roster_import,
                            sheet=sheet,
                            header_row=header_row,
                            mapping=form.mapping(),
                            layout=layout,
                        )
                    except ValidationError as exc:
                        form.add_error(None, exc)
                    else:
                        return redirect(
                            "console_roster_import", slug=estate.slug, import_id=roster_import.pk
                        )
        else:
            form = RosterColumnsForm(layout=layout)
    except parse.RosterRefused as exc:
        messages.error(request, exc.text())
        return redirect("console_roster", slug=estate.slug)
    return render(
        request,
        "community/console/roster_columns.html",
        {"estate": estate, "roster_import": roster_import, "form": form, "layout": layout},
        status=status,
    )


def _import_context(roster_import: RosterImport) -> dict[str, Any]:
    report = roster_import.report or {}
    return {
        "roster_import": roster_import,
        "report": report,
        "summary": selectors.report_rows(report) if report else [],
        "errors": selectors.rendered(report.get("errors", [])),
        "warnings": selectors.rendered(report.get("warnings", [])),
        "changes": selectors.rendered(report.get("changes", [])),
        "message": selectors.roster_message(roster_import),
    }


@login_required
def console_roster_import_view(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    estate = _estate(request, slug)
    roster_import = selectors.roster_import_get(
        actor=request.user, estate=estate, import_id=import_id
    )
    context = {"estate": estate, **_import_context(roster_import)}
    if getattr(request, "htmx", False):
        response = render(request, "community/console/_roster_progress.html", context)
        if not roster_import.is_running:
            response["HX-Refresh"] = "true"  # finished: show the whole report
        return response
    return render(request, "community/console/roster_import.html", context)


@login_required
@require_POST
def console_roster_confirm_view(request: HttpRequest, slug: str, import_id: int) -> HttpResponse:
    estate = _estate(request, slug)
    roster_import = selectors.roster_import_get(
        actor=request.user, estate=estate, import_id=import_id
    )
    try:
        services.roster_confirm(actor=request.user, roster_import=roster_import)
    except ValidationError as exc:
        context = {"estate": estate, **_import_context(roster_import), "confirm_errors": exc}
        return render(request, "community/console/roster_import.html", context, status=422)
    return redirect("console_roster_import", slug=estate.slug, import_id=roster_import.pk)


@login_required
def console_roster_export_view(request: HttpRequest, slug: str) -> FileResponse:
    estate = _estate(request, slug, "export_roster")
    out = io.BytesIO()
    export.roster_export(actor=request.user, estate=estate, out=out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=export.file_name(estate),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_POST
def console_roster_lock_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _estate(request, slug, "manage")
    form = BuildingLockForm(request.POST)
    form.is_valid()
    locked = bool(form.cleaned_data.get("locked"))
    services.roster_buildings_lock(actor=request.user, estate=estate, locked=locked)
    if locked:
        messages.success(request, _("The building list is locked."))
    else:
        messages.success(request, _("The building list is open: imports may add buildings."))
    return redirect("console_roster", slug=estate.slug)
