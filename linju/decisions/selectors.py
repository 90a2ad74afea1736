"""Reads for decisions: lists, the voter's entries, participation, the tally queries, the
public bulletin board and the documented decision record.

The owners' tally is counted in the database: one aggregate over the roll and one over the
counted ballots, whatever the size of the estate (``owners_count``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast, Round
from django.utils import timezone

from linju.community.models import Estate, Occupancy
from linju.core import permissions
from linju.decisions import record as record_format
from linju.decisions import rules
from linju.decisions.models import (
    Ballot,
    Decision,
    DecisionSettings,
    NoticeDelivery,
    Option,
    PaperEntry,
    RollAmendment,
    RollEntry,
    RollFlat,
)
from linju.membership.models import Delegation

ZERO = Decimal("0.00")
RECORD_FORMAT = "linju.decision-record/1"


def decision_list(*, actor: Any, estate: Estate) -> QuerySet[Decision]:
    """The estate's decisions the actor may see (drafts only for organisers), newest first."""
    return permissions.visible(actor, Decision.objects.filter(estate=estate)).prefetch_related(
        "buildings"
    )


def decision_get(*, actor: Any, estate: Estate, decision_id: int) -> Decision:
    """One decision of the estate; missing, foreign and hidden ones give the same 404."""
    return permissions.get_visible_or_404(  # type: ignore[return-value]
        actor,
        Decision.objects.filter(estate=estate).select_related("estate"),
        pk=decision_id,
    )


def decision_settings_get(*, estate: Estate) -> DecisionSettings:
    """The estate's standing rules, created with the defaults the first time they are asked."""
    settings, _ = DecisionSettings.objects.get_or_create(estate=estate)
    return settings


def scope_buildings(*, decision: Decision) -> list[Any]:
    return list(decision.buildings.order_by("sort_key", "number"))


# --- The voter's side ------------------------------------------------------------------------


@dataclass
class VoterEntry:
    """A roll entry the actor may vote for, and how."""

    entry: RollEntry
    delegation: Delegation | None
    ballot: Ballot | None
    label: str


def _entry_label(entry: RollEntry, flats: list[str]) -> str:
    if not flats:
        return entry.ref
    if len(flats) == 1:
        return flats[0]
    return f"{flats[0]} +{len(flats) - 1}"


def _entries_for_people(decision: Decision, person_ids: set[int]) -> QuerySet[RollEntry]:
    """Roll entries that the people ``person_ids`` vote for in person."""
    if not person_ids:
        return RollEntry.objects.none()
    q = Q(voter_id__in=person_ids) | Q(person_id__in=person_ids)
    if decision.kind == Decision.Kind.RESIDENTS and decision.unit == Decision.Unit.HOUSEHOLD:
        flats = (
            Occupancy.objects.current()
            .filter(person_id__in=person_ids, person__is_minor=False)
            .values("flat_id")
        )
        q |= Q(flat_id__in=flats)
    return RollEntry.objects.filter(q, decision=decision, active=True)


def voter_entries(*, actor: Any, decision: Decision) -> list[VoterEntry]:
    """The roll entries ``actor`` may vote for: their own, and those of owners who authorised
    them to vote (membership delegations naming "vote" or "all")."""
    if actor is None or not actor.is_authenticated:
        return []
    me = permissions.actor_for(actor)
    found: dict[int, tuple[RollEntry, Delegation | None]] = {}
    for entry in _entries_for_people(decision, me.person_ids):
        found[entry.pk] = (entry, None)
    delegations = [
        d
        for d in Delegation.objects.active()
        .filter(agent=actor, estate=decision.estate_id)
        .select_related("principal")
        if d.allows("vote")
    ]
    by_principal = {d.principal_id: d for d in delegations}
    for entry in _entries_for_people(decision, set(by_principal)):
        if entry.pk in found:
            continue
        principal = entry.voter_id or entry.person_id
        delegation = by_principal.get(principal) if principal else None
        if delegation is None:  # a household entry: any authorising member of the flat
            members = set(
                Occupancy.objects.current()
                .filter(flat_id=entry.flat_id, person_id__in=by_principal)
                .values_list("person_id", flat=True)
            )
            delegation = next((by_principal[p] for p in sorted(members)), None)
        if delegation is not None:
            found[entry.pk] = (entry, delegation)
    if not found:
        return []
    flats: dict[int, list[str]] = defaultdict(list)
    for entry_id, label in RollFlat.objects.filter(entry_id__in=found).values_list(
        "entry_id", "label"
    ):
        flats[entry_id].append(label)
    ballots = {b.entry_id: b for b in Ballot.objects.filter(entry_id__in=found, counted=True)}
    return [
        VoterEntry(
            entry=entry,
            delegation=delegation,
            ballot=ballots.get(entry.pk),
            label=_entry_label(entry, sorted(flats[entry.pk])),
        )
        for entry, delegation in sorted(found.values(), key=lambda pair: pair[0].ref)
    ]


