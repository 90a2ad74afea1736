"""Pure rules of grant review and reporting: scores normalised per reviewer, and the report
schedule a grant's agreement sets.

Normalisation is **min-max per reviewer**, in exact fractions: each reviewer's scores are put
on their own scale, 0 for the lowest value they gave and 1 for the highest, so a strict
reviewer and a generous one weigh the same. (A z-score would need square roots, which exact
fractions cannot hold.) A reviewer who gave one value only has no scale: their every score
counts as the middle, 1/2. An application's score is the mean over its reviewers of their
criteria-weighted mean of normalised values; only complete score sheets (every criterion
scored) count. Pages show it ×100, rounded half up to one decimal; the ranking uses the exact
fractions (ties share a rank).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

MIDDLE = Fraction(1, 2)
QUARTER_MONTHS = 3
LONG_PROJECT_MONTHS = 6  # "longer than six months": quarterly reports (Charity Law Art. 79)
FINAL_WITHIN_MONTHS = 3  # the final report within three months of the end


@dataclass
class Ranked:
    """One application's place in the table."""

    application_id: int
    score: Fraction | None  # mean of its reviewers' normalised sheets; None if no sheet
    raw: Fraction | None  # mean of its reviewers' weighted raw values (0–10)
    by_reviewer: dict[int, tuple[Fraction, Fraction]] = field(default_factory=dict)
    rank: int | None = None  # (raw weighted mean, normalised) per reviewer id


def weighted_mean(values: Mapping[int, Fraction | int], weights: Mapping[int, int]) -> Fraction:
    total = sum(weights[c] for c in values)
    return sum((Fraction(values[c]) * weights[c] for c in values), Fraction(0)) / total


def rank_applications(
    sheets: Mapping[tuple[int, int], Mapping[int, int]],
    weights: Mapping[int, int],
    application_ids: list[int],
) -> list[Ranked]:
    """``sheets[(reviewer, application)] = {criterion: value}``; incomplete sheets (missing a
    criterion of ``weights``) are left out. Returns every application, best first (ties by
    id), with competition ranks (1, 1, 3)."""
    complete = {key: sheet for key, sheet in sheets.items() if set(sheet) >= set(weights)}
    scale: dict[int, tuple[int, int]] = {}
    for (reviewer, _application), sheet in complete.items():
        values = [sheet[c] for c in weights]
        low, high = scale.get(reviewer, (min(values), max(values)))
        scale[reviewer] = (min(low, *values), max(high, *values))

    def normalised(reviewer: int, value: int) -> Fraction:
        low, high = scale[reviewer]
        return MIDDLE if high == low else Fraction(value - low, high - low)

    rows = {pk: Ranked(application_id=pk, score=None, raw=None) for pk in application_ids}
    for (reviewer, application), sheet in sorted(complete.items()):
        if application not in rows:
            continue
        raw = weighted_mean({c: sheet[c] for c in weights}, weights)
        norm = weighted_mean({c: normalised(reviewer, sheet[c]) for c in weights}, weights)
        rows[application].by_reviewer[reviewer] = (raw, norm)
    for row in rows.values():
        if row.by_reviewer:
            count = len(row.by_reviewer)
            row.raw = sum((raw for raw, _n in row.by_reviewer.values()), Fraction(0)) / count
            row.score = sum((n for _r, n in row.by_reviewer.values()), Fraction(0)) / count
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.score is None, -(r.score or 0), r.application_id),
    )
    previous: Fraction | None = None
    for place, row in enumerate(ordered, start=1):
        if row.score is None:
            continue
        if previous is None or row.score != previous:
            row.rank = place
        else:
            row.rank = ordered[place - 2].rank
        previous = row.score
    return ordered


def shown(value: Fraction | None, scale: int = 100, places: str = "0.1") -> str:
    """A fraction as pages show it: ×``scale``, rounded half up ("" for none)."""
    if value is None:
        return ""
    exact = Decimal(value.numerator * scale) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def report_schedule(
    starts_on: datetime.date, ends_on: datetime.date
) -> list[tuple[str, datetime.date]]:
    """The reports a grant owes (Charity Law Art. 79): for a project longer than six months, one
    at the end of each quarter of its run, and always a final report due three months after
    its end. ``[("quarterly", date), …, ("final", date)]``."""
    due: list[tuple[str, datetime.date]] = []
    if ends_on > add_months(starts_on, LONG_PROJECT_MONTHS):
        quarter = 1
        while (day := add_months(starts_on, QUARTER_MONTHS * quarter)) < ends_on:
            due.append(("quarterly", day))
            quarter += 1
    due.append(("final", add_months(ends_on, FINAL_WITHIN_MONTHS)))
    return due


def matching_suggestion(
    *,
    cofunding: Decimal,
    ratio: Decimal,
    cap: Decimal | None,
    requested: Decimal,
    remaining: Decimal,
) -> Decimal:
    """The programme's matching rule applied to what residents raised: ``ratio`` × raised,
    capped per application, never more than asked nor than the budget left (rounded down to
    the fen)."""
    due = (cofunding * ratio).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    limits = [due, requested, max(remaining, Decimal("0.00"))]
    if cap is not None:
        limits.append(cap)
    return min(limits)
