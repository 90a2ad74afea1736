"""Building 1's fund in the world's estate, with its treasurer, and helpers for receipts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linju.community.models import Role
from linju.funding import services
from tests import factories as f


def receipt_photo(name: str = "receipt.png") -> SimpleUploadedFile:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 6), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class Money:
    """Building 1's "楼道微更新" fund: target ¥20,000; the street matches 1:1 up to ¥10,000
    once residents have given ¥500; expenses above ¥2,000 also need the group leader."""

    def __init__(self, world):
        self.world = world
        self.staff = world.users["staff"]
        self.leader = world.users["leader"]
        self.committee = world.users["owners_committee"]
        self.treasurer = f.UserFactory(username="treasurer")
        person = f.PersonFactory(estate=world.here, full_name="钱会计", user=self.treasurer)
        f.OccupancyFactory(flat=world.flat1, person=person)
        self.resident = world.users["resident"]
        self.fund = services.fund_create(
            actor=self.staff,
            estate=world.here,
            building=world.b1,
            title="1号楼 楼道微更新",
            target="20000",
            treasurer=self.treasurer,
            match_source="万里街道",
            match_ratio="1",
            match_cap="10000",
            match_after="500",
            leader_approval_over="2000",
        )

    def give(self, amount, reference="", method="cash", pledge=None):
        return services.contribution_record(
            actor=self.treasurer,
            fund=self.fund,
            amount=amount,
            method=method,
            reference=reference,
            pledge=pledge,
        )

    def spend(self, amount, **values):
        return services.expense_record(
            actor=self.treasurer,
            fund=self.fund,
            payee=values.pop("payee", "装修队"),
            amount=amount,
            category=values.pop("category", "labour"),
            receipt=values.pop("receipt", receipt_photo()),
            **values,
        )

    def balance(self) -> Decimal:
        return services.money_balance(self.fund)


@pytest.fixture
def money(world):
    assert Role.objects.filter(user=world.users["leader"], building=world.b1).exists()
    return Money(world)
