"""Opening roster files and finding their layout: the header row below a title, merged and
two-level headers, Chinese and English headers, CSV in UTF-8, GBK and UTF-16, the remembered
mapping of an estate."""

from __future__ import annotations

import io

import pytest

from linju.community.roster import mapping as m
from linju.community.roster.parse import RosterRefused, open_roster
from tests.community.roster import workbooks as wb


def layout_of(data: bytes, **options) -> m.Layout:
    with open_roster(io.BytesIO(data)) as roster:
        return m.detect(roster, **options)


def fields(layout: m.Layout) -> dict[str, str]:
    return {c.header: c.field for c in layout.columns if c.field}


def test_header_below_a_title_with_merged_group_headings():
    layout = layout_of(wb.messy())
    assert layout.header_row == 5
    assert fields(layout) == {
        "房号": m.ADDRESS,
        "建筑面积（㎡）": m.AREA,
        "楼层": m.FLOOR,
        "业主姓名": m.NAME,
        "联系电话": m.PHONE,
        "身份": m.RELATION,
        "备注": m.NOTE,
    }
    assert layout.columns[0].samples[:2] == ["17号楼1单元302室", "１７－１－３０３"]  # as written


def test_header_merged_down_over_two_rows():
    """楼号, 室号 and 面积 are merged over rows 1-2; 业主信息 groups 姓名 and 电话 on row 2."""
    rows = [
        ["楼号", "室号", "业主信息", None, "面积"],
        [None, None, "姓名", "电话", None],
        ["17", "1-302", "张三", "13800138000", "89.5"],
    ]
    data = wb.xlsx(rows, merges=["A1:A2", "B1:B2", "C1:D1", "E1:E2"])
    layout = layout_of(data)
    assert layout.header_row == 2
    assert [c.field for c in layout.columns] == [m.BUILDING, m.ROOM, m.NAME, m.PHONE, m.AREA]


def test_separate_columns_and_room_number_header():
    """With a building column, 房号 is the room number."""
    data = wb.xlsx([["楼栋", "单元", "房号", "面积", "姓名"], ["17", "1", "302", "89", "张三"]])
    assert [c.field for c in layout_of(data).columns] == [
        m.BUILDING,
        m.ENTRANCE,
        m.ROOM,
        m.AREA,
        m.NAME,
    ]


def test_english_headers():
    data = wb.xlsx(
        [
            ["Building", "Entrance", "Room", "Area (m²)", "Name", "Mobile phone", "Relation"],
            ["17", "1", "302", 89.5, "Zhang San", "13800138000", "owner"],
        ]
    )
    assert [c.field for c in layout_of(data).columns] == [
        m.BUILDING,
        m.ENTRANCE,
        m.ROOM,
        m.AREA,
        m.NAME,
        m.PHONE,
        m.RELATION,
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_in_the_encodings_excel_and_wps_write(encoding):
    rows = [["房号", "面积", "姓名", "手机"], ["17-1-302", "89.5", "张三", "13800138000"]]
    sep = "\t" if encoding == "utf-16" else ","
    data = wb.csv_bytes(rows, encoding=encoding, sep=sep)
    with open_roster(io.BytesIO(data)) as roster:
        assert roster.kind == "csv"
        assert [v for _n, v in roster.rows()] == [tuple(rows[0]), tuple(rows[1])]


def test_remembered_mapping_comes_first():
    """An estate that once said "类型" means the note keeps that choice; a remembered empty
    choice keeps a column out."""
    data = wb.xlsx([["房号", "姓名", "类型", "电话"], ["17-1-302", "张三", "老人", "13800138000"]])
    layout = layout_of(data, remembered={"类型": m.NOTE, "电话": ""})
    assert [c.field for c in layout.columns] == [m.ADDRESS, m.NAME, m.NOTE, ""]


def test_each_field_goes_to_one_column():
    data = wb.xlsx([["姓名", "业主姓名", "手机", "电话"], ["张三", "张三", "1", "2"]])
    assert [c.field for c in layout_of(data).columns] == [m.NAME, "", m.PHONE, ""]


def test_rows_are_numbered_as_the_spreadsheet_shows_them():
    data = wb.xlsx([["房号"], [None], ["17-1-302"], [None], [None], ["17-1-303"]])
    with open_roster(io.BytesIO(data)) as roster:
        numbered = [(n, v[0]) for n, v in roster.rows() if v and v[0]]
    assert numbered == [(1, "房号"), (3, "17-1-302"), (6, "17-1-303")]


def test_csv_records_are_numbered_as_a_spreadsheet_shows_them():
    """A quoted cell spanning two lines is still one row."""
    data = '房号,备注\n17-1-302,"第一行\n第二行"\n17-1-303,x\n'.encode()
    with open_roster(io.BytesIO(data)) as roster:
        assert [(n, v[0]) for n, v in roster.rows()] == [
            (1, "房号"),
            (2, "17-1-302"),
            (3, "17-1-303"),
        ]


def test_a_workbook_with_several_sheets_reads_the_chosen_one():
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active["A1"] = "本表由居委会维护"
    second = workbook.create_sheet("17号楼")
    second.append(["房号", "姓名"])
    second.append(["17-1-302", "张三"])
    out = io.BytesIO()
    workbook.save(out)
    layout = layout_of(out.getvalue(), sheet=1)
    assert layout.sheets == ["说明", "17号楼"]
    assert [c.field for c in layout.columns] == [m.ADDRESS, m.NAME]


def test_no_header_found_gives_the_first_row_and_no_fields():
    data = wb.xlsx([["a", "b"], ["c", "d"]])
    layout = layout_of(data)
    assert layout.header_row == 1
    assert not any(c.field for c in layout.columns)


def test_an_empty_file_is_refused():
    with pytest.raises(RosterRefused):
        open_roster(io.BytesIO(b""))
