"""Hostile and broken uploads are refused early, with a clear message, and write nothing.

"Early" is checked by counting, never by timing: the bytes zipfile inflates (every read of a
workbook part goes through ``ZipExtFile._read1``), the rows openpyxl parses, the rows the
importer reads, the bytes an upload handler keeps.
"""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.test import Client
from django.urls import reverse
from openpyxl.worksheet._reader import WorkSheetParser

from linju.community.models import RosterImport
from linju.community.roster import parse, rows
from linju.community.roster.apply import RosterRejected, roster_read_file
from linju.community.roster.parse import RosterRefused, open_roster
from tests.community.roster import workbooks as wb
from tests.community.roster.helpers import preview, run, snapshot

MB = 1024 * 1024


class Meter:
    """Counts what the libraries do while a roster is read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inflated = 0
        self.parsed_rows = 0
        self.workbooks_opened = 0
        meter = self
        read1 = zipfile.ZipExtFile._read1
        parse_row = WorkSheetParser.parse_row
        load = openpyxl.load_workbook

        def counting_read1(self, n):
            data = read1(self, n)
            meter.inflated += len(data)
            return data

        def counting_parse_row(self, row):
            meter.parsed_rows += 1
            return parse_row(self, row)

        def counting_load(*args, **kwargs):
            meter.workbooks_opened += 1
            return load(*args, **kwargs)

        monkeypatch.setattr(zipfile.ZipExtFile, "_read1", counting_read1)
        monkeypatch.setattr(WorkSheetParser, "parse_row", counting_parse_row)
        monkeypatch.setattr(openpyxl, "load_workbook", counting_load)


@pytest.fixture
def meter(monkeypatch):
    return Meter(monkeypatch)


def refusal(data: bytes) -> str:
    with pytest.raises(RosterRefused) as refused, open_roster(io.BytesIO(data)) as roster:
        for _row in roster.rows():
            pass
    return refused.value.message


# --- Not a spreadsheet -----------------------------------------------------------------------


def _zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, parse.NOT_A_SPREADSHEET),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", parse.NOT_A_SPREADSHEET),
        (b"MZ\x90\x00\x03\x00\x00\x00", parse.NOT_A_SPREADSHEET),
        (b"<html><table><tr><td>17-1-302</td></tr></table></html>", parse.NOT_A_SPREADSHEET),
        (b"\x00\x01\x02\x03binary\x00", parse.NOT_A_SPREADSHEET),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, parse.OLD_EXCEL),
        (_zip_of("photo.jpg", b"\xff\xd8\xff"), parse.NOT_A_SPREADSHEET),
        (b"PK\x03\x04 not really a zip", parse.BROKEN_WORKBOOK),
        (b"", parse.EMPTY_FILE),
    ],
    ids=["png", "pdf", "exe", "html", "binary", "xls", "zip", "broken-zip", "empty"],
)
def test_not_a_spreadsheet_is_refused_with_a_clear_message(data, message, meter):
    assert refusal(data) == message
    assert meter.workbooks_opened == 0


def test_a_damaged_workbook_is_refused():
    data = bytearray(wb.xlsx([["房号"], ["17-1-302"]]))
    start = data.index(b"xl/worksheets/sheet1.xml") + 30
    data[start : start + 200] = b"\x00" * 200  # garbage in the middle of the parts
    assert refusal(bytes(data)) in (parse.BROKEN_WORKBOOK, parse.NOT_A_SPREADSHEET)


# --- Zip bombs -------------------------------------------------------------------------------


def _bomb(size: int) -> bytes:
    chunk = b" " * MB
    return wb.raw_xlsx(chunk for _ in range(size // MB))


def test_a_zip_bomb_is_refused_from_its_directory_before_a_byte_is_inflated(meter):
    """200 MB of sheet in a 200 KB file: over the 150 MB a roster may unpack to."""
    data = _bomb(200 * MB)
    assert len(data) < 1 * MB
    assert refusal(data) == parse.UNPACKS_TOO_BIG
    assert meter.inflated == 0
    assert meter.workbooks_opened == 0


def test_a_part_packed_a_thousand_fold_is_refused_before_a_byte_is_inflated(meter):
    """Only 20 MB unpacked (under the limit), but 1000:1 is no spreadsheet's compression."""
    assert refusal(_bomb(20 * MB)) == parse.ODD_COMPRESSION
    assert meter.inflated == 0
    assert meter.workbooks_opened == 0


