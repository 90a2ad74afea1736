"""The street of ``world.here`` with its foundation's account (kept by the ``foundation``
officer), and helpers to record donations and to build the street's grant programme, its
applications, grants and reports straight in the database for the dashboard."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from linju.donations import services
from linju.donations.models import Donation, FoundationAccount
from linju.foundation.models import Application, Programme
from linju.funding.models import Fund
from linju.grants.models import Grant, ReportDue
from linju.projects.models import Project
from tests.conftest import World


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


class Foundation:
    def __init__(self, world: World):
        self.world = world
        self.street = world.here.street
        self.officer = world.users["foundation"]
        self.account: FoundationAccount = services.foundation_account_create(
            actor=self.officer, street=self.street, name="万里社区基金会", credit_code=""
        )

    def give(self, amount: str = "100.00", **values: Any) -> Donation:
        fields: dict[str, Any] = {
            "donor_name": "陈建国",
            "amount": amount,
            "received_on": timezone.localdate(),
            "method": "cash",
        }
        fields.update(values)
        return services.donation_record(actor=self.officer, street=self.street, **fields)


@pytest.fixture
def foundation(world) -> Foundation:
    return Foundation(world)


def programme(street: Any) -> Programme:
    today = timezone.localdate()
    return Programme.objects.create(
        street=street,
        name="2025 美丽楼组 微更新",
        budget=Decimal("100000"),
        call_opens=today - datetime.timedelta(days=30),
        call_closes=today - datetime.timedelta(days=1),
        status=Programme.Status.REVIEWING,
    )


def application(
    prog: Programme, estate: Any, building: Any, treasurer: Any, status: str = "received"
) -> Application:
    title = f"{building.number}号楼 楼道微更新" if building else "小区微更新"
    fund = Fund.objects.create(
        estate=estate, building=building, title=title, target=Decimal("50000"), treasurer=treasurer
    )
    project = Project.objects.create(estate=estate, building=building, title=title, fund=fund)
    return Application.objects.create(
        programme=prog,
        project=project,
        estate=estate,
        building=building,
        title=title,
        plan="翻新大堂",
        budget=Decimal("50000"),
        requested=Decimal("30000"),
        status=status,
    )


def grant(app: Application, amount: str, overdue_report: bool = False) -> Grant:
    awarded = Grant.objects.create(
        application=app,
        programme=app.programme,
        estate=app.estate,
        amount=Decimal(amount),
        status=Grant.Status.AWARDED,
    )
    if overdue_report:
        ReportDue.objects.create(
            grant=awarded,
            estate=app.estate,
            kind=ReportDue.Kind.QUARTERLY,
            due_on=timezone.localdate() - datetime.timedelta(days=3),
        )
    return awarded
