"""Joining a flat end to end, on a phone: a new account opens its flat's join link (the QR code
on the slip), asks to join 1-101 as a family member, committee staff approve it in the console,
and the resident finds the flat on their home page.

Every page is screenshotted and checked (axe-core, reflow at phone width, English left on
Chinese pages); the problems found are reported together at the end.
"""

from playwright.sync_api import expect

from linju.membership import services
from linju.membership.models import JoinCode, JoinRequest
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory


def test_join_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world
    services.join_codes_ensure(actor=world.user("staff"), target=world.here)
    code = JoinCode.objects.get(flat=world.flat1, is_active=True).code
    UserFactory(username="newcomer", phone="+8613900139000", display_name="陈新来")

    # (1) The newcomer scans the slip: the join page asks them to sign in first, then returns.
    page = new_page()
    page.goto(f"{base}/join/{code}/")
    expect(page).to_have_url(f"{base}/sign-in/?next=/join/{code}/")
    sign_in(page, base, "newcomer")
    expect(page).to_have_url(f"{base}/join/{code}/")
    card = page.locator("main .join-flat")
    expect(card).to_contain_text("这里小区")
    expect(card.locator(".join-flat-label")).to_contain_text("1-101")
    expect(page.locator("main label.big-choice")).to_have_count(4)
    expect(page.locator("#id_full_name")).to_have_value("陈新来")
    checks(page, "join-01-confirm-zh")

    # Nothing chosen yet: a message, no request.
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("main .big-choices .field-error")).to_be_visible()
    assert not JoinRequest.objects.exists()
    checks(page, "join-02-nothing-chosen-zh")

    # (2) A big tap on "family member", then ask.
    family = page.locator("main label.big-choice", has_text="家庭成员")
    family.click()
    expect(family.locator("input")).to_be_checked()
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{base}/me/")
    waiting = page.locator("main .join-status")
    expect(waiting).to_contain_text("1-101")
    expect(waiting).to_contain_text("家庭成员")
    checks(page, "join-03-waiting-zh")

    # (3) Committee staff see the request in the console and approve it (htmx swaps the card).
    staff = new_page()
    sign_in(staff, base, "staff")
    staff.goto(f"{base}/e/here/console/")
    staff.click("main .console-nav a[href='/e/here/join-requests/']")
    expect(staff).to_have_url(f"{base}/e/here/join-requests/")
    request = staff.locator("main .join-request", has_text="陈新来")
    expect(request).to_have_count(1)
    expect(request).to_contain_text("1-101")
    checks(staff, "join-04-requests-staff-zh")
    request.locator("button.primary").click()
    expect(request.locator(".decision-approved")).to_be_visible()
    checks(staff, "join-05-approved-staff-zh")

    # (4) The resident's home now shows the flat, and no longer the waiting request.
    page.goto(f"{base}/me/")
    flat = page.locator("main section.card", has_text="1-101").filter(has=page.locator("h2"))
    expect(flat.first.locator("h2")).to_contain_text("1-101")
    expect(flat.first).to_contain_text("这里小区")
    expect(page.locator("main .join-status")).to_have_count(0)
    checks(page, "join-06-joined-zh")

    # The same home in large-text mode stays readable and does not scroll sideways.
    page.click("header form[action='/preferences/large-text/'] button")
    expect(page.locator("html")).to_have_class("large-text")
    checks(page, "join-07-joined-large-zh")

    checks.assert_clean()
