"""The pure rules: scores normalised per reviewer (min-max, exact fractions), the report
schedule (Charity Law Art. 79) and the matching suggestion."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from linju.grants import rules

D = datetime.date
WEIGHTS = {1: 2, 2: 1}  # criterion 1 weighs twice criterion 2


def test_min_max_per_reviewer_hand_worked():
    """Reviewer A (generous) gives 6–9, reviewer B (strict) 1–5. Worked by hand:
    A's scale 6..9: X (9,9) → 1; Y (7,8) → (2·1/3 + 2/3)/3 = 4/9; Z (8,6) → (2·2/3 + 0)/3 = 4/9.
    B's scale 1..5: X (3,1) → (2·1/2 + 0)/3 = 1/3; Y (5,5) → 1; Z (1,1) → 0.
    Means: X = (1 + 1/3)/2 = 2/3, Y = (4/9 + 1)/2 = 13/18, Z = (4/9 + 0)/2 = 2/9."""
    sheets = {
        (10, 100): {1: 9, 2: 9},
        (10, 200): {1: 7, 2: 8},
        (10, 300): {1: 8, 2: 6},
        (20, 100): {1: 3, 2: 1},
        (20, 200): {1: 5, 2: 5},
        (20, 300): {1: 1, 2: 1},
    }
    ranked = rules.rank_applications(sheets, WEIGHTS, [100, 200, 300])
    assert [r.application_id for r in ranked] == [200, 100, 300]
    by_id = {r.application_id: r for r in ranked}
    assert by_id[100].score == Fraction(2, 3)
    assert by_id[200].score == Fraction(13, 18)
    assert by_id[300].score == Fraction(2, 9)
    assert by_id[100].by_reviewer[10] == (Fraction(9), Fraction(1))
    assert by_id[200].by_reviewer[10][1] == Fraction(4, 9)
    assert by_id[100].raw == Fraction(17, 3)  # (27/3 + 7/3) / 2
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert rules.shown(by_id[200].score) == "72.2"
    assert rules.shown(by_id[100].score) == "66.7"
    assert rules.shown(by_id[300].score) == "22.2"


def test_equal_scores_share_a_rank_and_unscored_come_last():
    sheets = {(1, 5): {1: 4, 2: 4}, (1, 6): {1: 4, 2: 4}, (1, 7): {1: 2, 2: 2}}
    ranked = rules.rank_applications(sheets, WEIGHTS, [5, 6, 7, 8])
    assert [(r.application_id, r.rank) for r in ranked] == [(5, 1), (6, 1), (7, 3), (8, None)]
    assert ranked[-1].score is None


def test_a_reviewer_with_one_value_counts_as_the_middle():
    sheets = {(1, 5): {1: 7, 2: 7}, (1, 6): {1: 7, 2: 7}}
    ranked = rules.rank_applications(sheets, WEIGHTS, [5, 6])
    assert {r.score for r in ranked} == {Fraction(1, 2)}


def test_incomplete_sheets_do_not_count():
    sheets = {(1, 5): {1: 9}, (1, 6): {1: 3, 2: 4}, (1, 7): {1: 5, 2: 9}}
    ranked = {r.application_id: r for r in rules.rank_applications(sheets, WEIGHTS, [5, 6, 7])}
    assert ranked[5].score is None
    # scale 3..9 from the complete sheets only: 6 → (2·0 + 1/6)/3, 7 → (2·1/3 + 1)/3
    assert ranked[6].score == Fraction(1, 18)
    assert ranked[7].score == Fraction(5, 9)


def test_seven_month_project_reports_quarterly_and_finally():
    assert rules.report_schedule(D(2025, 1, 31), D(2025, 8, 31)) == [
        ("quarterly", D(2025, 4, 30)),
        ("quarterly", D(2025, 7, 31)),
        ("final", D(2025, 11, 30)),
    ]


def test_three_month_project_reports_finally_only():
    assert rules.report_schedule(D(2025, 3, 1), D(2025, 6, 1)) == [("final", D(2025, 9, 1))]


def test_exactly_six_months_is_not_longer_than_six_months():
    assert rules.report_schedule(D(2025, 1, 1), D(2025, 7, 1)) == [("final", D(2025, 10, 1))]
    assert rules.report_schedule(D(2025, 1, 1), D(2025, 7, 2))[0] == ("quarterly", D(2025, 4, 1))


def test_add_months_keeps_to_the_month_end():
    assert rules.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert rules.add_months(D(2024, 11, 15), 3) == D(2025, 2, 15)


def test_matching_suggestion_is_capped_exactly():
    suggest = rules.matching_suggestion
    common = {"ratio": Decimal("1.00"), "requested": Decimal("30000"), "remaining": Decimal("1e5")}
    assert suggest(cofunding=Decimal("12000.10"), cap=Decimal("20000"), **common) == Decimal(
        "12000.10"
    )
    assert suggest(cofunding=Decimal("25000"), cap=Decimal("20000"), **common) == Decimal("20000")
    assert suggest(cofunding=Decimal("25000"), cap=None, **common) == Decimal("25000")
    half = {**common, "ratio": Decimal("0.50")}
    assert suggest(cofunding=Decimal("0.03"), cap=None, **half) == Decimal("0.01")
    tight = {**common, "remaining": Decimal("5000")}
    assert suggest(cofunding=Decimal("12000"), cap=None, **tight) == Decimal("5000")
