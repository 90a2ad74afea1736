"""The cell parsers: addresses written every way committees write them, areas with units,
phone numbers with spaces, dashes and +86, several names in one cell, relations."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linju.community.roster import cells
from linju.community.roster.parse import CellError, clean_cell, is_formula

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def typed(text: str) -> str:
    """What the importer sees after cleaning a cell."""
    return clean_cell(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17号楼1单元302室", ("17", "1", "302")),
        ("17-1-302", ("17", "1", "302")),
        ("17栋302", ("17", "", "302")),
        ("17幢1单元302", ("17", "1", "302")),
        ("17号1单元302", ("17", "1", "302")),
        ("17#302", ("17", "", "302")),
        ("17/1/302", ("17", "1", "302")),
        ("17—1—302", ("17", "1", "302")),
        ("１７－１－３０２", ("17", "1", "302")),
        ("１７号楼１单元３０２室", ("17", "1", "302")),
        ("十七号楼一单元302室", ("17", "1", "302")),
        ("二十六栋三单元1101室", ("26", "3", "1101")),
        ("中浩云花园17-1-302", ("17", "1", "302")),
        ("17 号楼 1 单元 302 室", ("17", "1", "302")),
        ("3a栋2单元0302", ("3A", "2", "302")),
        ("017-01-0302", ("17", "1", "302")),
        ("17号楼-1单元-302室", ("17", "1", "302")),
    ],
)
def test_address_in_one_cell(text, expected):
    assert cells.parse_address(typed(text)) == expected


@pytest.mark.parametrize("text", ["302", "17号楼", "abc", "17-1-302-5", "楼", "17-1-302号房间x"])
def test_address_that_cannot_be_read_is_an_error(text):
    with pytest.raises(CellError):
        cells.parse_address(typed(text))


@given(
    building=st.integers(1, 99),
    entrance=st.integers(1, 9),
    floor=st.integers(1, 33),
    position=st.integers(1, 8),
    style=st.sampled_from(
        [
            "{b}-{e}-{r}",
            "{b}号楼{e}单元{r}室",
            "{b}幢{e}单元{r}",
            "{b}栋{e}单元{r}室",
            "{b}/{e}/{r}",
        ]
    ),
    full_width=st.booleans(),
)
def test_address_styles_agree(building, entrance, floor, position, style, full_width):
    """However the address is written, and in whichever digits, it reads the same."""
    room = f"{floor}{position:02d}"
    text = style.format(b=building, e=entrance, r=room)
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert cells.parse_address(typed(text)) == (str(building), str(entrance), room)


@given(st.text(max_size=30))
def test_address_parser_never_crashes(text):
    """Any text either reads as an address of plain parts or is a CellError."""
    try:
        parts = cells.parse_address(typed(text))
    except CellError:
        return
    building, _entrance, room = parts
    assert building and room
    for part in parts:
        assert part == "" or (part.isalnum() and part.isascii() and len(part) <= 20)


@pytest.mark.parametrize(
    ("building", "entrance", "room", "expected"),
    [
        ("17", "1", "302", ("17", "1", "302")),
        ("17号楼", "1单元", "302室", ("17", "1", "302")),
        ("17栋", "一单元", "302", ("17", "1", "302")),
        ("17#", "", "1-302", ("17", "1", "302")),
        ("17", "", "1单元302室", ("17", "1", "302")),
        (17, None, 302, ("17", "", "302")),
    ],
)
def test_address_in_separate_columns(building, entrance, room, expected):
    b = cells.parse_building(clean_cell(building))
    room_entrance, r = cells.parse_room(clean_cell(room))
    e = cells.parse_entrance(clean_cell(entrance)) if clean_cell(entrance) else room_entrance
    assert (b, e, r) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("89.5", "89.50"),
        ("89.5㎡", "89.50"),
        ("89.50平方米", "89.50"),
        ("89.5 m2", "89.50"),
        ("89.5m²", "89.50"),
        ("89.5 平米", "89.50"),
        ("８９．５", "89.50"),
        ("约89.5", "89.50"),
        (89.5, "89.50"),
        (120, "120.00"),
    ],
)
def test_area(text, expected):
    assert cells.parse_area(clean_cell(text)) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", cells.AREA_IMPOSSIBLE),
        ("-5", cells.AREA_IMPOSSIBLE),
        ("2000.01", cells.AREA_IMPOSSIBLE),
        ("99999", cells.AREA_IMPOSSIBLE),
        ("很大", cells.AREA_NOT_A_NUMBER),
        ("89.5.1", cells.AREA_NOT_A_NUMBER),
        ("1e3", cells.AREA_NOT_A_NUMBER),
        ("89.555", cells.AREA_DECIMALS),
    ],
)
def test_impossible_or_unreadable_area_is_an_error(text, message):
    with pytest.raises(CellError) as caught:
        cells.parse_area(clean_cell(text))
    assert caught.value.message == message


@given(st.decimals(min_value=Decimal("5"), max_value=Decimal("2000"), places=2))
def test_area_round_trips_with_any_unit(area):
    for unit in ("", "㎡", "平方米", " m2", "m²", "平米"):
        assert cells.parse_area(clean_cell(f"{area}{unit}")) == area


@given(st.text(max_size=20))
def test_area_parser_never_crashes(text):
    try:
        area = cells.parse_area(clean_cell(text))
    except CellError:
        return
    assert cells.AREA_MIN <= area <= cells.AREA_MAX


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", ["+8613800138000"]),
        ("138 0013 8000", ["+8613800138000"]),
        ("138-0013-8000", ["+8613800138000"]),
        ("+86 138 0013 8000", ["+8613800138000"]),
        ("+86-13800138000", ["+8613800138000"]),
        ("１３８００１３８０００", ["+8613800138000"]),
        (13800138000, ["+8613800138000"]),
        (13800138000.0, ["+8613800138000"]),
        ("13800138000、13900139000", ["+8613800138000", "+8613900139000"]),
        ("13800138000/13900139000", ["+8613800138000", "+8613900139000"]),
        ("13800138000 13900139000", ["+8613800138000", "+8613900139000"]),
        ("无", []),
        ("", []),
    ],
)
def test_phones(text, expected):
    assert cells.parse_phones(clean_cell(text)) == expected


@pytest.mark.parametrize("text", ["12345", "021-62345678", "1.38001E+10", "138001380001", "电话"])
def test_malformed_phone_is_an_error(text):
    with pytest.raises(CellError):
        cells.parse_phones(clean_cell(text))


@given(
    digits=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    style=st.sampled_from(["{d}", "+86{d}", "+86 {a} {b} {c}", "{a}-{b}-{c}", "{a} {b} {c}"]),
)
def test_phone_styles_agree(digits, style):
    text = style.format(d=digits, a=digits[:3], b=digits[3:7], c=digits[7:])
    assert cells.parse_phones(clean_cell(text)) == [f"+86{digits}"]


@given(st.text(max_size=30))
def test_phone_parser_gives_e164_or_an_error(text):
    try:
        phones = cells.parse_phones(clean_cell(text))
    except CellError:
        return
    assert all(p.startswith("+861") and len(p) == 14 and p[1:].isdigit() for p in phones)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", ["张三"]),
        ("张三、李四", ["张三", "李四"]),
        ("张三/李四", ["张三", "李四"]),
        ("张三,李四", ["张三", "李四"]),
        ("张三，李四", ["张三", "李四"]),
        ("张三；李四", ["张三", "李四"]),
        ("张三 李四", ["张三", "李四"]),
        ("张三\n李四", ["张三", "李四"]),
        ("王 芳", ["王芳"]),
        ("王　芳", ["王芳"]),
        ("欧阳娜娜", ["欧阳娜娜"]),
        ("John Smith", ["John Smith"]),
        ("无", []),
    ],
)
def test_names(text, expected):
    assert cells.split_names(clean_cell(text)) == expected


def test_a_name_longer_than_60_characters_is_an_error():
    with pytest.raises(CellError):
        cells.split_names("张" * 61)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("业主", "owner"),
        ("", "owner"),
        ("户主", "owner"),
        ("共有人", "co_owner"),
        ("共同业主", "co_owner"),
        ("租户", "tenant"),
        ("租客", "tenant"),
        ("家属", "family"),
        ("家庭成员", "family"),
        ("配偶", "family"),
        ("子女", "family"),
        ("开发商", "developer"),
        ("Owner", "owner"),
        ("co-owner", "co_owner"),
        ("Tenant", "tenant"),
        ("family member", "family"),
    ],
)
def test_relation(text, expected):
    assert cells.parse_relation(clean_cell(text)) == expected


def test_unknown_relation_is_an_error():
    with pytest.raises(CellError):
        cells.parse_relation("朋友")


@pytest.mark.parametrize(("text", "expected"), [("3", 3), ("３层", 3), ("三层", 3), ("-1", -1)])
def test_floor(text, expected):
    assert cells.parse_floor(clean_cell(text)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (302, "302"),
        (302.0, "302"),
        (89.5, "89.5"),
        ("  张三  ", "张三"),
        ("张\u200b三", "张三"),
        ("a\x00b", "ab"),
        ("１７", "17"),
        ("89.5㎡", "89.5m2"),
        ("'=1+1", "=1+1"),
        ("'+86 138", "+86 138"),
        ("'张三", "'张三"),
    ],
)
def test_clean_cell(value, expected):
    assert clean_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A3)", True),
        (" =1+1", True),
        ("＝1+1", True),
        ("'=1+1", False),
        ("+86 138", False),
        ("张三", False),
        (89.5, False),
        (None, False),
    ],
)
def test_is_formula(value, expected):
    assert is_formula(value) is expected


@given(st.text(max_size=50))
def test_clean_cell_is_stable_and_visible(text):
    """Cleaning twice changes nothing more, and leaves no control or zero-width character."""
    once = clean_cell(text)
    if not once.startswith("'"):
        assert clean_cell(once) == once
    assert not any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in once), repr(once)
    assert "\u200b" not in once
