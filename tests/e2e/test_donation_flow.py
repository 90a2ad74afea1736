"""The foundation's money, on a phone: the street's foundation officer sets up the foundation's
account, records a donation, downloads its receipt (a PDF) and sees it on the street's
dashboard. Every page is checked for accessibility, reflow at phone width and untranslated
text."""

from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from linju.donations.models import Donation
from tests.e2e.conftest import sign_in


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_donation_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    street = live_world.here.street.slug
    officer = new_page()
    sign_in(officer, base, "foundation")

    # (1) The dashboard offers to set up the foundation's account.
    officer.goto(f"{base}/s/{street}/foundation/dashboard/")
    checks(officer, "donations-01-dashboard-empty-phone-zh")
    _click(officer, f"main a[href='/s/{street}/foundation/account/']")
    officer.fill("#id_name", "万里社区基金会")
    checks(officer, "donations-02-setup-phone-zh")
    _click(officer, "main form button[type=submit]")
    expect(officer).to_have_url(f"{base}/s/{street}/foundation/dashboard/")

    # (2) The officer records a donation.
    officer.goto(f"{base}/s/{street}/foundation/donations/")
    _click(officer, f"main a[href='/s/{street}/foundation/donations/new/']")
    officer.fill("#id_donor_name", "万里街道商会")
    officer.check("input[name=donor_kind][value=organisation]")
    officer.fill("#id_amount", "10050.30")
    officer.fill("#id_received_on", timezone.localdate().isoformat())
    officer.check("input[name=method][value=bank]")
    officer.fill("#id_reference", "WL-0601-001")
    officer.check("#id_publish_name")
    checks(officer, "donations-03-record-phone-zh")
    _click(officer, "main form button[type=submit]")
    donation = Donation.objects.get()
    assert donation.amount == Decimal("10050.30") and donation.publish_name
    expect(officer.locator("main table")).to_contain_text(donation.receipt_number)
    checks(officer, "donations-04-list-phone-zh")

    # (3) The receipt downloads as a PDF.
    pdf = f"/s/{street}/foundation/donations/{donation.pk}/receipt.pdf"
    link = officer.locator(f"main a[href='{pdf}']")
    expect(link).to_have_count(1)
    receipt = officer.request.get(f"{base}{link.get_attribute('href')}")
    assert receipt.status == 200
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")

    # (4) The dashboard shows it.
    officer.goto(f"{base}/s/{street}/foundation/dashboard/")
    expect(officer.locator("#donations-received")).to_contain_text("10050.30")
    checks(officer, "donations-05-dashboard-phone-zh")
    checks.assert_clean()
