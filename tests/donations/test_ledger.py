"""The foundation's own chain on the ledger: ``linju verify-ledger`` checks it with every
estate's, names any entry changed, deleted, reordered or added behind the application's back,
and an estate's entries keep the hashes they always had."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from linju.funding import chain
from linju.funding import services as funding
from linju.funding.management.commands.verify_ledger import Command
from linju.funding.models import LedgerEntry

pytestmark = pytest.mark.django_db


def _verify(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    command = Command(stdout=out, stderr=io.StringIO())
    call_command(command, *args)
    return command.exit_code, out.getvalue()


def _fill(foundation) -> None:
    foundation.give("60000.00", donor_name="万里街道商会", publish_name=True)
    foundation.give("10050.30", method="bank", reference="WL-0827-031")
    foundation.give("500.00")


def _raw(sql: str, *params) -> None:
    """Write to the ledger table as an intruder with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE funding_ledgerentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE funding_ledgerentry ENABLE TRIGGER USER")


def test_the_foundations_chain_verifies_with_the_estates(foundation, world):
    _fill(foundation)
    code, out = _verify()
    assert code == 0, out
    assert f"street {foundation.street.slug}: 3 entries" in out
    assert "here: 0 entries" in out


def test_one_streets_chain_can_be_checked_alone(foundation):
    _fill(foundation)
    code, out = _verify("--street", foundation.street.slug)
    assert code == 0 and out.count("— ok") == 1 and "street" in out
    code, _out = _verify("--street", "nowhere")
    assert code == 3


@pytest.mark.parametrize("how", ["amount", "donor", "delete", "swap"])
def test_tampering_with_the_foundations_chain_is_caught(foundation, how):
    _fill(foundation)
    rows = list(LedgerEntry.objects.filter(street=foundation.street).order_by("seq"))
    sid = transaction.savepoint()  # rolled back: the deleted row's donation must find it again
    try:
        _tamper(how, rows)
        code, out = _verify()
    finally:
        transaction.savepoint_rollback(sid)
    assert code == 1, out
    assert f"street {foundation.street.slug}: BROKEN" in out
    assert "here: 0 entries" in out  # the estate's chain is not blamed


def _tamper(how: str, rows: list[LedgerEntry]) -> None:
    if how == "amount":
        _raw("UPDATE funding_ledgerentry SET amount = %s WHERE id = %s", Decimal(1), rows[0].pk)
    elif how == "donor":
        _raw("UPDATE funding_ledgerentry SET donor = %s WHERE id = %s", "别人", rows[0].pk)
    elif how == "delete":  # the intruder removes the donation that points at the row too
        _raw("DELETE FROM donations_donation WHERE entry_id = %s", rows[1].pk)
        _raw("DELETE FROM funding_ledgerentry WHERE id = %s", rows[1].pk)
    else:
        _raw("UPDATE funding_ledgerentry SET seq = 100 WHERE id = %s", rows[0].pk)
        _raw("UPDATE funding_ledgerentry SET seq = 1 WHERE id = %s", rows[1].pk)
        _raw("UPDATE funding_ledgerentry SET seq = 2 WHERE id = %s", rows[0].pk)


def test_an_estate_entrys_hash_does_not_depend_on_the_street_field(world):
    """An estate entry hashes as it always did (no ``street`` key); a street entry's canonical
    form names its street."""
    fund = funding.fund_create(
        actor=world.users["staff"],
        estate=world.here,
        title="楼道",
        target="100",
        treasurer=world.users["staff"],
    )
    entry = funding.contribution_record(
        actor=world.users["staff"], fund=fund, amount="2", method="cash"
    )
    row = {name: getattr(entry, name) for name in chain.HASHED_FIELDS}
    assert '"street"' not in chain.canonical(row)
    without = {k: v for k, v in row.items() if k != "street_id"}
    assert chain.entry_hash(without) == entry.hash


def test_a_street_entry_names_its_street_in_its_hash(foundation):
    donation = foundation.give("1.00")
    row = {name: getattr(donation.entry, name) for name in chain.HASHED_FIELDS}
    assert f'"street":"{foundation.street.pk}"' in chain.canonical(row)
    assert chain.entry_hash(row) == donation.entry.hash
