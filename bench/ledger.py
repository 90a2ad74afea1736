"""The ledger: appending to an estate's hash chain and verifying it; the page of a fund with
10,000 entries.

Appending: 100,000 entries (by default) spread over 10 funds of one estate (10,000 each),
through ``services._append``, the one function every money and material write goes through
(lock the estate's chain head, number the entry, hash it over the previous one, insert it,
move the head), 1,000 entries per transaction: the chain's own cost, without the services'
permission checks, matching and audit rows. The baseline is a plain ``bulk_create`` of the
same number of rows into another estate, also 1,000 per transaction. Then, for what a whole
service adds, ``services.contribution_record`` (permission, validation, the chain, matching,
audit; one transaction per entry) for 2,000 more entries.

Verifying: ``selectors.ledger_verify`` (every entry's hash recomputed in chain order, the
stored head compared, every fund's balance summed both ways) against a plain scan of the same
rows and columns (``values_list`` over all of them, in chain order), in the same run.

The fund page: a fund with 10,000 entries and a fund with 10, seen by a resident of the
estate: query counts (equal if the page is paginated) and the median time against the trivial
view of ``bench/urls.py``.

With ``LINJU_BENCH_DATABASE_URL`` (a PostgreSQL server where the role may create databases),
everything also runs there, in a throw-away database created and dropped around the run.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench.decisions import _database_label, _estate, _median_ms

SEED = 17
FUNDS = 10
PER_TRANSACTION = 1000
SMALL_FUND_ENTRIES = 10
PAGE_RUNS = 20


def run(*, entries: int, service_entries: int, runs: int) -> None:
    """All three on the database Django is configured with."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(f"\nledger, on {_database_label()}:")
    estate, funds = _appending(entries=entries, service_entries=service_entries)
    _verifying(estate, runs=runs)
    _fund_page(estate, funds[0], runs=max(runs, PAGE_RUNS))


def run_on_postgresql(server_url: str, arguments: list[str]) -> None:
    """Run ``python -m bench --only ledger`` again in a throw-away database of the server at
    ``server_url``, created before and dropped after (even if the run fails)."""
    import psycopg

    name = f"linju_bench_ledger_{os.getpid()}"
    parts = urlsplit(server_url)
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bench", "--only", "ledger", *arguments],
            env={**os.environ, "LINJU_BENCH_CHILD_DATABASE_URL": bench_url},
            check=True,
        )
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Appending -------------------------------------------------------------------------------


def _treasurer(estate: Any, username: str) -> Any:
    from django.contrib.auth import get_user_model

    from linju.community.models import Person

    user = get_user_model().objects.create_user(username=username)
    Person.objects.create(estate=estate, full_name="出纳", user=user)
    return user


def _funds(estate: Any, treasurer: Any, count: int) -> list[Any]:
    from linju.community.models import Building
    from linju.funding.models import Fund

    building = Building.objects.create(estate=estate, number="17", sort_key=17)
    return [
        Fund.objects.create(
            estate=estate,
            building=building,
            title=f"17号楼 微更新 {n + 1}",
            target=Decimal("20000.00"),
            treasurer=treasurer,
        )
        for n in range(count)
    ]


def _movements(count: int) -> list[dict[str, Any]]:
    """What each entry records: mostly money received (a third in cash, the rest by transfer
    with a unique reference), some expenses and materials."""
    from linju.funding.models import LedgerEntry

    rng = random.Random(SEED)
    rows = []
    for i in range(count):
        roll = rng.random()
        cents = Decimal(rng.randint(100, 99_999)) / 100
        if roll < 0.10:
            rows.append(
                {
                    "kind": LedgerEntry.Kind.EXPENSE,
                    "amount": -cents / 4,
                    "method": LedgerEntry.Method.BANK,
                    "description": "装修队",
                }
            )
        elif roll < 0.15:
            rows.append(
                {
                    "kind": LedgerEntry.Kind.MATERIAL,
                    "amount": cents,
                    "method": LedgerEntry.Method.IN_KIND,
                    "description": "实木地板",
                    "donor": f"17-{i % 30 + 1:02d}01",
                }
            )
        else:
            method = rng.choice(["cash", "wechat", "bank", "alipay"])
            rows.append(
                {
                    "kind": LedgerEntry.Kind.CONTRIBUTION,
                    "amount": cents,
                    "method": method,
                    "reference": "" if method == "cash" else f"T{i:08d}",
                    "donor": f"17-{i % 30 + 1:02d}01" if i % 3 else "",
                }
            )
    for row in rows:
        row["amount"] = Decimal(row["amount"]).quantize(Decimal("0.01"))
    return rows


