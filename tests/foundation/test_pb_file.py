"""Pabulib `.pb` files: read exactly, errors name the line, what is written reads back equal."""

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linju.foundation.pb.pbfile import (
    Ballot,
    Election,
    PbFileError,
    Project,
    parse_pb,
    read_pb,
    write_pb,
)

DATA = Path(__file__).parent / "data"
FILES = sorted(DATA.glob("*.pb"))

SMALL = """\
META
key;value
description;Green corner
budget;1000.5
vote_type;approval
num_projects;3
num_votes;3
PROJECTS
project_id;cost;name;selected
1;500;"Benches; two of them";1
2;300,25;Bird boxes;0
10;0;Sign;0
VOTES
voter_id;vote;age
a;1,2;40
b;10;
c;;71
"""


def error_of(text):
    with pytest.raises(PbFileError) as caught:
        parse_pb(text)
    return caught.value


def test_small_file_is_read_exactly():
    """Costs and the budget are Decimal (a decimal comma too), quoted fields keep their ';',
    an empty vote is an empty ballot, and other columns are kept as written."""
    election = parse_pb(SMALL)
    assert election.budget == Decimal("1000.5")
    assert election.vote_type == "approval"
    assert [(p.project_id, p.cost) for p in election.projects] == [
        ("1", Decimal(500)),
        ("2", Decimal("300.25")),
        ("10", Decimal(0)),
    ]
    assert election.projects[0].fields == {"name": "Benches; two of them", "selected": "1"}
    assert election.ballots == (
        Ballot(voter_id="a", projects=("1", "2"), fields={"age": "40"}),
        Ballot(voter_id="b", projects=("10",), fields={"age": ""}),
        Ballot(voter_id="c", projects=(), fields={"age": "71"}),
    )
    assert election.official_selection() == ("1",)
    assert election.meta_lines["vote_type"] == 5


def test_crlf_and_byte_order_mark_read_like_lf():
    """CRLF line ends (mixed with LF too) and a UTF-8 byte-order mark change nothing."""
    lines = SMALL.split("\n")
    mixed = "\r\n".join(lines[:8]) + "\r\n" + "\n".join(lines[8:])
    assert parse_pb(("\ufeff" + SMALL.replace("\n", "\r\n")).encode()) == parse_pb(SMALL)
    assert parse_pb(mixed.encode("utf-8-sig")) == parse_pb(SMALL)


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_real_files_round_trip(path):
    """A real file written back reads as the same election, and writing is stable."""
    election = read_pb(path)
    text = write_pb(election)
    again = parse_pb(text)
    assert again == election
    assert write_pb(again) == text


def test_real_file_counts():
    """Świecie 2023: 22 projects, 2,553 ballots, the official 17 winners marked."""
    election = read_pb(DATA / "Poland_Swiecie_2023.pb")
    assert (len(election.projects), len(election.ballots)) == (22, 2553)
    assert election.budget == Decimal(1070000)
    assert len(election.official_selection()) == 17


def test_cumulative_ballots_keep_points_and_repeats():
    """A cumulative ballot's points are read per project; a project named twice keeps both
    entries (its points add up when counted)."""
    text = """META
key;value
budget;10
vote_type;cumulative
PROJECTS
project_id;cost
p;4
q;5
VOTES
voter_id;vote;points
1;p,q;3,7
2;q,q;1,1.5
"""
    election = parse_pb(text)
    assert election.ballots[1] == Ballot(
        voter_id="2", projects=("q", "q"), points=(Decimal(1), Decimal("1.5"))
    )
    assert parse_pb(write_pb(election)) == election


def test_ordinal_and_choose_one_are_read():
    """Ordinal ballots keep their order; choose-1 ballots name at most one project."""
    base = "META\nkey;value\nbudget;10\nvote_type;{}\nPROJECTS\nproject_id;cost\np;4\nq;5\n"
    ordinal = parse_pb(base.format("ordinal") + "VOTES\nvoter_id;vote\n1;q,p\n")
    assert ordinal.ballots[0].projects == ("q", "p")
    choose = parse_pb(base.format("choose-1") + "VOTES\nvoter_id;vote\n1;q\n2;\n")
    assert [b.projects for b in choose.ballots] == [("q",), ()]


# --- Errors name the line ---------------------------------------------------------------------


def test_bad_meta_header_names_its_line():
    """The META header must be key;value."""
    error = error_of(SMALL.replace("key;value", "name;value"))
    assert error.line == 2
    assert "key;value" in str(error)


def test_projects_header_without_cost_names_its_line():
    """A PROJECTS header without a cost column is refused at that line."""
    error = error_of(SMALL.replace("project_id;cost;name;selected", "project_id;price;name;sel"))
    assert (error.line, str(error)) == (9, "line 9: the header has no 'cost' column")


def test_file_not_starting_with_meta():
    """Anything before META is refused."""
    assert error_of("hello\n" + SMALL).line == 1


def test_sections_out_of_order():
    """VOTES before PROJECTS is refused where it appears."""
    text = "META\nkey;value\nbudget;1\nvote_type;approval\nVOTES\nvoter_id;vote\n"
    error = error_of(text)
    assert error.line == 5
    assert "PROJECTS was expected" in str(error)


def test_section_after_votes():
    """Nothing but votes may follow VOTES."""
    error = error_of(SMALL + "PROJECTS\n")
    assert (error.line, str(error)) == (18, "line 18: section PROJECTS after VOTES")


