"""The funds API: reading funds, a fund and its entries (personal data for members only), and
the money-writing calls with idempotency keys: a retried request gets the first answer and
never writes twice, a key reused for another call is refused, and duplicates sent at once
write once. Refusals write nothing."""

from __future__ import annotations

import datetime
import sqlite3
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.funding import selectors, services
from linju.funding.models import Expense, IdempotentRequest, LedgerEntry, Pledge
from linju.notices.models import BoardSettings
from linju.privacy.retention import retention_purge
from tests.funding.conftest import receipt_photo

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, label='test')}"}


def post(client: Client, url: str, body: dict, headers: dict, key: str | None = None):
    extra = {**headers}
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, body, content_type="application/json", **extra)


@pytest.fixture
def client() -> Client:
    return Client()


def given(url_fund) -> str:
    return f"/api/funds/{url_fund.pk}/contributions"


class TestReading:
    def test_members_list_the_estates_funds_with_figures(self, money, client):
        money.give("600")
        rows = client.get("/api/funds?estate=here", **bearer(money.resident)).json()
        assert [r["title"] for r in rows] == ["1号楼 楼道微更新"]
        figures = rows[0]["figures"]
        assert (figures["received"], figures["matched"], figures["balance"]) == (
            "600.00",
            "600.00",
            "1200.00",
        )
        assert rows[0]["building"] == "1" and rows[0]["currency"] == "CNY"
        other = client.get("/api/funds?estate=here&building=2", **bearer(money.resident)).json()
        assert other == []

    def test_a_fund_with_its_head_and_rule(self, money, client):
        entry = money.give("100")
        body = client.get(f"/api/funds/{money.fund.pk}", **bearer(money.resident)).json()
        assert body["head"] == {"count": 1, "hash": entry.hash}
        assert body["matching"] == {
            "source": "万里街道",
            "ratio": "1.00",
            "cap": "10000.00",
            "after": "500.00",
        }
        assert body["target"] == "20000.00"

    def test_entries_in_chain_order_with_donors_for_members_only(self, money, client):
        pledge = services.pledge_create(
            actor=money.resident, fund=money.fund, kind="money", amount="700"
        )
        money.give("700", reference="WX-1", method="wechat", pledge=pledge)
        url = f"/api/funds/{money.fund.pk}/entries"
        body = client.get(url, **bearer(money.resident)).json()
        assert body["total"] == 2
        first, match = body["entries"]
        assert (first["seq"], first["kind"], first["amount"]) == (1, "contribution", "700.00")
        assert (first["donor"], first["reference"]) == (money.world.flat1.label, "WX-1")
        assert (match["kind"], match["donor"], match["prev_hash"]) == (
            "match",
            "万里街道",
            first["hash"],
        )
        BoardSettings.objects.create(estate=money.world.here, public=True)
        public = client.get(url).json()
        assert public["entries"][0]["donor"] is None
        assert public["entries"][0]["reference"] == ""
        assert public["entries"][1]["donor"] == "万里街道"
        paged = client.get(url + "?limit=1&offset=1", **bearer(money.resident)).json()
        assert [e["seq"] for e in paged["entries"]] == [2]

    def test_without_a_token_funds_that_are_not_public_are_401(self, money, client):
        assert client.get("/api/funds?estate=here").status_code == 401
        assert client.get(f"/api/funds/{money.fund.pk}").status_code == 401

    @pytest.mark.parametrize("role", ["outsider", "staff_other_estate"])
    def test_outsiders_get_404(self, money, client, role):
        headers = bearer(money.world.users[role])
        assert client.get(f"/api/funds/{money.fund.pk}", **headers).status_code == 404
        assert client.get("/api/funds?estate=here", **headers).status_code == 404
        assert client.get(f"/api/funds/{2**70}", **headers).status_code in (404, 422)

    def test_a_nul_in_a_query_is_400(self, money, client):
        response = client.get("/api/funds?estate=he%00re", **bearer(money.resident))
        assert response.status_code == 400


