"""The disclosure board (居务公开) end to end: committee staff draft a notice of how the
working funds were used, attach the accounts as a PDF and publish it for 30 days; a resident
is told, opens it on a phone and downloads the file; staff see that the resident has read it.
Then staff make the board public, and a visitor who is not signed in reads the board and the
notice on a phone, with no personal data on either page.
"""

from playwright.sync_api import expect

from linju.notices.models import Notice, NoticeRead
from linju.notifications.models import Notification
from tests.e2e.conftest import sign_in

TITLE = "三月份工作经费使用情况"  # "Use of working funds in March"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_board_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world

    # (1) Staff draft the notice from the console, attach the accounts and publish it.
    staff = new_page(viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False)
    sign_in(staff, base, "staff")
    staff.goto(f"{base}/e/here/console/")
    _click(staff, "main .console-nav a[href='/e/here/console/board/']")
    _click(staff, "main a[href='/e/here/console/board/new/']")
    staff.check("main input[name=category][value=working_funds]")
    staff.fill("#id_title", TITLE)
    staff.fill("#id_body", "本月工作经费支出 1,280.00 元，明细见附件。")
    checks(staff, "board-01-new-notice-staff-zh")
    _click(staff, "main form button[type=submit]")
    notice = Notice.objects.get(title=TITLE)
    console_url = f"/e/here/console/board/{notice.pk}/"
    expect(staff).to_have_url(f"{base}{console_url}")
    staff.set_input_files(
        "main input[type=file]",
        {"name": "三月账目.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    _click(staff, f"main form[action='{console_url}files/'] button[type=submit]")
    expect(staff.locator("main .board-files")).to_contain_text("三月账目.pdf")
    staff.fill("#id_days", "30")
    # Checked from the top: after a full-page screenshot of the page scrolled down to the
    # publish form, the next click missed its button.
    staff.evaluate("window.scrollTo(0, 0)")
    checks(staff, "board-02-draft-with-file-staff-zh")
    _click(staff, f"main form[action='{console_url}publish/'] button[type=submit]")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    assert Notification.objects.filter(recipient=world.user("resident")).count() == 1

    # (2) The resident opens it from the board on a phone, in large text, and gets the file.
    resident = new_page()
    sign_in(resident, base, "resident")
    resident.goto(f"{base}/e/here/")
    _click(resident, "main .board-link a")
    resident.click("header form[action='/preferences/large-text/'] button")
    expect(resident.locator("html")).to_have_class("large-text")
    expect(resident.locator("main .board-notice h3")).to_have_text(TITLE)
    checks(resident, "board-03-board-resident-phone-large-zh")
    _click(resident, "main .board-notice h3 a")
    expect(resident.locator("main .board-body")).to_contain_text("1,280.00")
    expect(resident.locator("main")).not_to_contain_text("李居民")
    checks(resident, "board-04-notice-resident-phone-large-zh")
    link = resident.locator("main .board-files a")
    answer = resident.request.get(f"{base}{link.get_attribute('href')}")
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    assert answer.body() == PDF
    assert NoticeRead.objects.filter(notice=notice, user=world.user("resident")).count() == 1

    # (3) Staff see who has read it: the resident's name and flat, no phone number.
    staff.reload()
    readers = staff.locator("main table.table").last
    expect(readers).to_contain_text("李居民")
    expect(readers).to_contain_text("1-101")
    expect(staff.locator("main")).not_to_contain_text(world.person1.phone[-4:])
    checks(staff, "board-05-readers-staff-zh")

    # (4) Staff make the board public; a visitor reads it without signing in, and no name
    # of a reader, of who posted, or of anyone on the roster is on the pages.
    visitor = new_page()
    visitor.goto(f"{base}/e/here/board/")
    assert "/sign-in/" in visitor.url
    staff.goto(f"{base}/e/here/console/board/settings/")
    staff.check("#id_public")
    _click(staff, "main form button[type=submit]")
    visitor.goto(f"{base}/e/here/board/")
    expect(visitor.locator("main .board-notice h3")).to_have_text(TITLE)
    checks(visitor, "board-06-public-board-phone-zh")
    _click(visitor, "main .board-notice h3 a")
    expect(visitor.locator("main .board-body")).to_be_visible()
    for name in ("李居民", "王邻居", str(world.user("staff")), "Who has read it", "已读人员"):
        expect(visitor.locator("body")).not_to_contain_text(name)
    checks(visitor, "board-07-public-notice-phone-zh")

    checks.assert_clean()
