"""Reads for meetings. Each list comes from a fixed number of queries, however many meetings,
invitations or people there are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from linju.community.models import Building, Estate, Occupancy, Person
from linju.core import permissions
from linju.meetings.models import Attendance, AttendanceSheet, Invitation, Meeting, Outcome

ROSTER_LIMIT = 20


def _annotated(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return queryset.select_related("estate", "building", "project", "notice").annotate(
        invitation_count=Count("invitations", distinct=True),
        attendance_count=Count("attendances", distinct=True),
    )


def meeting_list(
    *,
    actor: Any,
    estate: Estate,
    building: Building | None = None,
    project: Any = None,
    kind: str = "",
) -> QuerySet[Meeting]:
    """The meetings of ``estate`` the actor may see (of one building, project or kind), the
    latest first."""
    meetings = permissions.visible(actor, Meeting.objects.filter(estate=estate))
    if building is not None:
        meetings = meetings.filter(building=building)
    if project is not None:
        meetings = meetings.filter(project=project)
    if kind:
        meetings = meetings.filter(kind=kind)
    return _annotated(meetings).order_by("-starts_at", "-pk")


def meeting_get(*, actor: Any, estate: Estate, meeting_id: Any) -> Meeting:
    """One meeting of the estate; missing, foreign and hidden ones give the same 404."""
    meeting = permissions.get_visible_or_404(
        actor, _annotated(Meeting.objects.filter(estate=estate)), pk=meeting_id
    )
    assert isinstance(meeting, Meeting)
    return meeting


def meeting_console_list(*, actor: Any, estate: Estate) -> list[Meeting]:
    """The meetings of ``estate`` the actor organises (a leader: their building's group
    meetings)."""
    meetings = _annotated(Meeting.objects.filter(estate=estate)).order_by("-starts_at", "-pk")
    return [m for m in meetings if permissions.can(actor, "manage", m)]


def building_for_list(*, estate: Estate, number: str) -> Building | None:
    if not number:
        return None
    building = Building.objects.filter(estate=estate, number=number).first()
    if building is None:
        raise Http404
    return building


@dataclass(frozen=True)
class Counts:
    total: int = 0
    in_person: int = 0
    online: int = 0
    paper: int = 0


def attendance_counts(*, meeting: Meeting) -> Counts:
    rows = Attendance.objects.filter(meeting=meeting).aggregate(
        total=Count("pk"),
        in_person=Count("pk", filter=Q(mode=Attendance.Mode.IN_PERSON)),
        online=Count("pk", filter=Q(mode=Attendance.Mode.ONLINE)),
        paper=Count("pk", filter=Q(signed_on_paper=True)),
    )
    return Counts(**rows)


@dataclass(frozen=True)
class Answers:
    total: int = 0
    yes: int = 0
    no: int = 0
    maybe: int = 0


def invitation_counts(*, meeting: Meeting) -> Answers:
    rows = Invitation.objects.filter(meeting=meeting).aggregate(
        total=Count("pk"),
        yes=Count("pk", filter=Q(response=Invitation.Answer.YES)),
        no=Count("pk", filter=Q(response=Invitation.Answer.NO)),
        maybe=Count("pk", filter=Q(response=Invitation.Answer.MAYBE)),
    )
    return Answers(**rows)


def my_invitation(*, actor: Any, meeting: Meeting) -> Invitation | None:
    """The actor's own invitation to ``meeting`` (as a person of the roster or an account)."""
    if not getattr(actor, "is_authenticated", False):
        return None
    person_ids = permissions.actor_for(actor).person_ids
    return (
        Invitation.objects.filter(meeting=meeting)
        .filter(Q(user=actor) | Q(person_id__in=person_ids))
        .order_by("pk")
        .first()
    )


def outcomes(*, meeting: Meeting) -> list[Outcome]:
    return list(Outcome.objects.filter(meeting=meeting).order_by("position"))


@dataclass(frozen=True)
class Present:
    """One line of the attendance list as organisers see it."""

    pk: int
    name: str
    flats: str
    mode: str
    mode_label: str
    signed_on_paper: bool
    guest: bool


def _current_flats() -> Prefetch:
    return Prefetch(
        "occupancies",
        queryset=Occupancy.objects.current().select_related("flat__building", "flat__entrance"),
        to_attr="current_occupancies",
    )


