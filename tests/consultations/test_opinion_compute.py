"""The opinion map: planted groups are found, with their own statements as representative and
the statement everyone agrees on as consensus; too few participants give no map; the same
votes always give the same map."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from linju.consultations.opinion import compute
from linju.consultations.opinion.compute import opinion_map
from linju.consultations.opinion.votes import VotesError
from tests.consultations import opinion_data as data


@pytest.fixture(scope="module")
def planted():
    return opinion_map(data.planted_votes())


def test_planted_groups_are_recovered_exactly(planted):
    """Three groups of 20 that each agree with their own statements come out as exactly those
    three groups; equal sizes are ordered by their first member."""
    assert [list(group.members) for group in planted.groups] == [
        data.planted_members(group) for group in (0, 1, 2)
    ]
    assert [group.id for group in planted.groups] == [0, 1, 2]
    assert planted.silhouettes[3] == max(planted.silhouettes.values())


def test_representative_statements_are_the_planted_ones(planted):
    """Each group is represented by the four statements it alone agrees with, and nothing else:
    not the one everyone agrees on, nor those every group splits on."""
    for group in planted.groups:
        assert sorted(item.statement for item in group.representative) == sorted(
            data.PLANTED[group.id]
        )
        assert {item.direction for item in group.representative} == {"agree"}
        for item in group.representative:
            assert item.count == item.votes == data.GROUP_SIZE
            assert item.probability == pytest.approx(21 / 22)
            assert item.z_probability > compute.Z_90 and item.z_ratio > compute.Z_90
            assert item.ratio > 1


def test_representative_statements_are_ordered_best_first(planted):
    """The representative statements come in decreasing ra · pa."""
    for group in planted.groups:
        metrics = [item.ratio * item.probability for item in group.representative]
        assert metrics == sorted(metrics, reverse=True)


def test_consensus_is_the_statement_every_group_agrees_on(planted):
    """Only the statement everyone agrees with is consensus; nothing is rejected by all."""
    assert [item.statement for item in planted.consensus] == [data.EVERYONE_AGREES]
    assert planted.consensus[0].probabilities == pytest.approx((21 / 22,) * 3)
    assert planted.consensus_disagree == ()


def test_participants_below_the_minimum_votes_are_placed_but_not_grouped(planted):
    """Lurkers with 3 of 20 statements voted get a position and no group; every grouped
    participant is in exactly one group."""
    members = [member for group in planted.groups for member in group.members]
    assert len(members) == len(set(members)) == 60
    assert planted.grouped == 60 and planted.participants == 63
    for lurker in data.LURKERS:
        assert lurker not in members
        assert planted.positions[lurker].group is None
        assert planted.positions[lurker].votes == 3
    for group in planted.groups:
        for member in group.members:
            assert planted.positions[member].group == group.id


def test_json_has_the_documented_keys(planted):
    """The JSON form: groups with members and representative ids, consensus ids, positions."""
    output = planted.to_json()
    assert output["consensus"] == [data.EVERYONE_AGREES]
    first = output["groups"][0]
    assert first["id"] == 0 and first["size"] == 20
    assert first["members"] == data.planted_members(0)
    assert sorted(first["representative"]) == sorted(data.PLANTED[0])
    assert first["representative_detail"][0]["direction"] == "agree"
    assert output["participants"]["61"]["group"] is None
    assert output["participants"]["1"]["group"] == 0
    assert output["summary"]["k"] == 3
    assert "message" not in output


def test_same_votes_in_any_order_give_the_same_map():
    """The result depends on the votes, not on the order they come in."""
    votes = data.planted_votes()
    shuffled = list(votes)
    random.Random(1).shuffle(shuffled)
    assert opinion_map(votes).to_json() == opinion_map(shuffled).to_json()


def test_a_repeated_vote_keeps_the_later_one():
    """A participant who changes their mind counts with their last vote."""
    votes = data.planted_votes()
    # Participant 1 first agrees with group 2's statements, then passes, as planted.
    changed = [("1", statement, 1) for statement in data.PLANTED[1]] + votes
    assert opinion_map(changed).to_json() == opinion_map(votes).to_json()
    # And the other way round: the later vote moves them into group 2.
    moved = votes + [("1", s, 1) for s in data.PLANTED[1]] + [("1", s, 0) for s in data.PLANTED[0]]
    result = opinion_map(moved)
    assert result.positions["1"].group == result.positions["21"].group


def test_fewer_than_15_grouped_participants_give_no_map():
    """14 participants with enough votes (and others with too few) give no groups, no
    consensus and a message."""
    votes = [
        (str(participant), str(statement), 1 if (participant + statement) % 3 else -1)
        for participant in range(14)
        for statement in range(10)
    ]
    votes += [(f"few-{n}", str(statement), 1) for n in range(30) for statement in range(6)]
    result = opinion_map(votes)
    assert result.groups == () and result.grouped == 14
    assert result.to_json() == {
        "groups": [],
        "consensus": [],
        "message": compute.TOO_FEW_PARTICIPANTS,
    }


def test_fifteen_grouped_participants_give_a_map():
    """At 15 participants with enough votes the map appears."""
    votes = [
        (str(participant), str(statement), 1 if (participant * statement) % 3 else -1)
        for participant in range(15)
        for statement in range(10)
    ]
    assert 2 <= len(opinion_map(votes).groups) <= 5


def test_with_few_statements_every_one_must_be_voted_on():
    """With 3 statements, the minimum is 3 votes, not 7."""
    votes = [(str(p), str(s), 1 if p % 2 else -1) for p in range(20) for s in range(3)]
    votes += [("partial", "0", 1), ("partial", "1", 1)]
    result = opinion_map(votes)
    assert result.min_votes == 3 and result.grouped == 20
    assert result.positions["partial"].group is None


def test_everyone_voting_alike_is_one_group():
    """When every grouped participant stands at the same point there is one group of all."""
    votes = [(str(p), str(s), 1) for p in range(20) for s in range(8)]
    result = opinion_map(votes)
    assert [len(group.members) for group in result.groups] == [20]
    assert result.groups[0].representative == ()
    assert len(result.consensus) == 8


def test_positions_are_the_principal_components_of_the_mean_filled_matrix():
    """Positions match a plain reference: fill missing votes with the statement's mean (passes
    as 0), centre, project on the first two right singular vectors (up to their sign); the
    positions are rounded to 6 decimals."""
    random_ = random.Random(3)
    votes = [
        (str(p), str(s), random_.choice((1, -1, 0)))
        for p in range(30)
        for s in range(9)
        if random_.random() < 0.7
    ]
    result = opinion_map(votes)
    participants = sorted({p for p, _s, _v in votes}, key=int)
    statements = sorted({s for _p, s, _v in votes}, key=int)
    matrix = np.full((len(participants), len(statements)), np.nan)
    for p, s, v in votes:
        matrix[participants.index(p), statements.index(s)] = v
    filled = np.where(np.isnan(matrix), np.nanmean(matrix, axis=0), matrix)
    centred = filled - filled.mean(axis=0)
    _u, _s, rows = np.linalg.svd(centred, full_matrices=False)
    expected = centred @ rows[:2].T
    actual = np.array([[result.positions[p].x, result.positions[p].y] for p in participants])
    for axis in (0, 1):
        sign = 1 if expected[:, axis] @ actual[:, axis] > 0 else -1
        assert actual[:, axis] == pytest.approx(sign * expected[:, axis], abs=1e-6)


def test_bad_votes_in_memory_are_refused_naming_the_vote():
    """A vote other than 1, -1 or 0, or an empty id, is refused with its position."""
    with pytest.raises(VotesError, match="vote 2: vote 7"):
        opinion_map([("a", "s", 1), ("b", "s", 7)])
    with pytest.raises(VotesError, match="vote 1: the statement id"):
        opinion_map([("a", " ", 1)])


GROUPABLE = st.lists(
    st.lists(st.sampled_from([1, -1, 0, None]), min_size=1, max_size=8), min_size=15, max_size=40
)


@given(rows=GROUPABLE, statements=st.integers(1, 8), seed=st.integers(0, 3))
def test_every_grouped_participant_is_in_exactly_one_of_2_to_5_groups(rows, statements, seed):
    """For any votes: each participant with enough votes is in exactly one group, the others in
    none; there are 2 to 5 groups, or one when everyone grouped stands at the same point."""
    votes = [
        (f"p{index}", f"s{column}", vote)
        for index, row in enumerate(rows)
        for column, vote in enumerate(row[:statements])
        if vote is not None
    ]
    result = opinion_map(votes, seed=seed)
    counts: dict[str, int] = {}
    for participant, _statement, _vote in votes:
        counts[participant] = counts.get(participant, 0) + 1
    enough = {p for p, n in counts.items() if n >= min(7, result.statements)}
    if len(enough) < compute.MIN_PARTICIPANTS:
        assert result.groups == () and result.message
        return
    members = [member for group in result.groups for member in group.members]
    assert sorted(members) == sorted(enough)
    assert all(group.members for group in result.groups)
    points = np.array([[result.positions[p].x, result.positions[p].y] for p in enough])
    if len(result.groups) == 1:
        assert np.ptp(points, axis=0).max() <= 1e-6 * max(np.abs(points).max(), 1)
    else:
        assert 2 <= len(result.groups) <= 5


def test_k_means_never_leaves_a_group_empty():
    """A start whose centre is far from every point still ends with every group holding a
    participant: the point farthest from its centre moves into the empty group."""
    points = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [11.0, 0.0]])
    starts = np.array([[[0.0, 0.0], [100.0, 100.0]]])
    labels, inertia = compute._lloyd(points, starts)
    assert sorted(np.bincount(labels[0], minlength=2).tolist()) == [2, 2]
    assert inertia[0] == pytest.approx(1.0)
