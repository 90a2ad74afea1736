"""The treasurer's console: opening a fund, recording money and materials received, materials
used and expenses, the approvals queue (four eyes), and reversing a mistake with its reason.
Every refusal is a message on the page (422) and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linju.core import permissions
from linju.core.http import form_errors, posted
from linju.funding import services
from linju.funding.forms import (
    ContributionForm,
    ExpenseForm,
    FundForm,
    MaterialReceiveForm,
    MaterialUseForm,
    ReasonForm,
)
from linju.funding.models import Expense, Fund, LedgerEntry
from linju.funding.views.common import (
    console_estate,
    console_fund,
    figures_for,
    may_approve,
    opens_any_fund,
    recorder_fund,
)

RECENT_ENTRIES = 30
REJECTED_SHOWN = 20


def _waiting(request: HttpRequest, expenses: Any) -> list[dict[str, Any]]:
    """Expenses waiting for approval, each with what the actor may do about it."""
    rows = []
    for expense in expenses:
        leader = services.needs_leader(expense)
        rows.append(
            {
                "expense": expense,
                "needs_leader": leader,
                "leader_missing": leader and expense.leader_approved_by_id is None,
                "second_missing": expense.approved_by_id is None,
                "may_decide": permissions.can(request.user, "approve", expense)
                and expense.recorded_by_id != request.user.pk,
            }
        )
    return rows


def _waiting_expenses(**filters: Any) -> Any:
    return (
        Expense.objects.filter(status=Expense.Status.WAITING, **filters)
        .select_related(
            "fund", "fund__building", "recorded_by", "approved_by", "leader_approved_by"
        )
        .order_by("recorded_at", "pk")
    )


@login_required
def console_funds_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = console_estate(request, slug)
    funds = [
        fund
        for fund in Fund.objects.filter(estate=estate).select_related("building", "treasurer")
        if permissions.can(request.user, "record", fund) or may_approve(request.user, fund)
    ]
    figures = figures_for(f.pk for f in funds)
    waiting = [
        row
        for row in _waiting(request, _waiting_expenses(estate=estate))
        if permissions.can(request.user, "approve", row["expense"])
        or permissions.can(request.user, "record", row["expense"].fund)
    ]
    return render(
        request,
        "funding/console/list.html",
        {
            "estate": estate,
            "rows": [{"fund": f, "figures": figures[f.pk]} for f in funds],
            "waiting": waiting,
            "may_open": opens_any_fund(request.user, estate),
        },
    )


@login_required
def console_fund_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = console_estate(request, slug)
    if not opens_any_fund(request.user, estate):
        raise Http404
    form = FundForm(posted(request), actor=request.user, estate=estate)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_create(
                actor=request.user, estate=estate, **form.service_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The fund is open."))
            return redirect("console_fund", slug=estate.slug, fund_id=fund.pk)
    return render(
        request,
        "funding/console/fund_form.html",
        {"estate": estate, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def console_fund_view(request: HttpRequest, slug: str, fund_id: int) -> HttpResponse:
    fund = console_fund(request, slug, fund_id)
    figures = figures_for([fund.pk])[fund.pk]
    recent = (
        LedgerEntry.objects.filter(fund=fund)
        .select_related("reverses", "reversed_by", "expense")
        .order_by("-seq")[:RECENT_ENTRIES]
    )
    return render(
        request,
        "funding/console/fund.html",
        {
            "estate": fund.estate,
            "fund": fund,
            "figures": figures,
            "waiting": _waiting(request, _waiting_expenses(fund=fund)),
            "recent": recent,
            "rejected": Expense.objects.filter(fund=fund, status=Expense.Status.REJECTED).order_by(
                "-decided_at", "-pk"
            )[:REJECTED_SHOWN],
            "may_record": permissions.can(request.user, "record", fund),
            "reversible": (
                LedgerEntry.Kind.CONTRIBUTION,
                LedgerEntry.Kind.MATERIAL,
                LedgerEntry.Kind.MATERIAL_USE,
                LedgerEntry.Kind.EXPENSE,
            ),
        },
    )


# --- Recording -------------------------------------------------------------------------------

# (form, service call, success message, page title) for each kind of record.
Record = tuple[type[forms.Form], Callable[[Any, Fund, dict[str, Any]], Any], Any, Any]

RECORDS: dict[str, Record] = {
    "contribution": (
        ContributionForm,
        lambda actor, fund, data: services.contribution_record(actor=actor, fund=fund, **data),
        gettext_lazy("Recorded: ¥%(amount)s received."),
        gettext_lazy("Record money received"),
    ),
    "material": (
        MaterialReceiveForm,
        lambda actor, fund, data: services.material_receive(actor=actor, fund=fund, **data),
        gettext_lazy("Recorded: materials worth ¥%(amount)s received."),
        gettext_lazy("Record materials received"),
    ),
    "material_use": (
        MaterialUseForm,
        lambda actor, fund, data: services.material_use(actor=actor, fund=fund, **data),
        gettext_lazy("Recorded: materials worth ¥%(amount)s used."),
        gettext_lazy("Record materials used"),
    ),
    "expense": (
        ExpenseForm,
        lambda actor, fund, data: services.expense_record(actor=actor, fund=fund, **data),
        gettext_lazy("Recorded: the expense of ¥%(amount)s waits for a second person's approval."),
        gettext_lazy("Record an expense"),
    ),
}


@login_required
def console_fund_record_view(
    request: HttpRequest, slug: str, fund_id: int, what: str
) -> HttpResponse:
    if what not in RECORDS:
        raise Http404
    fund = recorder_fund(request, slug, fund_id)
    form_class, record, done, title = RECORDS[what]
    kwargs: dict[str, Any] = {"fund": fund} if what in ("contribution", "material") else {}
    form = form_class(posted(request), request.FILES or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            written = record(request.user, fund, form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, str(done) % {"amount": abs(written.amount)})
            return redirect("console_fund", slug=fund.home.slug, fund_id=fund.pk)
    return render(
        request,
        "funding/console/record.html",
        {
            "estate": fund.estate,
            "fund": fund,
            "form": form,
            "title": title,
            "what": what,
            "balance": figures_for([fund.pk])[fund.pk],
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def console_entry_reverse_view(
    request: HttpRequest, slug: str, fund_id: int, entry_id: int
) -> HttpResponse:
    fund = recorder_fund(request, slug, fund_id)
    entry = (
        LedgerEntry.objects.filter(fund=fund, pk=entry_id)
        .select_related("reverses", "reversed_by", "expense")
        .first()
    )
    if entry is None:
        raise Http404
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            reversal = services.entry_reverse(
                actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Entry #%(seq)s is reversed by entry #%(reversal)s.")
                % {"seq": entry.seq, "reversal": reversal.seq},
            )
            return redirect("console_fund", slug=fund.home.slug, fund_id=fund.pk)
    return render(
        request,
        "funding/console/reverse.html",
        {"estate": fund.estate, "fund": fund, "entry": entry, "form": form},
        status=422 if request.method == "POST" else 200,
    )


# --- Approvals -------------------------------------------------------------------------------


def _expense(request: HttpRequest, slug: str, expense_id: int) -> Expense:
    """An expense the actor may approve or reject; to anyone else the same 404 as a missing
    one."""
    estate = console_estate(request, slug)
    expense = (
        Expense.objects.filter(estate=estate, pk=expense_id)
        .select_related("fund", "fund__estate", "fund__building")
        .first()
    )
    if expense is None or not permissions.can(request.user, "approve", expense):
        raise Http404
    return expense


def _back_to(request: HttpRequest, expense: Expense) -> HttpResponse:
    if request.POST.get("back") == "fund":
        return redirect("console_fund", slug=expense.fund.home.slug, fund_id=expense.fund_id)
    return redirect("console_funds", slug=expense.fund.home.slug)


@login_required
@require_POST
def console_expense_approve_view(request: HttpRequest, slug: str, expense_id: int) -> HttpResponse:
    expense = _expense(request, slug, expense_id)
    try:
        expense = services.expense_approve(actor=request.user, expense=expense)
    except ValidationError as exc:
        return render(
            request,
            "funding/console/refused.html",
            {"estate": expense.fund.estate, "fund": expense.fund, "refusal": exc.messages},
            status=422,
        )
    if expense.status == Expense.Status.POSTED:
        messages.success(
            request,
            _("Approved: ¥%(amount)s to %(payee)s is posted to the ledger.")
            % {"amount": expense.amount, "payee": expense.payee},
        )
    else:
        messages.success(request, _("Approved. It is posted once the remaining approval is given."))
    return _back_to(request, expense)


@login_required
def console_expense_reject_view(request: HttpRequest, slug: str, expense_id: int) -> HttpResponse:
    expense = _expense(request, slug, expense_id)
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.expense_reject(
                actor=request.user, expense=expense, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Rejected. Nothing was posted to the ledger."))
            return redirect("console_fund", slug=expense.fund.home.slug, fund_id=expense.fund_id)
    return render(
        request,
        "funding/console/reject.html",
        {"estate": expense.fund.estate, "fund": expense.fund, "expense": expense, "form": form},
        status=422 if request.method == "POST" else 200,
    )
