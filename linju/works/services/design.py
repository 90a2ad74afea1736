"""The design: plans and options from the designer, what the works touch, the residents' vote
that chooses an option, and the owners' decision offered for works on common parts."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linju.core import audit, permissions
from linju.decisions.models import Decision
from linju.decisions.services import decision_announce, decision_create
from linju.projects.models import Project
from linju.works import selectors
from linju.works.models import (
    DesignOption,
    DesignPhoto,
    DesignPlan,
    DesignScope,
    DesignVote,
    OwnersDecisionLink,
)
from linju.works.services.common import (
    check_photos,
    clean_amount,
    clean_line,
    clean_pdf,
    clean_text,
    locked_project,
    refuse,
    store_photos,
    under_way,
)

MAX_OPTIONS = 8


@transaction.atomic
def design_plan_add(
    *,
    actor: Any,
    project: Project,
    title: str,
    description: str = "",
    photos: Iterable[Any] = (),
    pdf: Any = None,
) -> DesignPlan:
    """The designer (of this project only), its building's leader or committee staff upload a
    plan: at least one photo of the drawings or a PDF."""
    permissions.require(actor, "design", project, model="works")
    project = locked_project(project)
    under_way(project)
    title = clean_line(title, field="title", max_length=120)
    description = clean_text(description, field="description", max_length=4000)
    uploads = check_photos(photos)
    document = clean_pdf(pdf)
    if not uploads and document is None:
        raise refuse(_("Add at least one photo of the drawings, or the plan as a PDF."))
    plan = DesignPlan(project=project, title=title, description=description, uploaded_by=actor)
    if document is not None:
        plan.pdf.save(document.name, document, save=False)
    plan.save()
    store_photos(DesignPhoto, uploads, plan=plan, project=project)
    audit.record(actor=actor, action="design_plan.add", target=plan, estate=project.estate)
    return plan


@transaction.atomic
def design_option_add(
    *,
    actor: Any,
    project: Project,
    label: str,
    description: str = "",
    estimated_cost: Any = None,
    photos: Iterable[Any] = (),
) -> DesignOption:
    """Add an option residents will choose between; not once the vote has started."""
    permissions.require(actor, "design", project, model="works")
    project = locked_project(project)
    under_way(project)
    label = clean_line(label, field="label", max_length=60)
    description = clean_text(description, field="description", max_length=4000)
    cost = clean_amount(estimated_cost, field="estimated_cost", required=False)
    uploads = check_photos(photos)
    if selectors.design_vote_current(project=project) is not None:
        raise refuse(_("The options are on the ballot already: add options before the vote."))
    options = DesignOption.objects.filter(project=project)
    if options.filter(label=label).exists():
        raise refuse(
            _("There is already an option called “%(label)s”.") % {"label": label}, field="label"
        )
    if options.count() >= MAX_OPTIONS:
        raise refuse(_("At most %(n)s options.") % {"n": MAX_OPTIONS})
    option = DesignOption.objects.create(
        project=project,
        label=label,
        description=description,
        estimated_cost=cost,
        position=options.count(),
        uploaded_by=actor,
    )
    store_photos(DesignPhoto, uploads, option=option, project=project)
    audit.record(actor=actor, action="design_option.add", target=option, estate=project.estate)
    return option


@transaction.atomic
def design_scope_set(
    *,
    actor: Any,
    project: Project,
    touches_structure: bool = False,
    touches_facade: bool = False,
    touches_lifts: bool = False,
    changes_common_use: bool = False,
    note: str = "",
) -> DesignScope:
    """Say what the works touch; works on common parts call for an owners' decision."""
    permissions.require(actor, "design", project, model="works")
    project = locked_project(project)
    under_way(project)
    values = {
        "touches_structure": bool(touches_structure),
        "touches_facade": bool(touches_facade),
        "touches_lifts": bool(touches_lifts),
        "changes_common_use": bool(changes_common_use),
        "note": clean_line(note, field="note", max_length=500, required=False),
    }
    scope, _created = DesignScope.objects.get_or_create(project=project)
    diff = audit.changes(scope, values)
    for name, value in values.items():
        setattr(scope, name, value)
    scope.updated_by = actor
    scope.save()
    if diff:
        audit.record(
            actor=actor,
            action="design_scope.set",
            target=scope,
            estate=project.estate,
            changes=diff,
        )
    return scope


