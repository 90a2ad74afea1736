"""Hostile text (tests/hostile.py) through the text fields of a donation (donor, purpose,
transfer reference) and the foundation's name: stored and shown escaped, exactly as typed, on
every page that shows it; or refused with a message and nothing written. Never a 5xx."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linju.donations.models import Donation, FoundationAccount
from linju.funding.models import LedgerEntry
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return Donation.objects.count(), LedgerEntry.objects.count(), FoundationAccount.objects.count()


def _post(client: Client, url: str, data: dict, key: str) -> bool:
    """Post one string; True if it was accepted (and so must be shown escaped)."""
    before = _counts()
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code < 500, key
    assert_no_live_markup(page)
    if response.status_code == 302:
        return True
    assert 400 <= response.status_code < 500, key
    if response.status_code != 400:
        assert "field-error" in page or "errorlist" in page, f"{key}: no message"
    assert _counts() == before, f"{key}: refused but written"
    return False


@pytest.mark.parametrize("field", ["donor_name", "purpose", "reference"])
def test_donation_text(foundation, field):
    client = Client(raise_request_exception=False)
    client.force_login(foundation.officer)
    url = reverse("foundation_donation_create", args=[foundation.street.slug])
    # The donor's name is listed with the donations, the purpose is the ledger entry's
    # description; a transfer reference is shown on no page.
    shown_on = {
        "donor_name": reverse("foundation_donations", args=[foundation.street.slug]),
        "purpose": reverse("foundation_fund", args=[foundation.street.slug]),
    }.get(field)
    shown = []
    for i, (key, text) in enumerate(CORPUS.items()):
        data = {
            "donor_name": "陈建国",
            "donor_kind": "person",
            "amount": "1.00",
            "received_on": timezone.localdate().isoformat(),
            "method": "bank",
            "reference": f"R{i:04d}",
        } | {field: text}
        if _post(client, url, data, key):
            stored = Donation.objects.order_by("-pk").first()
            assert getattr(stored, field) == text.strip(), key
            shown.append(text.strip())
    assert shown, "nothing was accepted"
    if shown_on:
        html = client.get(shown_on).content.decode()
        assert_no_live_markup(html)
        for text in shown:
            assert_shown_escaped(html, text)


def test_foundation_name(world):
    street = world.here.street
    client = Client(raise_request_exception=False)
    client.force_login(world.users["foundation"])
    url = reverse("foundation_account_setup", args=[street.slug])
    for key, text in CORPUS.items():
        if _post(client, url, {"name": text}, key):
            account = FoundationAccount.objects.get()
            assert account.name == text.strip(), key
            html = client.get(reverse("foundation_fund", args=[street.slug])).content.decode()
            assert_shown_escaped(html, text.strip())
            return
    pytest.fail("no name was accepted")
