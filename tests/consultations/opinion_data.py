"""Votes with a known answer, for the opinion map's tests."""

from __future__ import annotations

import random

GROUP_SIZE = 20
# Each planted group agrees with its own four statements; the other groups pass on them.
PLANTED = {0: ("1", "2", "3", "4"), 1: ("5", "6", "7", "8"), 2: ("9", "10", "11", "12")}
EVERYONE_AGREES = "13"
# Split alike inside every group (5 agree, 5 disagree, 10 pass), in a different random order
# each time: no group differs from the rest on them.
SPLIT = ("14", "15", "16", "17", "18", "19", "20")
LURKERS = ("61", "62", "63")  # three votes each: too few to be grouped


def planted_members(group: int) -> list[str]:
    return [str(group * GROUP_SIZE + number) for number in range(1, GROUP_SIZE + 1)]


def planted_votes(seed: int = 5) -> list[tuple[str, str, int]]:
    """60 participants in three groups of 20 (ids 1-20, 21-40, 41-60) on 20 statements, and
    three lurkers."""
    random_ = random.Random(seed)
    votes: list[tuple[str, str, int]] = []
    splits = {
        (group, statement): random_.sample([1] * 5 + [-1] * 5 + [0] * 10, GROUP_SIZE)
        for group in PLANTED
        for statement in SPLIT
    }
    for group in PLANTED:
        for position, participant in enumerate(planted_members(group)):
            for own_group, statements in PLANTED.items():
                for statement in statements:
                    votes.append((participant, statement, 1 if own_group == group else 0))
            votes.append((participant, EVERYONE_AGREES, 1))
            for statement in SPLIT:
                votes.append((participant, statement, splits[group, statement][position]))
    for lurker in LURKERS:
        votes += [(lurker, "1", 1), (lurker, "5", -1), (lurker, EVERYONE_AGREES, 1)]
    random_.shuffle(votes)
    return votes


def as_csv(votes: list[tuple[str, str, int]]) -> bytes:
    lines = ["participant,statement,vote", *(f"{p},{s},{v}" for p, s, v in votes)]
    return ("\n".join(lines) + "\n").encode()


HEADER = b"participant,statement,vote\n"
# Malformed files: (content, the first bad line, words the error must say).
MALFORMED = {
    "empty-file": (b"", 1, "header"),
    "short-header": (b"participant,statement\n1,a\n", 1, "header"),
    "other-header": (b"user,statement,vote\n1,a,1\n", 1, "header"),
    "four-fields": (HEADER + b"1,a,1\n1,b,1,extra\n", 3, "3 fields"),
    "two-fields": (HEADER + b"1,a,1\n1,b\n", 3, "found 2"),
    "empty-participant": (HEADER + b"1,a,1\n2,b,1\n,c,1\n", 4, "participant id is empty"),
    "blank-statement": (HEADER + b"1,a,1\n2, ,1\n", 3, "statement id is empty"),
    "vote-7": (HEADER + b"1,a,1\n2,a,7\n", 3, "vote '7'"),
    "vote-word": (HEADER + b"1,a,1\n2,a,yes\n", 3, "vote 'yes'"),
    "vote-missing": (HEADER + b"1,a,1\n2,a,\n", 3, "vote ''"),
    "vote-plus-one": (HEADER + b"1,a,1\n2,a,+1\n", 3, "vote '+1'"),
    "vote-decimal": (HEADER + b"1,a,1\n2,a,1.0\n", 3, "vote '1.0'"),
    "gbk": (HEADER + "1,a,1\n2,a,1\n张三,a,1\n".encode("gbk"), 4, "not UTF-8"),
    "nul": (HEADER + b"1,a,1\n2,a\x00,1\n", 3, "NUL"),
    "open-quote": (HEADER + b'1,a,1\n"2,a,1\n3,a,1\n', 3, "quote opened on this line"),
}
