"""``linju verify-ledger [--estate SLUG | --street SLUG]``: check every estate's ledger chain
and balances, and every street's (the chain of its community foundation's own money).

Exit 0 when every chain verifies; 1 when a broken entry was found (each is named); 3 for any
other failure (no database, a crash), so a script can tell "tampered" from "could not check".
"""

from __future__ import annotations

import sys
import traceback

from django.core.management.base import BaseCommand

EXIT_OK, EXIT_BROKEN, EXIT_FAILED = 0, 1, 3


class Command(BaseCommand):
    help = (
        "Check the hash chain and the fund balances of every estate's ledger and every street's "
        "foundation ledger (or one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--estate", help="the estate's short name (default: every estate)")
        parser.add_argument("--street", help="a street's short name: its foundation's ledger only")

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

    def handle(
        self, *args, estate: str | None = None, street: str | None = None, **options
    ) -> None:
        from linju.community.models import Estate, Street
        from linju.funding.models import LedgerHead
        from linju.funding.selectors import ledger_verify

        estates = Estate.objects.order_by("slug")
        # Streets with a foundation ledger: a chain head, or a fund of their own.
        streets = (
            (
                Street.objects.filter(
                    pk__in=LedgerHead.objects.filter(street__isnull=False).values("street_id")
                )
                | Street.objects.filter(funds__isnull=False)
            )
            .distinct()
            .order_by("slug")
        )
        if estate and street:
            self.stderr.write("name an estate or a street, not both")
            self.exit_code = EXIT_FAILED
            return
        if estate:
            estates, streets = estates.filter(slug=estate), streets.none()
            if not estates.exists():
                self.stderr.write(f"no estate {estate!r}")
                self.exit_code = EXIT_FAILED
                return
        if street:
            estates = estates.none()
            streets = Street.objects.filter(slug=street)
            if not streets.exists():
                self.stderr.write(f"no street {street!r}")
                self.exit_code = EXIT_FAILED
                return
        broken = False
        places = [(place.slug, {"estate": place}) for place in estates] + [
            (f"street {place.slug}", {"street": place}) for place in streets
        ]
        for label, where in places:
            report = ledger_verify(**where)
            if report.ok:
                self.stdout.write(f"{label}: {report.count} entries, chain head {report.head} — ok")
            else:
                broken = True
                self.stdout.write(f"{label}: BROKEN")
                for item in report.breaks:
                    self.stdout.write(f"  {item}")
        self.exit_code = EXIT_BROKEN if broken else EXIT_OK
