"""Participatory-budgeting rules: greedy by votes, the Method of Equal Shares (MES), its "Add1"
completion, the greedy completion ("Add1U") and the comparison step.

Sources:

- Peters, Pierczyński, Skowron, "Proportional Participatory Budgeting with Additive
  Utilities" (NeurIPS 2021), and equalshares.net: MES gives every voter an equal share of the
  budget; a project is bought by its supporters, each paying the same amount or all they have
  left; the project bought next is the one whose largest payment per unit of utility (its
  "rho") is smallest.
- pabutools 1.2.3 (the reference library behind equalshares.net and Pabulib), whose
  definitions are followed in every detail, so that both give the same outcome:
  ``method_of_equal_shares(..., sat_class=Cost_Sat)`` (a voter's utility for a project is its
  cost if they approve it; projects nobody approves, and projects costing 0, which are worth
  nothing under cost utilities, are never bought; ties between equal rhos go to the smaller
  project id compared as text: "10" before "9"); ``exhaustion_by_budget_increase`` with
  ``budget_step`` = the number of voters (Add1: every voter's endowment, budget / voters to
  begin with, is raised by 1 currency unit at a time; the last outcome that still fits the
  real budget is kept; with ``exhaustive_stop`` the first outcome that no further project
  would fit ends it too; it also stops once the total budget would pass budget x (voters + 1));
  ``greedy_utilitarian_welfare(..., sat_class=Cost_Sat)`` (greedy by votes: projects in order
  of votes, ties to the smaller id as text, each bought if it still fits, projects nobody
  voted for included; a project costing 0 is ordered among those with no votes, and always
  bought); ``completion_by_rule_combination`` (Add1, then greedy over what is left);
  ``popularity_comparison`` (the comparison step of Wieliczka's Green Budget, 2023: the MES
  outcome is kept unless more voters prefer the greedy outcome, a voter preferring the outcome
  that funds more of the cost of the projects they approve).
- Greedy ignores META thresholds such as ``min_project_score_threshold``, as pabutools does.

Everything is exact: costs and the budget are ``Decimal``; endowments, payments and rhos are
``Fraction``. The computation keeps voters' money as integers over one common denominator,
and voters whose remaining money is known to be equal (same ballot, or the same approved
projects among those bought so far) as one group, so a city's 70,000 ballots are counted in a
fraction of a second. Results are plain data; reasons are codes, the caller words them.
"""

from __future__ import annotations

import decimal
import enum
import heapq
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from itertools import chain, repeat
from math import gcd
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linju.foundation.pb.pbfile import Election

# Sums of costs are exact: no precision limit, and anything that would need one raises.
EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation],
)


class Rule(enum.StrEnum):
    GREEDY = "greedy"
    MES = "mes"
    MES_ADD1 = "mes-add1"
    MES_ADD1U = "mes-add1u"


class Stage(enum.StrEnum):
    """Which computation bought a project."""

    MES = "mes"
    GREEDY = "greedy"


class Reason(enum.StrEnum):
    """Why a project was not bought."""

    NO_SUPPORTERS = "no_supporters"  # nobody voted for it (MES never buys it)
    NO_UTILITY = "no_utility"  # it costs 0, so it is worth nothing under cost utilities (MES)
    SUPPORTERS_SHORT = "supporters_short"  # its supporters' remaining money was short (MES)
    DID_NOT_FIT = "did_not_fit"  # it cost more than the budget left at its turn (greedy)


class RuleError(ValueError):
    """The rule cannot count these ballots (cumulative ballots: greedy only; ordinal: none)."""

    def __init__(self, *, rule: Rule, vote_type: str) -> None:
        super().__init__(f"{rule} cannot count {vote_type} ballots")
        self.rule = rule
        self.vote_type = vote_type


