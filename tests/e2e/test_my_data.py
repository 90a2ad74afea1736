"""A resident downloads their data and deletes their account, on a phone, in Chinese. Every
page is screenshotted and checked (axe-core, reflow, no English on Chinese pages)."""

import json
from pathlib import Path

from playwright.sync_api import expect

from linju.community.models import Person
from linju.core.models import SecurityEvent
from tests.e2e.conftest import sign_in


def test_resident_downloads_data_then_deletes_account(live_server, live_world, new_page, checks):
    base = live_server.url
    page = new_page()
    sign_in(page, base, "resident")

    # (1) From My home to My data.
    page.goto(f"{base}/me/")
    page.locator("main a[href='/me/data/']").click()
    expect(page).to_have_url(f"{base}/me/data/")
    expect(page.locator("main h1")).to_have_text("我的数据")
    checks(page, "my-data-01-page-zh")

    # (2) The JSON download: the file holds their own record, and the download is logged.
    with page.expect_download() as info:
        page.locator("a[href='/me/data/download/json/']").click()
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert data["people"][0]["full_name"] == "李居民"
    assert SecurityEvent.objects.filter(
        event="my_data.export", user=live_world.users["resident"], detail="json"
    ).exists()

    # (3) Deleting: a plain page of what goes and what stays; without the tick, nothing happens.
    page.locator("a[href='/me/data/delete/']").click()
    expect(page.locator("main h1")).to_have_text("注销我的账号")
    checks(page, "my-data-02-delete-zh")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".field-error")).to_be_visible()
    checks(page, "my-data-03-delete-untick-zh")

    # (4) With the tick: signed out, told it is done; the roster no longer has the name.
    page.locator("#id_confirm").check()
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/me/data/deleted/")
    expect(page.locator("main h1")).to_have_text("您的账号已注销")
    expect(page.locator("header a[href='/sign-in/']")).to_be_visible()
    checks(page, "my-data-04-deleted-zh")
    assert not Person.objects.filter(full_name="李居民").exists()
    checks.assert_clean()
