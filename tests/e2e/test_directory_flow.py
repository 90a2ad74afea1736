"""The directory end to end, on a phone: a visitor, a resident, committee staff, a stranger.

Every page the flow visits is screenshotted and checked (axe-core, reflow at phone width,
English left on Chinese pages); the problems found are reported together at the end.
"""

import re
from decimal import Decimal

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

HTML_FONT_SIZE = "() => getComputedStyle(document.documentElement).fontSize"


def _header_link(page, href: str):
    return page.locator(f"header.site-header a[href='{href}']")


def _sign_out(page):
    with page.expect_navigation():
        page.click("header form[action='/sign-out/'] button")
    expect(_header_link(page, "/sign-in/")).to_be_visible()


def test_directory_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world

    # (1) A visitor opens the front page: two estates, so a list of them, in Chinese.
    page = new_page()
    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    cards = page.locator("main .cards .card")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="这里小区")).to_have_count(1)
    expect(cards.filter(has_text="那里小区")).to_have_count(1)
    expect(_header_link(page, "/sign-in/")).to_have_text("登录")
    checks(page, "flow-01-home-zh")

    page.click("main a.card-link[href='/e/here/']")
    expect(page).to_have_url(f"{base}/e/here/")
    expect(page.locator("main h1")).to_have_text("这里小区")
    expect(page.locator("main .cards.buildings .card")).to_have_count(2)
    checks(page, "flow-02-estate-zh")

    page.click("main a.card-link[href='/e/here/b/1/']")
    expect(page).to_have_url(f"{base}/e/here/b/1/")
    expect(page.locator("main h1")).to_have_text("1号楼")
    # Visitors get the overview, not the list of flats.
    expect(page.locator("main .flat-grid")).to_have_count(0)
    checks(page, "flow-03-building-anonymous-zh")

    # (2) The resident signs in through the form and opens their home.
    page.click("header.site-header a[href='/sign-in/']")
    expect(page.locator("main h1")).to_have_text("登录")
    checks(page, "flow-04-sign-in-zh")
    sign_in(page, base, "resident")
    my_home = _header_link(page, "/me/")
    expect(my_home).to_have_text("我的家")
    checks(page, "flow-05-after-sign-in-zh")

    my_home.click()
    expect(page).to_have_url(f"{base}/me/")
    expect(page.locator("main h1")).to_have_text("我的家")
    home = page.locator("main section.card").first
    expect(home).to_contain_text("这里小区")
    expect(home.locator("h2")).to_contain_text("1-101")
    expect(home.locator("ul.plain li")).to_have_count(1)
    expect(home.locator("ul.plain li").first).to_contain_text("李居民")
    checks(page, "flow-06-my-home-zh")

    # A resident of building 1 who is signed in sees its flats.
    page.click("main a[href='/e/here/b/1/']")
    expect(page.locator("main .flat-grid .flat")).to_have_count(1)
    expect(page.locator("main .flat-grid .flat .flat-number")).to_have_text("101")
    checks(page, "flow-07-building-resident-zh")
    my_home.click()
    expect(page).to_have_url(f"{base}/me/")

    # (3) English, through the language button in the header.
    with page.expect_navigation():
        page.click("header .prefs button[name='language'][value='en']")
    expect(page).to_have_url(f"{base}/me/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("My home")
    expect(my_home).to_have_text("My home")
    expect(page.locator("header .prefs button[name='language']")).to_have_text("中文")
    checks(page, "flow-08-my-home-en")

    # (4) Large text: a bigger root font, kept on reload, and kept on the account.
    html = page.locator("html")
    expect(html).not_to_have_class("large-text")
    normal_size = page.evaluate(HTML_FONT_SIZE)
    large_button = page.locator("header .prefs button[aria-pressed]")
    expect(large_button).to_have_attribute("aria-pressed", "false")
    with page.expect_navigation():
        large_button.click()
    expect(html).to_have_class("large-text")
    expect(large_button).to_have_attribute("aria-pressed", "true")
    large_size = page.evaluate(HTML_FONT_SIZE)
    assert (normal_size, large_size) == ("16px", "20px")
    checks(page, "flow-09-my-home-en-large")

    page.reload()
    expect(html).to_have_class("large-text")
    assert page.evaluate(HTML_FONT_SIZE) == large_size

    _sign_out(page)
    checks(page, "flow-10-signed-out-en-large")
    sign_in(page, base, "resident")
    my_home.click()
    expect(html).to_have_class("large-text")
    expect(page.locator("main h1")).to_have_text("My home")
    assert page.evaluate(HTML_FONT_SIZE) == large_size

    # The choices were saved on the account, not only in this phone's cookies.
    world.users["resident"].refresh_from_db()
    assert world.users["resident"].large_text is True
    assert world.users["resident"].language == "en"
    other_phone = new_page()
    other_phone.goto(f"{base}/")
    expect(other_phone.locator("html")).not_to_have_class("large-text")
    sign_in(other_phone, base, "resident")
    other_phone.goto(f"{base}/me/")
    expect(other_phone.locator("html")).to_have_class("large-text")
    expect(other_phone.locator("html")).to_have_attribute("lang", "en")
    checks(other_phone, "flow-11-my-home-other-phone")

    # (5) Committee staff: console, flats, a live search, an edit, and its audit record.
    staff = new_page()
    sign_in(staff, base, "staff")
    _header_link(staff, "/e/here/console/").click()
    expect(staff).to_have_url(f"{base}/e/here/console/")
    expect(staff.locator("main table tbody tr")).to_have_count(2)
    checks(staff, "flow-12-console-zh")

    staff.click("main nav.console-nav a[href='/e/here/console/flats/']")
    expect(staff).to_have_url(f"{base}/e/here/console/flats/")
    rows = staff.locator("#flat-rows tbody tr")
    expect(rows).to_have_count(2)
    checks(staff, "flow-13-flats-zh")

    # The search updates the rows in place: the page itself is never reloaded.
    staff.evaluate("() => { window.__sameDocument = true; }")
    with staff.expect_response(
        lambda r: (
            "/e/here/console/flats/" in r.url
            and "q=101" in r.url
            and r.request.headers.get("hx-request") == "true"
        )
    ) as search:
        staff.locator("#q").press_sequentially("101", delay=30)
    assert search.value.status == 200
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th")).to_have_text("1-101")
    assert staff.evaluate("() => window.__sameDocument === true"), "the search reloaded the page"
    expect(staff).to_have_url(re.compile(r"/e/here/console/flats/\?q=101(&|$)"))
    checks(staff, "flow-14-flats-search-zh")

    flat = world.flat1
    rows.first.locator("a").click()
    expect(staff).to_have_url(f"{base}/e/here/console/flats/{flat.pk}/")
    area = staff.locator("#id_area")
    expect(area).to_have_value("89.50")
    checks(staff, "flow-15-flat-zh")

    area.fill("92.30")
    with staff.expect_navigation():
        staff.click("main form.card button[type=submit]")
    expect(staff).to_have_url(f"{base}/e/here/console/flats/{flat.pk}/")
    expect(staff.locator(".messages .message")).to_have_text("已保存。")
    expect(area).to_have_value("92.30")
    flat.refresh_from_db()
    assert flat.area == Decimal("92.30")
    checks(staff, "flow-16-flat-saved-zh")

    staff.click("main .breadcrumb a[href='/e/here/console/flats/']")
    staff.click("main nav.console-nav a[href='/e/here/console/audit/']")
    expect(staff).to_have_url(f"{base}/e/here/console/audit/")
    record = staff.locator("main .audit-list li").filter(has_text="修改房屋")
    expect(record).to_have_count(1)
    expect(record).to_contain_text("1-101")
    change = record.locator(".change")
    expect(change).to_have_count(1)
    expect(change.locator("del")).to_have_text("89.50")
    expect(change.locator("ins")).to_have_text("92.30")
    checks(staff, "flow-17-audit-zh")

    # (6) Staff of another estate: here's console does not exist for them.
    stranger = new_page()
    sign_in(stranger, base, "staff_other_estate")
    expect(_header_link(stranger, "/e/there/console/")).to_be_visible()
    expect(_header_link(stranger, "/e/here/console/")).to_have_count(0)
    response = stranger.goto(f"{base}/e/here/console/")
    assert response is not None and response.status == 404
    expect(stranger.locator("main h1")).to_have_text("页面不存在")
    checks(stranger, "flow-18-foreign-console-404-zh")
    for path in (
        "/e/here/console/flats/",
        f"/e/here/console/flats/{flat.pk}/",
        "/e/here/console/audit/",
    ):
        response = stranger.goto(f"{base}{path}")
        assert response is not None and response.status == 404, path

    checks.assert_clean()
