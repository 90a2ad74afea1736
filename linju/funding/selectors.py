"""Reads for funds: balances derived from entries, a fund's summary and entries, and the check
of an estate's whole ledger chain."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from linju.community.models import Estate
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


def fund_balances(*, estate: Estate) -> dict[int, Decimal]:
    """Every fund's net sum of entries, in one query."""
    return {
        row["fund_id"]: Decimal(row["total"] or 0).quantize(chain.CENTS)
        for row in LedgerEntry.objects.filter(estate=estate)
        .values("fund_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }


def ledger_head(*, estate: Estate) -> LedgerHead | None:
    return LedgerHead.objects.filter(estate=estate).first()


def _rows(estate_id: int, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """The estate's entries in chain order, a batch at a time (constant memory)."""
    last = 0
    while True:
        rows = list(
            LedgerEntry.objects.filter(estate_id=estate_id, seq__gt=last)
            .order_by("seq")
            .values(*ROW_FIELDS)[:batch]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1]["seq"]


def ledger_verify(*, estate: Estate) -> chain.ChainReport:
    """Check an estate's chain entry by entry, its stored head, and every fund's balance as the
    database sums it against the sum of the verified entries."""
    report = chain.verify_rows(estate.pk, _rows(estate.pk))
    head = ledger_head(estate=estate)
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
    summed = fund_balances(estate=estate)
    for fund_id in sorted(set(summed) | set(report.balances)):
        walked = report.balances.get(fund_id, Decimal("0.00")).quantize(chain.CENTS)
        if summed.get(fund_id, Decimal("0.00")) != walked:
            report.breaks.append(
                chain.Break(None, None, f"fund {fund_id}: its balance does not add up")
            )
    return report