def test_the_limits_can_be_lowered_in_settings(settings, meter):
    settings.LINJU_ROSTER_LIMITS = {"max_unpacked": 1 * MB}
    data = wb.raw_xlsx(b"<x/>" * (MB // 2))
    assert refusal(data) == parse.UNPACKS_TOO_BIG
    assert meter.inflated == 0


def _lie_about_size(data: bytes, part: str, declared: int) -> bytes:
    """Rewrite the zip directory so that ``part`` claims to unpack to ``declared`` bytes."""
    blob = bytearray(data)
    name = part.encode()
    central = 0
    while True:
        central = blob.index(b"PK\x01\x02", central)
        name_length = struct.unpack_from("<H", blob, central + 28)[0]
        if blob[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", blob, central + 24, declared)
            local = struct.unpack_from("<I", blob, central + 42)[0]
            struct.pack_into("<I", blob, local + 22, declared)
            return bytes(blob)
        central += 46


def test_a_directory_that_lies_about_sizes_never_gets_more_inflated_than_it_declared(meter):
    """A sheet of 30 MB that declares 10 KB: zipfile stops at the declared size (and the CRC
    then fails), so the lie buys nothing."""
    rows_xml = wb.sheet_xml(wb.inline_row(i, ["17-1-302", "张三"]) for i in range(1, 300_000))
    data = wb.raw_xlsx(b"".join(rows_xml), zip64=False)
    data = _lie_about_size(data, "xl/worksheets/sheet1.xml", 10_000)
    assert refusal(data) == parse.BROKEN_WORKBOOK
    assert meter.inflated < 10_000 + 64 * 1024  # the other parts are a few hundred bytes


# --- Too many rows ---------------------------------------------------------------------------


def _many_rows(count: int) -> bytes:
    header = wb.inline_row(1, ["房号", "姓名", "面积"])
    body = (wb.inline_row(i, [f"17-1-{i}", f"张{i}", "89"]) for i in range(2, count + 1))
    return wb.raw_xlsx(wb.sheet_xml([header, *body], dimension=f"A1:C{count}"), compresslevel=1)


def test_200000_rows_are_refused_after_reading_one_row_past_the_limit(meter):
    limit = parse.Limits().max_rows
    data = _many_rows(200_000)
    with open_roster(io.BytesIO(data)) as roster:
        with pytest.raises(RosterRefused) as refused:
            for _row in roster.rows():
                pass
        assert roster.rows_read == limit + 1
    assert refused.value.message == parse.TOO_MANY_ROWS
    assert meter.parsed_rows == limit + 1


def test_rows_are_counted_even_when_the_sheet_skips_them(meter, settings):
    """A sheet can jump from row 1 to row 1,048,576; openpyxl fills the gap with empty rows,
    and those count too."""
    settings.LINJU_ROSTER_LIMITS = {"max_rows": 1000}
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    data = wb.raw_xlsx(wb.sheet_xml([wb.inline_row(1, ["房号"]), far]))
    with open_roster(io.BytesIO(data)) as roster:
        with pytest.raises(RosterRefused):
            for _row in roster.rows():
                pass
        assert roster.rows_read == 1001


def test_a_cell_far_to_the_right_costs_nothing():
    """XFD1 (column 16,384) would make openpyxl build 16,384-cell rows; rows stop at 60."""
    far = b'<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
    data = wb.raw_xlsx(wb.sheet_xml([wb.inline_row(1, ["房号"]), far], dimension="A1:XFD2"))
    with open_roster(io.BytesIO(data)) as roster:
        widths = [len(values) for _n, values in roster.rows()]
    assert max(widths) == parse.Limits().max_columns


def test_a_csv_of_200000_rows_is_refused_at_the_limit(write, e17, monkeypatch):
    from linju.community.roster import apply

    opened: list[parse.RosterFile] = []
    real_open = apply.open_roster

    def recording_open(*args, **kwargs):
        opened.append(real_open(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(apply, "open_roster", recording_open)
    data = "房号,姓名,面积\n".encode() + b"".join(
        f"17-1-{i},张{i},89\n".encode() for i in range(200_000)
    )
    path = write("big.csv", data)
    before = snapshot()
    with pytest.raises(RosterRefused) as refused:
        roster_read_file(e17.estate, path)
    assert refused.value.message == parse.TOO_MANY_ROWS
    assert opened[0].rows_read == parse.Limits().max_rows + 1
    assert snapshot() == before


# --- Too big ---------------------------------------------------------------------------------


def test_a_50_mb_file_is_refused_before_it_is_opened(write, monkeypatch):
    opened = []
    monkeypatch.setattr(parse, "XlsxFile", lambda *a, **k: opened.append(a))
    monkeypatch.setattr(parse, "CsvFile", lambda *a, **k: opened.append(a))
    path = write("huge.xlsx", b"PK\x03\x04" + b"\x00" * (50 * MB))
    with pytest.raises(RosterRefused) as refused:
        open_roster(path)
    assert refused.value.message == parse.TOO_BIG
    assert opened == []


class UploadMeter:
    """Bytes Django's own upload handlers receive (and would keep) from the request body."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.kept = 0
        meter = self
        for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
            original = handler.receive_data_chunk

            def counting(self, raw_data, start, original=original):
                # The memory handler passes a chunk on, unkept, when the file is too big for it.
                if getattr(self, "activated", True):
                    meter.kept += len(raw_data)
                return original(self, raw_data, start)

            monkeypatch.setattr(handler, "receive_data_chunk", counting)


def _staff_client(e17) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(e17.staff)
    return client


def test_a_50_mb_upload_is_refused_without_keeping_a_byte(e17, monkeypatch):
    meter = UploadMeter(monkeypatch)
    client = _staff_client(e17)
    before = snapshot()
    upload = SimpleUploadedFile("名册.xlsx", b"PK\x03\x04" + b"\x00" * (50 * MB))
    response = client.post(reverse("console_roster", args=["zhonghao"]), {"file": upload})
    assert response.status_code == 422
    assert "10.0 MB" in response.content.decode()
    assert meter.kept == 0
    assert snapshot() == before
    assert not RosterImport.objects.exists()


def test_an_upload_over_the_limit_keeps_no_more_than_the_limit(e17, monkeypatch, settings):
    """Bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB) may be read whole by a middleware (and
    are then refused by size); past that, the upload stops at the roster limit."""
    settings.LINJU_ROSTER_LIMITS = {"max_bytes": 1 * MB}
    meter = UploadMeter(monkeypatch)
    upload = SimpleUploadedFile("名册.csv", b"a" * (8 * MB))
    response = _staff_client(e17).post(
        reverse("console_roster", args=["zhonghao"]), {"file": upload}
    )
    assert response.status_code == 422
    assert meter.kept <= 1 * MB
    assert not RosterImport.objects.exists()


def test_a_small_upload_over_a_lowered_limit_is_refused(e17, settings):
    settings.LINJU_ROSTER_LIMITS = {"max_bytes": 100_000}
    response = upload_as_staff(e17, SimpleUploadedFile("名册.csv", b"a" * 200_000))
    assert response.status_code == 422
    assert "0.1 MB" in response.content.decode()
    assert not RosterImport.objects.exists()


def upload_as_staff(e17, upload):
    return _staff_client(e17).post(reverse("console_roster", args=["zhonghao"]), {"file": upload})


# --- Formulas --------------------------------------------------------------------------------

HEADER = ["房号", "面积", "姓名", "手机"]


def test_a_formula_cell_makes_its_row_an_error_and_nothing_is_written(e17, write):
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(HEADER)
    ws.append(["17-1-302", 89.5, "张三", "13800138000"])
    ws.append(["17-1-303", "=B2+1", "王五", None])
    ws.append(["17-1-304", 70, '=HYPERLINK("http://example.com","李四")', None])
    out = io.BytesIO()
    workbook.save(out)
    path = write("formulas.xlsx", out.getvalue())
    result = preview(e17.estate, path)
    assert sorted((m["row"], m["text"]) for m in result.errors.items) == [
        (3, rows.FORMULA),
        (4, rows.FORMULA),
    ]
    before = snapshot()
    with pytest.raises(RosterRejected):
        run(e17.estate, path, e17.staff)
    assert snapshot() == before


def test_a_formula_with_a_cached_value_is_still_refused(e17, write):
    """Excel stores the last result beside the formula; it may be stale, so it is not used."""
    header = wb.inline_row(1, HEADER)
    row = wb.formula_row(2, ["17-1-302", "", "张三", ""], 1, "SUM(1,88.5)")
    path = write("cached.xlsx", wb.raw_xlsx(wb.sheet_xml([header, row])))
    result = preview(e17.estate, path)
    assert [(m["row"], m["text"]) for m in result.errors.items] == [(2, rows.FORMULA)]
