"""Pages of conventions: the list, a convention (clauses, comments per clause through htmx,
version history with differences, adoption status, "I have read it"), the printable PDF, and
the drafting console (clause editor, reordering, versions, the adoption vote).

Members of the estate follow its conventions; anyone reads an adopted one when the estate's
board is public. To anyone else each page is the same 404 as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.conventions import pdf, selectors, services
from linju.conventions.forms import (
    ClauseForm,
    CommentForm,
    ConventionForm,
    ReasonForm,
    ReportForm,
    VersionForm,
    VoteForm,
    WithdrawForm,
)
from linju.conventions.models import Clause, Convention
from linju.core import permissions
from linju.core.http import form_errors, is_htmx, posted
from linju.decisions import selectors as decision_selectors

# --- Loading ---------------------------------------------------------------------------------


def _convention(request: HttpRequest, slug: str, convention_id: int) -> Convention:
    """The convention if the visitor may see it (synced with its vote first); a visitor not
    signed in is asked to sign in where the public may not see it."""
    estate = community_selectors.estate_get(slug=slug)
    try:
        convention = selectors.convention_get(
            actor=request.user, estate=estate, convention_id=convention_id
        )
    except Http404:
        if not request.user.is_authenticated:
            raise _SignInFirst from None
        raise
    if convention.status == Convention.Status.VOTING:
        convention = services.convention_sync_with_decision(
            convention=convention, actor=request.user
        )
        convention = selectors.convention_get(
            actor=request.user, estate=estate, convention_id=convention_id
        )
    return convention


class _SignInFirst(Exception):
    pass


def _sign_in(view: Any) -> Any:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _SignInFirst:
            return redirect_to_login(request.get_full_path())

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _drafted(request: HttpRequest, slug: str, convention_id: int) -> Convention:
    convention = _convention(request, slug, convention_id)
    if not permissions.can(request.user, "draft", convention):
        raise Http404
    return convention


def _to_page(convention: Convention) -> HttpResponse:
    return redirect(convention.get_absolute_url())


def _to_console(convention: Convention) -> HttpResponse:
    return redirect("console_convention", slug=convention.estate.slug, convention_id=convention.pk)


# --- Reading ---------------------------------------------------------------------------------


@_sign_in
def convention_list_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "view", estate, model="board"):
        if not request.user.is_authenticated:
            raise _SignInFirst
        raise Http404
    return render(
        request,
        "conventions/list.html",
        {
            "estate": estate,
            "conventions": selectors.convention_list(actor=request.user, estate=estate),
            "may_create": _may_create_somewhere(request, estate),
        },
    )


def _page_context(request: HttpRequest, convention: Convention) -> dict[str, Any]:
    user = request.user
    versions = selectors.versions(convention=convention)
    latest_diff = None
    if len(versions) >= 2:
        latest_diff = {
            "a": versions[1],
            "b": versions[0],
            "rows": selectors.version_diff(versions[1], versions[0]),
        }
    may_draft = permissions.can(user, "draft", convention)
    adopted = convention.status == Convention.Status.ADOPTED
    return {
        "estate": convention.estate,
        "convention": convention,
        "clauses": selectors.clauses(convention=convention),
        "adopted_clauses": convention.current_version.clauses
        if adopted and convention.current_version
        else None,
        "versions": versions,
        "latest_diff": latest_diff,
        "decision_result": _vote_summary(convention),
        "read_count": selectors.read_count(convention=convention),
        "read_mark": selectors.read_mark(user=user, convention=convention),
        "may_mark_read": adopted and permissions.can(user, "mark_read", convention),
        "may_comment": convention.status == Convention.Status.DRAFTING
        and permissions.can(user, "comment", convention),
        "may_draft": may_draft,
        "readers": selectors.readers(convention=convention) if may_draft and adopted else None,
        "public": not user.is_authenticated,
    }


def _vote_summary(convention: Convention) -> dict[str, Any] | None:
    decision = convention.decision
    if decision is None:
        return None
    summary: dict[str, Any] = {"decision": decision, "adopts": None}
    if decision.results_public:
        summary["adopts"] = services.vote_adopts(decision)
        block = (decision.result or {}).get("residents") or {}
        summary["participation"] = block.get("participation", "")
        summary["counts"] = [
            {"label": label, "count": block.get("counts", {}).get(key, 0)}
            for key, label in (decision.result or {}).get("options", {}).items()
        ]
    return summary


@_sign_in
def convention_detail_view(request: HttpRequest, slug: str, convention_id: int) -> HttpResponse:
    convention = _convention(request, slug, convention_id)
    return render(request, "conventions/detail.html", _page_context(request, convention))


def _comments_context(
    request: HttpRequest,
    convention: Convention,
    clause: Clause,
    form: CommentForm | None = None,
) -> dict[str, Any]:
    return {
        "estate": convention.estate,
        "convention": convention,
        "clause": clause,
        "comments": selectors.clause_comments(clause=clause),
        "form": form or CommentForm(),
        "may_comment": convention.status == Convention.Status.DRAFTING
        and permissions.can(request.user, "comment", convention),
        "may_moderate": permissions.can(request.user, "draft", convention),
        "signed_in": request.user.is_authenticated,
    }


@_sign_in
def clause_comments_view(
    request: HttpRequest, slug: str, convention_id: int, clause_id: int
) -> HttpResponse:
    """GET: the comments of a clause (a fragment for htmx, else a page). POST: comment."""
    convention = _convention(request, slug, convention_id)
    clause = selectors.clause_get(convention=convention, clause_id=clause_id)
    template = (
        "conventions/_comments.html" if is_htmx(request) else "conventions/comments_page.html"
    )
    if request.method != "POST":
        return render(request, template, _comments_context(request, convention, clause))
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.clause_comment_post(
                actor=request.user, clause=clause, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if is_htmx(request):
                return render(request, template, _comments_context(request, convention, clause))
            messages.success(request, _("Your comment is posted."))
            return redirect(
                "clause_comments", slug=slug, convention_id=convention.pk, clause_id=clause.pk
            )
    return render(
        request, template, _comments_context(request, convention, clause, form), status=422
    )


@login_required
@require_POST
def clause_comment_action_view(
    request: HttpRequest, slug: str, convention_id: int, comment_id: int, action: str
) -> HttpResponse:
    """Report a comment, or hide it with a reason (the building's leader, staff)."""
    convention = _convention(request, slug, convention_id)
    comment = selectors.comment_get(convention=convention, comment_id=comment_id)
    form: ReasonForm | ReportForm = (
        ReasonForm(request.POST) if action == "hide" else ReportForm(request.POST)
    )
    error = ""
    if form.is_valid():
        try:
            if action == "hide":
                services.clause_comment_hide(
                    actor=request.user, comment=comment, reason=form.cleaned_data["reason"]
                )
            else:
                services.clause_comment_report(
                    actor=request.user, comment=comment, reason=form.cleaned_data["reason"]
                )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
    if comment.clause is None:
        return _to_page(convention)
    if is_htmx(request):
        context = _comments_context(request, convention, comment.clause)
        context["error"] = error
        return render(request, "conventions/_comments.html", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    elif action == "hide":
        messages.success(request, _("The comment is hidden; the reason is shown in its place."))
    else:
        messages.success(request, _("Thank you: the building's leader will look at it."))
    return redirect(
        "clause_comments", slug=slug, convention_id=convention.pk, clause_id=comment.clause_id
    )


@login_required
@require_POST
def convention_read_view(request: HttpRequest, slug: str, convention_id: int) -> HttpResponse:
    convention = _convention(request, slug, convention_id)
    try:
        _read, new = services.convention_mark_read(actor=request.user, convention=convention)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _to_page(convention)
    if is_htmx(request):
        return render(
            request,
            "conventions/_read.html",
            {**_page_context(request, convention), "just_read": new},
        )
    if new:
        messages.success(request, _("Thank you: you have marked this convention as read."))
    return _to_page(convention)


@_sign_in
def convention_diff_view(request: HttpRequest, slug: str, convention_id: int) -> HttpResponse:
    convention = _convention(request, slug, convention_id)
    versions = selectors.versions(convention=convention)
    numbers = [v.number for v in versions]

    def pick(name: str, default: int | None) -> int | None:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in numbers else default

    b = pick("b", numbers[0] if numbers else None)
    a = pick("a", numbers[1] if len(numbers) > 1 else b)
    rows, version_a, version_b = [], None, None
    if a is not None and b is not None:
        version_a = selectors.version_get(convention=convention, number=a)
        version_b = selectors.version_get(convention=convention, number=b)
        rows = selectors.version_diff(version_a, version_b)
    context = {
        "estate": convention.estate,
        "convention": convention,
        "versions": versions,
        "a": version_a,
        "b": version_b,
        "rows": rows,
    }
    template = "conventions/_diff.html" if is_htmx(request) else "conventions/diff.html"
    return render(request, template, context)


@_sign_in
def convention_pdf_view(request: HttpRequest, slug: str, convention_id: int) -> HttpResponse:
    convention = _convention(request, slug, convention_id)
    if convention.status != Convention.Status.ADOPTED and not permissions.can(
        request.user, "draft", convention
    ):
        raise Http404
    content = pdf.convention_pdf(convention=convention, site_url=request.build_absolute_uri("/"))
    disposition = content_disposition_header(
        as_attachment=False, filename=pdf.file_name(convention)
    )
    return HttpResponse(
        content, content_type="application/pdf", headers={"Content-Disposition": disposition or ""}
    )


# --- The drafting console --------------------------------------------------------------------


def _may_create_somewhere(request: HttpRequest, estate: Estate) -> bool:
    actor = permissions.actor_for(request.user)
    return permissions.can(request.user, "create", Convention(estate=estate)) or (
        estate.pk in actor.member_estates
        and estate.buildings.filter(pk__in=actor.leader_buildings).exists()
    )


@login_required
def console_convention_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    if not _may_create_somewhere(request, estate):
        raise Http404
    form = ConventionForm(posted(request), actor=request.user, estate=estate)
    if request.method == "POST" and form.is_valid():
        try:
            convention = services.convention_create(
                actor=request.user, estate=estate, **form.service_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The draft is started: add and order its clauses."))
            return _to_console(convention)
    return render(
        request,
        "conventions/console/create.html",
        {"estate": estate, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def _console_page(
    request: HttpRequest,
    convention: Convention,
    *,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    notice_days = decision_selectors.decision_settings_get(estate=convention.estate).notice_days
    context = {
        "estate": convention.estate,
        "convention": convention,
        "clauses": selectors.clauses(convention=convention),
        "versions": selectors.versions(convention=convention),
        "add_form": forms.get("add_form") or ClauseForm(),
        "version_form": forms.get("version_form") or VersionForm(),
        "vote_form": forms.get("vote_form") or VoteForm(initial=VoteForm.initial_for(notice_days)),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "edit_errors": forms.get("edit_errors") or {},
        "refusal": forms.get("refusal") or [],
        "may_start_vote": permissions.can(request.user, "start_vote", convention),
        "drafting": convention.status == Convention.Status.DRAFTING,
    }
    return render(request, "conventions/console/convention.html", context, status=status)


@login_required
def console_convention_view(request: HttpRequest, slug: str, convention_id: int) -> HttpResponse:
    convention = _drafted(request, slug, convention_id)
    return _console_page(request, convention)


@login_required
@require_POST
def console_clause_add_view(request: HttpRequest, slug: str, convention_id: int) -> HttpResponse:
    convention = _drafted(request, slug, convention_id)
    form = ClauseForm(request.POST)
    if form.is_valid():
        try:
            services.clause_add(
                actor=request.user, convention=convention, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Clause added."))
            return _to_console(convention)
    return _console_page(request, convention, add_form=form, status=422)


@login_required
@require_POST
def console_clause_action_view(
    request: HttpRequest, slug: str, convention_id: int, clause_id: int, action: str
) -> HttpResponse:
    """Edit, remove, or move a clause up or down."""
    convention = _drafted(request, slug, convention_id)
    clause = selectors.clause_get(convention=convention, clause_id=clause_id)
    try:
        if action == "edit":
            form = ClauseForm(request.POST)
            if not form.is_valid():
                errors = [m for messages_ in form.errors.values() for m in messages_]
                return _console_page(
                    request, convention, edit_errors={clause.pk: errors}, status=422
                )
            services.clause_update(
                actor=request.user, clause=clause, text=form.cleaned_data["text"]
            )
        elif action == "remove":
            services.clause_remove(actor=request.user, clause=clause)
        else:
            to = clause.position - 1 if action == "up" else clause.position + 1
            services.clause_move(actor=request.user, clause=clause, to=to)
    except ValidationError as exc:
        if action == "edit":
            return _console_page(
                request, convention, edit_errors={clause.pk: exc.messages}, status=422
            )
        return _console_page(request, convention, refusal=exc.messages, status=422)
    anchor = "clauses" if action == "remove" else f"clause-{clause.pk}"
    url = reverse("console_convention", args=[convention.estate.slug, convention.pk])
    return redirect(f"{url}#{anchor}")


@login_required
@require_POST
def console_version_save_view(request: HttpRequest, slug: str, convention_id: int) -> HttpResponse:
    convention = _drafted(request, slug, convention_id)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            version = services.version_save(
                actor=request.user, convention=convention, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved as version %(n)s.") % {"n": version.number})
            return _to_console(convention)
    return _console_page(request, convention, version_form=form, status=422)


@login_required
def console_convention_vote_view(
    request: HttpRequest, slug: str, convention_id: int
) -> HttpResponse:
    convention = _drafted(request, slug, convention_id)
    if not permissions.can(request.user, "start_vote", convention):
        raise Http404
    if request.method != "POST":
        return _to_console(convention)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            convention = services.adoption_vote_start(
                actor=request.user, convention=convention, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("The residents' vote is announced; the text is frozen for it.")
            )
            return _to_page(convention)
    return _console_page(request, convention, vote_form=form, status=422)


@login_required
@require_POST
def console_convention_withdraw_view(
    request: HttpRequest, slug: str, convention_id: int
) -> HttpResponse:
    convention = _drafted(request, slug, convention_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.convention_withdraw(
                actor=request.user, convention=convention, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The convention is withdrawn."))
            return _to_page(convention)
    return _console_page(request, convention, withdraw_form=form, status=422)
