"""Crash: money writes through the API while the server is killed (``kill -9``) again and again.

A fresh site (a throw-away SQLite file in its own data folder, or a throw-away PostgreSQL
database) holds one estate with a fund the street matches 1:1 up to ¥10,000 once residents have
given ¥500, and the fund's treasurer with an API token. gunicorn serves it on 127.0.0.1 (a free
port). Client threads record contributions through ``POST /api/funds/{id}/contributions``, each
write with its own ``Idempotency-Key`` and naming itself in its description; after a dropped
connection or a 5xx a client sends the same write again with the same key until it is
acknowledged (2xx). Most writes are transfers with their reference; one in ``CASH_EVERY`` is
cash without one, so that only its key stands between a retry and a second entry; one in
``TWICE_EVERY`` is sent on two connections at once, as an impatient client does. Meanwhile the
whole server (master and workers: the process group) is killed with SIGKILL at random moments
and started again.

Afterwards, with the server stopped: every acknowledged write is stored exactly once, with the
acknowledged amount and entry number; there is no contribution nobody acknowledged; the entries
are the writes plus the generated matching entries, whose total is what the rule gives; and
``linju verify-ledger`` exits 0.

``python -m bench --only crash`` runs 10,000 writes and 20 kills on SQLite, and on PostgreSQL
too with ``LINJU_BENCH_DATABASE_URL``, after the same writes without kills as the baseline.
The test suite runs the same harness with about 1,000 writes and 3 kills
(``tests/funding/test_crash.py``).
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SEED = 17
CASH_EVERY = 4
TWICE_EVERY = 20
MATCH_RATIO, MATCH_CAP, MATCH_AFTER = Decimal("1"), Decimal("10000.00"), Decimal("500.00")
CLIENT_TIMEOUT = 60  # seconds a client waits for one answer before it sends the write again
GIVE_UP_AFTER = 300  # seconds a client keeps retrying one write
START_TIMEOUT = 90  # seconds gunicorn may take to answer after a (re)start
# The server's environment: the site's own settings, never the caller's database or hosts.
DROPPED = ("DATABASE_URL", "DEBUG", "ALLOWED_HOSTS", "LINJU_HTTPS", "SECRET_KEY")


def run(*, writes: int, kills: int, clients: int) -> None:
    """The benchmark: on SQLite, and on PostgreSQL when ``LINJU_BENCH_DATABASE_URL`` is set;
    first the writes without kills (the baseline), then with them."""
    targets: list[str | None] = [None]
    server_url = os.environ.get("LINJU_BENCH_DATABASE_URL", "")
    if server_url:
        targets.append(server_url)
    for database_url in targets:
        with site(database_url) as place:
            print(f"\ncrash, on {place.label}:")
            calm = hammer(place, writes=writes, kills=0, clients=clients)
            baseline = calm.per_second
            print(
                f"  baseline, no kills: {len(calm.acks):,} writes acknowledged in "
                f"{calm.seconds:.1f} s = {baseline:.0f}/s"
            )
        with site(database_url) as place:
            crashed = hammer(place, writes=writes, kills=kills, clients=clients)
            stored = inspect(place)
            code, output = verify_ledger(place)
        findings = check(crashed, stored)
        print(
            f"  {writes:,} writes from {clients} clients (one in {TWICE_EVERY} sent twice at "
            f"once), gunicorn {crashed.workers} workers × {crashed.threads} threads, killed "
            f"{crashed.kills} times (kill -9 of master and workers) at random moments"
        )
        print(
            f"  acknowledged {len(crashed.acks):,} of {writes:,} in {crashed.seconds:.1f} s = "
            f"{crashed.per_second:.0f}/s ({crashed.per_second / baseline:.2f}× the baseline); "
            f"retries {crashed.retries:,} (for {crashed.retried_writes:,} writes), answered "
            f"from the stored key {crashed.replayed:,}, requests in flight at the kills "
            f"{sum(crashed.in_flight):,}"
        )
        print(
            f"  stored: {findings.contributions:,} contributions + {findings.matches:,} "
            f"matching entries = {findings.entries:,} entries (matched ¥{findings.matched}); "
            f"duplicates found {findings.duplicates}, acknowledged but missing "
            f"{findings.missing}, stored but not acknowledged {findings.unacknowledged}, "
            f"not as acknowledged {findings.mismatched}, refused {len(crashed.refused)}, "
            f"given up {len(crashed.given_up)}"
        )
        last = output.strip().splitlines()[-1] if output.strip() else ""
        print(f"  linju verify-ledger: exit {code} ({last})")
        for problem in findings.problems[:10]:
            print(f"  PROBLEM: {problem}")


# --- The site -------------------------------------------------------------------------------


@dataclass
class Site:
    """A throw-away Linju: its environment (data folder, database), the fund and a token."""

    env: dict[str, str]
    data_dir: Path
    label: str
    fund_id: int = 0
    token: str = ""


@contextlib.contextmanager
def site(database_url: str | None = None) -> Iterator[Site]:
    """A fresh, migrated site: SQLite in a temporary data folder, or with ``database_url`` (a
    PostgreSQL server where the role may create databases) a database created for it; removed
    (dropped) afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="linju-crash-"))
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(
        LINJU_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="linju.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    name = ""
    label = "SQLite (throw-away file, WAL)"
    if database_url:
        import psycopg

        name = f"linju_crash_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
            version = admin.info.server_version
        env["DATABASE_URL"] = urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
        label = f"PostgreSQL {version // 10000}.{version % 100} (throw-away database)"
    try:
        place = Site(env=env, data_dir=data_dir, label=label)
        _python(place, "from linju.cli import main; main(['migrate', '--verbosity', '0'])")
        made = json.loads(_python(place, "from bench.crash import _seed; _seed()"))
        place.fund_id, place.token = made["fund"], made["token"]
        yield place
    finally:
        try:
            if database_url and name:
                _drop(database_url, name)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


def _drop(database_url: str, name: str) -> None:
    """Drop the site's database. A plain DROP waits out autovacuum (which FORCE may not end
    without superuser rights); FORCE ends sessions a killed server left behind."""
    import psycopg

    for attempt in range(10):
        force = " WITH (FORCE)" if attempt % 2 else ""
        try:
            with psycopg.connect(database_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"{force}')
            return
        except psycopg.Error:
            if attempt == 9:
                raise
            time.sleep(0.5)


def _python(place: Site, code: str, *, check: bool = True) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env=place.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"{code!r} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def _seed() -> None:
    """Run in the site's own environment: the estate, the fund, its treasurer (a resident of
    the building) and the treasurer's token, printed as JSON."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from linju.api.tokens import api_token_issue
    from linju.community.models import Building, Estate, Flat, Occupancy, Person, Street
    from linju.funding.models import Fund

    street = Street.objects.create(name="崩溃测试街道", slug="crash-street")
    estate = Estate.objects.create(street=street, slug="crash", name="崩溃花园")
    building = Building.objects.create(estate=estate, number="17", sort_key=17)
    flat = Flat.objects.create(estate=estate, building=building, number="101", area="88.50")
    treasurer = get_user_model().objects.create_user(username="crash-treasurer")
    person = Person.objects.create(estate=estate, full_name="钱会计", user=treasurer)
    Occupancy.objects.create(
        estate=estate, person=person, flat=flat, relation=Occupancy.Relation.OWNER
    )
    fund = Fund.objects.create(
        estate=estate,
        building=building,
        title="17号楼 楼道微更新",
        target=Decimal("1000000"),
        treasurer=treasurer,
        match_source="万里街道",
        match_ratio=MATCH_RATIO,
        match_cap=MATCH_CAP,
        match_after=MATCH_AFTER,
    )
    token = api_token_issue(user=treasurer, label="crash")
    print(json.dumps({"fund": fund.pk, "token": token}))


# --- The server -----------------------------------------------------------------------------


class Server:
    """gunicorn serving the site, started in its own process group so that one SIGKILL takes
    the master and every worker down at once, mid-request."""

    def __init__(self, place: Site, *, workers: int, threads: int) -> None:
        self.place = place
        self.port = _free_port()
        self.workers = workers
        self.threads = threads
        self.process: subprocess.Popen[bytes] | None = None
        self.log = place.data_dir / "gunicorn.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "linju.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--worker-class",
                    "gthread",
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                    "--keep-alive",
                    "30",
                    "--log-level",
                    "warning",
                    # Workers forked from a loaded master: a restart takes one import of
                    # Linju, not one per worker. Nothing touches the database before the fork.
                    "--preload",
                ],
                env=self.place.env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self._wait_until_up()

    def kill(self) -> None:
        """``kill -9`` the master and its workers."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        # Workers outlive a master that was stopped politely only for a moment.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def _wait_until_up(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self._tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/api/estates", headers={"Host": "127.0.0.1"})
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            time.sleep(0.05)
        raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT} s:\n{self._tail()}")

    def _tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_size(clients: int) -> tuple[int, int]:
    """Two workers per core (at most four), threads enough for every client at once."""
    workers = min(4, 2 * (os.cpu_count() or 1))
    return workers, max(1, -(-clients // workers))


# --- The clients ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    number: int
    key: str
    method: str
    reference: str  # "" for cash
    amount: Decimal
    twice: bool  # sent on two connections at once the first time

    @property
    def name(self) -> str:
        """How the write names itself (its entry's description)."""
        return f"crash write {self.number}"


@dataclass
class Ack:
    write: Write
    status: int
    body: dict[str, Any]
    attempts: int
    replayed: bool


@dataclass
class Hammering:
    """What the clients saw."""

    workers: int
    threads: int
    acks: list[Ack] = field(default_factory=list)
    refused: list[tuple[Write, int, str]] = field(default_factory=list)  # a 4xx: a failure
    given_up: list[Write] = field(default_factory=list)
    twins_differed: list[tuple[Write, str]] = field(default_factory=list)
    retries: int = 0
    replayed: int = 0
    kills: int = 0
    in_flight: list[int] = field(default_factory=list)  # requests in flight at each kill
    seconds: float = 0.0
    failure: str = ""  # the server could not be started again

    @property
    def per_second(self) -> float:
        return len(self.acks) / self.seconds if self.seconds else 0.0

    @property
    def retried_writes(self) -> int:
        """Writes acknowledged only after at least one more try."""
        return sum(ack.attempts > 1 for ack in self.acks)


def plan(writes: int, rng: random.Random) -> list[Write]:
    """``writes`` contributions of ¥1.00 to ¥99.99 (so the matching grant rises for the
    first ¥10,000 and then stops), each with its own key; transfers with their reference."""
    planned = []
    for n in range(writes):
        cash = rng.randrange(CASH_EVERY) == 0
        planned.append(
            Write(
                number=n,
                key=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                method="cash" if cash else "wechat",
                reference="" if cash else f"CRASH-{n:06d}",
                amount=Decimal(rng.randint(100, 9999)) / 100,
                twice=rng.randrange(TWICE_EVERY) == 0,
            )
        )
    return planned


class _Answer(Exception):
    """A transport failure: the write is sent again with the same key."""


def hammer(place: Site, *, writes: int, kills: int, clients: int, seed: int = SEED) -> Hammering:
    """Send ``writes`` contributions from ``clients`` threads while another thread kills the
    server ``kills`` times at random moments (spread over the run) and starts it again."""
    rng = random.Random(seed)
    pending = plan(writes, rng)
    workers, threads = server_size(clients)
    server = Server(place, workers=workers, threads=threads)
    result = Hammering(workers=workers, threads=threads)
    lock = threading.Lock()
    in_flight = [0]
    acknowledged = threading.Condition(lock)
    stop = threading.Event()
    path = f"/api/funds/{place.fund_id}/contributions"
    headers = {
        "Host": "127.0.0.1",
        "Accept-Language": "en",
        "Content-Type": "application/json",
        "Authorization": f"Bearer {place.token}",
    }

    def send(conn: http.client.HTTPConnection, write: Write) -> None:
        body = json.dumps(
            {
                "amount": str(write.amount),
                "method": write.method,
                "reference": write.reference,
                "description": write.name,
            }
        )
        conn.request("POST", path, body=body, headers={**headers, "Idempotency-Key": write.key})

    def receive(conn: http.client.HTTPConnection) -> tuple[int, bytes, bool]:
        response = conn.getresponse()
        body = response.read()
        replayed = response.getheader("Idempotent-Replayed") == "true"
        return response.status, body, replayed

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", server.port, timeout=CLIENT_TIMEOUT)

    def attempt(conns: list[http.client.HTTPConnection], write: Write, twice: bool):
        """One try: (status, body, replayed) or _Answer for a transport failure."""
        with lock:
            in_flight[0] += 1
        try:
            if not twice:
                send(conns[0], write)
                return receive(conns[0])
            send(conns[0], write)
            send(conns[1], write)
            first, second = receive(conns[0]), receive(conns[1])
            if not (200 <= first[0] < 300 and 200 <= second[0] < 300) or (
                json.loads(first[1]) != json.loads(second[1])
            ):
                with lock:
                    result.twins_differed.append(
                        (write, f"{first[0]} {first[1][:200]!r} / {second[0]} {second[1][:200]!r}")
                    )
            return second if 200 <= second[0] < 300 else first
        except (OSError, http.client.HTTPException) as failure:
            raise _Answer(repr(failure)) from None
        finally:
            with lock:
                in_flight[0] -= 1

    def client() -> None:
        conns = [connect(), connect()]
        while not stop.is_set():
            with lock:
                if not pending:
                    break
                write = pending.pop()
            tries = 0
            started = time.monotonic()
            pause = 0.01
            while True:
                tries += 1
                try:
                    status, body, replayed = attempt(conns, write, write.twice and tries == 1)
                except _Answer:
                    status, body, replayed = 0, b"", False
                    for conn in conns:
                        conn.close()
                    conns = [connect(), connect()]
                if 200 <= status < 300:
                    with lock:
                        result.acks.append(Ack(write, status, json.loads(body), tries, replayed))
                        result.retries += tries - 1
                        result.replayed += replayed
                        acknowledged.notify_all()
                    break
                if 400 <= status < 500:
                    with lock:
                        result.refused.append((write, status, body[:500].decode(errors="replace")))
                        result.retries += tries - 1
                        acknowledged.notify_all()
                    break
                # A dropped connection or a 5xx: the same write again, with the same key.
                if stop.is_set() or time.monotonic() - started > GIVE_UP_AFTER:
                    with lock:
                        result.given_up.append(write)
                        result.retries += tries - 1
                        acknowledged.notify_all()
                    break
                time.sleep(pause)
                pause = min(pause * 2, 0.25)
        for conn in conns:
            conn.close()

    def answered() -> int:
        return len(result.acks) + len(result.refused) + len(result.given_up)

    def reached(target: int) -> bool:
        return answered() >= target or not pending

    def killer() -> None:
        for k in range(kills):
            # Spread over the run, each at a random moment within its stretch of writes.
            stretch = writes / (kills + 1)
            target = int(stretch * (k + 1) + rng.uniform(-0.4, 0.4) * stretch)
            with acknowledged:
                acknowledged.wait_for(functools.partial(reached, target))
                if answered() < target:
                    return  # every write was sent before this kill's turn came
            time.sleep(rng.uniform(0, 0.02))
            with lock:
                busy = in_flight[0]
            server.kill()
            with lock:
                result.kills += 1
                result.in_flight.append(busy)
            try:
                server.start()
            except RuntimeError as failure:
                result.failure = str(failure)
                stop.set()
                return

    server.start()
    try:
        threads_ = [threading.Thread(target=client) for _ in range(clients)]
        chaos = threading.Thread(target=killer)
        began = time.perf_counter()
        for thread in threads_:
            thread.start()
        chaos.start()
        for thread in threads_:
            thread.join()
        result.seconds = time.perf_counter() - began
        with acknowledged:
            acknowledged.notify_all()
        chaos.join()
    finally:
        server.stop()
    if result.failure:
        raise RuntimeError(f"the server did not come back after a kill: {result.failure}")
    return result


# --- Afterwards -----------------------------------------------------------------------------


@dataclass
class Stored:
    """The site's ledger, read with the server stopped."""

    entries: list[dict[str, Any]]
    keys: list[dict[str, Any]]


def inspect(place: Site) -> Stored:
    return Stored(**json.loads(_python(place, "from bench.crash import _dump; _dump()")))


def _dump() -> None:
    """Run in the site's own environment: every ledger entry and stored idempotency key."""
    import django

    django.setup()
    from linju.funding.models import IdempotentRequest, LedgerEntry

    entries = [
        {**row, "amount": str(row["amount"])}
        for row in LedgerEntry.objects.order_by("estate_id", "seq").values(
            "seq", "kind", "reference", "description", "amount", "method", "reverses_id"
        )
    ]
    keys = list(IdempotentRequest.objects.order_by("pk").values("key", "status", "response"))
    print(json.dumps({"entries": entries, "keys": keys}))


def verify_ledger(place: Site) -> tuple[int, str]:
    """``linju verify-ledger`` on the site: its exit status and what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", "from linju.cli import main; main(['verify-ledger'])"],
        env=place.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode, done.stdout + done.stderr


@dataclass
class Findings:
    contributions: int = 0
    matches: int = 0
    entries: int = 0
    matched: Decimal = Decimal("0.00")
    duplicates: int = 0  # a write or a key stored more than once
    missing: int = 0  # acknowledged, not stored
    unacknowledged: int = 0  # stored, never acknowledged
    mismatched: int = 0  # stored otherwise than acknowledged
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(run_: Hammering, stored: Stored) -> Findings:
    """Compare what the clients were told with what the database holds."""
    found = Findings(entries=len(stored.entries))
    contributions = [e for e in stored.entries if e["kind"] == "contribution"]
    matches = [e for e in stored.entries if e["kind"] == "match"]
    found.contributions, found.matches = len(contributions), len(matches)
    found.matched = sum((Decimal(e["amount"]) for e in matches), Decimal("0.00"))
    others = [e for e in stored.entries if e["kind"] not in ("contribution", "match")]
    if others:
        found.problems.append(f"{len(others)} entries of other kinds: {others[:3]}")

    by_name: dict[str, list[dict[str, Any]]] = {}
    for entry in contributions:
        by_name.setdefault(entry["description"], []).append(entry)
    for name, copies in by_name.items():
        if len(copies) > 1:
            found.duplicates += len(copies) - 1
            found.problems.append(f"{name} stored {len(copies)} times")
    key_counts: dict[str, int] = {}
    for row in stored.keys:
        key_counts[row["key"]] = key_counts.get(row["key"], 0) + 1
    for key, n in key_counts.items():
        if n > 1:
            found.duplicates += n - 1
            found.problems.append(f"key {key} stored {n} times")

    acked = {ack.write.name: ack for ack in run_.acks}
    if len(acked) != len(run_.acks):
        found.problems.append("a write was acknowledged twice")
    stored_keys = {row["key"]: row for row in stored.keys}
    for name, ack in acked.items():
        copies = by_name.get(name, [])
        if not copies:
            found.missing += 1
            found.problems.append(f"acknowledged {name} is not stored")
            continue
        entry, told, write = copies[0], ack.body, ack.write
        if (
            (Decimal(entry["amount"]), entry["method"], entry["reference"])
            != (write.amount, write.method, write.reference)
            or told.get("seq") != entry["seq"]
            or told.get("description") != name
            or Decimal(str(told.get("amount"))) != write.amount
        ):
            found.mismatched += 1
            found.problems.append(f"{name}: stored {entry}, acknowledged {told}")
        kept = stored_keys.get(write.key)
        if kept is None or kept["response"] != told:
            found.mismatched += 1
            found.problems.append(f"{name}: its key's stored answer differs")
    for name in by_name:
        if name not in acked:
            found.unacknowledged += 1
            found.problems.append(f"{name} is stored but was never acknowledged")
    if len(stored.keys) != len(contributions):
        found.problems.append(
            f"{len(stored.keys)} keys stored for {len(contributions)} contributions"
        )

    residents = sum((Decimal(e["amount"]) for e in contributions), Decimal("0.00"))
    due = Decimal("0.00")
    if residents >= MATCH_AFTER:
        due = min(MATCH_CAP, (residents * MATCH_RATIO).quantize(Decimal("0.01"), ROUND_DOWN))
    if found.matched != due:
        found.problems.append(f"matched ¥{found.matched}, the rule gives ¥{due}")
    if found.entries != len(run_.acks) + found.matches + found.unacknowledged:
        found.problems.append(
            f"{found.entries} entries for {len(run_.acks)} acknowledged writes and "
            f"{found.matches} matching entries"
        )
    for write, status, body in run_.refused:
        found.problems.append(f"{write.name} refused: {status} {body}")
    for write, what in run_.twins_differed:
        found.problems.append(f"{write.name} sent twice at once: {what}")
    for write in run_.given_up:
        found.problems.append(f"{write.name}: no answer after {GIVE_UP_AFTER} s")
    return found
