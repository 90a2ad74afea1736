"""The engine's outcome as stored data, and in plain words.

``outcome_record`` turns a ``linju.foundation.pb.rules.Outcome`` into JSON-able data with every
figure exact (Decimal costs as text, fractions as "n/d" when they have no finite decimal
form). ``project_words`` says, in the reader's language, why a project won or lost, from that
data: figures are rounded to the fen only there, for reading (a shortfall upwards, so "¥x
short" is never an understatement).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.foundation.pb import rules
from linju.foundation.pb.cli import exact_text

RULE_LABELS = {
    "greedy": gettext_lazy("Greedy by votes"),
    "mes": gettext_lazy("Method of Equal Shares"),
    "mes-add1": gettext_lazy("Method of Equal Shares, completed by Add1"),
    "mes-add1u": gettext_lazy("Method of Equal Shares, completed by Add1, then greedy"),
}
RULE_HELP = {
    "greedy": gettext_lazy(
        "Projects are taken in order of votes, most first; each is funded if it still fits the "
        "budget left."
    ),
    "mes": gettext_lazy(
        "Every voter gets an equal share of the budget. A project is funded when its supporters "
        "can pay for it together, each paying the same amount (or all they have left); the "
        "project funded next is the one whose supporters pay least each."
    ),
    "mes-add1": gettext_lazy(
        "Equal shares, as above; then every voter's share is raised by ¥1 at a time, as long as "
        "the projects funded still fit the real budget, so that more of the budget is spent."
    ),
    "mes-add1u": gettext_lazy(
        "Equal shares completed by raising every voter's share (Add1); what is left is then "
        "given to the projects that still fit, in order of votes."
    ),
}


def _text(number: Fraction | Decimal | None) -> str | None:
    if number is None:
        return None
    return exact_text(Fraction(number))


def outcome_record(outcome: rules.Outcome, *, budget: Decimal, voters: int) -> dict[str, Any]:
    """``outcome`` as JSON-able data, exactly."""
    projects = []
    for result in outcome.projects:
        payment = result.rho * Fraction(result.cost) if result.rho is not None else None
        left = None
        if result.reason == rules.Reason.DID_NOT_FIT and result.shortfall is not None:
            left = Fraction(result.cost) - result.shortfall
        projects.append(
            {
                "id": result.project_id,
                "cost": f"{result.cost:f}",
                "votes": f"{result.votes:f}",
                "selected": result.selected,
                "stage": str(result.stage) if result.stage else None,
                "round": result.round,
                "rho": _text(result.rho),
                "payment": _text(payment),
                "reason": str(result.reason) if result.reason else None,
                "shortfall": _text(result.shortfall),
                "left": _text(left),
            }
        )
    comparison = None
    if outcome.comparison is not None:
        comparison = {
            "prefer_mes": outcome.comparison.prefer_mes,
            "prefer_greedy": outcome.comparison.prefer_greedy,
            "indifferent": outcome.comparison.indifferent,
            "greedy_won": outcome.comparison.greedy_won,
        }
    return {
        "rule": str(outcome.rule),
        "budget": f"{budget:f}",
        "voters": voters,
        "endowment": _text(outcome.endowment),
        "increments": outcome.increments,
        "comparison": comparison,
        "projects": projects,
    }


def money(exact: str | None, *, up: bool = False) -> str:
    """An exact amount ("12.5", "25/3") in yuan for reading: to the fen, with thousands
    separators; whole yuan without decimals. ``up`` rounds upwards."""
    if exact is None:
        return ""
    value = Fraction(exact)
    amount = Decimal(value.numerator) / Decimal(value.denominator)
    fen = amount.quantize(Decimal("0.01"), rounding=ROUND_CEILING if up else ROUND_HALF_EVEN)
    if fen == fen.to_integral_value():
        return f"¥{fen:,.0f}"
    return f"¥{fen:,.2f}"


def project_words(project: dict[str, Any]) -> str:
    """Why this project won or lost, in one plain sentence."""
    if project["selected"]:
        if project["stage"] == "mes":
            return _(
                "Funded: chosen in round %(round)s. Its %(votes)s supporters shared the cost; "
                "none paid more than %(payment)s."
            ) % {
                "round": project["round"],
                "votes": project["votes"],
                "payment": money(project["payment"]),
            }
        return _(
            "Funded: chosen in round %(round)s, in order of votes, because it still fitted the "
            "budget left."
        ) % {"round": project["round"]}
    reason = project["reason"]
    if reason == "no_supporters":
        return _("Not funded: nobody voted for it.")
    if reason == "no_utility":
        return _("Not funded: it asks for no money, so equal shares have nothing to pay.")
    if reason == "did_not_fit":
        return _("Not funded: it did not fit the remaining budget of %(left)s.") % {
            "left": money(project["left"])
        }
    return _("Not funded: its supporters' remaining share was %(amount)s short.") % {
        "amount": money(project["shortfall"], up=True)
    }


def rule_label(rule: str) -> str:
    return str(RULE_LABELS.get(rule, rule))


def rule_help(rule: str) -> str:
    return str(RULE_HELP.get(rule, ""))
