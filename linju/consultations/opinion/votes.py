"""Votes for the opinion map: read from a CSV file or taken from memory, checked, de-duplicated.

The file is UTF-8 text (a byte-order mark is tolerated) whose first line is exactly
``participant,statement,vote``; each further line is one vote: a participant id, a statement
id and ``1`` (agree), ``-1`` (disagree) or ``0`` (pass). Fields may be quoted as in any CSV;
spaces around a field are ignored; blank lines are skipped. When the same participant votes
twice on the same statement, the later line counts.

A file with a single bad line is refused whole (:class:`VotesError`, naming the first bad line),
so nothing is ever computed from part of a file.

Ids are text. Their order, which fixes the order of the rows and columns of the vote matrix and
so makes the result reproducible, is numeric when every id of the kind is a plain whole number
(digits only, no sign, no leading zero, at most 18 digits), and by code point otherwise. The
order of the lines in the file therefore does not matter, except between repeated votes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

HEADER = ("participant", "statement", "vote")
VOTE_VALUES = {"1": 1, "-1": -1, "0": 0}

_BOM = b"\xef\xbb\xbf"
_PLAIN_WHOLE_NUMBER = re.compile(r"0|[1-9][0-9]{0,17}", re.ASCII)
_MAX_DIGITS = 18  # below 2**63, so the ids fit numpy's int64
_MAX_PLAIN_WIDTH = 64
# Repeated pairs are looked for with one counter per matrix cell up to this many cells.
_MAX_COUNTED_CELLS = 50_000_000

IntArray = npt.NDArray[np.int64]
VoteArray = npt.NDArray[np.int8]


class VotesError(ValueError):
    """Votes that cannot be read; the message names the first bad line (or vote)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True, eq=False)
class VoteTable:
    """One vote per (participant, statement) pair, as parallel arrays of indexes.

    ``participants`` and ``statements`` are the ids in their canonical order (see the module
    docstring); ``rows[i]`` and ``cols[i]`` index them, ``values[i]`` is 1, -1 or 0.
    """

    participants: tuple[str, ...]
    statements: tuple[str, ...]
    rows: IntArray
    cols: IntArray
    values: VoteArray

    def __len__(self) -> int:
        return len(self.values)


def ids_sorted(ids: Iterable[str]) -> list[str]:
    """Ids in their canonical order: numeric if all are plain whole numbers, else as text."""
    unique = set(ids)
    if all(_PLAIN_WHOLE_NUMBER.fullmatch(text) for text in unique):
        return sorted(unique, key=int)
    return sorted(unique)


def table_from_votes(votes: Iterable[tuple[str, str, int]]) -> VoteTable:
    """Check votes held in memory, in order (a repeated pair keeps the later vote).

    Raises :class:`VotesError` naming the first bad vote (counted from 1): an id that is not a
    non-empty string, or a vote other than 1, -1 or 0.
    """
    participants: list[str] = []
    statements: list[str] = []
    values: list[int] = []
    for number, vote in enumerate(votes, start=1):
        try:
            participant, statement, value = vote
        except (TypeError, ValueError):
            raise VotesError(f"vote {number}: expected (participant, statement, vote)") from None
        participant = _id_checked(participant, "participant", f"vote {number}")
        statement = _id_checked(statement, "statement", f"vote {number}")
        if isinstance(value, bool) or value not in (1, -1, 0):
            raise VotesError(
                f"vote {number}: vote {value!r} must be 1 (agree), -1 (disagree) or 0 (pass)"
            )
        participants.append(participant)
        statements.append(statement)
        values.append(int(value))
    return _table(participants, statements, values)


def read_csv(data: bytes) -> VoteTable:
    """Read a votes file (see the module docstring); :class:`VotesError` names its first bad
    line."""
    try:
        if not data.isascii():
            data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise VotesError(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); save it as CSV UTF-8",
            line=line,
        ) from None
    start = len(_BOM) if data.startswith(_BOM) else 0
    newline = data.find(b"\n", start)
    header = data[start : newline if newline >= 0 else len(data)]
    if header.rstrip(b"\r").decode("utf-8") != ",".join(HEADER):
        raise VotesError(
            f"the header must be exactly {','.join(HEADER)}, not {_shown(header)}", line=1
        )
    table = _read_plain(data, newline + 1) if newline >= 0 else None
    if table is None:
        table = _read_general(data[start:].decode("utf-8"))
    return table


# --- The general reader: any CSV, line by line ------------------------------------------------


