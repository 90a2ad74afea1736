"""The rules agree with a plain reference on hundreds of small generated elections.

The reference below imports nothing from the product. It follows the definitions literally,
one voter at a time, in ``Fraction``s: MES with cost utilities (every voter starts with
budget / voters; among the projects whose supporters can still pay for them, the one with the
smallest rho, the largest payment per unit of cost, is bought, ties to the smaller id as
text; projects that cost 0 or that nobody approves are never bought), Add1 (the endowment
rises by 1 while the outcome fits the budget, until the total budget would pass budget x
(voters + 1); optionally stopping at the first outcome no further project fits), greedy by
votes, and the comparison step.
"""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from linju.foundation.pb import rules


def reference_mes(costs, ballots, endowment):
    """The projects bought, in order, each with its rho; and every voter's money at the end."""
    money = [endowment] * len(ballots)
    candidates = [p for p in costs if costs[p] > 0 and any(p in b for b in ballots)]
    bought = []
    while True:
        best = None
        for p in candidates:
            supporters = sorted(money[v] for v, b in enumerate(ballots) if p in b)
            if sum(supporters) < costs[p]:
                continue
            # The smallest equal payment q with sum(min(money, q)) = cost: the poorest pay all.
            paid = Fraction(0)
            for k, amount in enumerate(supporters):
                q = (costs[p] - paid) / (len(supporters) - k)
                if q <= amount:
                    break
                paid += amount
            key = (q / costs[p], p)
            if best is None or key < best:
                best = key
        if best is None:
            return bought, money
        rho, p = best
        bought.append((p, rho))
        candidates.remove(p)
        for v, b in enumerate(ballots):
            if p in b:
                money[v] -= min(money[v], rho * costs[p])


def reference_add1(budget, costs, ballots, *, exhaustive_stop):
    """(bought with rhos, endowment) of Add1; ([], None) with no voters."""
    n = len(ballots)
    if n == 0:
        return [], None
    kept = ([], None)
    k = 0
    while budget + k * n <= budget * (n + 1):
        endowment = (budget + k * n) / n
        bought, _ = reference_mes(costs, ballots, endowment)
        spent = sum(costs[p] for p, _ in bought)
        if spent > budget:
            return kept
        chosen = {p for p, _ in bought}
        if exhaustive_stop and all(spent + costs[p] > budget for p in costs if p not in chosen):
            return bought, endowment
        kept = (bought, endowment)
        k += 1
    return kept


def reference_greedy(budget, costs, ballots, chosen=()):
    """``chosen`` completed by greedy: most votes first (a project costing 0 counts as 0
    votes), ties to the smaller id as text; each project that still fits is bought."""
    votes = {p: sum(p in b for b in ballots) if costs[p] > 0 else 0 for p in costs}
    chosen = list(chosen)
    left = budget - sum(costs[p] for p in chosen)
    for p in sorted(costs, key=lambda p: (-votes[p], p)):
        if p not in chosen and costs[p] <= left:
            chosen.append(p)
            left -= costs[p]
    return chosen


def reference_comparison(costs, ballots, mes_outcome, greedy_outcome):
    """(voters preferring MES, voters preferring greedy)."""
    prefer_mes = prefer_greedy = 0
    for b in ballots:
        mes_value = sum(costs[p] for p in mes_outcome if p in b)
        greedy_value = sum(costs[p] for p in greedy_outcome if p in b)
        prefer_mes += mes_value > greedy_value
        prefer_greedy += greedy_value > mes_value
    return prefer_mes, prefer_greedy


# Ids that sort differently as text and as numbers ("10" < "9"), and in case ("B" < "a").
IDS = ["1", "2", "9", "10", "11", "a", "B", "b"]
AMOUNTS = st.integers(0, 24).map(lambda halves: Decimal(halves) / 2)


@st.composite
def elections(draw):
    project_ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True))
    costs = {p: draw(AMOUNTS) for p in project_ids}
    budget = draw(st.integers(0, 30).map(lambda halves: Decimal(halves) / 2))
    ballots = draw(
        st.lists(st.sets(st.sampled_from(project_ids)), min_size=0, max_size=7).map(
            lambda sets: [sorted(s) for s in sets]
        )
    )
    return budget, costs, ballots


def exact(budget, costs, ballots):
    return Fraction(budget), {p: Fraction(c) for p, c in costs.items()}, [set(b) for b in ballots]


def build(budget, costs, ballots):
    return rules.instance_build(budget=budget, costs=costs, ballots=ballots)


