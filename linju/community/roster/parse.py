"""Reading roster files, with limits, and cleaning their cells (cells.py reads what they say).

A roster arrives as an Excel workbook (.xlsx, read with openpyxl in read-only streaming mode)
or a CSV file. Before openpyxl sees a workbook, the zip directory is checked: the parts'
declared sizes (Python's zipfile never inflates a part beyond its declared size), their
compression ratio and their number, so a zip bomb is refused without inflating a byte of it.
Rows are counted as they stream, and reading stops at the row limit plus one. Rows are padded
to at most ``max_columns`` cells, so a cell far to the right costs nothing.

Formulas: a workbook is read as written (not openpyxl's ``data_only`` cached values), so a
formula reaches the importer as ``=…``. A cell that starts with ``=`` — a formula in a workbook,
or text that a spreadsheet would run as one — makes its row an error: its cached value may be
stale or missing, and nothing a resident's name or phone needs starts with ``=``. A text cell
guarded with a leading apostrophe (``'=…``, ``'+…``, ``'-…``, ``'@…``, as Linju's own export
writes them) is text, and is read without the apostrophe.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

# --- Limits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """How much of a file the importer will look at. Settings may lower or raise each one
    (``LINJU_ROSTER_LIMITS = {"max_rows": 50_000}``)."""

    max_bytes: int = 10 * 1024 * 1024  # the upload itself
    max_unpacked: int = 150 * 1024 * 1024  # all parts of a workbook, as declared in its directory
    max_ratio: int = 100  # unpacked ÷ packed, for any part over 1 MB
    max_parts: int = 1000
    max_rows: int = 120_000  # rows of the sheet, blank ones included
    max_columns: int = 60
    header_scan: int = 30  # rows searched for the header row
    max_cell: int = 1000  # characters kept of any one cell


RATIO_CHECK_FROM = 1024 * 1024


def limits() -> Limits:
    overrides = getattr(settings, "LINJU_ROSTER_LIMITS", None) or {}
    known = {f.name for f in fields(Limits)}
    return Limits(**{k: int(v) for k, v in overrides.items() if k in known})


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


# --- Refusals --------------------------------------------------------------------------------

NOT_A_SPREADSHEET = gettext_noop(
    "This file is not a spreadsheet. Upload the roster as an Excel workbook (.xlsx) or a CSV file."
)
OLD_EXCEL = gettext_noop(
    "This is an old-style Excel file (.xls) or a workbook locked with a password. Open it in "
    "Excel or WPS, save it as .xlsx without a password, and upload that copy."
)
EMPTY_FILE = gettext_noop("The file is empty.")
TOO_BIG = gettext_noop(
    "The file is %(size)s; the limit is %(limit)s. Split the roster into smaller files, for "
    "example one per building."
)
TOO_BIG_UPLOAD = gettext_noop(
    "The file is larger than %(limit)s. Split the roster into smaller files, for example one "
    "per building."
)
UNPACKS_TOO_BIG = gettext_noop(
    "This workbook would unpack to %(size)s, more than the %(limit)s a roster may take. Save "
    "it again from Excel or WPS, or as CSV."
)
ODD_COMPRESSION = gettext_noop(
    "This workbook is packed in an unusual way (a part grows %(ratio)s-fold when opened) and "
    "is refused for safety. Save it again from Excel or WPS."
)
TOO_MANY_PARTS = gettext_noop("This workbook has %(n)s parts, far more than a roster needs.")
BROKEN_WORKBOOK = gettext_noop(
    "This Excel file is damaged and cannot be read. Open it in Excel or WPS, save it again and "
    "upload the new copy."
)
NO_SHEET = gettext_noop("The workbook has no worksheet.")
TOO_MANY_ROWS = gettext_noop(
    "The roster has more than %(limit)s rows. Split it into smaller files, for example one per "
    "building."
)
UNREADABLE_TEXT = gettext_noop(
    "The text of this CSV file could not be read. Save it again as “CSV UTF-8” and upload that."
)
BROKEN_CSV = gettext_noop("The CSV file is damaged near row %(row)s and cannot be read.")


class RosterRefused(Exception):
    """The file as a whole is refused. ``message`` is a message id; ``params`` fill it in."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def text(self) -> str:
        return render(self.message, self.params)

    def as_json(self) -> dict[str, Any]:
        return {"text": self.message, "params": self.params}


def render(message: str, params: dict[str, Any] | None = None) -> str:
    """A stored message id and its values, in the active language."""
    translated = gettext(message)
    return translated % params if params else translated


# --- Opening a file --------------------------------------------------------------------------

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_STARTS = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"MZ",
    b"\x7fELF",
    b"PK\x05\x06",
)


def _size_of(stream: IO[bytes]) -> int:
    position = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


