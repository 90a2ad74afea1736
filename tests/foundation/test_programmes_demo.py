"""The demo street's programme "2025 美丽楼组 微更新": ¥100,000, weighted criteria, 1:1 matching
capped, chosen by review and residents' vote (MES-Add1, approval 1–3, per resident), with the
applications of buildings 15, 16, 19 and 26 received by the foundation. The whole demo runs
on, so the review and the residents' vote have decided the programme by the end."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings

from linju.community.demo import demo_load
from linju.community.models import Estate
from linju.foundation.demo import PROGRAMME_NAME, demo_foundation
from linju.foundation.models import Application, Programme

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        demo_load()
        estate = Estate.objects.get(slug="zhonghao")
        yield demo_foundation(estate)
        transaction.set_rollback(True)


def test_the_programme(demo):
    programme = Programme.objects.get(name=PROGRAMME_NAME)
    assert programme.street.slug == "wanli"
    assert programme.budget == Decimal("100000.00")
    assert programme.status == "decided"  # the residents' vote was counted and published
    assert (programme.selection, programme.pb_rule, programme.pb_ballot) == (
        "both",
        "mes-add1",
        "approval",
    )
    assert (programme.pb_min, programme.pb_max, programme.pb_unit) == (1, 3, "resident")
    assert programme.matching_ratio == Decimal("1.00") and programme.matching_cap is not None
    assert 3 <= programme.criteria.count() <= 4


def test_four_applications_went_through_the_foundation_with_cofunding(demo):
    applications = Application.objects.filter(programme=demo).select_related("building")
    assert sorted(a.building.number for a in applications) == ["15", "16", "19", "26"]
    for a in applications:
        assert a.status in ("awarded", "not_awarded")
        assert a.cofunding_raised > 0 and a.project.fund_id is not None
        assert list(a.events.values_list("kind", flat=True))[:4] == [
            "created",
            "submitted",
            "endorsed",
            "received",
        ]
    assert sum(a.requested for a in applications) > demo.budget


def test_loading_again_adds_nothing(demo):
    assert demo_foundation(Estate.objects.get(slug="zhonghao")) == demo
    assert Programme.objects.filter(name=PROGRAMME_NAME).count() == 1
