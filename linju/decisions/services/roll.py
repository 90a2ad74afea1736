"""The roll: built from the directory at the announcement, re-synced and frozen at the
opening, afterwards changed only by public amendments; and proof that the notice was served."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community.models import Flat, Occupancy, Owner
from linju.core import audit, permissions
from linju.decisions import rules, selectors
from linju.decisions.models import (
    Ballot,
    Decision,
    DecisionBuilding,
    NoticeDelivery,
    RollAmendment,
    RollEntry,
    RollFlat,
)
from linju.decisions.services.common import (
    Reason,
    _locked,
    _refuse,
)

# --- The roll --------------------------------------------------------------------------------


def _flats_in_scope(decision: Decision):
    flats = Flat.objects.filter(estate_id=decision.estate_id)
    building_ids = list(
        DecisionBuilding.objects.filter(decision=decision).values_list("building_id", flat=True)
    )
    if building_ids:
        flats = flats.filter(building_id__in=building_ids)
    return flats.select_related("building", "entrance")


def _owner_voter(owner: Owner, members: dict[int, list[int]]) -> int | None:
    """The person who casts an owner entity's vote: the named voter (co-owners, the
    developer's representative), else the owner's only member."""
    if owner.voter_id:
        return owner.voter_id
    people = members.get(owner.pk, [])
    return people[0] if len(people) == 1 else None


def _desired_roll(decision: Decision) -> dict[str, dict[str, Any]]:
    """The roll as the directory says today: {ref: {kind, owner, flat, person, voter, area,
    flats: [(flat, label, area)]}}."""
    roll: dict[str, dict[str, Any]] = {}
    flats = list(_flats_in_scope(decision).select_related("owner"))
    if decision.is_owners_vote:
        from linju.community.models import OwnerMember

        owner_ids = {f.owner_id for f in flats if f.owner_id}
        members: dict[int, list[int]] = {}
        for owner_id, person_id in OwnerMember.objects.filter(owner_id__in=owner_ids).values_list(
            "owner_id", "person_id"
        ):
            members.setdefault(owner_id, []).append(person_id)
        for flat in flats:
            owner = flat.owner
            if owner is None:
                ref = f"F-{flat.pk:05d}"
                line = roll.setdefault(
                    ref,
                    {
                        "kind": RollEntry.Kind.UNRECORDED,
                        "owner": None,
                        "flat": flat,
                        "person": None,
                        "voter": None,
                        "flats": [],
                    },
                )
            else:
                ref = f"O-{owner.pk:05d}"
                kind = (
                    RollEntry.Kind.DEVELOPER
                    if owner.kind == Owner.Kind.DEVELOPER
                    else RollEntry.Kind.OWNER
                )
                line = roll.setdefault(
                    ref,
                    {
                        "kind": kind,
                        "owner": owner,
                        "flat": None,
                        "person": None,
                        "voter": _owner_voter(owner, members),
                        "flats": [],
                    },
                )
            line["flats"].append((flat, flat.label, flat.area))
    elif decision.unit == Decision.Unit.HOUSEHOLD:
        lived_in = set(
            Occupancy.objects.current()
            .filter(flat__in=[f.pk for f in flats])
            .values_list("flat_id", flat=True)
        )
        for flat in flats:
            if flat.pk in lived_in:
                roll[f"H-{flat.pk:05d}"] = {
                    "kind": RollEntry.Kind.HOUSEHOLD,
                    "owner": None,
                    "flat": flat,
                    "person": None,
                    "voter": None,
                    "flats": [(flat, flat.label, flat.area)],
                }
    else:
        adults = (
            Occupancy.objects.current()
            .filter(flat__in=[f.pk for f in flats], person__is_minor=False)
            .select_related("flat")
            .order_by("person_id", "flat_id")
        )
        for occupancy in adults:
            roll.setdefault(
                f"P-{occupancy.person_id:05d}",
                {
                    "kind": RollEntry.Kind.ADULT,
                    "owner": None,
                    "flat": occupancy.flat,
                    "person": occupancy.person_id,
                    "voter": occupancy.person_id,
                    "flats": [],
                },
            )
    for line in roll.values():
        line["area"] = sum((area for _, _, area in line["flats"]), Decimal("0.00"))
    return roll


def _sync_roll(decision: Decision) -> None:
    """Make the roll match the directory: new entries added, changed ones updated, entries no
    longer in scope taken off (kept, inactive). Used at announcement and at opening; after
    that, only amendments change it."""
    desired = _desired_roll(decision)
    existing = {e.ref: e for e in RollEntry.objects.filter(decision=decision)}
    for ref, entry in existing.items():
        if ref not in desired and entry.active:
            entry.active = False
            entry.save(update_fields=["active"])
    RollFlat.objects.filter(decision=decision).delete()
    flats = []
    for ref, line in desired.items():
        values = {
            "kind": line["kind"],
            "owner": line["owner"],
            "flat": line["flat"],
            "person_id": line["person"],
            "voter_id": line["voter"],
            "area": line["area"],
            "active": True,
        }
        found = existing.get(ref)
        if found is None:
            entry = RollEntry.objects.create(
                estate_id=decision.estate_id, decision=decision, ref=ref, **values
            )
        else:
            entry = found
            for name, value in values.items():
                setattr(entry, name, value)
            entry.save()
        for flat, label, area in line["flats"]:
            flats.append(
                RollFlat(
                    estate_id=decision.estate_id,
                    decision=decision,
                    entry=entry,
                    flat=flat,
                    building_id=flat.building_id,
                    label=label,
                    area=area,
                )
            )
    RollFlat.objects.bulk_create(flats, batch_size=1000)


def _frozen_rules(decision: Decision) -> dict[str, Any]:
    """Every rule that decides the result, as the notice states it."""
    standing = selectors.decision_settings_get(estate=decision.estate)
    frozen: dict[str, Any] = {
        "notice_days": decision.notice_days,
        "revote": decision.revote,
        "online_over_paper": standing.online_over_paper,
        "show_totals_while_open": decision.show_totals_while_open,
    }
    if decision.is_owners_vote:
        approval = (
            rules.ORDINARY
            if decision.kind == Decision.Kind.ELECTION
            else rules.approval_threshold(int(decision.matter or 9))
        )
        frozen.update(
            {
                "quorum": rules.QUORUM.as_dict(),
                "approval": approval.as_dict(),
                "counting": "owner_entity",  # one head per owner entity, areas summed
                "deemed_consent": (
                    standing.deemed_consent and decision.kind == Decision.Kind.OWNERS
                ),
                "publish_voter_flats": standing.publish_voter_flats,
            }
        )
        if decision.kind == Decision.Kind.ELECTION:
            frozen["seats"] = decision.seats
    else:
        frozen.update(
            {
                "quorum": rules.Threshold(
                    Fraction(decision.quorum_percent, 100), inclusive=False
                ).as_dict(),
                "unit": decision.unit,
                "method": decision.method,
                "min_choices": decision.min_choices,
                "max_choices": decision.max_choices,
                "binding": decision.binding,
                "deemed_consent": False,
                "publish_voter_flats": False,
            }
        )
    return frozen


def _fingerprint_now(decision: Decision) -> str:
    return selectors.roll_fingerprint(decision=decision)


# --- Amendments and service of notice --------------------------------------------------------


@transaction.atomic
def roll_amend(
    *,
    actor: Any,
    decision: Decision,
    flat_label: str,
    reason: str,
    area: Decimal | str | None = None,
    owner: Owner | None = None,
) -> RollAmendment:
    """Correct the frozen roll: a flat's area, or the owner entity it belongs to. Logged with
    its reason and the fingerprints before and after; shown to everyone."""
    permissions.require(actor, "manage", decision)
    decision = _locked(decision)
    if decision.status not in (Decision.Status.OPEN, Decision.Status.CLOSED):
        raise _refuse(_("The roll can be amended while voting is open or before the count."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise _refuse(_("Say why the roll is corrected."), field="reason")
    if len(reason) > 300:
        raise _refuse(_("At most 300 characters."), field="reason")
    if not decision.is_owners_vote:
        raise _refuse(_("Only owners' rolls carry areas and owners to correct."))
    roll_flat = (
        RollFlat.objects.select_related("entry")
        .filter(decision=decision, label=(flat_label or "").strip())
        .first()
    )
    if roll_flat is None:
        raise _refuse(_("That flat is not on this roll."), field="flat_label")
    if area in (None, "") and owner is None:
        raise _refuse(_("Give the corrected area or the new owner."))
    change: dict[str, Any] = {}
    before = _fingerprint_now(decision)
    old_entry = roll_flat.entry
    if area not in (None, ""):
        try:
            new_area = Decimal(str(area)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise _refuse(_("Enter the area in m², e.g. 89.50."), field="area") from None
        if not new_area.is_finite() or new_area <= 0 or new_area >= Decimal("10000000"):
            raise _refuse(_("Enter the area in m², e.g. 89.50."), field="area")
        if new_area != roll_flat.area:
            change["area"] = [str(roll_flat.area), str(new_area)]
            roll_flat.area = new_area
    if owner is not None:
        if owner.estate_id != decision.estate_id:
            raise _refuse(_("Choose an owner of this estate."), field="owner")
        ref = f"O-{owner.pk:05d}"
        if ref != old_entry.ref:
            new_entry, _created = RollEntry.objects.get_or_create(
                decision=decision,
                ref=ref,
                defaults={
                    "estate_id": decision.estate_id,
                    "kind": (
                        RollEntry.Kind.DEVELOPER
                        if owner.kind == Owner.Kind.DEVELOPER
                        else RollEntry.Kind.OWNER
                    ),
                    "owner": owner,
                    "voter_id": owner.voter_id
                    or (
                        owner.members.values_list("pk", flat=True).first()
                        if owner.members.count() == 1
                        else None
                    ),
                },
            )
            new_entry.active = True
            new_entry.save(update_fields=["active"])
            change["owner"] = [old_entry.ref, ref]
            roll_flat.entry = new_entry
    if not change:
        raise _refuse(_("That is what the roll already says."))
    roll_flat.save()
    for entry in {old_entry.pk: old_entry, roll_flat.entry_id: roll_flat.entry}.values():
        flats = RollFlat.objects.filter(entry=entry)
        entry.area = sum(flats.values_list("area", flat=True), Decimal("0.00"))
        if not flats.exists() and entry.active:
            entry.active = False
            Ballot.objects.filter(entry=entry, counted=True).update(
                counted=False, superseded_at=timezone.now(), superseded_reason=Reason.AMENDED
            )
        entry.save(update_fields=["area", "active"])
    after = _fingerprint_now(decision)
    decision.roll_fingerprint = after
    decision.save(update_fields=["roll_fingerprint"])
    amendment = RollAmendment.objects.create(
        estate_id=decision.estate_id,
        decision=decision,
        flat_label=roll_flat.label,
        change=change,
        reason=reason,
        fingerprint_before=before,
        fingerprint_after=after,
        made_by=actor,
    )
    audit.record(
        actor=actor,
        action="decision.roll_amend",
        target=decision,
        changes={"flat": [None, roll_flat.label], **change, "reason": [None, reason]},
    )
    return amendment


@transaction.atomic
def notice_served_on_paper(
    *, actor: Any, decision: Decision, entries: Iterable[RollEntry], note: str
) -> int:
    """Record that the printed notice was delivered to these voters (slipped under the door,
    handed over): proof of service for deemed consent."""
    permissions.require(actor, "manage", decision)
    decision = _locked(decision)
    if decision.status not in (Decision.Status.ANNOUNCED, Decision.Status.OPEN):
        raise _refuse(_("Notices are served between the announcement and the close."))
    note = " ".join((note or "").split())
    if not note:
        raise _refuse(
            _("Say how the notice was delivered (e.g. by hand, by the door)."), field="note"
        )
    if len(note) > 120:
        raise _refuse(_("At most 120 characters."), field="note")
    entry_ids = {e.pk for e in entries}
    valid = list(
        RollEntry.objects.filter(decision=decision, pk__in=entry_ids, active=True).order_by("ref")
    )
    if not valid or len(valid) != len(entry_ids):
        raise _refuse(_("Choose voters on this roll."), field="entries")
    now = timezone.now()
    NoticeDelivery.objects.bulk_create(
        NoticeDelivery(
            estate_id=decision.estate_id,
            decision=decision,
            entry=entry,
            channel=NoticeDelivery.Channel.PAPER,
            delivered_at=now,
            reference=note,
            recorded_by=actor,
        )
        for entry in valid
    )
    audit.record(
        actor=actor,
        action="decision.notice_served",
        target=decision,
        changes={"entries": [None, [e.ref for e in valid]], "note": [None, note]},
    )
    return len(valid)
