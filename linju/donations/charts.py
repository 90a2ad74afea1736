"""The dashboard's charts, drawn on the server as SVG like the funds' charts
(``linju.funding.charts``): each chart is one ``<svg role="img">`` whose ``<desc>`` says every
figure in words, and each bar carries its figure as text."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from linju.donations.selectors import Dashboard
from linju.funding.charts import FONT, FONT_SIZE, INCOME_COLOUR, TEXT_COLOUR, CategoryBar
from linju.funding.charts import category_svg as money_svg

WIDTH = 480
BAR = 20
GAP = 10
VALUE_ROOM = 60


def _width(text: str) -> int:
    wide = sum(1 for c in text if ord(c) > 0x2E80)
    return int(FONT_SIZE * wide + FONT_SIZE * Decimal("0.62") * (len(text) - wide)) + 1


def count_svg(rows: Sequence[tuple[str, int]], *, chart_id: str, title: str) -> SafeString:
    """One horizontal bar per label, its count written after it."""
    ident = escape(chart_id)
    desc = "; ".join(f"{label}: {count}" for label, count in rows) or _("Nothing to show yet.")
    label_room = max((_width(label) for label, _count in rows), default=0) + 12
    room = WIDTH - label_room - VALUE_ROOM
    top = max((count for _label, count in rows), default=0)
    body, y = [], 6
    for label, count in rows:
        length = count * room // top if top else 0
        body.append(f'<text x="0" y="{y + BAR - 3}">{escape(label)}</text>')
        if length:
            body.append(
                f'<rect class="bar" x="{label_room}" y="{y}" width="{length}" height="{BAR}" '
                f'fill="{INCOME_COLOUR}"/>'
            )
        body.append(f'<text x="{label_room + length + 6}" y="{y + BAR - 3}">{count}</text>')
        y += BAR + GAP
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id={quoteattr(chart_id)} '
        f'viewBox="0 0 {WIDTH} {max(y, 40)}" width="100%" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family={quoteattr(FONT)} '
        f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
    )
    # Labels went through escape()/quoteattr(); the numbers are integers.
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308


def dashboard_charts(board: Dashboard) -> dict[str, SafeString]:
    estates = [row for row in board.estates if row.money.raised or row.money.granted]
    return {
        "raised": money_svg(
            [CategoryBar(row.estate.name, row.money.raised) for row in estates],
            chart_id="chart-raised",
            title=_("Raised by residents, per estate"),
        ),
        "granted": money_svg(
            [CategoryBar(row.estate.name, row.money.granted) for row in estates],
            chart_id="chart-granted",
            title=_("Granted by the foundation, per estate"),
        ),
        "stages": count_svg(
            [(label, count) for _status, label, count in board.stages if count],
            chart_id="chart-stages",
            title=_("Applications by stage"),
        ),
    }
