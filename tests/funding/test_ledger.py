"""The ledger cannot be rewritten unnoticed: `linju verify-ledger` names every changed, deleted
or reordered entry, and on PostgreSQL the table refuses UPDATE and DELETE outright."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from linju.funding import selectors, services
from linju.funding.management.commands.verify_ledger import Command
from linju.funding.models import LedgerEntry

pytestmark = pytest.mark.django_db


def _fill(money, n=6):
    for i in range(n):
        money.give(f"{100 + i}.{i:02d}", reference=f"WX{i:04d}", method="wechat")
    expense = money.spend("50")
    services.expense_approve(actor=money.staff, expense=expense)


@contextmanager
def _raw_writes():
    """Write to the ledger table behind the application's back, as an intruder with database
    access would (on PostgreSQL the append-only trigger must be switched off for that)."""
    if connection.vendor == "postgresql":
        # Deferred foreign-key checks of this transaction must run before the table is altered.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE funding_ledgerentry DISABLE TRIGGER USER")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE funding_ledgerentry ENABLE TRIGGER USER")
    else:
        yield


def _verify() -> tuple[int, str]:
    out = io.StringIO()
    command = Command(stdout=out, stderr=io.StringIO())
    call_command(command)
    return command.exit_code, out.getvalue()


def test_a_sound_ledger_verifies(money):
    _fill(money)
    code, out = _verify()
    assert code == 0, out
    assert "here: " in out and "ok" in out


TAMPERING = ["amount", "donor", "delete", "swap", "delete_last", "insert"]


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(how=st.sampled_from(TAMPERING), which=st.integers(min_value=0, max_value=100))
def test_every_tampering_is_caught_and_named(money, how, which):
    """Change, delete, reorder or add past rows directly in the database: the check fails and
    names an entry or the chain's end."""
    sid = transaction.savepoint()
    try:
        if not LedgerEntry.objects.exists():
            _fill(money)
        rows = list(LedgerEntry.objects.order_by("seq"))
        victim = rows[which % len(rows)]
        with _raw_writes():
            if how == "amount":
                LedgerEntry.objects.filter(pk=victim.pk).update(amount=victim.amount + Decimal("1"))
            elif how == "donor":
                LedgerEntry.objects.filter(pk=victim.pk).update(donor="改过的名字")
            elif how == "delete":
                LedgerEntry.objects.filter(pk=victim.pk).delete()
            elif how == "delete_last":
                LedgerEntry.objects.filter(pk=rows[-1].pk).delete()
            elif how == "swap":
                other = rows[(which + 1) % len(rows)]
                LedgerEntry.objects.filter(pk=victim.pk).update(seq=10_000)
                LedgerEntry.objects.filter(pk=other.pk).update(seq=victim.seq)
                LedgerEntry.objects.filter(pk=victim.pk).update(seq=other.seq)
            elif how == "insert":
                LedgerEntry.objects.create(
                    estate_id=victim.estate_id,
                    seq=len(rows) + 1,
                    fund_id=victim.fund_id,
                    kind="contribution",
                    amount=Decimal("999.00"),
                    method="cash",
                    recorded_at=victim.recorded_at,
                    prev_hash=rows[-1].hash,
                    hash="f" * 64,
                )
        code, out = _verify()
        assert code == 1, (how, out)
        assert "BROKEN" in out and ("entry #" in out or "the chain" in out)
    finally:
        transaction.savepoint_rollback(sid)


def test_the_command_exits_3_when_it_cannot_check(tmp_path):
    """No database (a PostgreSQL address nobody answers): exit 3, never 0 or 1."""
    env = {
        "PATH": "/usr/bin:/bin",
        "LINJU_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://nobody:x@127.0.0.1:1/none",
        "DJANGO_SETTINGS_MODULE": "linju.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from linju.cli import main; main()", "verify-ledger"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr[-2000:]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigger")
def test_postgresql_refuses_to_update_or_delete_ledger_rows(money):
    entry = money.give("10")
    for attempt in (
        lambda: LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1")),
        lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    entry.refresh_from_db()
    assert entry.amount == Decimal("10.00")


def test_balances_are_the_sums_of_entries(money):
    _fill(money, n=3)
    balances = selectors.fund_balances(estate=money.world.here)
    assert balances[money.fund.pk] == services.money_balance(money.fund)
