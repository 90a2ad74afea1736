"""A notification reaches a resident on a phone: the badge, the inbox, marking it read, and
choosing how to be told. Every page is screenshotted and checked (axe-core, reflow, no English
on Chinese pages)."""

from playwright.sync_api import expect

from linju.notifications.models import Notification, NotificationPreference
from linju.notifications.services import notify
from tests.e2e.conftest import sign_in

BADGE = "header.site-header #inbox-badge"


def test_a_notification_arrives_and_is_read(live_server, live_world, new_page, checks):
    base = live_server.url
    resident = live_world.users["resident"]
    page = new_page()
    sign_in(page, base, "resident")
    inbox_link = page.locator("header.site-header a.inbox-link")
    expect(inbox_link).to_contain_text("消息")
    expect(page.locator(BADGE)).to_be_empty()

    # (1) The committee tells building 1 about a meeting; the badge shows 1.
    notification = notify(
        recipient=resident,
        kind="meeting.scheduled",
        estate=live_world.here,
        title="1号楼门厅改造议事会",
        body="周六上午9:30在1号楼门厅，欢迎来听听、说说。",
        url="/e/here/b/1/",
    )
    page.reload()
    expect(page.locator(f"{BADGE} [aria-hidden=true]")).to_have_text("1")
    checks(page, "inbox-01-badge-zh")

    # (2) The resident opens the inbox: the message is there, marked new.
    inbox_link.click()
    expect(page).to_have_url(f"{base}/inbox/")
    expect(page.locator("main h1")).to_have_text("消息")
    item = page.locator(f"#notification-{notification.pk}")
    expect(item).to_have_class("card notification unread")
    expect(item.locator("h2")).to_contain_text("1号楼门厅改造议事会")
    expect(item).to_contain_text("周六上午9:30")
    checks(page, "inbox-02-unread-zh")

    # (3) Marked read in place (htmx): the item calms down, the badge disappears.
    item.get_by_role("button", name="标为已读").click()
    expect(item).to_have_class("card notification")
    expect(page.locator(BADGE)).to_be_empty()
    expect(item.get_by_role("button", name="标为已读")).to_have_count(0)
    assert Notification.objects.get(pk=notification.pk).read_at is not None
    checks(page, "inbox-03-read-zh")

    # (4) Opening it leads to the building the message is about.
    with page.expect_navigation():
        item.get_by_role("button", name="查看").click()
    expect(page).to_have_url(f"{base}/e/here/b/1/")

    # (5) How to be told: big switches, plain words. Votes come by text message unless
    # switched off; the resident turns text messages on for notices too, saved.
    page.goto(f"{base}/inbox/settings/")
    expect(page.locator("main h1")).to_have_text("通知方式")
    votes = page.locator("input[name=sms_groups][value=votes]")
    expect(votes).to_be_checked()
    notices = page.locator("input[name=sms_groups][value=notices]")
    expect(notices).not_to_be_checked()
    page.locator("label.switch", has=notices).click()
    expect(notices).to_be_checked()
    checks(page, "inbox-04-preferences-zh")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    assert set(NotificationPreference.objects.get(user=resident).sms_groups) == {
        "notices",
        "votes",
    }

    # (6) The same pages in large text.
    page.locator("header .prefs button[aria-pressed]").click()
    expect(page.locator("html")).to_have_class("large-text")
    checks(page, "inbox-05-preferences-large-zh")
    page.goto(f"{base}/inbox/")
    checks(page, "inbox-06-inbox-large-zh")
    checks.assert_clean()


def test_an_empty_inbox_in_english(live_server, live_world, new_page, checks):
    page = new_page()
    sign_in(page, live_server.url, "staff")
    page.locator("header .prefs button[name=language]").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator("main h1")).to_have_text("Messages")
    expect(page.locator("main")).to_contain_text("No messages yet.")
    checks(page, "inbox-07-empty-en")
    page.goto(f"{live_server.url}/inbox/settings/")
    checks(page, "inbox-08-preferences-en")
    checks.assert_clean()
