"""``linju import-roster FILE --estate SLUG [--dry-run] [--json]``: the same report as the
console; exit status 0 (all written, or would be), 1 (row errors, nothing written), 2 (usage
error or unreadable file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from linju.community.models import Flat, RosterImport
from linju.core.models import AuditEvent
from tests.community.roster import workbooks as wb
from tests.community.roster.helpers import directory, snapshot

KINDS = {"buildings", "entrances", "flats", "people", "occupancies", "owners"}


def _call(*args: str) -> tuple[int, str, dict[str, Any] | None]:
    """(exit status, output, the JSON report if --json) of the command run in-process."""
    out = StringIO()
    try:
        call_command("import_roster", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        code = exc.returncode
    else:
        code = 0
    text = out.getvalue()
    return code, text, json.loads(text) if "--json" in args and text else None


def test_dry_run_reports_and_writes_nothing(e17, write):
    path = write("messy.xlsx", wb.messy())
    before = snapshot()
    code, _out, report = _call(str(path), "--estate", "zhonghao", "--dry-run", "--json")
    assert code == 0
    assert report is not None
    assert report["written"] is False
    assert report["created"]["flats"] == 4
    assert set(report["created"]) == set(report["updated"]) == KINDS
    assert report["errors"] == []
    assert {"row": 11, "message": "Building 18 is not in the estate yet; it will be created."} in (
        report["warnings"]
    )
    assert snapshot() == before


def test_import_writes_as_the_operator(e17, write):
    path = write("messy.xlsx", wb.messy())
    code, _out, report = _call(str(path), "--estate", "zhonghao", "--json")
    assert code == 0
    assert report is not None and report["written"] is True
    assert Flat.objects.filter(estate=e17.estate).count() == 4
    record = RosterImport.objects.get()
    assert (record.original_name, record.created_by, record.status) == ("messy.xlsx", None, "done")
    event = AuditEvent.objects.get(action="roster.import")
    assert event.actor_label == "system"

    again = _call(str(path), "--estate", "zhonghao", "--json")[2]
    assert again is not None
    assert set(again["created"].values()) == set(again["updated"].values()) == {0}


def test_import_as_a_staff_account(e17, write):
    code, _out, _report = _call(
        str(write("messy.xlsx", wb.messy())), "--estate", "zhonghao", "--as", "su"
    )
    assert code == 0
    assert AuditEvent.objects.get(action="roster.import").actor == e17.staff


def test_row_errors_exit_1_and_write_nothing(e17, write):
    before = directory()
    code, _out, report = _call(
        str(write("bad.xlsx", wb.messy(bad=True))), "--estate", "zhonghao", "--json"
    )
    assert code == 1
    assert report is not None
    assert report["written"] is False
    assert [e["row"] for e in report["errors"]] == [14, 15, 16, 17]
    assert all(isinstance(e["message"], str) and e["message"] for e in report["errors"])
    assert directory() == before
    assert not RosterImport.objects.exists()


def test_messages_in_chinese(e17, write):
    code, _out, report = _call(
        str(write("bad.xlsx", wb.messy(bad=True))),
        "--estate",
        "zhonghao",
        "--json",
        "--dry-run",
        "--language",
        "zh-hans",
    )
    assert code == 1
    assert report is not None
    assert report["errors"][0]["row"] == 14


@pytest.mark.parametrize(
    ("make", "estate"),
    [
        (lambda w: w("messy.xlsx", wb.messy()), "nowhere"),
        (lambda w: w("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "zhonghao"),
        (lambda w: w("no-columns.csv", "甲,乙\n1,2\n".encode()), "zhonghao"),
        (lambda w: w("missing.xlsx", b"x").with_name("gone.xlsx"), "zhonghao"),
    ],
    ids=["unknown-estate", "not-a-spreadsheet", "no-flat-columns", "missing-file"],
)
def test_usage_errors_and_unreadable_files_exit_2(e17, write, make, estate):
    before = snapshot()
    code, _out, report = _call(str(make(write)), "--estate", estate, "--json")
    assert code == 2
    assert report is not None
    assert report["written"] is False
    assert report["errors"][0]["row"] is None
    assert report["errors"][0]["message"]
    assert snapshot() == before


def test_acting_as_someone_who_may_not_import_is_a_usage_error(e17, write):
    code, _out, _report = _call(
        str(write("messy.xlsx", wb.messy())), "--estate", "zhonghao", "--as", "elsewhere"
    )
    assert code == 2
    assert not Flat.objects.exists()


def test_plain_report(e17, write):
    code, out, _report = _call(str(write("bad.xlsx", wb.messy(bad=True))), "--estate", "zhonghao")
    assert code == 1
    assert "row 14:" in out
    assert "Nothing was written." in out


# --- As a separate process -------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """A migrated data folder with the estate zhonghao, for the command run as a process."""
    folder = tmp_path_factory.mktemp("roster-cli")
    for args, stdin in (
        (["migrate", "--noinput", "-v", "0"], ""),
        (["create_admin", "root", "--password-stdin"], "linju-demo-2026"),
        (
            [
                "create_estate",
                "--as",
                "root",
                "--street-name",
                "万里街道",
                "--street-slug",
                "wanli",
                "--estate-name",
                "中浩云花园",
                "--estate-slug",
                "zhonghao",
                "--staff-username",
                "su",
                "--staff-password-stdin",
            ],
            "linju-demo-2026\n",
        ),
    ):
        result = _linju(*args, data_dir=folder, stdin=stdin)
        assert result.returncode == 0, result.stderr
    return folder


def _linju(*args: str, data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["LINJU_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "linju", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_exit_codes_and_json_from_the_command_line(data_dir, tmp_path):
    good = tmp_path / "messy.xlsx"
    good.write_bytes(wb.messy())
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(wb.messy(bad=True))
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"%PDF-1.7 not a roster")

    dry = _linju(
        "import-roster", str(good), "--estate", "zhonghao", "--dry-run", "--json", data_dir=data_dir
    )
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert {"created", "updated", "skipped", "errors", "warnings"} <= set(report)
    assert report["created"]["flats"] == 4 and report["written"] is False

    errors = _linju("import-roster", str(bad), "--estate", "zhonghao", "--json", data_dir=data_dir)
    assert errors.returncode == 1
    assert [e["row"] for e in json.loads(errors.stdout)["errors"]] == [14, 15, 16, 17]
    assert "Traceback" not in errors.stderr

    unreadable = _linju("import-roster", str(junk), "--estate", "zhonghao", data_dir=data_dir)
    assert unreadable.returncode == 2
    assert "not a spreadsheet" in unreadable.stderr
    assert "Traceback" not in unreadable.stderr

    usage = _linju("import-roster", str(good), data_dir=data_dir)  # no --estate
    assert usage.returncode == 2
    assert "--estate" in usage.stderr

    done = _linju("import-roster", str(good), "--estate", "zhonghao", "--json", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["written"] is True
    again = _linju("import_roster", str(good), "--estate", "zhonghao", "--json", data_dir=data_dir)
    assert again.returncode == 0
    assert set(json.loads(again.stdout)["created"].values()) == {0}