def test_missing_votes_section():
    """A file that ends before VOTES says so, at its last line."""
    text = SMALL.split("VOTES")[0]
    error = error_of(text)
    assert error.line == 12
    assert "VOTES" in str(error)


@pytest.mark.parametrize("vote_type", ["scoring", "approvals", ""])
def test_unknown_vote_type_names_the_meta_line(vote_type):
    """Ballot types other than approval, choose-1, cumulative and ordinal are refused at the
    vote_type line."""
    error = error_of(SMALL.replace("vote_type;approval", f"vote_type;{vote_type}"))
    assert error.line == 5
    assert "vote_type" in str(error)


def test_vote_naming_an_unknown_project_names_its_line():
    """A vote for a project not in PROJECTS is refused at that vote."""
    error = error_of(SMALL.replace("b;10;", "b;10,11;"))
    assert str(error) == "line 16: the vote names project '11', which is not listed"


@pytest.mark.parametrize("cost", ["abc", "-5", "1e3", "12.5.1", "", "1 000", "0.1234567"])
def test_non_numeric_cost_names_its_line(cost):
    """A cost must be digits with an optional decimal point (or comma)."""
    error = error_of(SMALL.replace("2;300,25;", f"2;{cost};"))
    assert error.line == 11
    assert "cost" in str(error)


def test_non_numeric_budget_names_its_line():
    """The budget must be a number."""
    error = error_of(SMALL.replace("budget;1000.5", "budget;lots"))
    assert error.line == 4


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("10;0;Sign;0", "1;0;Sign;0", 12, "appears twice"),
        ("c;;71", "a;;71", 17, "voter 'a' appears twice"),
        ("a;1,2;40", "a;1,2,1;40", 15, "twice"),
        ("num_votes;3", "num_votes;4", 7, "num_votes"),
        ("num_projects;3", "num_projects;x", 6, "num_projects"),
        ("b;10;", "b;10;;extra", 16, "4 fields"),
        ("description;Green corner", "description;Green;corner", 3, "2 fields"),
    ],
)
def test_inconsistencies_name_their_line(old, new, line, words):
    """Duplicated projects, voters or votes, wrong counts and extra fields are refused."""
    error = error_of(SMALL.replace(old, new))
    assert error.line == line
    assert words in str(error)


def test_choose_one_vote_naming_two_projects():
    """A choose-1 ballot naming two projects is refused."""
    error = error_of(SMALL.replace("vote_type;approval", "vote_type;choose-1"))
    assert (error.line, "choose-1" in str(error)) == (15, True)


def test_cumulative_points_must_match_the_projects():
    """A cumulative ballot needs one number of points per project named."""
    text = "META\nkey;value\nbudget;9\nvote_type;cumulative\nPROJECTS\nproject_id;cost\np;4\n"
    assert error_of(text + "VOTES\nvoter_id;vote\n1;p\n").line == 9
    error = error_of(text + "VOTES\nvoter_id;vote;points\n1;p;2,3\n")
    assert (error.line, "1 projects named but 2 points" in str(error)) == (10, True)


def test_bytes_that_are_not_utf8_name_their_line():
    """A file that is not UTF-8 is refused at the first bad byte's line."""
    data = SMALL.replace("Bird boxes", "Bird \xff boxes").encode("latin-1")
    error = error_of(data)
    assert (error.line, str(error)) == (11, "line 11: the file is not UTF-8 text")


# --- Round trip of anything the reader accepts ----------------------------------------------

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    max_size=12,
).map(str.strip)
IDS = st.text(alphabet="0123456789abcXYZłż_-", min_size=1, max_size=4)
NUMBERS = st.builds(
    lambda whole, decimals: Decimal(f"{whole}.{decimals}" if decimals else str(whole)),
    st.integers(0, 10**9),
    st.one_of(st.just(""), st.text(alphabet="0123456789", min_size=1, max_size=6)),
)


@st.composite
def elections(draw):
    project_ids = draw(st.lists(IDS, min_size=0, max_size=6, unique=True))
    vote_type = draw(st.sampled_from(["approval", "choose-1", "cumulative", "ordinal"]))
    extra = draw(st.lists(st.sampled_from(["name", "votes", "category"]), unique=True))
    projects = []
    for project_id in project_ids:
        fields = {column: draw(TEXT) for column in extra}
        projects.append((project_id, draw(NUMBERS), fields))
    ballots = []
    for number in range(draw(st.integers(0, 6))):
        chosen = draw(st.lists(st.sampled_from(project_ids), unique=True)) if project_ids else []
        if vote_type == "choose-1":
            chosen = chosen[:1]
        points = tuple(draw(NUMBERS) for _ in chosen) if vote_type == "cumulative" else None
        fields = {"district": draw(TEXT)}
        ballots.append(Ballot(f"v{number}", tuple(chosen), points, fields))
    budget = draw(NUMBERS)
    vote_columns = ("voter_id", "vote", "district")
    if vote_type == "cumulative":
        vote_columns = ("voter_id", "vote", "points", "district")
    return Election(
        meta={"description": draw(TEXT), "budget": str(budget), "vote_type": vote_type},
        projects=tuple(Project(pid, cost, fields) for pid, cost, fields in projects),
        ballots=tuple(ballots),
        project_columns=("project_id", "cost", *extra),
        vote_columns=vote_columns,
        budget=budget,
        vote_type=vote_type,
    )


@settings(max_examples=200, deadline=None)
@given(elections())
def test_written_elections_read_back_equal(election):
    """Whatever is written (quotes, ';', non-ASCII, empty fields, decimals) reads back as the
    same election."""
    assert parse_pb(write_pb(election)) == election
