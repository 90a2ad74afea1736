"""The works: contractors' quotes compared and one chosen, milestones done with photos, and the
volunteers' supervision log."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core import audit, permissions
from linju.projects.models import Project
from linju.works.models import (
    Milestone,
    MilestonePhoto,
    Quote,
    QuotePhoto,
    SupervisionEntry,
    SupervisionPhoto,
)
from linju.works.services.common import (
    check_photos,
    clean_amount,
    clean_line,
    clean_text,
    locked_project,
    refuse,
    store_photos,
    under_way,
)


@transaction.atomic
def quote_add(
    *,
    actor: Any,
    project: Project,
    contractor: str,
    amount: Any,
    items: str = "",
    valid_until: datetime.date | None = None,
    photos: Iterable[Any] = (),
) -> Quote:
    """Record a contractor's quote (committee staff, the building's leader)."""
    permissions.require(actor, "manage", project, model="works")
    project = locked_project(project)
    under_way(project)
    contractor = clean_line(contractor, field="contractor", max_length=120)
    money = clean_amount(amount, field="amount")
    assert money is not None  # required: refused above when missing
    items = clean_text(items, field="items", max_length=4000)
    uploads = check_photos(photos)
    quote = Quote.objects.create(
        project=project,
        contractor=contractor,
        amount=money,
        items=items,
        valid_until=valid_until,
        added_by=actor,
    )
    store_photos(QuotePhoto, uploads, quote=quote, project=project)
    audit.record(
        actor=actor,
        action="quote.add",
        target=quote,
        estate=project.estate,
        changes={"amount": [None, str(money)]},
    )
    return quote


@transaction.atomic
def quote_choose(*, actor: Any, quote: Quote, reason: str) -> Quote:
    """Choose the quote the works go ahead with, saying why (shown beside the comparison)."""
    project = quote.project
    permissions.require(actor, "manage", project, model="works")
    project = locked_project(project)
    under_way(project)
    reason = clean_line(reason, field="reason", max_length=500)
    quote = Quote.objects.get(pk=quote.pk, project=project)
    if quote.chosen:
        raise refuse(_("This quote is the chosen one already."))
    before = Quote.objects.filter(project=project, chosen=True).first()
    Quote.objects.filter(project=project, chosen=True).update(
        chosen=False, chosen_reason="", chosen_by=None, chosen_at=None
    )
    quote.chosen = True
    quote.chosen_reason = reason
    quote.chosen_by = actor
    quote.chosen_at = timezone.now()
    quote.save(update_fields=["chosen", "chosen_reason", "chosen_by", "chosen_at"])
    audit.record(
        actor=actor,
        action="quote.choose",
        target=quote,
        estate=project.estate,
        changes={
            "chosen": [before.contractor if before else None, quote.contractor],
            "reason": [None, reason],
        },
    )
    return quote


@transaction.atomic
def milestone_add(
    *, actor: Any, project: Project, title: str, due_on: datetime.date | None = None
) -> Milestone:
    permissions.require(actor, "manage", project, model="works")
    project = locked_project(project)
    under_way(project)
    title = clean_line(title, field="title", max_length=120)
    milestone = Milestone.objects.create(
        project=project,
        title=title,
        due_on=due_on,
        position=Milestone.objects.filter(project=project).count(),
    )
    audit.record(actor=actor, action="milestone.add", target=milestone, estate=project.estate)
    return milestone


@transaction.atomic
def milestone_complete(
    *, actor: Any, milestone: Milestone, photos: Iterable[Any], note: str = ""
) -> Milestone:
    """Mark a milestone done, with at least one photo that shows the work."""
    project = milestone.project
    permissions.require(actor, "complete_milestone", project, model="works")
    project = locked_project(project)
    under_way(project)
    milestone = Milestone.objects.select_for_update(of=("self",)).get(
        pk=milestone.pk, project=project
    )
    if milestone.is_done:
        raise refuse(_("This milestone is done already."))
    note = clean_line(note, field="note", max_length=500, required=False)
    uploads = check_photos(photos)
    if not uploads:
        raise refuse(_("Add a photo that shows the work done."), field="photos")
    store_photos(MilestonePhoto, uploads, milestone=milestone, project=project, uploaded_by=actor)
    milestone.done_at = timezone.now()
    milestone.done_by = actor
    milestone.done_note = note
    milestone.save(update_fields=["done_at", "done_by", "done_note"])
    audit.record(actor=actor, action="milestone.complete", target=milestone, estate=project.estate)
    return milestone


@transaction.atomic
def supervision_add(
    *, actor: Any, project: Project, text: str, photos: Iterable[Any] = ()
) -> SupervisionEntry:
    """A volunteer (a resident of the building) writes what they saw on site."""
    permissions.require(actor, "supervise", project, model="works")
    project = locked_project(project)
    under_way(project)
    text = clean_text(text, field="text", max_length=2000, required=True)
    uploads = check_photos(photos)
    entry = SupervisionEntry.objects.create(project=project, author=actor, text=text)
    store_photos(SupervisionPhoto, uploads, entry=entry, project=project)
    audit.record(actor=actor, action="supervision.add", target=entry, estate=project.estate)
    return entry
