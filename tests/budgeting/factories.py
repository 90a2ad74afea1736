"""A programme of the world's street put to the residents' vote, and voters.

programme_for(world)                       # reviewing, selection "both", MES-Add1, approval 1-3
shortlist(world, programme, {"A": "60"})   # one shortlisted application per entry, new buildings
open_vote(world, programme)                # opened by the foundation officer, closes in a week
voter(world, "v1")                         # a resident of the world's estate (new flat)
closed(world, vote)                        # closing time moved to the past, then closed
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from linju.budgeting import services
from linju.budgeting.models import BudgetVote
from linju.community.models import Building
from linju.foundation.models import Application, Programme
from linju.projects.models import Project
from tests import factories as f

PROGRAMME_NAME = "2025 美丽楼组 微更新"
_flat_numbers = itertools.count(5001)


def programme_for(world: Any, **values: Any) -> Programme:
    fields: dict[str, Any] = {
        "street": world.here.street,
        "name": PROGRAMME_NAME,
        "budget": Decimal("100000"),
        "call_opens": timezone.localdate() - datetime.timedelta(days=60),
        "call_closes": timezone.localdate() - datetime.timedelta(days=30),
        "selection": Programme.Selection.BOTH,
        "pb_rule": Programme.PBRule.MES_ADD1,
        "pb_ballot": Programme.PBBallot.APPROVAL,
        "pb_min": 1,
        "pb_max": 3,
        "pb_unit": Programme.PBUnit.RESIDENT,
        "status": Programme.Status.REVIEWING,
        "published_at": timezone.now() - datetime.timedelta(days=60),
    }
    fields.update(values)
    return Programme.objects.create(**fields)


def shortlist(
    world: Any,
    programme: Programme,
    costs: dict[str, str],
    *,
    status: str = Application.Status.SHORTLISTED,
) -> list[Application]:
    """One application per title, each from a new building of the world's estate."""
    made = []
    for number, (title, cost) in enumerate(
        costs.items(), start=30 + programme.applications.count()
    ):
        building = Building.objects.create(estate=world.here, number=str(number), sort_key=number)
        project = Project.objects.create(estate=world.here, building=building, title=title)
        made.append(
            Application.objects.create(
                programme=programme,
                project=project,
                estate=world.here,
                building=building,
                title=title,
                plan="更换楼道灯，粉刷墙面。",
                budget=Decimal(cost) * 2,
                requested=Decimal(cost),
                status=status,
            )
        )
    return made


def open_vote(world: Any, programme: Programme, **values: Any) -> BudgetVote:
    values.setdefault("closes_at", timezone.now() + datetime.timedelta(days=7))
    return services.vote_open(actor=world.users["foundation"], programme=programme, **values)


def voter(world: Any, username: str, *, flat: Any = None, estate: Any = None) -> Any:
    """A signed-up resident living in ``flat`` (a new flat of building 1 by default)."""
    estate = estate or world.here
    if flat is None:
        building = world.b1 if estate == world.here else world.b_there
        flat = f.FlatFactory(building=building, number=str(next(_flat_numbers)))
    user = f.UserFactory(username=username)
    person = f.PersonFactory(estate=estate, user=user, full_name=f"居民{username}")
    f.OccupancyFactory(flat=flat, person=person)
    return user


def closed(world: Any, vote: BudgetVote) -> BudgetVote:
    """Voting time over (the closing time moved to the past), then closed by the officer."""
    BudgetVote.objects.filter(pk=vote.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=8),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    vote.refresh_from_db()
    return services.vote_close(actor=world.users["foundation"], vote=vote)


def ids(applications: list[Application]) -> list[int]:
    return [a.pk for a in applications]
