"""The ``linju`` command: Django's management commands with Linju's settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["recount"]:
        # Anyone can check a published result: no settings, no database, not even Django.
        from linju.decisions.record import main as recount

        sys.exit(recount(args[1:]))
    if args[:1] == ["pb"]:
        # Participatory budgeting on a Pabulib file: pure computation, no Django either.
        from linju.foundation.pb.cli import main as pb

        sys.exit(pb(args[1:]))
    if args[:1] == ["opinion-map"]:
        # Pure computation on a votes file: no settings, no database, no Django.
        from linju.consultations.opinion.cli import main as opinion_map

        sys.exit(opinion_map(args[1:]))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linju.settings")
    from django.core.management import execute_from_command_line

    # Django's commands are modules, so their names use "_"; the documented names use "-"
    # (`linju import-roster`). Either spelling works.
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["linju", *args])


if __name__ == "__main__":
    main()
