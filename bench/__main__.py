"""``python -m bench``: time Linju's pages, its roster import, its decisions (the tally of a
large vote; casting over HTTP) and its ledger (appending, verifying the chain, the fund page)
on the demo estate, in a throw-away database. ``--only pages``, ``--only roster``, ``--only
decisions`` or ``--only ledger`` runs one of them. With ``LINJU_BENCH_DATABASE_URL`` (a
PostgreSQL server where the role may create databases), the decisions and ledger benchmarks
also run there, in a throw-away database created and dropped around the run. ``--only crash``
sends money writes through the API while the server is killed (``kill -9``) again and again,
on SQLite and, with ``LINJU_BENCH_DATABASE_URL``, on PostgreSQL. ``--only opinion`` times
``linju opinion-map`` on 5,000 participants × 400 statements against red-dwarf. ``--only pb``
times ``linju pb`` (greedy, the Method of Equal Shares, Add1) against pabutools on real
participatory-budgeting files, pabutools installed into a cache folder for it. ``--only
projects`` times the estate home with every building's project and a project page with 500
comments and 200 photos. ``--only consultations`` times a survey's results page (4,400 invited
residents, 3,000 answers) against a trivial view and checks its query count is constant."""

import argparse
import os
import shutil
import tempfile

# Set by the decisions benchmark when it runs itself again in a throw-away PostgreSQL database.
CHILD_DATABASE_URL = "LINJU_BENCH_CHILD_DATABASE_URL"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--rows", type=int, default=100_000, help="rows of the synthetic roster (default 100,000)"
    )
    parser.add_argument(
        "--flats", type=int, default=100_000, help="flats in the tallied decision (100,000)"
    )
    parser.add_argument(
        "--ballots", type=int, default=80_000, help="counted ballots in it (default 80,000)"
    )
    parser.add_argument(
        "--casts", type=int, default=4000, help="ballots cast over HTTP (default 4,000)"
    )
    parser.add_argument(
        "--clients", type=int, default=32, help="concurrent HTTP clients (default 32)"
    )
    parser.add_argument(
        "--entries", type=int, default=100_000, help="ledger entries appended (default 100,000)"
    )
    parser.add_argument(
        "--service-entries",
        type=int,
        default=2000,
        help="entries recorded through the whole service (default 2,000)",
    )
    parser.add_argument(
        "--writes", type=int, default=10_000, help="money writes in the crash test (10,000)"
    )
    parser.add_argument(
        "--kills", type=int, default=20, help="server kills in the crash test (default 20)"
    )
    parser.add_argument(
        "--only",
        choices=[
            "pages",
            "roster",
            "decisions",
            "ledger",
            "crash",
            "opinion",
            "pb",
            "projects",
            "consultations",
        ],
        help="run one benchmark only",
    )
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="linju-bench-")
    os.environ["LINJU_DATA_DIR"] = data_dir
    child_url = os.environ.pop(CHILD_DATABASE_URL, "")
    if child_url:
        os.environ["DATABASE_URL"] = child_url  # a database created for this run only
    else:
        # A fresh SQLite file: a benchmark must never write into a real database.
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "linju.settings"
    try:
        import django

        django.setup()
        from bench import crash, decisions, ledger, opinion, pages, pb, roster

        if args.only in (None, "pages") and not child_url:
            pages.run(runs=args.runs)
        if args.only in (None, "roster") and not child_url:
            roster.run(rows=args.rows)
        if args.only in (None, "decisions"):
            decisions.run(
                flats=args.flats,
                ballots=args.ballots,
                casts=args.casts,
                clients=args.clients,
                runs=min(args.runs, 10),
            )
            server_url = os.environ.get("LINJU_BENCH_DATABASE_URL", "")
            if server_url and not child_url:
                decisions.run_on_postgresql(server_url, _decisions_arguments(args))
        if args.only in (None, "ledger"):
            ledger.run(
                entries=args.entries,
                service_entries=args.service_entries,
                runs=min(args.runs, 5),
            )
            server_url = os.environ.get("LINJU_BENCH_DATABASE_URL", "")
            if server_url and not child_url:
                ledger.run_on_postgresql(server_url, _ledger_arguments(args))
        if args.only in (None, "crash") and not child_url:
            crash.run(writes=args.writes, kills=args.kills, clients=args.clients)
        if args.only in (None, "projects") and not child_url:
            from bench import projects

            projects.run(runs=args.runs)
        if args.only in (None, "consultations") and not child_url:
            from bench import consultations

            consultations.run(runs=args.runs)
        if args.only in (None, "opinion") and not child_url:
            opinion.run(runs=min(args.runs, 3))
        if args.only in (None, "pb") and not child_url:
            pb.run()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _decisions_arguments(args: argparse.Namespace) -> list[str]:
    names = ("runs", "flats", "ballots", "casts", "clients")
    return [f"--{name}={getattr(args, name)}" for name in names]


def _ledger_arguments(args: argparse.Namespace) -> list[str]:
    names = ("runs", "entries", "service_entries")
    return [f"--{name.replace('_', '-')}={getattr(args, name)}" for name in names]


if __name__ == "__main__":
    main()
