from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.core.http import form_errors, is_htmx, posted
from linju.membership import selectors, services
from linju.membership.forms import (
    DelegationForm,
    JoinCodeForm,
    JoinForm,
    RejectForm,
    StaffDelegationForm,
)
from linju.membership.slips import join_slips_pdf


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A button pressed too late (already decided, already ended): say so, change nothing."""
    return render(request, "membership/refused.html", {"messages_list": exc.messages}, status=422)


def _estate_for(request: HttpRequest, slug: str, action: str, model: str) -> Estate:
    """The estate of the page; where the actor may not do ``action``, 404 as for a missing one."""
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, action, estate, model=model):
        raise Http404
    return estate


# --- Joining a flat --------------------------------------------------------------------------


def _code_page(request: HttpRequest, form: JoinCodeForm, status: int = 200) -> HttpResponse:
    return render(request, "membership/join.html", {"form": form}, status=status)


def _code_refused(request: HttpRequest, form: JoinCodeForm, exc: ValidationError) -> HttpResponse:
    form_errors(form, exc)
    status = 429 if isinstance(exc, services.TooManyTries) else 422
    return _code_page(request, form, status)


@login_required
def join_view(request: HttpRequest) -> HttpResponse:
    form = JoinCodeForm(posted(request))
    if request.method != "POST":
        return _code_page(request, form)
    if not form.is_valid():
        return _code_page(request, form, 422)
    try:
        join_code = services.join_code_check(actor=request.user, code=form.cleaned_data["code"])
    except ValidationError as exc:
        return _code_refused(request, form, exc)
    return redirect("join_code", code=join_code.code)


@login_required
def join_code_view(request: HttpRequest, code: str) -> HttpResponse:
    code_form = JoinCodeForm(initial={"code": code})
    form = JoinForm(
        posted(request), initial={"full_name": getattr(request.user, "display_name", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            join_request = services.join_request_create(
                actor=request.user,
                code=code,
                relation=form.cleaned_data["relation"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "code" in exc.error_dict:
                return _code_refused(request, JoinCodeForm({"code": code}), exc)
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your request to join flat %(flat)s has been sent. We will tell you once it "
                    "is approved."
                )
                % {"flat": join_request.flat.label},
            )
            return redirect("my_home")
    try:
        join_code = services.join_code_check(actor=request.user, code=code)
    except ValidationError as exc:
        return _code_refused(request, JoinCodeForm({"code": code}), exc)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "membership/join_confirm.html",
        {"join_code": join_code, "flat": join_code.flat, "form": form, "code_form": code_form},
        status=status,
    )


@login_required
@require_POST
def join_request_withdraw_view(request: HttpRequest, request_id: int) -> HttpResponse:
    join_request = selectors.join_request_get_mine(actor=request.user, request_id=request_id)
    try:
        services.join_request_withdraw(actor=request.user, join_request=join_request)
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, _("Your request has been withdrawn."))
    return redirect("my_home")


# --- Deciding join requests ------------------------------------------------------------------


@login_required
def join_requests_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _estate_for(request, slug, "list", "join_request")
    return render(
        request,
        "membership/join_requests.html",
        {
            "estate": estate,
            "requests": selectors.join_request_list(actor=request.user, estate=estate),
            "reject_form": RejectForm(),
        },
    )


def _decided(
    request: HttpRequest,
    estate: Estate,
    join_request: Any,
    *,
    reject_form: RejectForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """After a decision: the request's card (htmx) or back to the list."""
    if is_htmx(request):
        return render(
            request,
            "membership/_join_request.html",
            {
                "estate": estate,
                "r": join_request,
                "reject_form": reject_form or RejectForm(),
                "error": error,
            },
            status=status,
        )
    if status >= 400:
        if reject_form is not None:
            error = " ".join(str(e) for errors in reject_form.errors.values() for e in errors)
        return render(
            request,
            "membership/join_requests.html",
            {
                "estate": estate,
                "requests": selectors.join_request_list(actor=request.user, estate=estate),
                "reject_form": RejectForm(),
                "error": f"{join_request.flat.label} · {join_request.full_name}: {error}",
            },
            status=status,
        )
    return redirect("join_requests", slug=estate.slug)


@login_required
@require_POST
def join_request_approve_view(request: HttpRequest, slug: str, request_id: int) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    join_request = selectors.join_request_get(
        actor=request.user, estate=estate, request_id=request_id
    )
    try:
        services.join_request_approve(actor=request.user, join_request=join_request)
    except ValidationError as exc:
        return _decided(request, estate, join_request, error=" ".join(exc.messages), status=422)
    join_request = selectors.join_request_get(
        actor=request.user, estate=estate, request_id=request_id
    )
    if not is_htmx(request):
        messages.success(
            request,
            _("%(name)s has joined flat %(flat)s.")
            % {"name": join_request.full_name, "flat": join_request.flat.label},
        )
    return _decided(request, estate, join_request)


