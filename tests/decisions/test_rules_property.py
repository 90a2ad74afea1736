"""The Art. 278 count agrees with a plain reference on rolls built to sit on the boundaries.

The reference below imports nothing from the product: it counts in whole hundredths of a
square metre and compares shares by cross-multiplying integers.
"""

import itertools
import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from linju.decisions import record, rules

SPECIAL_ITEMS = (6, 7, 8)


def reference(matter, roll, choices):
    """The strict result of Art. 278, from (flat, owner, hundredths) lines and owner -> choice.

    Returns (result, participation area, participation heads, approval area, approval heads),
    the fractions as unreduced "a/b" strings.
    """
    area = {}
    for _flat, owner, hundredths in roll:
        area[owner] = area.get(owner, 0) + hundredths
    total_area, total_heads = sum(area.values()), len(area)
    voters = [owner for owner in area if owner in choices]
    agreeing = [owner for owner in voters if choices[owner] == "agree"]
    voted_area = sum(area[owner] for owner in voters)
    agree_area = sum(area[owner] for owner in agreeing)
    voted_heads, agree_heads = len(voters), len(agreeing)

    quorum = 3 * voted_area >= 2 * total_area and 3 * voted_heads >= 2 * total_heads
    if matter in SPECIAL_ITEMS:
        approved = (
            voted_heads > 0
            and 4 * agree_area >= 3 * voted_area
            and 4 * agree_heads >= 3 * voted_heads
        )
    else:
        approved = 2 * agree_area > voted_area and 2 * agree_heads > voted_heads
    result = "passed" if quorum and approved else ("failed" if quorum else "no_quorum")

    def m2(hundredths):
        return f"{hundredths // 100}.{hundredths % 100:02d}"

    return (
        result,
        f"{m2(voted_area)}/{m2(total_area)}",
        f"{voted_heads}/{total_heads}",
        f"{m2(agree_area)}/{m2(voted_area)}",
        f"{agree_heads}/{voted_heads}",
    )


AREAS = st.integers(min_value=1, max_value=30_000)  # hundredths of m²: 0.01 to 300.00
TARGETS = ((1, 2), (2, 3), (3, 4))


