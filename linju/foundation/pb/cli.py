"""``linju pb FILE.pb --rule RULE``: the outcome of a participatory-budgeting election.

For analysts, in English; it needs no settings, no database and not even Django. Exit 0:
computed; 1: usage error or unreadable file; 2: a bad file, or ballots the rule cannot count
(the message names the file's line).
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import NoReturn

from linju.foundation.pb import rules
from linju.foundation.pb.pbfile import Election, PbFileError, read_pb

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_BAD_FILE = 2

DESCRIPTION = """\
Compute the outcome of a participatory-budgeting election in Pabulib's .pb format, exactly
(no floating point).

rules:
  greedy     projects in order of votes (points for cumulative ballots), most first, ties to
             the smaller project id as text; every project that still fits the remaining
             budget is funded, projects nobody voted for included. META thresholds such as
             min_project_score_threshold are ignored.
  mes        the Method of Equal Shares with cost utilities (as pabutools 1.2.3's
             method_of_equal_shares with Cost_Sat): every voter gets budget / voters; the
             project funded next is the one its supporters can pay for with the smallest
             largest payment per unit of cost (rho); ties to the smaller id as text.
  mes-add1   MES, then "Add1": every voter's endowment rises by 1 while the outcome fits
             the budget; the last outcome that fits is kept. --exhaustive-stop also stops
             at the first outcome to which no further project would fit.
  mes-add1u  mes-add1, then greedy over the budget left.

--comparison (MES rules): compute greedy too and keep the MES outcome unless more voters
prefer greedy's (a voter prefers the outcome funding more of the cost of the projects they
approve), as in Wieliczka's Green Budget 2023.

Approval and choose-1 ballots are counted by every rule, cumulative ballots by greedy only
(by points); ordinal ballots are read but not counted.

--json prints {"selected": [...], "cost": "...", "endowment": "..."}: the project ids in
the order funded; the total cost, exactly, as a decimal string; each voter's endowment in
the MES run that gave the outcome, exactly: a decimal string when it has a finite decimal
expansion, else a fraction "numerator/denominator" (Python's fractions.Fraction reads
both); null for greedy, when the comparison kept greedy's outcome, or with no voters.
Without --json, a table shows each project and why it was or was not funded (amounts
rounded to 2 decimals there).

