"""The ledger under any sequence of operations (a hypothesis state machine): pledges, money and
materials received, expenses recorded and approved (four eyes, the group leader above the
limit, overdrafts only with a reason), reversals, and the matching grant that follows by
itself. After every step each fund's balances equal the sums of its entries, computed here
from the rows, the matching grant is what the rule says, no balance is below zero unless an
expense with an overdraft reason took it there, and the chain verifies. Bad input (amounts
that are negative, zero or have three decimals, unknown funds, another estate's fund, a
duplicate transfer reference) is refused and writes nothing."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any, ClassVar

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, event
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from linju.api.tokens import api_token_issue
from linju.core.models import AuditEvent
from linju.funding import selectors, services
from linju.funding.models import Expense, Fund, IdempotentRequest, LedgerEntry, LedgerHead, Pledge
from tests.funding.conftest import receipt_photo

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY = {"contribution", "match", "expense"}
MATERIAL = {"material", "material_use"}
METHODS = ("cash", "bank", "wechat", "alipay")
APPROVERS = ("staff", "committee", "leader", "treasurer")
# Each is refused as an amount: negative, zero, three decimals, not a number.
BAD_AMOUNTS = ("-5", "-0.01", "0", "0.00", "1.005", "12.345", "NaN", "abc", "")
BAD_INPUT = (
    "contribution",
    "expense",
    "materials",
    "pledge",
    "duplicate reference",
    "another estate's fund",
    "API: another estate's fund",
    "API: unknown fund",
    "API: bad amount",
)

amounts = st.one_of(
    st.decimals(min_value=CENT, max_value=Decimal("600"), places=2),
    st.decimals(min_value=Decimal("600"), max_value=Decimal("6000"), places=2),
)


@dataclass
class Context:
    """What every run of the machine shares (made once per test, outside the machine)."""

    money: Any
    funds: list[Fund]
    foreign_fund: Fund
    token: str


def donor_shown(pledge: Pledge | None) -> str:
    """How the resident of flat 1-101 (李居民) appears on an entry for their pledge: the name
    only if they chose it, else the flat, or nothing (anonymous)."""
    if pledge is None:
        return ""
    return {"name": "李居民", "flat": "1-101", "anonymous": ""}[pledge.shown_as]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def written() -> tuple:
    """Everything a refused call must leave as it was."""
    return (
        list(LedgerEntry.objects.order_by("pk").values_list("pk", flat=True)),
        list(LedgerHead.objects.order_by("pk").values_list("pk", "count", "hash")),
        list(
            Expense.objects.order_by("pk").values_list(
                "pk", "status", "approved_by", "leader_approved_by"
            )
        ),
        list(Pledge.objects.order_by("pk").values_list("pk", "status")),
        IdempotentRequest.objects.count(),
        AuditEvent.objects.count(),
    )


def rows() -> list[dict[str, Any]]:
    """Every ledger row, read plainly (no service, no aggregate)."""
    fields = ("pk", "estate_id", "fund_id", "kind", "amount", "reverses_id", "pledge_id")
    return [dict(row) for row in LedgerEntry.objects.order_by("estate_id", "seq").values(*fields)]


def affects(row: dict[str, Any], kinds: set[str], by_pk: dict[int, dict[str, Any]]) -> bool:
    """Whether the row moves money (``MONEY``) or materials (``MATERIAL``): a reversal counts
    as the kind of the entry it reverses."""
    kind = by_pk[row["reverses_id"]]["kind"] if row["kind"] == "reversal" else row["kind"]
    return kind in kinds


def sums(
    fund: Fund,
    everything: list[dict[str, Any]] | None = None,
    by_pk: dict[int, dict[str, Any]] | None = None,
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(money, materials, residents' net money, matching) of the fund, from its rows."""
    if everything is None:
        everything = rows()
    if by_pk is None:
        by_pk = {row["pk"]: row for row in everything}
    mine = [row for row in everything if row["fund_id"] == fund.pk]
    money = sum((r["amount"] for r in mine if affects(r, MONEY, by_pk)), ZERO)
    materials = sum((r["amount"] for r in mine if affects(r, MATERIAL, by_pk)), ZERO)
    residents = sum((r["amount"] for r in mine if affects(r, {"contribution"}, by_pk)), ZERO)
    matched = sum((r["amount"] for r in mine if r["kind"] == "match"), ZERO)
    return money, materials, residents, matched


