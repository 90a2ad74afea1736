"""Roster files as committees really keep them, built in the tests (no binary fixtures)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl

TITLE = "中浩云花园住户信息登记表"


def xlsx(
    rows: Sequence[Sequence[Any]],
    *,
    merges: Iterable[str] = (),
    sheet: str = "住户",
    extra_sheets: Sequence[str] = (),
) -> bytes:
    """A workbook whose first sheet holds ``rows`` from A1 (None = empty cell)."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for cells in merges:
        ws.merge_cells(cells)
    for name in extra_sheets:
        workbook.create_sheet(name)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", sep: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode(encoding)


# The messy roster: a title and a date above a two-level header with merged cells, addresses in
# one cell written four ways, full-width digits, areas with units, phones with spaces, dashes and
# +86, two owners in one cell, a household member in a merged-down row, a blank line, a new
# building, a duplicate row and a total line. Row numbers as Excel shows them.
MESSY_HEADER: list[list[Any]] = [
    [TITLE, None, None, None, None, None, None],  # 1, merged A1:G1
    ["填表日期：2024年5月", None, None, None, None, None, None],  # 2, merged A2:G2
    [None] * 7,  # 3
    ["房屋信息", None, None, "住户信息", None, None, None],  # 4, merged A4:C4 and D4:G4
    ["房号", "建筑面积（㎡）", "楼层", "业主姓名", "联系电话", "身份", "备注"],  # 5
]
MESSY_ROWS: list[list[Any]] = [
    [
        "17号楼1单元302室",
        "89.5㎡",
        3,
        "张三、李四",
        "138 0013 8000、+86 139-0013-9000",
        "业主",
        None,
    ],
    [None, None, None, "张小三", None, "家属", "在读大学生"],  # 7: the flat of row 6 (merged)
    ["１７－１－３０３", "89.50平方米", "３", "王五", "137-0013-7000", None, None],  # 8
    [None] * 7,  # 9: blank
    ["17栋1单元304", "120 m2", 3, "赵六", "+8613600136000", "租户", None],  # 10
    ["18幢2单元101", 15, 1, "钱七", "13500135000", "业主", None],  # 11: new building, small
    ["17栋1单元304", "120 m2", 3, "赵六", "+8613600136000", "租户", None],  # 12: repeats 10
    ["合计", None, None, "6人", None, None, None],  # 13
]
MESSY_MERGES = ["A1:G1", "A2:G2", "A4:C4", "D4:G4"]
# Rows with errors, appended to the messy roster as rows 14-17.
BAD_ROWS: list[list[Any]] = [
    ["17-1-305", "-5", 3, "周九", None, None, None],  # 14: impossible area
    ["17-1-306", "89", 3, "吴十", "12345", None, None],  # 15: malformed phone
    ["17-1-302", "92", 3, "郑一", None, "家属", None],  # 16: the flat of row 6, other area
    ["17-1-307", "很大", 3, "冯二", None, None, None],  # 17: not a number
]


def messy(*, bad: bool = False) -> bytes:
    rows = MESSY_HEADER + MESSY_ROWS + (BAD_ROWS if bad else [])
    return xlsx(rows, merges=MESSY_MERGES)


def raw_xlsx(
    sheet_xml: bytes | Iterable[bytes], *, compresslevel: int = 9, zip64: bool = True
) -> bytes:
    """A minimal .xlsx written part by part, so tests can build what openpyxl never would:
    a zip bomb, a sheet of 200,000 rows in a second, a cell far to the right."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=zip64) as part:
            if isinstance(sheet_xml, bytes):
                part.write(sheet_xml)
            else:
                for chunk in sheet_xml:
                    part.write(chunk)
    return out.getvalue()


def sheet_xml(rows: Iterable[bytes], *, dimension: str | None = None) -> Iterable[bytes]:
    yield b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    yield from rows
    yield b"</sheetData></worksheet>"


def inline_row(number: int, values: Sequence[str]) -> bytes:
    cells = "".join(
        f'<c r="{_col(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def formula_row(number: int, values: Sequence[str], formula_col: int, formula: str) -> bytes:
    cells = []
    for i, v in enumerate(values):
        if i == formula_col:
            cells.append(f'<c r="{_col(i)}{number}"><f>{formula}</f><v>1</v></c>')
        else:
            cells.append(f'<c r="{_col(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()


def _col(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