class RosterFile(ABC):
    """An opened roster: its kind, its sheets, and its rows as ``(row number, values)``."""

    kind = ""

    def __init__(self, stream: IO[bytes], lim: Limits, *, owns_stream: bool) -> None:
        self.stream = stream
        self.limits = lim
        self.rows_read = 0
        self.size = _size_of(stream)
        self._owns_stream = owns_stream

    @property
    def sheets(self) -> list[str]:
        return []

    def rows(self, sheet: int = 0) -> Generator[tuple[int, tuple[Any, ...]], None, None]:
        """Every row of the sheet, numbered as the spreadsheet shows it; refuses the file when
        it has more than ``max_rows`` rows, after reading exactly one row too many."""
        self.rows_read = 0
        for number, values in enumerate(self._raw_rows(sheet), start=1):
            self.rows_read += 1
            if number > self.limits.max_rows:
                raise RosterRefused(TOO_MANY_ROWS, limit=self.limits.max_rows)
            yield number, values

    @abstractmethod
    def _raw_rows(self, sheet: int) -> Iterator[tuple[Any, ...]]: ...

    def fraction_read(self) -> float | None:
        """Roughly how much of the sheet has been read (for a progress bar), if known."""
        return None

    def close(self) -> None:
        if self._owns_stream:
            self.stream.close()

    def __enter__(self) -> RosterFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class XlsxFile(RosterFile):
    kind = "xlsx"

    def __init__(self, stream: IO[bytes], lim: Limits, *, owns_stream: bool) -> None:
        super().__init__(stream, lim, owns_stream=owns_stream)
        check_zip_directory(stream, lim)
        import openpyxl

        stream.seek(0)
        try:
            # keep_links=False: external links are neither followed nor kept.
            self.workbook = openpyxl.load_workbook(
                stream, read_only=True, data_only=False, keep_links=False
            )
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise RosterRefused(BROKEN_WORKBOOK) from exc
        if not self.workbook.worksheets:
            self.workbook.close()
            raise RosterRefused(NO_SHEET)

    @property
    def sheets(self) -> list[str]:
        return [ws.title for ws in self.workbook.worksheets]

    def _raw_rows(self, sheet: int) -> Iterator[tuple[Any, ...]]:
        worksheets = self.workbook.worksheets
        ws = worksheets[sheet] if 0 <= sheet < len(worksheets) else worksheets[0]
        self._expected_rows = ws.max_row if isinstance(ws.max_row, int) else None
        # Bounds given explicitly: the sheet's own <dimension> may be missing, wrong or huge.
        rows = ws.iter_rows(
            min_row=1,
            max_row=self.limits.max_rows + 1,
            max_col=self.limits.max_columns,
            values_only=True,
        )
        try:
            yield from rows
        except RosterRefused:
            raise
        except Exception as exc:
            raise RosterRefused(BROKEN_WORKBOOK) from exc

    _expected_rows: int | None = None

    def fraction_read(self) -> float | None:
        if not self._expected_rows:
            return None
        return min(self.rows_read / self._expected_rows, 1.0)

    def close(self) -> None:
        self.workbook.close()
        super().close()


class CsvFile(RosterFile):
    kind = "csv"

    def __init__(self, stream: IO[bytes], lim: Limits, *, owns_stream: bool) -> None:
        super().__init__(stream, lim, owns_stream=owns_stream)
        stream.seek(0)
        head = stream.read(64 * 1024)
        stream.seek(0)
        self.encoding = _csv_encoding(head)
        self.delimiter = _csv_delimiter(head, self.encoding)

    def fraction_read(self) -> float | None:
        return min(self.stream.tell() / self.size, 1.0) if self.size else None

    def _raw_rows(self, sheet: int) -> Iterator[tuple[Any, ...]]:
        self.stream.seek(0)
        text = io.TextIOWrapper(self.stream, encoding=self.encoding, newline="")
        reader = csv.reader(text, delimiter=self.delimiter)
        width = self.limits.max_columns
        number = 0
        try:
            for number, record in enumerate(reader, start=1):  # noqa: B007 - used below
                yield tuple(record[:width])
        except UnicodeDecodeError as exc:
            raise RosterRefused(UNREADABLE_TEXT) from exc
        except csv.Error as exc:
            raise RosterRefused(BROKEN_CSV, row=number + 1) from exc
        finally:
            text.detach()


def _csv_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise RosterRefused(NOT_A_SPREADSHEET)
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=False)  # the 64 KB may end inside a character
        except UnicodeDecodeError:
            continue
        return encoding
    raise RosterRefused(UNREADABLE_TEXT)


def _csv_delimiter(head: bytes, encoding: str) -> str:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    for line in text.splitlines():
        if line.strip():
            counts = {sep: line.count(sep) for sep in (",", "\t", ";")}
            best = max(counts, key=lambda sep: counts[sep])
            return best if counts[best] else ","
    return ","


