"""Donations recorded at once, in real transactions from real threads (released together by a
barrier), on a file SQLite database and, under DATABASE_URL, on PostgreSQL: every donation
gets its own receipt number, the numbers run 1…n with no gap, and the chain verifies."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.db import connections
from django.utils import timezone

from linju.donations import services
from linju.donations.models import Donation
from linju.funding import selectors as funding_selectors

PEOPLE = 6


@pytest.fixture(scope="module")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """Threads share the test database only through a file (Django's in-memory SQLite test
    database fails a waiting writer at once): for this module it is copied to a file."""
    default = connections["default"]
    if default.vendor != "sqlite" or not default.is_in_memory_db():
        yield
        return
    path = tmp_path_factory.mktemp("donation-concurrency") / "test.sqlite3"
    with django_db_blocker.unblock():
        default.ensure_connection()
        in_memory, name = default.connection, default.settings_dict["NAME"]
        copy = sqlite3.connect(path)
        in_memory.backup(copy)
        copy.close()
        default.connection = None
        default.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            default.close()
            default.settings_dict["NAME"] = name
            default.connection = in_memory


@pytest.mark.django_db(transaction=True)
def test_simultaneous_donations_get_gap_free_receipt_numbers():
    from tests.conftest import World
    from tests.donations.conftest import Foundation

    place = Foundation(World())
    barrier = threading.Barrier(PEOPLE)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        try:
            barrier.wait()
            services.donation_record(
                actor=place.officer,
                street=place.street,
                donor_name=f"捐赠人{i}",
                amount=f"{i + 1}.00",
                received_on=timezone.localdate(),
                method="cash",
            )
            result = "recorded"
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == ["recorded"] * PEOPLE
    numbers = sorted(Donation.objects.values_list("receipt_seq", flat=True))
    assert numbers == list(range(1, PEOPLE + 1))
    assert len(set(Donation.objects.values_list("receipt_number", flat=True))) == PEOPLE
    assert funding_selectors.ledger_verify(street=place.street).ok