def matching_due(fund: Fund, residents: Decimal) -> Decimal:
    """The rule as the fund states it: nothing below the threshold, then ``ratio`` per yuan
    given, rounded down to the fen, never more than the cap."""
    if fund.match_ratio <= 0 or residents < fund.match_after:
        return ZERO
    return min(fund.match_cap, (residents * fund.match_ratio).quantize(CENT, ROUND_DOWN))


class LedgerMachine(RuleBasedStateMachine):
    ctx: ClassVar[Context]

    pledges = Bundle("pledges")
    expenses = Bundle("expenses")

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        money = self.ctx.money
        self.treasurer = money.treasurer
        self.resident = money.resident
        self.approvers = {
            "staff": money.staff,
            "committee": money.committee,
            "leader": money.leader,
            "treasurer": money.treasurer,
        }
        self.references = itertools.count(1)
        self.used_references: list[str] = []
        # What the typed entries (everything but matching) should add up to, per fund.
        self.expected_money = {fund.pk: ZERO for fund in self.ctx.funds}
        self.expected_materials = {fund.pk: ZERO for fund in self.ctx.funds}
        self.typed_entries = 0
        self.last_money = dict(self.expected_money)
        self.overdrawn_with_reason: set[int] = set()
        self.client = Client(raise_request_exception=False)

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    # --- helpers ----------------------------------------------------------------------------

    def fund(self, index: int) -> Fund:
        return self.ctx.funds[index % len(self.ctx.funds)]

    def reference(self, method: str) -> str:
        n = next(self.references)
        if method == "cash" and n % 2:
            return ""  # cash often comes without a reference
        return f"TX{n:06d}"

    def refused(self, call, *errors: type[Exception]) -> Exception:
        """Run ``call``, which must raise one of ``errors``, and check that it wrote nothing."""
        before = written()
        with pytest.raises(errors or (ValidationError,)) as caught:
            call()
        assert written() == before
        return caught.value

    # --- pledges ----------------------------------------------------------------------------

    @rule(
        target=pledges,
        fund=st.integers(0, 1),
        kind=st.sampled_from(Pledge.Kind.values),
        value=amounts,
        shown=st.sampled_from(Pledge.Shown.values),
    )
    def pledge(self, fund, kind, value, shown):
        if kind == Pledge.Kind.MONEY:
            details = {"amount": value}
        else:
            details = {"description": "旧地板", "quantity": "12", "unit": "m²"}
            details["estimated_value"] = value
        return services.pledge_create(
            actor=self.resident, fund=self.fund(fund), kind=kind, shown_as=shown, **details
        )

    @rule(pledge=pledges)
    def withdraw(self, pledge):
        status = Pledge.objects.get(pk=pledge.pk).status
        if status != Pledge.Status.PLEDGED:
            self.refused(lambda: services.pledge_withdraw(actor=self.resident, pledge=pledge))
            return
        services.pledge_withdraw(actor=self.resident, pledge=pledge)

    # --- receiving --------------------------------------------------------------------------

    def pledge_refused(self, pledge: Pledge | None, fund: Fund, kind: str) -> bool:
        """Whether receiving for this pledge must be refused: another fund's, another kind,
        or withdrawn."""
        if pledge is None:
            return False
        state = Pledge.objects.get(pk=pledge.pk)
        return (
            state.fund_id != fund.pk
            or state.kind != kind
            or state.status == Pledge.Status.WITHDRAWN
        )

    @rule(
        fund=st.integers(0, 1),
        amount=amounts,
        method=st.sampled_from(METHODS),
        pledge=st.none() | pledges,
    )
    def receive_money(self, fund, amount, method, pledge):
        fund = self.fund(fund)
        reference = self.reference(method)

        def record():
            return services.contribution_record(
                actor=self.treasurer,
                fund=fund,
                amount=amount,
                method=method,
                reference=reference,
                pledge=pledge,
            )

        if self.pledge_refused(pledge, fund, Pledge.Kind.MONEY):
            self.refused(record)
            return
        entry = record()
        assert (entry.kind, entry.amount, entry.method) == ("contribution", amount, method)
        assert entry.donor == donor_shown(pledge)
        if reference:
            self.used_references.append(reference)
        self.expected_money[fund.pk] += amount
        self.typed_entries += 1

    @rule(
        fund=st.integers(0, 1),
        amount=amounts,
        method=st.sampled_from(METHODS[1:]),
        key=st.uuids().map(str),
        copies=st.integers(1, 3),
    )
    def receive_through_the_api(self, fund, amount, method, key, copies):
        """A money write through the API, sent again with the same Idempotency-Key: one entry,
        and every copy gets the first answer."""
        fund = self.fund(fund)
        reference = self.reference(method)
        answers = []
        for _copy in range(copies):
            response = self.client.post(
                f"/api/funds/{fund.pk}/contributions",
                {"amount": str(amount), "method": method, "reference": reference},
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=key,
                **bearer(self.ctx.token),
            )
            assert response.status_code == 201, response.content
            answers.append(response.json())
        assert all(answer == answers[0] for answer in answers)
        entry = LedgerEntry.objects.get(reference=reference)
        assert (entry.fund_id, entry.amount, entry.kind) == (fund.pk, amount, "contribution")
        assert answers[0]["seq"] == entry.seq
        self.used_references.append(reference)
        self.expected_money[fund.pk] += amount
        self.typed_entries += 1

    @rule(fund=st.integers(0, 1), value=amounts, pledge=st.none() | pledges)
    def receive_materials(self, fund, value, pledge):
        fund = self.fund(fund)

        def receive():
            return services.material_receive(
                actor=self.treasurer, fund=fund, description="瓷砖", value=value, pledge=pledge
            )

        if self.pledge_refused(pledge, fund, Pledge.Kind.MATERIAL):
            self.refused(receive)
            return
        entry = receive()
        assert (entry.kind, entry.amount) == ("material", value)
        assert entry.donor == donor_shown(pledge)
        self.expected_materials[fund.pk] += value
        self.typed_entries += 1

    @rule(fund=st.integers(0, 1), value=amounts)
    def use_materials(self, fund, value):
        fund = self.fund(fund)

        def use():
            return services.material_use(
                actor=self.treasurer, fund=fund, description="铺地", value=value
            )

        if value > sums(fund)[1]:
            self.refused(use)
            return
        use()
        self.expected_materials[fund.pk] -= value
        self.typed_entries += 1

    # --- expenses ---------------------------------------------------------------------------

    @rule(
        target=expenses,
        fund=st.integers(0, 1),
        amount=amounts,
        overdraft=st.booleans(),
        approvers=st.permutations(APPROVERS),
        how_many=st.integers(0, len(APPROVERS)),
    )
    def spend(self, fund, amount, overdraft, approvers, how_many):
        """The treasurer records an expense and the approvals follow (in any order, by anyone,
        some refused); one still waiting may be approved by a later step."""
        fund = self.fund(fund)
        reason = "街道垫付，下月到账" if overdraft else ""

        def record():
            return services.expense_record(
                actor=self.treasurer,
                fund=fund,
                payee="装修队",
                amount=amount,
                category="labour",
                receipt=receipt_photo(),
                overdraft_reason=reason,
            )

        if amount > sums(fund)[0] and not reason:
            error = self.refused(record)
            assert isinstance(error, ValidationError) and "amount" in error.message_dict
            return multiple()  # nothing to approve
        expense = record()
        for who in approvers[:how_many]:
            self.approve_as(expense, who)
        if Expense.objects.get(pk=expense.pk).status == Expense.Status.WAITING:
            return expense
        return multiple()

    @rule(expense=expenses, who=st.sampled_from(APPROVERS))
    def approve(self, expense, who):
        self.approve_as(expense, who)

    def approve_as(self, expense: Expense, who: str) -> None:
        actor = self.approvers[who]
        current = Expense.objects.select_related("fund").get(pk=expense.pk)
        fund = current.fund
        needs_leader = services.needs_leader(current)
        leader = who == "leader"
        may = (who in ("staff", "committee")) or (leader and fund.building_id is not None)
        call = lambda: services.expense_approve(actor=actor, expense=expense)  # noqa: E731
        if not may:
            self.refused(call, PermissionDenied)
            return
        if current.status != Expense.Status.WAITING:
            self.refused(call)
            return
        if leader and needs_leader and current.leader_approved_by_id is None:
            approved, leader_approved = current.approved_by_id, actor.pk
        elif current.approved_by_id is None and actor.pk != current.leader_approved_by_id:
            approved, leader_approved = actor.pk, current.leader_approved_by_id
        else:
            self.refused(call)  # the same person cannot approve twice
            return
        posts = approved is not None and (not needs_leader or leader_approved is not None)
        balance = sums(fund)[0]
        if posts and current.amount > balance and not current.overdraft_reason:
            self.refused(call)  # the fund no longer holds enough
            return
        result = call()
        assert (result.approved_by_id, result.leader_approved_by_id) == (approved, leader_approved)
        if not posts:
            assert result.status == Expense.Status.WAITING
            return
        assert result.status == Expense.Status.POSTED
        assert result.approved_by_id not in (None, result.recorded_by_id)
        if needs_leader:  # four eyes, and the group leader's as well
            assert result.leader_approved_by_id == self.approvers["leader"].pk
            assert result.approved_by_id != result.leader_approved_by_id
        event("expense posted" + (" with the leader" if needs_leader else ""))
        self.expected_money[fund.pk] -= current.amount
        self.typed_entries += 1
        if current.amount > balance:
            event("expense posted over the balance, with a reason")
            self.overdrawn_with_reason.add(fund.pk)

    # --- reversals --------------------------------------------------------------------------

    @rule(pick=st.integers(min_value=0, max_value=10**6))
    def reverse(self, pick):
        candidates = list(
            LedgerEntry.objects.exclude(kind__in=("reversal", "match")).order_by("seq")
        )
        if not candidates:
            return
        entry = candidates[pick % len(candidates)]
        fund = entry.fund
        money, materials, residents, matched = sums(fund)

        def reverse():
            return services.entry_reverse(actor=self.treasurer, entry=entry, reason="记错了")

        if LedgerEntry.objects.filter(reverses=entry).exists():
            self.refused(reverse)
            return
        before = written()
        try:
            reversal = reverse()
        except ValidationError as refusal:
            assert written() == before
            assert refusal.code == "overdrawn", refusal
            event("reversal refused: the fund would go below zero")
            # Refused only when the fund would really go below zero, counting the matching
            # grant that follows a reversed contribution.
            if entry.kind == "material":
                assert entry.amount > materials
            else:
                clawed_back = ZERO
                if entry.kind == "contribution":
                    clawed_back = matched - matching_due(fund, residents - entry.amount)
                assert entry.amount + clawed_back > money
            return
        assert reversal.amount == -entry.amount and reversal.reverses_id == entry.pk
        event(f"{entry.kind} reversed")
        if entry.kind in MATERIAL:
            self.expected_materials[fund.pk] -= entry.amount
        else:
            self.expected_money[fund.pk] -= entry.amount
        self.typed_entries += 1

    # --- bad input: refused, nothing written ------------------------------------------------

    @rule(
        what=st.sampled_from(BAD_INPUT),
        fund=st.integers(0, 1),
        raw=st.sampled_from(BAD_AMOUNTS),
        amount=amounts,
        pick=st.integers(0, 10**6),
        key=st.uuids().map(str),
    )
    def bad_input(self, what, fund, raw, amount, pick, key):
        fund = self.fund(fund)
        treasurer = self.treasurer
        if what == "contribution":
            self.refused(
                lambda: services.contribution_record(
                    actor=treasurer, fund=fund, amount=raw, method="cash"
                )
            )
        elif what == "expense":
            self.refused(
                lambda: services.expense_record(
                    actor=treasurer,
                    fund=fund,
                    payee="装修队",
                    amount=raw,
                    category="labour",
                    receipt=receipt_photo(),
                    overdraft_reason="街道垫付",
                )
            )
        elif what == "materials":
            self.refused(
                lambda: services.material_receive(
                    actor=treasurer, fund=fund, description="瓷砖", value=raw
                )
            )
        elif what == "pledge":
            self.refused(
                lambda: services.pledge_create(
                    actor=self.resident, fund=fund, kind=Pledge.Kind.MONEY, amount=raw
                )
            )
        elif what == "duplicate reference":
            # A transfer reference already recorded in the estate, in either of its funds.
            if not self.used_references:
                return
            reference = self.used_references[pick % len(self.used_references)]
            error = self.refused(
                lambda: services.contribution_record(
                    actor=treasurer, fund=fund, amount=amount, method="wechat", reference=reference
                )
            )
            assert isinstance(error, ValidationError) and "reference" in error.message_dict
        elif what == "another estate's fund":
            self.refused(
                lambda: services.contribution_record(
                    actor=treasurer, fund=self.ctx.foreign_fund, amount=amount, method="cash"
                ),
                PermissionDenied,
            )
        else:
            fund_id = {
                "API: another estate's fund": self.ctx.foreign_fund.pk,
                "API: unknown fund": 987654321,
                "API: bad amount": fund.pk,
            }[what]
            body = {"amount": str(amount), "method": "wechat", "reference": f"API-{key[:8]}"}
            if what == "API: bad amount":
                body = {"amount": raw, "method": "cash", "reference": ""}
            before = written()
            response = self.client.post(
                f"/api/funds/{fund_id}/contributions",
                body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=key,
                **bearer(self.ctx.token),
            )
            assert response.status_code == (422 if what == "API: bad amount" else 404)
            assert written() == before

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def the_ledger_is_sound(self):
        everything = rows()
        by_pk = {row["pk"]: row for row in everything}
        for fund in self.ctx.funds:
            money, materials, residents, matched = sums(fund, everything, by_pk)
            assert services.money_balance(fund) == money
            assert services.material_balance(fund) == materials
            assert money == self.expected_money[fund.pk] + matched
            assert materials == self.expected_materials[fund.pk]
            assert materials >= 0
            assert matched == matching_due(fund, residents), (residents, matched)
            if matched == fund.match_cap:
                event("matching at its cap")
            # Below zero only by an expense posted with its overdraft reason.
            went_below = money < 0 and money < self.last_money[fund.pk]
            assert not went_below or fund.pk in self.overdrawn_with_reason, (
                f"{fund}: ¥{self.last_money[fund.pk]} became ¥{money} without an overdraft reason"
            )
            self.last_money[fund.pk] = money
        self.overdrawn_with_reason.clear()

        reversed_pks = {row["reverses_id"] for row in everything if row["reverses_id"]}
        for pledge in Pledge.objects.all():
            received = sum(
                (
                    row["amount"]
                    for row in everything
                    if row["pledge_id"] == pledge.pk and row["pk"] not in reversed_pks
                ),
                ZERO,
            )
            if pledge.status == Pledge.Status.WITHDRAWN:
                assert received == 0
            elif received == 0:
                assert pledge.status == Pledge.Status.PLEDGED
            elif pledge.kind == Pledge.Kind.MONEY and received < pledge.amount:
                assert pledge.status == Pledge.Status.PART
            else:
                assert pledge.status == Pledge.Status.RECEIVED

        report = selectors.ledger_verify(estate=self.ctx.money.world.here)
        assert report.ok, [str(b) for b in report.breaks]
        assert report.count == len(everything)
        matches = sum(row["kind"] == "match" for row in everything)
        assert len(everything) == self.typed_entries + matches


