"""Parsers for what committees write in their cells: flat addresses in one cell or several,
areas with their units, floors, several names or phone numbers in one cell, relations. Each
takes a cleaned cell (``parse.clean_cell``) and returns a value or raises ``CellError``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_noop

from linju.community.roster.parse import CellError
from linju.core.phones import normalise_phone

# --- Addresses -------------------------------------------------------------------------------

BAD_ADDRESS = gettext_noop(
    "Could not read the flat “%(text)s”. Write it like 17-1-302 or 17号楼1单元302室."
)
BAD_BUILDING = gettext_noop("Could not read the building number “%(text)s”.")
BAD_ENTRANCE = gettext_noop("Could not read the entrance (单元) “%(text)s”.")
BAD_ROOM = gettext_noop("Could not read the room number “%(text)s”.")
ADDRESS_PART_TOO_LONG = gettext_noop(
    "“%(text)s” is too long for a building, entrance or room number."
)

_CN_DIGIT = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+(?=号楼|号|栋|幢|座|单元|门|楼|室|层)")
_DASHES = re.compile(r"[‐‑‒–—―−/\\_~]")
_ESTATE_PREFIX = re.compile(r"^[^0-9A-Z-]+(?=[0-9A-Z])")
_BUILDING_MARK = re.compile(r"(号楼|号院|栋|幢|座|#|楼)(?=[0-9A-Z-])")
_ENTRANCE_MARK = re.compile(r"(单元|号门|门洞|门)(?=[0-9A-Z-])")
_NUMBER_MARK = re.compile(r"号(?=[0-9A-Z-])")
_TRAILING_ROOM = re.compile(r"(室|号|户|房)$")
_TRAILING_BUILDING = re.compile(r"(号楼|号院|栋|幢|座|#|楼|号)$")
_TRAILING_ENTRANCE = re.compile(r"(单元|号门|门洞|门|号)$")
_PART = re.compile(r"^[0-9A-Z]+$")
MAX_PART = 20


def chinese_number(text: str) -> int:
    """十七 → 17, 二十 → 20, 一百零二 → 102, 三 → 3; 一二 (digit by digit) → 12."""
    if "十" not in text and "百" not in text:
        return int("".join(str(_CN_DIGIT[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGIT[ch]
    return total + current


def _address_text(text: str) -> str:
    t = re.sub(r"\s+", "", text.upper())
    t = _DASHES.sub("-", t)
    return _CN_NUMBER.sub(lambda m: str(chinese_number(m.group())), t)


def _part(token: str, original: str, message: str) -> str:
    if not _PART.match(token):
        raise CellError(message, text=original)
    if token.isdigit():
        token = str(int(token))  # 017 → 17, 0302 → 302
    if len(token) > MAX_PART:
        raise CellError(ADDRESS_PART_TOO_LONG, text=original)
    return token


def parse_address(text: str) -> tuple[str, str, str]:
    """A whole flat address in one cell → (building, entrance or "", room).

    Reads 17-1-302, 17-302, 17/1/302, 17号楼1单元302室, 17栋302, 17幢1单元302, 17#302, 十七号楼
    一单元302室 and the same behind an estate name (中浩云花园17-1-302)."""
    t = _address_text(text)
    t = _ESTATE_PREFIX.sub("", t)
    t = _BUILDING_MARK.sub("-", t)
    t = _ENTRANCE_MARK.sub("-", t)
    t = _NUMBER_MARK.sub("-", t)
    t = _TRAILING_ROOM.sub("", t)
    parts = [p for p in t.split("-") if p]
    if len(parts) == 3:
        b, e, r = parts
    elif len(parts) == 2:
        (b, r), e = parts, ""
    else:
        raise CellError(BAD_ADDRESS, text=text)
    return (
        _part(b, text, BAD_ADDRESS),
        _part(e, text, BAD_ADDRESS) if e else "",
        _part(r, text, BAD_ADDRESS),
    )


def parse_building(text: str) -> str:
    """17, 17号楼, 17栋, 17幢, 17#, 十七号楼 → 17."""
    t = _TRAILING_BUILDING.sub("", _address_text(text))
    t = _ESTATE_PREFIX.sub("", t)
    return _part(t, text, BAD_BUILDING)


def parse_entrance(text: str) -> str:
    """1, 1单元, 一单元, 1号门 → 1."""
    return _part(_TRAILING_ENTRANCE.sub("", _address_text(text)), text, BAD_ENTRANCE)


def parse_room(text: str) -> tuple[str, str]:
    """A room cell → (entrance or "", room): 302, 302室, and 1-302 or 1单元302室 when the
    entrance is written with the room."""
    t = _ENTRANCE_MARK.sub("-", _address_text(text))
    t = _TRAILING_ROOM.sub("", t)
    parts = [p for p in t.split("-") if p]
    if len(parts) == 1:
        return "", _part(parts[0], text, BAD_ROOM)
    if len(parts) == 2:
        return _part(parts[0], text, BAD_ROOM), _part(parts[1], text, BAD_ROOM)
    raise CellError(BAD_ROOM, text=text)


# --- Areas, floors ---------------------------------------------------------------------------

AREA_NOT_A_NUMBER = gettext_noop("The area “%(text)s” is not a number of square metres.")
AREA_IMPOSSIBLE = gettext_noop(
    "An area of %(area)s m² is impossible for a flat: it must be between %(min)s and %(max)s m²."
)
AREA_DECIMALS = gettext_noop("Give the area with at most two decimal places (“%(text)s”).")
BAD_FLOOR = gettext_noop("The floor “%(text)s” is not a whole number.")

