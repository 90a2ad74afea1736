"""Reading a votes file: the header, the fields, the votes and the encoding are checked and the
first bad line is named; repeated votes keep the later one; ids have a fixed order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linju.consultations.opinion.votes import VotesError, read_csv, table_from_votes
from tests.consultations import opinion_data as data


def votes_of(table):
    """The table as a set of (participant, statement, vote)."""
    return {
        (table.participants[row], table.statements[col], value)
        for row, col, value in zip(
            table.rows.tolist(), table.cols.tolist(), table.values.tolist(), strict=True
        )
    }


GOOD = b"participant,statement,vote\n1,a,1\n2,a,-1\n2,b,0\n"


def test_a_plain_file_is_read():
    """Each line is one vote: agree 1, disagree -1, pass 0."""
    table = read_csv(GOOD)
    assert votes_of(table) == {("1", "a", 1), ("2", "a", -1), ("2", "b", 0)}
    assert table.participants == ("1", "2") and table.statements == ("a", "b")


@pytest.mark.parametrize(
    "text",
    [
        b"\xef\xbb\xbfparticipant,statement,vote\r\n1,a,1\r\n2,a,-1\r\n2,b,0\r\n",  # Excel
        b"participant,statement,vote\n1,a,1\n\n2,a,-1\n2,b,0",  # blank line, no final newline
        b'participant,statement,vote\n"1",a,1\n2, a ,-1\n2,"b", 0 \n',  # quotes, spaces
    ],
    ids=["bom-crlf", "blank-line", "quoted-spaced"],
)
def test_common_variants_of_the_same_votes_read_alike(text):
    """A byte-order mark, CRLF line ends, blank lines, quotes and spaces around fields do not
    change the votes."""
    assert votes_of(read_csv(text)) == votes_of(read_csv(GOOD))


def test_quoted_ids_may_hold_commas_and_chinese():
    """Fields are CSV fields: a quoted id may hold a comma; ids are any UTF-8 text."""
    table = read_csv('participant,statement,vote\n"17号,302室",加装电梯,1\n'.encode())
    assert votes_of(table) == {("17号,302室", "加装电梯", 1)}


def test_a_header_only_file_has_no_votes():
    """A file with the header and no votes is valid and empty."""
    assert len(read_csv(b"participant,statement,vote\n")) == 0
    assert len(read_csv(b"participant,statement,vote")) == 0


@pytest.mark.parametrize(
    ("text", "line", "words"), data.MALFORMED.values(), ids=list(data.MALFORMED)
)
def test_a_malformed_file_is_refused_naming_its_first_bad_line(text, line, words):
    """Any bad line refuses the whole file; the error names the line and what is wrong."""
    with pytest.raises(VotesError) as error:
        read_csv(text)
    assert error.value.line == line
    assert str(error.value).startswith(f"line {line}: ")
    assert words in str(error.value)


def test_the_first_of_several_bad_lines_is_named():
    """With bad lines 3 and 5, line 3 is named."""
    with pytest.raises(VotesError, match=r"^line 3: vote '9'"):
        read_csv(b"participant,statement,vote\n1,a,1\n1,b,9\n1,c,1\n1,d,-2\n")


def test_lines_are_counted_in_the_file_even_after_a_quoted_line_break():
    """A quoted id holding a line break takes two lines of the file; the bad line after it is
    named by its own line number."""
    with pytest.raises(VotesError, match=r"^line 4: vote '9'"):
        read_csv(b'participant,statement,vote\n"17\n302",s,1\n2,s,9\n')


def test_a_repeated_vote_keeps_the_later_line():
    """The same participant and statement twice: the later line counts, whichever reader."""
    for text in (
        b"participant,statement,vote\n1,a,1\n2,a,0\n1,a,-1\n",
        b'participant,statement,vote\n1,a,1\n2,a,0\n"1",a,-1\n',
    ):
        assert votes_of(read_csv(text)) == {("1", "a", -1), ("2", "a", 0)}
    assert votes_of(table_from_votes([("1", "a", 1), ("1", "a", 0)])) == {("1", "a", 0)}


def test_whole_number_ids_sort_numerically_and_others_as_text():
    """Ids all plain whole numbers sort as numbers; otherwise all sort as text."""
    numbers = read_csv(b"participant,statement,vote\n10,3,1\n9,20,1\n100,1,1\n")
    assert numbers.participants == ("9", "10", "100")
    assert numbers.statements == ("1", "3", "20")
    long = read_csv(b"participant,statement,vote\n12345678,1,1\n9,123456789012,1\n100,5,1\n")
    assert long.participants == ("9", "100", "12345678")
    assert long.statements == ("1", "5", "123456789012")
    mixed = read_csv(b"participant,statement,vote\n10,3,1\n9,007,1\nx,1,1\n")
    assert mixed.participants == ("10", "9", "x")
    assert mixed.statements == ("007", "1", "3")


IDS = st.sampled_from(
    ["1", "2", "10", "0", "007", "-3", "a", "B", "张", "12345678", "123456789012", "9" * 20]
)
ROWS = st.lists(st.tuples(IDS, IDS, st.sampled_from([1, -1, 0])), max_size=30)


@given(rows=ROWS)
def test_plain_and_quoted_spellings_of_a_file_read_alike(rows):
    """The fast reader (plain files) and the general one (anything else, here forced by quoting
    every field) give the same ids, in the same order, and the same votes."""
    plain = "participant,statement,vote\n" + "".join(f"{p},{s},{v}\n" for p, s, v in rows)
    quoted = "participant,statement,vote\n" + "".join(f'"{p}","{s}","{v}"\n' for p, s, v in rows)
    fast, general = read_csv(plain.encode()), read_csv(quoted.encode())
    assert fast.participants == general.participants
    assert fast.statements == general.statements
    assert votes_of(fast) == votes_of(general) == votes_of(table_from_votes(rows))
