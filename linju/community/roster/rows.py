"""Reading a roster's rows into flats and the people listed at each; no database.

How a roster is read:

* one row per person at a flat, or one row per flat with its owners; several names in one cell
  (张三、李四) are several people, paired with the phone numbers of the phone cell in order;
* a row without an address belongs to the flat above it (an address cell merged downwards);
* a blank relation means owner; a flat with two or more owners is held jointly (co-owners);
* a row that repeats an earlier one is skipped with a warning; a total line (合计) too;
* each row's problems are collected, so the preview lists them all at once.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from linju.community.roster import cells as c
from linju.community.roster import mapping as m
from linju.community.roster import parse as p

MAX_LISTED = 1000  # messages kept of each kind; the counts say how many there were
MAX_NOTE = 200
TOTAL_WORDS = ("合计", "总计", "小计", "共计", "total")
_ADDR = {m.ADDRESS, m.BUILDING, m.ENTRANCE, m.ROOM}
_PLAIN = {m.NAME, m.NOTE}  # kept as written (no NFKC): 中文，标点 stays as it is

FORMULA = gettext_noop(
    "The “%(column)s” cell holds a formula (%(text)s). Type the value itself, or paste the "
    "cells as values."
)
NO_FLAT = gettext_noop("This row has no flat address.")
NO_BUILDING = gettext_noop("This row has a room number but no building.")
NO_ROOM = gettext_noop("This row has a building but no room number.")
ENTRANCE_TWICE = gettext_noop("The entrance is written twice, differently (“%(a)s” and “%(b)s”).")
TOO_MANY_PHONES = gettext_noop(
    "There are more mobile numbers (%(phones)s) than names (%(names)s) in this row."
)
PHONE_WITHOUT_NAME = gettext_noop("This row has a mobile number but no name.")
NOTE_TOO_LONG = gettext_noop("The note is longer than 200 characters.")
DEVELOPER_NAMES = gettext_noop("A developer row names one company only.")
FLAT_TWICE_AREA = gettext_noop(
    "Flat %(flat)s is already on row %(other)s with an area of %(old)s m²; this row says "
    "%(new)s m²."
)
FLAT_TWICE_FLOOR = gettext_noop(
    "Flat %(flat)s is already on row %(other)s on floor %(old)s; this row says floor %(new)s."
)
PERSON_TWICE = gettext_noop(
    "%(name)s is already listed at flat %(flat)s on row %(other)s, with different details."
)
DEVELOPER_TWICE = gettext_noop("Flat %(flat)s names a different developer on row %(other)s.")
DEVELOPER_AND_OWNERS = gettext_noop("Flat %(flat)s lists both the developer and owners.")
DUPLICATE_ROW = gettext_noop("This row repeats row %(other)s; it is skipped.")
TOTAL_LINE = gettext_noop("This looks like a total line; it is skipped.")


class Messages:
    """Messages of one kind: the first ``MAX_LISTED`` kept, all counted."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0
        self.rows: set[int] = set()

    def add(self, row: int | None, message: str, /, **params: Any) -> None:
        self.count += 1
        if row is not None:
            self.rows.add(row)
        if len(self.items) < MAX_LISTED:
            clean = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in params.items()}
            self.items.append({"row": row, "text": message, "params": clean})


# --- Step 1: rows → flats and people ---------------------------------------------------------


@dataclass(slots=True)
class PersonEntry:
    row: int
    name: str
    phone: str
    relation: str
    note: str


@dataclass(slots=True)
class FlatEntry:
    building: str
    entrance: str
    room: str
    row: int
    area: Decimal | None = None
    area_row: int = 0
    floor: int | None = None
    floor_row: int = 0
    developer: str | None = None
    developer_row: int = 0
    people: list[PersonEntry] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "-".join(x for x in (self.building, self.entrance, self.room) if x)


@dataclass
class Entries:
    flats: dict[tuple[str, str, str], FlatEntry] = field(default_factory=dict)
    errors: Messages = field(default_factory=Messages)
    warnings: Messages = field(default_factory=Messages)
    rows: int = 0  # data rows that were not blank


