"""``python -m bench``: time Linju's pages on the demo estate, in a throw-away database."""

import argparse
import os
import shutil
import tempfile


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="linju-bench-")
    # Always a fresh SQLite file: a benchmark must never write into a real database.
    os.environ["LINJU_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "linju.settings"
    try:
        import django

        django.setup()
        from bench import pages

        pages.run(runs=args.runs)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
