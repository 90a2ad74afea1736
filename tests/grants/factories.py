"""A programme of the street of ``world.here`` with weighted criteria, and applications from
``here`` (building 1 and 2) and from another estate of the same street, as received by the
foundation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from linju.foundation.models import Application, Criterion, Programme
from linju.funding.models import Fund
from linju.projects.models import Project
from tests import factories as f


def programme(street: Any, budget: str = "100000", **values: Any) -> Programme:
    today = datetime.date.today()
    fields = {
        "street": street,
        "name": "2025 美丽楼组 微更新",
        "budget": Decimal(budget),
        "call_opens": today - datetime.timedelta(days=30),
        "call_closes": today - datetime.timedelta(days=1),
        "matching_ratio": Decimal("1.00"),
        "matching_cap": Decimal("20000"),
        "selection": Programme.Selection.REVIEW,
        "status": Programme.Status.REVIEWING,
    }
    fields.update(values)
    return Programme.objects.create(**fields)


def criteria(prog: Programme, weights: tuple[int, ...] = (2, 1)) -> list[Criterion]:
    names = ("居民参与", "方案质量", "预算合理", "可持续")
    return [
        Criterion.objects.create(programme=prog, name=names[i], weight=w, position=i)
        for i, w in enumerate(weights)
    ]


def application(
    prog: Programme,
    estate: Any,
    building: Any = None,
    *,
    requested: str = "30000",
    cofunding: str = "12000",
    status: str = Application.Status.RECEIVED,
    with_fund: bool = True,
    treasurer: Any = None,
    title: str = "",
) -> Application:
    title = title or (f"{building.number}号楼 楼道微更新" if building else "小区微更新")
    fund = None
    if with_fund:
        fund = Fund.objects.create(
            estate=estate,
            building=building,
            title=title,
            target=Decimal("50000"),
            treasurer=treasurer or f.UserFactory(),
        )
    project = Project.objects.create(estate=estate, building=building, title=title, fund=fund)
    return Application.objects.create(
        programme=prog,
        project=project,
        estate=estate,
        building=building,
        title=title,
        plan="翻新大堂，更换照明，布置居民作品墙。",
        budget=Decimal("50000"),
        requested=Decimal(requested),
        cofunding_raised=Decimal(cofunding),
        status=status,
    )


class Setup:
    """The programme, its criteria (weights 2 and 1), applications of buildings 1 and 2 of
    ``here`` and one of ``neighbour`` (another estate of the same street), and a reviewer
    without an estate."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.street = world.here.street
        self.neighbour = f.EstateFactory(street=self.street, slug="neighbour", name="邻近小区")
        self.nb_building = f.BuildingFactory(estate=self.neighbour, number="5", sort_key=5)
        self.programme = programme(self.street)
        self.criteria = criteria(self.programme)
        self.app1 = application(
            self.programme, world.here, world.b1, treasurer=world.users["resident"]
        )
        self.app2 = application(self.programme, world.here, world.b2, requested="20000")
        self.app_nb = application(
            self.programme, self.neighbour, self.nb_building, requested="25000"
        )
        self.officer = world.users["foundation"]
        self.reviewer = f.UserFactory(username="reviewer")

    def assign(self, reviewer: Any = None) -> Any:
        from linju.grants import services

        return services.reviewer_assign(
            actor=self.officer, programme=self.programme, reviewer=reviewer or self.reviewer
        )

    def sheet(self, *values: int) -> dict[int, int]:
        return {c.pk: v for c, v in zip(self.criteria, values, strict=True)}
