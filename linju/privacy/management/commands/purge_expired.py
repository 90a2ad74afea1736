"""``linju purge-expired [--dry-run] [--schedule]``: apply the retention table now."""

from django.core.management.base import BaseCommand

from linju.privacy.retention import RETENTION, retention_purge
from linju.privacy.tasks import retention_schedule


class Command(BaseCommand):
    help = (
        "Delete or de-identify personal data past its retention period (see "
        "linju/privacy/retention.py) and print how many rows of each kind went."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also book the daily background run (if none is waiting).",
        )

    def handle(self, *args, dry_run: bool = False, schedule: bool = False, **options):
        counts = retention_purge(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        for kind in RETENTION:
            if kind in counts:
                self.stdout.write(f"{kind}: {verb} {counts[kind]}")
            else:
                self.stdout.write(f"{kind}: kept")
        if schedule and not dry_run:
            booked = retention_schedule()
            self.stdout.write("daily run booked" if booked else "daily run already booked")