@login_required
@require_POST
def join_request_reject_view(request: HttpRequest, slug: str, request_id: int) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    join_request = selectors.join_request_get(
        actor=request.user, estate=estate, request_id=request_id
    )
    permissions.require(request.user, "decide", join_request)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.join_request_reject(
                actor=request.user, join_request=join_request, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            join_request = selectors.join_request_get(
                actor=request.user, estate=estate, request_id=request_id
            )
            if not is_htmx(request):
                messages.success(
                    request, _("The request was not approved; the person will be told why.")
                )
            return _decided(request, estate, join_request)
    return _decided(request, estate, join_request, reject_form=form, status=422)


# --- Join codes and slips --------------------------------------------------------------------


@login_required
@require_POST
def join_code_rotate_view(request: HttpRequest, slug: str, flat_id: int) -> HttpResponse:
    estate = _estate_for(request, slug, "view_directory", "estate")
    flat = community_selectors.flat_get(actor=request.user, estate=estate, flat_id=flat_id)
    services.join_code_rotate(actor=request.user, flat=flat)
    messages.success(
        request,
        _("Flat %(flat)s has a new join code; the old one no longer works.") % {"flat": flat.label},
    )
    return redirect("console_flat", slug=estate.slug, flat_id=flat.pk)


@login_required
def join_slips_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _estate_for(request, slug, "print", "join_code")
    if request.method != "POST":
        prints = selectors.slip_prints(actor=request.user, estate=estate)
        template = "_slip_prints.html" if is_htmx(request) else "join_slips_form.html"
        return render(
            request,
            f"membership/{template}",
            {
                "estate": estate,
                "buildings": list(estate.buildings.all()),
                "prints": prints,
                "waiting": any(p.status == p.Status.WAITING for p in prints),
            },
        )
    target: Any = estate
    title, name = estate.name, estate.slug
    if flat_id := request.POST.get("flat", ""):
        target = community_selectors.flat_get(actor=request.user, estate=estate, flat_id=flat_id)
        title, name = f"{estate.name} · {target.label}", f"{estate.slug}-{target.label}"
    elif number := request.POST.get("building", ""):
        target = community_selectors.building_get(estate=estate, number=number)
        title, name = f"{estate.name} · {target}", f"{estate.slug}-{target.number}"
    site_url = request.build_absolute_uri("/")
    if selectors.flats_count(target=target) > services.SLIPS_WHILE_YOU_WAIT:
        services.slip_print_request(
            actor=request.user,
            estate=estate,
            building=target if target is not estate else None,
            site_url=site_url,
        )
        messages.success(
            request,
            _("The slips are being made; this takes a minute or two. Download them below."),
        )
        return redirect("join_slips", slug=estate.slug)
    slips = services.join_slips_prepare(actor=request.user, target=target)
    pdf = join_slips_pdf(slips=slips, site_url=site_url, title=title)
    return _pdf_response(pdf, f"join-slips-{name}.pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    return HttpResponse(
        pdf, content_type="application/pdf", headers={"Content-Disposition": disposition or ""}
    )


@login_required
def join_slips_download_view(request: HttpRequest, slug: str, print_id: int) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    slip_print = selectors.slip_print_get(actor=request.user, estate=estate, print_id=print_id)
    suffix = f"-{slip_print.building.number}" if slip_print.building else ""
    return _pdf_response(bytes(slip_print.pdf or b""), f"join-slips-{estate.slug}{suffix}.pdf")


# --- Authorised agents -----------------------------------------------------------------------


@login_required
def delegation_grant_view(request: HttpRequest) -> HttpResponse:
    principals = selectors.owner_people(user=request.user)
    agents = [a for p in principals for a in selectors.agent_choices(principal=p)]
    form = DelegationForm(posted(request), principals=principals, agents=agents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation = services.delegation_grant(
                actor=request.user,
                principal=data["principal"],
                agent=data["agent"],
                scope=data["scope"],
                ends_on=data["ends_on"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(agent)s may now act for you until %(date)s.")
                % {"agent": delegation.agent, "date": delegation.ends_on.isoformat()},
            )
            return redirect("my_home")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "membership/delegation_grant.html",
        {"form": form, "principals": principals, "agents": agents},
        status=status,
    )


@login_required
def console_delegation_grant_view(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "manage", estate):
        raise Http404
    person = community_selectors.person_get(actor=request.user, estate=estate, person_id=person_id)
    form = StaffDelegationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.delegation_grant(
                actor=request.user,
                principal=person,
                agent=data["agent"],
                scope=data["scope"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The authorisation has been recorded."))
            return redirect("console_person", slug=estate.slug, person_id=person.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "membership/console_delegation_grant.html",
        {"estate": estate, "person": person, "form": form, "is_owner": services.is_owner(person)},
        status=status,
    )


@login_required
@require_POST
def delegation_revoke_view(request: HttpRequest, delegation_id: int) -> HttpResponse:
    delegation = selectors.delegation_get(actor=request.user, delegation_id=delegation_id)
    try:
        services.delegation_revoke(actor=request.user, delegation=delegation)
    except ValidationError as exc:
        return _refused(request, exc)
    messages.success(request, _("The authorisation has ended."))
    return redirect(_back(request, "my_home"))