@transaction.atomic
def design_vote_start(
    *,
    actor: Any,
    project: Project,
    opens_at: datetime.datetime | None,
    closes_at: datetime.datetime | None,
    unit: str = Decision.Unit.HOUSEHOLD,
    title: str = "",
    body: str = "",
) -> DesignVote:
    """Put the design options to a residents' vote of the project's building (the estate for
    an estate-wide project), one vote per household unless the organiser chooses one per adult,
    and announce it. The decisions app's own rules apply (notice period, the roll)."""
    permissions.require(actor, "start_design_vote", project, model="works")
    project = locked_project(project)
    under_way(project)
    if selectors.design_vote_current(project=project) is not None:
        raise refuse(_("The design is already being voted on."))
    options = list(DesignOption.objects.filter(project=project).order_by("position", "pk"))
    if len(options) < 2:
        raise refuse(_("A design vote needs at least two options."))
    if unit not in Decision.Unit.values:
        raise refuse(_("Choose who votes."), field="unit")
    title = clean_line(
        title or _("Choose the design: %(project)s") % {"project": project.title},
        field="title",
        max_length=200,
    )
    lines = [clean_text(body, field="body", max_length=4000)] if body else []
    lines += [f"{o.label}：{o.description}" if o.description else o.label for o in options]
    decision = decision_create(
        actor=actor,
        estate=project.estate,
        kind=Decision.Kind.RESIDENTS,
        title=title,
        body="\n".join(lines)[:10000],
        buildings=[project.building] if project.building is not None else [],
        options=[o.label for o in options],
        unit=unit,
        method=Decision.Method.SINGLE,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    decision = decision_announce(actor=actor, decision=decision)
    by_label = {o.label: o for o in decision.options.all()}
    for option in options:
        option.vote_option = by_label[" ".join(option.label.split())]
        option.save(update_fields=["vote_option"])
    vote = DesignVote.objects.create(project=project, decision=decision, started_by=actor)
    audit.record(
        actor=actor,
        action="design_vote.start",
        target=project,
        changes={"decision": [None, decision.pk]},
    )
    return vote


def _owners_title(matter: int, project: Project) -> str:
    if matter == 7:
        text = _("%(project)s: renovating the common parts (Civil Code Art. 278 item 7)")
    else:
        text = _("%(project)s: changing the use of common parts (Civil Code Art. 278 item 8)")
    return (text % {"project": project.title})[:200]


def _owners_body(scope: DesignScope, project: Project) -> str:
    parts = [
        str(label)
        for flag, label in (
            (scope.touches_structure, _("the building's structure")),
            (scope.touches_facade, _("the facade")),
            (scope.touches_lifts, _("the lifts")),
            (scope.changes_common_use, _("how common areas are used")),
        )
        if flag
    ]
    if project.building is not None:
        text = _(
            "The works of the project “%(project)s” touch the common parts of building "
            "%(building)s (%(parts)s). Its owners decide, with the same thresholds within the "
            "building (Civil Code Art. 278; Shanghai Residential Property Management "
            "Regulations, Art. 69)."
        ) % {
            "project": project.title,
            "building": project.building.number,
            "parts": "、".join(parts),
        }
    else:
        text = _(
            "The works of the project “%(project)s” touch the estate's common parts "
            "(%(parts)s). The owners decide (Civil Code Art. 278)."
        ) % {"project": project.title, "parts": "、".join(parts)}
    chosen = selectors.design_chosen_option(project=project)
    if chosen is not None:
        text += "\n" + _("Design chosen by the residents: %(label)s.") % {"label": chosen.label}
    if scope.note:
        text += "\n" + scope.note
    return text


@transaction.atomic
def owners_decision_offer(*, actor: Any, project: Project, matter: int) -> Decision:
    """Draft the owners' decision the works on common parts need: item 7 (renovation) or 8
    (change of use), scoped to the project's building. The draft is the decisions app's,
    edited and announced there."""
    permissions.require(actor, "offer_owners_decision", project, model="works")
    project = locked_project(project)
    under_way(project)
    scope = DesignScope.objects.filter(project=project).first()
    try:
        matter = int(matter)
    except (TypeError, ValueError):
        matter = 0
    if scope is None or matter not in scope.matters():
        raise refuse(_("The works do not call for an owners' decision of this kind."))
    taken = OwnersDecisionLink.objects.filter(project=project, matter=matter).exclude(
        decision__status=Decision.Status.CANCELLED
    )
    if taken.exists():
        raise refuse(_("This owners' decision has been drafted already."))
    decision = decision_create(
        actor=actor,
        estate=project.estate,
        kind=Decision.Kind.OWNERS,
        title=_owners_title(matter, project),
        body=_owners_body(scope, project),
        matter=matter,
        buildings=[project.building] if project.building is not None else [],
    )
    OwnersDecisionLink.objects.create(project=project, decision=decision, matter=matter)
    audit.record(
        actor=actor,
        action="works.owners_decision_offer",
        target=project,
        changes={"decision": [None, decision.pk], "matter": [None, matter]},
    )
    return decision
