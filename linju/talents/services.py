"""Writes for the talents directory (社区达人).

A resident creates their own profile; it is shown only once they tick the consent box, and
unticking it (or ``profile_withdraw``) hides the profile, its works and its project credits at
once: every read filters on ``models.shown_q``. A project's group leader or committee staff
invite a shown talent to a project with a role ("书写公约"); the credit appears on the project's
showcase only after the talent accepts. Each service checks permission, validates, writes and
audits in one transaction: a refused or invalid call writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.community.models import Estate, Person
from linju.core import audit, permissions
from linju.core.images import photo_store
from linju.talents.models import ProjectCredit, Skill, TalentProfile, TalentSkill, TalentWork

NAME_MAX = 40
PROFILE_MAX = 600
CAPTION_MAX = 200
ROLE_MAX = 60
MAX_WORKS = 30


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _text(value: Any, *, limit: int, field: str, required: bool = False) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise _refuse(_("The text holds a character that is not allowed."), field=field)
    if required and not text:
        raise _refuse(_("This field is required."), field=field, code="required")
    if len(text) > limit:
        raise _refuse(
            _("Keep this to %(n)s characters or fewer.") % {"n": limit}, field=field, code="long"
        )
    return text


def _skills(values: Iterable[Any]) -> list[str]:
    chosen = sorted({str(v) for v in values})
    if not chosen:
        raise _refuse(_("Choose at least one skill."), field="skills")
    if any(v not in Skill.values for v in chosen):
        raise _refuse(_("Choose skills from the list."), field="skills")
    return chosen


def _locked(profile: TalentProfile) -> TalentProfile:
    return TalentProfile.objects.select_for_update(of=("self",)).get(pk=profile.pk)


@transaction.atomic
def profile_create(
    *,
    actor: Any,
    estate: Estate,
    display_name: str,
    profile: str = "",
    skills: Iterable[str] = (),
    consent: bool = False,
) -> TalentProfile:
    """The actor's own profile in ``estate``'s directory (residents only; one each). Without
    ``consent`` it is kept but shown to nobody else."""
    permissions.require(actor, "create", TalentProfile(estate=estate))
    person = Person.objects.filter(estate=estate, user=actor).first()
    if person is None:
        raise _refuse(_("Only residents of the estate can join its talents directory."))
    if TalentProfile.objects.filter(person=person).exists():
        raise _refuse(_("You already have a profile; change it instead."))
    values = {
        "display_name": _text(display_name, limit=NAME_MAX, field="display_name", required=True),
        "profile": _text(profile, limit=PROFILE_MAX, field="profile"),
    }
    chosen = _skills(skills)
    now = timezone.now()
    created = TalentProfile.objects.create(
        estate=estate,
        person=person,
        user=actor,
        consent_shown_at=now if consent is True else None,
        created_at=now,
        updated_at=now,
        **values,
    )
    TalentSkill.objects.bulk_create(TalentSkill(profile=created, skill=s) for s in chosen)
    audit.record(
        actor=actor,
        action="talent.create",
        target=created,
        changes={"consent": [None, bool(consent is True)]},
    )
    return created


@transaction.atomic
def profile_update(
    *,
    actor: Any,
    profile: TalentProfile,
    display_name: str,
    profile_text: str = "",
    skills: Iterable[str] = (),
    consent: bool = False,
) -> TalentProfile:
    """Change one's own profile. Ticking consent shows it from now; unticking hides it (and its
    works and credits) at once."""
    permissions.require(actor, "change", profile)
    profile = _locked(profile)
    values = {
        "display_name": _text(display_name, limit=NAME_MAX, field="display_name", required=True),
        "profile": _text(profile_text, limit=PROFILE_MAX, field="profile"),
    }
    chosen = _skills(skills)
    diff = audit.changes(profile, values)
    for name, value in values.items():
        setattr(profile, name, value)
    now = timezone.now()
    if consent is True and not profile.is_shown:
        profile.consent_shown_at, profile.withdrawn_at = now, None
        diff["consent"] = [False, True]
    elif consent is not True and profile.is_shown:
        profile.withdrawn_at = now
        diff["consent"] = [True, False]
    profile.updated_at = now
    profile.save()
    before = set(profile.skills.values_list("skill", flat=True))
    if before != set(chosen):
        profile.skills.exclude(skill__in=chosen).delete()
        TalentSkill.objects.bulk_create(
            TalentSkill(profile=profile, skill=s) for s in chosen if s not in before
        )
        diff["skills"] = [sorted(before), chosen]
    if diff:
        audit.record(actor=actor, action="talent.update", target=profile, changes=diff)
    return profile


@transaction.atomic
def profile_withdraw(*, actor: Any, profile: TalentProfile) -> TalentProfile:
    """Withdraw consent: the profile, its works and its credits disappear from every page, the
    API and project showcases at once. The person may consent again later."""
    permissions.require(actor, "change", profile)
    profile = _locked(profile)
    if not profile.is_shown:
        raise _refuse(_("Your profile is not shown to anyone."))
    profile.withdrawn_at = timezone.now()
    profile.save(update_fields=["withdrawn_at"])
    audit.record(
        actor=actor, action="talent.withdraw", target=profile, changes={"consent": [True, False]}
    )
    return profile


@transaction.atomic
def work_add(*, actor: Any, profile: TalentProfile, upload: Any, caption: str = "") -> TalentWork:
    """Add a photo of a work to one's gallery (cleaned and stripped by ``photo_store``)."""
    permissions.require(actor, "change", profile)
    profile = _locked(profile)
    if profile.works.count() >= MAX_WORKS:
        raise _refuse(_("A gallery holds at most %(n)s works.") % {"n": MAX_WORKS}, field="image")
    work = TalentWork(
        estate_id=profile.estate_id,
        profile=profile,
        caption=_text(caption, limit=CAPTION_MAX, field="caption"),
    )
    try:
        photo_store(work, upload)
    except ValidationError as exc:
        raise ValidationError({"image": exc.messages}) from None
    audit.record(actor=actor, action="talent.work_add", target=profile)
    return work