def _read_general(text: str) -> VoteTable:
    """Read with the csv module, checking each line; the reference for :func:`_read_plain`."""
    reader = csv.reader(io.StringIO(text, newline=""))
    participants: list[str] = []
    statements: list[str] = []
    values: list[int] = []
    ended = 1  # the line on which the last record read ends (a quoted field may span lines)
    try:
        next(reader)  # the header, checked by the caller
        for row in reader:
            line, ended = ended + 1, reader.line_num  # errors name the line a record starts on
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != 3:
                unclosed = " (a quote opened on this line is not closed)" if ended > line else ""
                raise VotesError(
                    f"expected 3 fields (participant,statement,vote), found {len(row)}" + unclosed,
                    line=line,
                )
            participant, statement, vote_text = (field.strip() for field in row)
            if not participant:
                raise VotesError("the participant id is empty", line=line)
            if not statement:
                raise VotesError("the statement id is empty", line=line)
            if "\x00" in participant or "\x00" in statement:
                raise VotesError("an id holds a NUL character", line=line)
            vote = VOTE_VALUES.get(vote_text)
            if vote is None:
                raise VotesError(
                    f"vote {_shown(vote_text)} must be 1 (agree), -1 (disagree) or 0 (pass)",
                    line=line,
                )
            participants.append(participant)
            statements.append(statement)
            values.append(vote)
    except csv.Error as error:
        raise VotesError(f"not readable as CSV ({error})", line=ended + 1) from None
    return _table(participants, statements, values)


def _table(participants: list[str], statements: list[str], values: list[int]) -> VoteTable:
    participant_ids = ids_sorted(participants)
    statement_ids = ids_sorted(statements)
    participant_index = {text: index for index, text in enumerate(participant_ids)}
    statement_index = {text: index for index, text in enumerate(statement_ids)}
    rows = np.fromiter(map(participant_index.__getitem__, participants), np.int64, len(values))
    cols = np.fromiter(map(statement_index.__getitem__, statements), np.int64, len(values))
    return _deduplicated(
        tuple(participant_ids),
        tuple(statement_ids),
        rows,
        cols,
        np.asarray(values, dtype=np.int8),
    )


