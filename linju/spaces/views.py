"""Pages of shared spaces: the list, a space's week of slots (book in two taps), the rules to
accept, the waiting list, my bookings, and the manager's console (spots grid, allocations,
waiting list). Members of the estate see its spaces; to anyone else each page is the same 404
as a missing one."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.core.http import form_errors, posted
from linju.spaces import selectors, services
from linju.spaces.forms import AllocationForm, BookForm, SpaceForm, SpotsForm
from linju.spaces.models import Allocation, Space


def _member_estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "view", estate, model="space"):
        raise Http404
    return estate


def _space(request: HttpRequest, slug: str, space_id: int) -> Space:
    estate = _member_estate(request, slug)
    return selectors.space_get(actor=request.user, estate=estate, space_id=space_id)


def _managed_space(request: HttpRequest, slug: str, space_id: int) -> Space:
    space = _space(request, slug, space_id)
    if not permissions.can(request.user, "manage", space):
        raise Http404
    return space


def _to_space(space: Space, week: str = "") -> HttpResponse:
    response = redirect("space_detail", slug=space.estate.slug, space_id=space.pk)
    if week:
        response["Location"] += f"?week={week}"
    return response


def _refusal(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def spaces_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _member_estate(request, slug)
    return render(
        request,
        "spaces/list.html",
        {
            "estate": estate,
            "spaces": selectors.spaces_of(actor=request.user, estate=estate),
            "may_create": permissions.can(request.user, "create", Space(estate=estate)),
        },
    )


@login_required
def space_detail_view(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _space(request, slug, space_id)
    monday = selectors.week_start(request.GET.get("week"))
    context = {
        "estate": space.estate,
        "space": space,
        "rules_accepted": services.rules_accepted(user=request.user, space=space),
        "may_book": permissions.can(request.user, "book", space),
        "may_manage": permissions.can(request.user, "manage", space),
        "may_wait": permissions.can(request.user, "join_waiting", space),
    }
    if space.is_room:
        context.update(
            week=selectors.week_of(actor=request.user, space=space, monday=monday),
            monday=monday,
            previous_week=monday - datetime.timedelta(days=7),
            next_week=monday + datetime.timedelta(days=7),
            this_week=selectors.week_start(None),
        )
    else:
        context.update(
            standing=selectors.my_standing(actor=request.user, space=space),
            spot_count=space.spots.count(),
            free_count=space.spots.exclude(
                allocations__in=Allocation.objects.filter(ends_on__isnull=True)
            ).count(),
            waiting_count=len(selectors.waiting_list(space=space)),
        )
    return render(request, "spaces/detail.html", context)


@login_required
@require_POST
def space_accept_rules_view(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _space(request, slug, space_id)
    if space.rules is None:
        return _to_space(space)
    from linju.conventions.services import convention_mark_read

    try:
        convention_mark_read(actor=request.user, convention=space.rules)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Thank you: you have accepted the rules of this space."))
    return _to_space(space, request.POST.get("week", ""))


@login_required
def space_book_view(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _space(request, slug, space_id)
    if not space.is_room or not permissions.can(request.user, "book", space):
        raise Http404
    if request.method == "POST":
        form = BookForm(request.POST, space=space)
    else:
        form = BookForm({"starts_at": request.GET.get("start", ""), "slots": 1}, space=space)
        if not form.is_valid():
            return _to_space(space)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            booking = services.booking_create(
                actor=request.user,
                space=space,
                starts_at=starts_at,
                ends_at=ends_at,
                purpose=form.cleaned_data["purpose"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            when = timezone.localtime(booking.starts_at)
            messages.success(
                request,
                _("Booked: %(space)s, %(when)s.")
                % {"space": space.name, "when": when.strftime("%m-%d %H:%M")},
            )
            return _to_space(space, selectors.week_start(when.date().isoformat()).isoformat())
    chosen = form.cleaned_data.get("starts_at") if form.is_bound else None
    return render(
        request,
        "spaces/book.html",
        {
            "estate": space.estate,
            "space": space,
            "form": form,
            "starts_at": chosen,
            "rules_accepted": services.rules_accepted(user=request.user, space=space),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def booking_cancel_view(request: HttpRequest, slug: str, booking_id: int) -> HttpResponse:
    estate = _member_estate(request, slug)
    booking = selectors.booking_get(actor=request.user, estate=estate, booking_id=booking_id)
    if not permissions.can(request.user, "cancel", booking):
        raise Http404
    try:
        services.booking_cancel(actor=request.user, booking=booking)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The booking is cancelled; the slot is free again."))
    if request.POST.get("next") == "mine":
        return redirect("my_bookings", slug=estate.slug)
    if request.POST.get("next") == "console":
        return redirect("space_console", slug=estate.slug, space_id=booking.space_id)
    week = selectors.week_start(timezone.localtime(booking.starts_at).date().isoformat())
    return _to_space(booking.space, week.isoformat())


@login_required
def my_bookings_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _member_estate(request, slug)
    return render(
        request,
        "spaces/mine.html",
        {"estate": estate, "bookings": selectors.my_bookings(actor=request.user, estate=estate)},
    )


@login_required
@require_POST
def waiting_join_view(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _space(request, slug, space_id)
    if not permissions.can(request.user, "join_waiting", space):
        raise Http404
    try:
        services.waiting_join(actor=request.user, space=space)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Your household is on the waiting list."))
    return _to_space(space)


@login_required
@require_POST
def waiting_leave_view(
    request: HttpRequest, slug: str, space_id: int, entry_id: int
) -> HttpResponse:
    space = _space(request, slug, space_id)
    entry = selectors.waiting_entry_get(actor=request.user, space=space, entry_id=entry_id)
    if not permissions.can(request.user, "leave", entry):
        raise Http404
    try:
        services.waiting_leave(actor=request.user, entry=entry)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The household has left the waiting list."))
    if request.POST.get("next") == "console":
        return redirect("space_console", slug=space.estate.slug, space_id=space.pk)
    return _to_space(space)


# --- Console ---------------------------------------------------------------------------------


def _console_page(
    request: HttpRequest, space: Space, form: AllocationForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "spaces/console.html",
        {
            "estate": space.estate,
            "space": space,
            "form": form,
            "spots_form": SpotsForm(),
            "grid": selectors.spots_grid(space=space) if not space.is_room else [],
            "waiting": selectors.waiting_list(space=space) if not space.is_room else [],
            "bookings": selectors.space_bookings(space=space) if space.is_room else [],
            "may_change": permissions.can(request.user, "change", space),
        },
        status=status,
    )


@login_required
def space_console_view(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _managed_space(request, slug, space_id)
    return _console_page(request, space, AllocationForm(space=space))


@login_required
@require_POST
def allocation_create_view(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _managed_space(request, slug, space_id)
    form = AllocationForm(request.POST, space=space)
    if form.is_valid():
        try:
            allocation = services.allocation_create(
                actor=request.user, spot=form.cleaned_data["spot"], flat=form.cleaned_data["flat"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Spot %(spot)s is allocated to %(flat)s.")
                % {"spot": allocation.spot.label, "flat": allocation.flat.label},
            )
            return redirect("space_console", slug=slug, space_id=space.pk)
    return _console_page(request, space, form, status=422)


@login_required
@require_POST
def allocation_end_view(
    request: HttpRequest, slug: str, space_id: int, allocation_id: int
) -> HttpResponse:
    space = _managed_space(request, slug, space_id)
    allocation = Allocation.objects.filter(space=space, pk=allocation_id).first()
    if allocation is None:
        raise Http404
    try:
        given = services.allocation_end(actor=request.user, allocation=allocation)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        if given is not None:
            messages.success(
                request,
                _("Spot %(spot)s went to %(flat)s, first on the waiting list.")
                % {"spot": given.spot.label, "flat": given.flat.label},
            )
        else:
            messages.success(request, _("The allocation has ended; the spot is free."))
    return redirect("space_console", slug=slug, space_id=space.pk)


@login_required
@require_POST
def spots_add_view(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _managed_space(request, slug, space_id)
    form = SpotsForm(request.POST)
    if form.is_valid():
        try:
            spots = services.spots_add(actor=request.user, space=space, labels=form.labels_list())
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("%(n)s spots added.") % {"n": len(spots)})
    else:
        messages.error(request, _("Give at least one label."))
    return redirect("space_console", slug=slug, space_id=space.pk)


def _space_form_page(
    request: HttpRequest, estate: Estate, form: SpaceForm, space: Space | None
) -> HttpResponse:
    return render(
        request,
        "spaces/form.html",
        {"estate": estate, "form": form, "space": space},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def space_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _member_estate(request, slug)
    if not permissions.can(request.user, "create", Space(estate=estate)):
        raise Http404
    form = SpaceForm(posted(request), estate=estate)
    if request.method == "POST" and form.is_valid():
        try:
            space = services.space_create(actor=request.user, estate=estate, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The space is open."))
            return redirect("space_console", slug=slug, space_id=space.pk)
    return _space_form_page(request, estate, form, None)


@login_required
def space_edit_view(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _space(request, slug, space_id)
    if not permissions.can(request.user, "change", space):
        raise Http404
    form = SpaceForm(posted(request), estate=space.estate, initial=SpaceForm.initial_for(space))
    if request.method == "POST" and form.is_valid():
        try:
            services.space_update(actor=request.user, space=space, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("space_console", slug=slug, space_id=space.pk)
    return _space_form_page(request, space.estate, form, space)
