"""Answers for results tests, written straight as rows (as the survey service writes them), so
a test chooses each response's building, floor and owner/tenant.

``households(world, lobby, n)`` adds ``n`` flats with an adult each to building 1, so the
survey asks ``n + 1`` households (with the resident's); ``respond(lobby, ...)`` writes one
response with the answers given by question name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from linju.community.models import Flat, Occupancy, Person
from linju.consultations.models import (
    Answer,
    AnswerChoice,
    Participation,
    Response,
)
from tests.consultations.surveys import Lobby
from tests.factories import FlatFactory, OccupancyFactory, PersonFactory


def households(world: Any, lobby: Lobby, n: int, *, building: Any = None) -> list[Person]:
    """``n`` more households in building 1 (or ``building``), floors 2, 3, 4, …, one adult
    owner each, named 住户1, 住户2, …"""
    people = []
    for i in range(1, n + 1):
        flat = FlatFactory(building=building or world.b1, number=f"{i + 1}01", floor=i + 1)
        person = PersonFactory(estate=world.here, full_name=f"住户{i}", phone=f"1390000{i:04d}")
        OccupancyFactory(flat=flat, person=person, relation=Occupancy.Relation.OWNER)
        people.append(person)
    return people


def respond(
    lobby: Lobby,
    *,
    person: Person | None = None,
    flat: Flat | None = None,
    building: Any = None,
    floor: int | None = None,
    relation: str = Response.Relation.OWNER,
    channel: str = Response.Channel.ONLINE,
    **answers: Any,
) -> Response:
    """One response; ``answers`` by question name: a choice label (or labels, in rank order),
    a number, or a text."""
    survey = lobby.survey
    anonymous = survey.anonymous
    if flat is not None:
        building = building or flat.building
        floor = flat.floor if floor is None else floor
    if person is not None or flat is not None:
        Participation.objects.create(
            estate_id=survey.estate_id,
            consultation=survey,
            person=person,
            household=flat if survey.per_household else None,
            answered_on=None if anonymous else timezone.localdate(),
            channel=channel,
        )
    response = Response.objects.create(
        estate_id=survey.estate_id,
        consultation=survey,
        channel=channel,
        building=building,
        floor=floor,
        relation=relation,
        respondent=None if anonymous else person,
        household=None if anonymous else flat,
    )
    for name, value in answers.items():
        question = getattr(lobby, name)
        if question.has_choices:
            labels = [value] if isinstance(value, str) else list(value)
            for rank, label in enumerate(labels, start=1):
                AnswerChoice.objects.create(
                    response=response,
                    question=question,
                    choice=question.choices.get(label=label),
                    rank=rank if question.kind == "ranking" else None,
                )
        elif isinstance(value, str) and question.kind == "text":
            Answer.objects.create(response=response, question=question, text=value)
        else:
            Answer.objects.create(response=response, question=question, number=Decimal(value))
    return response
