"""``linju backup``: one archive of the database and the uploaded files."""

from django.core.management.base import BaseCommand, CommandError

from linju.core import backups


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of the database and the media folder, with a manifest, "
        "to LINJU_DATA_DIR/backups/linju-YYYYmmdd-HHMMSS.tar.gz (or --output)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            metavar="PATH",
            help="Archive file to write, or an existing folder to write it into.",
        )

    def handle(self, *args, **options):
        try:
            path = backups.create_backup(options.get("output"))
            manifest = backups.read_manifest(path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {manifest['engine']} database ({len(manifest['tables'])} tables, "
            f"{rows} rows) and {manifest['media_files']} media files."
        )
        self.stdout.write(self.style.SUCCESS(str(path)))
        return None
