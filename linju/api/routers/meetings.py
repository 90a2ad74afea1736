"""Meetings for the mini-program: an estate's meetings (of a building, project or kind), one
meeting, and the calls organisers and invitees make (plan, answer, record attendance, write and
publish the minutes). Thin over the meetings selectors and services.

Members of the estate see its meetings; when the estate's board is public, anyone does, and
names of who came are given only to the meeting's organisers. A caller without a token gets
401 for meetings that are not public; a signed-in outsider the same 404 as for a missing one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError

from linju.api.api import bearer, optional_bearer
from linju.api.schemas import ErrorOut
from linju.community import selectors as community_selectors
from linju.community.models import Building, Estate, Person
from linju.core import permissions
from linju.meetings import selectors, services
from linju.meetings.models import Meeting

router = Router(auth=optional_bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1


class MeetingQuery(Schema):
    estate: str
    building: str = ""
    project: int | None = None
    kind: str = ""
    offset: int = Field(0, ge=0)
    limit: int = Field(50, ge=1, le=200)


class MeetingItemOut(Schema):
    id: int
    estate: str
    building: str | None
    project: int | None
    kind: str
    kind_label: str
    title: str
    status: str
    status_label: str
    starts_at: str
    ends_at: str | None
    place: str
    invited: int
    took_part: int
    minutes_published_at: str | None
    notice: int | None


class OutcomeOut(Schema):
    position: int
    text: str


class PresentOut(Schema):
    name: str
    flats: str
    mode: str
    signed_on_paper: bool
    guest: bool


class CountsOut(Schema):
    total: int
    in_person: int
    online: int
    paper: int


class AnswersOut(Schema):
    total: int
    yes: int
    no: int
    maybe: int


class MeetingOut(MeetingItemOut):
    agenda: list[str]
    online_link: str | None
    cancel_reason: str
    minutes: str | None
    outcomes: list[OutcomeOut]
    invitations: AnswersOut
    attendance: CountsOut
    my_answer: str | None
    present: list[PresentOut] | None


class MeetingIn(Schema):
    estate: str
    kind: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None = None
    place: str = ""
    online_link: str = ""
    agenda: str = ""
    building: str | None = None
    project: int | None = None
    space: int | None = None


class RespondIn(Schema):
    answer: str


class AttendanceIn(Schema):
    person: int | None = None
    name: str = ""
    mode: str = "in_person"
    signed_on_paper: bool = False


class AttendanceOut(Schema):
    id: int
    person: int | None
    name: str
    mode: str
    signed_on_paper: bool


class MinutesIn(Schema):
    minutes: str
    outcomes: list[str] = []
    publish: bool = False
    to_board: bool = True
    days: int = services.BOARD_DAYS


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "view", Meeting(estate=estate)):
        if not request.user.is_authenticated:
            raise AuthenticationError
        raise Http404
    return estate


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    estate = (
        Estate.objects.filter(meetings__pk=meeting_id).first() if 0 < meeting_id <= MAX_ID else None
    )
    if estate is None:
        raise Http404
    try:
        return selectors.meeting_get(actor=request.user, estate=estate, meeting_id=meeting_id)
    except Http404:
        if not request.user.is_authenticated:
            raise AuthenticationError from None
        raise


def _item(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "estate": meeting.estate.slug,
        "building": meeting.building.number if meeting.building else None,
        "project": meeting.project_id,
        "kind": meeting.kind,
        "kind_label": meeting.get_kind_display(),
        "title": meeting.title,
        "status": meeting.status,
        "status_label": meeting.get_status_display(),
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": _iso(meeting.ends_at),
        "place": meeting.place,
        "invited": getattr(meeting, "invitation_count", 0),
        "took_part": getattr(meeting, "attendance_count", 0),
        "minutes_published_at": _iso(meeting.minutes_published_at),
        "notice": meeting.notice_id,
    }


def _detail(request: HttpRequest, meeting: Meeting) -> MeetingOut:
    may_manage = permissions.can(request.user, "manage", meeting)
    invitation = selectors.my_invitation(actor=request.user, meeting=meeting)
    shows_minutes = meeting.minutes_published or may_manage
    present = None
    if may_manage:
        present = [
            PresentOut(
                name=p.name,
                flats=p.flats,
                mode=p.mode,
                signed_on_paper=p.signed_on_paper,
                guest=p.guest,
            )
            for p in selectors.attendance_list(meeting=meeting)
        ]
    counts = selectors.attendance_counts(meeting=meeting)
    answers = selectors.invitation_counts(meeting=meeting)
    return MeetingOut(
        **{**_item(meeting), "invited": answers.total, "took_part": counts.total},
        agenda=meeting.agenda_items,
        online_link=meeting.online_link if (may_manage or invitation) else None,
        cancel_reason=meeting.cancel_reason,
        minutes=meeting.minutes if shows_minutes else None,
        outcomes=[
            OutcomeOut(position=o.position, text=o.text)
            for o in (selectors.outcomes(meeting=meeting) if shows_minutes else [])
        ],
        invitations=AnswersOut(**answers.__dict__),
        attendance=CountsOut(**counts.__dict__),
        my_answer=(invitation.response or None) if invitation else None,
        present=present,
    )


def _reloaded(request: HttpRequest, meeting: Meeting) -> Meeting:
    return selectors.meeting_get(actor=request.user, estate=meeting.estate, meeting_id=meeting.pk)


@router.get(
    "",
    response={200: list[MeetingItemOut], **READ_ERRORS},
    summary="An estate's meetings (of one building, project or kind), the latest first",
    description=(
        "`building` is a building's number, `project` a project's id, `kind` one of hearing, "
        "coordination, review, pitch, building, other. 401 without a token when the estate's "
        "board is not public."
    ),
)
def meeting_list(request: HttpRequest, filters: Query[MeetingQuery]):
    estate = _estate(request, filters.estate)
    if filters.kind and filters.kind not in Meeting.Kind.values:
        raise ValidationError({"kind": [_("Choose what kind of meeting it is.")]})
    building = selectors.building_for_list(estate=estate, number=filters.building)
    project = None
    if filters.project is not None:
        from linju.projects.models import Project

        project = Project.objects.filter(estate=estate, pk=filters.project).first()
        if project is None:
            raise Http404
    meetings = selectors.meeting_list(
        actor=request.user, estate=estate, building=building, project=project, kind=filters.kind
    )
    page = meetings[filters.offset : filters.offset + filters.limit]
    return [MeetingItemOut(**_item(m)) for m in page]


@router.get(
    "/{meeting_id}",
    response={200: MeetingOut, **READ_ERRORS},
    summary="A meeting: agenda, time and place, invitations and attendance counts, minutes",
    description=(
        "`minutes` and `outcomes` once the minutes are published (organisers see drafts). "
        "`present` (names and flats of who came) only for the meeting's organisers; "
        "`online_link` for organisers and those invited; `my_answer` is the caller's answer."
    ),
)
def meeting_detail(request: HttpRequest, meeting_id: int):
    return _detail(request, _meeting(request, meeting_id))


@router.post(
    "",
    auth=bearer,
    response={201: MeetingOut, **WRITE_ERRORS},
    summary="Plan a meeting (committee staff, owners' committee; a leader for their building)",
    description=(
        "`building` is a building's number; `project` a project's id (its building is used); "
        "`space` a bookable room's id, booked for the meeting's time (give `ends_at`)."
    ),
)
def meeting_create(request: HttpRequest, payload: MeetingIn):
    estate = community_selectors.estate_get(slug=payload.estate)
    if not permissions.can(request.user, "console", estate, model="meeting"):
        raise Http404
    building = None
    if payload.building:
        building = Building.objects.filter(estate=estate, number=payload.building).first()
        if building is None:
            raise ValidationError({"building": [_("Choose a building of this estate.")]})
    project = None
    if payload.project is not None:
        from linju.projects.models import Project

        project = Project.objects.filter(estate=estate, pk=payload.project).first()
        if project is None:
            raise ValidationError({"project": [_("Choose a project of this estate.")]})
    space = None
    if payload.space is not None:
        from linju.spaces.models import Space

        space = Space.objects.filter(estate=estate, pk=payload.space).first()
        if space is None:
            raise ValidationError({"space": [_("Choose a space of this estate.")]})
    meeting = services.meeting_create(
        actor=request.user,
        estate=estate,
        kind=payload.kind,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
        online_link=payload.online_link,
        agenda=payload.agenda,
        building=building,
        project=project,
        space=space,
    )
    return Status(201, _detail(request, _reloaded(request, meeting)))


@router.post(
    "/{meeting_id}/respond",
    auth=bearer,
    response={200: MeetingOut, **WRITE_ERRORS},
    summary="Answer one's invitation: yes, no or maybe",
    description="422 if the caller was not invited or the meeting is no longer planned.",
)
def meeting_respond(request: HttpRequest, meeting_id: int, payload: RespondIn):
    meeting = _meeting(request, meeting_id)
    services.meeting_respond(actor=request.user, meeting=meeting, answer=payload.answer)
    return _detail(request, _reloaded(request, meeting))


@router.post(
    "/{meeting_id}/attendance",
    auth=bearer,
    response={201: AttendanceOut, **WRITE_ERRORS},
    summary="Record that someone took part (the meeting's organisers)",
    description=(
        "`person` (a roster id of the estate) once per meeting, or `name` for a guest; `mode` "
        "in_person or online; `signed_on_paper` if they signed the paper sheet."
    ),
)
def meeting_attendance(request: HttpRequest, meeting_id: int, payload: AttendanceIn):
    meeting = _meeting(request, meeting_id)
    if not permissions.can(request.user, "manage", meeting):
        raise Http404
    person = None
    if payload.person is not None:
        person = (
            permissions.visible(request.user, Person.objects.filter(estate_id=meeting.estate_id))
            .filter(pk=payload.person)
            .first()
            if 0 < payload.person <= MAX_ID
            else None
        )
        if person is None:
            raise ValidationError({"person": [_("Choose someone of this estate's roster.")]})
    attendance = services.attendance_record(
        actor=request.user,
        meeting=meeting,
        person=person,
        name=payload.name,
        mode=payload.mode,
        signed_on_paper=payload.signed_on_paper,
    )
    return Status(
        201,
        AttendanceOut(
            id=attendance.pk,
            person=attendance.person_id,
            name=attendance.name,
            mode=attendance.mode,
            signed_on_paper=attendance.signed_on_paper,
        ),
    )


@router.post(
    "/{meeting_id}/minutes",
    auth=bearer,
    response={200: MeetingOut, **WRITE_ERRORS},
    summary="Write the minutes and outcomes, and optionally publish them (organisers)",
    description=(
        "Writing marks the meeting held (it must have started). With `publish`, the minutes "
        "and outcomes are published: a hearing's, coordination or review meeting's always on "
        "the notice board, another's there when `to_board`, for `days` days."
    ),
)
def meeting_minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn):
    meeting = _meeting(request, meeting_id)
    if not permissions.can(request.user, "manage", meeting):
        raise Http404
    from django.db import transaction

    with transaction.atomic():
        meeting = services.minutes_write(
            actor=request.user, meeting=meeting, minutes=payload.minutes, outcomes=payload.outcomes
        )
        if payload.publish:
            meeting = services.minutes_publish(
                actor=request.user, meeting=meeting, to_board=payload.to_board, days=payload.days
            )
    return _detail(request, _reloaded(request, meeting))
