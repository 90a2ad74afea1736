"""The organisers' console: drafting, the lifecycle buttons, roll amendments, notices served
on paper and the estate's standing rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linju.community.models import Estate
from linju.core import permissions
from linju.core.http import form_errors, posted
from linju.decisions import selectors, services
from linju.decisions.forms import (
    AmendForm,
    CancelForm,
    DecisionForm,
    KindForm,
    ServedForm,
    SettingsForm,
)
from linju.decisions.models import Decision
from linju.decisions.views.common import (
    decision_managed,
    organiser_estate,
    participation_shown,
    timeline,
)

# --- Console ---------------------------------------------------------------------------------


@login_required
def console_decisions_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = organiser_estate(request, slug)
    return render(
        request,
        "decisions/console/list.html",
        {
            "estate": estate,
            "decisions": selectors.decision_list(actor=request.user, estate=estate),
            "may_set": permissions.can(request.user, "change", estate, model="decision_settings"),
        },
    )


@login_required
def console_decision_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = organiser_estate(request, slug, "create")
    kind_form = KindForm(request.POST or request.GET or None)
    if not kind_form.is_valid():
        status = 422 if request.method == "POST" else 200
        return render(
            request,
            "decisions/console/kind.html",
            {"estate": estate, "form": kind_form if kind_form.is_bound else KindForm()},
            status=status,
        )
    kind = kind_form.cleaned_data["kind"]
    form = DecisionForm(posted(request), estate=estate, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_create(
                actor=request.user, estate=estate, **form.service_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Announce it when it is ready."))
            return redirect("console_decision", slug=estate.slug, decision_id=decision.pk)
    return _decision_form_page(request, estate, form, None)


def _decision_form_page(
    request: HttpRequest, estate: Estate, form: DecisionForm, decision: Decision | None
) -> HttpResponse:
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "decisions/console/form.html",
        {
            "estate": estate,
            "form": form,
            "decision": decision,
            "kind_label": Decision.Kind(form.decision_kind).label,
        },
        status=status,
    )


@login_required
def console_decision_edit_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = decision_managed(request, slug, decision_id)
    if decision.status != Decision.Status.DRAFT:
        messages.error(request, _("Only a draft can be edited; this one has been announced."))
        return redirect("console_decision", slug=slug, decision_id=decision.pk)
    form = DecisionForm(
        posted(request),
        estate=decision.estate,
        kind=decision.kind,
        initial=DecisionForm.initial_for(decision),
    )
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        arguments.pop("kind", None)
        try:
            services.decision_update(actor=request.user, decision=decision, **arguments)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console_decision", slug=slug, decision_id=decision.pk)
    return _decision_form_page(request, decision.estate, form, decision)


def _actions(request: HttpRequest, decision: Decision) -> list[tuple[str, str, str]]:
    """The lifecycle buttons this decision can take now: (action, label, help)."""
    now = timezone.now()
    status = decision.status
    actions: list[tuple[str, str, str]] = []
    if status == Decision.Status.DRAFT:
        actions.append(
            (
                "announce",
                _("Announce"),
                _("Fixes the agenda and the rules, builds the roll and notifies the voters."),
            )
        )
    if status == Decision.Status.ANNOUNCED and decision.opens_at and decision.opens_at <= now:
        actions.append(("open", _("Open voting"), _("Freezes the roll and sends ballot links.")))
    if status == Decision.Status.OPEN and decision.closes_at and decision.closes_at <= now:
        actions.append(("close", _("Close voting"), _("No ballot is accepted after this.")))
    if status == Decision.Status.CLOSED:
        actions.append(("tally", _("Count"), _("Counts the ballots by the frozen rules.")))
    if status == Decision.Status.TALLIED:
        actions.append(("publish", _("Publish the results"), _("Everyone can see them.")))
    if status == Decision.Status.PUBLISHED:
        actions.append(("archive", _("Archive"), _("The record stays; the vote leaves the list.")))
    return actions


def _console_decision_page(
    request: HttpRequest,
    decision: Decision,
    *,
    refusal: list[str] | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "decisions/console/decision.html",
        {
            "estate": decision.estate,
            "decision": decision,
            "buildings": selectors.scope_buildings(decision=decision),
            "options": list(decision.options.all()),
            "timeline": timeline(decision),
            "actions": _actions(request, decision),
            "participation": participation_shown(decision),
            "waiting": selectors.paper_entries(decision=decision, status="waiting").count(),
            "mismatch": selectors.paper_entries(decision=decision, status="mismatch").count(),
            "cancellable": decision.status in Decision.CANCELLABLE,
            "cancel_form": cancel_form or CancelForm(),
            "refusal": refusal or [],
            "may_enter_paper": permissions.can(request.user, "enter_paper", decision),
            "has_record": decision.status
            in (
                Decision.Status.CLOSED,
                Decision.Status.TALLIED,
                Decision.Status.PUBLISHED,
                Decision.Status.ARCHIVED,
            ),
        },
        status=status,
    )


@login_required
def console_decision_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = decision_managed(request, slug, decision_id)
    return _console_decision_page(request, decision)


LIFECYCLE: dict[str, Callable[..., Any]] = {
    "announce": lambda actor, decision: services.decision_announce(actor=actor, decision=decision),
    "open": lambda actor, decision: services.decision_open(actor=actor, decision=decision),
    "close": lambda actor, decision: services.decision_close(actor=actor, decision=decision),
    "tally": lambda actor, decision: services.decision_tally(actor=actor, decision=decision),
    "publish": lambda actor, decision: services.decision_publish(actor=actor, decision=decision),
    "archive": lambda actor, decision: services.decision_archive(actor=actor, decision=decision),
}
DONE = {
    "announce": gettext_lazy("Announced. Voters have been notified."),
    "open": gettext_lazy("Voting is open."),
    "close": gettext_lazy("Voting is closed."),
    "tally": gettext_lazy("Counted. Check the result, then publish it."),
    "publish": gettext_lazy("The results are published."),
    "archive": gettext_lazy("Archived."),
    "cancel": gettext_lazy("The vote is cancelled."),
}


@login_required
@require_POST
def console_decision_action_view(
    request: HttpRequest, slug: str, decision_id: int, action: str
) -> HttpResponse:
    decision = decision_managed(request, slug, decision_id)
    cancel_form = CancelForm(request.POST) if action == "cancel" else None
    try:
        if cancel_form is None:
            LIFECYCLE[action](request.user, decision)
        elif cancel_form.is_valid():
            services.decision_cancel(
                actor=request.user, decision=decision, reason=cancel_form.cleaned_data["reason"]
            )
        else:
            return _console_decision_page(request, decision, cancel_form=cancel_form, status=422)
    except ValidationError as exc:
        decision.refresh_from_db()
        return _console_decision_page(
            request, decision, refusal=exc.messages, cancel_form=cancel_form, status=422
        )
    messages.success(request, DONE[action])
    return redirect("console_decision", slug=slug, decision_id=decision.pk)


@login_required
def console_decision_amend_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = decision_managed(request, slug, decision_id)
    form = AmendForm(posted(request), estate=decision.estate)
    if request.method == "POST" and form.is_valid():
        try:
            services.roll_amend(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The roll is corrected; the amendment is public."))
            return redirect("decision_roll", slug=slug, decision_id=decision.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "decisions/console/amend.html",
        {
            "estate": decision.estate,
            "decision": decision,
            "form": form,
            "amendments": selectors.amendments(decision=decision),
        },
        status=status,
    )


@login_required
def console_decision_served_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = decision_managed(request, slug, decision_id)
    buildings = selectors.scope_buildings(decision=decision) or list(
        decision.estate.buildings.order_by("sort_key", "number")
    )
    building = request.GET.get("building", "") or (buildings[0].number if buildings else "")
    entries = (
        selectors.roll_entries(decision=decision)
        .filter(active=True, flats__building__number=building)
        .distinct()
    )
    labels = {e.pk: f"{e.ref} · {', '.join(f.label for f in e.flats.all())}" for e in entries}
    form = ServedForm(posted(request), entries=entries, labels=labels)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.notice_served_on_paper(
                actor=request.user,
                decision=decision,
                entries=list(form.cleaned_data["entries"]),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("Recorded %(n)s notices delivered on paper.") % {"n": count}
            )
            url = reverse("console_decision_served", args=[slug, decision.pk])
            return redirect(f"{url}?building={building}")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "decisions/console/served.html",
        {
            "estate": decision.estate,
            "decision": decision,
            "form": form,
            "buildings": buildings,
            "building": building,
        },
        status=status,
    )


@login_required
def console_decision_settings_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = organiser_estate(request, slug, "change", "decision_settings")
    current = selectors.decision_settings_get(estate=estate)
    form = SettingsForm(
        posted(request),
        initial={
            "deemed_consent": current.deemed_consent,
            "publish_voter_flats": current.publish_voter_flats,
            "online_over_paper": current.online_over_paper,
            "notice_days": current.notice_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_settings_update(
                actor=request.user, estate=estate, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved. Votes already announced keep their rules."))
            return redirect("console_decisions", slug=estate.slug)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "decisions/console/settings.html",
        {"estate": estate, "form": form},
        status=status,
    )
