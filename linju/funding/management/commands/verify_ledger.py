"""``linju verify-ledger [--estate SLUG]``: check every estate's ledger chain and balances.

Exit 0 when every chain verifies; 1 when a broken entry was found (each is named); 3 for any
other failure (no database, a crash), so a script can tell "tampered" from "could not check".
"""

from __future__ import annotations

import sys
import traceback

from django.core.management.base import BaseCommand

EXIT_OK, EXIT_BROKEN, EXIT_FAILED = 0, 1, 3


class Command(BaseCommand):
    help = "Check the hash chain and the fund balances of every estate's ledger (or one)."

    def add_arguments(self, parser):
        parser.add_argument("--estate", help="the estate's short name (default: every estate)")

    exit_code = EXIT_FAILED

    def run_from_argv(self, argv):
        # Only a broken chain exits 1; anything else that stops the check (a usage error, no
        # database, a crash) exits 3, so a script can tell "tampered" from "could not check".
        try:
            super().run_from_argv(argv)
        except SystemExit as stop:
            if stop.code not in (0, None):
                sys.exit(EXIT_FAILED)
            raise
        except BaseException:
            traceback.print_exc(file=sys.stderr)
            sys.exit(EXIT_FAILED)
        sys.exit(self.exit_code)

    def handle(self, *args, estate: str | None = None, **options) -> None:
        from linju.community.models import Estate
        from linju.funding.selectors import ledger_verify

        estates = Estate.objects.order_by("slug")
        if estate:
            estates = estates.filter(slug=estate)
            if not estates.exists():
                self.stderr.write(f"no estate {estate!r}")
                self.exit_code = EXIT_FAILED
                return
        broken = False
        for place in estates:
            report = ledger_verify(estate=place)
            if report.ok:
                self.stdout.write(
                    f"{place.slug}: {report.count} entries, chain head {report.head} — ok"
                )
            else:
                broken = True
                self.stdout.write(f"{place.slug}: BROKEN")
                for item in report.breaks:
                    self.stdout.write(f"  {item}")
        self.exit_code = EXIT_BROKEN if broken else EXIT_OK