def _flats_of(person: Person) -> str:
    return " ".join(o.flat.label for o in getattr(person, "current_occupancies", []))


def attendance_list(*, meeting: Meeting) -> list[Present]:
    """Who came, in the order recorded: names and flats (for organisers only)."""
    rows = (
        Attendance.objects.filter(meeting=meeting)
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "person__occupancies",
                queryset=Occupancy.objects.current().select_related(
                    "flat__building", "flat__entrance"
                ),
                to_attr="current_occupancies",
            )
        )
        .order_by("recorded_at", "pk")
    )
    return [
        Present(
            pk=row.pk,
            name=row.person.full_name if row.person else row.name,
            flats=_flats_of(row.person) if row.person else "",
            mode=row.mode,
            mode_label=row.get_mode_display(),
            signed_on_paper=row.signed_on_paper,
            guest=row.person_id is None,
        )
        for row in rows
    ]


def sheets(*, meeting: Meeting) -> list[AttendanceSheet]:
    return list(AttendanceSheet.objects.filter(meeting=meeting).order_by("uploaded_at", "pk"))


def sheet_get(*, meeting: Meeting, sheet_id: Any) -> AttendanceSheet:
    try:
        return AttendanceSheet.objects.get(meeting=meeting, pk=sheet_id)
    except (AttendanceSheet.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404 from exc


def attendance_get(*, meeting: Meeting, attendance_id: Any) -> Attendance:
    try:
        return Attendance.objects.select_related("meeting").get(meeting=meeting, pk=attendance_id)
    except (Attendance.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class RosterRow:
    pk: int
    name: str
    flats: str
    present: bool


def roster_search(*, actor: Any, meeting: Meeting, query: str = "") -> list[RosterRow]:
    """People of the meeting's estate the actor may see, by name or flat ("302", "17-302"), the
    meeting's building first; at most 20, each marked if already on the attendance list."""
    query = str(query or "").strip()[:40]
    people = permissions.visible(actor, Person.objects.filter(estate_id=meeting.estate_id))
    if query:
        number = query.rsplit("-", 1)[-1]
        at_flat = Occupancy.objects.current().filter(flat__number=number)
        if "-" in query:
            at_flat = at_flat.filter(flat__building__number=query.split("-", 1)[0])
        people = people.filter(
            Q(full_name__icontains=query) | Q(pk__in=at_flat.values("person_id"))
        )
    elif meeting.building_id is not None:
        people = people.filter(
            pk__in=Occupancy.objects.current()
            .filter(flat__building_id=meeting.building_id)
            .values("person_id")
        )
    else:
        return []
    people = people.prefetch_related(_current_flats()).order_by("full_name", "pk")[:ROSTER_LIMIT]
    found = list(people)
    present = set(
        Attendance.objects.filter(meeting=meeting, person__in=[p.pk for p in found]).values_list(
            "person_id", flat=True
        )
    )
    in_building = meeting.building_id
    rows = [
        RosterRow(pk=p.pk, name=p.full_name, flats=_flats_of(p), present=p.pk in present)
        for p in found
    ]
    if in_building is not None:
        number = f"{meeting.building.number}-" if meeting.building else ""
        rows.sort(key=lambda r: not any(f.startswith(number) for f in r.flats.split()))
    return rows


def invitees(*, meeting: Meeting) -> list[Invitation]:
    return list(
        Invitation.objects.filter(meeting=meeting)
        .select_related("person", "user")
        .prefetch_related(
            "person__occupancies__flat__building", "person__occupancies__flat__entrance"
        )
        .order_by("invited_at", "pk")
    )


def project_meetings(*, actor: Any, project: Any, showcase: bool = False) -> list[Meeting]:
    """A project's meetings the actor may see, oldest first (the road reads left to right).
    For its showcase (public when the estate allows): the meetings whose minutes are
    published, whoever looks."""
    meetings = Meeting.objects.filter(project_id=project.pk)
    if showcase:
        meetings = meetings.filter(minutes_published_at__isnull=False)
    else:
        meetings = permissions.visible(actor, meetings)
    return list(_annotated(meetings).order_by("starts_at", "pk"))
