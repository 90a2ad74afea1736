"""The foundation's pages: recording a donation (bad input: 422 with the form, nothing
written), the receipt PDF, the check page behind its QR code (no name without consent), the
dashboard (its figures, and a fixed number of queries however many estates, buildings, grants
and applications there are) and its .xlsx."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linju.donations import selectors
from linju.donations.models import Donation
from linju.funding import services as funding
from linju.funding.models import LedgerEntry
from tests import factories as f
from tests.donations.conftest import application, grant, programme

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _url(name: str, foundation, *args) -> str:
    return reverse(name, args=[foundation.street.slug, *args])


class TestRecord:
    def test_the_officer_records_and_sees_the_receipt_number(self, foundation):
        client = _client(foundation.officer)
        response = client.post(
            _url("foundation_donation_create", foundation),
            {
                "donor_name": "上海云帆科技有限公司",
                "donor_kind": "organisation",
                "amount": "10,050.30",
                "received_on": timezone.localdate().isoformat(),
                "method": "bank",
                "reference": "WL-0827-031",
                "purpose": "美丽楼组 微更新",
            },
        )
        assert response.status_code == 302
        donation = Donation.objects.get()
        assert donation.amount == Decimal("10050.30") and not donation.publish_name
        page = client.get(_url("foundation_donations", foundation)).content.decode()
        assert donation.receipt_number in page and "上海云帆科技有限公司" in page

    @pytest.mark.parametrize(
        "change",
        [{"amount": "0"}, {"amount": "abc"}, {"donor_name": ""}, {"method": "bank"}],
    )
    def test_bad_input_answers_422_and_writes_nothing(self, foundation, change):
        data = {
            "donor_name": "陈建国",
            "donor_kind": "person",
            "amount": "100",
            "received_on": timezone.localdate().isoformat(),
            "method": "cash",
        } | change
        response = _client(foundation.officer).post(
            _url("foundation_donation_create", foundation), data
        )
        assert response.status_code == 422
        assert 'class="field-error"' in response.content.decode()
        assert not Donation.objects.exists() and not LedgerEntry.objects.exists()


class TestReceipt:
    def test_the_pdf_is_a_pdf(self, foundation):
        donation = foundation.give("10050.30")
        response = _client(foundation.officer).get(
            _url("foundation_receipt_pdf", foundation, donation.pk)
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")

    def test_the_receipt_says_the_amount_in_capitals(self, foundation):
        from django.template.loader import render_to_string

        from linju.donations.numerals import capital_amount

        donation = foundation.give("10050.30")
        html = render_to_string(
            "donations/pdf/receipt.html",
            {
                "donation": donation,
                "account": donation.account,
                "capital": capital_amount(donation.amount),
            },
        )
        assert "壹万零伍拾元叁角整" in html and "10050.30" in html
        assert donation.receipt_number in html and "万里社区基金会" in html

    def test_the_check_page_hides_the_name_without_consent(self, foundation):
        hidden = foundation.give("500.00", donor_name="王丽娟")
        shown = foundation.give("800.00", donor_name="陈建国", publish_name=True)
        anonymous = Client()
        page = anonymous.get(_url("foundation_receipt_check", foundation, hidden.token))
        assert page.status_code == 200
        assert hidden.receipt_number in page.content.decode()
        assert "王丽娟" not in page.content.decode()
        page = anonymous.get(_url("foundation_receipt_check", foundation, shown.token))
        assert "陈建国" in page.content.decode()
        assert (
            anonymous.get(_url("foundation_receipt_check", foundation, "0" * 32)).status_code == 404
        )

    def test_the_public_ledger_rows_hide_the_name_without_consent(self, foundation):
        foundation.give("500.00", donor_name="王丽娟")
        foundation.give("800.00", donor_name="陈建国", publish_name=True)
        donors = set(LedgerEntry.objects.values_list("donor", flat=True))
        assert donors == {"", "陈建国"}


def _street_with(world, foundation, n: int, first: int = 30) -> None:
    """``n`` buildings of ``here`` with residents' money, matching, a grant and an application
    each, and an overdue report."""
    prog = programme(foundation.street)
    staff = world.users["staff"]
    for i in range(n):
        number = first + i
        building = f.BuildingFactory(estate=world.here, number=str(number), sort_key=number)
        app = application(prog, world.here, building, staff, status="under_review")
        fund = app.project.fund
        fund.match_source, fund.match_ratio, fund.match_cap = "街道", Decimal("1"), Decimal("500")
        fund.save()
        funding.contribution_record(actor=staff, fund=fund, amount="300", method="cash")
        grant(app, "1000.00", overdue_report=True)
        funding.grant_receive(
            actor=foundation.officer, fund=fund, amount="400", source="万里社区基金会"
        )
    foundation.give("5000.00")


class TestDashboard:
    def test_shows_money_per_estate_and_building(self, world, foundation):
        _street_with(world, foundation, 2)
        board = selectors.dashboard(actor=foundation.officer, street=foundation.street)
        here = next(row for row in board.estates if row.estate == world.here)
        assert here.money.raised == Decimal("600.00")
        assert here.money.matched == Decimal("600.00")
        assert here.money.granted == Decimal("2000.00")
        assert here.money.paid == Decimal("800.00")
        assert [b.label for b in here.buildings] == ["30", "31"]
        assert board.fund.received == Decimal("5000.00")
        assert dict((s, n) for s, _label, n in board.stages)["under_review"] == 2
        assert len(board.overdue) == 2
        page = _client(foundation.officer).get(_url("foundation_dashboard", foundation))
        html = page.content.decode()
        assert page.status_code == 200 and "5000.00" in html and "<svg" in html

    def test_the_number_of_queries_does_not_grow(self, world, foundation):
        _street_with(world, foundation, 1)
        with CaptureQueriesContext(connection) as few:
            selectors.dashboard(actor=foundation.officer, street=foundation.street)
        _street_with(world, foundation, 4, first=40)
        with CaptureQueriesContext(connection) as many:
            board = selectors.dashboard(actor=foundation.officer, street=foundation.street)
        assert sum(len(row.buildings) for row in board.estates) == 5
        assert len(board.overdue) == 5
        assert len(many) == len(few)

    def test_the_spreadsheet_has_every_sheet(self, world, foundation):
        from openpyxl import load_workbook

        _street_with(world, foundation, 1)
        foundation.give("1.00", donor_name='=HYPERLINK("x")')
        response = _client(foundation.officer).get(_url("foundation_dashboard_xlsx", foundation))
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        assert len(book.sheetnames) == 5
        donors = [row[2] for row in book.worksheets[-1].iter_rows(min_row=2, values_only=True)]
        assert '\'=HYPERLINK("x")' in donors  # neutralised, never a formula

    def test_without_an_account_it_offers_the_setup(self, world):
        page = _client(world.users["foundation"]).get(
            reverse("foundation_dashboard", args=[world.here.street.slug])
        )
        assert page.status_code == 200
        assert (
            reverse("foundation_account_setup", args=[world.here.street.slug])
            in page.content.decode()
        )


def test_the_foundations_ledger_page_shows_its_chain_head(foundation):
    donation = foundation.give("100.00", donor_name="陈建国", publish_name=True)
    page = _client(foundation.officer).get(_url("foundation_fund", foundation)).content.decode()
    assert donation.entry.hash in page and "陈建国" in page
    assert f"verify-ledger --street {foundation.street.slug}" in page
