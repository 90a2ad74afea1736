"""The ledger's hash chain: the canonical form of an entry, its hash, and the check of a whole
estate's chain.

An entry's hash is the SHA-256 (lowercase hex) of the UTF-8 bytes of
``json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` where
``fields`` holds, as strings or null: ``estate``, ``seq``, ``fund``, ``kind``, ``amount``
(two decimals), ``method``, ``reference``, ``description``, ``donor``, ``pledge``, ``expense``,
``reverses``, ``reason``, ``recorded_by``, ``recorded_at`` (ISO 8601, UTC, microseconds) and
``prev_hash`` (the previous entry's hash; 64 zeros for the first entry of an estate). Changing
any of these in a stored row, deleting a row or reordering rows breaks the chain at that
entry.

The entries of a street's community foundation form the street's own chain: their ``estate`` is
null and ``fields`` holds one more key, ``street`` (the street's id). Estate entries carry no
``street`` key, so their hashes are what they always were.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64
CENTS = Decimal("0.01")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _moment(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: dict[str, Any]) -> str:
    """The canonical serialisation of one entry (see the module docstring)."""
    fields = {
        "estate": _text(row["estate_id"]),
        "seq": _text(row["seq"]),
        "fund": _text(row["fund_id"]),
        "kind": row["kind"],
        "amount": str(Decimal(row["amount"]).quantize(CENTS)),
        "method": row["method"],
        "reference": row["reference"],
        "description": row["description"],
        "donor": row["donor"],
        "pledge": _text(row["pledge_id"]),
        "expense": _text(row["expense_id"]),
        "reverses": _text(row["reverses_id"]),
        "reason": row["reason"],
        "recorded_by": _text(row["recorded_by_id"]),
        "recorded_at": _moment(row["recorded_at"]),
        "prev_hash": row["prev_hash"],
    }
    if row.get("street_id") is not None:
        fields["street"] = _text(row["street_id"])
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(row: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(row).encode("utf-8")).hexdigest()


HASHED_FIELDS = (
    "estate_id",
    "street_id",
    "seq",
    "fund_id",
    "kind",
    "amount",
    "method",
    "reference",
    "description",
    "donor",
    "pledge_id",
    "expense_id",
    "reverses_id",
    "reason",
    "recorded_by_id",
    "recorded_at",
    "prev_hash",
)


@dataclass
class Break:
    """Where a chain is broken, and how, in words for the command's output."""

    seq: int | None
    entry_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry #{self.seq}" if self.seq is not None else "the chain"
        if self.entry_id is not None:
            where += f" (row id {self.entry_id})"
        return f"{where}: {self.problem}"


@dataclass
class ChainReport:
    estate_id: int
    count: int = 0
    head: str = GENESIS
    breaks: list[Break] = field(default_factory=list)
    balances: dict[int, Decimal] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify_rows(estate_id: int, rows: Iterable[dict[str, Any]]) -> ChainReport:
    """Check rows of one chain (an estate's; or a street's, ``estate_id`` then being the street's
    id), in ``seq`` order: numbers run 1, 2, 3… without a gap or a
    repeat, each entry's ``prev_hash`` is the hash of the one before, and each hash is what its
    fields give. Sums the amounts per fund as it goes."""
    report = ChainReport(estate_id=estate_id)
    expected_seq = 1
    previous = GENESIS
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            problem = (
                f"entry number {seq} where {expected_seq} was expected "
                "(an entry is missing, repeated or out of order)"
            )
            report.breaks.append(Break(seq, row["id"], problem))
        if row["prev_hash"] != previous:
            report.breaks.append(
                Break(seq, row["id"], "does not follow the entry before it (previous hash)")
            )
        computed = entry_hash(row)
        if computed != row["hash"]:
            report.breaks.append(
                Break(seq, row["id"], "its content was changed after it was recorded (hash)")
            )
        previous = row["hash"]
        expected_seq = seq + 1
        report.count += 1
        fund = row["fund_id"]
        report.balances[fund] = report.balances.get(fund, Decimal("0.00")) + Decimal(row["amount"])
    report.head = previous
    return report