def ballot_get_by_receipt(*, decision: Decision, receipt: str) -> Ballot | None:
    code = normalise_receipt(receipt)
    if not code:
        return None
    return Ballot.objects.filter(decision=decision, receipt=code).first()


def normalise_receipt(raw: str) -> str:
    """Receipts are typed back from paper or a screenshot: spaces, dashes and case don't
    matter, and the letters O and I read as the digits 0 and 1 are never used."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:12]


# --- Counting --------------------------------------------------------------------------------


def _area_sum(field: str) -> Sum:
    """The exact sum of an area column, in hundredths of m². SQLite keeps decimals as floating
    point, and a floating-point sum can miss a boundary by a hair (8594.39999999999), so each
    area is made a whole number of hundredths first and integers are added."""
    return Sum(Cast(Round(F(field) * 100), BigIntegerField()))


def _area(hundredths: int | None) -> Decimal:
    return (Decimal(int(hundredths or 0)) / 100).quantize(Decimal("0.01"))


def participation(*, decision: Decision) -> dict[str, Any]:
    """Voted and entitled area and heads (one aggregate each): what the page shows while
    voting is open, before any choice is revealed."""
    totals = RollEntry.objects.filter(decision=decision, active=True).aggregate(
        area=_area_sum("area"), heads=Count("id")
    )
    voted = Ballot.objects.filter(decision=decision, counted=True, entry__active=True).aggregate(
        area=_area_sum("entry__area"), heads=Count("id")
    )
    return {
        "total_area": _area(totals["area"]),
        "total_heads": totals["heads"],
        "voted_area": _area(voted["area"]),
        "voted_heads": voted["heads"],
    }


def owners_count(*, decision: Decision) -> rules.OwnersCount:
    """The owners' tally in two aggregate queries: the roll's totals, and the counted ballots'
    area and heads by choice. One owner entity is one roll entry, so one head."""
    totals = RollEntry.objects.filter(decision=decision, active=True).aggregate(
        area=_area_sum("area"), heads=Count("id")
    )
    by_choice = {
        row["choice"]: row
        for row in Ballot.objects.filter(decision=decision, counted=True, entry__active=True)
        .values("choice")
        .annotate(area=_area_sum("entry__area"), heads=Count("id"))
        .order_by()
    }

    def part(choice: str) -> tuple[Decimal, int]:
        row = by_choice.get(choice)
        return (_area(row["area"]), row["heads"]) if row else (ZERO, 0)

    agree, disagree, abstain = (part(c) for c in ("agree", "disagree", "abstain"))
    return rules.OwnersCount(
        total_area=_area(totals["area"]),
        total_heads=totals["heads"],
        agree_area=agree[0],
        agree_heads=agree[1],
        disagree_area=disagree[0],
        disagree_heads=disagree[1],
        abstain_area=abstain[0],
        abstain_heads=abstain[1],
    )


def running_totals(*, decision: Decision) -> dict[str, Any] | None:
    """Choice totals while voting is open, only where the organiser opted in."""
    if not decision.show_totals_while_open or decision.status != Decision.Status.OPEN:
        return None
    if decision.kind == Decision.Kind.OWNERS:
        count = owners_count(decision=decision)
        return {
            "agree": {"area": count.agree_area, "heads": count.agree_heads},
            "disagree": {"area": count.disagree_area, "heads": count.disagree_heads},
            "abstain": {"area": count.abstain_area, "heads": count.abstain_heads},
        }
    counts: dict[str, int] = defaultdict(int)
    for selections in Ballot.objects.filter(decision=decision, counted=True).values_list(
        "selections", flat=True
    ):
        for key in selections:
            counts[str(key)] += 1
    return {"options": {o.label: counts[o.key] for o in decision.options.all()}}


def nonvoters_served(*, decision: Decision) -> list[dict[str, Any]]:
    """Active roll entries without a counted ballot that have at least one delivery record of
    the notice, each with its records (deemed consent counts only these)."""
    voted = Ballot.objects.filter(entry=OuterRef("pk"), counted=True)
    entries = (
        RollEntry.objects.filter(decision=decision, active=True)
        .annotate(voted=Exists(voted))
        .filter(voted=False, deliveries__isnull=False)
        .distinct()
        .order_by("ref")
    )
    deliveries: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for delivery in NoticeDelivery.objects.filter(decision=decision, entry__in=entries).order_by(
        "delivered_at", "pk"
    ):
        deliveries[delivery.entry_id].append(
            {
                "channel": delivery.channel,
                "at": delivery.delivered_at.isoformat(),
                "id": delivery.pk,
            }
        )
    return [{"owner": e.ref, "area": str(e.area), "deliveries": deliveries[e.pk]} for e in entries]


def building_breakdown(*, decision: Decision) -> list[dict[str, Any]]:
    """Per building: its flats' area and the owners with flats in it, entitled, voted and
    agreeing. An owner with flats in two buildings is a head in each building's line."""
    counted = Ballot.objects.filter(entry=OuterRef("entry"), counted=True)
    agreed = counted.filter(choice=Ballot.Choice.AGREE)
    rows = (
        RollFlat.objects.filter(decision=decision, entry__active=True)
        .annotate(voted=Exists(counted), agreed=Exists(agreed))
        .values("building__number", "building__sort_key", "entry_id", "area", "voted", "agreed")
    )
    lines: dict[tuple[int, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["building__sort_key"] or 0, row["building__number"] or "")
        line = lines.setdefault(
            key,
            {
                "building": key[1],
                "total_area": ZERO,
                "heads": set(),
                "voted_area": ZERO,
                "voted": set(),
                "agree_area": ZERO,
                "agreed": set(),
            },
        )
        line["total_area"] += row["area"]
        line["heads"].add(row["entry_id"])
        if row["voted"]:
            line["voted_area"] += row["area"]
            line["voted"].add(row["entry_id"])
        if row["agreed"]:
            line["agree_area"] += row["area"]
            line["agreed"].add(row["entry_id"])
    return [
        {
            "building": line["building"],
            "total_area": str(line["total_area"]),
            "total_heads": len(line["heads"]),
            "voted_area": str(line["voted_area"]),
            "voted_heads": len(line["voted"]),
            "agree_area": str(line["agree_area"]),
            "agree_heads": len(line["agreed"]),
        }
        for _, line in sorted(lines.items())
    ]


def _option_ballots(decision: Decision) -> list[tuple[RollEntry, list[str]]]:
    return [
        (b.entry, [str(k) for k in b.selections])
        for b in Ballot.objects.filter(decision=decision, counted=True, entry__active=True)
        .select_related("entry")
        .order_by("pk")
    ]


def residents_tally(*, decision: Decision) -> rules.ResidentsResult:
    options = [o.key for o in decision.options.all()]
    entitled = RollEntry.objects.filter(decision=decision, active=True).count()
    quorum = rules.Threshold.from_dict(decision.rules["quorum"])
    return rules.residents_result(
        entitled=entitled,
        options=options,
        ballots=[selections for _, selections in _option_ballots(decision)],
        method=decision.rules.get("method", decision.method),
        quorum=quorum,
    )


def election_tally(*, decision: Decision, draw: Any) -> rules.ElectionResult:
    part = participation(decision=decision)
    approvals: dict[str, list[Any]] = {o.key: [ZERO, 0] for o in decision.options.all()}
    for entry, selections in _option_ballots(decision):
        for key in selections:
            approvals[key][0] += entry.area
            approvals[key][1] += 1
    return rules.election_result(
        total_area=part["total_area"],
        total_heads=part["total_heads"],
        voted_area=part["voted_area"],
        voted_heads=part["voted_heads"],
        approvals={k: (v[0], v[1]) for k, v in approvals.items()},
        seats=int(decision.rules.get("seats") or decision.seats or 1),
        draw=draw,
    )


def tally(*, decision: Decision, draw: Any = None) -> dict[str, Any]:
    """The result of a closed decision as stored on it (see the decisions contract): strict
    and, where the frozen rules allow it, deemed-consent tallies, per-building lines."""
    now = timezone.now().isoformat()
    options = {o.key: o.label for o in decision.options.all()}
    if decision.kind == Decision.Kind.RESIDENTS:
        return {
            "kind": "residents",
            "residents": residents_tally(decision=decision).as_dict(),
            "options": options,
            "counted_at": now,
        }
    if decision.kind == Decision.Kind.ELECTION:
        return {
            "kind": "election",
            "election": election_tally(decision=decision, draw=draw).as_dict(),
            "options": options,
            "counted_at": now,
        }
    quorum = rules.Threshold.from_dict(decision.rules["quorum"])
    approval = rules.Threshold.from_dict(decision.rules["approval"])
    count = owners_count(decision=decision)
    strict = rules.owners_result(count, quorum=quorum, approval=approval)
    deemed: dict[str, Any] | None = None
    if decision.rules.get("deemed_consent"):
        served = nonvoters_served(decision=decision)
        result, majority = rules.owners_result_deemed(
            count,
            served_area=sum((Decimal(s["area"]) for s in served), ZERO),
            served_heads=len(served),
            quorum=quorum,
            approval=approval,
        )
        deemed = {
            **result.as_dict(),
            "majority": majority,
            "counted_nonvoters": len(served) if majority != "no_majority" else 0,
            "nonvoters": served,
        }
    return {
        "kind": "owners",
        "strict": strict.as_dict(),
        "deemed": deemed,
        "buildings": building_breakdown(decision=decision),
        "counted_at": now,
    }


# --- Public pages ----------------------------------------------------------------------------


def bulletin(*, decision: Decision, receipt: str = "") -> QuerySet[Ballot]:
    """The public bulletin board: every ballot by its receipt, counted or superseded. Choices
    are shown by the page only once results are published."""
    ballots = Ballot.objects.filter(decision=decision).order_by("receipt")
    if receipt:
        ballots = ballots.filter(receipt__startswith=normalise_receipt(receipt))
    return ballots.only(
        "receipt",
        "channel",
        "cast_at",
        "counted",
        "superseded_at",
        "superseded_reason",
        "choice",
        "selections",
        "decision_id",
    )


def voter_flats(*, decision: Decision) -> list[dict[str, str]]:
    """Flats whose owner voted, with their areas: never names, never phones; only where the
    estate chose to publish them before voting opened, and once results are public."""
    if not decision.rules.get("publish_voter_flats") or not decision.results_public:
        return []
    counted = Ballot.objects.filter(entry=OuterRef("entry"), counted=True)
    return [
        {"flat": label, "area": str(area)}
        for label, area in RollFlat.objects.filter(decision=decision, entry__active=True)
        .filter(Exists(counted))
        .order_by("label")
        .values_list("label", "area")
    ]


def roll_entries(*, decision: Decision) -> QuerySet[RollEntry]:
    return (
        RollEntry.objects.filter(decision=decision)
        .select_related("owner", "voter", "person", "flat")
        .prefetch_related("flats")
        .order_by("ref")
    )


def roll_flats(*, decision: Decision) -> QuerySet[RollFlat]:
    return RollFlat.objects.filter(decision=decision).select_related("entry").order_by("label")


def amendments(*, decision: Decision) -> QuerySet[RollAmendment]:
    return RollAmendment.objects.filter(decision=decision).order_by("made_at", "pk")


def paper_entries(*, decision: Decision, status: str | None = None) -> QuerySet[PaperEntry]:
    entries = PaperEntry.objects.filter(decision=decision).select_related("entry", "entered_by")
    if status:
        entries = entries.filter(status=status)
    return entries.order_by("entry__ref", "entered_at", "pk")


def roll_lines(*, decision: Decision) -> list[dict[str, str]]:
    """The roll as the record and its fingerprint list it: one line per flat (owners' votes)
    or per voter (residents' votes by adult)."""
    lines = [
        {"flat": label, "area": str(area), "owner": ref}
        for label, area, ref in RollFlat.objects.filter(
            decision=decision, entry__active=True
        ).values_list("label", "area", "entry__ref")
    ]
    if decision.kind == Decision.Kind.RESIDENTS and decision.unit == Decision.Unit.ADULT:
        # Adults have no flat of their own on the roll: the line is the voter number.
        lines = [
            {"flat": ref, "area": "0.00", "owner": ref}
            for ref in RollEntry.objects.filter(decision=decision, active=True).values_list(
                "ref", flat=True
            )
        ]
    return sorted(lines, key=lambda line: (line["flat"], line["owner"]))


def roll_fingerprint(*, decision: Decision) -> str:
    return record_format.roll_fingerprint(
        (line["flat"], line["owner"], Decimal(line["area"]))
        for line in roll_lines(decision=decision)
    )


def decision_record(*, decision: Decision) -> dict[str, Any]:
    """The documented record of a decision (docs/decision-record.md): the frozen roll, the
    counted ballots, what was superseded, the roll amendments, the notices served and the
    stored result. ``linju recount`` reads it with no database."""
    counted = Ballot.objects.filter(decision=decision, counted=True, entry__active=True)
    options = {o.key: o.label for o in Option.objects.filter(decision=decision)}
    record: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "estate": decision.estate.name,
        "decision": decision.pk,
        "title": decision.title,
        "kind": decision.kind,
        "matter": decision.matter,
        "scope": [b.number for b in scope_buildings(decision=decision)] or "estate",
        "rules": decision.rules,
        "opened_at": decision.opened_at.isoformat() if decision.opened_at else None,
        "closed_at": decision.closed_at.isoformat() if decision.closed_at else None,
        "fingerprint": decision.roll_fingerprint,
        "roll": roll_lines(decision=decision),
        "ballots": [
            {
                "owner": ref,
                **({"choice": choice} if decision.kind == Decision.Kind.OWNERS else {}),
                **({"selections": selections} if decision.has_options else {}),
                "channel": channel,
                "receipt": receipt,
                "cast_at": cast_at.isoformat(),
            }
            for ref, choice, selections, channel, receipt, cast_at in counted.order_by(
                "entry__ref"
            ).values_list("entry__ref", "choice", "selections", "channel", "receipt", "cast_at")
        ],
        "superseded": [
            {
                "owner": ref,
                "channel": channel,
                "receipt": receipt,
                "cast_at": cast_at.isoformat(),
                "superseded_at": superseded_at.isoformat() if superseded_at else None,
                "reason": reason,
            }
            for ref, channel, receipt, cast_at, superseded_at, reason in Ballot.objects.filter(
                decision=decision, counted=False
            )
            .order_by("entry__ref", "cast_at")
            .values_list(
                "entry__ref", "channel", "receipt", "cast_at", "superseded_at", "superseded_reason"
            )
        ],
        "amendments": [
            {
                "flat": a.flat_label,
                "change": a.change,
                "reason": a.reason,
                "made_at": a.made_at.isoformat(),
                "fingerprint_before": a.fingerprint_before,
                "fingerprint_after": a.fingerprint_after,
            }
            for a in amendments(decision=decision)
        ],
        "result": decision.result,
    }
    if options:
        record["options"] = options
    if decision.kind == Decision.Kind.OWNERS and decision.rules.get("deemed_consent"):
        served = nonvoters_served(decision=decision)
        record["deemed_consent"] = {
            "served": [s["owner"] for s in served],
            "deliveries": {s["owner"]: s["deliveries"] for s in served},
        }
    return record
