"""``linju opinion-map VOTES.csv``: compute a consultation's opinion map and print it as JSON.

Exit 0: computed (with too few participants, the JSON has no groups and says why); 1: usage
error or unreadable file; 2: a malformed votes file, refused whole, with its first bad line
named on standard error. Nothing here needs Django, settings or a database.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn

from linju.consultations.opinion.compute import opinion_map
from linju.consultations.opinion.votes import VotesError, read_csv

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_BAD_VOTES = 2


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse exits 2 on a usage error; here 2 means a malformed file and nothing else.
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def main(argv: list[str]) -> int:
    """Print the opinion map of a votes file as JSON; the exit code says how it went."""
    parser = _ArgumentParser(
        prog="linju opinion-map",
        description=(
            "Compute the opinion map of a consultation (PCA, k-means groups, representative "
            "and consensus statements, as Polis does) from a CSV file with the header "
            "participant,statement,vote (vote 1 agree, -1 disagree, 0 pass), and print it as "
            "JSON. Exit 0: computed; 1: usage error or unreadable file; 2: malformed file."
        ),
    )
    parser.add_argument("votes", help='the votes CSV file (UTF-8), or "-" for standard input')
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the k-means random starts (default 0)"
    )
    parser.add_argument(
        "--indent", type=int, default=None, help="indent the JSON by this many spaces"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        if args.votes == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.votes, "rb") as file:
                data = file.read()
    except OSError as error:
        print(f"linju opinion-map: cannot read {args.votes}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    try:
        table = read_csv(data)
    except VotesError as error:
        print(f"linju opinion-map: malformed votes file: {error}", file=sys.stderr)
        return EXIT_BAD_VOTES
    result = opinion_map(table, seed=args.seed)
    sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=args.indent) + "\n")
    return EXIT_OK
