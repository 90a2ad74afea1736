"""The estate's standing rules for decisions, and drafting a decision."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linju.community.models import Building, Estate
from linju.core import audit, permissions
from linju.decisions import selectors
from linju.decisions.models import (
    Decision,
    DecisionBuilding,
    DecisionSettings,
    Option,
)
from linju.decisions.services.common import (
    MAX_OPTIONS,
    _locked,
    _refuse,
)

# --- Settings --------------------------------------------------------------------------------


@transaction.atomic
def decision_settings_update(
    *,
    actor: Any,
    estate: Estate,
    deemed_consent: bool,
    publish_voter_flats: bool,
    online_over_paper: bool,
    notice_days: int,
) -> DecisionSettings:
    """Change the estate's standing rules. Decisions already announced keep the rules they
    were announced with."""
    current = selectors.decision_settings_get(estate=estate)
    permissions.require(actor, "change", current)
    current = DecisionSettings.objects.select_for_update().get(pk=current.pk)
    values = {
        "deemed_consent": bool(deemed_consent),
        "publish_voter_flats": bool(publish_voter_flats),
        "online_over_paper": bool(online_over_paper),
        "notice_days": notice_days,
    }
    diff = audit.changes(current, values)
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    if diff:
        audit.record(actor=actor, action="decision_settings.update", target=estate, changes=diff)
    return current


# --- Drafting --------------------------------------------------------------------------------

DRAFT_FIELDS = (
    "kind",
    "title",
    "body",
    "matter",
    "notice_days",
    "opens_at",
    "closes_at",
    "revote",
    "show_totals_while_open",
    "unit",
    "method",
    "min_choices",
    "max_choices",
    "binding",
    "quorum_percent",
    "seats",
)


def _clean_options(labels: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in labels:
        label = " ".join(str(raw).split())
        if not label:
            continue
        if len(label) > 120:
            raise _refuse(_("An option may be at most 120 characters."), field="options")
        if label in cleaned:
            raise _refuse(
                _("The option “%(label)s” is listed twice.") % {"label": label}, field="options"
            )
        cleaned.append(label)
    if len(cleaned) > MAX_OPTIONS:
        raise _refuse(
            _("At most %(n)s options.") % {"n": MAX_OPTIONS}, code="too_many", field="options"
        )
    return cleaned


def _clean_draft(decision: Decision, options: list[str], buildings: list[Building]) -> None:
    """Check a draft as a whole; the messages name the field to correct."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for building in buildings:
        if building.estate_id != decision.estate_id:
            add("buildings", _("Choose buildings of this estate."))
            break
    if decision.kind == Decision.Kind.OWNERS:
        if decision.matter is None:
            add("matter", _("Choose which matter of Civil Code Art. 278 this is."))
        if options:
            add("options", _("An owners' decision is voted agree, disagree or abstain."))
    elif decision.kind == Decision.Kind.ELECTION:
        decision.matter = Decision.Matter.COMMITTEE
        if not options:
            add("options", _("List the candidates, one per line."))
        if not decision.seats:
            add("seats", _("Say how many seats the committee has."))
        elif options and decision.seats > len(options):
            decision.max_choices = decision.seats  # more seats than candidates: all may pass
        decision.min_choices = 0
        decision.max_choices = decision.seats or 1
        decision.method = Decision.Method.MULTIPLE
    else:
        decision.matter = None
        if len(options) < 2:
            add("options", _("A residents' vote needs at least two options."))
        if decision.method == Decision.Method.SINGLE:
            decision.min_choices = decision.max_choices = 1
        elif options:
            if decision.min_choices < 1:
                add("min_choices", _("Choose at least one option."))
            if decision.max_choices < decision.min_choices:
                add("max_choices", _("“At most” cannot be less than “at least”."))
            if decision.max_choices > len(options):
                add("max_choices", _("“At most” cannot be more than the number of options."))
        if decision.binding and decision.quorum_percent < 50:
            add(
                "quorum_percent",
                _(
                    "A binding vote needs more than half of those entitled to take part "
                    "(Organic Law of Residents' Committees, Arts. 9–10); lower it only for a "
                    "vote that is not binding."
                ),
            )
    if decision.opens_at and decision.closes_at and decision.closes_at <= decision.opens_at:
        add("closes_at", _("Voting must close after it opens."))
    try:
        decision.full_clean(exclude=["estate", "created_by", "rules", "result"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                add(field, message)
    if errors:
        raise ValidationError(errors)


def _write_scope(decision: Decision, buildings: list[Building], options: list[str]) -> None:
    DecisionBuilding.objects.filter(decision=decision).delete()
    DecisionBuilding.objects.bulk_create(
        DecisionBuilding(estate_id=decision.estate_id, decision=decision, building=b)
        for b in buildings
    )
    Option.objects.filter(decision=decision).delete()
    Option.objects.bulk_create(
        Option(estate_id=decision.estate_id, decision=decision, position=i, label=label)
        for i, label in enumerate(options)
    )


@transaction.atomic
def decision_create(
    *,
    actor: Any,
    estate: Estate,
    kind: str,
    title: str,
    buildings: Sequence[Building] = (),
    options: Iterable[str] = (),
    **values: Any,
) -> Decision:
    """Draft a decision. Nothing is public until it is announced."""
    permissions.require(actor, "create", Decision(estate=estate))
    settings_ = selectors.decision_settings_get(estate=estate)
    decision = Decision(
        estate=estate,
        kind=kind,
        title=" ".join(title.split()),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        notice_days=settings_.notice_days,
    )
    for name, value in values.items():
        if name not in DRAFT_FIELDS:
            raise TypeError(f"decision_create() got an unexpected field {name!r}")
        if value is not None or name in ("matter", "seats", "opens_at", "closes_at"):
            setattr(decision, name, value)
    option_labels = _clean_options(options)
    building_list = list(buildings)
    _clean_draft(decision, option_labels, building_list)
    decision.save()
    _write_scope(decision, building_list, option_labels)
    audit.record(actor=actor, action="decision.create", target=decision)
    return decision


@transaction.atomic
def decision_update(
    *,
    actor: Any,
    decision: Decision,
    buildings: Sequence[Building] | None = None,
    options: Iterable[str] | None = None,
    **values: Any,
) -> Decision:
    """Edit a draft. Once announced, the agenda is fixed."""
    permissions.require(actor, "manage", decision)
    decision = _locked(decision)
    if decision.status != Decision.Status.DRAFT:
        raise _refuse(_("Only a draft can be changed; the agenda is fixed once announced."))
    for name in values:
        if name not in DRAFT_FIELDS:
            raise TypeError(f"decision_update() got an unexpected field {name!r}")
    if "title" in values:
        values["title"] = " ".join(str(values["title"]).split())
    diff = audit.changes(decision, values)
    for name, value in values.items():
        setattr(decision, name, value)
    option_labels = (
        _clean_options(options)
        if options is not None
        else list(decision.options.values_list("label", flat=True))
    )
    building_list = list(buildings) if buildings is not None else list(decision.buildings.all())
    _clean_draft(decision, option_labels, building_list)
    decision.save()
    _write_scope(decision, building_list, option_labels)
    audit.record(actor=actor, action="decision.update", target=decision, changes=diff)
    return decision
