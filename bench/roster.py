"""Roster import: the demo estate's roster (exported, then imported into an empty estate) and a
synthetic roster of 100,000 rows, each timed against openpyxl merely reading the same file in
read-only mode, in the same run (the aim: an import at most 3× the bare read). Peak memory is
measured with tracemalloc in separate passes, since tracing slows everything down: the bare
streaming read must stay flat however many rows it reads; the import holds what the roster
says (flats and people), not the workbook.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command

from linju.community.demo import ESTATE_SLUG, GIVEN_NAMES, SURNAMES, demo_load
from linju.community.models import Estate, Street
from linju.community.roster import export
from linju.community.roster import plan as planning
from linju.community.roster.apply import roster_apply, roster_read_file
from linju.community.roster.parse import open_roster

BASELINE_RUNS = 2
SEED = 17


def run(*, rows: int) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    demo_load()
    demo = Estate.objects.get(slug=ESTATE_SLUG)
    staff = get_user_model().objects.get(username="staff")
    with TemporaryDirectory(prefix="linju-roster-bench-") as folder:
        demo_file = Path(folder) / "demo.xlsx"
        with demo_file.open("wb") as out:
            exported = export.roster_export(actor=staff, estate=demo, out=out)
        print(f"\nroster: demo estate exported, {exported:,} rows, {_kb(demo_file)}")
        _compare("demo estate → empty estate", demo_file, _empty_estate("bench-demo"))

        synthetic = Path(folder) / "synthetic.xlsx"
        started = time.perf_counter()
        _synthetic(synthetic, rows)
        print(
            f"\nroster: synthetic roster, {rows:,} rows, {_kb(synthetic)} "
            f"(written in {time.perf_counter() - started:.1f} s)"
        )
        target = _empty_estate("bench-synthetic")
        _compare("synthetic → empty estate", synthetic, target)
        _compare("synthetic again → same estate (nothing to write)", synthetic, target)
        _memory(synthetic, target, rows)


# --- Timing ----------------------------------------------------------------------------------


def _openpyxl_read(path: Path) -> int:
    """The baseline: openpyxl merely reading every row, read-only, values only."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    count = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return count


def _best(function: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def _compare(label: str, path: Path, estate: Estate) -> None:
    baseline = _best(lambda: _openpyxl_read(path), BASELINE_RUNS)
    started = time.perf_counter()
    _layout, entries = roster_read_file(estate, path)
    read = time.perf_counter() - started
    outcome = roster_apply(
        actor=None, estate=estate, entries=entries, file_name=path.name, as_operator=True
    )
    total = time.perf_counter() - started
    report = outcome.report
    rows = report["rows"]
    written = sum(report["created"].values()) + sum(report["updated"].values())
    print(f"  {label}:")
    print(f"    openpyxl reading the file: {baseline:.2f} s ({rows / baseline:,.0f} rows/s)")
    print(
        f"    import: {total:.2f} s ({rows / total:,.0f} rows/s) = {total / baseline:.2f}× "
        f"the bare read (aim ≤ 3×); reading {read:.2f} s, checking and writing "
        f"{total - read:.2f} s, {written:,} records written"
    )
    created = ", ".join(f"{n:,} {kind}" for kind, n in report["created"].items() if n)
    print(f"    created: {created or 'nothing'}; errors: {report['error_count']}")


# --- Memory ----------------------------------------------------------------------------------


def _peak(function: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


def _stream(path: Path, limit: int) -> None:
    with open_roster(path) as roster:
        for number, _values in roster.rows():
            if number >= limit:
                break


def _memory(path: Path, estate: Estate, rows: int) -> None:
    tenth = max(rows // 10, 1)
    small = _peak(lambda: _stream(path, tenth))
    full = _peak(lambda: _stream(path, rows + 1))
    print("  peak memory (tracemalloc):")
    print(
        f"    streaming read: {small:.1f} MB for the first {tenth:,} rows, {full:.1f} MB for "
        f"all {rows:,} — {'flat' if full < 2 * small + 1 else 'GROWS'}"
    )

    def check() -> None:
        _layout, entries = roster_read_file(estate, path)
        planning.resolve(estate, entries)

    whole = _peak(check)
    print(
        f"    reading and checking the whole roster: {whole:.1f} MB "
        f"({whole * 1024 * 1024 / rows:,.0f} bytes a row, the roster's content), against a "
        f"file of {_kb(path)}"
    )


# --- Data ------------------------------------------------------------------------------------


def _empty_estate(slug: str) -> Estate:
    street = Street.objects.get(slug="wanli")
    return Estate.objects.create(street=street, slug=slug, name=f"基准小区 {slug}")


def _kb(path: Path) -> str:
    return f"{path.stat().st_size / 1024:,.0f} KB"


def _synthetic(path: Path, rows: int) -> None:
    """A roster as committees keep it, ``rows`` data rows: a title above the header, addresses
    written two ways, areas with units, phones with spaces, dashes and +86, co-owners in one
    cell, households over several rows, a blank line now and then."""
    import openpyxl

    rng = random.Random(SEED)
    surnames, weights = list(SURNAMES), list(SURNAMES.values())
    given = [name for names in GIVEN_NAMES.values() for name in names.split()]

    def name() -> str:
        return rng.choices(surnames, weights)[0] + rng.choice(given)

    def phone(n: int) -> str:
        digits = f"1749{n:07d}"
        style = n % 4
        if style == 0:
            return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        if style == 1:
            return f"+86 {digits}"
        if style == 2:
            return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
        return digits

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("住户名册")
    sheet.append(["基准小区住户信息登记表"])
    sheet.append(["房号", "建筑面积", "楼层", "业主姓名", "联系电话", "身份", "备注"])
    written, flat_no, phones = 0, 0, 0
    while written < rows:
        building, rest = divmod(flat_no, 2 * 32 * 4)
        entrance, rest = divmod(rest, 32 * 4)
        floor, position = divmod(rest, 4)
        flat_no += 1
        room = f"{floor + 1}{position + 1:02d}"
        address = (
            f"{building + 1}号楼{entrance + 1}单元{room}室"
            if flat_no % 3
            else f"{building + 1}-{entrance + 1}-{room}"
        )
        area = round(rng.uniform(55, 145), 2)
        area_cell: Any = area if flat_no % 2 else f"{area}㎡"
        household = rng.choices([1, 2, 3, 4], weights=[20, 35, 30, 15])[0]
        for member in range(household):
            if written >= rows:
                break
            if member == 0 and household > 1 and rng.random() < 0.15:
                owners = f"{name()}、{name()}"
                numbers = f"{phone(phones)}、{phone(phones + 1)}"
                phones += 2
                sheet.append([address, area_cell, floor + 1, owners, numbers, "业主", None])
            else:
                relation = "业主" if member == 0 else rng.choice(["家属", "家属", "租户"])
                number = phone(phones) if rng.random() < 0.8 else None
                phones += 1
                first = member == 0
                sheet.append(
                    [
                        address if first else None,  # the household below its first row
                        area_cell if first else None,
                        floor + 1 if first else None,
                        name(),
                        number,
                        relation,
                        None,
                    ]
                )
            written += 1
        if flat_no % 500 == 0:
            sheet.append([None] * 7)
    workbook.save(path)
