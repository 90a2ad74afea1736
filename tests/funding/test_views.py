"""The funding pages: who sees a fund and what of it, the ledger with a constant number of
queries whatever its size, pledging, receipts behind a permission check, the treasurer's
console, the approvals queue (four eyes) and reversals. Refused or invalid posts answer 4xx
with a message and write nothing."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from linju.core.models import AuditEvent
from linju.funding import chain, selectors, services
from linju.funding.models import Expense, Fund, LedgerEntry, LedgerHead, Pledge
from linju.notices.models import BoardSettings
from tests.funding.conftest import receipt_photo

pytestmark = pytest.mark.django_db


def english() -> Client:
    """A browser set to English, so the pages' words can be checked before translation."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def client_for(user) -> Client:
    client = english()
    if user is not None:
        client.force_login(user)
    return client


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def fund_url(money, name: str = "fund_detail", *extra) -> str:
    return reverse(name, args=["here", money.fund.pk, *extra])


def console_url(money, name: str = "console_fund", *extra) -> str:
    return reverse(name, args=["here", money.fund.pk, *extra])


def written() -> tuple[int, int, int, int]:
    return (
        LedgerEntry.objects.count(),
        Expense.objects.count(),
        Pledge.objects.count(),
        Fund.objects.count(),
    )


def bulk_entries(fund: Fund, count: int, actor) -> None:
    """``count`` contributions added with bulk_create, each hashed and linked as ``chain``
    says, so the estate's chain still verifies."""
    head, _created = LedgerHead.objects.get_or_create(
        estate_id=fund.estate_id, defaults={"count": 0, "hash": chain.GENESIS}
    )
    seq, previous = head.count, head.hash
    start = timezone.now()
    rows = []
    for i in range(count):
        seq += 1
        entry = LedgerEntry(
            estate_id=fund.estate_id,
            seq=seq,
            fund=fund,
            kind=LedgerEntry.Kind.CONTRIBUTION,
            amount=Decimal("1.00") + i % 7,
            method=LedgerEntry.Method.CASH,
            recorded_by=actor,
            recorded_at=start + datetime.timedelta(microseconds=i),
            prev_hash=previous,
        )
        entry.hash = chain.entry_hash({name: getattr(entry, name) for name in chain.HASHED_FIELDS})
        previous = entry.hash
        rows.append(entry)
    LedgerEntry.objects.bulk_create(rows, batch_size=2000)
    LedgerHead.objects.filter(pk=head.pk).update(count=seq, hash=previous)


@pytest.fixture
def busy(money):
    """The resident pledged money (shown by flat) and marble with a photo; the treasurer
    received the money by WeChat; an expense with its receipt was approved by staff."""
    pledge = services.pledge_create(
        actor=money.resident, fund=money.fund, kind="money", amount="600"
    )
    marble = services.pledge_create(
        actor=money.resident,
        fund=money.fund,
        kind="material",
        description="大理石边角料",
        quantity="3",
        unit="块",
        estimated_value="300",
        photo=receipt_photo("marble.png"),
        shown_as="anonymous",
    )
    money.give("600", reference="WX-0001-REF", method="wechat", pledge=pledge)
    expense = money.spend("250", payee="五金店")
    services.expense_approve(actor=money.staff, expense=expense)
    money.expense, money.marble = expense, marble
    return money


