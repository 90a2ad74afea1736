"""Hand-worked counts at the exact boundaries of Art. 278, residents' votes and elections."""

from decimal import Decimal as D

import pytest

from linju.decisions import rules
from linju.decisions.rules import (
    ORDINARY,
    QUORUM,
    SPECIAL,
    Threshold,
    approval_threshold,
    election_result,
    owners_count,
    owners_result,
    owners_result_deemed,
    residents_result,
)


def count(roll, choices):
    """Roll lines as (flat, owner, area text); one flat each unless an owner repeats."""
    return owners_count([(flat, owner, D(area)) for flat, owner, area in roll], choices)


def flats(*areas):
    """One owner per flat: owner O-1 holds flat F-1, and so on."""
    return [(f"F-{n}", f"O-{n}", area) for n, area in enumerate(areas, start=1)]


class TestThreshold:
    def test_inclusive_threshold_includes_the_boundary(self):
        """ "At least 2/3" (以上) is met at exactly 2/3, not one hundredth below it."""
        assert QUORUM.met(D("2.00"), D("3.00"))
        assert not QUORUM.met(D("1.99"), D("3.00"))
        assert QUORUM.met(2, 3)

    def test_exclusive_threshold_excludes_the_boundary(self):
        """ "More than half" (过半数) is not met at exactly half, only above it."""
        assert not ORDINARY.met(D("50.00"), D("100.00"))
        assert ORDINARY.met(D("50.01"), D("100.00"))
        assert not ORDINARY.met(2, 4)
        assert ORDINARY.met(3, 5)

    def test_nothing_is_met_against_a_zero_whole(self):
        """With nobody (or no area) to count against, no threshold is met."""
        assert not QUORUM.met(0, 0)
        assert not ORDINARY.met(D("0"), D("0"))

    def test_floats_are_refused(self):
        """A float cannot slip into a count: it raises instead of being compared."""
        with pytest.raises(TypeError):
            QUORUM.met(0.2, D("0.3"))

    def test_labels_and_round_trip(self):
        """Labels are "2/3", "3/4" and ">1/2"; as_dict and from_dict round-trip."""
        assert (QUORUM.label, SPECIAL.label, ORDINARY.label) == ("2/3", "3/4", ">1/2")
        assert SPECIAL.as_dict() == {"fraction": "3/4", "inclusive": True}
        for threshold in (QUORUM, ORDINARY, SPECIAL):
            assert Threshold.from_dict(threshold.as_dict()) == threshold

    @pytest.mark.parametrize(
        "data",
        [
            {"fraction": "3/4"},
            {"fraction": "3/4", "inclusive": "yes"},
            {"fraction": "0.75", "inclusive": True},
            {"fraction": "5/4", "inclusive": True},
            {"fraction": "0/4", "inclusive": True},
            {"fraction": "3/0", "inclusive": True},
            {"fraction": 0.75, "inclusive": True},
        ],
    )
    def test_from_dict_refuses_anything_else(self, data):
        """A stored threshold that is not a fraction in (0, 1] with a flag is refused."""
        with pytest.raises(ValueError):
            Threshold.from_dict(data)

    def test_approval_threshold_by_matter(self):
        """Items 6-8 need 3/4; items 1-5 and 9 more than half; nothing else is an item."""
        assert [approval_threshold(m) for m in range(1, 10)] == [ORDINARY] * 5 + [SPECIAL] * 3 + [
            ORDINARY
        ]
        for bad in (0, 10, True, "7"):
            with pytest.raises(ValueError):
                approval_threshold(bad)