@transaction.atomic
def work_remove(*, actor: Any, work: TalentWork) -> None:
    """Take a work out of one's gallery (its files are deleted after commit)."""
    permissions.require(actor, "change", work.profile)
    profile = _locked(work.profile)
    files = [(f.name, f.storage) for f in (work.image, work.web, work.thumb) if f]
    work.delete()
    audit.record(actor=actor, action="talent.work_remove", target=profile)

    def _delete() -> None:
        for name, storage in files:
            storage.delete(name)

    transaction.on_commit(_delete)


@transaction.atomic
def project_invite_talent(
    *, actor: Any, project: Any, profile: TalentProfile, role: str
) -> ProjectCredit:
    """Invite a shown talent of the project's estate to a project with a role (the project's
    group leader or committee staff). The talent is told and accepts or declines."""
    credit = ProjectCredit(estate_id=project.estate_id, project=project, profile=profile)
    permissions.require(actor, "create", credit)
    profile = _locked(profile)
    if not profile.is_shown or profile.estate_id != project.estate_id:
        raise _refuse(_("Choose a talent from this estate's directory."), field="profile")
    if ProjectCredit.objects.filter(
        project=project, profile=profile, declined_at__isnull=True
    ).exists():
        raise _refuse(_("This talent is already invited to the project."), field="profile")
    credit.role = _text(role, limit=ROLE_MAX, field="role", required=True)
    credit.invited_by = actor
    credit.save()
    audit.record(
        actor=actor,
        action="talent.invite",
        target=credit,
        changes={"role": [None, credit.role], "profile": [None, profile.display_name]},
    )
    from linju.notifications.services import notify

    notify(
        recipient=profile.user,
        kind="project.talent_invited",
        title=gettext_lazy("You are invited to help a project"),
        body=f"{project.title} · {credit.role}",
        url=f"/e/{project.estate.slug}/talents/invitations/",
        estate=project.estate,
    )
    return credit


def _answer(actor: Any, credit: ProjectCredit) -> ProjectCredit:
    permissions.require(actor, "answer", credit)
    credit = ProjectCredit.objects.select_for_update(of=("self",)).get(pk=credit.pk)
    if not credit.is_pending:
        raise _refuse(_("This invitation has already been answered."))
    return credit


@transaction.atomic
def credit_accept(*, actor: Any, credit: ProjectCredit) -> ProjectCredit:
    """The talent accepts: the credit shows on the project's page and showcase (while their
    profile is shown)."""
    credit = _answer(actor, credit)
    credit.accepted_at = timezone.now()
    credit.save(update_fields=["accepted_at"])
    audit.record(actor=actor, action="talent.accept", target=credit)
    return credit


@transaction.atomic
def credit_decline(*, actor: Any, credit: ProjectCredit) -> ProjectCredit:
    """The talent declines: nothing is shown, and the project may invite them again."""
    credit = _answer(actor, credit)
    credit.declined_at = timezone.now()
    credit.save(update_fields=["declined_at"])
    audit.record(actor=actor, action="talent.decline", target=credit)
    return credit