class TestFundPage:
    def test_members_see_the_figures_every_entry_and_the_donors(self, busy):
        page = main_of(client_for(busy.resident).get(fund_url(busy)))
        assert "1号楼 楼道微更新" in page
        # 600 given, 600 matched (the street matches from ¥500), 250 spent.
        assert "Raised ¥1200.00 of the ¥20000.00 target (6.0%)" in page
        assert "¥950.00" in page  # the balance
        assert busy.world.flat1.label in page  # the pledge and the entry, shown by flat
        assert "WX-0001-REF" in page
        assert "万里街道" in page  # who matched
        assert reverse("fund_receipt", args=["here", busy.fund.pk, busy.expense.pk]) in page
        assert "Treasurer: " in page
        head = LedgerHead.objects.get(estate=busy.world.here)
        assert head.hash in page and "linju verify-ledger --estate here" in page

    def test_figures_match_the_services_balances(self, busy):
        from linju.funding.views.common import figures_for

        services.material_receive(
            actor=busy.treasurer, fund=busy.fund, description="", value="300", pledge=busy.marble
        )
        spent = LedgerEntry.objects.get(kind="expense")
        services.entry_reverse(actor=busy.treasurer, entry=spent, reason="记错")
        figures = figures_for([busy.fund.pk])[busy.fund.pk]
        assert figures.balance == services.money_balance(busy.fund) == Decimal("1200.00")
        assert figures.materials == services.material_balance(busy.fund) == Decimal("300.00")
        assert (figures.received, figures.matched, figures.spent) == (
            Decimal("600.00"),
            Decimal("600.00"),
            0,
        )

    @pytest.mark.parametrize("role", ["outsider", "staff_other_estate", "foundation"])
    def test_outsiders_get_404(self, busy, role):
        client = client_for(busy.world.users[role])
        assert client.get(fund_url(busy)).status_code == 404
        assert client.get(reverse("funds", args=["here"])).status_code == 404

    def test_visitors_are_sent_to_sign_in_when_the_board_is_not_public(self, busy):
        response = english().get(fund_url(busy))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_a_public_board_shows_the_figures_and_no_personal_data(self, busy):
        BoardSettings.objects.create(estate=busy.world.here, public=True)
        visitor = english()
        page = main_of(visitor.get(fund_url(busy)))
        assert "¥950.00" in page
        assert busy.world.flat1.label not in page
        assert "WX-0001-REF" not in page
        assert "钱会计" not in page and "Treasurer" not in page
        assert "万里街道" in page  # the matching source is no person
        assert reverse("fund_receipt", args=["here", busy.fund.pk, busy.expense.pk]) not in page
        receipt = visitor.get(reverse("fund_receipt", args=["here", busy.fund.pk, busy.expense.pk]))
        assert receipt.status_code == 404
        photo = visitor.get(
            reverse("fund_pledge_photo", args=["here", busy.fund.pk, busy.marble.pk])
        )
        assert photo.status_code == 404

    def test_a_fund_under_another_estates_address_is_404(self, busy):
        other = reverse("fund_detail", args=["there", busy.fund.pk])
        assert client_for(busy.staff).get(other).status_code == 404

    def test_the_list_shows_each_fund_with_its_progress(self, busy):
        page = main_of(client_for(busy.resident).get(reverse("funds", args=["here"])))
        assert busy.fund.get_absolute_url() in page
        assert "Spent ¥250.00 · balance ¥950.00" in page
        other = main_of(
            client_for(busy.resident).get(reverse("funds", args=["here"]) + "?building=2")
        )
        assert busy.fund.title not in other


class TestLedgerSize:
    def test_the_page_takes_the_same_queries_for_ten_entries_and_for_ten_thousand(
        self, money, django_assert_max_num_queries
    ):
        """The page is paginated: its queries do not grow with the ledger."""
        client = client_for(money.resident)
        bulk_entries(money.fund, 10, money.treasurer)
        client.get(fund_url(money))  # sessions and caches warmed
        with CaptureQueriesContext(connection) as small:
            assert client.get(fund_url(money)).status_code == 200
        bulk_entries(money.fund, 9_990, money.treasurer)
        assert selectors.ledger_verify(estate=money.world.here).ok
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(fund_url(money) + "?page=3")
        page = main_of(response)
        assert response.status_code == 200
        assert 'id="entry-9900"' in page and 'id="entry-9901"' not in page  # 50 a page
        assert "Page 3 of 200" in page

    def test_figures_are_exact_for_many_entries(self, money):
        bulk_entries(money.fund, 10_000, money.treasurer)
        from linju.funding.views.common import figures_for

        expected = sum(Decimal("1.00") + i % 7 for i in range(10_000))
        assert figures_for([money.fund.pk])[money.fund.pk].received == expected