@dataclass(frozen=True)
class ProjectResult:
    project_id: str
    cost: Decimal
    votes: Decimal  # approvals, or points for cumulative ballots
    selected: bool
    stage: Stage | None = None  # for a bought project
    round: int | None = None  # 1-based order of purchase, over all stages
    rho: Fraction | None = None  # MES: the largest payment per unit of utility (of cost)
    reason: Reason | None = None  # for a project not bought
    shortfall: Fraction | None = None  # how much money was missing (SUPPORTERS_SHORT, DID_NOT_FIT)


@dataclass(frozen=True)
class Comparison:
    """The comparison step: how many voters prefer each outcome (ties keep MES)."""

    prefer_mes: int
    prefer_greedy: int
    indifferent: int

    @property
    def greedy_won(self) -> bool:
        return self.prefer_greedy > self.prefer_mes


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    selected: tuple[str, ...]  # in the order bought
    cost: Decimal
    # Each voter's endowment in the MES run that gave the outcome; None for greedy (and when
    # the comparison step kept greedy's outcome) or when there are no voters.
    endowment: Fraction | None
    projects: tuple[ProjectResult, ...]  # every project, in the election's order
    increments: int | None = None  # Add1: how many times the endowment was raised by 1
    comparison: Comparison | None = None


@dataclass(frozen=True)
class Instance:
    """An election as the rules see it: project i is ``project_ids[i]``; each ballot lists the
    indices of the projects it supports, each once."""

    budget: Decimal
    project_ids: tuple[str, ...]
    costs: tuple[Decimal, ...]
    ballots: tuple[tuple[int, ...], ...]
    scores: tuple[Decimal, ...]  # per project: approvals, or points for cumulative ballots
    vote_type: str = "approval"
    _engine: list[_MesEngine] = field(default_factory=list, compare=False, repr=False)

    @property
    def voters(self) -> int:
        return len(self.ballots)


def instance_from_election(election: Election) -> Instance:
    """The rules' view of a ``.pb`` election."""
    index = {project.project_id: i for i, project in enumerate(election.projects)}
    ballots = tuple(tuple(dict.fromkeys(index[p] for p in b.projects)) for b in election.ballots)
    if election.vote_type == "cumulative":
        points = [Decimal(0)] * len(index)
        for ballot in election.ballots:
            for project_id, given in zip(ballot.projects, ballot.points or (), strict=True):
                points[index[project_id]] = EXACT.add(points[index[project_id]], given)
        scores = tuple(points)
    else:
        scores = _approvals(len(index), ballots)
    return Instance(
        budget=election.budget,
        project_ids=tuple(index),
        costs=tuple(project.cost for project in election.projects),
        ballots=ballots,
        scores=scores,
        vote_type=election.vote_type,
    )


def instance_build(
    *, budget: Decimal, costs: Mapping[str, Decimal], ballots: Iterable[Iterable[str]]
) -> Instance:
    """An approval election: ``costs`` in project order, each ballot the ids it approves."""
    index = {project_id: i for i, project_id in enumerate(costs)}
    approvals = tuple(tuple(dict.fromkeys(index[p] for p in ballot)) for ballot in ballots)
    return Instance(
        budget=budget,
        project_ids=tuple(costs),
        costs=tuple(costs.values()),
        ballots=approvals,
        scores=_approvals(len(index), approvals),
    )


def _approvals(projects: int, ballots: Iterable[tuple[int, ...]]) -> tuple[Decimal, ...]:
    counts = [0] * projects
    for ballot in ballots:
        for j in ballot:
            counts[j] += 1
    return tuple(Decimal(count) for count in counts)


def outcome_compute(
    instance: Instance, *, rule: Rule, exhaustive_stop: bool = False, comparison: bool = False
) -> Outcome:
    """The outcome of ``rule``; with ``comparison``, the comparison step against greedy.

    ``exhaustive_stop`` applies to Add1 and Add1U only. Raises ``RuleError`` for ballots the
    rule cannot count, ``ValueError`` for a comparison asked of greedy."""
    if instance.vote_type == "ordinal" or (
        instance.vote_type == "cumulative" and rule != Rule.GREEDY
    ):
        raise RuleError(rule=rule, vote_type=instance.vote_type)
    if rule == Rule.GREEDY:
        if comparison:
            raise ValueError("the comparison step compares an MES outcome with greedy")
        return greedy(instance)
    if rule == Rule.MES:
        outcome = mes(instance)
    else:
        outcome = mes_add1(
            instance, exhaustive_stop=exhaustive_stop, completion=rule == Rule.MES_ADD1U
        )
    return comparison_apply(instance, outcome) if comparison else outcome


