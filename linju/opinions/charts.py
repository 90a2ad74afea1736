"""The opinion map drawn on the server as SVG: one circle per group at the group's centre,
its area proportional to the group's size, and the viewer's own place. No other participant
is drawn: the map shows groups, never individuals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from linju.opinions.selectors import GroupView, YouView

WIDTH, HEIGHT = 360, 260
MARGIN = 8
MIN_RADIUS, MAX_RADIUS = 16.0, 54.0
# Colour-blind-safe (Okabe–Ito), dark enough for white letters.
FILLS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00")


def _radius(size: int, largest: int) -> float:
    return MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(size / max(largest, 1))


def _scaler(
    points: Sequence[tuple[float, float, float]],
) -> tuple[float, float, float]:
    """(scale, x offset, y offset) that fit every (x, y, radius) inside the picture."""
    xs = [x for x, _y, _r in points]
    ys = [y for _x, y, _r in points]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    room_x = WIDTH - 2 * (MARGIN + MAX_RADIUS)
    room_y = HEIGHT - 2 * (MARGIN + MAX_RADIUS)
    scale = min(room_x / span_x if span_x else math.inf, room_y / span_y if span_y else math.inf)
    if math.isinf(scale):
        scale = 1.0
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return scale, WIDTH / 2 - mid_x * scale, HEIGHT / 2 + mid_y * scale


def map_svg(groups: Sequence[GroupView], you: YouView | None) -> SafeString:
    """The groups as circles (letter and size inside) and "you are here", as inline SVG."""
    largest = max((g.size for g in groups), default=1)
    placed = [(g.x, g.y, _radius(g.size, largest)) for g in groups]
    if you is not None:
        placed.append((you.x, you.y, 0.0))
    if not placed:
        return SafeString("")
    scale, dx, dy = _scaler(placed)

    def at(x: float, y: float) -> tuple[str, str]:
        return f"{x * scale + dx:.1f}", f"{dy - y * scale:.1f}"  # SVG's y runs downwards

    circles = []
    for index, group in enumerate(groups):
        cx, cy = at(group.x, group.y)
        radius = f"{_radius(group.size, largest):.1f}"
        circles.append(
            (
                cx,
                cy,
                radius,
                FILLS[index % len(FILLS)],
                cx,
                cy,
                group.label,
                cx,
                f"{float(cy) + 16:.1f}",
                _("%(n)s people") % {"n": group.size},
            )
        )
    body = format_html_join(
        "",
        '<g class="opinion-group"><circle cx="{}" cy="{}" r="{}" fill="{}" fill-opacity="0.85" '
        'stroke="#1b1f24" stroke-width="1"/>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="20" font-weight="700" '
        'fill="#ffffff">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="#ffffff">{}</text></g>',
        circles,
    )
    marker = SafeString("")
    if you is not None:
        x, y = at(you.x, you.y)
        label_y = f"{float(y) - 14:.1f}"
        marker = format_html(
            '<g class="opinion-you"><circle cx="{}" cy="{}" r="9" fill="#ffffff" '
            'stroke="#1b1f24" stroke-width="3"/><circle cx="{}" cy="{}" r="3" fill="#1b1f24"/>'
            '<text x="{}" y="{}" text-anchor="middle" font-size="13" font-weight="700" '
            'fill="#1b1f24" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text></g>',
            x,
            y,
            x,
            y,
            x,
            label_y,
            _("You are here"),
        )
    title = _("The opinion map: %(n)s groups, drawn by size") % {"n": len(groups)}
    return format_html(
        '<svg class="opinion-map" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="opinion-map-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="opinion-map-title">{}</title>'
        '<rect x="0" y="0" width="{}" height="{}" rx="10" fill="#ffffff" stroke="#d5d0c4"/>'
        "{}{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        WIDTH,
        HEIGHT,
        body,
        marker,
    )
