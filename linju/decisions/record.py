"""The published decision record, and ``linju recount``: anyone can check a result.

A record is JSON. The minimum (more fields may be added, these never change)::

    {"matter": 7,
     "roll": [{"flat": "17-1-302", "area": "89.50", "owner": "O-0001"}],
     "ballots": [{"owner": "O-0001", "choice": "agree"}]}

``matter`` is the Civil Code Art. 278 item (1-9); ``owner`` identifies the owner entity (the
developer is one entity, so all its flats are one head); ``choice`` is "agree", "disagree" or
"abstain". Areas are decimal strings or JSON numbers, read exactly (never through a float).
Optional fields:

- ``"deemed_consent": {"served": [owner, ...]}``: the owners served the notice. The output
  then also shows the "deemed consent" tally (served non-voters counted with the voters'
  majority) under ``"deemed"``; the ``"result"`` is always the strict tally.
- ``"fingerprint"``: the SHA-256 of the roll (``roll_fingerprint``) as published; the output
  says whether the roll in the record still matches it.

``linju recount RECORD.json`` (or ``-`` for standard input) prints the count as JSON and exits
0; a bad record exits 2 with a message naming the offending entry; a usage error or an
unreadable file exits 1. Nothing here needs Django, settings or a database.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, NoReturn

from linju.decisions import rules

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_BAD_RECORD = 2

# Sanity bounds, far beyond any real flat: they keep a hostile record from asking for
# astronomically large exact numbers.
MAX_AREA = Decimal(10) ** 12
MAX_AREA_DECIMALS = 10

_DECIMAL_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?", re.ASCII)
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}", re.ASCII)


class RecordError(ValueError):
    """A record that cannot be counted; the message names the offending entry."""


class RollLine(NamedTuple):
    flat: str
    owner: str
    area: Decimal


@dataclass(frozen=True)
class Record:
    matter: int
    roll: tuple[RollLine, ...]
    choices: dict[str, str]  # owner id -> choice, in ballot order
    served: tuple[str, ...] | None = None
    fingerprint: str | None = None


class _Constant:
    """NaN, Infinity or -Infinity in the JSON text: kept so the error can name its entry."""

    def __init__(self, name: str) -> None:
        self.name = name


def _show(value: Any) -> str:
    """A value as the record spells it, shortened: error messages name, they do not echo."""
    if isinstance(value, _Constant):
        text = value.name
    elif isinstance(value, Decimal):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _area(value: Any, entry: str) -> Decimal:
    area: Decimal | None = None
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        area = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite():
        area = value
    elif isinstance(value, int) and not isinstance(value, bool):
        area = Decimal(value)
    if area is not None and 0 < area < MAX_AREA:
        exponent = area.normalize(rules.EXACT).as_tuple().exponent
        if isinstance(exponent, int) and -exponent <= MAX_AREA_DECIMALS:
            return area
    raise RecordError(
        f"{entry}: area {_show(value)} must be a positive number of m² "
        f"(below 10^12, at most {MAX_AREA_DECIMALS} decimal places)"
    )


def _text(item: dict[str, Any], field: str, entry: str) -> str:
    if field not in item:
        raise RecordError(f'{entry}: missing field "{field}"')
    value = item[field]
    if not isinstance(value, str) or not value.strip():
        raise RecordError(f"{entry}: {field} {_show(value)} must be a non-empty string")
    return value


def _object(value: Any, entry: str, fields: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"{entry} must be an object with {fields}")
    return value


def _list(record: dict[str, Any], field: str, entry: str) -> list[Any]:
    if field not in record:
        raise RecordError(f'{entry}: missing field "{field}"')
    value = record[field]
    if not isinstance(value, list):
        raise RecordError(f"{field} must be a list")
    return value


def parse_record(text: str | bytes) -> Record:
    """Read and check a record; RecordError names the first offending entry.

    Unknown fields are ignored. Refused: text that is not JSON; a missing field; a matter
    that is not a JSON integer from 1 to 9; an empty roll; a flat or owner that is not a
    non-empty string; an area that is not a positive number (NaN and Infinity included); a
    flat listed twice; a ballot from an owner not on the roll, or a second ballot from one
    owner; a choice other than agree, disagree and abstain; a served owner not on the roll or
    listed twice; a fingerprint that is not a SHA-256 hex digest.
    """
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_Constant)
    except RecursionError:
        raise RecordError("the record is not valid JSON: nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, bad UTF-8, an integer too long to read
        raise RecordError(f"the record is not valid JSON: {error}") from None
    record = _object(data, "the record", "matter, roll and ballots")

    if "matter" not in record:
        raise RecordError('the record: missing field "matter"')
    matter = record["matter"]
    if isinstance(matter, bool) or not isinstance(matter, int) or matter not in rules.MATTERS:
        raise RecordError(
            f"matter {_show(matter)} must be an Art. 278 item: an integer from 1 to 9"
        )

    roll_items = _list(record, "roll", "the record")
    if not roll_items:
        raise RecordError("roll must list at least one flat")
    roll: list[RollLine] = []
    flat_entries: dict[str, str] = {}
    for index, raw in enumerate(roll_items):
        entry = f"roll[{index}]"
        item = _object(raw, entry, "flat, area and owner")
        flat = _text(item, "flat", entry)
        entry = f"{entry} (flat {_quoted(flat)})"
        if flat in flat_entries:
            raise RecordError(f"{entry}: the flat is listed twice (first at {flat_entries[flat]})")
        flat_entries[flat] = f"roll[{index}]"
        owner = _text(item, "owner", entry)
        if "area" not in item:
            raise RecordError(f'{entry}: missing field "area"')
        roll.append(RollLine(flat, owner, _area(item["area"], entry)))
    owners = {line.owner for line in roll}

    choices: dict[str, str] = {}
    ballot_entries: dict[str, str] = {}
    for index, raw in enumerate(_list(record, "ballots", "the record")):
        entry = f"ballots[{index}]"
        item = _object(raw, entry, "owner and choice")
        owner = _text(item, "owner", entry)
        if owner not in owners:
            raise RecordError(f"{entry}: owner {_quoted(owner)} is not on the roll")
        if owner in ballot_entries:
            raise RecordError(
                f"{entry}: owner {_quoted(owner)} already voted (at {ballot_entries[owner]})"
            )
        ballot_entries[owner] = entry
        entry = f"{entry} (owner {_quoted(owner)})"
        if "choice" not in item:
            raise RecordError(f'{entry}: missing field "choice"')
        choice = item["choice"]
        if not isinstance(choice, str) or choice not in rules.CHOICES:
            raise RecordError(f"{entry}: choice {_show(choice)} must be agree, disagree or abstain")
        choices[owner] = choice

    served: tuple[str, ...] | None = None
    if "deemed_consent" in record:
        deemed = _object(record["deemed_consent"], "deemed_consent", "served")
        served_list: list[str] = []
        served_entries: dict[str, str] = {}
        for index, owner in enumerate(_list(deemed, "served", "deemed_consent")):
            entry = f"deemed_consent.served[{index}]"
            if not isinstance(owner, str) or not owner.strip():
                raise RecordError(f"{entry}: owner {_show(owner)} must be a non-empty string")
            if owner not in owners:
                raise RecordError(f"{entry}: owner {_quoted(owner)} is not on the roll")
            if owner in served_entries:
                raise RecordError(
                    f"{entry}: owner {_quoted(owner)} is listed twice "
                    f"(first at {served_entries[owner]})"
                )
            served_entries[owner] = entry
            served_list.append(owner)
        served = tuple(served_list)

    # Blank or null: no fingerprint was taken (the roll was never frozen).
    fingerprint = record.get("fingerprint")
    if fingerprint == "":
        fingerprint = None
    if fingerprint is not None and not (
        isinstance(fingerprint, str) and _SHA256_HEX.fullmatch(fingerprint)
    ):
        raise RecordError(
            f"fingerprint {_show(fingerprint)} must be a SHA-256 digest: 64 hexadecimal digits"
        )
    return Record(
        matter=matter,
        roll=tuple(roll),
        choices=choices,
        served=served,
        fingerprint=fingerprint,
    )


def roll_fingerprint(lines: Iterable[tuple[str, str, Decimal] | Mapping[str, Any]]) -> str:
    """The canonical SHA-256 of a roll: ``(flat, owner, area)`` lines, or the record's
    ``{"flat", "area", "owner"}`` objects (the area a Decimal or a decimal string).

    Definition: sort the lines by flat (by code point); write each as the object
    ``{"area": A, "flat": F, "owner": O}`` where ``A`` is the area as a string in plain
    decimal notation, trailing zeros dropped and then padded to at least two decimals
    (89.5, 89.50 and 89.500 all give "89.50"; 89.505 stays "89.505"); serialise the array
    with ``json.dumps(lines, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``;
    encode as UTF-8; the fingerprint is the lowercase hex SHA-256 digest of those bytes.
    """
    triples = [
        (line["flat"], line["owner"], line["area"]) if isinstance(line, Mapping) else line
        for line in lines
    ]
    canonical = [
        {"area": rules.area_str(Decimal(area)), "flat": flat, "owner": owner}
        for flat, owner, area in sorted(triples, key=lambda line: line[0])
    ]
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recount(record: Record) -> dict[str, Any]:
    """The strict count of a record, plus the deemed-consent tally and fingerprint if asked.

    Keys: matter, participation, approval, result (always the strict tally), reasons,
    quorum_threshold, counts; ``deemed`` when the record has ``deemed_consent``;
    ``fingerprint`` when it has one.
    """
    approval = rules.approval_threshold(record.matter)
    count = rules.owners_count(record.roll, record.choices)
    output: dict[str, Any] = {
        "matter": record.matter,
        **rules.owners_result(count, approval=approval).as_dict(),
    }
    if record.served is not None:
        areas: dict[str, list[Decimal]] = {}
        for line in record.roll:
            areas.setdefault(line.owner, []).append(line.area)
        nonvoters = [owner for owner in record.served if owner not in record.choices]
        deemed, majority = rules.owners_result_deemed(
            count,
            served_area=rules.area_sum(area for owner in nonvoters for area in areas[owner]),
            served_heads=len(nonvoters),
            approval=approval,
        )
        output["deemed"] = {
            **deemed.as_dict(),
            "majority": majority,
            "counted_nonvoters": 0 if majority == "no_majority" else len(nonvoters),
        }
    if record.fingerprint is not None:
        computed = roll_fingerprint(record.roll)
        output["fingerprint"] = {
            "recorded": record.fingerprint,
            "computed": computed,
            "matches": record.fingerprint.lower() == computed,
        }
    return output


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse exits 2 on a usage error; here 2 means a bad record and nothing else.
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def main(argv: list[str]) -> int:
    """``linju recount RECORD.json``: print the recount as JSON; the exit code says how it went."""
    parser = _ArgumentParser(
        prog="linju recount",
        description=(
            "Recount a published owners' decision record (Civil Code Art. 278) with no "
            "database, and print the result as JSON. Exit 0: counted; 1: usage error or "
            "unreadable file; 2: bad record."
        ),
    )
    parser.add_argument("record", help='the record\'s JSON file, or "-" for standard input')
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        if args.record == "-":
            text = sys.stdin.buffer.read()
        else:
            with open(args.record, "rb") as file:
                text = file.read()
    except OSError as error:
        print(f"linju recount: cannot read {args.record}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    try:
        record = parse_record(text)
    except RecordError as error:
        print(f"linju recount: bad record: {error}", file=sys.stderr)
        return EXIT_BAD_RECORD
    print(json.dumps(recount(record), ensure_ascii=False, indent=2))
    return EXIT_OK
