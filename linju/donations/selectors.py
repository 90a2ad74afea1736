"""Reads for the foundation's money: its account and donations, and the street dashboard.

The dashboard's figures come from a fixed number of aggregate queries whatever the number of
estates, buildings, funds, grants and applications: money raised by residents, matched by the
funds' own matching rules, granted by the foundation and paid into the projects' funds, per
estate and per building; the foundation's own donations, payments and balance; applications by
stage; and the reports overdue. Sums are added as whole fen (SQLite keeps decimals as floating
point).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Cast, Round
from django.http import Http404
from django.utils import timezone

from linju.community.models import Building, Estate, Street
from linju.core import permissions
from linju.donations.models import Donation, FoundationAccount
from linju.funding.models import LedgerEntry
from linju.funding.views.common import Figures, figures_for

ZERO = Decimal("0.00")
CENTS = Decimal("0.01")
Kind = LedgerEntry.Kind


def _fen(value: Any) -> Decimal:
    return (Decimal(int(value or 0)) / 100).quantize(CENTS)


def _fen_sum(name: str, **filters: Any) -> Sum:
    return Sum(Cast(Round(F(name) * 100), BigIntegerField()), **filters)


def street_get(*, slug: str) -> Street:
    street = Street.objects.filter(slug=slug).first()
    if street is None:
        raise Http404
    return street


def account_for(*, street: Street) -> FoundationAccount | None:
    return FoundationAccount.objects.filter(street=street).select_related("fund").first()


def donation_list(*, actor: Any, street: Street) -> QuerySet[Donation]:
    return permissions.visible(actor, Donation.objects.filter(street=street)).select_related(
        "entry"
    )


def donation_get(*, actor: Any, street: Street, donation_id: Any) -> Donation:
    return permissions.get_visible_or_404(  # type: ignore[return-value]
        actor,
        Donation.objects.filter(street=street).select_related("account", "street", "entry"),
        pk=donation_id,
    )


def donation_by_token(*, street: Street, token: str) -> Donation:
    """The receipt behind a QR code (anyone holding the receipt may check it)."""
    donation = (
        Donation.objects.filter(street=street, token=str(token)[:32])
        .select_related("account")
        .first()
    )
    if donation is None:
        raise Http404
    return donation


# --- The dashboard ---------------------------------------------------------------------------


@dataclass
class Money:
    """What a place's building groups raised, what their funds' matching rules added, what
    the foundation granted them and what it has paid into their funds."""

    raised: Decimal = ZERO
    matched: Decimal = ZERO
    granted: Decimal = ZERO
    paid: Decimal = ZERO

    def add(self, other: Money) -> None:
        self.raised += other.raised
        self.matched += other.matched
        self.granted += other.granted
        self.paid += other.paid


@dataclass
class BuildingRow:
    label: str
    building: Building | None
    money: Money


@dataclass
class EstateRow:
    estate: Estate
    money: Money = field(default_factory=Money)
    buildings: list[BuildingRow] = field(default_factory=list)


@dataclass
class Dashboard:
    street: Street
    account: FoundationAccount | None
    fund: Figures
    donations: int
    donors_named: int
    estates: list[EstateRow]
    total: Money
    stages: list[tuple[str, str, int]]  # (status, label, count)
    overdue: list[Any]
    today: datetime.date


def _place_money(street: Street) -> dict[tuple[int, int | None], Money]:
    """(estate id, building id or None) → Money, in two queries."""
    places: dict[tuple[int, int | None], Money] = {}
    rows = (
        LedgerEntry.objects.filter(fund__estate__street=street)
        .values("fund__estate_id", "fund__building_id", "kind", "method", "reverses__kind")
        .annotate(fen=_fen_sum("amount"))
        .order_by()
    )
    for row in rows:
        money = places.setdefault((row["fund__estate_id"], row["fund__building_id"]), Money())
        kind = row["reverses__kind"] if row["kind"] == Kind.REVERSAL else row["kind"]
        amount = _fen(row["fen"])
        if kind == Kind.CONTRIBUTION:
            money.raised += amount
        elif kind == Kind.MATCH and row["method"] == LedgerEntry.Method.GENERATED:
            money.matched += amount
        elif kind == Kind.MATCH:  # a grant paid in (``funding.services.grant_receive``)
            money.paid += amount
    from linju.grants.models import Grant

    grants = (
        Grant.objects.filter(programme__street=street, status=Grant.Status.AWARDED)
        .values("estate_id", "application__building_id")
        .annotate(fen=_fen_sum("amount"))
        .order_by()
    )
    for row in grants:
        key = (row["estate_id"], row["application__building_id"])
        places.setdefault(key, Money()).granted += _fen(row["fen"])
    return places


def _estate_rows(street: Street, places: dict[tuple[int, int | None], Money]) -> list[EstateRow]:
    estates = {e.pk: EstateRow(estate=e) for e in Estate.objects.filter(street=street)}
    building_ids = [b for (_e, b) in places if b is not None]
    buildings = {b.pk: b for b in Building.objects.filter(pk__in=building_ids)}
    for (estate_id, building_id), money in places.items():
        row = estates.get(estate_id)
        if row is None:
            continue
        row.money.add(money)
        building = buildings.get(building_id) if building_id is not None else None
        label = building.number if building is not None else ""
        row.buildings.append(BuildingRow(label=label, building=building, money=money))
    for row in estates.values():
        row.buildings.sort(
            key=lambda b: (b.building is not None, getattr(b.building, "sort_key", 0), b.label)
        )
    return sorted(estates.values(), key=lambda r: r.estate.name)


def _stages(street: Street) -> list[tuple[str, str, int]]:
    from linju.foundation.models import Application

    counts = dict(
        Application.objects.filter(programme__street=street)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        (value, str(label), counts.get(value, 0)) for value, label in Application.Status.choices
    ]


def _overdue(street: Street, today: datetime.date) -> list[Any]:
    from linju.grants.models import ReportDue

    return list(
        ReportDue.objects.filter(
            grant__programme__street=street, submitted_at__isnull=True, due_on__lt=today
        )
        .select_related("grant__application__building", "estate")
        .order_by("due_on", "pk")
    )


def dashboard(*, actor: Any, street: Street) -> Dashboard:
    """The street's dashboard for its foundation officers (a fixed number of queries)."""
    permissions.require(actor, "view_dashboard", street, model="foundation_account")
    today = timezone.localdate()
    account = account_for(street=street)
    fund = figures_for([account.fund_id])[account.fund_id] if account else Figures()
    counts = Donation.objects.filter(street=street).aggregate(
        n=Count("pk"), named=Count("pk", filter=Q(publish_name=True))
    )
    places = _place_money(street)
    estates = _estate_rows(street, places)
    total = Money()
    for row in estates:
        total.add(row.money)
    return Dashboard(
        street=street,
        account=account,
        fund=fund,
        donations=counts["n"],
        donors_named=counts["named"],
        estates=estates,
        total=total,
        stages=_stages(street),
        overdue=_overdue(street, today),
        today=today,
    )