def near(n, fraction):
    """Head counts out of n at and next to n * fraction (clamped to 0..n)."""
    p, q = fraction
    exact = n * p // q
    return sorted({min(max(k, 0), n) for k in (exact - 1, exact, exact + 1, -(-n * p // q))})


@st.composite
def votes(draw):
    """A roll (flat, owner, hundredths) and choices, with shares landing on the boundaries."""
    matter = draw(st.integers(1, 9) | st.sampled_from(SPECIAL_ITEMS))
    owners = []
    if draw(st.booleans()):
        owners.append(("DEV", draw(st.integers(2, 6))))  # the developer: several unsold flats
    for number in range(draw(st.integers(1, 10))):
        kind = draw(st.sampled_from(["single", "multi", "co"]))
        owner = f"{'CO' if kind == 'co' else 'O'}-{number:03d}"  # co-owners: one id, one flat
        owners.append((owner, draw(st.integers(2, 3)) if kind == "multi" else 1))
    roll = []
    for owner, flat_count in owners:
        for _ in range(flat_count):
            roll.append([f"F-{len(roll) + 1:03d}", owner, draw(AREAS)])
    ids = [owner for owner, _ in owners]
    ids = draw(st.permutations(ids))

    # Which share to put on a boundary by area (below); it needs owners on both sides.
    target = draw(st.sampled_from(["none", "quorum", "approval", "approval"]))

    # Heads: how many vote (near 2/3 of all), and of those how many agree (near the threshold).
    n = len(ids)
    voter_count = draw(st.sampled_from(near(n, (2, 3))) | st.integers(0, n))
    if target == "quorum" and n >= 2:
        voter_count = min(max(voter_count, 1), n - 1)
    voters = ids[:voter_count]
    approval = (3, 4) if matter in SPECIAL_ITEMS else (1, 2)
    agree_count = draw(st.sampled_from(near(len(voters), approval)) | st.integers(0, len(voters)))
    if target == "approval" and len(voters) >= 2:
        agree_count = min(max(agree_count, 1), len(voters) - 1)
    choices = {}
    for index, owner in enumerate(voters):
        if index < agree_count:
            choices[owner] = "agree"
        else:
            choices[owner] = draw(st.sampled_from(["disagree", "abstain"]))

    # Area: give existing owners extra flats so that the share lands exactly on a boundary,
    # then nudge it by one hundredth either way. Heads are unchanged.
    if target == "quorum":
        fraction = (2, 3)
    else:  # mostly the matter's own threshold, sometimes another boundary
        fraction = draw(st.sampled_from([approval, approval, *TARGETS]))
    if target == "quorum":
        inside, outside = voters, ids[voter_count:]
    else:
        inside = [owner for owner in voters if choices[owner] == "agree"]
        outside = [owner for owner in voters if choices[owner] != "agree"]
    if target != "none" and inside and outside:

        def held(group):
            return sum(h for _, owner, h in roll if owner in group)

        def add(owner, hundredths):
            roll.append([f"X-{len(roll) + 1:03d}", owner, hundredths])

        # Every target p/q has q = p + 1: the share is exactly p/q when inside = p × outside.
        p = fraction[0]
        if held(inside) < p * held(outside):
            add(draw(st.sampled_from(inside)), p * held(outside) - held(inside))
        elif held(inside) > p * held(outside):
            if held(inside) % p:
                add(draw(st.sampled_from(inside)), p - held(inside) % p)
            add(draw(st.sampled_from(outside)), held(inside) // p - held(outside))
        nudge = draw(st.sampled_from(["none", "none", "up", "down"]))
        if nudge == "up":
            add(draw(st.sampled_from(inside)), 1)
        elif nudge == "down":
            add(draw(st.sampled_from(outside)), 1)
    roll = draw(st.permutations(roll))
    return matter, [tuple(line) for line in roll], choices


def record_json(matter, roll, choices, as_numbers):
    """The record as JSON text, each area a string or (where drawn) a JSON number."""
    lines = []
    for (flat, owner, hundredths), number in zip(roll, as_numbers, strict=True):
        text = f"{hundredths // 100}.{hundredths % 100:02d}"
        lines.append({"flat": flat, "owner": owner, "area": f"@{text}@" if number else text})
    ballots = [{"owner": owner, "choice": choice} for owner, choice in choices.items()]
    text = json.dumps({"matter": matter, "roll": lines, "ballots": ballots})
    return text.replace('"@', "").replace('@"', "")


@given(votes(), st.data())
def test_recount_agrees_with_the_reference(vote, data):
    """The recount of the record's JSON gives the reference's result and fractions."""
    matter, roll, choices = vote
    size = len(roll)
    as_numbers = data.draw(st.lists(st.booleans(), min_size=size, max_size=size))
    expected = reference(matter, roll, choices)
    output = record.recount(record.parse_record(record_json(matter, roll, choices, as_numbers)))
    assert (
        output["result"],
        output["participation"]["area"],
        output["participation"]["heads"],
        output["approval"]["area"],
        output["approval"]["heads"],
    ) == expected
    assert output["participation"]["quorum"] == (expected[0] != "no_quorum")
    assert output["approval"]["passed"] == (expected[0] == "passed")


@given(votes())
def test_owners_result_agrees_with_the_reference(vote):
    """The pure rules, fed Decimal areas, give the reference's result."""
    matter, roll, choices = vote
    lines = [(flat, owner, Decimal(hundredths).scaleb(-2)) for flat, owner, hundredths in roll]
    result = rules.owners_result(
        rules.owners_count(lines, choices), approval=rules.approval_threshold(matter)
    )
    expected = reference(matter, roll, choices)
    assert result.result == expected[0]
    assert result.passed == (expected[0] == "passed")
    assert result.as_dict()["participation"]["area"] == expected[1]
    assert result.as_dict()["approval"]["area"] == expected[3]


def split(total, parts, cuts):
    """``total`` hundredths cut into ``parts`` positive pieces at the drawn ``cuts``."""
    points = sorted({1 + c % (total - 1) for c in cuts[: parts - 1]}) if parts > 1 else []
    while len(points) < parts - 1:  # repeated cuts: take the first free points
        points = sorted(set(points) | {next(p for p in range(1, total) if p not in points)})
    edges = [0, *points, total]
    return [b - a for a, b in itertools.pairwise(edges)]


@given(
    k=st.integers(1, 4),
    matter=st.integers(1, 9),
    agree_areas=st.lists(st.integers(300, 30_000), min_size=12, max_size=12),
    cuts=st.lists(st.integers(0, 10**9), min_size=24, max_size=24),
    nudge=st.sampled_from(["none", "agree_up", "agree_down", "voters_down"]),
)
def test_exact_boundaries_every_time(k, matter, agree_areas, cuts, nudge):
    """Every example sits exactly on the thresholds: 2k of 6k owners stay away holding exactly
    a third of the area (quorum exactly 2/3); of the 4k voters, 3k (items 6-8) or 2k agree
    holding exactly 3/4 or 1/2 of the voted area. Exactly 2/3 and 3/4 pass, exactly 1/2
    fails (and more than half the area does not help while heads are exactly half); one
    hundredth of a m² either way moves the result as the law says."""
    special = matter in SPECIAL_ITEMS
    voters = 4 * k
    agree_n = 3 * k if special else 2 * k
    ratio = 3 if special else 1  # agree area = ratio × (voted but not agreeing) area
    agreeing = agree_areas[:agree_n] if agree_n <= 12 else agree_areas * 2
    agreeing = list(agreeing[:agree_n])
    agreeing[0] += (-sum(agreeing)) % (2 * ratio)  # keep every share a whole hundredth
    agree_total = sum(agreeing)
    others = split(agree_total // ratio, voters - agree_n, cuts)
    absent = split((agree_total + agree_total // ratio) // 2, 2 * k, cuts[12:])
    roll, choices = [], {}
    for group, choice in ((agreeing, "agree"), (others, "disagree"), (absent, None)):
        for hundredths in group:
            owner = f"O-{len(roll):03d}"
            roll.append((f"F-{len(roll):03d}", owner, hundredths))
            if choice:
                choices[owner] = choice
    if nudge == "agree_up":
        roll.append(("X-1", roll[0][1], 1))  # a hundredth more for an agreeing owner
    elif nudge == "agree_down":
        roll.append(("X-1", roll[agree_n][1], 1))  # a hundredth more for a disagreeing one
    elif nudge == "voters_down":
        roll.append(("X-1", roll[voters][1], 1))  # a hundredth more for an absent owner
    expected = reference(matter, roll, choices)
    if nudge == "voters_down":
        assert expected[0] == "no_quorum"
    elif nudge == "agree_down" or not special:  # exactly half the heads is never "more"
        assert expected[0] == "failed"
    else:
        assert expected[0] == "passed"
    lines = [(flat, owner, Decimal(hundredths).scaleb(-2)) for flat, owner, hundredths in roll]
    result = rules.owners_result(
        rules.owners_count(lines, choices), approval=rules.approval_threshold(matter)
    )
    assert result.result == expected[0]
    output = record.recount(
        record.parse_record(record_json(matter, roll, choices, [False] * len(roll)))
    )
    assert output["result"] == expected[0]
