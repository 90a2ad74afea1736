"""Funds, pledges, contributions, matching, expenses with four eyes, and reversals.

Each failure case asserts that nothing was written (no ledger entry, no expense, no pledge).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linju.funding import selectors, services
from linju.funding.models import Expense, Fund, LedgerEntry, LedgerHead, Pledge
from tests.funding.conftest import receipt_photo

pytestmark = pytest.mark.django_db


def entries():
    return LedgerEntry.objects.count()


class TestFundCreate:
    def test_a_fund_has_its_place_target_treasurer_and_rule(self, money):
        assert money.fund.building == money.world.b1
        assert money.fund.target == Decimal("20000.00")
        assert money.fund.has_matching

    def test_residents_cannot_open_a_fund(self, money):
        with pytest.raises(PermissionDenied):
            services.fund_create(
                actor=money.resident,
                estate=money.world.here,
                title="我的基金",
                target="100",
                treasurer=money.resident,
            )
        assert Fund.objects.count() == 1

    @pytest.mark.parametrize("target", ["0", "-5", "1.234", "abc", "NaN"])
    def test_bad_targets_are_refused(self, money, target):
        with pytest.raises(ValidationError):
            services.fund_create(
                actor=money.staff,
                estate=money.world.here,
                title="坏目标",
                target=target,
                treasurer=money.treasurer,
            )
        assert Fund.objects.count() == 1


class TestContributions:
    def test_money_received_is_an_entry_and_the_balance_is_derived(self, money):
        entry = money.give("300.00")
        assert entry.seq == 1 and entry.kind == LedgerEntry.Kind.CONTRIBUTION
        assert money.balance() == Decimal("300.00")

    @pytest.mark.parametrize("amount", ["0", "-1", "0.001", "12.345", "abc", "", "Infinity", "1e9"])
    def test_bad_amounts_write_nothing(self, money, amount):
        with pytest.raises(ValidationError):
            money.give(amount)
        assert entries() == 0
        assert not LedgerHead.objects.filter(count__gt=0).exists()

    def test_a_transfer_reference_is_recorded_once(self, money):
        money.give("100", reference="WX20261129001", method="wechat")
        with pytest.raises(ValidationError) as caught:
            money.give("100", reference="WX20261129001", method="wechat")
        assert "reference" in caught.value.message_dict
        assert entries() == 1

    def test_a_transfer_needs_its_reference(self, money):
        with pytest.raises(ValidationError):
            money.give("100", method="bank")
        assert entries() == 0

    def test_only_the_treasurer_or_staff_record(self, money):
        with pytest.raises(PermissionDenied):
            services.contribution_record(
                actor=money.resident, fund=money.fund, amount="10", method="cash"
            )
        assert entries() == 0


class TestMatching:
    def test_matching_starts_at_the_threshold_and_stops_at_the_cap(self, money):
        money.give("499.99")
        assert services.matched_total(money.fund) == 0
        money.give("0.01")  # residents now at ¥500.00: matched 1:1
        assert services.matched_total(money.fund) == Decimal("500.00")
        money.give("20000")
        assert services.matched_total(money.fund) == Decimal("10000.00")  # the cap
        kinds = list(LedgerEntry.objects.values_list("kind", flat=True).order_by("seq"))
        assert kinds.count("match") == 2  # generated, never typed

    def test_reversing_a_contribution_takes_back_its_matching(self, money):
        big = money.give("800")
        assert services.matched_total(money.fund) == Decimal("800.00")
        services.entry_reverse(actor=money.treasurer, entry=big, reason="记错了户")
        assert services.matched_total(money.fund) == Decimal("0.00")
        assert money.balance() == Decimal("0.00")


class TestPledges:
    def test_a_pledge_is_shown_by_flat_unless_the_donor_chooses_the_name(self, money):
        pledge = services.pledge_create(
            actor=money.resident, fund=money.fund, kind="money", amount="305.70"
        )
        entry = money.give("305.70", pledge=pledge)
        assert entry.donor == money.world.flat1.label
        pledge.refresh_from_db()
        assert pledge.status == Pledge.Status.RECEIVED
        named = services.pledge_create(
            actor=money.resident, fund=money.fund, kind="money", amount="10", shown_as="name"
        )
        assert money.give("10", pledge=named).donor == "李居民"
        anonymous = services.pledge_create(
            actor=money.resident, fund=money.fund, kind="money", amount="10", shown_as="anonymous"
        )
        assert money.give("10", pledge=anonymous).donor == ""  # pages say "anonymous"

    def test_materials_are_pledged_received_at_a_value_and_used(self, money):
        pledge = services.pledge_create(
            actor=money.resident,
            fund=money.fund,
            kind="material",
            description="装修剩下的大理石",
            quantity="6",
            unit="块",
            estimated_value="600",
        )
        services.material_receive(
            actor=money.treasurer, fund=money.fund, description="", value="550", pledge=pledge
        )
        assert services.material_balance(money.fund) == Decimal("550.00")
        assert money.balance() == Decimal("0.00")  # materials are not money
        services.material_use(
            actor=money.treasurer, fund=money.fund, description="铺门厅地面", value="550"
        )
        assert services.material_balance(money.fund) == Decimal("0.00")

    def test_an_outsider_cannot_pledge(self, money):
        with pytest.raises(PermissionDenied):
            services.pledge_create(
                actor=money.world.users["outsider"], fund=money.fund, kind="money", amount="5"
            )
        assert not Pledge.objects.exists()


class TestExpenses:
    def test_four_eyes_then_posted(self, money):
        money.give("1500")
        expense = money.spend("1200")
        assert expense.status == Expense.Status.WAITING
        assert money.balance() == Decimal("3000.00")  # 1500 + matched 1500; nothing spent yet
        with pytest.raises(PermissionDenied):  # the treasurer holds no approving role
            services.expense_approve(actor=money.treasurer, expense=expense)
        services.expense_approve(actor=money.staff, expense=expense)
        expense.refresh_from_db()
        assert expense.status == Expense.Status.POSTED
        assert money.balance() == Decimal("1800.00")

    def test_nobody_approves_what_they_recorded(self, money):
        money.give("500")
        expense = services.expense_record(
            actor=money.staff,
            fund=money.fund,
            payee="五金店",
            amount="80",
            category="materials",
            receipt=receipt_photo(),
        )
        with pytest.raises(ValidationError):
            services.expense_approve(actor=money.staff, expense=expense)
        assert not LedgerEntry.objects.filter(kind="expense").exists()
        services.expense_approve(actor=money.committee, expense=expense)
        assert LedgerEntry.objects.filter(kind="expense").count() == 1

    def test_above_the_limit_the_group_leader_approves_too(self, money):
        money.give("3000")
        expense = money.spend("2500")
        services.expense_approve(actor=money.staff, expense=expense)
        expense.refresh_from_db()
        assert expense.status == Expense.Status.WAITING
        services.expense_approve(actor=money.leader, expense=expense)
        expense.refresh_from_db()
        assert expense.status == Expense.Status.POSTED
        assert expense.leader_approved_by == money.leader

    def test_more_than_the_balance_needs_a_reason_that_is_published(self, money):
        money.give("100")
        with pytest.raises(ValidationError) as caught:
            money.spend("500")
        assert caught.value.error_dict["amount"][0].code == "overdrawn"
        assert not Expense.objects.exists()
        expense = money.spend("500", overdraft_reason="街道拨款下周到账，先垫付")
        services.expense_approve(actor=money.staff, expense=expense)
        posted = LedgerEntry.objects.get(kind="expense")
        assert posted.reason == "街道拨款下周到账，先垫付"

    def test_an_expense_needs_its_receipt(self, money):
        money.give("100")
        with pytest.raises(ValidationError):
            money.spend("50", receipt=None)
        assert not Expense.objects.exists()

    def test_rejected_expenses_never_reach_the_ledger(self, money):
        money.give("100")
        expense = money.spend("50")
        services.expense_reject(actor=money.staff, expense=expense, reason="发票抬头不对")
        assert not LedgerEntry.objects.filter(kind="expense").exists()


class TestReversals:
    def test_a_reversal_is_a_new_entry_and_the_original_stays(self, money):
        entry = money.give("50")
        reversal = services.entry_reverse(actor=money.treasurer, entry=entry, reason="重复登记")
        assert reversal.reverses == entry and reversal.amount == Decimal("-50.00")
        assert LedgerEntry.objects.filter(pk=entry.pk).exists()
        with pytest.raises(ValidationError):
            services.entry_reverse(actor=money.treasurer, entry=entry, reason="again")
        assert entries() == 2

    def test_a_reversal_needs_a_reason(self, money):
        entry = money.give("50")
        with pytest.raises(ValidationError):
            services.entry_reverse(actor=money.treasurer, entry=entry, reason=" ")
        assert entries() == 1


class TestChain:
    def test_every_entry_links_to_the_one_before_and_the_chain_verifies(self, money):
        money.give("600")  # + a matching entry
        expense = money.spend("100")
        services.expense_approve(actor=money.staff, expense=expense)
        report = selectors.ledger_verify(estate=money.world.here)
        assert report.ok, report.breaks
        assert report.count == 3
        seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
        assert [s for s, _, _ in seqs] == [1, 2, 3]
        assert seqs[1][1] == seqs[0][2] and seqs[2][1] == seqs[1][2]
        head = LedgerHead.objects.get(estate=money.world.here)
        assert (head.count, head.hash) == (3, seqs[2][2])


class TestReversalAndMatching:
    def test_a_reversal_that_would_take_back_spent_matching_is_refused(self, money):
        """¥500 given and matched (¥1,000 held); ¥999.99 spent. Reversing the ¥500 would also
        take back the ¥500 matched: the fund would go below zero, so it is refused."""
        gift = money.give("500")
        expense = money.spend("999.99")
        services.expense_approve(actor=money.staff, expense=expense)
        before = LedgerEntry.objects.count()
        with pytest.raises(ValidationError):
            services.entry_reverse(actor=money.treasurer, entry=gift, reason="记错了")
        assert LedgerEntry.objects.count() == before
        assert money.balance() == Decimal("0.01")