class TestOwnersCount:
    def test_developer_flats_are_one_head_with_areas_summed(self):
        """The developer's three unsold flats count as one head holding their summed area."""
        roll = [
            ("17-1-101", "DEV", "70.00"),
            ("17-1-102", "DEV", "80.50"),
            ("17-1-103", "DEV", "90.25"),
            ("17-1-201", "O-1", "89.50"),
        ]
        c = count(roll, {"DEV": "agree"})
        assert (c.total_heads, c.total_area) == (2, D("330.25"))
        assert (c.agree_heads, c.agree_area) == (1, D("240.75"))

    def test_one_owner_of_several_flats_is_one_head(self):
        """An owner with two flats is one head; their vote carries both areas."""
        roll = [("1-101", "O-1", "50.00"), ("1-102", "O-1", "60.00"), ("1-201", "O-2", "70")]
        c = count(roll, {"O-1": "disagree"})
        assert (c.total_heads, c.disagree_heads, c.disagree_area) == (2, 1, D("110.00"))

    def test_abstaining_takes_part_but_does_not_agree(self):
        """An abstention counts towards the quorum, and against approval."""
        c = count(flats("10.00", "10.00", "10.00"), {"O-1": "agree", "O-2": "abstain"})
        assert (c.voted_heads, c.voted_area) == (2, D("20.00"))
        result = owners_result(c, approval=ORDINARY)
        assert result.quorum
        assert result.result == "failed"
        assert result.reasons == ("area_approval_not_met", "heads_approval_not_met")

    @pytest.mark.parametrize(
        ("roll", "choices"),
        [
            (flats("10", "10"), {"O-9": "agree"}),
            (flats("10", "10"), {"O-1": "yes"}),
            ([("F", "O-1", "10"), ("F", "O-2", "10")], {}),
            (flats("0"), {}),
        ],
    )
    def test_inconsistent_input_is_refused(self, roll, choices):
        """A stranger's choice, an unknown choice, a flat twice or a zero area: ValueError."""
        with pytest.raises(ValueError):
            count(roll, choices)


class TestQuorum:
    def test_exactly_two_thirds_of_area_and_heads_is_a_quorum(self):
        """2 of 3 owners holding exactly 2/3 of the area take part: quorum."""
        result = owners_result(
            count(flats("10.00", "10.00", "10.00"), {"O-1": "agree", "O-2": "agree"}),
            approval=ORDINARY,
        )
        assert result.quorum and result.result == "passed"
        assert result.as_dict()["participation"] == {
            "area": "20.00/30.00",
            "heads": "2/3",
            "quorum": True,
        }

    def test_one_head_short_is_no_quorum(self):
        """3 of 6 owners take part with 3/4 of the area: the headcount alone fails the quorum."""
        roll = flats("40.00", "40.00", "40.00", "20.00", "10.00", "10.00")
        result = owners_result(
            count(roll, {"O-1": "agree", "O-2": "agree", "O-3": "agree"}), approval=ORDINARY
        )
        assert not result.quorum and not result.passed
        assert result.result == "no_quorum"
        assert result.reasons == ("heads_quorum_not_met",)
        # The approval share is still reported.
        assert result.as_dict()["approval"] == {
            "area": "120.00/120.00",
            "heads": "3/3",
            "threshold": ">1/2",
            "passed": False,
        }

    def test_one_hundredth_of_area_short_is_no_quorum(self):
        """4 of 6 heads take part but hold 0.01 m² less than 2/3 of the area: no quorum."""
        roll = flats("10.00", "10.00", "10.00", "9.99", "20.00", "0.01")
        choices = dict.fromkeys(["O-1", "O-2", "O-3", "O-4"], "agree")
        result = owners_result(count(roll, choices), approval=ORDINARY)
        assert result.as_dict()["participation"]["area"] == "39.99/60.00"
        assert result.reasons == ("area_quorum_not_met",)
        assert result.result == "no_quorum"


