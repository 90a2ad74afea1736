"""Pages of grant review and decisions: the officer's console of a programme (reviewers, the
scores side by side, the pitch, decisions), a grant's page (decision, agreement, payments,
reports), the reviewer's pages and the foundation's public list of grants.

Pages of the officer and of the reviewer are the same 404 as a missing page to anyone else (a
visitor who is not signed in is sent to sign in).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.core import permissions
from linju.core.http import form_errors, posted
from linju.core.images import serve_photo
from linju.foundation.models import Application
from linju.grants import forms, pdf, selectors, services
from linju.grants.models import Grant, ReportPhoto


def _sign_in(view: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _programme(request: HttpRequest, street: str, programme_id: int) -> Any:
    return selectors.programme_for_officer(
        actor=request.user, street=selectors.street_get(slug=street), programme_id=programme_id
    )


# --- The officer's console -------------------------------------------------------------------


def _console(request: HttpRequest, programme: Any, **context: Any) -> HttpResponse:
    decisions = selectors.decisions_of(programme=programme)
    table = selectors.scores_table(programme=programme)
    for row in table.rows:
        row.grant = decisions.get(row.application.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "grants/console.html",
        {
            "street": programme.street,
            "programme": programme,
            "table": table,
            "reviewer_form": context.pop("reviewer_form", None) or forms.ReviewerForm(),
            "awarded": services.awarded_total(programme),
            "remaining": services.remaining_budget(programme),
            "overdue": selectors.reports_overdue(street=programme.street),
            **context,
        },
        status=422 if request.method == "POST" else 200,
    )


@_sign_in
def console_view(request: HttpRequest, street: str, programme_id: int) -> HttpResponse:
    return _console(request, _programme(request, street, programme_id))


@login_required
@require_POST
def reviewer_assign_view(request: HttpRequest, street: str, programme_id: int) -> HttpResponse:
    programme = _programme(request, street, programme_id)
    form = forms.ReviewerForm(request.POST)
    if form.is_valid():
        try:
            services.reviewer_assign(
                actor=request.user, programme=programme, reviewer=form.cleaned_data["username"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The reviewer is assigned."))
            return redirect("grants_console", street=street, programme_id=programme.pk)
    return _console(request, programme, reviewer_form=form)


@_sign_in
def pitch_view(request: HttpRequest, street: str, programme_id: int) -> HttpResponse:
    programme = _programme(request, street, programme_id)
    estates = programme.street.estates.filter(
        pk__in=programme.applications.filter(status__in=services.SCORABLE).values("estate_id")
    ).order_by("name")
    form = forms.PitchForm(posted(request), estates=estates)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.pitch_plan(
                actor=request.user, programme=programme, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("The pitch is planned in %(estate)s on %(when)s.")
                % {
                    "estate": meeting.estate.name,
                    "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
            return redirect("grants_console", street=street, programme_id=programme.pk)
    return render(
        request,
        "grants/form.html",
        {
            "street": programme.street,
            "programme": programme,
            "form": form,
            "title": _("Plan a pitch (路演)"),
            "intro": _(
                "The applicants of one estate present their projects to the foundation and "
                "residents: a meeting of that estate, with the applications as its agenda."
            ),
        },
        status=422 if request.method == "POST" else 200,
    )


@_sign_in
def decide_view(request: HttpRequest, street: str, application_id: int) -> HttpResponse:
    application = selectors.application_for_officer(
        actor=request.user,
        street=selectors.street_get(slug=street),
        application_id=application_id,
    )
    suggestion = services.matching_suggestion(application)
    form = forms.DecisionForm(posted(request), initial={"amount": suggestion})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "award":
                grant = services.grant_award(
                    actor=request.user,
                    application=application,
                    amount=data["amount"],
                    conditions=data["conditions"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            else:
                grant = services.grant_decline(
                    actor=request.user, application=application, reason=data["reason"]
                )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("grant_detail", street=street, grant_id=grant.pk)
    return render(
        request,
        "grants/decide.html",
        {
            "street": application.programme.street,
            "programme": application.programme,
            "application": application,
            "form": form,
            "suggestion": suggestion,
            "remaining": services.remaining_budget(application.programme),
        },
        status=422 if request.method == "POST" else 200,
    )


# --- A grant's page --------------------------------------------------------------------------


def _grant(request: HttpRequest, street: str, grant_id: int) -> Grant:
    return selectors.grant_get(
        actor=request.user, street=selectors.street_get(slug=street), grant_id=grant_id
    )


def _grant_page(request: HttpRequest, grant: Grant, **context: Any) -> HttpResponse:
    may_manage = permissions.can(request.user, "manage", grant.programme, model="grants")
    reports = list(grant.reports.all())
    return render(
        request,
        "grants/grant.html",
        {
            "street": grant.programme.street,
            "grant": grant,
            "application": grant.application,
            "paid": selectors.disbursed(grant),
            "left": grant.amount - selectors.disbursed(grant),
            "reports": reports,
            "today": timezone.localdate(),
            "may_manage": may_manage,
            "may_report": bool(reports) and permissions.can(request.user, "submit", reports[0]),
            "disburse_form": context.pop("disburse_form", None)
            or forms.DisburseForm(initial={"amount": grant.amount - selectors.disbursed(grant)}),
            **context,
        },
        status=422 if request.method == "POST" else 200,
    )


@_sign_in
def grant_detail_view(request: HttpRequest, street: str, grant_id: int) -> HttpResponse:
    return _grant_page(request, _grant(request, street, grant_id))


@_sign_in
def agreement_pdf_view(request: HttpRequest, street: str, grant_id: int) -> HttpResponse:
    grant = _grant(request, street, grant_id)
    if grant.status == Grant.Status.DECLINED:
        raise Http404
    content = pdf.agreement_pdf(grant=grant, site_url=request.build_absolute_uri("/"))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(pdf.file_name(grant))}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
@require_POST
def disburse_view(request: HttpRequest, street: str, grant_id: int) -> HttpResponse:
    grant = _grant(request, street, grant_id)
    permissions.require(request.user, "manage", grant.programme, model="grants")
    form = forms.DisburseForm(request.POST)
    if form.is_valid():
        try:
            services.grant_disburse(actor=request.user, grant=grant, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The money is paid into the project's fund."))
            return redirect("grant_detail", street=street, grant_id=grant.pk)
    return _grant_page(request, grant, disburse_form=form)


@_sign_in
def report_submit_view(
    request: HttpRequest, street: str, grant_id: int, report_id: int
) -> HttpResponse:
    grant = _grant(request, street, grant_id)
    report = selectors.report_get(grant=grant, report_id=report_id)
    permissions.require(request.user, "submit", report)
    form = forms.ReportForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_submit(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The report is submitted and published."))
            return redirect("grant_detail", street=street, grant_id=grant.pk)
    return render(
        request,
        "grants/form.html",
        {
            "street": grant.programme.street,
            "grant": grant,
            "form": form,
            "upload": True,
            "title": _("%(kind)s due %(due)s")
            % {"kind": report.get_kind_display(), "due": report.due_on.isoformat()},
            "intro": grant.application.title,
        },
        status=422 if request.method == "POST" else 200,
    )


@_sign_in
def report_photo_view(
    request: HttpRequest, street: str, grant_id: int, photo_id: int, size: str
) -> Any:
    grant = _grant(request, street, grant_id)
    photo = get_object_or_404(
        ReportPhoto, pk=photo_id, report__grant=grant, report__submitted_at__isnull=False
    )
    return serve_photo(photo, size, f"report-{photo.pk}")


def public_grants_view(request: HttpRequest, street: str) -> HttpResponse:
    street_obj = selectors.street_get(slug=street)
    return render(
        request,
        "grants/public.html",
        {
            "street": street_obj,
            "grants": selectors.street_grants(street=street_obj),
            "programmes": selectors.programmes_run(actor=request.user, street=street_obj),
        },
    )


@_sign_in
def overdue_view(request: HttpRequest, street: str) -> HttpResponse:
    street_obj = selectors.street_get(slug=street)
    if not permissions.can(request.user, "manage", street_obj, model="grants"):
        raise Http404
    return render(
        request,
        "grants/overdue.html",
        {"street": street_obj, "reports": selectors.reports_overdue(street=street_obj)},
    )


# --- The reviewer's pages --------------------------------------------------------------------


@_sign_in
def my_reviews_view(request: HttpRequest, street: str) -> HttpResponse:
    street_obj = selectors.street_get(slug=street)
    if not request.user.is_authenticated:
        raise Http404
    return render(
        request,
        "grants/my_reviews.html",
        {
            "street": street_obj,
            "reviews": selectors.my_reviews(actor=request.user, street=street_obj),
        },
    )


@_sign_in
def score_view(
    request: HttpRequest, street: str, assignment_id: int, application_id: int
) -> HttpResponse:
    assignment = selectors.assignment_get(
        actor=request.user, street=selectors.street_get(slug=street), assignment_id=assignment_id
    )
    application: Application = selectors.application_for_review(
        assignment=assignment, application_id=application_id
    )
    criteria = list(assignment.programme.criteria.all())
    form = forms.ScoreForm(
        posted(request),
        criteria=criteria,
        initial_scores=selectors.my_scores(assignment=assignment, application=application),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.scores_submit(
                actor=request.user,
                assignment=assignment,
                application=application,
                scores=form.scores(),
                comments=form.comments(),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Your scores are saved."))
            return redirect("grants_my_reviews", street=street)
    return render(
        request,
        "grants/score.html",
        {
            "street": assignment.programme.street,
            "assignment": assignment,
            "application": application,
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


@_sign_in
def conflict_view(request: HttpRequest, street: str, assignment_id: int) -> HttpResponse:
    street_obj = selectors.street_get(slug=street)
    assignment = selectors.assignment_get(
        actor=request.user, street=street_obj, assignment_id=assignment_id
    )
    form = forms.ConflictForm(posted(request), street=street_obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(
                actor=request.user, assignment=assignment, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Your conflict of interest is recorded."))
            return redirect("grants_my_reviews", street=street)
    return render(
        request,
        "grants/form.html",
        {
            "street": street_obj,
            "form": form,
            "title": _("Declare a conflict of interest"),
            "intro": _(
                "You will not see or score the applications of this estate; scores you already "
                "gave them are withdrawn. The estates where you live or hold a role are "
                "excluded without saying."
            ),
        },
        status=422 if request.method == "POST" else 200,
    )
