"""The talents directory (社区达人) for the mini-program: shown profiles of an estate, one
profile with its works and credits, the caller's invitations and their answers. Thin over the
talents selectors and services; a profile without its person's consent is the same 404 as a
missing one to everybody but that person."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema

from linju.api.api import bearer
from linju.api.schemas import ErrorOut
from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.talents import selectors, services
from linju.talents.models import ProjectCredit, TalentProfile

router = Router(auth=bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class TalentQuery(Schema):
    estate: str
    skill: str = ""


class EstateQuery(Schema):
    estate: str


class WorkOut(Schema):
    id: int
    caption: str
    thumb: str
    web: str


class CreditOut(Schema):
    id: int
    project: int
    project_title: str
    role: str
    status: str


class TalentItemOut(Schema):
    id: int
    name: str
    skills: list[str]
    skill_labels: list[str]


class TalentOut(TalentItemOut):
    profile: str
    works: list[WorkOut]
    credits: list[CreditOut]


def _estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "list", estate, model="talent_profile"):
        raise Http404
    return estate


def _item(profile: TalentProfile) -> dict[str, Any]:
    skills = list(profile.skills.all())
    return {
        "id": profile.pk,
        "name": profile.display_name,
        "skills": [s.skill for s in skills],
        "skill_labels": [str(s.get_skill_display()) for s in skills],
    }


def _credit(credit: ProjectCredit) -> dict[str, Any]:
    status = "accepted" if credit.accepted_at else "declined" if credit.declined_at else "invited"
    return {
        "id": credit.pk,
        "project": credit.project_id,
        "project_title": credit.project.title,
        "role": credit.role,
        "status": status,
    }


@router.get(
    "",
    response={200: list[TalentItemOut], **READ_ERRORS},
    summary="An estate's talents directory (members; only profiles shown with consent)",
)
def talent_list(request: HttpRequest, filters: Query[TalentQuery]):
    estate = _estate(request, filters.estate)
    profiles = selectors.directory(actor=request.user, estate=estate, skill=filters.skill)
    return [TalentItemOut(**_item(p)) for p in profiles]


@router.get(
    "/invitations",
    response={200: list[CreditOut], **READ_ERRORS},
    summary="The caller's invitations to projects in an estate",
)
def talent_invitations(request: HttpRequest, filters: Query[EstateQuery]):
    estate = _estate(request, filters.estate)
    return [
        CreditOut(**_credit(c)) for c in selectors.invitations(actor=request.user, estate=estate)
    ]


@router.get(
    "/{profile_id}",
    response={200: TalentOut, **READ_ERRORS},
    summary="A talent's profile, works and accepted project credits",
)
def talent_detail(request: HttpRequest, profile_id: int):
    profile = (
        TalentProfile.objects.filter(pk=profile_id).select_related("estate").first()
        if 0 < profile_id <= MAX_ID
        else None
    )
    if profile is None:
        raise Http404
    estate = _estate(request, profile.estate.slug)
    profile = selectors.profile_get(actor=request.user, estate=estate, profile_id=profile_id)
    slug = estate.slug
    return TalentOut(
        **_item(profile),
        profile=profile.profile,
        works=[
            WorkOut(
                id=w.pk,
                caption=w.caption,
                thumb=reverse("talent_work_photo", args=[slug, w.pk, "thumb"]),
                web=reverse("talent_work_photo", args=[slug, w.pk, "web"]),
            )
            for w in profile.works.order_by("-added_at", "-pk")
        ],
        credits=[
            CreditOut(**_credit(c))
            for c in profile.credits.filter(accepted_at__isnull=False).select_related("project")
        ],
    )


def _own_credit(request: HttpRequest, credit_id: int) -> ProjectCredit:
    credit = (
        ProjectCredit.objects.filter(pk=credit_id).select_related("estate").first()
        if 0 < credit_id <= MAX_ID
        else None
    )
    if credit is None:
        raise Http404
    estate = _estate(request, credit.estate.slug)
    return selectors.credit_get(actor=request.user, estate=estate, credit_id=credit_id)


@router.post(
    "/invitations/{credit_id}/accept",
    response={200: CreditOut, **WRITE_ERRORS},
    summary="Accept an invitation: the credit shows on the project's showcase",
)
def talent_invitation_accept(request: HttpRequest, credit_id: int):
    credit = services.credit_accept(actor=request.user, credit=_own_credit(request, credit_id))
    return CreditOut(**_credit(credit))


@router.post(
    "/invitations/{credit_id}/decline",
    response={200: CreditOut, **WRITE_ERRORS},
    summary="Decline an invitation",
)
def talent_invitation_decline(request: HttpRequest, credit_id: int):
    credit = services.credit_decline(actor=request.user, credit=_own_credit(request, credit_id))
    return CreditOut(**_credit(credit))
