"""Explanations in plain words, from the engine's exact figures: amounts to the fen (a shortfall
rounded up, so it is never understated), in English and Chinese."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from linju.budgeting import explain
from linju.foundation.pb import rules


def _record():
    instance = rules.instance_build(
        budget=Decimal("100"),
        costs={"a": Decimal("60"), "b": Decimal("60"), "c": Decimal("10")},
        ballots=[["a"], ["a"], ["a", "b"]],
    )
    return explain.outcome_record(rules.mes(instance), budget=instance.budget, voters=3)


def test_record_is_exact():
    """Endowment 100/3 each; a costs 60 over three supporters: 20 each, rho 1/3. b's one
    supporter has 100/3 - 20 = 40/3 left: 60 - 40/3 = 140/3 short."""
    record = _record()
    a, b, c = record["projects"]
    assert record["endowment"] == "100/3"
    assert (a["rho"], a["payment"]) == ("1/3", "20")
    assert (b["reason"], b["shortfall"]) == ("supporters_short", "140/3")
    assert c["reason"] == "no_supporters"


def test_words_in_english_and_chinese():
    a, b, c = _record()["projects"]
    with translation.override("en"):
        assert explain.project_words(a) == (
            "Funded: chosen in round 1. Its 3 supporters shared the cost; none paid more than ¥20."
        )
        assert explain.project_words(b) == (
            "Not funded: its supporters' remaining share was ¥46.67 short."
        )
        assert explain.project_words(c) == "Not funded: nobody voted for it."
    with translation.override("zh-hans"):
        assert "46.67" in explain.project_words(b)


def test_did_not_fit_names_the_budget_left():
    instance = rules.instance_build(
        budget=Decimal("100"),
        costs={"a": Decimal("70"), "b": Decimal("40")},
        ballots=[["a"], ["a", "b"]],
    )
    record = explain.outcome_record(rules.greedy(instance), budget=instance.budget, voters=2)
    with translation.override("en"):
        assert explain.project_words(record["projects"][1]) == (
            "Not funded: it did not fit the remaining budget of ¥30."
        )


def test_money_rounding():
    assert explain.money("140/3", up=True) == "¥46.67"
    assert explain.money("1/3", up=True) == "¥0.34"
    assert explain.money("1/3") == "¥0.33"
    assert explain.money("35000") == "¥35,000"
    assert explain.money("1234.5") == "¥1,234.50"