class TestApproval:
    def test_item_7_at_exactly_three_quarters_passes(self):
        """Renovation (item 7): 3 of 4 voters holding exactly 3/4 of the voted area pass it."""
        choices = {"O-1": "agree", "O-2": "agree", "O-3": "agree", "O-4": "disagree"}
        result = owners_result(
            count(flats("25.00", "25.00", "25.00", "25.00"), choices),
            approval=approval_threshold(7),
        )
        assert result.result == "passed"
        assert result.as_dict()["approval"] == {
            "area": "75.00/100.00",
            "heads": "3/4",
            "threshold": "3/4",
            "passed": True,
        }

    def test_item_7_one_hundredth_below_three_quarters_fails(self):
        """The same vote with the dissenter holding 0.01 m² more fails on area only."""
        choices = {"O-1": "agree", "O-2": "agree", "O-3": "agree", "O-4": "disagree"}
        result = owners_result(
            count(flats("25.00", "25.00", "25.00", "25.01"), choices),
            approval=approval_threshold(7),
        )
        assert result.result == "failed"
        assert result.reasons == ("area_approval_not_met",)

    def test_item_4_at_exactly_half_the_area_fails(self):
        """Hiring a manager (item 4) needs more than half: exactly half of the area fails."""
        choices = {"O-1": "agree", "O-2": "agree", "O-3": "disagree"}
        result = owners_result(
            count(flats("30.00", "20.00", "50.00"), choices), approval=approval_threshold(4)
        )
        assert result.result == "failed"
        assert result.reasons == ("area_approval_not_met",)

    def test_item_4_one_hundredth_above_half_passes(self):
        """Half the area plus 0.01 m² is more than half: item 4 passes."""
        choices = {"O-1": "agree", "O-2": "agree", "O-3": "disagree"}
        result = owners_result(
            count(flats("30.01", "20.00", "50.00"), choices), approval=approval_threshold(4)
        )
        assert result.result == "passed"
        assert result.as_dict()["approval"]["area"] == "50.01/100.01"

    def test_item_4_at_exactly_half_the_heads_fails(self):
        """2 of 4 voters agreeing is not more than half, whatever area they hold."""
        choices = {"O-1": "agree", "O-2": "agree", "O-3": "disagree", "O-4": "disagree"}
        result = owners_result(
            count(flats("90.00", "90.00", "10.00", "10.00"), choices), approval=ORDINARY
        )
        assert result.reasons == ("heads_approval_not_met",)
        assert result.result == "failed"


class TestExactArithmetic:
    """Cases where a float count would give the other answer."""

    def test_point_one_plus_point_two_against_point_three(self):
        """0.1 + 0.2 m² agreeing against 0.3 m² is exactly half: item 4 fails."""
        assert 0.1 + 0.2 > 0.3  # a float count would call this a majority
        choices = {"O-1": "agree", "O-2": "agree", "O-3": "disagree"}
        result = owners_result(count(flats("0.1", "0.2", "0.3"), choices), approval=ORDINARY)
        assert result.reasons == ("area_approval_not_met",)
        assert result.result == "failed"

    def test_two_thirds_of_a_sum_of_tenths(self):
        """2 of 3 owners of 0.1 m² each hold exactly 2/3 of the area: a quorum."""
        assert not (0.1 + 0.1 >= (0.1 + 0.1 + 0.1) * 2 / 3)  # a float count finds none
        result = owners_result(
            count(flats("0.1", "0.1", "0.1"), {"O-1": "agree", "O-2": "agree"}),
            approval=ORDINARY,
        )
        assert result.quorum and result.result == "passed"

    def test_three_quarters_of_a_sum_of_sevenths(self):
        """3 of 4 owners of 0.7 m² each agree on item 7: exactly 3/4, so it passes."""
        assert not ((0.7 + 0.7 + 0.7) / (0.7 + 0.7 + 0.7 + 0.7) >= 0.75)  # float: fails
        choices = {"O-1": "agree", "O-2": "agree", "O-3": "agree", "O-4": "disagree"}
        result = owners_result(count(flats("0.7", "0.7", "0.7", "0.7"), choices), approval=SPECIAL)
        assert result.result == "passed"

    def test_areas_are_printed_as_counted(self):
        """Areas keep at least two decimals, more when the roll has them; never rounded."""
        assert rules.area_str(D("89.5")) == "89.50"
        assert rules.area_str(D("89.500")) == "89.50"
        assert rules.area_str(D("1E+2")) == "100.00"
        assert rules.area_str(rules.area_sum([D("1.005"), D("2")])) == "3.005"
        big = rules.area_sum([D("1" + "0" * 40), D("0.01")])
        assert rules.area_str(big) == "1" + "0" * 40 + ".01"


