"""Reads for the talents directory. Every list filters on consent (``models.shown_q``), so a
profile whose person has not consented, or has withdrawn, appears nowhere but to its person."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from linju.community.models import Estate
from linju.core import permissions
from linju.talents.models import (
    ProjectCredit,
    Skill,
    TalentProfile,
    TalentSkill,
    TalentWork,
    shown_q,
)


def directory(*, actor: Any, estate: Estate, skill: str = "") -> QuerySet[TalentProfile]:
    """The shown profiles of ``estate`` (filtered by ``skill`` when it is one of the list),
    with their skills and works: three queries however many there are."""
    profiles = permissions.visible(actor, TalentProfile.objects.filter(shown_q(), estate=estate))
    if skill in Skill.values:
        profiles = profiles.filter(skills__skill=skill)
    return profiles.prefetch_related(
        Prefetch("skills", queryset=TalentSkill.objects.order_by("skill")),
        Prefetch("works", queryset=TalentWork.objects.order_by("-added_at", "-pk")),
    ).order_by("display_name", "pk")


def profile_get(*, actor: Any, estate: Estate, profile_id: int) -> TalentProfile:
    """A profile the actor may see (shown, or their own); otherwise the same 404."""
    profile = permissions.get_visible_or_404(
        actor,
        TalentProfile.objects.select_related("estate").prefetch_related("skills"),
        pk=profile_id,
        estate=estate,
    )
    assert isinstance(profile, TalentProfile)
    return profile


def own_profile(*, actor: Any, estate: Estate) -> TalentProfile | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return (
        TalentProfile.objects.filter(user=actor, estate=estate)
        .prefetch_related("skills", "works")
        .first()
    )


def work_get(*, actor: Any, estate: Estate, work_id: int) -> TalentWork:
    work = permissions.get_visible_or_404(
        actor, TalentWork.objects.select_related("profile"), pk=work_id, estate=estate
    )
    assert isinstance(work, TalentWork)
    return work


def invitations(*, actor: Any, estate: Estate) -> QuerySet[ProjectCredit]:
    """The invitations to the actor's profile in ``estate``, open ones first."""
    if not getattr(actor, "is_authenticated", False):
        return ProjectCredit.objects.none()
    return (
        ProjectCredit.objects.filter(profile__user=actor, estate=estate)
        .select_related("project__estate", "project__building", "profile")
        .order_by("-invited_at", "-pk")
    )


def credit_get(*, actor: Any, estate: Estate, credit_id: int) -> ProjectCredit:
    credit = permissions.get_visible_or_404(
        actor,
        ProjectCredit.objects.select_related("profile", "project"),
        pk=credit_id,
        estate=estate,
    )
    assert isinstance(credit, ProjectCredit)
    return credit


def project_credits(*, project: Any) -> list[ProjectCredit]:
    """The accepted credits of a project whose talents are shown: one query."""
    return list(
        ProjectCredit.objects.filter(
            shown_q("profile__"), project=project, accepted_at__isnull=False
        )
        .select_related("profile")
        .order_by("accepted_at", "pk")
    )


def project_section(*, project: Any, actor: Any, showcase: bool) -> dict[str, Any] | None:
    """The "talents who helped" section of a project's page and showcase: accepted credits of
    consenting talents only (a name and a role, nothing else personal)."""
    from django.utils.translation import gettext_lazy as _

    credits = project_credits(project=project)
    may_invite = not showcase and permissions.can(
        actor, "create", ProjectCredit(estate_id=project.estate_id, project=project)
    )
    if not credits and not may_invite:
        return None
    return {
        "title": _("Residents' talents who helped"),
        "template": "talents/_project_section.html",
        "context": {
            "talent_credits": credits,
            "talent_may_invite": may_invite,
            "talent_showcase": showcase,
        },
        "order": 80,
    }
