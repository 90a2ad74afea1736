"""Pure counting rules: owners' joint decisions, residents' votes, owners' committee elections.

Sources:

- PRC Civil Code Art. 278: owners holding at least 2/3 of the exclusive area and at least 2/3
  of the owners take part; items 6-8 (raise the maintenance fund, rebuild or renovate, change
  the use of common parts) need at least 3/4 of the participating area and of the participating
  owners, every other item more than half of each.
- Civil Code Art. 1259: "以上" (at least) includes the boundary, "过半数" (more than half) does
  not.
- Supreme People's Court interpretation on building divided ownership, Arts. 8-9: one flat is one
  head, but one owner of several flats is one head (their areas summed), and all of the
  developer's unsold flats together are one head.
- Organic Law of Urban Residents' Committees, Arts. 9-10: a residents' meeting needs more than
  half of those entitled (households or adult residents) and decides by a majority of those
  present.

Everything here is arithmetic on ``Decimal`` areas and whole heads, compared as exact
``Fraction``s; a float never enters (2/3 of 0.1 + 0.2 m² must not flip a result). Nothing here
imports Django: the published record is recounted with no settings and no database. Reasons
are short codes; the pages translate them.
"""

from __future__ import annotations

import dataclasses
import decimal
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

# Sums and roundings of areas are exact: no precision limit, and anything that would need one
# raises instead of rounding quietly.
EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.Inexact, decimal.Overflow],
)
HUNDREDTH = Decimal("0.01")

CHOICES = ("agree", "disagree", "abstain")
RESIDENT_METHODS = ("single", "multiple", "ranking")
_FRACTION_TEXT = re.compile(r"([0-9]+)/([0-9]+)", re.ASCII)


def _exact(value: Decimal | int) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"an area or head count must be a Decimal or an int, not {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    return Fraction(value)


