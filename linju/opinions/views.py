"""Pages of the opinion map: the discussions of an estate, a discussion on a phone (one
statement at a time, three big buttons answered without reloading, a statement to write), its
map (groups, never individuals), and the console where staff and group leaders start
discussions and moderate statements.

Members of the estate read; residents of the discussion's scope vote and write. To anyone else
each page is the same 404 as a missing one; a visitor who is not signed in is sent to sign in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Building, Estate
from linju.core import permissions
from linju.core.http import form_errors, is_htmx, posted
from linju.opinions import charts, selectors, services
from linju.opinions.forms import DiscussionForm, ModerateForm, StatementForm
from linju.opinions.models import Discussion


def _estate_member(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "view", Discussion(estate=estate, status="open")):
        raise Http404
    return estate


def _discussion(request: HttpRequest, slug: str, discussion_id: int) -> Discussion:
    estate = community_selectors.estate_get(slug=slug)
    return selectors.discussion_get(actor=request.user, estate=estate, discussion_id=discussion_id)


def _card_context(request: HttpRequest, discussion: Discussion, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "estate": discussion.estate,
        "discussion": discussion,
        "may_vote": permissions.can(user, "vote", discussion),
        "statement": selectors.next_statement(discussion=discussion, user=user),
        "progress": selectors.progress(discussion=discussion, user=user),
        **extra,
    }


@login_required
def opinion_list_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _estate_member(request, slug)
    return render(
        request,
        "opinions/list.html",
        {
            "estate": estate,
            "discussions": [
                d
                for d in selectors.discussions_for_estate(actor=request.user, estate=estate)
                if d.status != Discussion.Status.DRAFT
            ],
            "may_run": permissions.can(request.user, "console", estate, model="discussion"),
        },
    )


def _discussion_page(
    request: HttpRequest,
    discussion: Discussion,
    *,
    form: StatementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "opinions/discussion.html",
        _card_context(
            request,
            discussion,
            form=form or StatementForm(),
            may_submit=discussion.is_open and permissions.can(user, "submit", discussion),
            mine=selectors.my_statements(discussion=discussion, user=user),
            may_manage=permissions.can(user, "manage", discussion),
        ),
        status=status,
    )


@login_required
def opinion_discussion_view(request: HttpRequest, slug: str, discussion_id: int) -> HttpResponse:
    return _discussion_page(request, _discussion(request, slug, discussion_id))


@login_required
@require_POST
def opinion_vote_view(request: HttpRequest, slug: str, discussion_id: int) -> HttpResponse:
    discussion = _discussion(request, slug, discussion_id)
    if not permissions.can(request.user, "vote", discussion):
        raise Http404
    statement = selectors.statement_get(
        discussion=discussion, statement_id=request.POST.get("statement")
    )
    error = ""
    try:
        services.vote_cast(actor=request.user, statement=statement, vote=request.POST.get("vote"))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect(discussion)
    context = _card_context(request, discussion, vote_error=error, just_voted=not error)
    return render(request, "opinions/_card.html", context, status=422 if error else 200)


@login_required
@require_POST
def opinion_statement_submit_view(
    request: HttpRequest, slug: str, discussion_id: int
) -> HttpResponse:
    discussion = _discussion(request, slug, discussion_id)
    if not permissions.can(request.user, "submit", discussion):
        raise Http404
    form = StatementForm(request.POST)
    if form.is_valid():
        try:
            services.statement_submit(
                actor=request.user, discussion=discussion, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Thank you: your statement waits for moderation before neighbours see it."),
            )
            return redirect(discussion.get_absolute_url() + "#mine")
    return _discussion_page(request, discussion, form=form, status=422)


@login_required
def opinion_map_view(request: HttpRequest, slug: str, discussion_id: int) -> HttpResponse:
    discussion = _discussion(request, slug, discussion_id)
    view = selectors.map_view(discussion=discussion, user=request.user)
    return render(
        request,
        "opinions/map.html",
        {
            "estate": discussion.estate,
            "discussion": discussion,
            "map": view,
            "svg": charts.map_svg(view.groups, view.you) if view.shown else "",
            "progress": selectors.progress(discussion=discussion, user=request.user),
            "may_vote": permissions.can(request.user, "vote", discussion),
        },
    )


# --- The console --------------------------------------------------------------------------------


def _console_estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "console", estate, model="discussion"):
        raise Http404
    return estate


def _managed(request: HttpRequest, slug: str, discussion_id: int) -> Discussion:
    discussion = _discussion(request, slug, discussion_id)
    if not permissions.can(request.user, "moderate", discussion):
        raise Http404
    return discussion


def _creatable_buildings(request: HttpRequest, estate: Estate) -> tuple[Any, bool]:
    buildings = Building.objects.filter(estate=estate).order_by("sort_key", "number")
    estate_wide = permissions.can(request.user, "create", Discussion(estate=estate))
    if not estate_wide:
        led = permissions.actor_for(request.user).leader_buildings
        buildings = buildings.filter(pk__in=led)
    return buildings, estate_wide


@login_required
def console_opinions_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    discussions = [
        d
        for d in selectors.discussions_for_estate(actor=request.user, estate=estate)
        if permissions.can(request.user, "manage", d)
    ]
    return render(
        request, "opinions/console/list.html", {"estate": estate, "discussions": discussions}
    )


@login_required
def console_opinion_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _console_estate(request, slug)
    buildings, estate_wide = _creatable_buildings(request, estate)
    form = DiscussionForm(posted(request), buildings=buildings, estate_wide=estate_wide)
    if request.method == "POST" and form.is_valid():
        try:
            discussion = services.discussion_create(
                actor=request.user,
                estate=estate,
                building=form.cleaned_data["building"],
                question=form.cleaned_data["question"],
                description=form.cleaned_data["description"],
                closes_at=form.cleaned_data["closes_at"],
                min_participants=form.cleaned_data["min_participants"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The discussion is saved as a draft. Open it when ready."))
            return redirect("console_opinion", slug=estate.slug, discussion_id=discussion.pk)
    return render(
        request,
        "opinions/console/form.html",
        {"estate": estate, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def _console_page(
    request: HttpRequest,
    discussion: Discussion,
    *,
    failed: int | None = None,
    failed_form: ModerateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "opinions/console/discussion.html",
        {
            "estate": discussion.estate,
            "discussion": discussion,
            "queue": selectors.moderation_queue(discussion=discussion),
            "accepted": selectors.accepted_statements(discussion=discussion).count(),
            "may_manage": permissions.can(request.user, "manage", discussion),
            "failed": failed,
            "failed_form": failed_form,
        },
        status=status,
    )


@login_required
def console_opinion_view(request: HttpRequest, slug: str, discussion_id: int) -> HttpResponse:
    return _console_page(request, _managed(request, slug, discussion_id))


def _status_change(request: HttpRequest, slug: str, discussion_id: int, service: Any) -> Any:
    discussion = _managed(request, slug, discussion_id)
    if not permissions.can(request.user, "manage", discussion):
        raise Http404
    try:
        service(actor=request.user, discussion=discussion)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("console_opinion", slug=slug, discussion_id=discussion.pk)


@login_required
@require_POST
def console_opinion_open_view(request: HttpRequest, slug: str, discussion_id: int) -> Any:
    return _status_change(request, slug, discussion_id, services.discussion_open)


@login_required
@require_POST
def console_opinion_close_view(request: HttpRequest, slug: str, discussion_id: int) -> Any:
    return _status_change(request, slug, discussion_id, services.discussion_close)


@login_required
@require_POST
def console_statement_moderate_view(
    request: HttpRequest, slug: str, discussion_id: int, statement_id: int
) -> HttpResponse:
    discussion = _managed(request, slug, discussion_id)
    statement = selectors.statement_get(discussion=discussion, statement_id=statement_id)
    form = ModerateForm(request.POST)
    if form.is_valid():
        try:
            services.statement_moderate(
                actor=request.user,
                statement=statement,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("console_opinion", slug=slug, discussion_id=discussion.pk)
    return _console_page(request, discussion, failed=statement.pk, failed_form=form, status=422)
