"""Booking the same slot at once, in real transactions from real threads (released together by
a barrier), on a file SQLite database and, under DATABASE_URL, on PostgreSQL: exactly one
booking stands, every other request is refused as an overlap, and nothing fails otherwise."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from linju.spaces import services
from linju.spaces.models import Booking
from tests import factories as f
from tests.spaces.conftest import Place, at

PEOPLE = 6


@pytest.fixture(scope="module")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """Threads share the test database only through a file (Django's in-memory SQLite test
    database fails a waiting writer at once): for this module it is copied to a file."""
    default = connections["default"]
    if default.vendor != "sqlite" or not default.is_in_memory_db():
        yield
        return
    path = tmp_path_factory.mktemp("space-concurrency") / "test.sqlite3"
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
def test_only_one_of_simultaneous_bookings_of_a_slot_stands():
    from tests.conftest import World

    place = Place(World())
    users = []
    for i in range(PEOPLE):
        user = f.UserFactory(username=f"racer{i}")
        person = f.PersonFactory(estate=place.w.here, user=user)
        f.OccupancyFactory(
            flat=f.FlatFactory(building=place.w.b2, number=f"9{i:02d}"), person=person
        )
        users.append(user)
    barrier = threading.Barrier(PEOPLE)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(user):
        try:
            barrier.wait()
            services.booking_create(
                actor=user,
                space=place.room,
                starts_at=at(2, 10),
                ends_at=at(2, 12),
                purpose="",
            )
            result = "booked"
        except ValidationError as exc:
            codes = [e.code for errors in exc.error_dict.values() for e in errors]
            result = "overlap" if codes == ["overlap"] else f"other: {exc}"
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] + ["overlap"] * (PEOPLE - 1)
    assert Booking.objects.filter(space=place.room, status="confirmed").count() == 1