def area_sum(areas: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``areas`` (``Decimal('0')`` when empty)."""
    total = Decimal(0)
    for area in areas:
        total = EXACT.add(total, area)
    return total


def area_str(area: Decimal | int) -> str:
    """An area in plain notation with at least two decimals: 89.5 -> "89.50", 89.505 kept.

    Trailing zeros past the second decimal are dropped (89.500 -> "89.50"), so one area has
    one spelling whichever way it was written.
    """
    value = Decimal(area)
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    value = value.normalize(EXACT)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(HUNDREDTH, context=EXACT)
    return format(value, "f")


def ratio_str(part: Decimal | int, whole: Decimal | int) -> str:
    """``part/whole`` unreduced, as counted: areas with two decimals, heads as integers."""
    if isinstance(part, Decimal) or isinstance(whole, Decimal):
        return f"{area_str(part)}/{area_str(whole)}"
    return f"{part}/{whole}"


@dataclass(frozen=True)
class Threshold:
    """A share a part must reach: at least it (``inclusive``, 以上) or more than it (过半数)."""

    fraction: Fraction
    inclusive: bool

    def met(self, part: Decimal | int, whole: Decimal | int) -> bool:
        """Whether ``part/whole`` reaches the threshold, exactly; never when ``whole`` is 0."""
        exact_part, exact_whole = _exact(part), _exact(whole)
        if exact_whole <= 0:
            return False
        share = exact_part / exact_whole
        return share >= self.fraction if self.inclusive else share > self.fraction

    @property
    def label(self) -> str:
        """ "2/3", "3/4" for "at least"; ">1/2" for "more than"."""
        text = f"{self.fraction.numerator}/{self.fraction.denominator}"
        return text if self.inclusive else f">{text}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "fraction": f"{self.fraction.numerator}/{self.fraction.denominator}",
            "inclusive": self.inclusive,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Threshold:
        """The inverse of ``as_dict``; ValueError on anything else."""
        text, inclusive = data.get("fraction"), data.get("inclusive")
        match = _FRACTION_TEXT.fullmatch(text) if isinstance(text, str) else None
        if match is None or not isinstance(inclusive, bool):
            raise ValueError(f"not a threshold: {data!r}")
        numerator, denominator = int(match[1]), int(match[2])
        if denominator == 0 or not 0 < numerator <= denominator:
            raise ValueError(f"a threshold is a fraction above 0 and at most 1: {text}")
        return cls(Fraction(numerator, denominator), inclusive)


QUORUM = Threshold(Fraction(2, 3), True)
ORDINARY = Threshold(Fraction(1, 2), False)
SPECIAL = Threshold(Fraction(3, 4), True)
SPECIAL_MATTERS = frozenset({6, 7, 8})
MATTERS = range(1, 10)


def approval_threshold(matter: int) -> Threshold:
    """Art. 278: items 6-8 need at least 3/4; items 1-5 and 9 more than half."""
    if isinstance(matter, bool) or not isinstance(matter, int) or matter not in MATTERS:
        raise ValueError(f"an Art. 278 matter is an item from 1 to 9, not {matter!r}")
    return SPECIAL if matter in SPECIAL_MATTERS else ORDINARY


# Owners' joint decisions (Art. 278)


@dataclass(frozen=True)
class OwnersCount:
    """Areas and heads of all owners and of each choice. Abstaining is taking part."""

    total_area: Decimal
    total_heads: int
    agree_area: Decimal
    agree_heads: int
    disagree_area: Decimal
    disagree_heads: int
    abstain_area: Decimal
    abstain_heads: int

    @property
    def voted_area(self) -> Decimal:
        return area_sum((self.agree_area, self.disagree_area, self.abstain_area))

    @property
    def voted_heads(self) -> int:
        return self.agree_heads + self.disagree_heads + self.abstain_heads

    def as_dict(self) -> dict[str, Any]:
        return {
            choice: {
                "area": area_str(getattr(self, f"{choice}_area")),
                "heads": getattr(self, f"{choice}_heads"),
            }
            for choice in CHOICES
        }


def owners_count(
    roll: Iterable[tuple[str, str, Decimal]], choices: Mapping[str, str]
) -> OwnersCount:
    """Count a roll of ``(flat, owner, area)`` lines against each owner's choice.

    An owner is one head however many flats they hold, with their areas summed (so the
    developer, one owner id, is one head for all its flats). ``choices`` maps an owner id to
    "agree", "disagree" or "abstain"; owners missing from it did not vote. ValueError on a flat
    listed twice, an area that is not positive, an unknown choice, or a choice from an owner
    who is not on the roll.
    """
    areas: dict[str, Decimal] = {}
    flats: set[str] = set()
    for flat, owner, area in roll:
        if flat in flats:
            raise ValueError(f"flat {flat!r} is listed twice")
        flats.add(flat)
        if _exact(area) <= 0:
            raise ValueError(f"flat {flat!r}: the area must be positive, not {area}")
        areas[owner] = area_sum((areas.get(owner, Decimal(0)), Decimal(area)))
    by_choice: dict[str, list[Decimal]] = {choice: [] for choice in CHOICES}
    for owner, choice in choices.items():
        if owner not in areas:
            raise ValueError(f"owner {owner!r} is not on the roll")
        if choice not in by_choice:
            raise ValueError(f"owner {owner!r}: unknown choice {choice!r}")
        by_choice[choice].append(areas[owner])
    return OwnersCount(
        total_area=area_sum(areas.values()),
        total_heads=len(areas),
        agree_area=area_sum(by_choice["agree"]),
        agree_heads=len(by_choice["agree"]),
        disagree_area=area_sum(by_choice["disagree"]),
        disagree_heads=len(by_choice["disagree"]),
        abstain_area=area_sum(by_choice["abstain"]),
        abstain_heads=len(by_choice["abstain"]),
    )


@dataclass(frozen=True)
class OwnersResult:
    """The outcome of a count, with every reason it did not pass."""

    count: OwnersCount
    quorum_threshold: Threshold
    approval_threshold: Threshold
    quorum: bool
    passed: bool
    result: str
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The published shape: participation, approval and result, plus reasons and counts.

        Fractions are unreduced, as counted ("1234.50/1500.00", "12/15"); ``approval.passed``
        is the decision's outcome, so it is false without a quorum.
        """
        count = self.count
        return {
            "participation": {
                "area": ratio_str(count.voted_area, count.total_area),
                "heads": ratio_str(count.voted_heads, count.total_heads),
                "quorum": self.quorum,
            },
            "approval": {
                "area": ratio_str(count.agree_area, count.voted_area),
                "heads": ratio_str(count.agree_heads, count.voted_heads),
                "threshold": self.approval_threshold.label,
                "passed": self.passed,
            },
            "result": self.result,
            "reasons": list(self.reasons),
            "quorum_threshold": self.quorum_threshold.label,
            "counts": count.as_dict(),
        }


def owners_result(
    count: OwnersCount, *, quorum: Threshold = QUORUM, approval: Threshold
) -> OwnersResult:
    """Art. 278's double test, by area and by heads, for taking part and for agreeing.

    Quorum: those who voted (abstaining included) against all owners. Approval: those who
    agreed against those who voted. Without a quorum the result is "no_quorum" and nothing
    passes; the approval shares are still reported, and so are their reasons.
    """
    voted_area, voted_heads = count.voted_area, count.voted_heads
    checks = (
        ("area_quorum_not_met", quorum.met(voted_area, count.total_area)),
        ("heads_quorum_not_met", quorum.met(voted_heads, count.total_heads)),
        ("area_approval_not_met", approval.met(count.agree_area, voted_area)),
        ("heads_approval_not_met", approval.met(count.agree_heads, voted_heads)),
    )
    reasons = tuple(code for code, ok in checks if not ok)
    has_quorum = checks[0][1] and checks[1][1]
    passed = has_quorum and checks[2][1] and checks[3][1]
    return OwnersResult(
        count=count,
        quorum_threshold=quorum,
        approval_threshold=approval,
        quorum=has_quorum,
        passed=passed,
        result="passed" if passed else ("failed" if has_quorum else "no_quorum"),
        reasons=reasons,
    )


def deemed_majority(count: OwnersCount) -> str:
    """Which way the voters lean: "agree", "disagree" or "no_majority".

    "agree" when those agreeing hold more than half of the voted area and of the voted heads;
    "disagree" when they hold less than half of both; otherwise (a split, or exactly half, or
    nobody voted) "no_majority".
    """
    voted_area, voted_heads = count.voted_area, count.voted_heads
    if voted_heads == 0:
        return "no_majority"
    area_share = Fraction(count.agree_area) / Fraction(voted_area)
    heads_share = Fraction(count.agree_heads, voted_heads)
    half = Fraction(1, 2)
    if area_share > half and heads_share > half:
        return "agree"
    if area_share < half and heads_share < half:
        return "disagree"
    return "no_majority"


def owners_result_deemed(
    count: OwnersCount,
    *,
    served_area: Decimal,
    served_heads: int,
    quorum: Threshold = QUORUM,
    approval: Threshold,
) -> tuple[OwnersResult, str]:
    """The tally under "deemed consent" (未表决视为同意多数), and which way it went.

    ``served_area``/``served_heads`` are the owners who did not vote but were served the
    notice. They are counted as voters with the majority of those who did vote (see
    ``deemed_majority``); with no majority nobody is added. Estates' rules and courts
    disagree on this rule, so it is always shown next to the strict tally, never instead.
    """
    if served_heads < 0 or _exact(served_area) < 0:
        raise ValueError("served owners cannot be negative")
    if served_heads > count.total_heads - count.voted_heads or _exact(served_area) > _exact(
        count.total_area
    ) - _exact(count.voted_area):
        raise ValueError("more owners were served than did not vote")
    majority = deemed_majority(count)
    if majority == "agree":
        count = dataclasses.replace(
            count,
            agree_area=area_sum((count.agree_area, served_area)),
            agree_heads=count.agree_heads + served_heads,
        )
    elif majority == "disagree":
        count = dataclasses.replace(
            count,
            disagree_area=area_sum((count.disagree_area, served_area)),
            disagree_heads=count.disagree_heads + served_heads,
        )
    return owners_result(count, quorum=quorum, approval=approval), majority


# Residents' votes (居委会组织法 Arts. 9-10): one vote per household or per adult resident.


@dataclass(frozen=True)
class ResidentsResult:
    entitled: int
    participants: int
    quorum_threshold: Threshold
    quorum: bool
    method: str
    counts: dict[str, int]
    scores: dict[str, int]
    order: list[str]
    winners: list[str]
    result: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "entitled": self.entitled,
            "participants": self.participants,
            "participation": ratio_str(self.participants, self.entitled),
            "quorum_threshold": self.quorum_threshold.label,
            "quorum": self.quorum,
            "method": self.method,
            "counts": dict(self.counts),
            "scores": dict(self.scores),
            "order": list(self.order),
            "winners": list(self.winners),
            "result": self.result,
        }


