"""The funds section of the disclosure board (居务公开): each fund of the estate (or of the
building and the whole estate) with its income, expenses, balance and materials, a link to its
every entry, and the estate's chain head. Figures only: no donor, no treasurer, no receipt, so
the section is the same on a public board as for members."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from linju.funding import selectors
from linju.funding.views.common import figures_for

ORDER = 200  # after the notices and the decisions


def funds_section(*, estate: Any, building: Any, actor: Any, public: bool) -> dict[str, Any] | None:
    shown = selectors.fund_list(actor=actor, estate=estate).select_related("estate")
    if building is not None:
        shown = shown.filter(Q(building=building) | Q(building__isnull=True))
    funds = list(shown.order_by("status", "-created_at", "-pk"))
    if not funds:
        return None
    figures = figures_for(f.pk for f in funds)
    head = selectors.ledger_head(estate=estate)
    rows = []
    for fund in funds:
        sums = figures[fund.pk]
        rows.append(
            {
                "title": fund.title,
                "url": fund.get_absolute_url(),
                "place": _("Building %(number)s") % {"number": fund.building.number}
                if fund.building
                else _("Whole estate"),
                "income": sums.income,
                "spent": sums.spent,
                "balance": sums.balance,
                "materials": sums.materials,
            }
        )
    return {
        "title": _("Funds: money and donated materials"),
        "template": "funding/board_section.html",
        "context": {
            "fund_rows": rows,
            "ledger_count": head.count if head else None,
            "ledger_hash": head.hash if head else "",
        },
        "order": ORDER,
    }