@settings(max_examples=200, deadline=None)
@given(elections())
def test_mes_agrees_with_the_reference(election):
    """MES buys the reference's projects in the same order with the same rhos; each voter's
    endowment is budget / voters; every project not bought has a reason and, when its
    supporters were short, the exact shortfall."""
    budget, costs, ballots = exact(*election)
    outcome = rules.mes(build(*election))
    if not ballots:
        assert (outcome.selected, outcome.endowment) == ((), None)
        return
    bought, money = reference_mes(costs, ballots, budget / len(ballots))
    assert outcome.selected == tuple(p for p, _ in bought)
    assert outcome.endowment == budget / len(ballots)
    assert outcome.cost == sum((Decimal(election[1][p]) for p, _ in bought), Decimal(0))
    results = {result.project_id: result for result in outcome.projects}
    for order, (p, rho) in enumerate(bought, start=1):
        assert (results[p].round, results[p].rho, results[p].stage) == (order, rho, "mes")
    for p in set(costs) - {p for p, _ in bought}:
        supporters = [v for v, b in enumerate(ballots) if p in b]
        result = results[p]
        assert not result.selected
        if not supporters:
            assert result.reason == rules.Reason.NO_SUPPORTERS
        elif costs[p] == 0:
            assert result.reason == rules.Reason.NO_UTILITY
        else:
            assert result.reason == rules.Reason.SUPPORTERS_SHORT
            assert result.shortfall == costs[p] - sum(money[v] for v in supporters)
            assert result.shortfall > 0


@settings(max_examples=200, deadline=None)
@given(elections(), st.booleans())
def test_add1_agrees_with_the_reference(election, exhaustive_stop):
    """Add1 (with or without stopping at the first exhaustive outcome) keeps the reference's
    outcome, in order, with the same endowment; the outcome always fits the budget."""
    budget, costs, ballots = exact(*election)
    outcome = rules.mes_add1(build(*election), exhaustive_stop=exhaustive_stop)
    bought, endowment = reference_add1(budget, costs, ballots, exhaustive_stop=exhaustive_stop)
    assert outcome.selected == tuple(p for p, _ in bought)
    assert outcome.endowment == endowment
    assert [r.rho for p, _ in bought for r in outcome.projects if r.project_id == p] == [
        rho for _, rho in bought
    ]
    assert outcome.cost <= election[0]


@settings(max_examples=200, deadline=None)
@given(elections())
def test_greedy_and_add1u_agree_with_the_reference(election):
    """Greedy by votes, and Add1 completed by greedy (Add1U), buy the reference's projects in
    the reference's order; a project greedy skipped did not fit by the exact amount."""
    budget, costs, ballots = exact(*election)
    greedy = rules.greedy(build(*election))
    expected = reference_greedy(budget, costs, ballots)
    assert greedy.selected == tuple(expected)
    assert greedy.endowment is None
    left = budget
    for p in sorted(costs, key=lambda p: (-sum(p in b for b in ballots) * (costs[p] > 0), p)):
        result = next(r for r in greedy.projects if r.project_id == p)
        if result.selected:
            left -= costs[p]
        else:
            assert (result.reason, result.shortfall) == (
                rules.Reason.DID_NOT_FIT,
                costs[p] - left,
            )
    bought, _ = reference_add1(budget, costs, ballots, exhaustive_stop=False)
    add1u = rules.mes_add1(build(*election), completion=True)
    assert add1u.selected == tuple(reference_greedy(budget, costs, ballots, [p for p, _ in bought]))


@settings(max_examples=200, deadline=None)
@given(elections(), st.sampled_from([rules.Rule.MES, rules.Rule.MES_ADD1, rules.Rule.MES_ADD1U]))
def test_comparison_agrees_with_the_reference(election, rule):
    """The comparison step counts the voters preferring each outcome and keeps MES's unless
    strictly more prefer greedy's."""
    budget, costs, ballots = exact(*election)
    instance = build(*election)
    alone = rules.outcome_compute(instance, rule=rule)
    compared = rules.outcome_compute(instance, rule=rule, comparison=True)
    greedy = reference_greedy(budget, costs, ballots)
    prefer_mes, prefer_greedy = reference_comparison(costs, ballots, alone.selected, greedy)
    assert compared.comparison is not None
    assert (compared.comparison.prefer_mes, compared.comparison.prefer_greedy) == (
        prefer_mes,
        prefer_greedy,
    )
    assert compared.comparison.indifferent == len(ballots) - prefer_mes - prefer_greedy
    expected = tuple(greedy) if prefer_greedy > prefer_mes else alone.selected
    assert compared.selected == expected
