"""What residents see: the meetings of an estate (or one building or project), a meeting's
page, and answering an invitation.

Members of the estate see its meetings; when the estate's board is public, anyone does, with
no names of who came. A visitor who is not signed in is otherwise sent to sign in, and a
signed-in outsider gets the same 404 as for a missing page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Building, Estate
from linju.core import permissions
from linju.core.http import form_errors, is_htmx
from linju.meetings import selectors, services
from linju.meetings.forms import RespondForm
from linju.meetings.models import Meeting

PAGE_SIZE = 30


class SignInFirst(Exception):
    """The meetings are not public and the visitor is not signed in."""


def _estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "view", Meeting(estate=estate)):
        if not request.user.is_authenticated:
            raise SignInFirst
        raise Http404
    return estate


def _meeting(request: HttpRequest, slug: str, meeting_id: int) -> Meeting:
    estate = community_selectors.estate_get(slug=slug)
    try:
        return selectors.meeting_get(actor=request.user, estate=estate, meeting_id=meeting_id)
    except Http404:
        if not request.user.is_authenticated:
            raise SignInFirst from None
        raise


def _sign_in(view: Any) -> Any:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except SignInFirst:
            return redirect_to_login(request.get_full_path())

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_sign_in
def meetings_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _estate(request, slug)
    building = selectors.building_for_list(estate=estate, number=request.GET.get("building", ""))
    kind = request.GET.get("kind", "")
    kind = kind if kind in Meeting.Kind.values else ""
    meetings = selectors.meeting_list(
        actor=request.user, estate=estate, building=building, kind=kind
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "meetings/list.html",
        {
            "estate": estate,
            "building": building,
            "kind": kind,
            "kinds": Meeting.Kind.choices,
            "buildings": Building.objects.filter(estate=estate).order_by("sort_key", "number"),
            "page": page,
            "now": now,
            "may_organise": permissions.can(request.user, "console", estate, model="meeting"),
        },
    )


def _detail_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    may_manage = permissions.can(request.user, "manage", meeting)
    invitation = selectors.my_invitation(actor=request.user, meeting=meeting)
    return {
        "estate": meeting.estate,
        "meeting": meeting,
        "invitations": selectors.invitation_counts(meeting=meeting),
        "attendance": selectors.attendance_counts(meeting=meeting),
        "present": selectors.attendance_list(meeting=meeting) if may_manage else None,
        "outcomes": selectors.outcomes(meeting=meeting),
        "invitation": invitation,
        "may_manage": may_manage,
        "shows_minutes": meeting.minutes_published or may_manage,
        "shows_link": bool(meeting.online_link) and (may_manage or invitation is not None),
    }


@_sign_in
def meeting_detail_view(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    context = _detail_context(request, meeting)
    context["respond_form"] = RespondForm(
        initial={"answer": context["invitation"].response if context["invitation"] else None}
    )
    return render(request, "meetings/detail.html", context)


@login_required
@require_POST
def meeting_respond_view(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_respond(
                actor=request.user, meeting=meeting, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if not is_htmx(request):
                messages.success(request, _("Thank you: your answer is saved."))
                return redirect(meeting)
            context = _detail_context(request, meeting)
            context.update(respond_form=form, answered=True)
            return render(request, "meetings/_respond.html", context)
    context = _detail_context(request, meeting)
    context["respond_form"] = form
    template = "meetings/_respond.html" if is_htmx(request) else "meetings/detail.html"
    return render(request, template, context, status=422)
