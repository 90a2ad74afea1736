"""Charts of a consultation's results, drawn on the server as SVG.

Like the funds' charts (``linju.funding.charts``): no JavaScript and no charting library; each
chart is one ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` saying every figure in
words, and each bar carries its count and share as text, so a screen reader, a phone and a
printout give the same numbers as the picture. Shares are exact fractions until they are
written out, to one decimal place, rounded half up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BAR_COLOUR = "#1f5fa8"
TOP_COLOUR = "#b35900"  # the most chosen answer stands out, in a colour-blind-safe pair
TEXT_COLOUR = "#222222"
FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"
FONT_SIZE = 16
WIDTH = 300  # drawn at about its own size on a phone: text stays readable
BAR = 18
ROW_GAP = 8
LABEL_MAX = 16  # characters of a label on the chart's own line; longer ones are cut with "…"
VALUE_ROOM = 112  # room right of the longest bar for "1,234 · 45.6%"
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its count and, where it has one, its share (0 to 1)."""

    label: str
    count: int
    share: Fraction | None = None
    top: bool = False


def percent(share: Fraction | None) -> str:
    """``Fraction(1, 3)`` → ``"33.3%"`` (half up); None → ``"–"``."""
    if share is None:
        return "–"
    value = (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(
        TENTH, rounding=ROUND_HALF_UP
    )
    return f"{value}%"


def _num(value: Decimal | int) -> str:
    return str(Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP).normalize())


def _text_width(text: str, size: int = FONT_SIZE) -> int:
    """A generous estimate: CJK characters are a full em wide, Latin ones about 0.6."""
    wide = sum(1 for c in text if ord(c) > 0x2E80)
    return int(size * wide + size * Decimal("0.62") * (len(text) - wide)) + 1


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> SafeString:
    ident = escape(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id={quoteattr(chart_id)} '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family={quoteattr(FONT)} font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
    )
    # Every piece of text above went through escape()/quoteattr(); numbers are formatted here.
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308


def _text(x: int | Decimal, y: int | Decimal, text: str) -> str:
    return f'<text x="{_num(x)}" y="{_num(y)}">{escape(text)}</text>'


def figure(bar: Bar) -> str:
    """``"12 · 40.0%"``, or the count alone for a bar without a share."""
    count = f"{bar.count:,}"
    return count if bar.share is None else f"{count} · {percent(bar.share)}"


def bars_svg(
    bars: Sequence[Bar], *, chart_id: str, title: str, by_share: bool = False
) -> SafeString:
    """Horizontal bars, one per row, each with its label above it and its count (and share)
    at its end. Lengths follow the counts (the longest bar is the largest count), or the shares
    with ``by_share`` (a full-width bar is 100%, for response rates)."""
    if not bars:
        note = _("No answers yet.")
        return _svg(chart_id, title, note, 40, [_text(0, 26, note)])
    room = WIDTH - VALUE_ROOM
    top = max(bar.count for bar in bars)
    body: list[str] = []
    y = 0
    for bar in bars:
        y += FONT_SIZE + 2
        body.append(_text(0, y, _short(bar.label)))
        y += 4
        if by_share:
            fraction = bar.share or Fraction(0)
            length = Decimal(fraction.numerator) * room / Decimal(fraction.denominator)
        else:
            length = Decimal(bar.count) * room / top if top else Decimal(0)
        if bar.count:
            length = max(length, Decimal(2))
        if length:
            colour = TOP_COLOUR if bar.top else BAR_COLOUR
            kind = "bar top" if bar.top else "bar"
            body.append(
                f'<rect class="{kind}" x="0" y="{y}" width="{_num(length)}" '
                f'height="{BAR}" fill="{colour}"/>'
            )
        body.append(_text(length + 6, y + BAR - 3, figure(bar)))
        y += BAR + ROW_GAP
    desc = "; ".join(f"{bar.label}: {figure(bar)}" for bar in bars)
    return _svg(chart_id, title, desc, y, body)
