"""The demo street's foundation: 万里社区基金会 with donations from organisations and people,
some of whom agreed to publication, each with its receipt, on a chain that verifies."""

from __future__ import annotations

import pytest

from linju.community.models import Street
from linju.donations.demo import DONATIONS, demo_donations
from linju.donations.models import Donation
from linju.funding import selectors as funding_selectors
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_demo_foundation_and_its_donations():
    street = Street.objects.create(name="万里街道", slug="wanli")
    officer = f.UserFactory(username="foundation")
    f.RoleFactory(user=officer, kind="foundation_officer", estate=None, street=street)
    account = demo_donations(street)
    assert account.name == "万里社区基金会"
    donations = Donation.objects.filter(street=street)
    assert donations.count() == len(DONATIONS)
    kinds = set(donations.values_list("donor_kind", flat=True))
    assert kinds == {"person", "organisation"}
    assert donations.filter(publish_name=True).exists()
    assert donations.filter(publish_name=False).exists()
    assert funding_selectors.ledger_verify(street=street).ok
    assert demo_donations(street) == account  # once
    assert Donation.objects.count() == len(DONATIONS)