class TestPledging:
    def test_a_resident_pledges_money_shown_by_flat_by_default(self, money):
        client = client_for(money.resident)
        form = client.get(fund_url(money, "fund_pledge")).content.decode()
        assert re.search(r'<input[^>]*value="flat"[^>]*checked', form)
        response = client.post(
            fund_url(money, "fund_pledge"), {"kind": "money", "amount": "300", "shown_as": "flat"}
        )
        assert response.status_code == 302
        pledge = Pledge.objects.get()
        assert (pledge.amount, pledge.shown_as, pledge.flat) == (
            Decimal("300.00"),
            "flat",
            money.world.flat1,
        )
        page = client.get(response["Location"]).content.decode()
        assert f"Your pledge is number {pledge.pk}" in page
        assert money.world.flat1.label in main_of(client.get(fund_url(money)))

    def test_materials_with_a_photo(self, money):
        client = client_for(money.resident)
        response = client.post(
            fund_url(money, "fund_pledge"),
            {
                "kind": "material",
                "description": "实木地板",
                "quantity": "12",
                "unit": "m²",
                "estimated_value": "1200",
                "photo": receipt_photo("boards.png"),
                "shown_as": "name",
            },
        )
        assert response.status_code == 302
        pledge = Pledge.objects.get()
        assert pledge.photo.name.endswith(".png") and "boards" not in pledge.photo.name
        photo = client.get(reverse("fund_pledge_photo", args=["here", money.fund.pk, pledge.pk]))
        assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
        assert photo["Content-Security-Policy"] == "sandbox"
        page = main_of(client.get(fund_url(money)))
        assert "李居民" in page  # the name, by the donor's choice

    @pytest.mark.parametrize(
        "data",
        [
            {"kind": "money", "amount": "0"},
            {"kind": "money", "amount": "12.345"},
            {"kind": "money", "amount": "-5"},
            {"kind": "money", "amount": ""},
            {"kind": "material", "description": ""},
            {"kind": "gold", "amount": "5"},
        ],
    )
    def test_bad_pledges_are_422_with_a_message_and_write_nothing(self, money, data):
        response = client_for(money.resident).post(
            fund_url(money, "fund_pledge"), {**data, "shown_as": "flat"}
        )
        assert response.status_code == 422
        assert (
            'class="field-error"' in response.content.decode()
            or "errorlist" in response.content.decode()
        )
        assert not Pledge.objects.exists()

    def test_a_photo_that_is_not_a_picture_is_refused(self, money):
        from django.core.files.uploadedfile import SimpleUploadedFile

        fake = SimpleUploadedFile("boards.png", b"<script>alert(1)</script>", "image/png")
        response = client_for(money.resident).post(
            fund_url(money, "fund_pledge"),
            {"kind": "material", "description": "地板", "photo": fake, "shown_as": "flat"},
        )
        assert response.status_code == 422
        assert not Pledge.objects.exists()

    @pytest.mark.parametrize("role", ["staff", "leader", "outsider"])
    def test_only_residents_pledge(self, money, role):
        client = client_for(money.world.users[role])
        response = client.post(fund_url(money, "fund_pledge"), {"kind": "money", "amount": "5"})
        assert response.status_code == 404
        assert not Pledge.objects.exists()


