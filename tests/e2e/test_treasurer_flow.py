"""The treasurer's flow end to end: a resident pledges ¥600 on a phone; the treasurer records
the money as received by WeChat transfer against the pledge (the street's matching follows by
itself) and records an expense with a photo of its receipt; committee staff see the expense in
the approvals queue, look at the receipt and approve it; the resident finds the expense, with
its receipt, on the fund's page. Every page is checked for accessibility, reflow on a phone
and untranslated text; the ledger's chain verifies at the end."""

import io
from decimal import Decimal

from playwright.sync_api import expect

from linju.funding import selectors, services
from linju.funding.models import Expense, LedgerEntry, Pledge
from tests.e2e.conftest import sign_in
from tests.funding.conftest import Money

PAYEE = "普陀万里建材商行"


def _receipt() -> dict:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 90), "white").save(buffer, format="PNG")
    return {"name": "receipt.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_treasurer_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    money = Money(live_world)
    fund = money.fund
    fund_url = f"/e/here/funds/{fund.pk}/"
    console_url = f"/e/here/console/funds/{fund.pk}/"

    # (1) The resident pledges ¥600 on a phone, shown by flat number (the default).
    resident = new_page()
    sign_in(resident, base, "resident")
    resident.goto(f"{base}{fund_url}")
    expect(resident.locator("main h1")).to_have_text(fund.title)
    checks(resident, "treasurer-01-fund-resident-phone-zh")
    _click(resident, f"main a[href='{fund_url}pledge/']")
    expect(resident.locator("main input[name=shown_as][value=flat]")).to_be_checked()
    resident.fill("#id_amount", "600")
    checks(resident, "treasurer-02-pledge-resident-phone-zh")
    _click(resident, "main form button[type=submit]")
    expect(resident).to_have_url(f"{base}{fund_url}")
    expect(resident.locator(".messages")).to_be_visible()
    pledge = Pledge.objects.get(fund=fund)
    assert (pledge.amount, pledge.shown_as) == (Decimal("600.00"), "flat")

    # (2) The treasurer records the money as received, against the pledge.
    treasurer = new_page()
    sign_in(treasurer, base, "treasurer")
    treasurer.goto(f"{base}{fund_url}")
    _click(treasurer, f"main a[href='{console_url}']")
    checks(treasurer, "treasurer-03-console-treasurer-phone-zh")
    _click(treasurer, f"main a[href='{console_url}received/']")
    treasurer.select_option("#id_pledge", str(pledge.pk))
    treasurer.fill("#id_amount", "600")
    treasurer.check("main input[name=method][value=wechat]")
    treasurer.fill("#id_reference", "4200002026112900001")
    checks(treasurer, "treasurer-04-money-received-phone-zh")
    _click(treasurer, "main form button[type=submit]")
    expect(treasurer).to_have_url(f"{base}{console_url}")
    expect(treasurer.locator(".messages")).to_be_visible()
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RECEIVED
    assert services.matched_total(fund) == Decimal("600.00")  # from ¥500, the street matches

    # (3) The treasurer records an expense with a photo of its receipt; it waits.
    _click(treasurer, f"main a[href='{console_url}expenses/new/']")
    treasurer.fill("#id_payee", PAYEE)
    treasurer.fill("#id_amount", "450")
    treasurer.select_option("#id_category", "materials")
    treasurer.select_option("#id_method", "wechat")
    treasurer.fill("#id_note", "楼道墙面乳胶漆")
    treasurer.set_input_files("#id_receipt", _receipt())
    checks(treasurer, "treasurer-05-expense-phone-zh")
    _click(treasurer, "main form button[type=submit]")
    expense = Expense.objects.get(fund=fund)
    assert expense.status == Expense.Status.WAITING
    expect(treasurer.locator(f"main #expense-{expense.pk}")).to_contain_text(PAYEE)
    assert not LedgerEntry.objects.filter(kind="expense").exists()

    # (4) Committee staff find it in the approvals queue, look at the receipt and approve it.
    staff = new_page(viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False)
    sign_in(staff, base, "staff")
    staff.goto(f"{base}/e/here/console/")
    _click(staff, "main .console-nav a[href='/e/here/console/funds/']")
    card = staff.locator(f"main #expense-{expense.pk}")
    expect(card).to_contain_text("450.00")
    checks(staff, "treasurer-06-approvals-staff-zh")
    receipt_href = card.locator("a[href*='/receipts/']").get_attribute("href")
    answer = staff.request.get(f"{base}{receipt_href}")
    assert answer.ok and answer.headers["content-type"] == "image/png"
    assert answer.headers["content-security-policy"] == "sandbox"
    approve = f"/e/here/console/funds/expenses/{expense.pk}/approve/"
    _click(staff, f"main form[action='{approve}'] button")
    expect(staff.locator(".messages")).to_contain_text(PAYEE)
    expense.refresh_from_db()
    assert expense.status == Expense.Status.POSTED and expense.approved_by.username == "staff"

    # (5) The resident sees the expense, with its receipt, on the fund's page.
    resident.goto(f"{base}{fund_url}")
    row = resident.locator("main table.ledger tbody tr", has_text=PAYEE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("-450.00")
    expect(resident.locator("main .fund-figures")).to_contain_text("¥750.00")  # 1200 - 450
    checks(resident, "treasurer-07-fund-after-resident-phone-zh")
    _click(resident, "main table.ledger a[href*='/receipts/']")
    expect(resident.locator("img")).to_have_count(1)
    wide = new_page(viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False)
    sign_in(wide, base, "resident")
    wide.goto(f"{base}{fund_url}")
    checks(wide, "treasurer-08-fund-desktop-zh")

    assert selectors.ledger_verify(estate=live_world.here).ok
    checks.assert_clean()