def residents_result(
    *,
    entitled: int,
    options: Sequence[str],
    ballots: Iterable[Sequence[str]],
    method: str,
    quorum: Threshold = ORDINARY,
) -> ResidentsResult:
    """Count a residents' vote; every ballot (a blank one too) is one participant.

    - single: the option chosen on more than half of the ballots wins;
    - multiple: every option chosen on more than half of the ballots wins;
    - ranking: Borda count (with m options the first place gets m-1 points, the next m-2, ...,
      unranked options 0); the highest score wins if no other option shares it.

    Without a quorum nobody wins ("no_quorum"). With no winner, the result is "tie" when two
    or more options share the top score (above zero), else "no_majority". ``order`` lists the
    options best first, equal scores in the order given. ValueError on an unknown method, an
    option not in ``options``, an option twice on one ballot, a single-choice ballot with more
    than one option, or more ballots than people entitled.
    """
    if method not in RESIDENT_METHODS:
        raise ValueError(f"unknown method {method!r}")
    if len(set(options)) != len(options):
        raise ValueError("options must be distinct")
    if entitled < 0:
        raise ValueError("the number of people entitled cannot be negative")
    known = set(options)
    counts = dict.fromkeys(options, 0)
    borda = dict.fromkeys(options, 0)
    participants = 0
    for number, ballot in enumerate(ballots):
        choices = list(ballot)
        unknown = [key for key in choices if key not in known]
        if unknown:
            raise ValueError(f"ballot {number}: unknown option {unknown[0]!r}")
        if len(set(choices)) != len(choices):
            raise ValueError(f"ballot {number}: an option is chosen twice")
        if method == "single" and len(choices) > 1:
            raise ValueError(f"ballot {number}: a single-choice ballot has one option")
        participants += 1
        for place, key in enumerate(choices):
            counts[key] += 1
            borda[key] += len(options) - 1 - place
    if participants > entitled:
        raise ValueError("more ballots than people entitled to vote")
    scores = borda if method == "ranking" else dict(counts)
    position = {key: index for index, key in enumerate(options)}
    order = sorted(options, key=lambda key: (-scores[key], position[key]))
    has_quorum = quorum.met(participants, entitled)
    top = [key for key in order if scores[key] == scores[order[0]]] if order else []
    if method == "ranking":
        winners = top if len(top) == 1 else []
    else:
        winners = [key for key in order if ORDINARY.met(counts[key], participants)]
    if not has_quorum:
        winners, result = [], "no_quorum"
    elif winners:
        result = "passed"
    elif len(top) > 1 and scores[top[0]] > 0:
        result = "tie"
    else:
        result = "no_majority"
    return ResidentsResult(
        entitled=entitled,
        participants=participants,
        quorum_threshold=quorum,
        quorum=has_quorum,
        method=method,
        counts=counts,
        scores=scores,
        order=order,
        winners=winners,
        result=result,
    )


