"""Writes for projects: starting one on the estate's road, moving it stage by stage, assigning
stages, inviting a designer into it, its photos, and the estate's road itself.

Each service checks permission, locks the project where two people could race, validates,
writes and audits in one transaction: a refused or invalid call writes nothing.

A project moves forward only when the stage it leaves has what it needs
(``requirements.unmet``); moving back is for committee staff, with a reason. Reaching the last
stage (the showcase) finishes the project.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linju.community.models import Building, Estate
from linju.core import audit, permissions
from linju.core.images import photo_store
from linju.projects import requirements
from linju.projects.models import (
    Project,
    ProjectMember,
    ProjectPhoto,
    ProjectStage,
    StageMove,
    StageOwner,
    StageTemplate,
)
from linju.projects.road import DEFAULT_ROAD

TITLE_MAX = 120
SUMMARY_MAX = 4000
NOTE_MAX = 500
CAPTION_MAX = 200
ORGANISATION_MAX = 120
STAGE_NAME_MAX = 60
MAX_STAGES = 30
MIN_STAGES = 2
MAX_DAYS = 3650
MAX_PAIR = 999
MAX_PHOTOS = 2000
MAX_BUDGET = Decimal("100000000")


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise _refuse(_("This field is required."), field, "required")
    if len(text) > limit:
        raise _refuse(_("At most %(n)s characters.") % {"n": limit}, field, "too_long")
    if "\x00" in text:
        raise _refuse(_("The text holds a character that is not allowed."), field, "nul")
    return text


def _locked(project: Project) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("estate", "building")
        .get(pk=project.pk)
    )


def _require_active(project: Project) -> None:
    if project.status == Project.Status.FINISHED:
        raise _refuse(_("This project is finished."), code="finished")
    if project.status == Project.Status.CANCELLED:
        raise _refuse(_("This project was cancelled."), code="cancelled")


# --- The estate's road -------------------------------------------------------------------------


def road_ensure(*, estate: Estate) -> list[StageTemplate]:
    """The estate's road, made from the default road the first time it is needed. The names
    are stored in the site's language (staff can rename them)."""
    road = list(StageTemplate.objects.filter(estate=estate).order_by("position"))
    if road:
        return road
    with translation.override(settings.LANGUAGE_CODE):
        StageTemplate.objects.bulk_create(
            StageTemplate(
                estate=estate,
                position=position,
                key=stage.key,
                name=str(stage.name),
                requirement=stage.requirement,
                owner_role=stage.owner_role,
                days=stage.days,
            )
            for position, stage in enumerate(DEFAULT_ROAD)
        )
    return list(StageTemplate.objects.filter(estate=estate).order_by("position"))


def _clean_stage(index: int, raw: dict[str, Any], known: set[str]) -> dict[str, Any]:
    field = f"stages-{index}"
    name = str(raw.get("name") or "").strip()
    if not name:
        raise _refuse(_("Stage %(n)s needs a name.") % {"n": index + 1}, field, "required")
    if len(name) > STAGE_NAME_MAX or "\x00" in name:
        raise _refuse(
            _("Keep the name of stage %(n)s to %(max)s characters.")
            % {"n": index + 1, "max": STAGE_NAME_MAX},
            field,
            "too_long",
        )
    requirement = str(raw.get("requirement") or "")
    if requirement not in known:
        raise _refuse(_("Choose what stage %(n)s needs from the list.") % {"n": index + 1}, field)
    owner_role = str(raw.get("owner_role") or StageOwner.LEADER)
    if owner_role not in StageOwner.values:
        raise _refuse(_("Choose who carries stage %(n)s.") % {"n": index + 1}, field)
    raw_days = raw.get("days")
    days: int | None = None
    if raw_days not in ("", None):
        try:
            days = int(str(raw_days))
        except ValueError:
            days = -1
        if not 1 <= days <= MAX_DAYS:
            raise _refuse(
                _("The length of stage %(n)s is a number of days from 1 to %(max)s.")
                % {"n": index + 1, "max": MAX_DAYS},
                field,
            )
    return {
        "key": str(raw.get("key") or "").strip()[:40],
        "name": name,
        "requirement": requirement,
        "owner_role": owner_role,
        "days": days,
    }


