"""My data as files: JSON (one object, a list of rows per section) and .xlsx (one sheet per
section). Text cells that a spreadsheet would run as a formula are neutralised by the roster
export's ``neutralise``; numbers stay numbers."""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import Workbook

from linju.community.roster.export import neutralise
from linju.privacy.selectors import MY_DATA, Row

SHEET_TITLE_MAX = 31  # Excel's limit
FORBIDDEN_IN_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})


def my_data_json(data: dict[str, list[Row]], *, exported_at: str) -> bytes:
    return json.dumps({"exported_at": exported_at, **data}, ensure_ascii=False, indent=2).encode(
        "utf-8"
    )


def my_data_xlsx(data: dict[str, list[Row]]) -> bytes:
    workbook = Workbook(write_only=True)
    for section in MY_DATA:
        title = str(section.title).translate(FORBIDDEN_IN_TITLE)[:SHEET_TITLE_MAX]
        sheet: Any = workbook.create_sheet(title=title)
        sheet.append([str(label) for _key, label in section.columns])
        for row in data.get(section.key, []):
            sheet.append([neutralise(row.get(key)) for key, _label in section.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
