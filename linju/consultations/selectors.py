"""Reads for surveys: lists, one survey with its questions, who is asked, who may answer, and
the state of one resident's answer (answered, draft, not asked).

Who is asked (the audience). The households (flats) asked are those of the audience buildings,
of the whole estate, or, for a list, the homes of the people on it. Who may answer: adults
(``Person.is_minor`` false) living there today, owners and co-owners only when the survey is for
owners only. Per household, any of them answers once for the household (the first answer
counts); per person, each of them answers once — for a list, the people on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from linju.community.models import Estate, Flat, Occupancy, Person
from linju.consultations.models import Choice, Consultation, Draft, Participation, Question
from linju.core import permissions

OWNER_RELATIONS = (Occupancy.Relation.OWNER, Occupancy.Relation.CO_OWNER)


# --- Lists and one survey ----------------------------------------------------------------------


def consultation_list(*, actor: Any, estate: Estate) -> QuerySet[Consultation]:
    """The surveys of ``estate`` the actor may see (drafts only for those who run them)."""
    return (
        permissions.visible(actor, Consultation.objects.filter(estate=estate))
        .select_related("building")
        .order_by("-created_at", "-pk")
    )


def consultation_console_list(*, actor: Any, estate: Estate) -> list[Consultation]:
    """The surveys the actor runs, with their answer counts."""
    rows = (
        Consultation.objects.filter(estate=estate)
        .select_related("building", "estate")
        .annotate(participation_count=Count("participations", distinct=True))
        .order_by("-created_at", "-pk")
    )
    return [c for c in rows if permissions.can(actor, "manage", c)]


def consultation_get(*, actor: Any, estate: Estate, consultation_id: Any) -> Consultation:
    """One survey of ``estate`` the actor may see; 404 otherwise (missing or hidden alike)."""
    return permissions.get_visible_or_404(  # type: ignore[return-value]
        actor,
        Consultation.objects.filter(estate=estate).select_related("estate", "building"),
        pk=consultation_id,
    )


def questions_of(consultation: Consultation) -> list[Question]:
    """The questions in order, with their choices."""
    return list(
        Question.objects.filter(consultation=consultation)
        .select_related("show_if_question", "show_if_choice")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")))
        .order_by("position", "pk")
    )


# --- The audience ------------------------------------------------------------------------------


def invited_households(consultation: Consultation) -> QuerySet[Flat]:
    """The flats whose households are asked."""
    flats = Flat.objects.filter(estate_id=consultation.estate_id)
    if consultation.scope == Consultation.Scope.BUILDINGS:
        return flats.filter(building__in=consultation.audience_buildings.all())
    if consultation.scope == Consultation.Scope.LIST:
        homes = (
            Occupancy.objects.current()
            .filter(person__in=consultation.audience_people.all())
            .values("flat_id")
        )
        return flats.filter(pk__in=homes)
    return flats


def answering_occupancies(consultation: Consultation) -> QuerySet[Occupancy]:
    """The current homes of the adults who may answer (one row per person and flat)."""
    rows = Occupancy.objects.current().filter(
        estate_id=consultation.estate_id, person__is_minor=False
    )
    if consultation.owners_only:
        rows = rows.filter(relation__in=OWNER_RELATIONS)
    if consultation.scope == Consultation.Scope.LIST and not consultation.per_household:
        return rows.filter(person__in=consultation.audience_people.all())
    return rows.filter(flat__in=invited_households(consultation))


def invited_people(consultation: Consultation) -> QuerySet[Person]:
    """The people who may answer (for a list answered per person: everyone on it)."""
    if consultation.scope == Consultation.Scope.LIST and not consultation.per_household:
        return consultation.audience_people.filter(is_minor=False)
    return Person.objects.filter(
        pk__in=answering_occupancies(consultation).values("person_id")
    ).distinct()


def invited_count(consultation: Consultation) -> int:
    """How many answers are asked for: households, or people."""
    if consultation.per_household:
        return answering_occupancies(consultation).values("flat_id").distinct().count()
    return invited_people(consultation).count()


def person_of(actor: Any, estate_id: int) -> Person | None:
    """The actor's own entry in the estate's roster, if they have one."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return Person.objects.filter(estate_id=estate_id, user=actor).first()


def home_of(consultation: Consultation, person: Person) -> Occupancy | None:
    """The person's home through which they answer (their first, in address order), or None
    for someone on a list without a home here."""
    return (
        answering_occupancies(consultation)
        .filter(person=person)
        .select_related("flat__building")
        .order_by("flat__building__sort_key", "flat__building__number", "flat__number")
        .first()
    )


