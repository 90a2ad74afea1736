"""Charts drawn on the server as SVG: a fund's income and expenses month by month, and its
spending by category.

No JavaScript and no charting library: each chart is one ``<svg role="img">`` with a
``<title>`` and a ``<desc>`` that says every figure in words, and each bar is labelled with its
amount in text, so a screen reader, a phone and a printed report all give the same numbers as
the picture. Lengths are worked out in Decimal like the money they show.

Income is money received, matching and materials received by value; expenses are posted
expenses and materials used. A reversal counts against the kind of entry it reverses, in the
month it was recorded; a month whose net is negative draws no bar but still says its figure.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from linju.funding.models import Expense, Fund, LedgerEntry

INCOME_KINDS = frozenset(
    (LedgerEntry.Kind.CONTRIBUTION, LedgerEntry.Kind.MATCH, LedgerEntry.Kind.MATERIAL)
)
EXPENSE_KINDS = frozenset((LedgerEntry.Kind.EXPENSE, LedgerEntry.Kind.MATERIAL_USE))
# Blue and orange stay apart for colour-blind readers; both are dark enough for white paper.
INCOME_COLOUR = "#1f5fa8"
EXPENSE_COLOUR = "#b35900"
TEXT_COLOUR = "#222222"
FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"
FONT_SIZE = 18
WIDTH = 480
BAR = Decimal(20)
ROW_GAP = 10
VALUE_ROOM = 130  # room right of the longest bar for its figure
TENTH = Decimal("0.1")
CENTS = Decimal("0.01")
MONTHS_SHOWN = 12


@dataclass(frozen=True)
class MonthBar:
    """One month: what came in and what went out (both as positive amounts)."""

    label: str
    income: Decimal
    expense: Decimal


@dataclass(frozen=True)
class CategoryBar:
    label: str
    amount: Decimal


def yuan(amount: Decimal) -> str:
    """``¥1,234.50``; ``-¥20.00`` below zero."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    return f"-¥{-amount:,.2f}" if amount < 0 else f"¥{amount:,.2f}"


def _num(value: Decimal | int) -> str:
    return str(Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP).normalize())


def _text_width(text: str, size: int = FONT_SIZE) -> int:
    """A generous estimate: CJK characters are a full em wide, Latin ones about 0.6."""
    wide = sum(1 for c in text if ord(c) > 0x2E80)
    return int(size * wide + size * Decimal("0.62") * (len(text) - wide)) + 1


