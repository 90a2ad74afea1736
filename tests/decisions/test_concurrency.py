"""Simultaneous ballots, in real transactions from real threads: 50 owners each send 4 ballots
through the vote page at once (threads released by a barrier), on a file SQLite database and,
when the suite runs under DATABASE_URL, on PostgreSQL. Exactly one ballot per owner counts,
every other one is kept as superseded with its reason, and no request fails with a 5xx. A
ballot that reaches the server at or after the close time is refused.
"""

from __future__ import annotations

import datetime
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from linju.decisions import services
from linju.decisions.models import Ballot, RollEntry
from tests import factories as f
from tests.decisions.conftest import move
from tests.decisions.factories import owned_by

OWNERS = 50
ATTEMPTS = 4  # per owner, all at once
CHOICES = ("agree", "disagree", "abstain", "agree")
# Connections left for the rest of the machine (other test workers) on PostgreSQL.
CONNECTION_MARGIN = 20


@pytest.fixture(scope="module")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """Threads share the test database only through a file: Django's SQLite test database is
    in memory (shared cache, where a waiting writer fails at once instead of waiting out the
    busy timeout). For this module the migrated test database is copied to a file and used
    instead; the in-memory one is put back afterwards. Other databases are left alone."""
    default = connections["default"]
    if default.vendor != "sqlite" or not default.is_in_memory_db():
        yield
        return
    path = tmp_path_factory.mktemp("concurrency") / "test.sqlite3"
    with django_db_blocker.unblock():
        default.ensure_connection()
        in_memory, name = default.connection, default.settings_dict["NAME"]
        copy = sqlite3.connect(path)
        in_memory.backup(copy)
        copy.close()
        default.connection = None  # closing it would drop the in-memory database
        default.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            default.close()
            default.settings_dict["NAME"] = name
            default.connection = in_memory


@dataclass
class Attempt:
    owner: int
    started: float
    ended: float
    status: int


def _crowd(block) -> list:
    """50 owners of one flat each in building 17, each with an account."""
    users = []
    for i in range(OWNERS):
        flat = f.FlatFactory(building=block.building, number=f"{500 + i}", area=Decimal("88.50"))
        user = f.UserFactory(username=f"crowd{i:02d}")
        owned_by(flat, f.PersonFactory(estate=block.estate, full_name=f"业主{i}", user=user))
        users.append(user)
    return users


def _in_flight_limit() -> int:
    """How many requests may hold a database connection at once: all of them on SQLite; on
    PostgreSQL what max_connections leaves free (its default of 100 is below 200)."""
    if connection.vendor != "postgresql":
        return OWNERS * ATTEMPTS
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - (SELECT count(*) FROM "
            "pg_stat_activity)"
        )
        free = cursor.fetchone()[0]
    return max(2, min(OWNERS * ATTEMPTS, free - CONNECTION_MARGIN))


def _most_in_flight(attempts: list[Attempt]) -> int:
    events = sorted(
        [(a.started, 1) for a in attempts] + [(a.ended, -1) for a in attempts],
        key=lambda event: (event[0], event[1]),  # an end before a start at the same instant
    )
    most = current = 0
    for _moment, step in events:
        current += step
        most = max(most, current)
    return most


def _owners_overlapping(attempts: list[Attempt]) -> int:
    """Owners two of whose attempts were in flight at the same time."""
    by_owner: dict[int, list[Attempt]] = defaultdict(list)
    for a in attempts:
        by_owner[a.owner].append(a)
    return sum(
        any(
            a.started < b.ended and b.started < a.ended
            for i, a in enumerate(mine)
            for b in mine[i + 1 :]
        )
        for mine in by_owner.values()
    )


@pytest.mark.django_db(transaction=True)
def test_simultaneous_ballots_leave_one_counted_ballot_per_owner(block):
    """200 attempts (50 owners × 4) released together: all answered without a 5xx, they
    really overlapped, and each owner ends with exactly one counted ballot (the last vote
    counts; the others are superseded with the reason)."""
    users = _crowd(block)
    decision = block.opened()
    url = reverse("decision_vote", args=[decision.estate.slug, decision.pk])
    plan = []
    for attempt in range(ATTEMPTS):
        for owner, user in enumerate(users):
            client = Client(raise_request_exception=False)
            client.force_login(user)
            plan.append((owner, client, CHOICES[attempt]))
    barrier = threading.Barrier(len(plan))
    slots = threading.BoundedSemaphore(_in_flight_limit())
    done: list[Attempt] = []
    failures: list[str] = []
    lock = threading.Lock()

    def run(owner: int, client: Client, choice: str) -> None:
        try:
            barrier.wait(timeout=120)
            with slots:
                started = time.monotonic()
                response = client.post(url, {"choice": choice})
                ended = time.monotonic()
            with lock:
                done.append(Attempt(owner, started, ended, response.status_code))
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            with lock:
                failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert len(done) == OWNERS * ATTEMPTS

    statuses = Counter(a.status for a in done)
    assert all(status < 500 for status in statuses), statuses
    assert statuses == {302: OWNERS * ATTEMPTS}  # each vote accepted in turn, none lost
    assert _most_in_flight(done) > 1
    assert _owners_overlapping(done) >= 1

    entries = RollEntry.objects.filter(decision=decision, voter__user__in=users)
    assert entries.count() == OWNERS
    ballots = Ballot.objects.filter(decision=decision, entry__in=entries)
    assert ballots.count() == OWNERS * ATTEMPTS
    counted = Counter(ballots.filter(counted=True).values_list("entry_id", flat=True))
    assert sorted(counted.values()) == [1] * OWNERS
    superseded = ballots.filter(counted=False)
    assert superseded.count() == OWNERS * (ATTEMPTS - 1)
    assert set(superseded.values_list("superseded_reason", flat=True)) == {services.Reason.CHANGED}
    assert not superseded.filter(superseded_at__isnull=True).exists()


@pytest.mark.django_db
class TestCloseTime:
    def test_a_ballot_at_the_close_time_is_refused(self, block):
        """The server's clock decides: at closes_at exactly, the ballot is refused and
        nothing is written; a moment before, it counts."""
        decision = block.opened()
        assert decision.closes_at is not None
        with (
            time_machine.travel(decision.closes_at, tick=False),
            pytest.raises(ValidationError) as caught,
        ):
            services.ballot_cast(actor=block.users["chen"], decision=decision, choice="agree")
        assert caught.value.code == "closed"
        assert not Ballot.objects.exists()
        moment_before = decision.closes_at - datetime.timedelta(milliseconds=1)
        with time_machine.travel(moment_before, tick=False):
            ballot = services.ballot_cast(
                actor=block.users["chen"], decision=decision, choice="agree"
            )
        assert ballot.counted

    def test_the_vote_page_refuses_after_the_close_before_the_worker_closes_it(self, block, client):
        """Voting still says "open" (the worker has not run), but the close time has passed:
        422 with the reason, no ballot."""
        decision = block.opened()
        move(decision, closes_at=-1)
        client.force_login(block.users["chen"])
        url = reverse("decision_vote", args=[decision.estate.slug, decision.pk])
        response = client.post(url, {"choice": "agree"})
        assert response.status_code == 422
        assert not Ballot.objects.exists()
