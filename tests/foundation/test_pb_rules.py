"""Participatory-budgeting rules: the official outcomes of real elections, and the edge cases
where the Method of Equal Shares and greedy must behave exactly as pabutools 1.2.3 does."""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from linju.foundation.pb import rules
from linju.foundation.pb.pbfile import parse_pb, read_pb

DATA = Path(__file__).parent / "data"
Rule = rules.Rule
Reason = rules.Reason


def election(name):
    return read_pb(DATA / f"{name}.pb")


def instance(name):
    return rules.instance_from_election(election(name))


def build(budget, costs, ballots):
    return rules.instance_build(
        budget=Decimal(budget), costs={p: Decimal(c) for p, c in costs.items()}, ballots=ballots
    )


def by_id(outcome):
    return {result.project_id: result for result in outcome.projects}


# --- Real elections ------------------------------------------------------------------------

WIELICZKA_EARLY_STOP = {
    *("17", "19", "20", "24", "25", "26", "29", "32", "33", "34", "36", "39", "40", "41"),
    *("42", "43", "56", "58", "6", "60", "61", "62", "66", "67", "69", "7", "70", "71"),
    *("74", "88", "9"),
}


def test_wieliczka_2023_official_winners():
    """Wieliczka's Green Budget 2023: MES with Add1 run to the end (endowment about 315 zł)
    then the comparison step, which keeps MES, gives the 30 official winners."""
    source = election("Poland_Wieliczka_2023_Green_Budget")
    official = set(source.official_selection())
    assert len(official) == 30
    outcome = rules.outcome_compute(
        rules.instance_from_election(source), rule=Rule.MES_ADD1, comparison=True
    )
    assert set(outcome.selected) == official
    assert outcome.cost == Decimal(995079)
    assert outcome.endowment == Fraction(1000000, 6586) + 164
    assert round(outcome.endowment) == 316
    assert outcome.comparison == rules.Comparison(
        prefer_mes=1576, prefer_greedy=1050, indifferent=3960
    )
    assert not outcome.comparison.greedy_won


def test_wieliczka_2023_early_stop_differs():
    """Stopping Add1 at the first exhaustive outcome (about 302 zł) gives another 31-project
    set."""
    outcome = rules.mes_add1(instance("Poland_Wieliczka_2023_Green_Budget"), exhaustive_stop=True)
    assert set(outcome.selected) == WIELICZKA_EARLY_STOP
    assert outcome.endowment == Fraction(1000000, 6586) + 150
    assert outcome.cost == Decimal(984579)


def test_wieliczka_2023_mes_alone_spends_less_than_half():
    """MES alone funds 21 projects for 450,548 zł of the 1,000,000."""
    outcome = rules.mes(instance("Poland_Wieliczka_2023_Green_Budget"))
    assert (len(outcome.selected), outcome.cost) == (21, Decimal(450548))


def test_swiecie_2023_official_winners():
    """Świecie 2023: MES with Add1 gives the 17 official winners."""
    source = election("Poland_Swiecie_2023")
    outcome = rules.mes_add1(rules.instance_from_election(source))
    assert set(outcome.selected) == set(source.official_selection())
    assert len(outcome.selected) == 17


def test_assen_2024_official_winners_and_add1u():
    """Assen 2024: MES with Add1 gives the 9 official winners; Add1U adds project 7."""
    source = election("Netherlands_Assen_2024")
    add1 = rules.mes_add1(rules.instance_from_election(source))
    assert set(add1.selected) == set(source.official_selection())
    add1u = rules.mes_add1(rules.instance_from_election(source), completion=True)
    assert add1u.selected == (*add1.selected, "7")
    assert by_id(add1u)["7"].stage == rules.Stage.GREEDY
    assert add1u.endowment == add1.endowment


def test_assen_2024_comparison_would_keep_greedy():
    """In Assen, more young voters prefer greedy's outcome than MES-Add1's, so a comparison
    step (which Assen did not use) would have kept greedy's."""
    outcome = rules.outcome_compute(
        instance("Netherlands_Assen_2024"), rule=Rule.MES_ADD1, comparison=True
    )
    assert outcome.comparison == rules.Comparison(prefer_mes=21, prefer_greedy=25, indifferent=38)
    assert outcome.selected == rules.greedy(instance("Netherlands_Assen_2024")).selected
    assert outcome.endowment is None