def _length(value: Decimal, top: Decimal, room: int) -> Decimal:
    if value <= 0 or top <= 0:
        return Decimal(0)
    return max(Decimal(1), value * room / top)


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> SafeString:
    ident = quoteattr(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id={ident} '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family={quoteattr(FONT)} font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    )
    # Every piece of text above went through escape()/quoteattr(); numbers are formatted here.
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308


def _text(x: int | Decimal, y: int | Decimal, text: str) -> str:
    return f'<text x="{_num(x)}" y="{_num(y)}">{escape(text)}</text>'


def _rect(x: int | Decimal, y: int | Decimal, width: Decimal, colour: str, kind: str) -> str:
    return (
        f'<rect class="{kind}" x="{_num(x)}" y="{_num(y)}" width="{_num(width)}" '
        f'height="{_num(BAR)}" fill="{colour}"/>'
    )


def _empty(chart_id: str, title: str) -> SafeString:
    note = _("Nothing to show yet.")
    return _svg(chart_id, title, note, 40, [_text(0, 26, note)])


def income_expense_svg(
    months: Sequence[MonthBar], *, chart_id: str, title: str | None = None
) -> SafeString:
    """Income against expenses, one pair of bars per month, each bar labelled with its amount."""
    title = title or _("Income and expenses by month")
    income_label, expense_label = _("Income"), _("Expenses")
    if not months:
        return _empty(chart_id, title)
    label_room = max(_text_width(m.label) for m in months) + 12
    room = WIDTH - label_room - VALUE_ROOM
    top = max(max(m.income, m.expense) for m in months)
    legend_y = 18
    body = [
        _rect(0, legend_y - 12, BAR, INCOME_COLOUR, "key"),
        _text(20, legend_y, income_label),
        _rect(_text_width(income_label) + 40, legend_y - 12, BAR, EXPENSE_COLOUR, "key"),
        _text(_text_width(income_label) + 60, legend_y, expense_label),
    ]
    y = 34
    for month in months:
        body.append(_text(0, y + BAR + 4, month.label))
        for offset, value, colour in (
            (0, month.income, INCOME_COLOUR),
            (int(BAR) + 2, month.expense, EXPENSE_COLOUR),
        ):
            length = _length(value, top, room)
            if length:
                body.append(_rect(label_room, y + offset, length, colour, "bar"))
            body.append(_text(label_room + length + 6, y + offset + BAR - 2, yuan(value)))
        y += 2 * int(BAR) + 2 + ROW_GAP
    desc = "; ".join(
        f"{m.label}: {income_label} {yuan(m.income)}, {expense_label} {yuan(m.expense)}"
        for m in months
    )
    return _svg(chart_id, title, desc, y, body)


def category_svg(
    rows: Sequence[CategoryBar], *, chart_id: str, title: str | None = None
) -> SafeString:
    """Spending by category, one horizontal bar each, largest first as given."""
    title = title or _("Spending by category")
    if not rows:
        return _empty(chart_id, title)
    label_room = max(_text_width(r.label) for r in rows) + 12
    room = WIDTH - label_room - VALUE_ROOM
    top = max(r.amount for r in rows)
    body: list[str] = []
    y = 6
    for row in rows:
        length = _length(row.amount, top, room)
        body.append(_text(0, y + BAR - 2, row.label))
        if length:
            body.append(_rect(label_room, y, length, EXPENSE_COLOUR, "bar"))
        body.append(_text(label_room + length + 6, y + BAR - 2, yuan(row.amount)))
        y += int(BAR) + ROW_GAP
    desc = "; ".join(f"{r.label}: {yuan(r.amount)}" for r in rows)
    return _svg(chart_id, title, desc, y, body)


# --- The figures of a fund -------------------------------------------------------------------


def local_zone() -> zoneinfo.ZoneInfo:
    """The site's time zone (Beijing): months and days of the ledger are counted in it."""
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_label(year: int, month: int) -> str:
    return _("%(year)s-%(month)s") % {"year": year, "month": f"{month:02d}"}


def month_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    months = []
    day = first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def flows(kind: str, reversed_kind: str | None, amount: Decimal) -> tuple[Decimal, Decimal]:
    """(income, expense) of one entry or sum of entries of one kind, as positive flows."""
    counted = reversed_kind if kind == LedgerEntry.Kind.REVERSAL else kind
    if counted in INCOME_KINDS:
        return amount, Decimal(0)
    if counted in EXPENSE_KINDS:
        return Decimal(0), -amount
    return Decimal(0), Decimal(0)


def fund_months(
    fund: Fund, *, until: datetime.date | None = None, months: int = MONTHS_SHOWN
) -> list[MonthBar]:
    """The fund's income and expenses for each of the last ``months`` months up to ``until``
    (today), not before the month the fund was opened. One query."""
    zone = local_zone()
    until = until or timezone.localtime(timezone.now(), zone).date()
    first = until.replace(day=1)
    for _step in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    opened = timezone.localtime(fund.created_at, zone).date().replace(day=1)
    first = max(first, opened)
    starts = month_starts(first, until)
    if not starts:
        return []
    since = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    totals: dict[tuple[int, int], list[Decimal]] = {
        (day.year, day.month): [Decimal(0), Decimal(0)] for day in starts
    }
    rows = (
        LedgerEntry.objects.filter(fund=fund, recorded_at__gte=since)
        .annotate(month=TruncMonth("recorded_at", tzinfo=zone))
        .values("month", "kind", "reverses__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        month = row["month"].astimezone(zone)
        key = (month.year, month.month)
        if key not in totals:
            continue
        income, expense = flows(
            row["kind"], row["reverses__kind"], Decimal(row["total"]).quantize(CENTS)
        )
        totals[key][0] += income
        totals[key][1] += expense
    return [
        MonthBar(month_label(day.year, day.month), *totals[(day.year, day.month)]) for day in starts
    ]


def category_bars(totals: dict[str, Decimal]) -> list[CategoryBar]:
    """Bars for spending totals keyed by expense category (``"material_use"`` for materials
    used), largest first; categories that net to nothing are left out."""
    labels: dict[str, Any] = dict(Expense.Category.choices)
    labels[LedgerEntry.Kind.MATERIAL_USE] = LedgerEntry.Kind.MATERIAL_USE.label
    rows = [
        CategoryBar(str(labels.get(key, key)), amount.quantize(Decimal("0.01")))
        for key, amount in totals.items()
        if amount != 0
    ]
    return sorted(rows, key=lambda r: (-r.amount, r.label))


def fund_categories(fund: Fund) -> list[CategoryBar]:
    """What the fund has spent, by expense category, with materials used as one more; a
    reversed expense is not counted. One query."""
    totals: dict[str, Decimal] = {}
    rows = (
        LedgerEntry.objects.filter(fund=fund, kind__in=EXPENSE_KINDS, reversed_by__isnull=True)
        .values("kind", "expense__category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        key = (
            row["expense__category"] or Expense.Category.OTHER
            if row["kind"] == LedgerEntry.Kind.EXPENSE
            else LedgerEntry.Kind.MATERIAL_USE
        )
        totals[key] = totals.get(key, Decimal(0)) - Decimal(row["total"])
    return category_bars(totals)


def fund_charts(fund: Fund) -> dict[str, Any]:
    """Both charts of a fund for its page: the figures and the SVG. Two queries."""
    months = fund_months(fund)
    categories = fund_categories(fund)
    return {
        "months": months,
        "categories": categories,
        "months_svg": income_expense_svg(months, chart_id=f"fund-{fund.pk}-months"),
        "categories_svg": category_svg(categories, chart_id=f"fund-{fund.pk}-categories"),
        "has_entries": any(m.income or m.expense for m in months) or bool(categories),
    }