def test_the_ledger_holds_under_any_sequence_of_operations(money, world):
    """Random sequences of pledges, receipts, expenses, approvals, reversals and bad input on
    two funds of one estate (building 1's, matched 1:1 up to ¥10,000 after ¥500, the group
    leader approving too above ¥1,000; the estate's, matched ¥0.50 per ¥1 up to ¥300 after
    ¥100): every invariant holds after every step."""
    building_fund = services.fund_create(
        actor=money.staff,
        estate=world.here,
        building=world.b1,
        title="1号楼 加装扶手",
        target="20000",
        treasurer=money.treasurer,
        match_source="万里街道",
        match_ratio="1",
        match_cap="10000",
        match_after="500",
        leader_approval_over="1000",
    )
    estate_fund = services.fund_create(
        actor=money.staff,
        estate=world.here,
        title="小区 绿化基金",
        target="5000",
        treasurer=money.treasurer,
        match_source="物业公司",
        match_ratio="0.5",
        match_cap="300",
        match_after="100",
    )
    other = world.users["staff_other_estate"]
    foreign = services.fund_create(
        actor=other, estate=world.there, title="那里的基金", target="100", treasurer=other
    )
    machine = type(
        "Ledger",
        (LedgerMachine,),
        {
            "ctx": Context(
                money=money,
                funds=[building_fund, estate_fund],
                foreign_fund=foreign,
                token=api_token_issue(user=money.treasurer, label="test"),
            )
        },
    )
    profile = hypothesis_settings.default
    run_state_machine_as_test(
        machine,
        settings=hypothesis_settings(
            max_examples=max(10, profile.max_examples // 3),
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_reversing_a_contribution_never_leaves_the_fund_below_zero(money):
    """The reversal that drops residents below the matching threshold also takes the matching
    grant back; when the fund cannot cover both, the reversal is refused and nothing is
    written. (Residents give ¥490 + ¥10, the street matches ¥500, ¥990 is spent: reversing the
    ¥10 would take ¥510 from a fund holding ¥10.)"""
    money.give("490", reference="WX1", method="wechat")
    mistake = money.give("10", reference="WX2", method="wechat")
    expense = money.spend("990")
    services.expense_approve(actor=money.staff, expense=expense)
    assert money.balance() == Decimal("10.00")
    before = written()
    with pytest.raises(ValidationError) as refusal:
        services.entry_reverse(actor=money.treasurer, entry=mistake, reason="记错了")
    assert refusal.value.code == "overdrawn"
    assert written() == before
    assert money.balance() == Decimal("10.00")
