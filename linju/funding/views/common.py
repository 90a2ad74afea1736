"""What the funding pages share: a fund's figures summed from its entries, loading the fund of
a page (missing and hidden are the same 404), and who sees personal data.

Members of the estate read its funds; when the estate has made its board public, anyone does,
and then a reader who is not a member sees no personal data at all: no donor (name or flat),
no treasurer's name, no receipt photo. A visitor who is not signed in, on an estate whose board
is not public, is sent to sign in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import BigIntegerField, F, Sum
from django.db.models.functions import Cast, Round
from django.http import Http404, HttpRequest

from linju.community import selectors as community_selectors
from linju.community.models import Building, Estate
from linju.core import permissions
from linju.funding import selectors
from linju.funding.models import Expense, Fund, LedgerEntry

ENTRY_PAGE_SIZE = 50
PLEDGES_SHOWN = 100
CENTS = Decimal("0.01")
ZERO = Decimal("0.00")
Kind = LedgerEntry.Kind


def _fen(hundredths: int | None) -> Decimal:
    return (Decimal(int(hundredths or 0)) / 100).quantize(CENTS)


@dataclass(frozen=True)
class Figures:
    """A fund's money and materials, each net of its reversals."""

    received: Decimal = ZERO  # money residents and donors gave
    matched: Decimal = ZERO  # the generated matching grant
    spent: Decimal = ZERO  # posted expenses
    materials_received: Decimal = ZERO
    materials_used: Decimal = ZERO

    @property
    def income(self) -> Decimal:
        return self.received + self.matched

    @property
    def balance(self) -> Decimal:
        return self.income - self.spent

    @property
    def materials(self) -> Decimal:
        return self.materials_received - self.materials_used

    def progress(self, target: Decimal) -> dict[str, str]:
        """Money raised (given and matched) against the target, for the bar: display only."""
        share = Fraction(self.income) / Fraction(target) if target > 0 else Fraction(0)
        return {
            "percent": f"{float(round(share * 100, 1)):.1f}",
            "width": f"{float(round(min(share, Fraction(1)) * 100, 1)):.1f}",
        }


def figures_for(fund_ids: Iterable[int]) -> dict[int, Figures]:
    """Every listed fund's figures in one query. A reversal counts against the kind of entry it
    reverses. Amounts are added as whole fen (SQLite keeps decimals as floating point)."""
    ids = list(fund_ids)
    sums: dict[int, dict[str, Decimal]] = {pk: {} for pk in ids}
    rows = (
        LedgerEntry.objects.filter(fund_id__in=ids)
        .values("fund_id", "kind", "reverses__kind")
        .annotate(fen=Sum(Cast(Round(F("amount") * 100), BigIntegerField())))
        .order_by()
    )
    for row in rows:
        kind = row["reverses__kind"] if row["kind"] == Kind.REVERSAL else row["kind"]
        totals = sums[row["fund_id"]]
        totals[kind] = totals.get(kind, ZERO) + _fen(row["fen"])
    return {
        pk: Figures(
            received=totals.get(Kind.CONTRIBUTION, ZERO),
            matched=totals.get(Kind.MATCH, ZERO),
            spent=-totals.get(Kind.EXPENSE, ZERO),
            materials_received=totals.get(Kind.MATERIAL, ZERO),
            materials_used=-totals.get(Kind.MATERIAL_USE, ZERO),
        )
        for pk, totals in sums.items()
    }


class SignInFirst(Exception):
    """The estate's funds are not public and the visitor is not signed in."""


def sign_in_first(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except SignInFirst:
            return redirect_to_login(request.get_full_path())

    return wrapped


def readable_estate(request: HttpRequest, slug: str) -> Estate:
    """The estate whose funds the visitor may read; SignInFirst for a visitor who is not signed
    in, otherwise the same 404 as a missing estate."""
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "view", estate, model="fund"):
        if not request.user.is_authenticated:
            raise SignInFirst
        raise Http404
    return estate


def fund_for_page(request: HttpRequest, slug: str, fund_id: int) -> Fund:
    estate = readable_estate(request, slug)
    return selectors.fund_get(actor=request.user, estate=estate, fund_id=fund_id)


def shows_personal(user: Any, estate: Estate) -> bool:
    """Donors' flat numbers (and names, with their consent) are for members of the estate,
    who see its flats; a public board shows none."""
    return permissions.can(user, "view_flats", estate, model="building")


def may_approve(user: Any, fund: Fund) -> bool:
    return permissions.can(user, "approve", Expense(estate_id=fund.home.pk, fund=fund))


def may_use_console(user: Any, estate: Estate) -> bool:
    """Whoever opens funds (committee staff, a group leader for their building), approves
    expenses (staff, the owners' committee, a group leader) or keeps a fund's accounts."""
    if not user.is_authenticated:
        return False
    if permissions.can(user, "create", Fund(estate=estate)) or may_approve(
        user, Fund(estate=estate)
    ):
        return True
    if opens_any_fund(user, estate):
        return True
    return any(
        permissions.can(user, "record", fund)
        for fund in Fund.objects.filter(estate=estate, treasurer=user)
    )


def opens_any_fund(user: Any, estate: Estate) -> bool:
    return permissions.can(user, "create", Fund(estate=estate)) or any(
        permissions.can(user, "create", Fund(estate=estate, building_id=pk))
        for pk in Building.objects.filter(estate=estate).values_list("pk", flat=True)
    )


def console_estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not may_use_console(request.user, estate):
        raise Http404
    return estate


def console_fund(request: HttpRequest, slug: str, fund_id: int) -> Fund:
    """A fund the actor keeps or approves for; to anyone else the same 404 as a missing one."""
    estate = console_estate(request, slug)
    fund = selectors.fund_get(actor=request.user, estate=estate, fund_id=fund_id)
    if not (permissions.can(request.user, "record", fund) or may_approve(request.user, fund)):
        raise Http404
    return fund


def recorder_fund(request: HttpRequest, slug: str, fund_id: int) -> Fund:
    """A fund whose accounts the actor keeps (its treasurer, committee staff)."""
    fund = console_fund(request, slug, fund_id)
    if not permissions.can(request.user, "record", fund):
        raise Http404
    return fund
