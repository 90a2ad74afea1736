"""Decisions: the owners' tally of a large decision, and casting ballots over HTTP.

Tally: a decision with 100,000 flats in scope (90,000 owner entities: 10,000 of them own two
flats) and 80,000 counted ballots, plus 5,000 superseded ones, built directly with
bulk_create. ``selectors.owners_count`` (the roll's totals and the counted ballots by choice:
two aggregate queries) is timed against a plain ``COUNT(*)`` of the same counted ballots, in
the same run.

Casting over HTTP, on PostgreSQL only: gunicorn on 127.0.0.1, 32 clients on keep-alive
connections; each owner casts twice (the second vote replaces the first) through
``POST /api/decisions/{id}/ballots`` with a bearer token, the two ballots of an owner sent
back to back so that they usually travel on different connections at the same time. The
baseline is ``GET /api/estates``, the lightest JSON endpoint, under the same load. Afterwards:
how many owners have more than one counted ballot (must be 0).

With ``LINJU_BENCH_DATABASE_URL`` (a PostgreSQL server where the role may create databases),
everything also runs there, in a throw-away database created and dropped around the run.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SEED = 17
BATCH = 5000
FLATS_PER_BUILDING = 1000
SUPERSEDED_SHARE = 16  # one counted ballot in 16 replaced an earlier one
VOTES_PER_OWNER = 2
WARM_UP_REQUESTS = 64


def run(*, flats: int, ballots: int, casts: int, clients: int, runs: int) -> None:
    """Both benchmarks on the database Django is configured with."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    print(f"\ndecisions, on {_database_label()}:")
    _tally(flats=flats, ballots=ballots, runs=runs)
    if connection.vendor == "postgresql":
        _casting(casts=casts, clients=clients)
    else:
        print(
            "  casting over HTTP: skipped here, it runs on PostgreSQL "
            "(set LINJU_BENCH_DATABASE_URL)"
        )


def run_on_postgresql(server_url: str, arguments: list[str]) -> None:
    """Run ``python -m bench --only decisions`` again in a throw-away database of the server
    at ``server_url``, created before and dropped after (even if the run fails)."""
    import psycopg

    name = f"linju_bench_{os.getpid()}"
    parts = urlsplit(server_url)
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bench", "--only", "decisions", *arguments],
            env={**os.environ, "LINJU_BENCH_CHILD_DATABASE_URL": bench_url},
            check=True,
        )
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        version = connection.pg_version  # type: ignore[attr-defined]
        return f"PostgreSQL {version // 10000}.{version % 100} (throw-away database)"
    return "SQLite (throw-away file, WAL)"


# --- The tally -------------------------------------------------------------------------------


