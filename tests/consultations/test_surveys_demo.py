"""The demo's survey: building 25's lobby, answered by most households (online and on paper),
varied by floor and owner/tenant, with a branch, closed."""

from __future__ import annotations

import pytest
from django.db.models import Count

from linju.community.models import Role
from linju.consultations import selectors
from linju.consultations.demo import TITLE, demo_consultations
from linju.consultations.models import AnswerChoice, Consultation, Participation, Response
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    estate = f.EstateFactory(slug="zhonghao", name="中浩云花园")
    building = f.BuildingFactory(estate=estate, number="25")
    for floor in range(1, 13):
        for unit in (1, 2):
            flat = f.FlatFactory(building=building, number=f"{floor}0{unit}", floor=floor)
            f.OccupancyFactory(flat=flat, person=f.PersonFactory(estate=estate), tenant=unit == 2)
    staff = f.UserFactory(username="staff")
    f.RoleFactory(user=staff, kind=Role.Kind.COMMITTEE_STAFF, estate=estate)
    return estate


def test_the_demo_survey(estate):
    survey = demo_consultations(estate)
    assert survey is not None and survey.title == TITLE
    assert survey.status == Consultation.Status.CLOSED and not survey.anonymous
    assert survey.closed_at == survey.closes_at
    invited = selectors.invited_count(survey)
    answered = Participation.objects.filter(consultation=survey).count()
    assert invited == 24 and answered > invited / 2
    channels = set(Response.objects.filter(consultation=survey).values_list("channel", flat=True))
    assert channels == {"online", "paper"}
    relations = set(Response.objects.filter(consultation=survey).values_list("relation", flat=True))
    assert {"owner", "tenant"} <= relations
    assert (
        len(set(Response.objects.filter(consultation=survey).values_list("floor", flat=True))) > 5
    )
    kinds = set(survey.questions.values_list("kind", flat=True))
    assert {"single", "multiple", "rating", "ranking", "number", "text"} <= kinds
    assert survey.questions.filter(show_if_question__isnull=False).exists()
    assert AnswerChoice.objects.filter(response__consultation=survey).aggregate(n=Count("pk"))["n"]
    assert demo_consultations(estate).pk == survey.pk  # made once
