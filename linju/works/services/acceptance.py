"""The acceptance (验收): the checklist, the residents' representatives who sign it (in the app
or on paper), and the residents' evaluation at the review meeting (评议会)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community.models import Occupancy, Person
from linju.core import audit, permissions
from linju.projects.models import Project
from linju.works.models import AcceptanceItem, AcceptanceSigner, Evaluation, SignaturePhoto
from linju.works.services.common import (
    clean_line,
    clean_text,
    locked_project,
    refuse,
    store_photos,
    under_way,
)

MAX_REPRESENTATIVES = 5
MAX_ITEMS = 60


def _not_signed_yet(project: Project) -> None:
    if AcceptanceSigner.objects.filter(project=project, signed_at__isnull=False).exists():
        raise refuse(
            _("A representative has signed: the checklist and the representatives are fixed.")
        )


@transaction.atomic
def acceptance_item_add(*, actor: Any, project: Project, text: str) -> AcceptanceItem:
    permissions.require(actor, "manage", project, model="works")
    project = locked_project(project)
    under_way(project)
    text = clean_line(text, field="text", max_length=300)
    _not_signed_yet(project)
    count = AcceptanceItem.objects.filter(project=project).count()
    if count >= MAX_ITEMS:
        raise refuse(_("At most %(n)s items.") % {"n": MAX_ITEMS})
    item = AcceptanceItem.objects.create(project=project, text=text, position=count)
    audit.record(actor=actor, action="acceptance_item.add", target=item, estate=project.estate)
    return item


@transaction.atomic
def acceptance_item_check(
    *, actor: Any, item: AcceptanceItem, result: str, note: str = ""
) -> AcceptanceItem:
    """Record what the walk-through found for one item; a failure or a remark says what."""
    project = item.project
    permissions.require(actor, "manage", project, model="works")
    project = locked_project(project)
    under_way(project)
    _not_signed_yet(project)
    if result not in AcceptanceItem.Result.values:
        raise refuse(_("Choose a result."), field="result")
    note = clean_line(note, field="note", max_length=500, required=False)
    if result in (AcceptanceItem.Result.FAIL, AcceptanceItem.Result.NOTE) and not note:
        raise refuse(_("Say what was found."), field="note")
    item = AcceptanceItem.objects.get(pk=item.pk, project=project)
    diff = audit.changes(item, {"result": result, "note": note})
    item.result, item.note = result, note
    item.checked_by = actor
    item.checked_at = timezone.now()
    item.save(update_fields=["result", "note", "checked_by", "checked_at"])
    audit.record(
        actor=actor,
        action="acceptance_item.check",
        target=item,
        estate=project.estate,
        changes=diff,
    )
    return item


def _residents_in_scope(project: Project) -> Any:
    current = Occupancy.objects.current()
    if project.building_id:
        current = current.filter(flat__building_id=project.building_id)
    else:
        current = current.filter(flat__estate_id=project.estate_id)
    return Person.objects.filter(pk__in=current.values("person_id"), is_minor=False)


@transaction.atomic
def acceptance_representatives_set(
    *, actor: Any, project: Project, people: Iterable[Person]
) -> list[AcceptanceSigner]:
    """Choose the residents' representatives who sign the acceptance: one to five adult
    residents of the building. Fixed once one of them has signed."""
    permissions.require(actor, "manage", project, model="works")
    project = locked_project(project)
    under_way(project)
    _not_signed_yet(project)
    chosen = list(dict.fromkeys(people))
    if not 1 <= len(chosen) <= MAX_REPRESENTATIVES:
        raise refuse(
            _("Choose between 1 and %(n)s representatives.") % {"n": MAX_REPRESENTATIVES},
            field="people",
        )
    allowed = set(
        _residents_in_scope(project)
        .filter(pk__in=[p.pk for p in chosen])
        .values_list("pk", flat=True)
    )
    if any(p.pk not in allowed for p in chosen):
        raise refuse(
            _("Representatives must be adult residents of the project's building."),
            field="people",
        )
    before = sorted(
        AcceptanceSigner.objects.filter(project=project).values_list("person_id", flat=True)
    )
    AcceptanceSigner.objects.filter(project=project).delete()
    signers = AcceptanceSigner.objects.bulk_create(
        AcceptanceSigner(project=project, person=p, chosen_by=actor) for p in chosen
    )
    audit.record(
        actor=actor,
        action="acceptance.representatives",
        target=project,
        changes={"people": [before, sorted(p.pk for p in chosen)]},
    )
    return signers


def _ready_to_sign(project: Project) -> None:
    items = AcceptanceItem.objects.filter(project=project)
    if not items.exists():
        raise refuse(_("The checklist is empty: there is nothing to sign yet."))
    if items.filter(result=AcceptanceItem.Result.PENDING).exists():
        raise refuse(_("Every item of the checklist needs its result before signing."))


@transaction.atomic
def acceptance_sign(*, actor: Any, signer: AcceptanceSigner) -> AcceptanceSigner:
    """The representative signs the checklist as it stands, in the app (only they can)."""
    permissions.require(actor, "sign", signer, model="acceptance_signer")
    project = locked_project(signer.project)
    under_way(project)
    signer = AcceptanceSigner.objects.get(pk=signer.pk, project=project)
    if signer.has_signed:
        raise refuse(_("This representative has signed already."))
    _ready_to_sign(project)
    signer.signed_at = timezone.now()
    signer.mode = AcceptanceSigner.Mode.APP
    signer.save(update_fields=["signed_at", "mode"])
    audit.record(actor=actor, action="acceptance.sign", target=project)
    return signer


@transaction.atomic
def acceptance_paper_record(
    *, actor: Any, signer: AcceptanceSigner, photo: Any
) -> AcceptanceSigner:
    """Committee staff record a representative's signature on the paper checklist, with a
    photo of it."""
    permissions.require(actor, "record_paper_signature", signer.project, model="works")
    project = locked_project(signer.project)
    under_way(project)
    signer = AcceptanceSigner.objects.get(pk=signer.pk, project=project)
    if signer.has_signed:
        raise refuse(_("This representative has signed already."))
    _ready_to_sign(project)
    if not photo:
        raise refuse(_("Add a photo of the signed paper."), field="photo")
    store_photos(SignaturePhoto, [photo], field="photo", signer=signer, project=project)
    signer.signed_at = timezone.now()
    signer.mode = AcceptanceSigner.Mode.PAPER
    signer.recorded_by = actor
    signer.save(update_fields=["signed_at", "mode", "recorded_by"])
    audit.record(
        actor=actor,
        action="acceptance.paper",
        target=project,
        changes={"signer": [None, signer.pk]},
    )
    return signer


def _rating(value: Any, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        raise refuse(_("Choose from 1 to 5 stars."), field=field)
    return number


@transaction.atomic
def evaluation_give(
    *, actor: Any, project: Project, result_rating: Any, process_rating: Any, comment: str = ""
) -> Evaluation:
    """A resident of the building rates the result and the process (1–5) with a comment;
    once per project, changeable until the project finishes."""
    permissions.require(actor, "evaluate", project, model="works")
    project = locked_project(project)
    if project.status != Project.Status.ACTIVE:
        raise refuse(_("The evaluation closed when the project ended."))
    values = {
        "result_rating": _rating(result_rating, "result_rating"),
        "process_rating": _rating(process_rating, "process_rating"),
        "comment": clean_text(comment, field="comment", max_length=1000),
    }
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .filter(project=project, user=actor)
        .first()
    )
    if evaluation is None:
        evaluation = Evaluation.objects.create(project=project, user=actor, **values)
        diff = None
    else:
        diff = audit.changes(evaluation, values)
        for name, value in values.items():
            setattr(evaluation, name, value)
        evaluation.updated_at = timezone.now()
        evaluation.save()
    audit.record(
        actor=actor,
        action="evaluation.give",
        target=evaluation,
        estate=project.estate,
        changes=diff,
    )
    return evaluation
