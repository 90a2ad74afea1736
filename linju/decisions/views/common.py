"""What the decisions pages share: the results, rules and timeline in words, and loading
the decision of a page (missing and hidden are the same 404)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.decisions import selectors
from linju.decisions.models import Ballot, Decision

BOARD_PAGE_SIZE = 100
ROLL_PAGE_SIZE = 200
# The backend that signs someone in by a ballot link (no password was typed).
LINK_SIGN_IN_BACKEND = "linju.core.auth.UsernameOrPhoneBackend"

REASONS = {
    "area_quorum_not_met": gettext_lazy("Owners holding too little of the area took part."),
    "heads_quorum_not_met": gettext_lazy("Too few owners took part."),
    "area_approval_not_met": gettext_lazy(
        "The owners agreeing hold too little of the area of those who took part."
    ),
    "heads_approval_not_met": gettext_lazy("Too few of the owners who took part agreed."),
}
RESULTS = {
    "passed": gettext_lazy("Passed"),
    "failed": gettext_lazy("Not passed"),
    "no_quorum": gettext_lazy("Not valid: too few took part"),
    "tie": gettext_lazy("Tied"),
    "no_majority": gettext_lazy("No option has a majority"),
}
MAJORITIES = {
    "agree": gettext_lazy("Most voters agreed, so served non-voters count as agreeing."),
    "disagree": gettext_lazy("Most voters disagreed, so served non-voters count as disagreeing."),
    "no_majority": gettext_lazy(
        "The voters have no clear majority, so no non-voter is counted either way."
    ),
}
TIMELINE = (
    (Decision.Status.ANNOUNCED, gettext_lazy("Announced")),
    (Decision.Status.OPEN, gettext_lazy("Voting open")),
    (Decision.Status.CLOSED, gettext_lazy("Voting closed")),
    (Decision.Status.TALLIED, gettext_lazy("Counted")),
    (Decision.Status.PUBLISHED, gettext_lazy("Results published")),
)
STATUS_ORDER: list[str] = [
    Decision.Status.DRAFT,
    Decision.Status.ANNOUNCED,
    Decision.Status.OPEN,
    Decision.Status.CLOSED,
    Decision.Status.TALLIED,
    Decision.Status.PUBLISHED,
    Decision.Status.ARCHIVED,
]


# --- Helpers ---------------------------------------------------------------------------------


def grouped(receipt: str) -> str:
    """A receipt as people read it aloud: K7QX3-M9PW2."""
    return "-".join(receipt[i : i + 5] for i in range(0, len(receipt), 5))


def _percent(part: Fraction) -> str:
    return f"{float(round(part * 100, 1)):.1f}"  # display only; decisions use the fraction


def _share(text: str) -> dict[str, Any]:
    """ "1234.50/1500.00" as its parts and a percentage for the bar."""
    part, _slash, whole = text.partition("/")
    share = Fraction(Decimal(part)) / Fraction(Decimal(whole)) if Decimal(whole) else Fraction(0)
    return {
        "part": part,
        "whole": whole,
        "percent": _percent(share),
        "width": _percent(min(share, Fraction(1))),
    }


def _threshold_words(label: str) -> str:
    if label.startswith(">"):
        return _("more than %(share)s") % {"share": _fraction_words(label[1:])}
    return _("at least %(share)s") % {"share": _fraction_words(label)}


def _fraction_words(label: str) -> str:
    return {"1/2": _("half"), "2/3": _("two thirds"), "3/4": _("three quarters")}.get(label, label)


def _threshold_percent(label: str) -> str:
    numerator, _slash, denominator = label.lstrip(">").partition("/")
    return _percent(Fraction(int(numerator), int(denominator)))


def _owners_tally(tally: dict[str, Any]) -> dict[str, Any]:
    """A stored owners' tally (strict or deemed) as rows the page shows: each threshold with
    its share, pass or fail, and why."""
    reasons = set(tally.get("reasons", []))
    quorum, approval = tally["quorum_threshold"], tally["approval"]["threshold"]
    rows = [
        (_("Took part, by area"), tally["participation"]["area"], quorum, "area_quorum_not_met"),
        (
            _("Took part, by owners"),
            tally["participation"]["heads"],
            quorum,
            "heads_quorum_not_met",
        ),
        (_("Agreed, by area"), tally["approval"]["area"], approval, "area_approval_not_met"),
        (_("Agreed, by owners"), tally["approval"]["heads"], approval, "heads_approval_not_met"),
    ]
    return {
        "result": tally["result"],
        "result_text": RESULTS.get(tally["result"], tally["result"]),
        "rows": [
            {
                "what": what,
                "share": _share(share),
                "needed": _threshold_words(label),
                "mark": _threshold_percent(label),
                "met": code not in reasons,
                "reason": REASONS[code],
                "unit": "m²" if code.startswith("area") else "",
            }
            for what, share, label, code in rows
        ],
        "reasons": [REASONS.get(code, code) for code in tally.get("reasons", [])],
        "counts": [
            (Ballot.Choice(choice).label, part["area"], part["heads"])
            for choice, part in tally.get("counts", {}).items()
        ],
    }


def result_context(decision: Decision) -> dict[str, Any]:
    result = decision.result or {}
    if not result or not decision.results_public:
        return {}
    context: dict[str, Any] = {"result": result}
    if result.get("kind") == "owners":
        context["strict"] = _owners_tally(result["strict"])
        if deemed := result.get("deemed"):
            context["deemed"] = _owners_tally(deemed)
            context["deemed_majority"] = MAJORITIES.get(deemed.get("majority", ""), "")
            counted = deemed.get("counted_nonvoters") or 0
            context["nonvoters"] = (
                []
                if not counted
                else [
                    {
                        **n,
                        "deliveries": [
                            {**d, "at": datetime.datetime.fromisoformat(d["at"])}
                            for d in n.get("deliveries", [])
                        ],
                    }
                    for n in deemed.get("nonvoters", [])
                ]
            )
    elif result.get("kind") == "residents":
        data, labels = result["residents"], result.get("options", {})
        context["residents"] = {
            **data,
            "share": _share(data["participation"]),
            "result_text": _("Decided")
            if data["result"] == "passed"
            else RESULTS.get(data["result"], data["result"]),
            "rows": [
                {
                    "label": labels.get(key, key),
                    "count": data["counts"].get(key, 0),
                    "score": data["scores"].get(key, 0),
                    "winner": key in data["winners"],
                }
                for key in data["order"]
            ],
        }
    elif result.get("kind") == "election":
        data, labels = result["election"], result.get("options", {})
        context["election"] = {
            **data,
            "area": _share(data["participation"]["area"]),
            "heads": _share(data["participation"]["heads"]),
            "candidates": [
                {**c, "label": labels.get(c["key"], c["key"])} for c in data["candidates"]
            ],
            "lots": [
                {
                    "tied": [labels.get(k, k) for k in lot["tied"]],
                    "drawn": [labels.get(k, k) for k in lot["drawn"]],
                }
                for lot in data.get("lots", [])
            ],
        }
    return context


def rules_in_words(decision: Decision) -> list[str]:
    """The frozen rules as sentences (before announcement: the rules it will be announced
    with)."""
    rules = decision.rules or {}
    settings = rules or _draft_rules(decision)
    lines = []
    if decision.is_owners_vote:
        lines.append(
            _(
                "It needs owners holding at least two thirds of the exclusive area, and at least "
                "two thirds of all owners, to take part."
            )
        )
        special = decision.matter in (6, 7, 8)
        if decision.kind == Decision.Kind.ELECTION:
            lines.append(
                _(
                    "A candidate is elected with more than half of the participating area and "
                    "more than half of the participating owners."
                )
            )
        elif special:
            lines.append(
                _(
                    "It passes if owners holding at least three quarters of the participating "
                    "area, and at least three quarters of the participating owners, agree."
                )
            )
        else:
            lines.append(
                _(
                    "It passes if owners holding more than half of the participating area, and "
                    "more than half of the participating owners, agree."
                )
            )
        lines.append(
            _(
                "One owner is one vote however many flats they own; the developer's unsold "
                "flats are one vote together."
            )
        )
    else:
        lines.append(
            _("More than %(percent)s%% of those entitled must take part.")
            % {"percent": decision.quorum_percent}
        )
        lines.append(str(Decision.Unit(decision.unit).label))
    if decision.kind == Decision.Kind.OWNERS:
        if settings.get("deemed_consent"):
            lines.append(
                _(
                    "Deemed consent applies (the estate's management statute): owners who were "
                    "served the notice and do not vote are counted with the majority. The "
                    "strict count is shown beside it."
                )
            )
        else:
            lines.append(_("Owners who do not vote are not counted either way."))
    if decision.is_owners_vote:
        if settings.get("publish_voter_flats"):
            lines.append(
                _(
                    "After the count, the flats that voted are published with their areas "
                    "(no names)."
                )
            )
        else:
            lines.append(_("Which flats voted is not published."))
        if settings.get("online_over_paper", True):
            lines.append(
                _("You may vote online or on paper; if you do both, the online vote counts.")
            )
        else:
            lines.append(
                _("You may vote online or on paper; if you do both, the paper ballot counts.")
            )
    lines.append(str(Decision.Revote(decision.revote).label))
    return lines


def _draft_rules(decision: Decision) -> dict[str, Any]:
    settings = selectors.decision_settings_get(estate=decision.estate)
    return {
        "deemed_consent": settings.deemed_consent,
        "publish_voter_flats": settings.publish_voter_flats,
        "online_over_paper": settings.online_over_paper,
    }


def timeline(decision: Decision) -> list[dict[str, Any]]:
    reached = STATUS_ORDER.index(decision.status) if decision.status in STATUS_ORDER else -1
    when = {
        Decision.Status.ANNOUNCED: decision.announced_at,
        Decision.Status.OPEN: decision.opened_at,
        Decision.Status.CLOSED: decision.closed_at,
        Decision.Status.TALLIED: decision.tallied_at,
        Decision.Status.PUBLISHED: decision.published_at,
    }
    return [
        {
            "label": label,
            "at": when[status],
            "done": STATUS_ORDER.index(status) <= reached,
            "current": status == decision.status,
        }
        for status, label in TIMELINE
    ]


def scope_text(buildings: list[Any]) -> str:
    if not buildings:
        return _("the whole estate")
    return "、".join(_("Building %(number)s") % {"number": b.number} for b in buildings)


def participation_shown(decision: Decision) -> dict[str, Any] | None:
    if decision.status not in (Decision.Status.OPEN, Decision.Status.CLOSED):
        return None
    p = selectors.participation(decision=decision)
    return {
        **p,
        "area": _share(f"{p['voted_area']}/{p['total_area']}"),
        "heads": _share(f"{p['voted_heads']}/{p['total_heads']}"),
        "owners": decision.is_owners_vote,
        "mark": _threshold_percent("2/3") if decision.is_owners_vote else "",
    }


def decision_for_page(request: HttpRequest, slug: str, decision_id: int) -> Decision:
    estate = community_selectors.estate_get(slug=slug)
    return selectors.decision_get(actor=request.user, estate=estate, decision_id=decision_id)


def decision_managed(request: HttpRequest, slug: str, decision_id: int) -> Decision:
    """A decision of the estate the actor organises; to anyone else the same 404 as a missing
    one."""
    decision = decision_for_page(request, slug, decision_id)
    if not permissions.can(request.user, "manage", decision):
        raise Http404
    return decision


def organiser_estate(
    request: HttpRequest, slug: str, action: str = "manage", model: str = "decision"
) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, action, estate, model=model):
        raise Http404
    return estate
