"""The API: a street's officers list and record donations and read the dashboard's figures;
to anyone else the street's foundation is a 404, and without a token a 401."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from linju.api.tokens import api_token_issue
from linju.donations.models import Donation

pytestmark = pytest.mark.django_db


def _api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user, label='test')}")


def _base(foundation) -> str:
    return f"/api/streets/{foundation.street.slug}/foundation"


def test_record_list_and_dashboard(foundation):
    client = _api(foundation.officer)
    body = {
        "donor_name": "万里街道商会",
        "donor_kind": "organisation",
        "amount": "60000.00",
        "received_on": timezone.localdate().isoformat(),
        "method": "bank",
        "reference": "WL-0601-001",
        "publish_name": True,
    }
    made = client.post(f"{_base(foundation)}/donations", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["receipt_number"].endswith("-00001")
    assert made.json()["ledger_seq"] == 1
    listed = client.get(f"{_base(foundation)}/donations").json()
    assert [d["donor_name"] for d in listed] == ["万里街道商会"]
    board = client.get(f"{_base(foundation)}/dashboard").json()
    assert board["received"] == "60000.00" and board["donations"] == 1
    assert {s["status"] for s in board["stages"]} >= {"received", "awarded"}


def test_invalid_input_is_422_and_writes_nothing(foundation):
    body = {
        "donor_name": "某人",
        "amount": "-1",
        "received_on": timezone.localdate().isoformat(),
        "method": "cash",
    }
    answer = _api(foundation.officer).post(
        f"{_base(foundation)}/donations", body, content_type="application/json"
    )
    assert answer.status_code == 422 and "amount" in answer.json()["errors"]
    assert not Donation.objects.exists()


@pytest.mark.parametrize("role", ["staff", "resident", "staff_other_estate"])
def test_others_get_404(foundation, world, role):
    client = _api(world.users[role])
    assert client.get(f"{_base(foundation)}/donations").status_code == 404
    assert client.get(f"{_base(foundation)}/dashboard").status_code == 404
    answer = client.post(
        f"{_base(foundation)}/donations",
        {"donor_name": "x", "amount": "1", "received_on": "2025-01-01", "method": "cash"},
        content_type="application/json",
    )
    assert answer.status_code == 404 and not Donation.objects.exists()


def test_without_a_token_401(foundation):
    assert Client().get(f"{_base(foundation)}/dashboard").status_code == 401