def may_answer(consultation: Consultation, person: Person | None) -> bool:
    if person is None or person.estate_id != consultation.estate_id:
        return False
    return invited_people(consultation).filter(pk=person.pk).exists()


def participation_of(
    consultation: Consultation, person: Person, home: Occupancy | None
) -> Participation | None:
    """The answer already given for this person: their household's, or their own."""
    rows = Participation.objects.filter(consultation=consultation)
    if consultation.per_household:
        if home is None:
            return None
        return rows.filter(household_id=home.flat_id).first()
    return rows.filter(person=person).first()


@dataclass
class MyTurn:
    """Where one resident stands with one survey."""

    person: Person | None
    home: Occupancy | None
    invited: bool
    answered: Participation | None
    answered_by_other: bool  # their household's answer came from someone else
    draft: dict[str, list[str]]


def my_turn(*, actor: Any, consultation: Consultation) -> MyTurn:
    person = person_of(actor, consultation.estate_id)
    invited = may_answer(consultation, person)
    home = home_of(consultation, person) if invited and person is not None else None
    answered = (
        participation_of(consultation, person, home) if invited and person is not None else None
    )
    by_other = bool(
        answered is not None and person is not None and answered.person_id not in (None, person.pk)
    )
    draft: dict[str, list[str]] = {}
    if invited and person is not None and not consultation.anonymous and answered is None:
        row = Draft.objects.filter(consultation=consultation, person=person).first()
        draft = row.data if row is not None and isinstance(row.data, dict) else {}
    return MyTurn(person, home, invited, answered, by_other, draft)


# --- For the organiser -------------------------------------------------------------------------


def pending_users(consultation: Consultation) -> list[Any]:
    """Accounts of people asked who have not answered (nor their household), for reminders."""
    answered = Participation.objects.filter(consultation=consultation)
    if consultation.per_household:
        rows = answering_occupancies(consultation).exclude(
            flat_id__in=answered.exclude(household__isnull=True).values("household_id")
        )
        people = Person.objects.filter(pk__in=rows.values("person_id"))
    else:
        people = invited_people(consultation).exclude(
            pk__in=answered.exclude(person__isnull=True).values("person_id")
        )
    users: dict[int, Any] = {}
    for person in people.filter(user__isnull=False, user__is_active=True).select_related("user"):
        if person.user is not None:
            users[person.user.pk] = person.user
    return [users[pk] for pk in sorted(users)]


def not_answered(consultation: Consultation) -> list[str]:
    """Households (flat labels) or people that have not answered — named surveys only."""
    if consultation.anonymous:
        return []
    answered = Participation.objects.filter(consultation=consultation)
    if consultation.per_household:
        flats = (
            Flat.objects.filter(pk__in=answering_occupancies(consultation).values("flat_id"))
            .exclude(pk__in=answered.exclude(household__isnull=True).values("household_id"))
            .select_related("building", "entrance")
        )
        return [flat.label for flat in flats]
    people = invited_people(consultation).exclude(
        pk__in=answered.exclude(person__isnull=True).values("person_id")
    )
    return [person.full_name for person in people.order_by("full_name", "pk")]


def participation_count(consultation: Consultation) -> int:
    return Participation.objects.filter(consultation=consultation).count()


def paper_households(consultation: Consultation) -> list[Flat]:
    """The households staff may enter a paper questionnaire for (asked, and not answered yet
    when answered per household)."""
    flats = Flat.objects.filter(pk__in=answering_occupancies(consultation).values("flat_id"))
    if consultation.per_household:
        flats = flats.exclude(
            pk__in=Participation.objects.filter(
                consultation=consultation, household__isnull=False
            ).values("household_id")
        )
    return list(
        flats.select_related("building", "entrance").order_by(
            "building__sort_key", "building__number", "entrance__number", "number"
        )
    )


def household_people(consultation: Consultation, flat: Flat) -> list[Person]:
    return [
        o.person
        for o in answering_occupancies(consultation)
        .filter(flat=flat)
        .select_related("person")
        .order_by("person__full_name", "person_id")
    ]


def open_for(*, actor: Any, estate: Estate) -> list[Consultation]:
    """Open surveys the actor is asked to answer and has not answered yet (for their home page)."""
    person = person_of(actor, estate.pk)
    if person is None:
        return []
    found = []
    for consultation in Consultation.objects.filter(
        estate=estate, status=Consultation.Status.OPEN
    ).order_by("closes_at", "pk"):
        if not consultation.is_accepting() or not may_answer(consultation, person):
            continue
        home = home_of(consultation, person)
        if participation_of(consultation, person, home) is None:
            found.append(consultation)
    return found
