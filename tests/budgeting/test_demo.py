"""The demo's residents' vote, on a small stand-in of the demo estate: the programme's four
applications, residents voting online or on paper, counted by MES-Add1 and published with the
winners awarded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linju.budgeting import services
from linju.budgeting.demo import demo_budgeting
from linju.budgeting.models import BudgetVote, PBBallot
from linju.foundation.models import Application
from linju.foundation.pb import rules
from linju.grants.models import Grant
from tests import factories as f
from tests.budgeting.factories import programme_for

REQUESTED = {"15": "32000", "16": "24000", "19": "38000", "26": "30000"}


def _stand_in(world):
    from linju.projects.models import Project

    programme = programme_for(world)
    for number, requested in REQUESTED.items():
        building = f.BuildingFactory(estate=world.here, number=number, sort_key=int(number))
        for n in range(15):
            flat = f.FlatFactory(building=building, number=f"{n + 1:02d}01")
            f.OccupancyFactory(flat=flat, person=f.PersonFactory(estate=world.here))
        project = Project.objects.create(estate=world.here, building=building, title=number)
        Application.objects.create(
            programme=programme,
            project=project,
            estate=world.here,
            building=building,
            title=f"{number}号楼 微更新",
            plan="…",
            budget=Decimal(requested) * 2,
            requested=Decimal(requested),
            status=Application.Status.UNDER_REVIEW,
        )
    return programme


@pytest.mark.django_db
def test_demo_budgeting(world):
    programme = _stand_in(world)
    vote = demo_budgeting(world.here)
    assert vote is not None and vote.status == BudgetVote.Status.PUBLISHED
    assert vote.closes_at < vote.closed_at
    ballots = PBBallot.objects.filter(vote=vote)
    assert ballots.count() == 62  # 60 stand-in residents and the world's two
    assert ballots.filter(channel="online").get().voter == world.person1
    assert not ballots.filter(created_at__gt=vote.closes_at).exists()

    outcome = vote.outcomes.get()
    expected = rules.outcome_compute(services.vote_instance(vote), rule=rules.Rule.MES_ADD1)
    assert outcome.rule == "mes-add1" and outcome.published_at is not None
    assert outcome.selected == [int(pk) for pk in expected.selected]
    assert {g.application_id: g.amount for g in Grant.objects.all()} == {
        a.pk: a.requested for a in Application.objects.filter(pk__in=outcome.selected)
    }
    # The planted minority (building 26's gallery) is funded by equal shares, not by greedy.
    gallery = Application.objects.get(building__number="26")
    assert gallery.pk in outcome.selected
    assert str(gallery.pk) not in rules.greedy(services.vote_instance(vote)).selected

    assert demo_budgeting(world.here) == vote  # a second run adds nothing
    assert PBBallot.objects.count() == 62
    programme.refresh_from_db()
    assert programme.status == "decided"