class TestReceipts:
    def test_members_see_a_posted_expenses_receipt_safely(self, busy):
        response = client_for(busy.resident).get(
            reverse("fund_receipt", args=["here", busy.fund.pk, busy.expense.pk])
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Security-Policy"] == "sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    def test_a_waiting_expenses_receipt_only_for_those_who_keep_or_approve(self, busy):
        waiting = busy.spend("10", payee="小卖部")
        url = reverse("fund_receipt", args=["here", busy.fund.pk, waiting.pk])
        assert client_for(busy.resident).get(url).status_code == 404
        for user in (busy.treasurer, busy.staff, busy.leader, busy.committee):
            assert client_for(user).get(url).status_code == 200


class TestConsole:
    @pytest.mark.parametrize(
        ("role", "status"),
        [
            ("resident", 404),
            ("property", 404),
            ("outsider", 404),
            ("staff", 200),
            ("owners_committee", 200),
            ("leader", 200),
        ],
    )
    def test_the_console_is_for_those_who_keep_open_or_approve(self, money, role, status):
        client = client_for(money.world.users[role])
        assert client.get(reverse("console_funds", args=["here"])).status_code == status

    def test_the_treasurer_records_money_received(self, money):
        client = client_for(money.treasurer)
        assert client.get(reverse("console_funds", args=["here"])).status_code == 200
        response = client.post(
            console_url(money, "console_fund_contribution"),
            {"amount": "305.70", "method": "wechat", "reference": "4200001"},
        )
        assert response.status_code == 302
        entry = LedgerEntry.objects.get(kind="contribution")
        assert (entry.amount, entry.reference) == (Decimal("305.70"), "4200001")
        assert AuditEvent.objects.filter(action="ledger.contribution").exists()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"amount": "0", "method": "cash"}, "The amount must be more than zero."),
            ({"amount": "1.234", "method": "cash"}, "Amounts have at most two decimals (fen)."),
            ({"amount": "-3", "method": "cash"}, "The amount must be more than zero."),
            ({"amount": "10", "method": "wechat"}, "Give the transfer's reference number."),
            ({"amount": "abc", "method": "cash"}, "Enter an amount in yuan, e.g. 305.70."),
        ],
    )
    def test_refusals_are_422_with_a_message_and_nothing_written(self, money, data, message):
        before = (written(), AuditEvent.objects.count())
        response = client_for(money.treasurer).post(
            console_url(money, "console_fund_contribution"), data
        )
        assert response.status_code == 422
        assert escape(message) in response.content.decode()
        assert (written(), AuditEvent.objects.count()) == before

    def test_a_transfer_reference_is_recorded_once(self, money):
        client = client_for(money.treasurer)
        data = {"amount": "10", "method": "alipay", "reference": "ALI-1"}
        assert client.post(console_url(money, "console_fund_contribution"), data).status_code == 302
        before = written()
        response = client.post(console_url(money, "console_fund_contribution"), data)
        assert response.status_code == 422
        assert "This transfer reference is already recorded." in response.content.decode()
        assert written() == before

    def test_money_for_a_pledge_settles_it(self, money):
        pledge = services.pledge_create(
            actor=money.resident, fund=money.fund, kind="money", amount="100"
        )
        client = client_for(money.treasurer)
        form = client.get(console_url(money, "console_fund_contribution")).content.decode()
        assert f"#{pledge.pk} · {money.world.flat1.label}" in form
        client.post(
            console_url(money, "console_fund_contribution"),
            {"pledge": pledge.pk, "amount": "100", "method": "cash"},
        )
        pledge.refresh_from_db()
        assert pledge.status == Pledge.Status.RECEIVED

    def test_materials_received_and_used(self, money):
        client = client_for(money.treasurer)
        response = client.post(
            console_url(money, "console_fund_material"),
            {"description": "瓷砖 40 片", "value": "400"},
        )
        assert response.status_code == 302
        response = client.post(
            console_url(money, "console_fund_material_use"),
            {"description": "铺地下室入口", "value": "500"},
        )
        assert response.status_code == 422
        assert "More than the value of materials held." in response.content.decode()
        response = client.post(
            console_url(money, "console_fund_material_use"),
            {"description": "铺地下室入口", "value": "400"},
        )
        assert response.status_code == 302
        assert services.material_balance(money.fund) == 0

    def test_an_expense_waits_with_its_receipt(self, money):
        money.give("1000")
        client = client_for(money.treasurer)
        response = client.post(
            console_url(money, "console_fund_expense"),
            {
                "payee": "建材商行",
                "amount": "300",
                "category": "materials",
                "method": "wechat",
                "receipt": receipt_photo(),
            },
        )
        assert response.status_code == 302
        expense = Expense.objects.get()
        assert expense.status == Expense.Status.WAITING
        assert expense.receipt.name.endswith(".png")
        assert not LedgerEntry.objects.filter(kind="expense").exists()

    def test_an_expense_above_the_balance_needs_a_reason(self, money):
        money.give("100")
        data = {"payee": "装修队", "amount": "900", "category": "labour", "method": "cash"}
        client = client_for(money.treasurer)
        before = written()
        response = client.post(
            console_url(money, "console_fund_expense"), {**data, "receipt": receipt_photo()}
        )
        assert response.status_code == 422
        assert "This is more than the fund holds" in response.content.decode()
        assert written() == before
        response = client.post(
            console_url(money, "console_fund_expense"),
            {**data, "receipt": receipt_photo(), "overdraft_reason": "街道拨款下周到"},
        )
        assert response.status_code == 302

    def test_a_receipt_must_be_a_photo_or_a_pdf(self, money):
        from django.core.files.uploadedfile import SimpleUploadedFile

        money.give("100")
        before = written()
        response = client_for(money.treasurer).post(
            console_url(money, "console_fund_expense"),
            {
                "payee": "装修队",
                "amount": "50",
                "category": "labour",
                "method": "cash",
                "receipt": SimpleUploadedFile("r.png", b"GIF89a....", "image/png"),
            },
        )
        assert response.status_code == 422
        assert "Attach a photo (JPEG or PNG) or a PDF" in response.content.decode()
        assert written() == before

    def test_who_may_record(self, money):
        for role in ("leader", "owners_committee"):
            client = client_for(money.world.users[role])
            assert client.get(console_url(money)).status_code == 200  # they approve
            response = client.post(
                console_url(money, "console_fund_contribution"), {"amount": "5", "method": "cash"}
            )
            assert response.status_code == 404
        assert client_for(money.resident).get(console_url(money)).status_code == 404
        assert not LedgerEntry.objects.exists()