@transaction.atomic
def road_update(*, actor: Any, estate: Estate, stages: Iterable[dict[str, Any]]) -> list:
    """Replace the estate's road for new projects: each stage a dict of ``name``,
    ``requirement`` (a key of ``requirements.choices()``), ``owner_role``, ``days`` and,
    for a stage kept from before, its ``key``. Projects under way keep their own copy."""
    permissions.require(actor, "change", estate, model="road")
    old = road_ensure(estate=estate)
    # A requirement already on the road stays allowed even if no app registers it any more.
    known = {key for key, _label in requirements.choices()} | {s.requirement for s in old}
    cleaned = [_clean_stage(i, dict(raw), known) for i, raw in enumerate(stages)]
    if not MIN_STAGES <= len(cleaned) <= MAX_STAGES:
        raise _refuse(
            _("A road has from %(min)s to %(max)s stages.") % {"min": MIN_STAGES, "max": MAX_STAGES}
        )
    taken: set[str] = set()
    for position, stage in enumerate(cleaned):
        key = stage["key"]
        if not key or key in taken or not key.replace("-", "").replace("_", "").isalnum():
            key = f"stage-{position + 1}"
            while key in taken:
                key += "x"
        stage["key"] = key
        taken.add(key)
    StageTemplate.objects.filter(estate=estate).delete()
    StageTemplate.objects.bulk_create(
        StageTemplate(estate=estate, position=position, **stage)
        for position, stage in enumerate(cleaned)
    )
    audit.record(
        actor=actor,
        action="project.road_update",
        target=estate,
        changes={"road": [[s.name for s in old], [s["name"] for s in cleaned]]},
    )
    return list(StageTemplate.objects.filter(estate=estate).order_by("position"))


# --- Projects ----------------------------------------------------------------------------------


def _due_dates(days: list[int | None], start: datetime.date) -> list[datetime.date | None]:
    """Each stage's due date: the previous one's plus its usual length (none without one)."""
    due: list[datetime.date | None] = []
    at = start
    for length in days:
        if length is None:
            due.append(None)
            continue
        at = at + datetime.timedelta(days=length)
        due.append(at)
    return due


@transaction.atomic
def project_create(
    *, actor: Any, estate: Estate, building: Building | None, title: str, summary: str = ""
) -> Project:
    """Start a project for ``building`` (or the whole estate) on a copy of the estate's road,
    at its first stage. One project at a time per building."""
    project = Project(estate=estate, building=building)
    permissions.require(actor, "create", project)
    if building is not None and building.estate_id != estate.pk:
        raise _refuse(_("Choose a building of this estate."), "building")
    project.title = _text(title, "title", TITLE_MAX, required=True)
    project.summary = _text(summary, "summary", SUMMARY_MAX)
    if (
        building is not None
        and Project.objects.filter(building=building, status=Project.Status.ACTIVE).exists()
    ):
        raise _refuse(
            _("Building %(b)s already has a project under way.") % {"b": building.number},
            "building",
            "duplicate",
        )
    road = road_ensure(estate=estate)
    now = timezone.now()
    project.created_by = actor if getattr(actor, "is_authenticated", False) else None
    project.created_at = now
    project.stage_position = 0
    project.save()
    due = _due_dates([s.days for s in road], timezone.localdate(now))
    ProjectStage.objects.bulk_create(
        ProjectStage(
            project=project,
            position=stage.position,
            key=stage.key,
            name=stage.name,
            requirement=stage.requirement,
            owner_role=stage.owner_role,
            due_on=due[i],
            started_at=now if i == 0 else None,
        )
        for i, stage in enumerate(road)
    )
    audit.record(actor=actor, action="project.create", target=project)
    return project


