"""Writes for meetings.

Each service checks permission, locks the meeting, validates, writes and audits in one
transaction: a refused or invalid call writes nothing (a room booked for the meeting, the
notice made from its minutes and the notifications sent roll back with it).

Lifecycle: planned (edited, invitations sent and answered) → held (its minutes are written;
attendance is recorded from the day of the meeting) → minutes published (on the disclosure
board for hearings, coordination and review meetings, and optionally for other meetings; never
edited again). A planned meeting can be cancelled with a reason instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from linju.community.models import Building, Estate, Occupancy, Person
from linju.core import audit, permissions
from linju.core.images import photo_store
from linju.meetings.models import Attendance, AttendanceSheet, Invitation, Meeting, Outcome

TITLE_MAX = 120
AGENDA_MAX = 4000
PLACE_MAX = 200
LINK_MAX = 300
MINUTES_MAX = 15_000
OUTCOME_MAX = 500
OUTCOMES_MAX = 30
NAME_MAX = 60
REASON_MAX = 300
LONGEST = datetime.timedelta(hours=12)
MAX_SHEETS = 20
MAX_INVITED = 3000
BOARD_DAYS = 30


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _locked(meeting: Meeting) -> Meeting:
    # of=("self",): lock the meeting only, not the estate row it is joined with.
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("estate", "building", "project")
        .get(pk=meeting.pk)
    )


def _has_nul(*texts: str) -> bool:
    return any("\x00" in text for text in texts)


def _user_of(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Planning --------------------------------------------------------------------------------


def _clean(
    estate: Estate,
    *,
    kind: Any,
    title: Any,
    agenda: Any,
    starts_at: Any,
    ends_at: Any,
    place: Any,
    online_link: Any,
    building: Building | None,
    project: Any,
) -> dict[str, Any]:
    """The meeting's fields as stored, or a ValidationError naming each field to correct."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = str(title or "").strip()
    agenda = "\n".join(line.rstrip() for line in str(agenda or "").strip().splitlines())
    place = str(place or "").strip()
    online_link = str(online_link or "").strip()
    if kind not in Meeting.Kind.values:
        add("kind", _("Choose what kind of meeting it is."))
    if not title:
        add("title", _("Give the meeting a title."))
    elif len(title) > TITLE_MAX:
        add("title", _("Keep the title to %(n)s characters or fewer.") % {"n": TITLE_MAX})
    if len(agenda) > AGENDA_MAX:
        add("agenda", _("Keep the agenda to %(n)s characters or fewer.") % {"n": AGENDA_MAX})
    if len(place) > PLACE_MAX:
        add("place", _("Keep the place to %(n)s characters or fewer.") % {"n": PLACE_MAX})
    if online_link:
        try:
            if len(online_link) > LINK_MAX:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(online_link)
        except ValidationError:
            add("online_link", _("Give the online meeting's link as a web address (https://…)."))
    if not place and not online_link:
        add("place", _("Say where the meeting is, or give its online link."))
    if not isinstance(starts_at, datetime.datetime) or timezone.is_naive(starts_at):
        add("starts_at", _("Give the day and time the meeting starts."))
    elif ends_at is not None:
        if not isinstance(ends_at, datetime.datetime) or timezone.is_naive(ends_at):
            add("ends_at", _("Give the time the meeting ends, or leave it empty."))
        elif ends_at <= starts_at:
            add("ends_at", _("The meeting must end after it starts."))
        elif ends_at - starts_at > LONGEST:
            add("ends_at", _("A meeting lasts at most 12 hours."))
    if building is not None and building.estate_id != estate.pk:
        add("building", _("Choose a building of this estate."))
    if project is not None:
        if project.estate_id != estate.pk:
            add("project", _("Choose a project of this estate."))
        elif project.building_id is not None:
            if building is None:
                building = project.building
            elif building.pk != project.building_id:
                add("building", _("This project belongs to another building."))
    if kind == Meeting.Kind.BUILDING and building is None:
        add("building", _("A building-group meeting needs its building."))
    if _has_nul(title, agenda, place, online_link):
        add("__all__", _("The text holds a character that is not allowed."))
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "title": title,
        "agenda": agenda,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "online_link": online_link,
        "building": building,
        "project": project,
    }


