"""The demo estate's fund: building 17's stairwell renovation, made through the services, with
pledged money and materials, received contributions, the matched grant, two approved expenses
with receipts, one reversed mistake, and a chain that verifies."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from linju.community.demo import demo_load
from linju.community.models import Estate
from linju.funding import selectors
from linju.funding.demo import TITLE
from linju.funding.models import Expense, Fund, LedgerEntry, Pledge
from linju.funding.views.common import figures_for

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """Load once for the module, inside a transaction that is rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield demo_load()
        transaction.set_rollback(True)


@pytest.fixture
def fund() -> Fund:
    return Fund.objects.select_related("estate", "building", "treasurer").get(title=TITLE)


def test_building_17s_fund_is_kept_by_resident17_and_matched_by_the_street(fund):
    assert fund.building.number == "17"
    assert fund.treasurer.username == "resident17"
    assert (fund.match_source, fund.match_ratio, fund.match_cap, fund.match_after) == (
        "万里街道",
        Decimal("1.00"),
        Decimal("10000.00"),
        Decimal("500.00"),
    )


def test_money_and_materials_were_pledged_with_photos(fund):
    pledges = Pledge.objects.filter(fund=fund)
    assert pledges.filter(kind="money").count() == 2
    materials = pledges.filter(kind="material")
    assert {p.description[:2] for p in materials} == {"实木", "防滑", "大理"}
    for pledge in materials:
        with pledge.photo.open("rb") as photo:
            assert photo.read(8) == b"\x89PNG\r\n\x1a\n"
    assert set(pledges.values_list("status", flat=True)) == {"received"}


def test_contributions_arrived_in_cash_and_by_transfer_and_the_street_matched(fund):
    received = LedgerEntry.objects.filter(fund=fund, kind="contribution")
    assert set(received.values_list("method", flat=True)) == {"cash", "wechat", "alipay", "bank"}
    assert all(e.reference for e in received if e.method != "cash")
    figures = figures_for([fund.pk])[fund.pk]
    assert figures.received == Decimal("3450.00")
    assert figures.matched == figures.received  # 1:1, below the cap
    assert LedgerEntry.objects.filter(fund=fund, kind="match", method="generated").exists()


def test_two_expenses_were_approved_by_a_second_person_with_their_receipts(fund):
    expenses = list(Expense.objects.filter(fund=fund).order_by("amount"))
    assert [(e.amount, e.status) for e in expenses] == [
        (Decimal("1650.00"), "posted"),
        (Decimal("2800.00"), "posted"),
    ]
    for expense in expenses:
        assert expense.approved_by_id not in (None, expense.recorded_by_id)
        with expense.receipt.open("rb") as receipt:
            assert receipt.read(8) == b"\x89PNG\r\n\x1a\n"
    assert expenses[1].leader_approved_by.username == "leader17"  # above ¥2,000
    assert figures_for([fund.pk])[fund.pk].spent == Decimal("4450.00")


def test_one_contribution_typed_twice_was_reversed_with_its_reason(fund):
    (reversal,) = LedgerEntry.objects.filter(fund=fund, kind="reversal")
    assert reversal.reverses.kind == "contribution"
    assert reversal.amount == -reversal.reverses.amount
    assert "重复登记" in reversal.reason


def test_balances_add_up_and_the_chain_verifies(fund):
    figures = figures_for([fund.pk])[fund.pk]
    assert figures.balance == Decimal("2450.00")
    assert figures.materials == Decimal("1800.00")  # 2,200 received, 400 used
    report = selectors.ledger_verify(estate=fund.estate)
    assert report.ok, report.breaks
    assert report.count == LedgerEntry.objects.filter(estate=fund.estate).count()
    out = io.StringIO()
    call_command("verify_ledger", "--estate", fund.estate.slug, stdout=out)
    assert out.getvalue().strip().endswith("— ok") and "BROKEN" not in out.getvalue()


def test_resident17_sees_the_fund_with_receipts(fund):
    client = Client()
    client.force_login(get_user_model().objects.get(username="resident17"))
    page = client.get(fund.get_absolute_url()).content.decode()
    assert TITLE in page
    for expense in Expense.objects.filter(fund=fund):
        assert reverse("fund_receipt", args=[fund.estate.slug, fund.pk, expense.pk]) in page
    assert Estate.objects.get(slug="zhonghao") == fund.estate


def test_demo_fund_was_kept_last_month_and_its_monthly_report_is_on_the_board(db):
    """Building 17's fund was kept last month, whose disclosure report (PDF and .xlsx) carries
    the chain head as it stood then (the foundation's grants, paid this month, came after);
    the chain still verifies."""
    from django.utils import timezone

    from linju.community.demo import demo_load
    from linju.community.models import Estate
    from linju.funding import selectors
    from linju.funding.models import DisclosureReport, LedgerEntry

    demo_load()
    estate = Estate.objects.get(slug="zhonghao")
    first_of_month = timezone.localdate().replace(day=1)
    entries = LedgerEntry.objects.filter(estate=estate)
    kept_last_month = [
        timezone.localtime(moment).date() < first_of_month
        for moment in entries.filter(fund__title="17号楼 楼道微更新").values_list(
            "recorded_at", flat=True
        )
    ]
    assert kept_last_month and all(kept_last_month)
    report = DisclosureReport.objects.get(estate=estate, period="month")
    then = entries.filter(seq__lte=report.chain_count).order_by("-seq").first()
    assert then is not None and report.chain_count == sum(kept_last_month)
    assert report.chain_hash == then.hash
    assert report.pdf and report.xlsx
    assert selectors.ledger_verify(estate=estate).ok
