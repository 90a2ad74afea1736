"""Reads for funds: balances derived from entries, a fund's summary and entries, and the check
of a whole ledger chain: an estate's, or a street's (its community foundation's money)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from linju.community.models import Estate, Street
from linju.core import permissions
from linju.funding import chain
from linju.funding.models import Fund, LedgerEntry, LedgerHead

ROW_FIELDS = ("id", "hash", *chain.HASHED_FIELDS)


def fund_list(*, actor: Any, estate: Estate) -> QuerySet[Fund]:
    return permissions.visible(actor, Fund.objects.filter(estate=estate)).select_related("building")


def fund_get(*, actor: Any, estate: Estate, fund_id: Any) -> Fund:
    return permissions.get_visible_or_404(  # type: ignore[return-value]
        actor, Fund.objects.filter(estate=estate).select_related("estate", "building"), pk=fund_id
    )


def _scope(estate: Estate | None, street: Street | None) -> dict[str, int]:
    if estate is not None and street is None:
        return {"estate_id": estate.pk}
    if street is not None and estate is None:
        return {"street_id": street.pk}
    raise TypeError("name an estate or a street")


def fund_balances(
    *, estate: Estate | None = None, street: Street | None = None
) -> dict[int, Decimal]:
    """Every fund's net sum of entries in an estate's (or a street's) chain, in one query."""
    return {
        row["fund_id"]: Decimal(row["total"] or 0).quantize(chain.CENTS)
        for row in LedgerEntry.objects.filter(**_scope(estate, street))
        .values("fund_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }


def ledger_head(*, estate: Estate | None = None, street: Street | None = None) -> LedgerHead | None:
    return LedgerHead.objects.filter(**_scope(estate, street)).first()


def _rows(scope: dict[str, int], batch: int = 5000) -> Iterator[dict[str, Any]]:
    """The chain's entries in order, a batch at a time (constant memory)."""
    last = 0
    while True:
        rows = list(
            LedgerEntry.objects.filter(**scope, seq__gt=last)
            .order_by("seq")
            .values(*ROW_FIELDS)[:batch]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1]["seq"]


def ledger_verify(
    *, estate: Estate | None = None, street: Street | None = None
) -> chain.ChainReport:
    """Check an estate's chain (or a street's: its foundation's money) entry by entry, its
    stored head, and every fund's balance as the database sums it against the sum of the
    verified entries."""
    scope = _scope(estate, street)
    report = chain.verify_rows(next(iter(scope.values())), _rows(scope))
    head = ledger_head(estate=estate, street=street)
    head_count, head_hash = (head.count, head.hash) if head else (0, chain.GENESIS)
    if (head_count, head_hash) != (report.count, report.head):
        report.breaks.append(
            chain.Break(
                None,
                None,
                f"the chain ends at entry {report.count} ({report.head[:12]}…) but its recorded "
                f"head says {head_count} ({head_hash[:12]}…): entries were removed or added",
            )
        )
    summed = fund_balances(estate=estate, street=street)
    for fund_id in sorted(set(summed) | set(report.balances)):
        walked = report.balances.get(fund_id, Decimal("0.00")).quantize(chain.CENTS)
        if summed.get(fund_id, Decimal("0.00")) != walked:
            report.breaks.append(
                chain.Break(None, None, f"fund {fund_id}: its balance does not add up")
            )
    return report
