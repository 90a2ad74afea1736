"""Pages of decisions: the public list, a decision with its rules and results, the ballot, the
bulletin board and the roll; and the organisers' console."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.contrib import messages
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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.core.http import form_errors, is_htmx, posted
from linju.core.views import remember_preferences
from linju.decisions import selectors, services
from linju.decisions.forms import (
    AmendForm,
    BallotForm,
    CancelForm,
    DecisionForm,
    KindForm,
    ServedForm,
    SettingsForm,
)
from linju.decisions.models import Ballot, Decision

BOARD_PAGE_SIZE = 100
ROLL_PAGE_SIZE = 200
# The backend that signs someone in by a ballot link (no password was typed).
LINK_SIGN_IN_BACKEND = "linju.core.auth.UsernameOrPhoneBackend"

REASONS = {
    "area_quorum_not_met": gettext_lazy("Owners holding too little of the area took part."),
    "heads_quorum_not_met": gettext_lazy("Too few owners took part."),
    "area_approval_not_met": gettext_lazy(
        "The owners agreeing hold too little of the area of those who took part."
    ),
    "heads_approval_not_met": gettext_lazy("Too few of the owners who took part agreed."),
}
RESULTS = {
    "passed": gettext_lazy("Passed"),
    "failed": gettext_lazy("Not passed"),
    "no_quorum": gettext_lazy("Not valid: too few took part"),
    "tie": gettext_lazy("Tied"),
    "no_majority": gettext_lazy("No option has a majority"),
}
MAJORITIES = {
    "agree": gettext_lazy("Most voters agreed, so served non-voters count as agreeing."),
    "disagree": gettext_lazy("Most voters disagreed, so served non-voters count as disagreeing."),
    "no_majority": gettext_lazy(
        "The voters have no clear majority, so no non-voter is counted either way."
    ),
}
TIMELINE = (
    (Decision.Status.ANNOUNCED, gettext_lazy("Announced")),
    (Decision.Status.OPEN, gettext_lazy("Voting open")),
    (Decision.Status.CLOSED, gettext_lazy("Voting closed")),
    (Decision.Status.TALLIED, gettext_lazy("Counted")),
    (Decision.Status.PUBLISHED, gettext_lazy("Results published")),
)
STATUS_ORDER: list[str] = [
    Decision.Status.DRAFT,
    Decision.Status.ANNOUNCED,
    Decision.Status.OPEN,
    Decision.Status.CLOSED,
    Decision.Status.TALLIED,
    Decision.Status.PUBLISHED,
    Decision.Status.ARCHIVED,
]


# --- Helpers ---------------------------------------------------------------------------------


def grouped(receipt: str) -> str:
    """A receipt as people read it aloud: K7QX3-M9PW2."""
    return "-".join(receipt[i : i + 5] for i in range(0, len(receipt), 5))


def _percent(part: Fraction) -> str:
    return f"{float(round(part * 100, 1)):.1f}"  # display only; decisions use the fraction


def _share(text: str) -> dict[str, Any]:
    """ "1234.50/1500.00" as its parts and a percentage for the bar."""
    part, _slash, whole = text.partition("/")
    share = Fraction(Decimal(part)) / Fraction(Decimal(whole)) if Decimal(whole) else Fraction(0)
    return {
        "part": part,
        "whole": whole,
        "percent": _percent(share),
        "width": _percent(min(share, Fraction(1))),
    }


def _threshold_words(label: str) -> str:
    if label.startswith(">"):
        return _("more than %(share)s") % {"share": _fraction_words(label[1:])}
    return _("at least %(share)s") % {"share": _fraction_words(label)}


def _fraction_words(label: str) -> str:
    return {"1/2": _("half"), "2/3": _("two thirds"), "3/4": _("three quarters")}.get(label, label)


def _threshold_percent(label: str) -> str:
    numerator, _slash, denominator = label.lstrip(">").partition("/")
    return _percent(Fraction(int(numerator), int(denominator)))


def _owners_tally(tally: dict[str, Any]) -> dict[str, Any]:
    """A stored owners' tally (strict or deemed) as rows the page shows: each threshold with
    its share, pass or fail, and why."""
    reasons = set(tally.get("reasons", []))
    quorum, approval = tally["quorum_threshold"], tally["approval"]["threshold"]
    rows = [
        (_("Took part, by area"), tally["participation"]["area"], quorum, "area_quorum_not_met"),
        (
            _("Took part, by owners"),
            tally["participation"]["heads"],
            quorum,
            "heads_quorum_not_met",
        ),
        (_("Agreed, by area"), tally["approval"]["area"], approval, "area_approval_not_met"),
        (_("Agreed, by owners"), tally["approval"]["heads"], approval, "heads_approval_not_met"),
    ]
    return {
        "result": tally["result"],
        "result_text": RESULTS.get(tally["result"], tally["result"]),
        "rows": [
            {
                "what": what,
                "share": _share(share),
                "needed": _threshold_words(label),
                "mark": _threshold_percent(label),
                "met": code not in reasons,
                "reason": REASONS[code],
                "unit": "m²" if code.startswith("area") else "",
            }
            for what, share, label, code in rows
        ],
        "reasons": [REASONS.get(code, code) for code in tally.get("reasons", [])],
        "counts": [
            (Ballot.Choice(choice).label, part["area"], part["heads"])
            for choice, part in tally.get("counts", {}).items()
        ],
    }


def _result_context(decision: Decision) -> dict[str, Any]:
    result = decision.result or {}
    if not result or not decision.results_public:
        return {}
    context: dict[str, Any] = {"result": result}
    if result.get("kind") == "owners":
        context["strict"] = _owners_tally(result["strict"])
        if deemed := result.get("deemed"):
            context["deemed"] = _owners_tally(deemed)
            context["deemed_majority"] = MAJORITIES.get(deemed.get("majority", ""), "")
            counted = deemed.get("counted_nonvoters") or 0
            context["nonvoters"] = (
                []
                if not counted
                else [
                    {
                        **n,
                        "deliveries": [
                            {**d, "at": datetime.datetime.fromisoformat(d["at"])}
                            for d in n.get("deliveries", [])
                        ],
                    }
                    for n in deemed.get("nonvoters", [])
                ]
            )
    elif result.get("kind") == "residents":
        data, labels = result["residents"], result.get("options", {})
        context["residents"] = {
            **data,
            "share": _share(data["participation"]),
            "result_text": _("Decided")
            if data["result"] == "passed"
            else RESULTS.get(data["result"], data["result"]),
            "rows": [
                {
                    "label": labels.get(key, key),
                    "count": data["counts"].get(key, 0),
                    "score": data["scores"].get(key, 0),
                    "winner": key in data["winners"],
                }
                for key in data["order"]
            ],
        }
    elif result.get("kind") == "election":
        data, labels = result["election"], result.get("options", {})
        context["election"] = {
            **data,
            "area": _share(data["participation"]["area"]),
            "heads": _share(data["participation"]["heads"]),
            "candidates": [
                {**c, "label": labels.get(c["key"], c["key"])} for c in data["candidates"]
            ],
            "lots": [
                {
                    "tied": [labels.get(k, k) for k in lot["tied"]],
                    "drawn": [labels.get(k, k) for k in lot["drawn"]],
                }
                for lot in data.get("lots", [])
            ],
        }
    return context


def _rules_in_words(decision: Decision) -> list[str]:
    """The frozen rules as sentences (before announcement: the rules it will be announced
    with)."""
    rules = decision.rules or {}
    settings = rules or _draft_rules(decision)
    lines = []
    if decision.is_owners_vote:
        lines.append(
            _(
                "It needs owners holding at least two thirds of the exclusive area, and at least "
                "two thirds of all owners, to take part."
            )
        )
        special = decision.matter in (6, 7, 8)
        if decision.kind == Decision.Kind.ELECTION:
            lines.append(
                _(
                    "A candidate is elected with more than half of the participating area and "
                    "more than half of the participating owners."
                )
            )
        elif special:
            lines.append(
                _(
                    "It passes if owners holding at least three quarters of the participating "
                    "area, and at least three quarters of the participating owners, agree."
                )
            )
        else:
            lines.append(
                _(
                    "It passes if owners holding more than half of the participating area, and "
                    "more than half of the participating owners, agree."
                )
            )
        lines.append(
            _(
                "One owner is one vote however many flats they own; the developer's unsold "
                "flats are one vote together."
            )
        )
    else:
        lines.append(
            _("More than %(percent)s%% of those entitled must take part.")
            % {"percent": decision.quorum_percent}
        )
        lines.append(str(Decision.Unit(decision.unit).label))
    if decision.kind == Decision.Kind.OWNERS:
        if settings.get("deemed_consent"):
            lines.append(
                _(
                    "Deemed consent applies (the estate's management statute): owners who were "
                    "served the notice and do not vote are counted with the majority. The "
                    "strict count is shown beside it."
                )
            )
        else:
            lines.append(_("Owners who do not vote are not counted either way."))
    if decision.is_owners_vote:
        if settings.get("publish_voter_flats"):
            lines.append(
                _(
                    "After the count, the flats that voted are published with their areas "
                    "(no names)."
                )
            )
        else:
            lines.append(_("Which flats voted is not published."))
        if settings.get("online_over_paper", True):
            lines.append(
                _("You may vote online or on paper; if you do both, the online vote counts.")
            )
        else:
            lines.append(
                _("You may vote online or on paper; if you do both, the paper ballot counts.")
            )
    lines.append(str(Decision.Revote(decision.revote).label))
    return lines


def _draft_rules(decision: Decision) -> dict[str, Any]:
    settings = selectors.decision_settings_get(estate=decision.estate)
    return {
        "deemed_consent": settings.deemed_consent,
        "publish_voter_flats": settings.publish_voter_flats,
        "online_over_paper": settings.online_over_paper,
    }


def _timeline(decision: Decision) -> list[dict[str, Any]]:
    reached = STATUS_ORDER.index(decision.status) if decision.status in STATUS_ORDER else -1
    when = {
        Decision.Status.ANNOUNCED: decision.announced_at,
        Decision.Status.OPEN: decision.opened_at,
        Decision.Status.CLOSED: decision.closed_at,
        Decision.Status.TALLIED: decision.tallied_at,
        Decision.Status.PUBLISHED: decision.published_at,
    }
    return [
        {
            "label": label,
            "at": when[status],
            "done": STATUS_ORDER.index(status) <= reached,
            "current": status == decision.status,
        }
        for status, label in TIMELINE
    ]


def _scope_text(buildings: list[Any]) -> str:
    if not buildings:
        return _("the whole estate")
    return "、".join(_("Building %(number)s") % {"number": b.number} for b in buildings)


def _participation(decision: Decision) -> dict[str, Any] | None:
    if decision.status not in (Decision.Status.OPEN, Decision.Status.CLOSED):
        return None
    p = selectors.participation(decision=decision)
    return {
        **p,
        "area": _share(f"{p['voted_area']}/{p['total_area']}"),
        "heads": _share(f"{p['voted_heads']}/{p['total_heads']}"),
        "owners": decision.is_owners_vote,
        "mark": _threshold_percent("2/3") if decision.is_owners_vote else "",
    }


def _decision_for(request: HttpRequest, slug: str, decision_id: int) -> Decision:
    estate = community_selectors.estate_get(slug=slug)
    return selectors.decision_get(actor=request.user, estate=estate, decision_id=decision_id)


def _managed(request: HttpRequest, slug: str, decision_id: int) -> Decision:
    """A decision of the estate the actor organises; to anyone else the same 404 as a missing
    one."""
    decision = _decision_for(request, slug, decision_id)
    if not permissions.can(request.user, "manage", decision):
        raise Http404
    return decision


def _organiser_estate(
    request: HttpRequest, slug: str, action: str = "manage", model: str = "decision"
) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, action, estate, model=model):
        raise Http404
    return estate


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
    decision = _decision_for(request, slug, decision_id)
    buildings = selectors.scope_buildings(decision=decision)
    return render(
        request,
        "decisions/detail.html",
        {
            "estate": decision.estate,
            "decision": decision,
            "buildings": buildings,
            "scope_text": _scope_text(buildings),
            "options": list(decision.options.all()),
            "rules_in_words": _rules_in_words(decision),
            "timeline": _timeline(decision),
            "participation": _participation(decision),
            "running": selectors.running_totals(decision=decision),
            "entries": selectors.voter_entries(actor=request.user, decision=decision),
            "amendments": selectors.amendments(decision=decision),
            "voter_flats": selectors.voter_flats(decision=decision),
            "may_manage": permissions.can(request.user, "manage", decision),
            **_result_context(decision),
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
    decision = _decision_for(request, slug, decision_id)
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
    decision = _decision_for(request, slug, decision_id)
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
    decision = _decision_for(request, slug, decision_id)
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
    decision = _decision_for(request, slug, decision_id)
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


# --- Console ---------------------------------------------------------------------------------


@login_required
def console_decisions_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _organiser_estate(request, slug)
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
    estate = _organiser_estate(request, slug, "create")
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
    decision = _managed(request, slug, decision_id)
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
            "timeline": _timeline(decision),
            "actions": _actions(request, decision),
            "participation": _participation(decision),
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
    decision = _managed(request, slug, decision_id)
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
    decision = _managed(request, slug, decision_id)
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
    decision = _managed(request, slug, decision_id)
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
    decision = _managed(request, slug, decision_id)
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
    estate = _organiser_estate(request, slug, "change", "decision_settings")
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