AREA_MIN, AREA_MAX = Decimal("5.00"), Decimal("2000.00")  # as the flat form (services.py)
_AREA = re.compile(
    r"^(?:约|大约|ABOUT)?(-?[0-9]+(?:\.[0-9]+)?)(?:M2|M\^2|平方米|平米|平方|SQM|SQ\.M|SQ\.?M\.?)?$"
)


def parse_area(text: str) -> Decimal:
    """89.5, 89.5㎡, 89.50平方米, 89.5 m2, 89.5m² → Decimal("89.50")."""
    compact = re.sub(r"\s+", "", text.upper())
    match = _AREA.match(compact)
    if not match:
        raise CellError(AREA_NOT_A_NUMBER, text=text)
    try:
        area = Decimal(match.group(1))
    except InvalidOperation:
        raise CellError(AREA_NOT_A_NUMBER, text=text) from None
    if not AREA_MIN <= area <= AREA_MAX:
        raise CellError(AREA_IMPOSSIBLE, area=match.group(1), min=AREA_MIN, max=AREA_MAX)
    if area != area.quantize(Decimal("0.01")):
        raise CellError(AREA_DECIMALS, text=text)
    return area.quantize(Decimal("0.01"))


def parse_floor(text: str) -> int:
    """3, 3层, 3楼, 3F, 三层, -1 → an integer between -5 and 200."""
    t = _address_text(text)
    t = re.sub(r"(层|楼|F)$", "", t)
    if not re.fullmatch(r"-?[0-9]{1,3}", t) or not -5 <= int(t) <= 200:
        raise CellError(BAD_FLOOR, text=text)
    return int(t)


# --- Names, phones, relations ----------------------------------------------------------------

NAME_TOO_LONG = gettext_noop("The name “%(text)s” is longer than 60 characters.")
BAD_PHONE = gettext_noop(
    "“%(text)s” is not a mainland mobile number. Linju keeps 11-digit mobile numbers only; "
    "remove it or move it to the note."
)
BAD_RELATION = gettext_noop(
    "“%(text)s” is not a relation Linju knows. Write 业主 (owner), 共有人 (co-owner), 租户 "
    "(tenant), 家属 (family member) or 开发商 (developer)."
)

MAX_NAME = 60
# "/" separates names only between Chinese characters (张三/李四), not inside other text.
_NAME_SPLIT = re.compile(r"[、,，;；\n]+|(?<=[\u3400-\u9fff])\s*[/／]\s*(?=[\u3400-\u9fff])")
_CJK = r"\u3400-\u9fff"
_ONLY_CJK = re.compile(rf"^[{_CJK}·]+$")
NO_VALUE = {"无", "暂无", "没有", "空", "-", "--", "—", "/", "n/a", "na", "none", "null"}


def split_names(text: str) -> list[str]:
    """张三、李四 / 张三/李四 / 张三,李四 / 张三 李四 → two names; 王 芳 (a two-character name
    padded to line up) → one."""
    names: list[str] = []
    for chunk in _NAME_SPLIT.split(text):
        chunk = chunk.strip()
        if not chunk or chunk.lower() in NO_VALUE:
            continue
        words = chunk.split(" ")
        if len(words) > 1 and all(len(w) >= 2 and _ONLY_CJK.match(w) for w in words):
            names.extend(words)
        elif all(_ONLY_CJK.match(w) for w in words):
            names.append("".join(words))
        else:
            names.append(chunk)
    for name in names:
        if len(name) > MAX_NAME:
            raise CellError(NAME_TOO_LONG, text=name[:80])
    return names


_PHONE_SPLIT = re.compile(r"[、,;|/\n]+")  # after NFKC: ，；／ are , ; /


def parse_phones(text: str) -> list[str]:
    """One or more mobile numbers (spaces, dashes, +86 allowed) → E.164 numbers."""
    phones: list[str] = []
    for chunk in _PHONE_SPLIT.split(text):
        chunk = chunk.strip()
        if not chunk or chunk.lower() in NO_VALUE:
            continue
        phone = normalise_phone(chunk)
        if phone is None and " " in chunk:
            # "13800138000 13900139000": two numbers separated by a space.
            several = [normalise_phone(p) for p in chunk.split()]
            if all(several):
                phones.extend(p for p in several if p)
                continue
        if phone is None:
            raise CellError(BAD_PHONE, text=chunk[:40])
        phones.append(phone)
    return phones


DEVELOPER = "developer"
# Looked up in this order: "共同业主" must read as co-owner before "业主" reads as owner.
RELATION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (relation, tuple(words.split()))
    for relation, words in (
        (DEVELOPER, "开发商 开发公司 developer"),
        ("co_owner", "共有人 共同业主 共有 联名 co-owner coowner jointowner"),
        ("tenant", "租户 租客 承租 租住 租房 tenant renter"),
        (
            "family",
            "家属 家庭成员 家人 配偶 妻 夫 子 女 父 母 孙 同住 亲属 保姆 "
            "family spouse child relative",
        ),
        ("owner", "业主 房东 产权人 户主 屋主 本人 owner landlord"),
    )
)


def parse_relation(text: str) -> str:
    """业主 → owner, 共有人 → co_owner, 租户 → tenant, 家属/配偶/子女 → family, 开发商 →
    developer; a blank cell is an owner."""
    key = re.sub(r"[\s()（）]+", "", text.lower())
    if not key:
        return "owner"
    for relation, words in RELATION_WORDS:
        if key in words:
            return relation
    for relation, words in RELATION_WORDS:
        if any(word in key for word in words):
            return relation
    raise CellError(BAD_RELATION, text=text[:40])