def _book(*, actor: Any, space: Any, meeting: Meeting) -> Any:
    """Book ``space`` for the meeting's time through the shared-spaces services."""
    from linju.spaces import services as spaces

    if space.estate_id != meeting.estate_id:
        raise _refuse(_("Choose a space of this estate."), field="space")
    if meeting.ends_at is None:
        raise _refuse(_("Give the time the meeting ends to book a room for it."), field="ends_at")
    try:
        return spaces.booking_create(
            actor=actor,
            space=space,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            purpose=meeting.title[:200],
        )
    except PermissionDenied as exc:
        raise _refuse(
            _("You may not book this space; ask its manager, or give another place."),
            field="space",
        ) from exc
    except ValidationError as exc:
        messages = exc.messages
        raise ValidationError({"space": messages}) from exc


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    estate: Estate,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    agenda: str = "",
    place: str = "",
    online_link: str = "",
    building: Building | None = None,
    project: Any = None,
    space: Any = None,
) -> Meeting:
    """Plan a meeting. A building-group leader plans ordinary meetings of their building;
    committee staff and the owners' committee any meeting of the estate. A project's meeting is
    its building's. With ``space`` (a bookable room such as a lobby's public living room) the
    room is booked for the meeting's time, or nothing is written."""
    if project is not None and building is None and project.estate_id == estate.pk:
        building = project.building
    if space is not None and not place:
        place = space.name
    permissions.require(
        actor, "create", Meeting(estate=estate, building=building, kind=kind, project=project)
    )
    values = _clean(
        estate,
        kind=kind,
        title=title,
        agenda=agenda,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_link=online_link,
        building=building,
        project=project,
    )
    meeting = Meeting(estate=estate, created_by=_user_of(actor), **values)
    permissions.require(actor, "create", meeting)
    meeting.save()
    if space is not None:
        meeting.booking = _book(actor=actor, space=space, meeting=meeting)
        meeting.save(update_fields=["booking"])
    audit.record(
        actor=actor,
        action="meeting.create",
        target=meeting,
        changes={"kind": [None, meeting.kind], "starts_at": [None, meeting.starts_at.isoformat()]},
    )
    return meeting


def _require_planned(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.PLANNED:
        raise _refuse(_("Only a planned meeting can be changed."))


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    agenda: str = "",
    place: str = "",
    online_link: str = "",
    building: Building | None = None,
    project: Any = None,
) -> Meeting:
    """Change a planned meeting. Moving it needs the right to organise it where it goes; a room
    booked for it is booked again for the new time (or nothing changes)."""
    permissions.require(actor, "manage", meeting)
    meeting = _locked(meeting)
    _require_planned(meeting)
    if project is not None and building is None and project.estate_id == meeting.estate_id:
        building = project.building
    permissions.require(
        actor,
        "create",
        Meeting(estate=meeting.estate, building=building, kind=kind, project=project),
    )
    values = _clean(
        meeting.estate,
        kind=kind,
        title=title,
        agenda=agenda,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_link=online_link,
        building=building,
        project=project,
    )
    moved = values["starts_at"] != meeting.starts_at or values["ends_at"] != meeting.ends_at
    diff = audit.changes(meeting, values)
    for name, value in values.items():
        setattr(meeting, name, value)
    booking = meeting.booking if meeting.booking_id else None
    if moved and booking is not None and booking.is_confirmed:
        from linju.spaces import services as spaces

        spaces.booking_cancel(actor=actor, booking=booking)
        meeting.booking = None
        meeting.save()
        meeting.booking = _book(actor=actor, space=booking.space, meeting=meeting)
    meeting.save()
    if diff:
        audit.record(actor=actor, action="meeting.update", target=meeting, changes=diff)
    return meeting


def _lazy(text_of: Any) -> Any:
    return lazy(text_of, str)()