class TestDeemedConsent:
    def test_agree_majority_counts_served_nonvoters_as_agreeing(self):
        """Voters lean to agree: the served non-voter is counted as agreeing."""
        roll = flats("30.00", "30.00", "20.00", "10.00", "10.00")
        c = count(roll, {"O-1": "agree", "O-2": "agree", "O-3": "disagree"})
        strict = owners_result(c, approval=ORDINARY)
        assert strict.result == "no_quorum"  # 3 of 5 heads
        deemed, majority = owners_result_deemed(
            c, served_area=D("10.00"), served_heads=1, approval=ORDINARY
        )
        assert majority == "agree"
        assert deemed.result == "passed"
        assert deemed.as_dict()["participation"]["heads"] == "4/5"
        assert deemed.as_dict()["approval"]["area"] == "70.00/90.00"

    def test_disagree_majority_counts_served_nonvoters_as_disagreeing(self):
        """Voters lean against: the served non-voter is counted as disagreeing."""
        roll = flats("10.00", "30.00", "30.00", "20.00")
        c = count(roll, {"O-1": "agree", "O-2": "disagree", "O-3": "disagree"})
        deemed, majority = owners_result_deemed(
            c, served_area=D("20.00"), served_heads=1, approval=ORDINARY
        )
        assert majority == "disagree"
        assert (deemed.count.disagree_heads, deemed.count.disagree_area) == (3, D("80.00"))
        assert deemed.result == "failed"

    def test_split_majority_adds_nobody(self):
        """Agreeing voters hold most of the area but not most of the heads: nobody is added."""
        roll = flats("60.00", "20.00", "20.00", "10.00")
        c = count(roll, {"O-1": "agree", "O-2": "disagree", "O-3": "disagree"})
        deemed, majority = owners_result_deemed(
            c, served_area=D("10.00"), served_heads=1, approval=ORDINARY
        )
        assert majority == "no_majority"
        assert deemed == owners_result(c, approval=ORDINARY)

    def test_exactly_half_is_no_majority(self):
        """Exactly half agreeing (by heads) is no majority either way."""
        roll = flats("60.00", "20.00", "10.00")
        c = count(roll, {"O-1": "agree", "O-2": "disagree"})
        assert rules.deemed_majority(c) == "no_majority"

    def test_more_served_than_nonvoters_is_refused(self):
        """Served non-voters cannot outnumber the owners who did not vote."""
        c = count(flats("10", "10"), {"O-1": "agree"})
        with pytest.raises(ValueError):
            owners_result_deemed(c, served_area=D("10"), served_heads=2, approval=ORDINARY)