exit status: 0 computed; 1 usage error or unreadable file; 2 bad file, or ballots the
rule cannot count (the message names the file's line).
"""

_REASONS = {
    rules.Reason.NO_SUPPORTERS: "nobody voted for it",
    rules.Reason.NO_UTILITY: "costs 0, worth nothing under cost utilities",
    rules.Reason.SUPPORTERS_SHORT: "its supporters were {amount} short",
    rules.Reason.DID_NOT_FIT: "did not fit the remaining budget by {amount}",
}


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse exits 2 on a usage error; here 2 means a bad file and nothing else.
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    """``linju pb``; returns the exit status."""
    parser = _ArgumentParser(
        prog="linju pb",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE.pb", help="the election, in Pabulib's format")
    parser.add_argument(
        "--rule", required=True, choices=[rule.value for rule in rules.Rule], help="the rule"
    )
    parser.add_argument(
        "--exhaustive-stop",
        action="store_true",
        help="mes-add1, mes-add1u: stop at the first outcome no further project would fit",
    )
    parser.add_argument(
        "--comparison", action="store_true", help="MES rules: the comparison step with greedy"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
        rule = rules.Rule(args.rule)
        if args.comparison and rule == rules.Rule.GREEDY:
            parser.error("--comparison compares an MES rule's outcome with greedy's")
        if args.exhaustive_stop and rule not in (rules.Rule.MES_ADD1, rules.Rule.MES_ADD1U):
            parser.error("--exhaustive-stop applies to mes-add1 and mes-add1u only")
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        election = read_pb(args.file)
    except OSError as error:
        print(f"linju pb: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except PbFileError as error:
        print(f"linju pb: {args.file}: {error}", file=sys.stderr)
        return EXIT_BAD_FILE
    instance = rules.instance_from_election(election)
    try:
        outcome = rules.outcome_compute(
            instance, rule=rule, exhaustive_stop=args.exhaustive_stop, comparison=args.comparison
        )
    except rules.RuleError as error:
        line = election.meta_lines.get("vote_type", 0)
        if error.vote_type == "cumulative":
            why = "cumulative ballots are counted by --rule greedy only (by points)"
        else:
            why = f"{error.vote_type} ballots are read but no rule here counts them"
        print(f"linju pb: {args.file}: line {line}: {why}", file=sys.stderr)
        return EXIT_BAD_FILE
    if args.json:
        print(json.dumps(outcome_json(outcome), ensure_ascii=False))
    else:
        print(outcome_table(election, outcome, file=args.file))
    return EXIT_OK


def outcome_json(outcome: rules.Outcome) -> dict[str, object]:
    return {
        "selected": list(outcome.selected),
        "cost": _decimal_text(outcome.cost),
        "endowment": None if outcome.endowment is None else exact_text(outcome.endowment),
    }


def exact_text(number: Fraction) -> str:
    """``number`` exactly: a decimal string if it has a finite decimal expansion, else
    "numerator/denominator"."""
    denominator = number.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return str(number)
    places = max(twos, fives)
    digits = number.numerator * 10**places // number.denominator
    return _decimal_text(Decimal(digits).scaleb(-places, rules.EXACT))


def _decimal_text(number: Decimal) -> str:
    return f"{number:f}"


def _rounded(number: Fraction) -> str:
    """For reading only: ``number`` to 2 decimals (half to even)."""
    exact = Decimal(number.numerator) / Decimal(number.denominator)
    return _decimal_text(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def outcome_table(election: Election, outcome: rules.Outcome, *, file: str) -> str:
    """The readable report: a header, then one row per project, funded ones first."""
    names = {project.project_id: project.fields.get("name", "") for project in election.projects}
    lines = [
        f"{file}: {outcome.rule}" + (", with the comparison step" if outcome.comparison else ""),
        f"budget {_decimal_text(election.budget)}; {len(election.ballots)} voters; "
        f"{len(election.projects)} projects ({election.vote_type} ballots)",
    ]
    if outcome.endowment is not None:
        endowment = f"endowment per voter {_rounded(outcome.endowment)}"
        if Fraction(_rounded(outcome.endowment)) != outcome.endowment:
            endowment += f" (exactly {exact_text(outcome.endowment)})"
        if outcome.increments is not None:
            endowment += f", after {outcome.increments} increments of 1"
        lines.append(endowment)
    if outcome.comparison is not None:
        comparison = outcome.comparison
        kept = "greedy's outcome kept" if comparison.greedy_won else "MES outcome kept"
        lines.append(
            f"comparison: {comparison.prefer_mes} voters prefer MES, {comparison.prefer_greedy} "
            f"greedy, {comparison.indifferent} neither: {kept}"
        )
    left = rules.EXACT.subtract(election.budget, outcome.cost)
    lines.append(
        f"funded: {len(outcome.selected)} projects, cost {_decimal_text(outcome.cost)} "
        f"({_decimal_text(left)} left)"
    )
    header = ("project", "cost", "votes", "funded", "round", "why", "name")
    rows = [header]
    ordered = sorted(
        outcome.projects,
        key=lambda result: (not result.selected, result.round or 0, -result.votes),
    )
    for result in ordered:
        rows.append(
            (
                result.project_id,
                _decimal_text(result.cost),
                _decimal_text(result.votes),
                "yes" if result.selected else "no",
                str(result.round or ""),
                _why(result),
                names[result.project_id][:40],
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines.append("")
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _why(result: rules.ProjectResult) -> str:
    if result.selected:
        if result.stage == rules.Stage.GREEDY:
            return "greedy"
        assert result.rho is not None
        payment = result.rho * Fraction(result.cost)
        rho = Decimal(result.rho.numerator) / Decimal(result.rho.denominator)
        return f"MES: rho {rho:.6g}, each supporter paid at most {_rounded(payment)}"
    assert result.reason is not None
    amount = "" if result.shortfall is None else _rounded(result.shortfall)
    return _REASONS[result.reason].format(amount=amount)
