"""The pages residents (and, on a public board, anyone) see: an estate's funds, a fund with its
every entry, pledging, and the receipt and pledge photos behind a permission check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from linju.core import permissions
from linju.core.http import form_errors, posted
from linju.funding import selectors, services
from linju.funding.forms import FILE_TYPES, PledgeForm
from linju.funding.models import Expense, Fund, LedgerEntry, Pledge
from linju.funding.views.common import (
    CENTS,
    ENTRY_PAGE_SIZE,
    PLEDGES_SHOWN,
    ZERO,
    figures_for,
    fund_for_page,
    may_approve,
    may_use_console,
    readable_estate,
    shows_personal,
    sign_in_first,
)


def _place_filter(request: HttpRequest, funds: Any) -> tuple[Any, str]:
    """``?building=17``: that building's funds and the whole estate's."""
    number = request.GET.get("building", "").strip()[:20]
    if number:
        funds = funds.filter(Q(building__number=number) | Q(building__isnull=True))
    return funds, number


@sign_in_first
def fund_list_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = readable_estate(request, slug)
    funds, number = _place_filter(
        request, selectors.fund_list(actor=request.user, estate=estate).select_related("estate")
    )
    funds = list(funds.order_by("status", "-created_at", "-pk"))
    figures = figures_for(f.pk for f in funds)
    return render(
        request,
        "funding/list.html",
        {
            "estate": estate,
            "building": number,
            "rows": [
                {"fund": f, "figures": figures[f.pk], "progress": figures[f.pk].progress(f.target)}
                for f in funds
            ],
            "head": selectors.ledger_head(estate=estate),
            "may_console": may_use_console(request.user, estate),
        },
    )


def _entry_rows(entries: Any, personal: bool) -> list[dict[str, Any]]:
    """Each entry as the ledger table shows it. Who gave, a transfer's reference and the note
    on money received are personal: members of the estate see them, a public board does not.
    A reversal is shown like the entry it reverses."""
    kind = LedgerEntry.Kind
    rows = []
    for entry in entries:
        reversed_by = getattr(entry, "reversed_by", None)
        base = entry.reverses.kind if entry.reverses_id else entry.kind
        party: str | None = None
        if base == kind.MATCH:
            party = entry.donor
        elif base == kind.EXPENSE:
            party = entry.description
        elif base in (kind.CONTRIBUTION, kind.MATERIAL) and personal:
            party = entry.donor or _("anonymous")
        if base == kind.EXPENSE or (base == kind.CONTRIBUTION and not personal):
            note = ""
        else:
            note = entry.description
        rows.append(
            {
                "entry": entry,
                "party": party,
                "note": note,
                "reference": entry.reference if personal else "",
                "reverses": entry.reverses.seq if entry.reverses_id else None,
                "reversed_by": reversed_by.seq if reversed_by is not None else None,
                "category": entry.expense.get_category_display() if entry.expense_id else "",
                "receipt": entry.expense_id if personal and entry.expense_id else None,
            }
        )
    return rows


def _pledge_rows(fund: Fund, personal: bool) -> tuple[list[dict[str, Any]], int]:
    pledges = (
        Pledge.objects.filter(fund=fund)
        .exclude(status=Pledge.Status.WITHDRAWN)
        .select_related("person", "flat__building", "flat__entrance")
        .order_by("-created_at", "-pk")
    )
    shown = list(pledges[:PLEDGES_SHOWN])
    total = len(shown) if len(shown) < PLEDGES_SHOWN else pledges.count()
    rows = [
        {
            "pledge": p,
            "donor": (services.donor_label(p) or _("anonymous")) if personal else None,
            "photo": bool(p.photo) and personal,
        }
        for p in shown
    ]
    return rows, total


@sign_in_first
def fund_detail_view(request: HttpRequest, slug: str, fund_id: int) -> HttpResponse:
    fund = fund_for_page(request, slug, fund_id)
    personal = shows_personal(request.user, fund.home)
    figures = figures_for([fund.pk])[fund.pk]
    entries = (
        LedgerEntry.objects.filter(fund=fund)
        .select_related("expense", "reverses", "reversed_by")
        .order_by("-seq")
    )
    page = Paginator(entries, ENTRY_PAGE_SIZE).get_page(request.GET.get("page"))
    pledges, pledge_count = _pledge_rows(fund, personal)
    pledged = Pledge.objects.filter(fund=fund).exclude(status=Pledge.Status.WITHDRAWN)
    pledged_totals = pledged.aggregate(
        money=Sum("amount", filter=Q(kind=Pledge.Kind.MONEY)),
        materials=Count("pk", filter=Q(kind=Pledge.Kind.MATERIAL)),
    )
    return render(
        request,
        "funding/detail.html",
        {
            "estate": fund.estate,
            "fund": fund,
            "figures": figures,
            "progress": figures.progress(fund.target),
            "page": page,
            "rows": _entry_rows(page, personal),
            "pledges": pledges,
            "pledge_count": pledge_count,
            "pledged_money": (pledged_totals["money"] or ZERO).quantize(CENTS),
            "pledged_materials": pledged_totals["materials"],
            "personal": personal,
            "head": selectors.ledger_head(estate=fund.estate),
            "may_pledge": fund.status == Fund.Status.OPEN
            and permissions.can(request.user, "pledge", fund),
            "may_keep": permissions.can(request.user, "record", fund)
            or may_approve(request.user, fund),
        },
    )


@login_required
def fund_pledge_view(request: HttpRequest, slug: str, fund_id: int) -> HttpResponse:
    fund = fund_for_page(request, slug, fund_id)
    if not permissions.can(request.user, "pledge", fund):
        raise Http404
    form = PledgeForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            pledge = services.pledge_create(
                actor=request.user, fund=fund, **form.service_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your pledge is number %(number)s: mention it when you hand over "
                    "the money or the materials."
                )
                % {"number": pledge.pk},
            )
            return redirect(fund)
    return render(
        request,
        "funding/pledge.html",
        {"estate": fund.estate, "fund": fund, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def _serve(file: Any, name: str) -> FileResponse:
    kind = file.name.rsplit(".", 1)[-1].lower() if file else ""
    if kind not in FILE_TYPES:
        raise Http404
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    # A PDF is downloaded and a photo shown; nothing uploaded runs in the site's origin.
    response = FileResponse(
        handle,
        content_type=FILE_TYPES[kind],
        as_attachment=kind == "pdf",
        filename=f"{name}.{kind}",
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@sign_in_first
def expense_receipt_view(
    request: HttpRequest, slug: str, fund_id: int, expense_id: int
) -> FileResponse:
    """A posted expense's receipt for members of the estate; a waiting or rejected one's for
    whoever keeps or approves the fund's accounts."""
    fund = fund_for_page(request, slug, fund_id)
    expense = Expense.objects.filter(fund=fund, pk=expense_id).first()
    if expense is None:
        raise Http404
    keeps = permissions.can(request.user, "record", fund) or may_approve(request.user, fund)
    if expense.status == Expense.Status.POSTED:
        allowed = keeps or shows_personal(request.user, fund.home)
    else:
        allowed = keeps
    if not allowed:
        raise Http404
    return _serve(expense.receipt, f"receipt-{fund.pk}-{expense.pk}")


@sign_in_first
def pledge_photo_view(
    request: HttpRequest, slug: str, fund_id: int, pledge_id: int
) -> FileResponse:
    fund = fund_for_page(request, slug, fund_id)
    pledge = Pledge.objects.filter(fund=fund, pk=pledge_id).first()
    if pledge is None or not shows_personal(request.user, fund.home):
        raise Http404
    return _serve(pledge.photo, f"pledge-{fund.pk}-{pledge.pk}")