class TestResidents:
    def test_single_choice_majority(self):
        """One option on more than half of 7 ballots wins."""
        result = residents_result(
            entitled=10,
            options=["A", "B", "C"],
            ballots=[["A"], ["A"], ["A"], ["A"], ["B"], ["B"], ["C"]],
            method="single",
        )
        assert result.quorum and result.participants == 7
        assert result.counts == result.scores == {"A": 4, "B": 2, "C": 1}
        assert (result.winners, result.result) == (["A"], "passed")

    def test_single_choice_plurality_is_not_a_majority(self):
        """3 of 7 ballots is the most votes but not more than half: no majority."""
        result = residents_result(
            entitled=10,
            options=["A", "B", "C"],
            ballots=[["A"], ["A"], ["A"], ["B"], ["B"], ["C"], ["C"]],
            method="single",
        )
        assert (result.winners, result.result) == ([], "no_majority")
        assert result.order == ["A", "B", "C"]

    def test_single_choice_tie(self):
        """Two options with 3 ballots each: a tie, nobody wins."""
        result = residents_result(
            entitled=8,
            options=["A", "B", "C"],
            ballots=[["B"], ["A"], ["A"], ["B"], ["A"], ["B"], ["C"]],
            method="single",
        )
        assert (result.winners, result.result) == ([], "tie")

    def test_multiple_choice_each_option_needs_more_than_half(self):
        """With 4 ballots, A (3) wins and B (2, exactly half) does not."""
        result = residents_result(
            entitled=5,
            options=["A", "B", "C"],
            ballots=[["A", "B"], ["A"], ["A", "C"], ["B"]],
            method="multiple",
        )
        assert result.counts == {"A": 3, "B": 2, "C": 1}
        assert (result.winners, result.result) == (["A"], "passed")

    def test_borda_ranking(self):
        """Borda with 4 options (3, 2, 1, 0 points), worked by hand:

        [A,B,C,D] A3 B2 C1 D0; [B,C,A] B3 C2 A1; [C,B] C3 B2; [B,A,D,C] B3 A2 D1 C0
        -> A 6, B 10, C 6, D 1: B wins; A and C tie, listed in the order given.
        """
        result = residents_result(
            entitled=6,
            options=["A", "B", "C", "D"],
            ballots=[["A", "B", "C", "D"], ["B", "C", "A"], ["C", "B"], ["B", "A", "D", "C"]],
            method="ranking",
        )
        assert result.scores == {"A": 6, "B": 10, "C": 6, "D": 1}
        assert result.counts == {"A": 3, "B": 4, "C": 4, "D": 2}
        assert result.order == ["B", "A", "C", "D"]
        assert (result.winners, result.result) == (["B"], "passed")

    def test_borda_tie(self):
        """Two opposite rankings give equal scores: a tie."""
        result = residents_result(
            entitled=3, options=["A", "B"], ballots=[["A", "B"], ["B", "A"]], method="ranking"
        )
        assert result.scores == {"A": 1, "B": 1}
        assert (result.winners, result.result) == ([], "tie")

    def test_half_of_those_entitled_is_no_quorum(self):
        """5 ballots of 10 entitled is not more than half: no quorum, nobody wins; 6 is."""
        ballots = [["A"]] * 5
        result = residents_result(entitled=10, options=["A", "B"], ballots=ballots, method="single")
        assert (result.quorum, result.winners, result.result) == (False, [], "no_quorum")
        assert result.counts == {"A": 5, "B": 0}
        result = residents_result(
            entitled=10, options=["A", "B"], ballots=[*ballots, ["B"]], method="single"
        )
        assert (result.quorum, result.result) == (True, "passed")

    def test_as_dict(self):
        """The published shape carries the counts, the order and the outcome."""
        result = residents_result(
            entitled=3, options=["A", "B"], ballots=[["A"], ["A"]], method="single"
        )
        assert result.as_dict() == {
            "entitled": 3,
            "participants": 2,
            "participation": "2/3",
            "quorum_threshold": ">1/2",
            "quorum": True,
            "method": "single",
            "counts": {"A": 2, "B": 0},
            "scores": {"A": 2, "B": 0},
            "order": ["A", "B"],
            "winners": ["A"],
            "result": "passed",
        }

    @pytest.mark.parametrize(
        ("ballots", "method"),
        [
            ([["Z"]], "single"),
            ([["A", "A"]], "multiple"),
            ([["A", "B"]], "single"),
            ([["A"]], "approval"),
            ([["A"]] * 4, "single"),
        ],
    )
    def test_bad_ballots_are_refused(self, ballots, method):
        """Unknown options, repeats, two choices on a single ballot, unknown methods, and more
        ballots than people entitled raise ValueError."""
        with pytest.raises(ValueError):
            residents_result(entitled=3, options=["A", "B"], ballots=ballots, method=method)