def clean_budget(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        amount = Decimal(str(raw).strip().replace(",", "").replace("¥", ""))
    except ArithmeticError:
        raise _refuse(_("Enter an amount in yuan, e.g. 12000."), "budget") from None
    if not amount.is_finite() or amount <= 0:
        raise _refuse(_("The budget must be more than zero."), "budget")
    if amount != amount.quantize(Decimal("0.01")) or amount >= MAX_BUDGET:
        raise _refuse(_("Enter an amount in yuan, e.g. 12000."), "budget")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def project_update(
    *,
    actor: Any,
    project: Project,
    title: str,
    summary: str = "",
    budget: Any = None,
    fund: Any = None,
    showcase_public: bool = False,
) -> Project:
    """Edit a project's title, summary, budget, fund (of the same estate, and of its building
    or the whole estate) and whether its showcase is shown to the public."""
    permissions.require(actor, "manage", project)
    project = _locked(project)
    if project.status == Project.Status.CANCELLED:
        raise _refuse(_("This project was cancelled."), code="cancelled")
    values = {
        "title": _text(title, "title", TITLE_MAX, required=True),
        "summary": _text(summary, "summary", SUMMARY_MAX),
        "budget": clean_budget(budget),
        "fund_id": fund.pk if fund is not None else None,
        "showcase_public": bool(showcase_public),
    }
    if fund is not None and (
        fund.estate_id != project.estate_id or fund.building_id not in (None, project.building_id)
    ):
        raise _refuse(_("Choose a fund of this building or of the whole estate."), "fund")
    changes = audit.changes(project, values)
    for name, value in values.items():
        setattr(project, name, value)
    project.save()
    audit.record(actor=actor, action="project.update", target=project, changes=changes)
    return project


def current_stage(project: Project) -> ProjectStage | None:
    return ProjectStage.objects.filter(project=project, position=project.stage_position).first()


@transaction.atomic
def stage_move(*, actor: Any, project: Project, note: str = "") -> Project:
    """Move the project to its next stage if the stage it leaves has what it needs; otherwise
    ValidationError saying what is missing. Reaching the last stage finishes the project."""
    permissions.require(actor, "move", project)
    project = _locked(project)
    _require_active(project)
    note = _text(note, "note", NOTE_MAX)
    stages = {s.position: s for s in ProjectStage.objects.filter(project=project)}
    here = stages.get(project.stage_position)
    after = stages.get(project.stage_position + 1)
    if here is None or after is None:
        raise _refuse(_("This project has no further stage."), code="last")
    missing = requirements.unmet(project, here.requirement)
    if missing:
        raise _refuse(str(missing), code="requirement")
    now = timezone.now()
    here.completed_at = now
    after.started_at = now
    last = after.position == max(stages)
    if last:
        after.completed_at = now
        project.status = Project.Status.FINISHED
        project.finished_at = now
    ProjectStage.objects.bulk_update([here, after], ["started_at", "completed_at"])
    StageMove.objects.create(
        project=project,
        from_position=here.position,
        to_position=after.position,
        moved_by=actor if getattr(actor, "is_authenticated", False) else None,
        moved_at=now,
        note=note,
        evidence=str(requirements.label(here.requirement)) if here.requirement else "",
    )
    old_position = project.stage_position
    project.stage_position = after.position
    project.save(update_fields=["stage_position", "status", "finished_at"])
    audit.record(
        actor=actor,
        action="project.stage_move",
        target=project,
        changes={"stage": [here.name, after.name], "position": [old_position, after.position]},
    )
    return project


@transaction.atomic
def stage_move_back(*, actor: Any, project: Project, reason: str) -> Project:
    """Committee staff move a project back one stage (a finished one back under way), saying
    why. The move is recorded like any other."""
    permissions.require(actor, "move_back", project)
    project = _locked(project)
    if project.status == Project.Status.CANCELLED:
        raise _refuse(_("This project was cancelled."), code="cancelled")
    reason = _text(reason, "reason", NOTE_MAX, required=True)
    if project.stage_position == 0:
        raise _refuse(_("The project is at its first stage already."), code="first")
    stages = {s.position: s for s in ProjectStage.objects.filter(project=project)}
    here, before = stages[project.stage_position], stages[project.stage_position - 1]
    now = timezone.now()
    here.started_at = None
    here.completed_at = None
    before.completed_at = None
    ProjectStage.objects.bulk_update([here, before], ["started_at", "completed_at"])
    StageMove.objects.create(
        project=project,
        from_position=here.position,
        to_position=before.position,
        moved_by=actor if getattr(actor, "is_authenticated", False) else None,
        moved_at=now,
        note=reason,
    )
    old_status = project.status
    project.stage_position = before.position
    project.status = Project.Status.ACTIVE
    project.finished_at = None
    project.save(update_fields=["stage_position", "status", "finished_at"])
    audit.record(
        actor=actor,
        action="project.stage_move_back",
        target=project,
        changes={"stage": [here.name, before.name], "status": [old_status, project.status]},
    )
    return project


def _may_carry(user: Any, project: Project) -> bool:
    actor = permissions.actor_for(user)
    return (
        actor.is_admin
        or project.estate_id in actor.member_estates
        or project.pk in actor.member_projects
    )


@transaction.atomic
def stage_assign(
    *,
    actor: Any,
    project: Project,
    position: int,
    owner: Any = None,
    due_on: datetime.date | None = None,
) -> ProjectStage:
    """Name the person in charge of a stage (a member of the estate or someone invited into
    the project) and its due date."""
    permissions.require(actor, "manage", project)
    project = _locked(project)
    if project.status == Project.Status.CANCELLED:
        raise _refuse(_("This project was cancelled."), code="cancelled")
    stage = ProjectStage.objects.filter(project=project, position=position).first()
    if stage is None:
        raise _refuse(_("This project has no such stage."), "position")
    if owner is not None and not _may_carry(owner, project):
        raise _refuse(
            _("Only a member of the estate or someone invited into the project can carry a stage."),
            "owner",
        )
    if due_on is not None and not datetime.date(2000, 1, 1) <= due_on <= datetime.date(2100, 1, 1):
        raise _refuse(_("Enter a due date between 2000 and 2100."), "due_on")
    owner_id = owner.pk if owner is not None else None
    changes = audit.changes(stage, {"owner_id": owner_id, "due_on": due_on})
    stage.owner_id = owner_id
    stage.due_on = due_on
    stage.save(update_fields=["owner", "due_on"])
    audit.record(
        actor=actor,
        action="project.stage_assign",
        target=project,
        changes={"stage": [stage.name, stage.name], **changes},
    )
    return stage


@transaction.atomic
def project_cancel(*, actor: Any, project: Project, reason: str) -> Project:
    """Committee staff cancel a project under way, saying why. It stays on record."""
    permissions.require(actor, "cancel", project)
    project = _locked(project)
    _require_active(project)
    project.cancel_reason = _text(reason, "reason", NOTE_MAX, required=True)
    project.status = Project.Status.CANCELLED
    project.save(update_fields=["status", "cancel_reason"])
    audit.record(
        actor=actor,
        action="project.cancel",
        target=project,
        changes={"status": ["active", "cancelled"], "reason": ["", project.cancel_reason]},
    )
    return project


# --- Invited designers and contractors ----------------------------------------------------------


@transaction.atomic
def project_member_invite(
    *, actor: Any, project: Project, user: Any, kind: str, organisation: str = ""
) -> ProjectMember:
    """Invite ``user`` into this one project as its designer or contractor. They see and act
    on this project only."""
    permissions.require(actor, "invite", project)
    project = _locked(project)
    _require_active(project)
    if kind not in ProjectMember.Kind.values:
        raise _refuse(_("Choose designer or contractor."), "kind")
    organisation = _text(organisation, "organisation", ORGANISATION_MAX)
    if user is None or not getattr(user, "is_active", False):
        raise _refuse(_("No account with that sign-in name or phone number."), "account")
    if ProjectMember.objects.filter(
        project=project, user=user, kind=kind, ended_at__isnull=True
    ).exists():
        raise _refuse(_("This account is already invited into this project."), "account")
    member = ProjectMember.objects.create(
        project=project,
        user=user,
        kind=kind,
        organisation=organisation,
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        action="project.member_invite",
        target=project,
        changes={"member": [None, f"{member.get_kind_display()}: {user}"]},
    )
    permissions.forget(user)
    return member


@transaction.atomic
def project_member_end(*, actor: Any, member: ProjectMember) -> ProjectMember:
    """End an invited person's part in the project: from now on they see nothing of it."""
    permissions.require(actor, "invite", member.project)
    member = ProjectMember.objects.select_for_update(of=("self",)).get(pk=member.pk)
    if member.ended_at is not None:
        raise _refuse(_("This person's part has already ended."), code="ended")
    member.ended_at = timezone.now()
    member.save(update_fields=["ended_at"])
    audit.record(
        actor=actor,
        action="project.member_end",
        target=member.project,
        changes={"member": [f"{member.get_kind_display()}: {member.user}", None]},
    )
    permissions.forget(member.user)
    return member


# --- Photos --------------------------------------------------------------------------------------


@transaction.atomic
def photo_add(
    *,
    actor: Any,
    project: Project,
    upload: Any,
    kind: str = ProjectPhoto.Kind.GENERAL,
    caption: str = "",
    pair: int | None = None,
) -> ProjectPhoto:
    """Add a photo to the project's gallery: cleaned (re-encoded, location stripped, size and
    pixels capped) by ``core.images.photo_store``. A 'before' and an 'after' photo with the
    same pair number are shown side by side; each pair has one of each."""
    permissions.require(actor, "add_photo", project)
    project = _locked(project)
    if project.status == Project.Status.CANCELLED:
        raise _refuse(_("This project was cancelled."), code="cancelled")
    if kind not in ProjectPhoto.Kind.values:
        raise _refuse(_("Choose what the photo shows."), "kind")
    caption = _text(caption, "caption", CAPTION_MAX)
    if kind == ProjectPhoto.Kind.GENERAL:
        pair = None
    elif pair is None:
        raise _refuse(_("A before or after photo needs a pair number."), "pair", "required")
    if pair is not None:
        if not 1 <= int(pair) <= MAX_PAIR:
            raise _refuse(_("The pair number is from 1 to %(n)s.") % {"n": MAX_PAIR}, "pair")
        if ProjectPhoto.objects.filter(project=project, kind=kind, pair=pair).exists():
            raise _refuse(
                _("Pair %(n)s already has a '%(kind)s' photo.")
                % {"n": pair, "kind": ProjectPhoto.Kind(kind).label},
                "pair",
                "duplicate",
            )
    if ProjectPhoto.objects.filter(project=project).count() >= MAX_PHOTOS:
        raise _refuse(_("This project has as many photos as it can hold."), "upload")
    if upload is None:
        raise _refuse(_("Choose a photo."), "upload", "required")
    photo = ProjectPhoto(
        project=project,
        kind=kind,
        caption=caption,
        pair=pair,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        photo_store(photo, upload)
    except ValidationError as exc:
        raise ValidationError({"upload": exc.messages}) from None
    audit.record(
        actor=actor,
        action="project.photo_add",
        target=project,
        changes={"photo": [None, photo.pk]},
    )
    return photo


@transaction.atomic
def photo_remove(*, actor: Any, photo: ProjectPhoto) -> None:
    """Remove a photo and its stored files."""
    permissions.require(actor, "remove", photo)
    project = photo.project
    pk = photo.pk
    files = [f for f in (photo.image, photo.web, photo.thumb) if f]
    photo.delete()
    names = [(f.storage, f.name) for f in files]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
    audit.record(
        actor=actor, action="project.photo_remove", target=project, changes={"photo": [pk, None]}
    )