def _tally(*, flats: int, ballots: int, runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linju.decisions import rules, selectors
    from linju.decisions.models import Ballot

    started = time.perf_counter()
    decision, entries = _tally_fixture(flats=flats, ballots=ballots)
    print(
        f"  tally fixture: {flats:,} flats, {entries:,} owner entities, {ballots:,} counted "
        f"ballots (+{ballots // SUPERSEDED_SHARE:,} superseded), built in "
        f"{time.perf_counter() - started:.1f} s"
    )
    with CaptureQueriesContext(connection) as captured:
        count = selectors.owners_count(decision=decision)
    queries = len(captured.captured_queries)
    result = rules.owners_result(count, approval=rules.approval_threshold(7))
    tally_ms = _median_ms(lambda: selectors.owners_count(decision=decision), runs)
    plain_ms = _median_ms(
        lambda: Ballot.objects.filter(decision=decision, counted=True).count(), runs
    )
    print(
        f"  owners' tally (selectors.owners_count): {tally_ms:.1f} ms median of {runs}, "
        f"{queries} queries; heads {count.voted_heads:,}/{count.total_heads:,}, "
        f"area {count.voted_area}/{count.total_area} m², result {result.result}"
    )
    print(f"  plain COUNT(*) of the same counted ballots: {plain_ms:.1f} ms median of {runs}")
    print(f"  tally / COUNT(*): {tally_ms / plain_ms:.1f}×")


def _median_ms(work: Callable[[], Any], runs: int) -> float:
    work()  # warm the caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _estate(slug: str, name: str) -> Any:
    from linju.community.models import Estate, Street

    street = Street.objects.create(name=f"{name}街道", slug=f"{slug}-street")
    return Estate.objects.create(street=street, slug=slug, name=name)


def _owners_decision(estate: Any, *, status: str, title: str) -> Any:
    import datetime

    from django.utils import timezone

    from linju.decisions import rules
    from linju.decisions.models import Decision

    now = timezone.now()
    return Decision.objects.create(
        estate=estate,
        kind=Decision.Kind.OWNERS,
        title=title,
        matter=7,
        status=status,
        opens_at=now - datetime.timedelta(hours=1),
        opened_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
        rules={
            "notice_days": 15,
            "revote": Decision.Revote.LAST,
            "online_over_paper": True,
            "show_totals_while_open": False,
            "quorum": rules.QUORUM.as_dict(),
            "approval": rules.approval_threshold(7).as_dict(),
            "counting": "owner_entity",
            "deemed_consent": False,
            "publish_voter_flats": False,
        },
    )


def _tally_fixture(*, flats: int, ballots: int) -> tuple[Any, int]:
    """The decision, and how many owner entities are on its roll. Flat ``i`` belongs to entry
    ``i``; the last tenth of the flats are second flats of the first entries."""
    from django.db import connection
    from django.utils import timezone

    from linju.community.models import Building
    from linju.decisions.models import Ballot, Decision, RollEntry, RollFlat

    rng = random.Random(SEED)
    estate = _estate("bench-tally", "基准花园")
    decision = _owners_decision(estate, status=Decision.Status.OPEN, title="基准：大堂改造")
    seconds = flats // 10
    entry_count = flats - seconds
    if ballots > entry_count:
        raise SystemExit(f"{ballots:,} ballots need at least {ballots:,} owner entities.")
    buildings = Building.objects.bulk_create(
        Building(estate=estate, number=str(n + 1), sort_key=n + 1)
        for n in range(-(-flats // FLATS_PER_BUILDING))
    )
    areas = [Decimal(rng.randint(4000, 16000)) / 100 for _ in range(flats)]
    owner_of = [i if i < entry_count else i - entry_count for i in range(flats)]
    entry_area = areas[:entry_count]
    for flat in range(entry_count, flats):
        entry_area[owner_of[flat]] += areas[flat]
    entries = RollEntry.objects.bulk_create(
        (
            RollEntry(
                estate=estate,
                decision=decision,
                ref=f"O-{i + 1:06d}",
                kind=RollEntry.Kind.OWNER,
                area=entry_area[i],
            )
            for i in range(entry_count)
        ),
        batch_size=BATCH,
    )
    RollFlat.objects.bulk_create(
        (
            RollFlat(
                estate=estate,
                decision=decision,
                entry=entries[owner_of[i]],
                building=buildings[i // FLATS_PER_BUILDING],
                label=f"{i // FLATS_PER_BUILDING + 1}-{i % FLATS_PER_BUILDING + 1:04d}",
                area=areas[i],
            )
            for i in range(flats)
        ),
        batch_size=BATCH,
    )
    now = timezone.now()
    choices = rng.choices(
        [Ballot.Choice.AGREE, Ballot.Choice.DISAGREE, Ballot.Choice.ABSTAIN],
        weights=[7, 2, 1],
        k=ballots,
    )
    superseded = [
        Ballot(
            estate=estate,
            decision=decision,
            entry=entries[i],
            choice=Ballot.Choice.DISAGREE,
            channel=Ballot.Channel.ONLINE,
            receipt=f"S{i:09d}",
            cast_at=now,
            counted=False,
            superseded_at=now,
            superseded_reason="changed",
        )
        for i in range(0, ballots, SUPERSEDED_SHARE)
    ]
    counted = [
        Ballot(
            estate=estate,
            decision=decision,
            entry=entries[i],
            choice=choices[i],
            channel=Ballot.Channel.ONLINE,
            receipt=f"T{i:09d}",
            cast_at=now,
        )
        for i in range(ballots)
    ]
    Ballot.objects.bulk_create(superseded + counted, batch_size=BATCH)
    if connection.vendor == "postgresql":
        # Autovacuum would have analysed tables this size long before a count in production.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return decision, entry_count


# --- Casting over HTTP -----------------------------------------------------------------------


@dataclass
class Load:
    """What one batch of requests gave."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    uncounted: int = 0

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.statuses[200] / self.seconds

    def percentile_ms(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    token: str | None = None


def _casting(*, casts: int, clients: int) -> None:
    from django.db.models import Count, Q

    from linju.decisions.models import Ballot

    owners = max(clients, casts // VOTES_PER_OWNER)
    started = time.perf_counter()
    decision, tokens = _casting_fixture(owners)
    print(
        f"\n  casting fixture: {owners:,} owners with accounts and tokens, one open decision, "
        f"built in {time.perf_counter() - started:.1f} s"
    )
    path = f"/api/decisions/{decision.pk}/ballots"
    ballots = [
        Request("POST", path, json.dumps({"choice": choice}).encode(), token)
        for token in tokens
        for choice in ("disagree", "agree")[:VOTES_PER_OWNER]
    ]
    trivial = [Request("GET", "/api/estates") for _ in ballots]
    workers, threads = _server_size(clients)
    port = _free_port()
    with _gunicorn(port, workers=workers, threads=threads):
        _send(port, [Request("GET", "/api/estates")] * WARM_UP_REQUESTS, clients)
        _send(port, [Request("GET", f"/api/decisions/{decision.pk}")] * WARM_UP_REQUESTS, clients)
        base = _send(port, trivial, clients)
        cast = _send(port, ballots, clients)
    print(
        f"  gunicorn on 127.0.0.1: {workers} workers × {threads} threads (gthread); "
        f"{clients} clients, keep-alive"
    )
    _print_load("GET /api/estates", base, "requests")
    _print_load("POST …/ballots", cast, "ballots")
    print(
        f"  ballots vs GET /api/estates: {base.per_second / cast.per_second:.1f}× fewer per "
        f"second, p50 {cast.percentile_ms(50) / base.percentile_ms(50):.1f}×, "
        f"p99 {cast.percentile_ms(99) / base.percentile_ms(99):.1f}×"
    )
    stored = Ballot.objects.filter(decision=decision)
    doubled = (
        stored.values("entry")
        .annotate(counted=Count("id", filter=Q(counted=True)))
        .filter(counted__gt=1)
        .count()
    )
    counted = stored.filter(counted=True).count()
    print(
        f"  owners with more than one counted ballot: {doubled} "
        f"(ballots stored {stored.count():,}, counted {counted:,}, "
        f"superseded {stored.filter(counted=False).count():,}; "
        f"owners with a counted ballot {counted:,} of {owners:,})"
    )


def _print_load(label: str, load: Load, unit: str) -> None:
    others = {status: n for status, n in sorted(load.statuses.items()) if status != 200}
    extra = f", other answers {others}" if others else ""
    errors = f", {len(load.errors)} connection errors" if load.errors else ""
    uncounted = f", {load.uncounted} answered not counted" if load.uncounted else ""
    print(
        f"  {label}: {load.statuses[200]:,} {unit} in {load.seconds:.1f} s = "
        f"{load.per_second:.0f}/s; p50 {load.percentile_ms(50):.1f} ms, "
        f"p99 {load.percentile_ms(99):.1f} ms{extra}{errors}{uncounted}"
    )


def _casting_fixture(owners: int) -> tuple[Any, list[str]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from linju.api.tokens import api_token_issue
    from linju.community.models import Building, Person
    from linju.decisions.models import Decision, RollEntry, RollFlat

    estate = _estate("bench-cast", "投票花园")
    building = Building.objects.create(estate=estate, number="1", sort_key=1)
    decision = _owners_decision(estate, status=Decision.Status.OPEN, title="基准：换电梯")
    user_model = get_user_model()
    password = make_password(None)
    users = user_model.objects.bulk_create(
        (user_model(username=f"bench-voter-{i:05d}", password=password) for i in range(owners)),
        batch_size=BATCH,
    )
    people = Person.objects.bulk_create(
        (Person(estate=estate, full_name=f"业主{i}", user=u) for i, u in enumerate(users)),
        batch_size=BATCH,
    )
    entries = RollEntry.objects.bulk_create(
        (
            RollEntry(
                estate=estate,
                decision=decision,
                ref=f"O-{i + 1:05d}",
                kind=RollEntry.Kind.OWNER,
                voter=person,
                area=Decimal("88.50"),
            )
            for i, person in enumerate(people)
        ),
        batch_size=BATCH,
    )
    RollFlat.objects.bulk_create(
        (
            RollFlat(
                estate=estate,
                decision=decision,
                entry=entry,
                building=building,
                label=f"1-{i + 1:05d}",
                area=Decimal("88.50"),
            )
            for i, entry in enumerate(entries)
        ),
        batch_size=BATCH,
    )
    return decision, [api_token_issue(user=u, label="bench") for u in users]


def _server_size(clients: int) -> tuple[int, int]:
    """Two workers per core, threads enough for every client to be served at once."""
    workers = 2 * (os.cpu_count() or 1)
    return workers, max(1, -(-clients // workers))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _gunicorn(port: int, *, workers: int, threads: int) -> Iterator[None]:
    """gunicorn serving Linju on the benchmark's database, stopped (SIGTERM) when done."""
    from django.db import connection

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LINJU_HTTPS", "DEBUG", "ALLOWED_HOSTS")
    }
    connection.close()  # the server's workers open their own
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
        [
            sys.executable,
            "-m",
            "gunicorn",
            "linju.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        _wait_until_up(port, server)
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}.")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/estates")
            if conn.getresponse().status == 200:
                conn.close()
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s.")


def _send(port: int, requests: list[Request], clients: int) -> Load:
    """Send ``requests`` from ``clients`` threads, each on one keep-alive connection (a new one
    only if the server closed it), all starting together."""
    pending = deque(requests)
    lock = threading.Lock()
    load = Load()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start.wait()
        while True:
            with lock:
                if not pending:
                    break
                request = pending.popleft()
            headers = {"Host": "127.0.0.1", "Accept-Language": "en"}
            if request.body is not None:
                headers["Content-Type"] = "application/json"
            if request.token:
                headers["Authorization"] = f"Bearer {request.token}"
            began = time.perf_counter()
            try:
                conn.request(request.method, request.path, body=request.body, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                # Not retried: a ballot may have been stored before the connection broke.
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                with lock:
                    load.errors.append(repr(exc))
                continue
            took = time.perf_counter() - began
            uncounted = (
                request.method == "POST"
                and response.status == 200
                and not json.loads(body)["counted"]
            )
            with lock:
                load.latencies.append(took)
                load.statuses[response.status] += 1
                load.uncounted += uncounted
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load
