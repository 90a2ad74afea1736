"""``linju restore``: bring a ``linju backup`` archive back, then check its row counts."""

from django.core.management.base import BaseCommand, CommandError

import linju
from linju.core import backups


class Command(BaseCommand):
    help = (
        "Restore a backup archive into the configured database and LINJU_DATA_DIR, then check "
        "every table's row count against the archive's manifest. Stop the web server and "
        "worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="A .tar.gz written by `linju backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data in a database (and media folder) that is not empty.",
        )

    def handle(self, *args, **options):
        try:
            result = backups.restore_backup(options["path"], force=options["force"])
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc

        manifest = result.manifest
        self.stdout.write(
            f"Restored a {manifest['engine']} backup taken {manifest['created_at']} "
            f"by Linju {manifest['linju_version']}."
        )
        width = max((len(table) for table in result.expected), default=5)
        self.stdout.write(f"{'table':<{width}}  {'backup':>8}  {'now':>8}")
        for table, expected in sorted(result.expected.items()):
            actual = result.actual.get(table)
            line = f"{table:<{width}}  {expected:>8}  {'-' if actual is None else actual:>8}"
            if actual != expected:
                line = self.style.ERROR(line + "  MISMATCH")
            self.stdout.write(line)
        if result.mismatches:
            raise CommandError(
                "Row counts differ from the backup's manifest for: " + ", ".join(result.mismatches)
            )
        total = sum(result.expected.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"All {len(result.expected)} tables match the manifest ({total} rows)."
            )
        )
        if manifest["linju_version"] != linju.__version__:
            self.stdout.write(
                f"The backup was made by Linju {manifest['linju_version']}; this is "
                f"{linju.__version__}. Run `linju migrate` to bring the database up to date."
            )
        return None
