"""Disclosure reports of an estate: the list, the downloads (PDF and .xlsx) and, for committee
staff, making one now.

Whoever may read the estate's notice board may see and download its reports: members get
them with donors as they agreed to be shown (flat number, name or anonymous) and transfer
references; when the board is public, other visitors get the public version without either.
No version names staff. A visitor who is not signed in to a board that is not public is sent
to sign in; a signed-in outsider gets the same 404 as for a missing page.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.funding import reports
from linju.funding.models import DisclosureReport

TYPES = {"pdf": "application/pdf", "xlsx": reports.XLSX_TYPE}


class ReportMakeForm(forms.Form):
    which = forms.ChoiceField(label=gettext_lazy("Period"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["which"].choices = reports.period_choices()  # type: ignore[attr-defined]

    def cleaned_period(self) -> tuple[str, datetime.date]:
        period, start = self.cleaned_data["which"].split(":", 1)
        return period, datetime.date.fromisoformat(start)


class _SignInFirst(Exception):
    pass


def _readable_estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "view", estate, model="board"):
        if not request.user.is_authenticated:
            raise _SignInFirst
        raise Http404
    return estate


def _may_make(request: HttpRequest, estate: Estate) -> bool:
    return permissions.can(request.user, "manage", estate, model="estate")


def _list(request: HttpRequest, estate: Estate, form: ReportMakeForm | None, status: int = 200):
    may_make = _may_make(request, estate)
    return render(
        request,
        "funding/reports/list.html",
        {
            "estate": estate,
            "reports": reports.report_list(estate=estate),
            "form": (form or ReportMakeForm()) if may_make else None,
            "public": not request.user.is_authenticated,
        },
        status=status,
    )


def report_list_view(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        estate = _readable_estate(request, slug)
    except _SignInFirst:
        return redirect_to_login(request.get_full_path())
    return _list(request, estate, None)


def report_download_view(
    request: HttpRequest, slug: str, report_id: int, extension: str
) -> HttpResponse | FileResponse:
    try:
        estate = _readable_estate(request, slug)
    except _SignInFirst:
        return redirect_to_login(request.get_full_path())
    report = DisclosureReport.objects.filter(estate=estate, pk=report_id).first()
    if report is None or extension not in TYPES:
        raise Http404
    # Donors' flat numbers and transfer references are for members, who see the estate's
    # flats; a visitor of a public board gets the public version (as the fund page does).
    personal = permissions.can(request.user, "view_flats", estate, model="building")
    field = extension if personal else f"public_{extension}"
    stored = getattr(report, field)
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=reports.file_name(report, extension),
        content_type=TYPES[extension],
    )


@require_POST
def report_make_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    if not _may_make(request, estate):
        raise Http404
    form = ReportMakeForm(request.POST)
    if not form.is_valid():
        return _list(request, estate, form, status=422)
    period, starts_on = form.cleaned_period()
    try:
        report = reports.report_make(
            actor=request.user,
            estate=estate,
            period=period,
            starts_on=starts_on,
            site_url=request.build_absolute_uri("/"),
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _list(request, estate, form, status=422)
    messages.success(
        request,
        _("The report for %(period)s is made and on the board.")
        % {"period": reports.period_label(report.period, report.starts_on)},
    )
    return redirect("disclosure_reports", estate.slug)