def _deduplicated(
    participants: tuple[str, ...],
    statements: tuple[str, ...],
    rows: IntArray,
    cols: IntArray,
    values: VoteArray,
) -> VoteTable:
    """Keep the last vote of each (participant, statement) pair."""
    pairs = rows * max(len(statements), 1) + cols
    cells = len(participants) * len(statements)
    if cells <= _MAX_COUNTED_CELLS and (len(pairs) == 0 or np.bincount(pairs).max() <= 1):
        return VoteTable(participants, statements, rows, cols, values)  # no repeated pair
    order = np.argsort(pairs, kind="stable")  # stable: repeated pairs stay in file order
    ordered = pairs[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = ordered[1:] != ordered[:-1]
    keep = order[last]
    return VoteTable(participants, statements, rows[keep], cols[keep], values[keep])


def _id_checked(value: object, kind: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise VotesError(f"{where}: the {kind} id {value!r} must be non-empty text")
    return value.strip()


def _shown(value: str | bytes) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    text = repr(text)
    return text if len(text) <= 40 else f"{text[:37]}..."


# --- The fast reader: plain files, whole columns at a time -------------------------------------

_COMMA, _NEWLINE, _MINUS, _ZERO, _ONE = b",\n-01"


def _read_plain(data: bytes, start: int) -> VoteTable | None:
    """Read the votes from ``start`` on, if the file is plain (no quotes, spaces, tabs, lone
    carriage returns or NUL bytes), with numpy, whole columns at once; else return None: then
    the general reader reads it, and names the first bad line if there is one. Both readers
    give the same table."""
    if data.find(b"\r", start) >= 0:
        data, start = data[start:].replace(b"\r\n", b"\n"), 0
    if any(data.find(mark, start) >= 0 for mark in (b'"', b" ", b"\t", b"\r", b"\x00")):
        return None
    if start >= len(data):
        return _deduplicated((), (), *_empty_columns())
    if not data.endswith(b"\n"):
        data, start = data[start:] + b"\n", 0
    text = np.frombuffer(data, dtype=np.uint8, offset=start)
    ends = np.flatnonzero(text == _NEWLINE)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    filled = ends > starts
    starts, ends = starts[filled], ends[filled]  # blank lines are skipped
    commas = np.flatnonzero(text == _COMMA)
    if len(commas) != 2 * len(starts):
        return None
    if len(starts) == 0:
        return _deduplicated((), (), *_empty_columns())
    # As many commas as two per line, and each line holding the two it would be given if it
    # had two: then every line has exactly two.
    comma1, comma2 = commas[0::2], commas[1::2]
    if not np.all((comma1 >= starts) & (comma2 < ends)):
        return None
    values = _plain_votes(text, comma2 + 1, ends)
    if values is None:
        return None
    participants = _plain_ids(text, starts, comma1)
    statements = _plain_ids(text, comma1 + 1, comma2)
    if participants is None or statements is None:
        return None
    return _deduplicated(participants[0], statements[0], participants[1], statements[1], values)


def _empty_columns() -> tuple[IntArray, IntArray, VoteArray]:
    return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int8)


def _plain_votes(text: npt.NDArray[np.uint8], starts: IntArray, ends: IntArray) -> VoteArray | None:
    lengths = ends - starts
    first = text[starts]  # each field is followed by a newline, so this is in the text
    second = text[np.minimum(starts + 1, len(text) - 1)]
    one_char = (lengths == 1) & ((first == _ONE) | (first == _ZERO))
    minus_one = (lengths == 2) & (first == _MINUS) & (second == _ONE)
    if not np.all(one_char | minus_one):
        return None
    return np.where(minus_one, np.int8(-1), (first - _ZERO).astype(np.int8))


def _plain_ids(
    text: npt.NDArray[np.uint8], starts: IntArray, ends: IntArray
) -> tuple[tuple[str, ...], IntArray] | None:
    """The distinct ids in canonical order, and each field's index among them."""
    lengths = ends - starts
    if len(lengths) == 0 or lengths.min() == 0:
        return None  # an empty id: the general reader names the line
    width = int(lengths.max())
    if width > _MAX_PLAIN_WIDTH:
        return None  # long ids: padding every field to the longest would waste memory
    numbers = _plain_whole_numbers(text, starts, lengths, width)
    if numbers is not None:
        unique, codes = _ranked(numbers)
        return tuple(str(number) for number in unique.tolist()), codes
    padded = np.zeros((len(starts), width), dtype=np.uint8)
    for column in range(width):
        present = column < lengths
        padded[present, column] = text[starts[present] + column]
    keys = padded.view(f"S{width}").ravel()
    unique_bytes, codes = np.unique(keys, return_inverse=True)
    # Byte order of UTF-8 is code point order, the order ids_sorted gives text.
    return tuple(key.decode("utf-8") for key in unique_bytes.tolist()), codes.astype(np.int64)


def _ranked(numbers: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct numbers in order, and each number's rank among them (np.unique, faster
    when the numbers are small, as ids counted from 1 are)."""
    largest = int(numbers.max())
    if largest > 4 * len(numbers) + 1024:
        unique, codes = np.unique(numbers, return_inverse=True)
        return unique, codes.astype(np.int64)
    present = np.zeros(largest + 1, dtype=bool)
    present[numbers] = True
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present).astype(np.int64), rank[numbers].astype(np.int64)


def _plain_whole_numbers(
    text: npt.NDArray[np.uint8], starts: IntArray, lengths: IntArray, width: int
) -> IntArray | None:
    """The ids as numbers if every one is a plain whole number, else None."""
    if width > _MAX_DIGITS:
        return None
    first = text[starts]
    if np.any((first == _ZERO) & (lengths > 1)):
        return None  # a leading zero: "007" is not 7
    if width <= 8:
        return _short_whole_numbers(text, starts, lengths)
    numbers = np.zeros(len(starts), dtype=np.int64)
    for column in range(width):
        present = column < lengths
        digits = text[np.where(present, starts + column, starts)] - np.uint8(_ZERO)
        if np.any(present & (digits > 9)):  # below "0" wraps round to above 9
            return None
        numbers = np.where(present, numbers * 10 + digits, numbers)
    return numbers


_EIGHT = np.uint64(8)
_ZEROS = np.uint64(0x3030303030303030)  # "00000000"
_HIGH_NIBBLES = np.uint64(0xF0F0F0F0F0F0F0F0)
_SIXES = np.uint64(0x0606060606060606)
# "0" bytes below an id of 0 to 8 characters moved to the top of a little-endian word.
_ZERO_FILL = np.array([int.from_bytes(b"0" * (8 - n), "little") for n in range(9)], np.uint64)


def _short_whole_numbers(
    text: npt.NDArray[np.uint8], starts: IntArray, lengths: IntArray
) -> IntArray | None:
    """Ids of at most 8 characters as numbers, or None if one is not all digits.

    Each id is read as one little-endian 64-bit word, shifted so its characters fill the top
    bytes, with "0" below (leading zeros); then all eight digits are checked and combined in
    three multiply-and-shift steps ("SIMD within a register")."""
    words = _words(text, starts) << (_EIGHT * (_EIGHT - lengths.astype(np.uint64)))
    words |= _ZERO_FILL[lengths]
    digits_only = ((words & _HIGH_NIBBLES) == _ZEROS) & (
        ((words + _SIXES) & _HIGH_NIBBLES) == _ZEROS
    )
    if not np.all(digits_only):
        return None
    words -= _ZEROS
    words = (words * np.uint64(10) + (words >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    words = (words * np.uint64(100) + (words >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    words = (words * np.uint64(10000) + (words >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return words.astype(np.int64)


def _words(text: npt.NDArray[np.uint8], starts: IntArray) -> npt.NDArray[np.uint64]:
    """The 8 bytes from each start as a little-endian word (zeros past the end of the text)."""
    base = max(len(text) - 7, 0)  # a word from here on would run past the end of the text
    if base > 0:
        words = _unaligned_words(text)[np.minimum(starts, base - 1)].astype(np.uint64, copy=False)
    else:
        words = np.zeros(len(starts), dtype=np.uint64)
    near_end = np.flatnonzero(starts >= base)
    if len(near_end):
        tail = np.zeros(len(text) - base + 8, dtype=np.uint8)
        tail[: len(text) - base] = text[base:]
        words[near_end] = _unaligned_words(tail)[starts[near_end] - base]
    return words


def _unaligned_words(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """A word starting at every byte of ``data`` (a view, nothing copied)."""
    words: npt.NDArray[np.uint64] = np.ndarray(
        (len(data) - 7,), dtype="<u8", buffer=data, strides=(1,)
    )
    return words