def test_greedy_on_a_real_election():
    """Greedy by votes in Wieliczka funds 23 projects for 998,997 zł, most votes first."""
    outcome = rules.greedy(instance("Poland_Wieliczka_2023_Green_Budget"))
    assert (len(outcome.selected), outcome.cost) == (23, Decimal(998997))
    votes = [by_id(outcome)[p].votes for p in outcome.selected]
    assert votes == sorted(votes, reverse=True)


def test_approval_counts_match_the_files_votes_column():
    """The approvals counted from the ballots are the files' own vote counts."""
    for name in ("Poland_Swiecie_2023", "Netherlands_Assen_2024"):
        source = election(name)
        counted = rules.instance_from_election(source).scores
        assert [Decimal(p.fields["votes"]) for p in source.projects] == list(counted)


# --- Explanations ---------------------------------------------------------------------------


def test_mes_explains_winners_and_losers():
    """A winner has its round and rho; a loser says whether nobody voted for it or its
    supporters were short, and by how much."""
    outcome = rules.mes(
        build(
            12,
            {"a": 6, "b": 9, "c": 1, "d": 3},
            [["a", "b"], ["a"], ["b"], ["a", "b"]],
        )
    )
    # Endowment 3 each. a: 6 / 3 supporters = 2 each, rho 1/3. Then b's supporters have
    # 1 + 3 + 1 = 5 < 9.
    assert outcome.selected == ("a",)
    assert outcome.endowment == 3
    results = by_id(outcome)
    assert (results["a"].round, results["a"].rho, results["a"].stage) == (1, Fraction(1, 3), "mes")
    assert (results["b"].reason, results["b"].shortfall) == (Reason.SUPPORTERS_SHORT, 4)
    assert (results["c"].reason, results["c"].shortfall) == (Reason.NO_SUPPORTERS, None)
    assert results["d"].reason == Reason.NO_SUPPORTERS


def test_greedy_explains_what_did_not_fit():
    """Greedy says by how much a skipped project did not fit the budget left at its turn."""
    outcome = rules.greedy(build("10.5", {"a": 8, "b": 5, "c": 2}, [["a"], ["a", "b"], ["b"]]))
    assert outcome.selected == ("a", "c")
    results = by_id(outcome)
    assert (results["b"].reason, results["b"].shortfall) == (Reason.DID_NOT_FIT, Fraction(5, 2))
    assert (results["c"].round, results["c"].stage) == (2, rules.Stage.GREEDY)


# --- Edge cases, as pabutools 1.2.3 ---------------------------------------------------------


def test_ties_go_to_the_smaller_id_as_text():
    """Equal rhos, or equal votes, are broken by the id compared as text: "10" before "9"."""
    election_ = build(10, {"9": 10, "10": 10}, [["9", "10"], ["9", "10"]])
    assert rules.mes(election_).selected == ("10",)
    assert rules.greedy(election_).selected == ("10",)


def test_projects_nobody_voted_for():
    """MES never funds a project nobody voted for; greedy funds it if it fits."""
    election_ = build(10, {"a": 4, "z": 3}, [["a"], ["a"]])
    assert rules.mes(election_).selected == ("a",)
    assert rules.mes_add1(election_).selected == ("a",)
    assert rules.greedy(election_).selected == ("a", "z")
    assert rules.mes_add1(election_, completion=True).selected == ("a", "z")


def test_projects_costing_nothing():
    """Under cost utilities a project costing 0 is worth nothing, so MES never funds it; greedy
    always does (it orders it among the projects without votes)."""
    election_ = build(10, {"a": 4, "free": 0, "b": 5}, [["free", "a"], ["free"], ["b"]])
    mes = rules.mes(election_)
    assert "free" not in mes.selected
    assert by_id(mes)["free"].reason == Reason.NO_UTILITY
    assert rules.greedy(election_).selected == ("a", "b", "free")


def test_a_project_costing_more_than_the_budget():
    """A project costing more than the whole budget is never funded, by any rule."""
    election_ = build(10, {"big": 11, "a": 2}, [["big"], ["big"], ["big", "a"]])
    for rule in Rule:
        assert "big" not in rules.outcome_compute(election_, rule=rule).selected
    assert by_id(rules.greedy(election_))["big"].shortfall == 1


