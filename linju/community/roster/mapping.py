"""Which column holds what: the header row found, each column's field guessed from its header
(Chinese or English), and the estate's remembered mapping applied first.

Real rosters put a title and a date above the header, merge a group heading over several
columns ("房屋信息" over 楼号/单元/室号) or merge a heading down over two rows; the header is
the row (or pair of rows, the lower one naming what the upper one groups) whose cells name the
most fields.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from linju.community.roster.parse import RosterFile, clean_cell

ADDRESS = "address"
BUILDING = "building"
ENTRANCE = "entrance"
ROOM = "room"
FLOOR = "floor"
AREA = "area"
NAME = "name"
PHONE = "phone"
RELATION = "relation"
NOTE = "note"

FIELDS = (ADDRESS, BUILDING, ENTRANCE, ROOM, FLOOR, AREA, NAME, PHONE, RELATION, NOTE)
FIELD_LABELS = {
    ADDRESS: _("Whole flat address (17-1-302)"),
    BUILDING: _("Building"),
    ENTRANCE: _("Entrance (单元)"),
    ROOM: _("Room number"),
    FLOOR: _("Floor"),
    AREA: _("Area (m²)"),
    NAME: _("Name(s)"),
    PHONE: _("Mobile phone(s)"),
    RELATION: _("Relation (owner, tenant…)"),
    NOTE: _("Note"),
}

NO_FLAT_COLUMNS = gettext_noop(
    "Could not find the columns that hold the flat (a whole address such as 17-1-302, or the "
    "building and the room number). The headers on row %(row)s are: %(headers)s."
)

# Whole headers (after normalising) that name a field.
EXACT: dict[str, tuple[str, ...]] = {
    name: tuple(words.split())
    for name, words in (
        (
            ADDRESS,
            "房号 地址 住址 房屋地址 门牌 门牌号 房屋 户号 楼号房号 楼栋房号 楼室号 房屋坐落 坐落 "
            "房屋门牌 address flat flatno apartment",
        ),
        (
            BUILDING,
            "楼号 楼栋 楼栋号 栋号 幢号 栋 幢 楼 楼幢 楼幢号 building buildingno bldg block",
        ),
        (ENTRANCE, "单元 单元号 门洞 entrance stair staircase"),
        (ROOM, "室号 室 房间号 房间 户室号 room roomno roomnumber unit unitno"),
        (FLOOR, "楼层 层 层数 所在楼层 floor"),
        (AREA, "面积 建筑面积 房屋面积 产证面积 专有面积 套内面积 住房面积 产权面积 area size sqm"),
        (
            NAME,
            "姓名 业主姓名 业主 住户姓名 户主姓名 居民姓名 名字 户主 住户 联系人 产权人 name names "
            "owner owners resident fullname",
        ),
        (
            PHONE,
            "手机 手机号 手机号码 电话 联系电话 电话号码 联系方式 移动电话 "
            "phone mobile mobilephone tel telephone",
        ),
        (
            RELATION,
            "关系 身份 与户主关系 与业主关系 类别 类型 居住类型 居住性质 住户类型 人员类别 "
            "relation relationship role type",
        ),
        (NOTE, "备注 说明 附注 备考 note notes remark remarks comment"),
    )
}
# Words that name a field anywhere in a header ("联系电话1", "业主姓名（必填）").
CONTAINS: dict[str, tuple[str, ...]] = {
    ADDRESS: ("地址", "住址", "门牌", "坐落", "address"),
    BUILDING: ("楼号", "楼栋", "栋号", "幢号", "building"),
    ENTRANCE: ("单元", "entrance"),
    ROOM: ("室号", "房间", "room"),
    FLOOR: ("楼层", "floor"),
    AREA: ("面积", "area"),
    NAME: ("姓名", "名字", "name"),
    PHONE: ("手机", "电话", "phone", "mobile"),
    RELATION: ("关系", "身份", "类别", "relation"),
    NOTE: ("备注", "note", "remark"),
}
_EXACT_INDEX = {word: name for name, words in EXACT.items() for word in words}
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]|【.*?】|<.*?>")
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff-]+")


def normalise_header(text: Any) -> str:
    """面积（㎡） → 面积; "Mobile phone" → mobilephone; 业主姓名*(必填) → 业主姓名."""
    t = unicodedata.normalize("NFKC", clean_cell(text)).lower()
    t = _BRACKETS.sub("", t)
    return _NOT_WORD.sub("", t)


def header_field(text: Any) -> tuple[str, int]:
    """The field a header names and how surely (0 = none)."""
    key = normalise_header(text)
    if not key:
        return "", 0
    if key in _EXACT_INDEX:
        return _EXACT_INDEX[key], 100
    best, score = "", 0
    for name, words in CONTAINS.items():
        for word in words:
            if word in key and 10 + len(word) > score:
                best, score = name, 10 + len(word)
    return best, score


def guess_fields(headers: Sequence[Any], remembered: dict[str, str] | None = None) -> list[str]:
    """A field (or "") for each header: the remembered mapping first, then the best guess; each
    field goes to one column only, the surest one."""
    remembered = remembered or {}
    chosen = [""] * len(headers)
    taken: set[str] = set()
    for i, header in enumerate(headers):
        key = normalise_header(header)
        if key and key in remembered:
            chosen[i] = remembered[key]
            if chosen[i]:
                taken.add(chosen[i])
    guesses = []
    for i, header in enumerate(headers):
        if normalise_header(header) in remembered:
            continue
        name, score = header_field(header)
        if score and name not in taken:
            guesses.append((score, -i, i, name))
    for _score, _neg, i, name in sorted(guesses, reverse=True):
        if name not in taken:
            chosen[i] = name
            taken.add(name)
    # "房号" is the room when the building has its own column, the whole address otherwise.
    if ADDRESS in taken and BUILDING in taken and ROOM not in taken:
        chosen = [ROOM if f == ADDRESS else f for f in chosen]
    return chosen


def has_flat_columns(fields: Iterable[str]) -> bool:
    present = set(fields)
    return ADDRESS in present or {BUILDING, ROOM} <= present


@dataclass
class Column:
    index: int
    letter: str
    header: str
    samples: list[str] = field(default_factory=list)
    field: str = ""


@dataclass
class Layout:
    """Where the header is and what each column holds. ``header_row`` is the last header row
    (the data starts below it), numbered as the spreadsheet shows it."""

    sheets: list[str]
    sheet: int
    header_row: int
    columns: list[Column]

    @property
    def mapping(self) -> dict[str, str]:
        return {str(c.index): c.field for c in self.columns if c.field}

    @property
    def headers(self) -> dict[int, str]:
        return {c.index: c.header for c in self.columns}


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _texts(row: Sequence[Any], width: int) -> list[str]:
    return [clean_cell(row[i], plain=True) if i < len(row) else "" for i in range(width)]


def _score(headers: Sequence[str]) -> int:
    return len({name for name, score in map(header_field, headers) if score})


def find_header(rows: list[tuple[int, tuple[Any, ...]]]) -> tuple[int, list[str]]:
    """(the last header row's number, the header text of each column) among the first rows."""
    width = max((len(values) for _n, values in rows), default=0)
    texts = [(number, _texts(values, width)) for number, values in rows]
    best: tuple[int, int, int, list[str]] | None = None  # (score, -rows, -position, headers)
    for position, (number, headers) in enumerate(texts):
        candidates = [(1, number, headers)]
        if position + 1 < len(texts):
            lower_number, lower = texts[position + 1]
            combined = [low or up for up, low in zip(headers, lower, strict=True)]
            candidates.append((2, lower_number, combined))
        for span, last_row, candidate in candidates:
            key = (_score(candidate), -span, -position)
            if best is None or key > best[:3]:
                best = (*key, candidate)
                best_row = last_row
    if best is None or best[0] < 2:
        first = next(((n, h) for n, h in texts if any(h)), (1, [""] * width))
        return first
    return best_row, best[3]


def detect(
    roster: RosterFile,
    *,
    sheet: int = 0,
    header_row: int | None = None,
    remembered: dict[str, str] | None = None,
    samples: int = 3,
) -> Layout:
    """Read the first rows of a sheet (never more than ``header_scan`` + 20) and work out the
    layout; ``header_row`` given, that row is taken as the header."""
    scan = roster.limits.header_scan
    wanted = max(scan, header_row or 0) + 20
    rows = []
    with closing(roster.rows(sheet)) as reading:
        for number, values in reading:
            if number > wanted:
                break
            rows.append((number, values))
    width = 0
    for _number, values in rows:
        cells = _texts(values, len(values))
        filled = [i for i, text in enumerate(cells) if text]
        if filled:
            width = max(width, filled[-1] + 1)
    trimmed = [(n, tuple(values[:width])) for n, values in rows]
    if header_row:
        headers = next((_texts(v, width) for n, v in trimmed if n == header_row), [""] * width)
        last = header_row
    else:
        last, headers = find_header([(n, v) for n, v in trimmed if n <= scan])
    fields = guess_fields(headers, remembered)
    columns = [
        Column(index=i, letter=column_letter(i), header=headers[i], field=fields[i])
        for i in range(width)
    ]
    for number, values in trimmed:
        if number <= last:
            continue
        for column in columns:
            if len(column.samples) < samples and column.index < len(values):
                text = clean_cell(values[column.index], plain=True)
                if text:
                    column.samples.append(text[:40])
    return Layout(sheets=roster.sheets, sheet=sheet, header_row=last, columns=columns)


def remembered_columns(layout: Layout, mapping: dict[str, str]) -> dict[str, str]:
    """What to remember of a confirmed mapping: ``{normalised header: field or ""}``."""
    remembered = {}
    for column in layout.columns:
        key = normalise_header(column.header)
        if key:
            remembered[key] = mapping.get(str(column.index), "")
    return remembered
