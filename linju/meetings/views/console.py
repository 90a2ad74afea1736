"""The meetings console: planning, invitations, the attendance sheet (printed for signatures,
entered from the roster, its photo kept), minutes and outcomes, publishing, cancelling.

Committee staff and the owners' committee organise every meeting of the estate; a
building-group leader the ordinary meetings of the building they lead. To anyone else each
page is the same 404 as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.core.http import form_errors, is_htmx, posted
from linju.core.images import serve_photo
from linju.meetings import pdf, selectors, services
from linju.meetings.forms import (
    AttendanceForm,
    CancelForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    PublishForm,
    SheetForm,
)
from linju.meetings.models import Meeting


def _console_estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "console", estate, model="meeting"):
        raise Http404
    return estate


def _managed(request: HttpRequest, slug: str, meeting_id: int) -> Meeting:
    estate = _console_estate(request, slug)
    meeting = selectors.meeting_get(actor=request.user, estate=estate, meeting_id=meeting_id)
    if not permissions.can(request.user, "manage", meeting):
        raise Http404
    return meeting


def _to_meeting(meeting: Meeting) -> HttpResponse:
    return redirect("console_meeting", slug=meeting.estate.slug, meeting_id=meeting.pk)


@login_required
def console_meetings_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    return render(
        request,
        "meetings/console/list.html",
        {
            "estate": estate,
            "meetings": selectors.meeting_console_list(actor=request.user, estate=estate),
        },
    )


def _form_page(
    request: HttpRequest, estate: Estate, form: MeetingForm, meeting: Meeting | None
) -> HttpResponse:
    return render(
        request,
        "meetings/console/form.html",
        {"estate": estate, "form": form, "meeting": meeting},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def console_meeting_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    initial: dict[str, Any] = {}
    if (project := request.GET.get("project", "")).isdigit():
        initial["project"] = int(project)
    if (kind := request.GET.get("kind", "")) in Meeting.Kind.values:
        initial["kind"] = kind
    form = MeetingForm(posted(request), actor=request.user, estate=estate, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                actor=request.user, estate=estate, **form.service_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The meeting is planned. Invite people next."))
            return _to_meeting(meeting)
    return _form_page(request, estate, form, None)


@login_required
def console_meeting_edit_view(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, slug, meeting_id)
    if meeting.status != Meeting.Status.PLANNED:
        messages.error(request, _("Only a planned meeting can be changed."))
        return _to_meeting(meeting)
    form = MeetingForm(
        posted(request),
        actor=request.user,
        estate=meeting.estate,
        booking=False,
        initial=MeetingForm.initial_for(meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.user, meeting=meeting, **form.service_arguments())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return _to_meeting(meeting)
    return _form_page(request, meeting.estate, form, meeting)


def _meeting_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    invite_form: InviteForm | None = None,
    cancel_form: CancelForm | None = None,
    publish_form: PublishForm | None = None,
    refusal: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "meetings/console/meeting.html",
        {
            "estate": meeting.estate,
            "meeting": meeting,
            "invitations": selectors.invitation_counts(meeting=meeting),
            "attendance": selectors.attendance_counts(meeting=meeting),
            "outcomes": selectors.outcomes(meeting=meeting),
            "invite_form": invite_form or InviteForm(meeting=meeting),
            "cancel_form": cancel_form or CancelForm(),
            "publish_form": publish_form or PublishForm(meeting=meeting),
            "refusal": refusal or [],
        },
        status=status,
    )


@login_required
def console_meeting_view(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    return _meeting_page(request, _managed(request, slug, meeting_id))


@login_required
@require_POST
def console_meeting_cancel_view(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, slug, meeting_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The meeting is cancelled; those invited are told."))
            return _to_meeting(meeting)
    return _meeting_page(request, meeting, cancel_form=form, status=422)


@login_required
@require_POST
def console_meeting_invite_view(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, slug, meeting_id)
    form = InviteForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            count = services.meeting_invite(
                actor=request.user,
                meeting=meeting,
                people=form.cleaned_data["flats"],
                building_residents=form.cleaned_data.get("building_residents", False),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(n)s people invited.") % {"n": count})
            return _to_meeting(meeting)
    return _meeting_page(request, meeting, invite_form=form, status=422)


# --- Attendance ------------------------------------------------------------------------------


def _attendance_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    form: AttendanceForm | None = None,
    sheet_form: SheetForm | None = None,
    refusal: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    query = request.GET.get("q", "")
    return render(
        request,
        "meetings/console/attendance.html",
        {
            "estate": meeting.estate,
            "meeting": meeting,
            "present": selectors.attendance_list(meeting=meeting),
            "counts": selectors.attendance_counts(meeting=meeting),
            "sheets": selectors.sheets(meeting=meeting),
            "query": query,
            "roster": selectors.roster_search(actor=request.user, meeting=meeting, query=query),
            "form": form or AttendanceForm(actor=request.user, meeting=meeting),
            "sheet_form": sheet_form or SheetForm(),
            "refusal": refusal or [],
        },
        status=status,
    )


@login_required
def console_meeting_attendance_view(
    request: HttpRequest, slug: str, meeting_id: int
) -> HttpResponse:
    meeting = _managed(request, slug, meeting_id)
    if request.method != "POST":
        return _attendance_page(request, meeting)
    form = AttendanceForm(request.POST, actor=request.user, meeting=meeting)
    if form.is_valid():
        try:
            attendance = services.attendance_record(
                actor=request.user,
                meeting=meeting,
                person=form.cleaned_data["person"],
                name=form.cleaned_data["name"],
                mode=form.cleaned_data["mode"],
                signed_on_paper=form.cleaned_data["signed_on_paper"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            who = attendance.person.full_name if attendance.person else attendance.name
            messages.success(request, _("Recorded: %(name)s") % {"name": who})
            query = request.POST.get("q", "")
            response = redirect(
                "console_meeting_attendance", slug=meeting.estate.slug, meeting_id=meeting.pk
            )
            if query:
                response["Location"] += "?" + _query_string(query)
            return response
    return _attendance_page(request, meeting, form=form, status=422)


def _query_string(query: str) -> str:
    from django.utils.http import urlencode

    return urlencode({"q": query[:40]})


@login_required
def console_meeting_roster_view(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """The roster search of the attendance page (htmx swaps the results in place)."""
    meeting = _managed(request, slug, meeting_id)
    query = request.GET.get("q", "")
    context = {
        "estate": meeting.estate,
        "meeting": meeting,
        "query": query,
        "roster": selectors.roster_search(actor=request.user, meeting=meeting, query=query),
        "form": AttendanceForm(actor=request.user, meeting=meeting),
    }
    if is_htmx(request):
        return render(request, "meetings/console/_roster.html", context)
    return redirect(
        reverse_with_query("console_meeting_attendance", meeting, query),
    )


def reverse_with_query(name: str, meeting: Meeting, query: str) -> str:
    from django.urls import reverse

    url = reverse(name, args=[meeting.estate.slug, meeting.pk])
    return f"{url}?{_query_string(query)}" if query else url


@login_required
@require_POST
def console_meeting_attendance_remove_view(
    request: HttpRequest, slug: str, meeting_id: int, attendance_id: int
) -> HttpResponse:
    meeting = _managed(request, slug, meeting_id)
    attendance = selectors.attendance_get(meeting=meeting, attendance_id=attendance_id)
    try:
        services.attendance_remove(actor=request.user, attendance=attendance)
    except ValidationError as exc:
        return _attendance_page(request, meeting, refusal=exc.messages, status=422)
    messages.success(request, _("Taken off the attendance list."))
    return redirect("console_meeting_attendance", slug=meeting.estate.slug, meeting_id=meeting.pk)


@login_required
@require_POST
def console_meeting_sheet_add_view(
    request: HttpRequest, slug: str, meeting_id: int
) -> HttpResponse:
    meeting = _managed(request, slug, meeting_id)
    form = SheetForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attendance_sheet_add(
                actor=request.user, meeting=meeting, upload=form.cleaned_data["photo"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The photo of the sheet is kept with the meeting."))
            return redirect(
                "console_meeting_attendance", slug=meeting.estate.slug, meeting_id=meeting.pk
            )
    return _attendance_page(request, meeting, sheet_form=form, status=422)


@login_required
def console_meeting_sheet_photo_view(
    request: HttpRequest, slug: str, meeting_id: int, sheet_id: int, size: str
) -> HttpResponseBase:
    meeting = _managed(request, slug, meeting_id)
    if size not in ("thumb", "web", "full"):
        raise Http404
    sheet = selectors.sheet_get(meeting=meeting, sheet_id=sheet_id)
    return serve_photo(sheet, size, f"sheet-{meeting.pk}-{sheet.pk}")


@login_required
def console_meeting_sheet_pdf_view(
    request: HttpRequest, slug: str, meeting_id: int
) -> HttpResponse:
    meeting = _managed(request, slug, meeting_id)
    content = pdf.attendance_sheet_pdf(meeting=meeting, site_url=request.build_absolute_uri("/"))
    disposition = content_disposition_header(as_attachment=True, filename=pdf.file_name(meeting))
    return HttpResponse(
        content,
        content_type="application/pdf",
        headers={"Content-Disposition": disposition or ""},
    )


# --- Minutes ---------------------------------------------------------------------------------


@login_required
def console_meeting_minutes_view(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, slug, meeting_id)
    if meeting.minutes_published:
        messages.error(
            request, _("The minutes are published: the record of this meeting is closed.")
        )
        return _to_meeting(meeting)
    initial = {
        "minutes": meeting.minutes,
        "outcomes": "\n".join(o.text for o in selectors.outcomes(meeting=meeting)),
    }
    form = MinutesForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_write(
                actor=request.user,
                meeting=meeting,
                minutes=form.cleaned_data["minutes"],
                outcomes=form.outcome_list(),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The minutes are saved. Publish them when they are final."))
            return _to_meeting(meeting)
    return render(
        request,
        "meetings/console/minutes.html",
        {"estate": meeting.estate, "meeting": meeting, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def console_meeting_publish_view(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, slug, meeting_id)
    form = PublishForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            meeting = services.minutes_publish(
                actor=request.user,
                meeting=meeting,
                to_board=form.cleaned_data.get("to_board", True),
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if meeting.notice_id:
                messages.success(request, _("The minutes are published on the notice board."))
            else:
                messages.success(request, _("The minutes are published on the meeting's page."))
            return _to_meeting(meeting)
    return _meeting_page(request, meeting, publish_form=form, status=422)