class LotBox:
    """A deterministic draw: reverses the tied keys, and remembers what it was asked."""

    def __init__(self):
        self.asked = []

    def __call__(self, keys):
        self.asked.append(list(keys))
        return list(reversed(keys))


def election(approvals, seats, draw=None, voted=("400.00", 4)):
    return election_result(
        total_area=D("600.00"),
        total_heads=6,
        voted_area=D(voted[0]),
        voted_heads=voted[1],
        approvals={key: (D(area), heads) for key, (area, heads) in approvals.items()},
        seats=seats,
        draw=draw or LotBox(),
    )


class TestElection:
    def test_elected_needs_more_than_half_of_voted_area_and_heads(self):
        """X passes both; Y has exactly half the area; Z exactly half the heads."""
        result = election({"X": ("300.00", 3), "Y": ("200.00", 3), "Z": ("250.00", 2)}, seats=3)
        assert result.quorum
        elected = {c["key"]: c["elected"] for c in result.candidates}
        assert elected == {"X": True, "Y": False, "Z": False}
        assert result.seated == ["X"]

    def test_without_quorum_nobody_is_elected(self):
        """Voters holding less than 2/3 of the area elect nobody."""
        result = election({"X": ("399.00", 4)}, seats=1, voted=("399.99", 4))
        assert not result.quorum
        assert result.candidates[0]["elected"] is False
        assert result.seated == []

    def test_seats_go_by_heads_then_area(self):
        """Two seats: A has most heads; B and C tie on heads and C has more area."""
        draw = LotBox()
        result = election(
            {"A": ("300.00", 4), "B": ("250.00", 3), "C": ("260.00", 3)}, seats=2, draw=draw
        )
        assert result.seated == ["A", "C"]
        assert [c["key"] for c in result.candidates] == ["A", "C", "B"]
        assert [c["seat"] for c in result.candidates] == [True, True, False]
        assert result.lots == [] and draw.asked == []

    def test_tie_for_the_last_seat_is_drawn_and_recorded(self):
        """D and E tie on heads and area for the last seat: a lot decides and is recorded."""
        draw = LotBox()
        result = election(
            {"A": ("300.00", 4), "D": ("250.00", 3), "E": ("250.00", 3)}, seats=2, draw=draw
        )
        assert draw.asked == [["D", "E"]]
        assert result.lots == [{"tied": ["D", "E"], "drawn": ["E", "D"]}]
        assert result.seated == ["A", "E"]
        assert result.as_dict()["lots"] == [{"tied": ["D", "E"], "drawn": ["E", "D"]}]

    def test_a_tie_that_does_not_decide_a_seat_is_not_drawn(self):
        """When every tied candidate gets a seat anyway, no lot is drawn."""
        draw = LotBox()
        result = election(
            {"A": ("300.00", 4), "D": ("250.00", 3), "E": ("250.00", 3)}, seats=3, draw=draw
        )
        assert result.seated == ["A", "D", "E"]
        assert result.lots == [] and draw.asked == []

    def test_a_draw_that_loses_a_candidate_is_refused(self):
        """The draw must return the tied keys, each once."""
        with pytest.raises(ValueError):
            election(
                {"A": ("300.00", 4), "D": ("250.00", 3), "E": ("250.00", 3)},
                seats=2,
                draw=lambda keys: [keys[0], keys[0]],
            )

    def test_as_dict(self):
        """The published shape: participation, each candidate with area and heads, seats."""
        result = election({"X": ("300.00", 3)}, seats=1)
        assert result.as_dict() == {
            "participation": {"area": "400.00/600.00", "heads": "4/6", "quorum": True},
            "quorum_threshold": "2/3",
            "threshold": ">1/2",
            "candidates": [
                {"key": "X", "area": "300.00", "heads": 3, "elected": True, "seat": True}
            ],
            "lots": [],
            "seated": ["X"],
        }