def _appending(*, entries: int, service_entries: int) -> tuple[Any, list[Any]]:
    from django.db import connection, transaction

    from linju.funding import chain, services
    from linju.funding.models import LedgerEntry

    estate = _estate("bench-ledger", "账本花园")
    treasurer = _treasurer(estate, "bench-treasurer")
    funds = _funds(estate, treasurer, FUNDS)
    movements = _movements(entries)

    started = time.perf_counter()
    for first in range(0, entries, PER_TRANSACTION):
        with transaction.atomic():
            for i in range(first, min(first + PER_TRANSACTION, entries)):
                services._append(fund=funds[i % FUNDS], actor=treasurer, **movements[i])
    chained = time.perf_counter() - started

    plain_estate = _estate("bench-ledger-plain", "对照花园")
    plain_funds = _funds(plain_estate, treasurer, FUNDS)
    started = time.perf_counter()
    for first in range(0, entries, PER_TRANSACTION):
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(
                LedgerEntry(
                    estate=plain_estate,
                    seq=i + 1,
                    fund=plain_funds[i % FUNDS],
                    recorded_by=treasurer,
                    recorded_at=_now(),
                    prev_hash=chain.GENESIS,
                    hash=f"{i:064x}",
                    **({"reference": "", "description": "", "donor": ""} | movements[i]),
                )
                for i in range(first, min(first + PER_TRANSACTION, entries))
            )
    plain = time.perf_counter() - started

    service_fund = funds[1]
    started = time.perf_counter()
    for i in range(service_entries):
        services.contribution_record(
            actor=treasurer,
            fund=service_fund,
            amount=Decimal(100 + i % 900) + Decimal("0.50"),
            method="wechat",
            reference=f"S{i:08d}",
        )
    serviced = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    print(
        f"  append through services._append, {PER_TRANSACTION:,} per transaction: "
        f"{entries:,} entries in {chained:.1f} s = {entries / chained:,.0f} entries/s"
    )
    print(
        f"  plain bulk_create of the same rows (no chain), {PER_TRANSACTION:,} per transaction: "
        f"{entries / plain:,.0f} rows/s; through the chain takes {chained / plain:.1f}× as long"
    )
    print(
        f"  services.contribution_record (the whole service, one transaction each): "
        f"{service_entries:,} entries in {serviced:.1f} s = {service_entries / serviced:,.0f} "
        f"entries/s"
    )
    return estate, funds


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


# --- Verifying -------------------------------------------------------------------------------


def _verifying(estate: Any, *, runs: int) -> None:
    from linju.funding import selectors
    from linju.funding.models import LedgerEntry

    report = selectors.ledger_verify(estate=estate)
    if not report.ok:
        raise SystemExit(f"the chain did not verify: {report.breaks[:3]}")
    verify_ms = _median_ms(lambda: selectors.ledger_verify(estate=estate), runs)

    def scan() -> int:
        rows = (
            LedgerEntry.objects.filter(estate=estate)
            .order_by("seq")
            .values_list(*selectors.ROW_FIELDS)
        )
        return sum(1 for _row in rows.iterator(chunk_size=5000))

    scanned = scan()
    scan_ms = _median_ms(scan, runs)
    print(
        f"  verify the chain (selectors.ledger_verify): {report.count:,} entries in "
        f"{verify_ms / 1000:.2f} s median of {runs} = {report.count / verify_ms * 1000:,.0f} "
        "entries/s"
    )
    print(
        f"  plain scan of the same {scanned:,} rows (values_list, chain order): "
        f"{scan_ms / 1000:.2f} s median of {runs}"
    )
    print(f"  verification / plain scan: {verify_ms / scan_ms:.1f}×")


# --- The fund page ---------------------------------------------------------------------------


def _fund_page(estate: Any, big_fund: Any, *, runs: int) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client, override_settings
    from django.urls import reverse

    from bench.pages import _measure
    from linju.community.models import Person
    from linju.funding import services
    from linju.funding.models import Fund, LedgerEntry

    treasurer = big_fund.treasurer
    small_fund = Fund.objects.create(
        estate=estate,
        building=big_fund.building,
        title="17号楼 小额",
        target=Decimal("1000.00"),
        treasurer=treasurer,
    )
    with transaction.atomic():
        for i in range(SMALL_FUND_ENTRIES):
            services._append(
                fund=small_fund,
                kind=LedgerEntry.Kind.CONTRIBUTION,
                amount=Decimal(10 + i),
                method=LedgerEntry.Method.CASH,
                actor=treasurer,
            )
    resident = get_user_model().objects.create_user(username="bench-ledger-resident")
    Person.objects.create(estate=estate, full_name="居民", user=resident)
    client = Client()
    client.force_login(resident)
    big_count = LedgerEntry.objects.filter(fund=big_fund).count()

    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=hosts):
        trivial = _measure(client, reverse("bench_trivial"), runs)
        big = _measure(client, reverse("fund_detail", args=[estate.slug, big_fund.pk]), runs)
        small = _measure(client, reverse("fund_detail", args=[estate.slug, small_fund.pk]), runs)
    verdict = "constant" if big.queries == small.queries else "GROWS"
    print(
        f"  fund page (a resident), {big_count:,} entries: {big.median_ms:.1f} ms median of "
        f"{runs}, {big.queries} queries; {big.median_ms / trivial.median_ms:.1f}× the trivial "
        f"view ({trivial.median_ms:.2f} ms)"
    )
    print(
        f"  fund page, {SMALL_FUND_ENTRIES} entries: {small.median_ms:.1f} ms, "
        f"{small.queries} queries — query count {verdict}"
    )