# --- Greedy ---------------------------------------------------------------------------------


def greedy(instance: Instance) -> Outcome:
    """Greedy by votes (points for cumulative ballots) over the whole budget."""
    bought, results = _greedy_complete(instance, bought=[], results={})
    return _outcome(instance, Rule.GREEDY, bought, results, endowment=None)


def _greedy_order(instance: Instance) -> list[int]:
    # pabutools orders by votes x cost / cost, which is 0 for a project costing 0.
    def key(j: int) -> tuple[Decimal, str]:
        score = instance.scores[j] if instance.costs[j] > 0 else Decimal(0)
        return -score, instance.project_ids[j]

    return sorted(range(len(instance.project_ids)), key=key)


def _greedy_complete(
    instance: Instance, *, bought: list[int], results: dict[int, ProjectResult]
) -> tuple[list[int], dict[int, ProjectResult]]:
    """``bought`` completed greedily; ``results`` gains an entry for every other project."""
    bought = list(bought)
    results = dict(results)
    taken = set(bought)
    remaining = EXACT.subtract(instance.budget, _total(instance, bought))
    for j in _greedy_order(instance):
        if j in taken:
            continue
        cost = instance.costs[j]
        if cost <= remaining:
            bought.append(j)
            remaining = EXACT.subtract(remaining, cost)
            results[j] = _result(instance, j, selected=True, stage=Stage.GREEDY, round=len(bought))
        else:
            shortfall = Fraction(EXACT.subtract(cost, remaining))
            results[j] = _result(
                instance, j, selected=False, reason=Reason.DID_NOT_FIT, shortfall=shortfall
            )
    return bought, results


# --- The Method of Equal Shares --------------------------------------------------------------


def mes(instance: Instance) -> Outcome:
    """MES with cost utilities; each voter's endowment is budget / voters."""
    if instance.voters == 0:
        return _outcome(instance, Rule.MES, [], _unfunded(instance, None), endowment=None)
    engine = _engine(instance)
    run = engine.run(engine.endowment_units(0), explain=True)
    return _outcome(
        instance, Rule.MES, run.bought, engine.results(run), endowment=engine.endowment(0)
    )


def mes_add1(
    instance: Instance, *, exhaustive_stop: bool = False, completion: bool = False
) -> Outcome:
    """MES completed by Add1 (and, with ``completion``, then by greedy: Add1U).

    The endowment starts at budget / voters and rises by 1 while the outcome fits the budget;
    the last outcome that fits is kept (with ``exhaustive_stop``, also the first one that no
    further project would fit). With no voters, the outcome is empty."""
    rule = Rule.MES_ADD1U if completion else Rule.MES_ADD1
    if instance.voters == 0:
        bought: list[int] = []
        results = _unfunded(instance, None)
        increments: int | None = None
        endowment = None
    else:
        engine = _engine(instance)
        increments = engine.add1(exhaustive_stop=exhaustive_stop)
        run = engine.run(engine.endowment_units(increments), explain=True)
        bought, results = run.bought, engine.results(run)
        endowment = engine.endowment(increments)
    if completion:
        bought, results = _greedy_complete(instance, bought=bought, results=results)
    return _outcome(instance, rule, bought, results, endowment=endowment, increments=increments)