Progress = Callable[[int], None]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cycle collector while a roster's rows become objects: none of them form
    cycles, and collecting again and again over a growing heap costs a fifth of the reading."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _flat_of(texts: dict[str, str]) -> tuple[str, str, str] | None:
    """(building, entrance, room) from the address cells, or None if they are all blank."""
    if texts.get(m.ADDRESS):
        return c.parse_address(texts[m.ADDRESS])
    building, room = texts.get(m.BUILDING, ""), texts.get(m.ROOM, "")
    entrance = texts.get(m.ENTRANCE, "")
    if not (building or room or entrance):
        return None
    if not building:
        raise p.CellError(NO_BUILDING)
    if not room:
        raise p.CellError(NO_ROOM)
    b = c.parse_building(building)
    room_entrance, r = c.parse_room(room)
    e = c.parse_entrance(entrance) if entrance else ""
    if e and room_entrance and e != room_entrance:
        raise p.CellError(ENTRANCE_TWICE, a=entrance, b=room)
    return b, e or room_entrance, r


def read_entries(
    roster: p.RosterFile,
    *,
    sheet: int,
    header_row: int,
    mapping: dict[str, str],
    headers: dict[int, str] | None = None,
    progress: Progress | None = None,
    progress_every: int = 2000,
) -> Entries:
    """Stream the sheet's rows below the header into flats and people, with each row's errors
    and warnings. Raises RosterRefused for the file as a whole (too many rows, damaged)."""
    columns = [(int(index), name) for index, name in mapping.items() if name in m.FIELDS]
    headers = headers or {}
    header_texts = {
        name: p.clean_cell(headers.get(index, ""), plain=name in _PLAIN) for index, name in columns
    }
    first_cells = [name for name in (m.ADDRESS, m.BUILDING, m.NAME) if name in header_texts]
    out = Entries()
    seen: dict[int, int] = {}
    last_flat: tuple[str, str, str] | None = None
    with paused_gc():
        for number, values in roster.rows(sheet):
            if progress is not None and number % progress_every == 0:
                progress(number)
            if number <= header_row:
                continue
            raw = {name: values[index] if index < len(values) else None for index, name in columns}
            if all(v is None or v == "" for v in raw.values()):
                continue
            formulas = [name for name, value in raw.items() if p.is_formula(value)]
            texts = {name: p.clean_cell(value, plain=name in _PLAIN) for name, value in raw.items()}
            if not any(texts.values()) and not formulas:
                continue
            out.rows += 1
            if formulas:
                for name in formulas:
                    index = next(i for i, n in columns if n == name)
                    out.errors.add(
                        number,
                        FORMULA,
                        column=headers.get(index) or m.column_letter(index),
                        text=str(texts[name] or "=")[:40],
                    )
                continue
            if all(t == header_texts[n] for n, t in texts.items() if t):
                continue  # the header repeated (printed on every page)
            if any(texts[n].lower().startswith(TOTAL_WORDS) for n in first_cells):
                out.warnings.add(number, TOTAL_LINE)
                continue
            last_flat = _read_row(out, number, texts, last_flat, seen)
    if progress is not None:
        progress(roster.rows_read)
    _settle_relations(out)
    return out


