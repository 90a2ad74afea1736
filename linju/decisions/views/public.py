"""The pages everyone sees: the list, a decision, the ballot, the bulletin board, the roll,
and the one-tap ballot link."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from linju.community import selectors as community_selectors
from linju.core import permissions
from linju.core.http import is_htmx, posted
from linju.core.views import remember_preferences
from linju.decisions import selectors, services
from linju.decisions.forms import (
    BallotForm,
)
from linju.decisions.models import Decision
from linju.decisions.views.common import (
    BOARD_PAGE_SIZE,
    LINK_SIGN_IN_BACKEND,
    ROLL_PAGE_SIZE,
    decision_for_page,
    grouped,
    participation_shown,
    result_context,
    rules_in_words,
    scope_text,
    timeline,
)

# --- Public pages ----------------------------------------------------------------------------


def decision_list_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    decisions = selectors.decision_list(actor=request.user, estate=estate)
    building = request.GET.get("building", "")
    if building:
        decisions = decisions.filter(Q(buildings__number=building) | Q(buildings__isnull=True))
    groups: dict[str, list[Any]] = {"open": [], "announced": [], "results": [], "other": []}
    for decision in decisions:
        if decision.status == Decision.Status.OPEN:
            entries = selectors.voter_entries(actor=request.user, decision=decision)
            groups["open"].append((decision, entries))
        elif decision.status == Decision.Status.ANNOUNCED:
            groups["announced"].append((decision, []))
        elif decision.results_public:
            groups["results"].append((decision, []))
        else:
            groups["other"].append((decision, []))
    return render(
        request,
        "decisions/list.html",
        {
            "estate": estate,
            "groups": groups,
            "building": building,
            "may_organise": permissions.can(request.user, "manage", estate, model="decision"),
        },
    )


def decision_detail_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = decision_for_page(request, slug, decision_id)
    buildings = selectors.scope_buildings(decision=decision)
    return render(
        request,
        "decisions/detail.html",
        {
            "estate": decision.estate,
            "decision": decision,
            "buildings": buildings,
            "scope_text": scope_text(buildings),
            "options": list(decision.options.all()),
            "rules_in_words": rules_in_words(decision),
            "timeline": timeline(decision),
            "participation": participation_shown(decision),
            "running": selectors.running_totals(decision=decision),
            "entries": selectors.voter_entries(actor=request.user, decision=decision),
            "amendments": selectors.amendments(decision=decision),
            "voter_flats": selectors.voter_flats(decision=decision),
            "may_manage": permissions.can(request.user, "manage", decision),
            **result_context(decision),
        },
    )


def _ballot_page(
    request: HttpRequest,
    decision: Decision,
    entries: list[Any],
    chosen: Any,
    form: BallotForm | None,
    *,
    refusal: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "decisions/vote.html",
        {
            "estate": decision.estate,
            "decision": decision,
            "entries": entries,
            "chosen": chosen,
            "form": form,
            "refusal": refusal or [],
            "is_open": decision.is_open_at(timezone.now()),
        },
        status=status,
    )


def _chosen_entry(entries: list[Any], raw: str | None) -> Any:
    """The roll entry the voter picked (or their only one); None while they must pick."""
    if len(entries) == 1 and not raw:
        return entries[0]
    return next((e for e in entries if str(e.entry.pk) == (raw or "")), None)


@login_required
def decision_vote_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = decision_for_page(request, slug, decision_id)
    entries = selectors.voter_entries(actor=request.user, decision=decision)
    raw_entry = request.POST.get("entry") if request.method == "POST" else request.GET.get("entry")
    chosen = _chosen_entry(entries, raw_entry)
    options = list(decision.options.all())
    form = BallotForm(posted(request), decision=decision, options=options)
    if request.method != "POST":
        return _ballot_page(request, decision, entries, chosen, form)
    if chosen is None:
        refusal = [_("You are not on the roll of this vote.")] if not entries else []
        refusal = refusal or [_("Choose whose vote you are casting.")]
        return _ballot_page(request, decision, entries, None, form, refusal=refusal, status=422)
    if not form.is_valid():
        return _ballot_page(request, decision, entries, chosen, form, status=422)
    try:
        ballot = services.ballot_cast(
            actor=request.user, decision=decision, entry=chosen.entry, **form.service_arguments()
        )
    except ValidationError as exc:
        return _ballot_page(
            request, decision, entries, chosen, form, refusal=exc.messages, status=422
        )
    target = reverse("decision_voted", args=[decision.estate.slug, decision.pk, ballot.receipt])
    return HttpResponseClientRedirect(target) if is_htmx(request) else redirect(target)


def decision_voted_view(
    request: HttpRequest, slug: str, decision_id: int, receipt: str
) -> HttpResponse:
    decision = decision_for_page(request, slug, decision_id)
    ballot = selectors.ballot_get_by_receipt(decision=decision, receipt=receipt)
    if ballot is None:
        raise Http404
    mine = request.user.is_authenticated and ballot.cast_by_id == request.user.pk
    return render(
        request,
        "decisions/voted.html",
        {
            "estate": decision.estate,
            "decision": decision,
            "ballot": ballot,
            "receipt": grouped(ballot.receipt),
            "show_choice": mine or decision.results_public,
            "chosen_labels": _selection_labels(decision, ballot.selections),
        },
    )


def _selection_labels(decision: Decision, selections: list[Any]) -> list[str]:
    labels = {o.key: o.label for o in decision.options.all()} if selections else {}
    return [labels.get(str(key), str(key)) for key in selections]


def decision_board_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = decision_for_page(request, slug, decision_id)
    receipt = request.GET.get("receipt", "").strip()[:40]
    ballots = selectors.bulletin(decision=decision, receipt=receipt)
    page = Paginator(ballots, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {o.key: o.label for o in decision.options.all()}
    rows = [
        {
            "ballot": b,
            "receipt": grouped(b.receipt),
            "why": services.Reason.LABELS.get(b.superseded_reason, b.superseded_reason),
            "choice": [labels.get(str(k), str(k)) for k in b.selections]
            or ([b.get_choice_display()] if b.choice else []),
        }
        for b in page
    ]
    template = "decisions/_board_rows.html" if is_htmx(request) else "decisions/board.html"
    return render(
        request,
        template,
        {
            "estate": decision.estate,
            "decision": decision,
            "page": page,
            "rows": rows,
            "receipt": receipt,
            "show_choices": decision.results_public,
        },
    )


def decision_roll_view(request: HttpRequest, slug: str, decision_id: int) -> HttpResponse:
    decision = decision_for_page(request, slug, decision_id)
    entries = selectors.roll_entries(decision=decision)
    page = Paginator(entries, ROLL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "decisions/roll.html",
        {
            "estate": decision.estate,
            "decision": decision,
            "page": page,
            "names": permissions.can(request.user, "view_voters", decision),
            "amendments": selectors.amendments(decision=decision),
        },
    )


def ballot_link_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = services.ballot_link_use(token=token)
    except ValidationError as exc:
        return render(
            request, "decisions/link_refused.html", {"messages_list": exc.messages}, status=410
        )
    login(request, link.user, backend=LINK_SIGN_IN_BACKEND)
    decision = link.decision
    target = reverse("decision_vote", args=[decision.estate.slug, decision.pk])
    return remember_preferences(redirect(f"{target}?entry={link.entry_id}"), link.user)