class TestWriting:
    def test_the_treasurer_records_money_received(self, money, client):
        response = post(
            client,
            given(money.fund),
            {"amount": "305.70", "method": "wechat", "reference": "4200001"},
            bearer(money.treasurer),
        )
        assert response.status_code == 201
        body = response.json()
        assert (body["amount"], body["kind"], body["reference"]) == (
            "305.70",
            "contribution",
            "4200001",
        )
        assert "Idempotent-Replayed" not in response

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"amount": "0", "method": "cash"}, "amount"),
            ({"amount": "1.005", "method": "cash"}, "amount"),
            ({"amount": "-1", "method": "cash"}, "amount"),
            ({"amount": "10", "method": "wechat"}, "reference"),
            ({"amount": "10", "method": "gold"}, "method"),
            ({"amount": "10", "method": "cash", "pledge": 999999}, "pledge"),
        ],
    )
    def test_bad_money_is_422_by_field_and_writes_nothing(self, money, client, body, field):
        response = post(client, given(money.fund), body, bearer(money.treasurer), str(uuid.uuid4()))
        assert response.status_code == 422
        assert field in response.json()["errors"]
        assert not LedgerEntry.objects.exists()
        assert not IdempotentRequest.objects.exists()

    def test_a_resident_may_not_record_money(self, money, client):
        response = post(
            client, given(money.fund), {"amount": "5", "method": "cash"}, bearer(money.resident)
        )
        assert response.status_code == 403
        assert not LedgerEntry.objects.exists()

    def test_a_resident_pledges(self, money, client):
        response = post(
            client,
            f"/api/funds/{money.fund.pk}/pledges",
            {"kind": "material", "description": "地砖", "quantity": "40", "unit": "片"},
            bearer(money.resident),
        )
        assert response.status_code == 201
        assert response.json()["shown_as"] == "flat"
        assert Pledge.objects.get().description == "地砖"

    def test_an_expense_with_its_receipt_waits_for_approval(self, money, client):
        money.give("500")
        response = client.post(
            f"/api/funds/{money.fund.pk}/expenses",
            {
                "payee": "建材商行",
                "amount": "120.50",
                "category": "materials",
                "method": "cash",
                "receipt": receipt_photo(),
            },
            HTTP_IDEMPOTENCY_KEY="expense-key-0001",
            **bearer(money.treasurer),
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["status"], body["amount"], body["needs_leader"]) == (
            "waiting",
            "120.50",
            False,
        )
        assert Expense.objects.get().receipt.name.endswith(".png")

    def test_an_expense_without_a_real_picture_is_refused(self, money, client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        money.give("500")
        response = client.post(
            f"/api/funds/{money.fund.pk}/expenses",
            {
                "payee": "建材商行",
                "amount": "12",
                "category": "materials",
                "receipt": SimpleUploadedFile("r.png", b"not a picture"),
            },
            **bearer(money.treasurer),
        )
        assert response.status_code == 422
        assert "receipt" in response.json()["errors"]
        assert not Expense.objects.exists()


class TestIdempotency:
    def test_the_same_key_twice_records_once_and_replays_the_answer(self, money, client):
        headers = bearer(money.treasurer)
        body = {"amount": "200", "method": "alipay", "reference": "ALI-77"}
        first = post(client, given(money.fund), body, headers, "key-00000001")
        again = post(client, given(money.fund), body, headers, "key-00000001")
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert LedgerEntry.objects.filter(kind="contribution").count() == 1
        assert selectors.ledger_verify(estate=money.world.here).ok

    def test_without_a_key_a_retry_is_a_second_request(self, money, client):
        headers = bearer(money.treasurer)
        post(client, given(money.fund), {"amount": "5", "method": "cash"}, headers)
        post(client, given(money.fund), {"amount": "5", "method": "cash"}, headers)
        assert LedgerEntry.objects.filter(kind="contribution").count() == 2

    def test_a_key_reused_for_another_call_is_422(self, money, client):
        headers = bearer(money.treasurer)
        post(client, given(money.fund), {"amount": "5", "method": "cash"}, headers, "key-00000002")
        response = post(
            client,
            f"/api/funds/{money.fund.pk}/pledges",
            {"kind": "money", "amount": "5"},
            headers,
            "key-00000002",
        )
        assert response.status_code == 422
        assert "Idempotency-Key" in response.json()["detail"]
        assert not Pledge.objects.exists()

    def test_a_refused_request_keeps_no_key_and_may_be_retried(self, money, client):
        headers = bearer(money.treasurer)
        refused = post(
            client, given(money.fund), {"amount": "0", "method": "cash"}, headers, "key-3-abcdef"
        )
        assert refused.status_code == 422
        fixed = post(
            client, given(money.fund), {"amount": "3", "method": "cash"}, headers, "key-3-abcdef"
        )
        assert fixed.status_code == 201
        assert LedgerEntry.objects.filter(kind="contribution").count() == 1

    def test_keys_are_per_account(self, money, client):
        body = {"amount": "5", "method": "cash"}
        post(client, given(money.fund), body, bearer(money.treasurer), "shared-key-01")
        post(client, given(money.fund), body, bearer(money.staff), "shared-key-01")
        assert LedgerEntry.objects.filter(kind="contribution").count() == 2

    @pytest.mark.parametrize("key", ["short", "has space inside", "x" * 81, "键键键键键键键键"])
    def test_a_malformed_key_is_refused(self, money, client, key):
        response = post(
            client,
            given(money.fund),
            {"amount": "5", "method": "cash"},
            bearer(money.treasurer),
            key,
        )
        assert response.status_code in (400, 422)
        assert not LedgerEntry.objects.exists()

    def test_keys_are_kept_30_days_then_deleted(self, money, client):
        post(
            client,
            given(money.fund),
            {"amount": "5", "method": "cash"},
            bearer(money.treasurer),
            "old-key-0001",
        )
        stored = IdempotentRequest.objects.get()
        edge = stored.created_at + datetime.timedelta(days=30)
        assert retention_purge(now=edge)["idempotency_keys"] == 0
        assert retention_purge(now=edge + datetime.timedelta(seconds=1))["idempotency_keys"] == 1
        assert LedgerEntry.objects.filter(kind="contribution").count() == 1  # the entry stays


@pytest.fixture(scope="module")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """Threads share the test database only through a file (as in the decisions race test):
    for this module the migrated in-memory SQLite database is copied to a file."""
    default = connections["default"]
    if default.vendor != "sqlite" or not default.is_in_memory_db():
        yield
        return
    path = tmp_path_factory.mktemp("idempotency") / "test.sqlite3"
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
def test_duplicates_sent_at_once_write_once(world):
    """Eight copies of one request, with one key, released together from eight threads: one
    entry is written, every copy is answered 201 with the same body, and the chain verifies."""
    from tests.funding.conftest import Money

    money = Money(world)
    headers = bearer(money.treasurer)
    copies = 8
    barrier = threading.Barrier(copies)
    answers: list = [None] * copies

    def send(i: int) -> None:
        try:
            barrier.wait()
            answers[i] = post(
                Client(),
                given(money.fund),
                {"amount": "88.80", "method": "wechat", "reference": "WX-RACE-1"},
                headers,
                "race-key-000001",
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * copies, [a.content for a in answers]
    assert len({a.content for a in answers}) == 1
    assert sum(1 for a in answers if a.get("Idempotent-Replayed") == "true") == copies - 1
    assert LedgerEntry.objects.filter(kind="contribution").count() == 1
    assert IdempotentRequest.objects.count() == 1
    assert selectors.ledger_verify(estate=world.here).ok
    assert Decimal(answers[0].json()["amount"]) == Decimal("88.80")