class TestApprovals:
    def test_a_second_person_approves_from_the_queue(self, money):
        money.give("1000")
        expense = money.spend("300")
        staff = client_for(money.staff)
        queue = main_of(staff.get(reverse("console_funds", args=["here"])))
        approve = reverse("console_expense_approve", args=["here", expense.pk])
        assert approve in queue
        assert staff.post(approve).status_code == 302
        expense.refresh_from_db()
        assert expense.status == Expense.Status.POSTED
        assert LedgerEntry.objects.filter(kind="expense", expense=expense).exists()

    def test_the_treasurer_sees_the_queue_but_cannot_approve(self, money):
        money.give("1000")
        expense = money.spend("300")
        client = client_for(money.treasurer)
        queue = main_of(client.get(reverse("console_funds", args=["here"])))
        assert "¥300.00 to 装修队" in queue
        assert reverse("console_expense_approve", args=["here", expense.pk]) not in queue
        response = client.post(reverse("console_expense_approve", args=["here", expense.pk]))
        assert response.status_code == 404
        assert not LedgerEntry.objects.filter(kind="expense").exists()

    def test_nobody_approves_what_they_recorded(self, money):
        money.give("1000")
        expense = services.expense_record(
            actor=money.staff,
            fund=money.fund,
            payee="五金店",
            amount="80",
            category="materials",
            receipt=receipt_photo(),
        )
        response = client_for(money.staff).post(
            reverse("console_expense_approve", args=["here", expense.pk])
        )
        assert response.status_code == 422
        assert "Someone other than the person who recorded it" in response.content.decode()
        assert not LedgerEntry.objects.filter(kind="expense").exists()

    def test_above_the_limit_the_group_leader_approves_too(self, money):
        money.give("3000")
        expense = money.spend("2500")
        client_for(money.staff).post(reverse("console_expense_approve", args=["here", expense.pk]))
        expense.refresh_from_db()
        assert expense.status == Expense.Status.WAITING
        leader = client_for(money.leader)
        page = main_of(leader.get(console_url(money)))
        assert "the group leader must approve too" in page
        leader.post(reverse("console_expense_approve", args=["here", expense.pk]))
        expense.refresh_from_db()
        assert expense.status == Expense.Status.POSTED

    def test_the_other_buildings_leader_cannot_approve(self, money):
        money.give("1000")
        expense = money.spend("300")
        client = client_for(money.world.users["leader_other_building"])
        response = client.post(reverse("console_expense_approve", args=["here", expense.pk]))
        assert response.status_code == 404
        expense.refresh_from_db()
        assert expense.status == Expense.Status.WAITING

    def test_a_rejection_needs_a_reason(self, money):
        money.give("1000")
        expense = money.spend("300")
        url = reverse("console_expense_reject", args=["here", expense.pk])
        client = client_for(money.committee)
        response = client.post(url, {"reason": ""})
        assert response.status_code == 422
        assert "Give the reason." in response.content.decode()
        assert client.post(url, {"reason": "发票抬头不对"}).status_code == 302
        expense.refresh_from_db()
        assert (expense.status, expense.reject_reason) == (Expense.Status.REJECTED, "发票抬头不对")
        assert not LedgerEntry.objects.filter(kind="expense").exists()