def check_zip_directory(stream: IO[bytes], lim: Limits) -> None:
    """Refuse a workbook whose parts, as its zip directory declares them, are too many, too big
    or too tightly packed. Reads the directory only; inflates nothing."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise RosterRefused(BROKEN_WORKBOOK) from exc
    if len(infos) > lim.max_parts:
        raise RosterRefused(TOO_MANY_PARTS, n=len(infos))
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise RosterRefused(NOT_A_SPREADSHEET)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:  # an encrypted part
            raise RosterRefused(OLD_EXCEL)
        total += info.file_size
        if total > lim.max_unpacked:
            raise RosterRefused(
                UNPACKS_TOO_BIG, size=megabytes(total), limit=megabytes(lim.max_unpacked)
            )
        if info.file_size >= RATIO_CHECK_FROM:
            ratio = info.file_size // max(info.compress_size, 1)
            if ratio > lim.max_ratio:
                raise RosterRefused(ODD_COMPRESSION, ratio=ratio)


def open_roster(source: str | Path | IO[bytes], lim: Limits | None = None) -> RosterFile:
    """Open a roster file (a path or a binary file object), refusing anything that is not a
    spreadsheet of a sane size. The caller closes it (it is a context manager)."""
    lim = lim or limits()
    owns = isinstance(source, str | Path)
    if isinstance(source, str | Path):
        path = Path(source)
        size = path.stat().st_size
        if size > lim.max_bytes:  # refused before the file is even opened
            raise RosterRefused(TOO_BIG, size=megabytes(size), limit=megabytes(lim.max_bytes))
        stream: IO[bytes] = path.open("rb")
    else:
        stream = source
        size = _size_of(stream)
        if size > lim.max_bytes:
            raise RosterRefused(TOO_BIG, size=megabytes(size), limit=megabytes(lim.max_bytes))
    try:
        if size == 0:
            raise RosterRefused(EMPTY_FILE)
        stream.seek(0)
        magic = stream.read(8)
        stream.seek(0)
        if magic.startswith(_ZIP):
            return XlsxFile(stream, lim, owns_stream=owns)
        if magic.startswith(_OLE):
            raise RosterRefused(OLD_EXCEL)
        if magic.startswith(_BINARY_STARTS) or magic.lstrip()[:1] == b"<":
            raise RosterRefused(NOT_A_SPREADSHEET)
        return CsvFile(stream, lim, owns_stream=owns)
    except BaseException:
        if owns:
            stream.close()
        raise


# --- Cells -----------------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(
    [
        *range(0x00, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),
        0x200B,
        0x200C,
        0x200D,
        0xFEFF,
    ]
)
_SPACES = re.compile(r"[ \t]+")
_GUARDED = re.compile(r"^'(?=[=+\-@\t\r])")


# Characters that are "=" once normalised (NFKC): a cell starting with any of them is refused.
_EQUALS = frozenset("=\u207c\u208c\u2a75\u2a76\ufe66\uff1d")
# What makes a text cell need more than a glance: controls, zero-width and ideographic spaces,
# double spaces, a leading or trailing space, a leading apostrophe.
_NEEDS_WORK = re.compile(r"[\x00-\x1f\x7f-\xa0\u2000-\u200d\u202f\u205f\u3000\ufeff]|  |^[ ']| $")
_OTHER_SPACES = re.compile(r"[^\S\n]")


def is_formula(value: Any) -> bool:
    """A formula as openpyxl reads it (``=…`` or an array formula), or text that starts like
    one once invisible characters and spaces are dropped (a full-width ``＝`` included)."""
    if type(value) is str:
        text = value.translate(_INVISIBLE).lstrip()
        return bool(text) and text[0] in _EQUALS
    if value is None or isinstance(value, int | float | Decimal | datetime | date | time):
        return False
    return not isinstance(value, str)  # ArrayFormula, DataTableFormula


def clean_cell(value: Any, max_length: int = 1000, *, plain: bool = False) -> str:
    """A cell as text: numbers without a spurious ``.0``, control and zero-width characters
    dropped, runs of spaces collapsed, a leading guard apostrophe removed.

    Unless ``plain`` (names and notes, kept as written), full-width digits, letters and signs
    are made ASCII (NFKC, which also turns ``㎡`` into ``m2``)."""
    if value is None:
        return ""
    if type(value) is str:
        text = value if len(value) <= max_length * 2 else value[: max_length * 2]
        if not plain and not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        if _NEEDS_WORK.search(text):
            text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
            if plain:
                text = _OTHER_SPACES.sub(" ", text)  # ideographic, no-break and other spaces
            text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()
            text = _GUARDED.sub("", text)
        return text if len(text) <= max_length else text[:max_length]
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return clean_cell(str(value), max_length, plain=plain)


class CellError(Exception):
    """A cell that cannot be read; ``message`` is a message id, ``params`` fill it in."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params