def test_no_voters():
    """With no ballots MES funds nothing and has no endowment; greedy still funds by cost."""
    election_ = build(10, {"a": 4}, [])
    assert (rules.mes(election_).selected, rules.mes(election_).endowment) == ((), None)
    assert rules.mes_add1(election_).selected == ()
    assert rules.greedy(election_).selected == ("a",)


def test_add1_keeps_the_last_outcome_that_fits():
    """Add1 raises the endowment by 1 while the outcome fits the budget and keeps the last one
    that did; stopping early keeps the first exhaustive one."""
    # Two voters, budget 10, endowment 5 each: MES buys a (3 + 3); c needs 4 from voter 2.
    # At 7 each, c is bought too (exhaustive: b does not fit). At 10 each, b ties c on rho
    # and all three are bought, over the budget, so Add1 keeps the outcome at 9 each.
    election_ = build(10, {"a": 6, "b": 7, "c": 4}, [["a", "b"], ["a", "c"]])
    assert rules.mes(election_).selected == ("a",)
    add1 = rules.mes_add1(election_)
    assert (add1.selected, add1.cost, add1.endowment, add1.increments) == (("a", "c"), 10, 9, 4)
    stop = rules.mes_add1(election_, exhaustive_stop=True)
    assert (stop.selected, stop.endowment, stop.increments) == (("a", "c"), 7, 2)


def test_add1_when_everything_fits_runs_to_pabutools_bound():
    """If every supported project fits the budget, the outcome stops changing; the endowment
    reported is the last one pabutools tries, budget / voters + the whole budget."""
    election_ = build(100, {"a": 6, "b": 7, "nobody": 3}, [["a", "b"], ["a"]])
    outcome = rules.mes_add1(election_)
    assert set(outcome.selected) == {"a", "b"}
    assert outcome.endowment == 50 + 100
    # "nobody" always fits, so the outcome is never exhaustive: stopping early changes nothing.
    assert rules.mes_add1(election_, exhaustive_stop=True) == outcome


def test_decimal_budget_and_costs():
    """A budget and costs with decimals are counted exactly."""
    election_ = build("1000000.5", {"a": "500000.25", "b": "500000.25"}, [["a"], ["b"]])
    outcome = rules.mes(election_)
    assert outcome.selected == ("a", "b")
    assert outcome.cost == Decimal("1000000.50")
    assert outcome.endowment == Fraction(20000010, 40)


CUMULATIVE = """META
key;value
budget;10
vote_type;cumulative
PROJECTS
project_id;cost
p;6
q;5
r;4
VOTES
voter_id;vote;points
1;p,q;1,9
2;p,r;2,2
3;r,r;3,4
"""


def test_cumulative_ballots_by_points():
    """Greedy counts cumulative ballots by points (a project named twice in a ballot gets
    both): q 9, r 9, p 3; ties to the smaller id."""
    instance_ = rules.instance_from_election(parse_pb(CUMULATIVE))
    assert instance_.scores == (Decimal(3), Decimal(9), Decimal(9))
    assert rules.greedy(instance_).selected == ("q", "r")


@pytest.mark.parametrize("rule", [Rule.MES, Rule.MES_ADD1, Rule.MES_ADD1U])
def test_cumulative_ballots_refused_by_mes(rule):
    """MES rules refuse cumulative ballots."""
    instance_ = rules.instance_from_election(parse_pb(CUMULATIVE))
    with pytest.raises(rules.RuleError) as caught:
        rules.outcome_compute(instance_, rule=rule)
    assert (caught.value.rule, caught.value.vote_type) == (rule, "cumulative")


@pytest.mark.parametrize("rule", list(Rule))
def test_ordinal_ballots_refused(rule):
    """No rule counts ordinal ballots."""
    text = "META\nkey;value\nbudget;9\nvote_type;ordinal\nPROJECTS\nproject_id;cost\np;4\n"
    instance_ = rules.instance_from_election(parse_pb(text + "VOTES\nvoter_id;vote\n1;p\n"))
    with pytest.raises(rules.RuleError):
        rules.outcome_compute(instance_, rule=rule)


def test_comparison_needs_an_mes_rule():
    """The comparison step compares an MES outcome with greedy's, not greedy with itself."""
    with pytest.raises(ValueError, match="comparison"):
        rules.outcome_compute(build(1, {"a": 1}, [["a"]]), rule=Rule.GREEDY, comparison=True)