def comparison_apply(instance: Instance, outcome: Outcome) -> Outcome:
    """The comparison step: ``outcome`` (an MES outcome) unless more voters prefer greedy's."""
    greedy_outcome = greedy(instance)
    index = {project_id: i for i, project_id in enumerate(instance.project_ids)}
    mes_only = {index[p] for p in outcome.selected} - {index[p] for p in greedy_outcome.selected}
    greedy_only = {index[p] for p in greedy_outcome.selected} - {index[p] for p in outcome.selected}
    prefer_mes = prefer_greedy = 0
    for ballot in instance.ballots:
        difference = EXACT.subtract(
            _total(instance, (j for j in ballot if j in greedy_only)),
            _total(instance, (j for j in ballot if j in mes_only)),
        )
        if difference > 0:
            prefer_greedy += 1
        elif difference < 0:
            prefer_mes += 1
    result = Comparison(
        prefer_mes=prefer_mes,
        prefer_greedy=prefer_greedy,
        indifferent=instance.voters - prefer_mes - prefer_greedy,
    )
    kept = greedy_outcome if result.greedy_won else outcome
    return Outcome(
        rule=outcome.rule,
        selected=kept.selected,
        cost=kept.cost,
        endowment=kept.endowment,
        projects=kept.projects,
        increments=kept.increments,
        comparison=result,
    )


def _result(
    instance: Instance,
    j: int,
    *,
    selected: bool,
    stage: Stage | None = None,
    round: int | None = None,
    rho: Fraction | None = None,
    reason: Reason | None = None,
    shortfall: Fraction | None = None,
) -> ProjectResult:
    return ProjectResult(
        project_id=instance.project_ids[j],
        cost=instance.costs[j],
        votes=instance.scores[j],
        selected=selected,
        stage=stage,
        round=round,
        rho=rho,
        reason=reason,
        shortfall=shortfall,
    )


def _total(instance: Instance, projects: Iterable[int]) -> Decimal:
    total = Decimal(0)
    for j in projects:
        total = EXACT.add(total, instance.costs[j])
    return total


def _unfunded(
    instance: Instance, shortfalls: Sequence[Fraction] | None
) -> dict[int, ProjectResult]:
    """MES's reasons for the projects it did not buy (``shortfalls`` per project, if run)."""
    results = {}
    for j in range(len(instance.project_ids)):
        if instance.scores[j] == 0:
            reason, shortfall = Reason.NO_SUPPORTERS, None
        elif instance.costs[j] == 0:
            reason, shortfall = Reason.NO_UTILITY, None
        else:
            reason = Reason.SUPPORTERS_SHORT
            shortfall = shortfalls[j] if shortfalls is not None else Fraction(instance.costs[j])
        results[j] = _result(instance, j, selected=False, reason=reason, shortfall=shortfall)
    return results


def _outcome(
    instance: Instance,
    rule: Rule,
    bought: list[int],
    results: Mapping[int, ProjectResult],
    *,
    endowment: Fraction | None,
    increments: int | None = None,
) -> Outcome:
    return Outcome(
        rule=rule,
        selected=tuple(instance.project_ids[j] for j in bought),
        cost=_total(instance, bought),
        endowment=endowment,
        projects=tuple(results[j] for j in range(len(instance.project_ids))),
        increments=increments,
    )


def _payment(
    group_counts: Mapping[int, int], money: list[int], cost: int
) -> tuple[int, int] | None:
    """What each supporter who pays in full pays for a project of ``cost`` units, as
    (numerator, denominator), or None if its supporters cannot pay for it together.

    Supporters are taken from the poorest: while the poorest cannot pay an equal share of what
    is left, they pay all they have."""
    rest = cost
    rich = sum(group_counts.values())
    for amount, weight in sorted([(money[g], weight) for g, weight in group_counts.items()]):
        if amount * rich >= rest:
            return rest, rich
        rest -= amount * weight
        rich -= weight
    return None