def _read_row(
    out: Entries,
    number: int,
    texts: dict[str, str],
    last_flat: tuple[str, str, str] | None,
    seen: dict[int, int],
) -> tuple[str, str, str] | None:
    """Read one row into ``out``; returns the flat it names (for the rows below it)."""
    problems: list[p.CellError] = []
    try:
        key = _flat_of(texts)
    except p.CellError as exc:
        problems.append(exc)
        key = None
        last_flat = None
    else:
        if key is None:
            key = last_flat
            if key is None:
                problems.append(p.CellError(NO_FLAT))
        else:
            last_flat = key
    parsed: dict[str, Any] = {}
    for name, parser in (
        (m.AREA, c.parse_area),
        (m.FLOOR, c.parse_floor),
        (m.NAME, c.split_names),
        (m.PHONE, c.parse_phones),
        (m.RELATION, c.parse_relation),
    ):
        text = texts.get(name, "")
        if name == m.RELATION or text:
            try:
                parsed[name] = parser(text)
            except p.CellError as exc:
                problems.append(exc)
    note = texts.get(m.NOTE, "").replace("\n", " ")
    if len(note) > MAX_NOTE:
        problems.append(p.CellError(NOTE_TOO_LONG))
    names: list[str] = parsed.get(m.NAME, [])
    phones: list[str] = parsed.get(m.PHONE, [])
    relation = parsed.get(m.RELATION, "owner")
    if phones and not names:
        problems.append(p.CellError(PHONE_WITHOUT_NAME))
    elif len(phones) > len(names):
        problems.append(p.CellError(TOO_MANY_PHONES, phones=len(phones), names=len(names)))
    if relation == c.DEVELOPER and len(names) > 1:
        problems.append(p.CellError(DEVELOPER_NAMES))
    if problems or key is None:
        for problem in problems:
            out.errors.add(number, problem.message, **problem.params)
        return last_flat
    signature = hash((key, tuple(sorted((n, t) for n, t in texts.items() if n not in _ADDR))))
    if signature in seen:
        out.warnings.add(number, DUPLICATE_ROW, other=seen[signature])
        return last_flat
    seen[signature] = number
    _add_to_flat(out, number, key, parsed, names, phones, relation, note)
    return last_flat


def _add_to_flat(
    out: Entries,
    number: int,
    key: tuple[str, str, str],
    parsed: dict[str, Any],
    names: list[str],
    phones: list[str],
    relation: str,
    note: str,
) -> None:
    flat = out.flats.get(key)
    if flat is None:
        flat = out.flats[key] = FlatEntry(*key, row=number)
    area, floor = parsed.get(m.AREA), parsed.get(m.FLOOR)
    if area is not None:
        if flat.area is None:
            flat.area, flat.area_row = area, number
        elif flat.area != area:
            out.errors.add(
                number,
                FLAT_TWICE_AREA,
                flat=flat.label,
                other=flat.area_row,
                old=flat.area,
                new=area,
            )
            return
    if floor is not None:
        if flat.floor is None:
            flat.floor, flat.floor_row = floor, number
        elif flat.floor != floor:
            out.errors.add(
                number,
                FLAT_TWICE_FLOOR,
                flat=flat.label,
                other=flat.floor_row,
                old=flat.floor,
                new=floor,
            )
            return
    flat.rows.append(number)
    if relation == c.DEVELOPER:
        name = names[0] if names else ""
        if flat.developer is not None and flat.developer != name:
            out.errors.add(number, DEVELOPER_TWICE, flat=flat.label, other=flat.developer_row)
        elif flat.developer is None:
            flat.developer, flat.developer_row = name, number
        return
    for i, name in enumerate(names):
        phone = phones[i] if i < len(phones) else ""
        entry = PersonEntry(number, name, phone, relation, note)
        # The same name twice at one flat is two people (a grandmother and a granddaughter
        # may share a name) unless the same mobile number says it is one person.
        twin = next((q for q in flat.people if (q.name, q.phone) == (name, phone)), None)
        if twin is None or (not phone and (twin.relation, twin.note) != (relation, note)):
            flat.people.append(entry)
        elif (twin.relation, twin.note) != (relation, note):
            out.errors.add(number, PERSON_TWICE, name=name, flat=flat.label, other=twin.row)


def _settle_relations(out: Entries) -> None:
    """Two or more owners of one flat hold it jointly: each is a co-owner."""
    for flat in out.flats.values():
        owners = [q for q in flat.people if q.relation in ("owner", "co_owner")]
        if flat.developer is not None and owners:
            out.errors.add(flat.developer_row, DEVELOPER_AND_OWNERS, flat=flat.label)
        if len(owners) >= 2:
            for q in owners:
                q.relation = "co_owner"
