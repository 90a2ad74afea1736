"""The foundation's account, donations, receipts sent, and grants paid out: what each service
writes, and that a refused or invalid call writes nothing (no entry, no receipt number)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linju.donations import services
from linju.donations.models import Donation, FoundationAccount, ReceiptCounter
from linju.funding import selectors as funding_selectors
from linju.funding.models import Fund, LedgerEntry, LedgerHead
from tests.donations.conftest import application, grant, programme

pytestmark = pytest.mark.django_db


def _written() -> tuple[int, int, int, int]:
    return (
        Donation.objects.count(),
        LedgerEntry.objects.count(),
        sum(ReceiptCounter.objects.values_list("last", flat=True)),
        Fund.objects.count(),
    )


class TestAccount:
    def test_officer_sets_up_the_account_with_a_street_fund(self, world):
        account = services.foundation_account_create(
            actor=world.users["foundation"], street=world.here.street, name="万里社区基金会"
        )
        assert account.fund.street == world.here.street
        assert account.fund.estate is None
        assert account.fund.treasurer == world.users["foundation"]

    @pytest.mark.parametrize("role", ["staff", "resident", "staff_other_estate"])
    def test_others_are_refused_and_nothing_is_written(self, world, role):
        before = _written()
        with pytest.raises(PermissionDenied):
            services.foundation_account_create(
                actor=world.users[role], street=world.here.street, name="基金会"
            )
        assert _written() == before
        assert not FoundationAccount.objects.exists()

    def test_a_second_account_is_refused(self, foundation):
        before = _written()
        with pytest.raises(ValidationError):
            services.foundation_account_create(
                actor=foundation.officer, street=foundation.street, name="另一个"
            )
        assert _written() == before


class TestDonationRecord:
    def test_posts_income_on_the_streets_own_chain_with_a_receipt_number(self, foundation):
        year = timezone.localdate().year
        first = foundation.give("10050.30")
        second = foundation.give("5.00")
        assert (first.receipt_number, second.receipt_number) == (
            f"{year}-00001",
            f"{year}-00002",
        )
        assert first.entry.street == foundation.street and first.entry.estate is None
        assert (first.entry.seq, second.entry.seq) == (1, 2)
        assert first.entry.kind == LedgerEntry.Kind.CONTRIBUTION
        assert first.entry.amount == Decimal("10050.30")
        head = LedgerHead.objects.get(street=foundation.street)
        assert (head.count, head.hash) == (2, second.entry.hash)
        assert funding_selectors.ledger_verify(street=foundation.street).ok

    def test_the_estate_chain_is_not_touched(self, foundation, world):
        """The foundation's entries are numbered in the street's chain; the estate's chain
        keeps its own numbers."""
        from linju.funding import services as funding

        fund = funding.fund_create(
            actor=world.users["staff"],
            estate=world.here,
            title="楼道",
            target="100",
            treasurer=world.users["staff"],
        )
        foundation.give("1.00")
        entry = funding.contribution_record(
            actor=world.users["staff"], fund=fund, amount="2", method="cash"
        )
        foundation.give("3.00")
        assert entry.seq == 1 and entry.estate == world.here and entry.street is None
        assert LedgerHead.objects.get(estate=world.here).count == 1
        assert LedgerHead.objects.get(street=foundation.street).count == 2
        assert funding_selectors.ledger_verify(estate=world.here).ok
        assert funding_selectors.ledger_verify(street=foundation.street).ok

    def test_numbers_follow_the_year_the_money_was_received(self, foundation):
        last_year = timezone.localdate().replace(month=1, day=1) - datetime.timedelta(days=1)
        foundation.give("1.00")
        old = foundation.give("2.00", received_on=last_year)
        assert old.receipt_number == f"{last_year.year}-00001"
        assert foundation.give("3.00").receipt_seq == 2

    def test_the_donors_name_reaches_the_ledger_only_with_consent(self, foundation):
        hidden = foundation.give("1.00", donor_name="王丽娟")
        shown = foundation.give("1.00", donor_name="陈建国", publish_name=True)
        assert hidden.entry.donor == "" and hidden.public_name == ""
        assert shown.entry.donor == "陈建国" and shown.public_name == "陈建国"

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"amount": "0"}, "amount"),
            ({"amount": "-5"}, "amount"),
            ({"amount": "1.001"}, "amount"),
            ({"amount": "很多"}, "amount"),
            ({"donor_name": "  "}, "donor_name"),
            ({"donor_name": "名" * 101}, "donor_name"),
            ({"donor_kind": "robot"}, "donor_kind"),
            ({"method": "cheque"}, "method"),
            ({"method": "bank", "reference": ""}, "reference"),
            ({"received_on": timezone.localdate() + datetime.timedelta(days=1)}, "received_on"),
            ({"donor_email": "not an address"}, "donor_email"),
            ({"purpose": "用" * 121}, "purpose"),
        ],
    )
    def test_invalid_input_writes_nothing(self, foundation, values, field):
        before = _written()
        with pytest.raises(ValidationError) as caught:
            foundation.give(**values)
        assert field in caught.value.message_dict
        assert _written() == before

    def test_a_transfer_reference_is_recorded_once(self, foundation):
        foundation.give("1.00", method="bank", reference="WX0001")
        before = _written()
        with pytest.raises(ValidationError) as caught:
            foundation.give("1.00", method="wechat", reference="WX0001")
        assert "reference" in caught.value.message_dict
        assert _written() == before
        assert foundation.give("1.00").receipt_seq == 2  # no number was lost

    @pytest.mark.parametrize("role", ["staff", "leader", "resident", "outsider"])
    def test_only_the_streets_officers_record(self, foundation, world, role):
        before = _written()
        with pytest.raises(PermissionDenied):
            services.donation_record(
                actor=world.users[role],
                street=foundation.street,
                donor_name="某人",
                amount="1",
                received_on=timezone.localdate(),
                method="cash",
            )
        assert _written() == before

    def test_an_officer_of_another_street_is_refused(self, foundation, world):
        from tests.factories import RoleFactory, UserFactory

        other = UserFactory(username="other_officer")
        RoleFactory(user=other, kind="foundation_officer", estate=None, street=world.there.street)
        before = _written()
        with pytest.raises(PermissionDenied):
            services.donation_record(
                actor=other,
                street=foundation.street,
                donor_name="某人",
                amount="1",
                received_on=timezone.localdate(),
                method="cash",
            )
        assert _written() == before

    def test_without_an_account_nothing_can_be_recorded(self, world):
        with pytest.raises(ValidationError):
            services.donation_record(
                actor=world.users["foundation"],
                street=world.here.street,
                donor_name="某人",
                amount="1",
                received_on=timezone.localdate(),
                method="cash",
            )
        assert _written() == (0, 0, 0, 0)


class TestReceiptSend:
    def test_emails_the_pdf_after_commit(self, foundation, django_capture_on_commit_callbacks):
        donation = foundation.give("10050.30", donor_email="donor@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            services.receipt_send(actor=foundation.officer, donation=donation)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["donor@example.com"]
        _name, content, kind = message.attachments[0]
        assert kind == "application/pdf" and content.startswith(b"%PDF")
        donation.refresh_from_db()
        assert donation.receipt_sent_to == "donor@example.com"

    def test_without_an_address_nothing_is_sent(
        self, foundation, django_capture_on_commit_callbacks
    ):
        donation = foundation.give("1.00")
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
            services.receipt_send(actor=foundation.officer, donation=donation)
        assert mail.outbox == []
        donation.refresh_from_db()
        assert donation.receipt_sent_at is None

    def test_others_may_not_send(self, foundation, world):
        donation = foundation.give("1.00", donor_email="donor@example.com")
        with pytest.raises(PermissionDenied):
            services.receipt_send(actor=world.users["staff"], donation=donation)
        assert mail.outbox == []


class TestGrantPaid:
    def _grant(self, foundation, world):
        prog = programme(foundation.street)
        app = application(prog, world.here, world.b1, world.users["leader"])
        return grant(app, "3000.00")

    def test_records_the_outflow_on_the_foundations_chain(self, foundation, world):
        foundation.give("5000.00")
        paid = services.foundation_grant_paid(
            actor=foundation.officer,
            street=foundation.street,
            amount=Decimal("3000.00"),
            grant=self._grant(foundation, world),
        )
        assert paid.kind == LedgerEntry.Kind.EXPENSE and paid.amount == Decimal("-3000.00")
        assert paid.street == foundation.street and paid.seq == 2
        assert "1号楼" in paid.description
        assert funding_selectors.ledger_verify(street=foundation.street).ok

    def test_refuses_more_than_the_fund_holds(self, foundation, world):
        foundation.give("100.00")
        awarded = self._grant(foundation, world)
        before = _written()
        with pytest.raises(ValidationError):
            services.foundation_grant_paid(
                actor=foundation.officer, street=foundation.street, amount="100.01", grant=awarded
            )
        assert _written() == before

    def test_a_street_without_an_account_records_nothing(self, world):
        prog = programme(world.here.street)
        app = application(prog, world.here, world.b1, world.users["leader"])
        before = _written()
        paid = services.foundation_grant_paid(
            actor=world.users["foundation"],
            street=world.here.street,
            amount="10",
            grant=grant(app, "10"),
        )
        assert paid is None and _written()[:3] == before[:3]