def _when(meeting: Meeting) -> str:
    return f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}"


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting, with the reason everyone sees. Its room booking is cancelled
    and everyone invited with an account is told."""
    permissions.require(actor, "manage", meeting)
    meeting = _locked(meeting)
    _require_planned(meeting)
    reason = str(reason or "").strip()
    if not reason:
        raise _refuse(_("Say why the meeting is cancelled; the reason is shown with it."), "reason")
    if len(reason) > REASON_MAX:
        raise _refuse(
            _("Keep the reason to %(n)s characters or fewer.") % {"n": REASON_MAX}, "reason"
        )
    if _has_nul(reason):
        raise _refuse(_("The text holds a character that is not allowed."), "reason")
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason
    meeting.save()
    booking = meeting.booking if meeting.booking_id else None
    if booking is not None and booking.is_confirmed and booking.ends_at > timezone.now():
        from linju.spaces import services as spaces

        spaces.booking_cancel(actor=actor, booking=booking)
    audit.record(
        actor=actor,
        action="meeting.cancel",
        target=meeting,
        changes={"status": ["planned", "cancelled"], "cancel_reason": ["", reason]},
    )
    title = meeting.title
    when = _when(meeting)
    _tell_invited(
        meeting,
        actor,
        kind="meeting.cancelled",
        title=_lazy(lambda: _("Meeting cancelled: %(title)s") % {"title": title}),
        body=_lazy(lambda: _("%(when)s · %(reason)s") % {"when": when, "reason": reason}),
    )
    return meeting


# --- Invitations -----------------------------------------------------------------------------


def _invited_users(meeting: Meeting, invitations: Iterable[Invitation]) -> list[Any]:
    users: dict[int, Any] = {}
    for invitation in invitations:
        user = invitation.user or (invitation.person.user if invitation.person else None)
        if user is not None and user.is_active:
            users[user.pk] = user
    return [users[pk] for pk in sorted(users)]


def _tell_invited(
    meeting: Meeting,
    actor: Any,
    *,
    kind: str,
    title: Any,
    body: Any,
    invitations: Iterable[Invitation] | None = None,
) -> int:
    from linju.notifications.services import notify

    if invitations is None:
        invitations = Invitation.objects.filter(meeting=meeting).select_related(
            "user", "person__user"
        )
    told = 0
    url = meeting.get_absolute_url()
    for user in _invited_users(meeting, invitations):
        if user.pk == getattr(actor, "pk", None):
            continue
        notify(recipient=user, kind=kind, title=title, body=body, url=url, estate=meeting.estate)
        told += 1
    return told


@transaction.atomic
def meeting_invite(
    *,
    actor: Any,
    meeting: Meeting,
    people: Iterable[Person] = (),
    users: Iterable[Any] = (),
    building_residents: bool = False,
) -> int:
    """Invite the adults living in the meeting's building today (``building_residents``), and/or
    the chosen people of the estate's roster or accounts (a designer, a street officer). Each is
    invited once; those with an account are told. Returns how many were newly invited."""
    permissions.require(actor, "manage", meeting)
    meeting = _locked(meeting)
    _require_planned(meeting)
    chosen: dict[int, Person] = {}
    for person in people:
        if person.estate_id != meeting.estate_id:
            raise _refuse(_("Choose people of this estate's roster."), field="people")
        chosen[person.pk] = person
    if building_residents:
        if meeting.building_id is None:
            raise _refuse(
                _("This meeting is for the whole estate: choose the people to invite."),
                field="building_residents",
            )
        for occupancy in (
            Occupancy.objects.current()
            .filter(flat__building_id=meeting.building_id, person__is_minor=False)
            .select_related("person__user")
        ):
            chosen[occupancy.person_id] = occupancy.person
    accounts = {user.pk: user for user in users if user is not None}
    if not chosen and not accounts:
        raise _refuse(_("Choose whom to invite."), field="people")
    if len(chosen) + len(accounts) > MAX_INVITED:
        raise _refuse(_("Invite at most %(n)s people at a time.") % {"n": MAX_INVITED})
    existing = Invitation.objects.filter(meeting=meeting)
    already_people = set(existing.filter(person__isnull=False).values_list("person_id", flat=True))
    already_users = set(existing.filter(person__isnull=True).values_list("user_id", flat=True))
    person_of_user = {
        p.user_id: p for p in chosen.values() if p.user_id is not None
    }  # an account already invited as a person is not invited twice
    now = timezone.now()
    inviter = _user_of(actor)
    new = [
        Invitation(
            estate_id=meeting.estate_id,
            meeting=meeting,
            person=person,
            user=person.user,
            invited_by=inviter,
            invited_at=now,
        )
        for pk, person in sorted(chosen.items())
        if pk not in already_people
    ]
    new += [
        Invitation(
            estate_id=meeting.estate_id,
            meeting=meeting,
            user=user,
            invited_by=inviter,
            invited_at=now,
        )
        for pk, user in sorted(accounts.items())
        if pk not in already_users and pk not in person_of_user
    ]
    Invitation.objects.bulk_create(new)
    audit.record(
        actor=actor,
        action="meeting.invite",
        target=meeting,
        changes={"invited": [len(already_people) + len(already_users), len(new)]},
    )
    title = meeting.title
    when = _when(meeting)
    place = meeting.place or meeting.online_link
    _tell_invited(
        meeting,
        actor,
        kind="meeting.invited",
        title=_lazy(lambda: _("You are invited: %(title)s") % {"title": title}),
        body=_lazy(lambda: _("%(when)s · %(place)s") % {"when": when, "place": place}),
        invitations=new,
    )
    return len(new)


@transaction.atomic
def meeting_respond(*, actor: Any, meeting: Meeting, answer: str) -> Invitation:
    """Answer one's own invitation (yes, no or maybe; again to change it) while the meeting is
    planned. Someone who was not invited is refused."""
    permissions.require(actor, "respond", meeting)
    meeting = _locked(meeting)
    if answer not in Invitation.Answer.values:
        raise _refuse(_("Answer yes, no or maybe."), field="answer")
    if meeting.status != Meeting.Status.PLANNED:
        raise _refuse(_("This meeting is no longer taking answers."))
    person_ids = permissions.actor_for(actor).person_ids
    mine = list(
        Invitation.objects.select_for_update()
        .filter(meeting=meeting)
        .filter(Q(user=actor) | Q(person_id__in=person_ids))
        .order_by("pk")
    )
    if not mine:
        raise _refuse(_("You were not invited to this meeting."), code="not_invited")
    now = timezone.now()
    for invitation in mine:
        invitation.response, invitation.responded_at = answer, now
        invitation.save(update_fields=["response", "responded_at"])
    audit.record(
        actor=actor, action="meeting.respond", target=meeting, changes={"answer": [None, answer]}
    )
    return mine[0]


# --- Attendance ------------------------------------------------------------------------------


def _require_open_record(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise _refuse(_("This meeting was cancelled."))
    if meeting.minutes_published:
        raise _refuse(_("The minutes are published: the record of this meeting is closed."))


@transaction.atomic
def attendance_record(
    *,
    actor: Any,
    meeting: Meeting,
    person: Person | None = None,
    name: str = "",
    mode: str = Attendance.Mode.IN_PERSON,
    signed_on_paper: bool = False,
) -> Attendance:
    """Record that someone took part: a person of the roster (once per meeting) or a guest by
    name; in person or online; and whether they signed the paper sheet. From the day of the
    meeting until its minutes are published."""
    permissions.require(actor, "manage", meeting)
    meeting = _locked(meeting)
    _require_open_record(meeting)
    if timezone.localtime(meeting.starts_at).date() > timezone.localdate():
        raise _refuse(_("Attendance is recorded from the day of the meeting."))
    if mode not in Attendance.Mode.values:
        raise _refuse(_("Choose in person or online."), field="mode")
    name = str(name or "").strip()
    if person is None and not name:
        raise _refuse(_("Choose someone from the roster, or write a guest's name."), "person")
    if person is not None and name:
        raise _refuse(_("Choose someone from the roster or write a guest's name, not both."))
    if len(name) > NAME_MAX:
        raise _refuse(_("Keep the name to %(n)s characters or fewer.") % {"n": NAME_MAX}, "name")
    if _has_nul(name):
        raise _refuse(_("The text holds a character that is not allowed."), "name")
    if person is not None:
        if person.estate_id != meeting.estate_id or not permissions.can(actor, "view", person):
            raise _refuse(_("Choose someone of this estate's roster."), field="person")
        if Attendance.objects.filter(meeting=meeting, person=person).exists():
            raise _refuse(
                _("%(name)s is already on the attendance list.") % {"name": person.full_name},
                field="person",
                code="duplicate",
            )
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                estate_id=meeting.estate_id,
                meeting=meeting,
                person=person,
                name=name,
                mode=mode,
                signed_on_paper=bool(signed_on_paper),
                recorded_by=_user_of(actor),
            )
    except IntegrityError as exc:  # a second click that raced the first
        raise _refuse(_("This person is already on the attendance list."), "person") from exc
    audit.record(
        actor=actor,
        action="meeting.attendance_record",
        target=meeting,
        changes={"attendance": [None, str(person.pk) if person else "guest"], "mode": [None, mode]},
    )
    return attendance


@transaction.atomic
def attendance_remove(*, actor: Any, attendance: Attendance) -> None:
    """Take a mistaken line off the attendance list (until the minutes are published)."""
    meeting = attendance.meeting
    permissions.require(actor, "manage", meeting)
    meeting = _locked(meeting)
    _require_open_record(meeting)
    who = str(attendance.person_id) if attendance.person_id else "guest"
    attendance.delete()
    audit.record(
        actor=actor,
        action="meeting.attendance_remove",
        target=meeting,
        changes={"attendance": [who, None]},
    )


@transaction.atomic
def attendance_sheet_add(*, actor: Any, meeting: Meeting, upload: Any) -> AttendanceSheet:
    """Keep a photo of the signed paper attendance sheet (re-encoded, location data removed)."""
    permissions.require(actor, "manage", meeting)
    meeting = _locked(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise _refuse(_("This meeting was cancelled."))
    if AttendanceSheet.objects.filter(meeting=meeting).count() >= MAX_SHEETS:
        raise _refuse(_("A meeting keeps at most %(n)s sheet photos.") % {"n": MAX_SHEETS}, "photo")
    sheet = AttendanceSheet(
        estate_id=meeting.estate_id, meeting=meeting, uploaded_by=_user_of(actor)
    )
    try:
        photo_store(sheet, upload)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc
    audit.record(
        actor=actor, action="meeting.sheet_add", target=meeting, changes={"sheet": [None, sheet.pk]}
    )
    return sheet


# --- Minutes, outcomes and the board ---------------------------------------------------------


def _clean_outcomes(outcomes: Iterable[Any]) -> list[str]:
    texts = [str(text or "").strip() for text in outcomes]
    texts = [text for text in texts if text]
    if len(texts) > OUTCOMES_MAX:
        raise _refuse(_("Record at most %(n)s outcomes.") % {"n": OUTCOMES_MAX}, field="outcomes")
    if any(len(text) > OUTCOME_MAX for text in texts):
        raise _refuse(
            _("Keep each outcome to %(n)s characters or fewer.") % {"n": OUTCOME_MAX},
            field="outcomes",
        )
    if _has_nul(*texts):
        raise _refuse(_("The text holds a character that is not allowed."), "outcomes")
    return texts


@transaction.atomic
def minutes_write(
    *, actor: Any, meeting: Meeting, minutes: str, outcomes: Iterable[str] | None = None
) -> Meeting:
    """Write (or correct) the minutes of a meeting that has started, and its outcomes in order
    (given, they replace the earlier list). The meeting counts as held from now on. Published
    minutes are not changed again."""
    permissions.require(actor, "manage", meeting)
    meeting = _locked(meeting)
    _require_open_record(meeting)
    if meeting.starts_at > timezone.now():
        raise _refuse(_("The minutes are written once the meeting has started."))
    minutes = "\n".join(line.rstrip() for line in str(minutes or "").strip().splitlines())
    if not minutes:
        raise _refuse(_("Write the minutes."), field="minutes")
    if len(minutes) > MINUTES_MAX:
        raise _refuse(
            _("Keep the minutes to %(n)s characters or fewer.") % {"n": MINUTES_MAX}, "minutes"
        )
    if _has_nul(minutes):
        raise _refuse(_("The text holds a character that is not allowed."), "minutes")
    texts = _clean_outcomes(outcomes) if outcomes is not None else None
    changes: dict[str, Any] = {"minutes": [len(meeting.minutes), len(minutes)]}
    if meeting.status != Meeting.Status.HELD:
        changes["status"] = [meeting.status, Meeting.Status.HELD]
    meeting.minutes = minutes
    meeting.status = Meeting.Status.HELD
    meeting.save()
    if texts is not None:
        Outcome.objects.filter(meeting=meeting).delete()
        Outcome.objects.bulk_create(
            Outcome(
                estate_id=meeting.estate_id,
                meeting=meeting,
                project_id=meeting.project_id,
                position=position,
                text=text,
            )
            for position, text in enumerate(texts, start=1)
        )
        changes["outcomes"] = [None, len(texts)]
    audit.record(actor=actor, action="meeting.minutes_write", target=meeting, changes=changes)
    return meeting


def notice_text(meeting: Meeting) -> str:
    """The board notice's text: what, when and where, how many took part, the agenda, the
    minutes and the outcomes (no names of those who came)."""
    counts = {"total": 0, "in_person": 0, "online": 0, "paper": 0}
    for mode, paper in Attendance.objects.filter(meeting=meeting).values_list(
        "mode", "signed_on_paper"
    ):
        counts["total"] += 1
        counts[mode] += 1
        counts["paper"] += int(paper)
    lines = [f"{meeting.get_kind_display()} · {_when(meeting)} · {meeting.place}".rstrip(" ·")]
    if meeting.project is not None:
        lines.append(_("Project: %(title)s") % {"title": meeting.project.title})
    lines.append(
        _(
            "Took part: %(total)s (%(in_person)s in person, %(online)s online; "
            "%(paper)s signed the paper sheet)"
        )
        % counts
    )
    if meeting.agenda_items:
        lines += ["", _("Agenda")]
        lines += [f"{n}. {item}" for n, item in enumerate(meeting.agenda_items, start=1)]
    lines += ["", _("Minutes"), meeting.minutes]
    outcomes = list(Outcome.objects.filter(meeting=meeting).values_list("text", flat=True))
    if outcomes:
        lines += ["", _("Outcomes")]
        lines += [f"{n}. {text}" for n, text in enumerate(outcomes, start=1)]
    lines += ["", _("The meeting's page: %(url)s") % {"url": meeting.get_absolute_url()}]
    return "\n".join(lines)


@transaction.atomic
def minutes_publish(
    *, actor: Any, meeting: Meeting, to_board: bool = True, days: int = BOARD_DAYS
) -> Meeting:
    """Publish the minutes and outcomes of a held meeting, once. A hearing's, coordination or
    review meeting's go to the disclosure board as a published notice in the "hearings,
    coordination and review meetings" category, always; another meeting's go there (category
    "other matters") when ``to_board``, else they are shown on the meeting's page only. The
    notice is linked back to the meeting."""
    permissions.require(actor, "manage", meeting)
    meeting = _locked(meeting)
    if meeting.minutes_published:
        raise _refuse(_("The minutes are already published."), code="published")
    if meeting.status != Meeting.Status.HELD or not meeting.minutes:
        raise _refuse(_("Write the minutes first."), code="no_minutes")
    now = timezone.now()
    if meeting.minutes_go_to_board or to_board:
        from linju.notices import services as notices
        from linju.notices.models import Notice

        category = (
            Notice.Category.HEARINGS if meeting.minutes_go_to_board else Notice.Category.OTHER
        )
        notice = notices.notice_create(
            actor=actor,
            estate=meeting.estate,
            building=meeting.building,
            category=category,
            title=_("Minutes: %(title)s") % {"title": meeting.title},
            body=notice_text(meeting),
        )
        meeting.notice = notices.notice_publish(actor=actor, notice=notice, days=days)
    meeting.minutes_published_at = now
    meeting.save()
    audit.record(
        actor=actor,
        action="meeting.minutes_publish",
        target=meeting,
        changes={"notice": [None, meeting.notice_id]},
    )
    return meeting