def _exponent(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or number < 0:
        raise ValueError(f"{number} is not a cost")
    return exponent


def _engine(instance: Instance) -> _MesEngine:
    # Built once per instance: Add1 runs MES many times on the same ballots.
    if not instance._engine:
        instance._engine.append(_MesEngine(instance))
    return instance._engine[0]


@dataclass
class _Run:
    bought: list[int]
    rhos: list[Fraction]
    # For explanations: the groups' money and each ballot type's group at the end.
    money: list[int]
    group_of: list[int]
    denominator: int


class _MesEngine:
    """MES on one instance, for any endowment.

    Money is counted in integer units of 1 / (voters x 10^d x D): 10^d makes every cost and the
    budget whole (d = their most decimals), voters makes budget / voters whole, and D, the
    common denominator of the payments so far, grows when a payment is not whole (all money is
    then multiplied up). Identical ballots are one *type* with a weight (its voters). Types
    whose money is equal for certain (they approve the same projects among those bought so
    far) share a *group*, which holds their money: when a project is bought, a group whose
    types all support it pays as one; otherwise its supporting types move to a new group.
    Group 0 holds the types with no money left. A project's rho needs only its supporters'
    weight per group, sorted by the groups' money.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        exponents = [_exponent(cost) for cost in (*instance.costs, instance.budget)]
        self.scale = 10 ** max(0, *(-exponent for exponent in exponents))
        self.voters = instance.voters
        self.budget_units = int(EXACT.multiply(instance.budget, self.scale))
        self.cost_units = [int(EXACT.multiply(cost, self.scale)) for cost in instance.costs]
        # Projects MES can buy: someone approves them and they cost something.
        self.eligible = [
            j for j, cost in enumerate(self.cost_units) if cost > 0 and instance.scores[j] > 0
        ]
        eligible = set(self.eligible)
        everything_eligible = len(eligible) == len(self.cost_units)
        # Identical ballots are one type (the same projects in another order would be another
        # type, which is merely slower, never wrong).
        types: Counter[tuple[int, ...]] = Counter(instance.ballots)
        if not everything_eligible:
            types = Counter()
            for ballot, voters in Counter(instance.ballots).items():
                types[tuple(j for j in ballot if j in eligible)] += voters
        types.pop((), None)  # ballots supporting nothing MES can buy
        self.type_ballots = list(types)
        self.type_weights = weights = list(types.values())
        self.supporter_types: dict[int, list[int]] = {j: [] for j in self.eligible}
        for t, ballot in enumerate(self.type_ballots):
            for j in ballot:
                self.supporter_types[j].append(t)
        # Each supporting type repeated as many times as it has voters: counting their groups
        # with ``Counter`` gives the groups' weights at C speed.
        self.weighted_supporters = {
            j: list(chain.from_iterable(map(repeat, types, map(weights.__getitem__, types))))
            for j, types in self.supporter_types.items()
        }
        self.support_weight = {j: len(weighted) for j, weighted in self.weighted_supporters.items()}

    def endowment_units(self, increments: int) -> int:
        return self.budget_units + increments * self.voters * self.scale

    def endowment(self, increments: int) -> Fraction:
        return Fraction(self.endowment_units(increments), self.voters * self.scale)

    def add1(self, *, exhaustive_stop: bool) -> int:
        """How many increments of 1 the Add1 outcome's endowment has."""
        budget = self.budget_units
        # pabutools' bound: the total budget may grow to budget x (voters + 1).
        last = int(self.instance.budget)
        everything = sum(self.cost_units[j] for j in self.eligible)
        costs_sorted: list[int] = sorted(self.cost_units)
        previous = 0
        for increments in range(last + 1):
            endowment = self.endowment_units(increments)
            run = self.run(endowment)
            cost = sum(self.cost_units[j] for j in run.bought)
            if cost > budget:
                return previous
            if exhaustive_stop and self._exhaustive(run.bought, cost, costs_sorted):
                return increments
            if endowment >= everything * self.voters:
                # Every voter alone could pay for every project MES can buy: from here on the
                # outcome is always all of them, so the bound ends the loop.
                return last
            previous = increments
        return previous

    def _exhaustive(self, bought: list[int], cost: int, costs_sorted: list[int]) -> bool:
        left = self.budget_units - cost
        taken = sorted(self.cost_units[j] for j in bought)
        # The cheapest project not bought: walk both sorted lists.
        i = 0
        for unit in costs_sorted:
            if i < len(taken) and taken[i] == unit:
                i += 1
                continue
            return unit > left
        return True

    def run(self, endowment: int, *, explain: bool = False) -> _Run:
        """One run of MES with ``endowment`` units for every voter."""
        voters = self.voters
        cost_units = self.cost_units
        ids = self.instance.project_ids
        weighted = self.weighted_supporters
        supporter_types = self.supporter_types
        denominator = 1
        # Group 0 holds the types with no money left; all others start in group 1.
        money = [0, endowment]
        size = [0, len(self.type_ballots)]
        group_of = [1] * len(self.type_ballots)
        payment: list[tuple[int, int]] = [(0, 0)] * len(cost_units)
        fresh = [0] * len(cost_units)
        # Ordered by rho, then id as text. The float (correctly rounded, so never out of
        # order) makes most comparisons cheap; equal floats fall back to the exact Fraction.
        heap: list[tuple[float, Fraction, str, int]] = []
        for j in self.eligible:
            supporters = self.support_weight[j]
            if endowment * supporters >= cost_units[j] * voters:
                payment[j] = (cost_units[j] * voters, supporters)
                heap.append((1 / supporters, Fraction(1, supporters), ids[j], j))
        heapq.heapify(heap)
        bought: list[int] = []
        rhos: list[Fraction] = []
        while heap:
            entry = heapq.heappop(heap)
            j = entry[3]
            if fresh[j] != len(bought):
                counts = Counter(map(group_of.__getitem__, weighted[j]))
                computed = _payment(counts, money, cost_units[j] * voters * denominator)
                if computed is None:
                    continue
                payment[j] = computed
                fresh[j] = len(bought)
                rest, rich = computed
                whole = rich * cost_units[j] * voters * denominator
                heapq.heappush(heap, (rest / whole, Fraction(rest, whole), entry[2], j))
                continue
            # j is bought: its rho is exact and no other project's can be smaller.
            bought.append(j)
            rhos.append(entry[1])
            rest, rich = payment[j]
            common = gcd(rest, rich)
            price, rich = rest // common, rich // common
            if rich != 1:
                denominator *= rich
                money = [amount * rich for amount in money]
            # Every supporter pays the price, or all they have if less. A group whose types
            # all support j stays whole; otherwise its supporters move to a new group.
            paying = Counter(map(group_of.__getitem__, supporter_types[j]))
            moves: dict[int, int] = {}
            for g, number in paying.items():
                if g == 0:
                    continue
                left = money[g] - price if money[g] > price else 0
                if number == size[g] and left:
                    money[g] = left
                    continue
                if left:
                    moves[g] = len(money)
                    money.append(left)
                    size.append(number)
                else:
                    moves[g] = 0
                    size[0] += number
                size[g] -= number
            if moves:
                get = moves.get
                for t in supporter_types[j]:
                    new = get(group_of[t])
                    if new is not None:
                        group_of[t] = new
        if not explain:
            return _Run(bought, rhos, [], [], denominator)
        return _Run(bought, rhos, money, group_of, denominator)

    def results(self, run: _Run) -> dict[int, ProjectResult]:
        """Every project's result after ``run`` (made with ``explain``)."""
        unit = self.voters * self.scale * run.denominator
        shortfalls = []
        money_of = run.money.__getitem__
        group_of = run.group_of.__getitem__
        for j, cost in enumerate(self.instance.costs):
            left = sum(map(money_of, map(group_of, self.weighted_supporters.get(j, ()))))
            shortfalls.append(Fraction(cost) - Fraction(left, unit))
        results = _unfunded(self.instance, shortfalls)
        for order, (j, rho) in enumerate(zip(run.bought, run.rhos, strict=True), start=1):
            results[j] = _result(
                self.instance, j, selected=True, stage=Stage.MES, round=order, rho=rho
            )
        return results
