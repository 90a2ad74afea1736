"""``python -m bench``: time Linju's pages and its roster import on the demo estate, in a
throw-away database. ``--only pages`` or ``--only roster`` runs one of them."""

import argparse
import os
import shutil
import tempfile


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--rows", type=int, default=100_000, help="rows of the synthetic roster (default 100,000)"
    )
    parser.add_argument("--only", choices=["pages", "roster"], help="run one benchmark only")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="linju-bench-")
    # Always a fresh SQLite file: a benchmark must never write into a real database.
    os.environ["LINJU_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "linju.settings"
    try:
        import django

        django.setup()
        from bench import pages, roster

        if args.only in (None, "pages"):
            pages.run(runs=args.runs)
        if args.only in (None, "roster"):
            roster.run(rows=args.rows)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