class TestReversal:
    def test_an_entry_is_reversed_with_its_reason_and_the_original_stays(self, money):
        entry = money.give("50")
        client = client_for(money.treasurer)
        url = reverse("console_entry_reverse", args=["here", money.fund.pk, entry.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {"reason": ""}).status_code == 422
        assert client.post(url, {"reason": "重复登记"}).status_code == 302
        reversal = LedgerEntry.objects.get(kind="reversal")
        assert (reversal.reverses, reversal.reason) == (entry, "重复登记")
        page = main_of(client.get(fund_url(money)))
        assert f"Reverses entry {entry.seq}" in page and "Reason: 重复登记" in page
        before = written()
        again = client.post(url, {"reason": "再来一次"})
        assert again.status_code == 422
        assert "This entry was already reversed." in again.content.decode()
        assert written() == before

    def test_entries_of_another_fund_are_404(self, money):
        other = services.fund_create(
            actor=money.staff,
            estate=money.world.here,
            title="全小区 绿化",
            target="5000",
            treasurer=money.treasurer,
        )
        entry = services.contribution_record(
            actor=money.treasurer, fund=other, amount="5", method="cash"
        )
        url = reverse("console_entry_reverse", args=["here", money.fund.pk, entry.pk])
        assert client_for(money.treasurer).post(url, {"reason": "x"}).status_code == 404
        assert LedgerEntry.objects.count() == 1


class TestOpeningAFund:
    def test_staff_open_a_fund_with_its_matching_rule(self, money):
        response = client_for(money.staff).post(
            reverse("console_fund_create", args=["here"]),
            {
                "building": "",
                "title": "全小区 健身角",
                "target": "8000",
                "treasurer": "treasurer",
                "match_source": "万里街道",
                "match_ratio": "1",
                "match_cap": "3000",
                "match_after": "500",
                "leader_approval_over": "2000",
            },
        )
        assert response.status_code == 302
        fund = Fund.objects.get(title="全小区 健身角")
        assert (fund.building, fund.treasurer, fund.match_cap) == (
            None,
            money.treasurer,
            Decimal("3000.00"),
        )

    def test_a_leader_opens_one_for_their_building_only(self, money):
        client = client_for(money.leader)
        data = {"title": "1号楼 单车棚", "target": "1000", "treasurer": "treasurer"}
        response = client.post(
            reverse("console_fund_create", args=["here"]), {**data, "building": ""}
        )
        assert response.status_code == 422
        response = client.post(
            reverse("console_fund_create", args=["here"]), {**data, "building": money.world.b2.pk}
        )
        assert response.status_code == 422
        response = client.post(
            reverse("console_fund_create", args=["here"]), {**data, "building": money.world.b1.pk}
        )
        assert response.status_code == 302
        assert Fund.objects.filter(title="1号楼 单车棚", building=money.world.b1).exists()

    @pytest.mark.parametrize(
        "change",
        [
            {"target": "0"},
            {"target": "1.001"},
            {"treasurer": "nobody-at-all"},
            {"match_ratio": "1", "match_cap": ""},
            {"match_ratio": "1", "match_cap": "100", "match_source": ""},
        ],
    )
    def test_bad_funds_are_refused_and_nothing_is_written(self, money, change):
        data = {"title": "坏基金", "target": "100", "treasurer": "treasurer", **change}
        before = written()
        response = client_for(money.staff).post(reverse("console_fund_create", args=["here"]), data)
        assert response.status_code == 422
        assert (
            'class="field-error"' in response.content.decode()
            or "errorlist" in response.content.decode()
        )
        assert written() == before

    def test_residents_cannot_open_funds(self, money):
        response = client_for(money.resident).get(reverse("console_fund_create", args=["here"]))
        assert response.status_code == 404


class TestBoardSection:
    def test_the_board_lists_each_fund_with_its_figures_and_a_link(self, busy):
        from linju.funding.board import funds_section

        section = funds_section(
            estate=busy.world.here, building=None, actor=busy.resident, public=False
        )
        assert section is not None and section["template"] == "funding/board_section.html"
        (row,) = section["context"]["fund_rows"]
        assert (row["income"], row["spent"], row["balance"]) == (
            Decimal("1200.00"),
            Decimal("250.00"),
            Decimal("950.00"),
        )
        assert row["url"] == busy.fund.get_absolute_url()
        assert section["context"]["ledger_count"] == LedgerHead.objects.get().count

    def test_a_building_board_shows_its_funds_and_the_estates(self, busy):
        from linju.funding.board import funds_section

        for building, shown in ((busy.world.b1, True), (busy.world.b2, False)):
            section = funds_section(
                estate=busy.world.here, building=building, actor=busy.resident, public=False
            )
            assert (section is not None) is shown

    def test_on_the_public_board_no_personal_data(self, busy):
        BoardSettings.objects.create(estate=busy.world.here, public=True)
        page = main_of(english().get(reverse("board", args=["here"])))
        assert busy.fund.title in page and busy.fund.get_absolute_url() in page
        assert "950.00" in page
        assert busy.world.flat1.label not in page and "钱会计" not in page

    def test_the_board_section_is_registered(self):
        from linju.notices.board import SECTIONS

        assert "funds" in SECTIONS
