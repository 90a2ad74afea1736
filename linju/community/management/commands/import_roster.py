"""``linju import-roster FILE --estate SLUG [--dry-run] [--json]``: the console's roster import,
for IT staff who serve many estates.

The same reading, checks and all-or-nothing write as the console; the same report. Exit status:
0 when everything was written (with ``--dry-run``: would be), 1 when any row has an error (then
nothing is written), 2 for a usage error or a file that cannot be read.

Without ``--as`` the import runs as the operator (whoever runs this command already holds the
database; the audit log names the actor "system"); with ``--as USERNAME`` it runs as that
account, which must be residents' committee staff of the estate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from linju.community.models import Estate
from linju.community.roster import parse as p
from linju.community.roster import plan as planning
from linju.community.roster.apply import RosterRejected, roster_apply, roster_read_file
from linju.core import permissions

OK, ROW_ERRORS, USAGE = 0, 1, 2


class Command(BaseCommand):
    help = (
        "Import a residents' roster (.xlsx or .csv) into an estate: create and update its "
        "buildings, flats, people, occupancies and owners. Exit status 0: all written (or, with "
        "--dry-run, would be); 1: some rows have errors, nothing written; 2: usage error or "
        "unreadable file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The roster: an .xlsx workbook or a .csv file.")
        parser.add_argument("--estate", required=True, metavar="SLUG", help="e.g. zhonghao")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report only; write nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="Act as this residents' committee staff account instead of as the operator.",
        )
        parser.add_argument(
            "--sheet", type=int, default=1, help="Which worksheet to read (1 = the first)."
        )
        parser.add_argument(
            "--header-row", type=int, help="The header row, if it is not found by itself."
        )
        parser.add_argument(
            "--language",
            choices=["en", "zh-hans"],
            default="en",
            help="Language of the row messages (default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        as_json = options["json"]
        path = Path(options["file"])
        estate = Estate.objects.filter(slug=options["estate"]).first()
        if estate is None:
            self._fail(as_json, USAGE, f"No estate with the short name {options['estate']!r}.")
            return
        actor = self._actor(options["as_user"], estate, as_json)
        if not path.is_file():
            self._fail(as_json, USAGE, f"No file {str(path)!r}.")
            return
        sheet = max(options["sheet"], 1) - 1
        try:
            _layout, entries = roster_read_file(
                estate, path, sheet=sheet, header_row=options["header_row"]
            )
        except p.RosterRefused as exc:
            self._fail(as_json, USAGE, exc.text())
            return
        except OSError as exc:
            self._fail(as_json, USAGE, f"Cannot read {str(path)!r}: {exc.strerror or exc}.")
            return
        if options["dry_run"]:
            plan = planning.resolve(estate, entries)
            written = False
        else:
            try:
                outcome = roster_apply(
                    actor=actor,
                    estate=estate,
                    entries=entries,
                    file_name=path.name,
                    as_operator=actor is None,
                )
            except RosterRejected as exc:
                plan, written = exc.plan, False
            else:
                plan, written = outcome.plan, True
        report = self._report(plan.report(written=written), estate, path, options["dry_run"])
        self._print(report, as_json)
        if not plan.ok:
            raise CommandError(
                f"{plan.errors.count} row error(s): nothing was written.", returncode=ROW_ERRORS
            )

    def _actor(self, username: str | None, estate: Estate, as_json: bool) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not permissions.can(user, "import_roster", estate):
            self._fail(
                as_json,
                USAGE,
                f"{username!r} is not an active residents' committee staff account of "
                f"{estate.slug}.",
            )
        return user

    def _report(
        self, report: dict[str, Any], estate: Estate, path: Path, dry_run: bool
    ) -> dict[str, Any]:
        def rendered(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [
                {"row": msg["row"], "message": planning.render(msg)}
                for msg in planning.first_rows(messages, planning.MAX_LISTED)
            ]

        return {
            "estate": estate.slug,
            "file": path.name,
            "dry_run": dry_run,
            "written": report["written"],
            "rows": report["rows"],
            "created": report["created"],
            "updated": report["updated"],
            "unchanged": report["unchanged"],
            "skipped": report["skipped"],
            "errors": rendered(report["errors"]),
            "error_count": report["error_count"],
            "warnings": rendered(report["warnings"]),
            "warning_count": report["warning_count"],
            "changes": rendered(report["changes"]),
            "change_count": report["change_count"],
        }

    def _print(self, report: dict[str, Any], as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        out = self.stdout.write
        would = report["dry_run"] or not report["written"]
        out(f"{report['file']} → {report['estate']}: {report['rows']} rows")
        for title, key in (
            ("Would create" if would else "Created", "created"),
            ("Would update" if would else "Updated", "updated"),
            ("Unchanged", "unchanged"),
        ):
            counts = ", ".join(f"{n} {kind}" for kind, n in report[key].items())
            out(f"{title}: {counts}")
        out(f"Rows skipped: {report['skipped']}")
        for title, key in (("Changes", "changes"), ("Warnings", "warnings"), ("Errors", "errors")):
            if report[key]:
                out(f"{title} ({report[key.rstrip('s') + '_count']}):")
                for msg in report[key]:
                    out(f"  row {msg['row']}: {msg['message']}")
        if report["written"]:
            out(self.style.SUCCESS("Written."))
        elif report["error_count"]:
            out(self.style.ERROR("Nothing was written."))
        else:
            out("Dry run: nothing was written.")

    def _fail(self, as_json: bool, code: int, message: str) -> None:
        if as_json:
            empty = dict.fromkeys(planning.KINDS, 0)
            self.stdout.write(
                json.dumps(
                    {
                        "written": False,
                        "created": empty,
                        "updated": empty,
                        "unchanged": empty,
                        "skipped": 0,
                        "errors": [{"row": None, "message": message}],
                        "warnings": [],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        raise CommandError(message, returncode=code)