# Owners' committee elections (Art. 278 item 3): approval voting for up to `seats` candidates.


@dataclass(frozen=True)
class ElectionResult:
    total_area: Decimal
    total_heads: int
    voted_area: Decimal
    voted_heads: int
    quorum: bool
    candidates: list[dict[str, Any]]
    lots: list[dict[str, list[str]]]
    seated: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "participation": {
                "area": ratio_str(self.voted_area, self.total_area),
                "heads": ratio_str(self.voted_heads, self.total_heads),
                "quorum": self.quorum,
            },
            "quorum_threshold": QUORUM.label,
            "threshold": ORDINARY.label,
            "candidates": [
                {**candidate, "area": area_str(candidate["area"])} for candidate in self.candidates
            ],
            "lots": [{"tied": list(lot["tied"]), "drawn": list(lot["drawn"])} for lot in self.lots],
            "seated": list(self.seated),
        }


def election_result(
    *,
    total_area: Decimal,
    total_heads: int,
    voted_area: Decimal,
    voted_heads: int,
    approvals: Mapping[str, tuple[Decimal, int]],
    seats: int,
    draw: Callable[[list[str]], list[str]],
) -> ElectionResult:
    """Who is elected and who takes a seat.

    With a quorum (2/3 of area and heads voted), a candidate approved by more than half of
    the voted area and of the voted heads is elected. Seats go to the elected with the most
    heads, then the most area; when candidates tie for the last seats, ``draw`` gets their keys
    (sorted) and returns them in the order drawn, and the lot is recorded. Candidates are
    listed in that order (seated first), then the others by heads, area and key.
    """
    if seats < 0:
        raise ValueError("seats cannot be negative")
    if not 0 <= voted_heads <= total_heads or not 0 <= _exact(voted_area) <= _exact(total_area):
        raise ValueError("more owners voted than there are")
    for key, (area, heads) in approvals.items():
        if not 0 <= heads <= voted_heads or not 0 <= _exact(area) <= _exact(voted_area):
            raise ValueError(f"candidate {key!r} is approved by more owners than voted")
    has_quorum = QUORUM.met(voted_area, total_area) and QUORUM.met(voted_heads, total_heads)

    def elected(key: str) -> bool:
        area, heads = approvals[key]
        return has_quorum and ORDINARY.met(area, voted_area) and ORDINARY.met(heads, voted_heads)

    def strength(key: str) -> tuple[int, Fraction]:
        area, heads = approvals[key]
        return heads, _exact(area)

    ranked = sorted(approvals, key=lambda key: (-strength(key)[0], -strength(key)[1], key))
    winners = [key for key in ranked if elected(key)]
    others = [key for key in ranked if not elected(key)]
    lots: list[dict[str, list[str]]] = []
    if len(winners) > seats:
        boundary = strength(winners[seats - 1]) if seats else None
        tied = sorted(key for key in winners if strength(key) == boundary)
        if tied and any(winners.index(key) >= seats for key in tied):
            drawn = list(draw(list(tied)))
            if sorted(drawn) != tied:
                raise ValueError("the draw must return the tied candidates, each once")
            lots.append({"tied": tied, "drawn": drawn})
            start = winners.index(tied[0])
            winners[start : start + len(tied)] = drawn
    seated = winners[:seats]
    candidates = [
        {
            "key": key,
            "area": approvals[key][0],
            "heads": approvals[key][1],
            "elected": elected(key),
            "seat": key in seated,
        }
        for key in winners + others
    ]
    return ElectionResult(
        total_area=total_area,
        total_heads=total_heads,
        voted_area=voted_area,
        voted_heads=voted_heads,
        quorum=has_quorum,
        candidates=candidates,
        lots=lots,
        seated=seated,
    )
