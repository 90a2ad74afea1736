"""From the lobby slip to the mini-program, on a phone: committee staff print building 1's join
slips; a new resident signs up with a text-message code, joins flat 1-101 with the slip's code,
is approved, finds the approval in the inbox and downloads their data; the mini-program signs
in through the API with a texted code and reads the same home (second test: one code a minute
per number, so it runs on its own clock). (Importing the roster that put 1-101 in the
directory has its own browser test, test_roster_import.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from linju.membership.models import JoinCode
from tests.e2e.conftest import sign_in

NUMBER = "+8613700137000"
TYPED = "137 0013 7000"


@pytest.fixture
def outbox(settings, tmp_path) -> Path:
    settings.LINJU_SMS_BACKEND = "file"
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return tmp_path / "sms-outbox.jsonl"


def _last_code(outbox: Path) -> str:
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    mine = [m["message"] for m in lines if m["phone"] == NUMBER]
    return re.search(r"\d{6}", mine[-1]).group(0)


def test_resident_journey(live_server, live_world, new_page, checks, outbox):
    base = live_server.url

    # (1) Staff print building 1's join slips: a PDF, and the flat now has its code.
    staff = new_page()
    sign_in(staff, base, "staff")
    staff.goto(f"{base}/e/here/console/join-slips/")
    checks(staff, "journey-01-slips-form-zh")
    csrf = next(c["value"] for c in staff.context.cookies(base) if c["name"] == "csrftoken")
    slips = staff.request.post(
        f"{base}/e/here/console/join-slips/",
        form={"building": "1", "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base}/e/here/console/join-slips/"},
    )
    assert slips.status == 200
    assert slips.headers["content-type"] == "application/pdf"
    assert slips.body().startswith(b"%PDF")
    code = JoinCode.objects.get(flat=live_world.flat1, is_active=True).code

    # (2) A newcomer signs up with a code texted to their phone.
    page = new_page()
    page.goto(f"{base}/sign-up/")
    page.fill("#sign-up-code input[name=phone]", TYPED)
    page.click("#sign-up-code button[type=submit]")
    expect(page.locator("#sign-up-code input[name=code]")).to_be_visible()
    page.fill("#id_code", _last_code(outbox))
    page.fill("#id_display_name", "刘新")
    page.check("#id_privacy_notice_consent")
    with page.expect_navigation():
        page.click("#sign-up-code form[action='/sign-up/'] button[type=submit]")
    expect(page).to_have_url(f"{base}/me/")
    checks(page, "journey-02-signed-up-zh")

    # (3) The slip's QR code opens the join page; they ask to join as a family member.
    page.goto(f"{base}/join/{code}/")
    expect(page.locator("main .join-flat-label")).to_contain_text("1-101")
    page.locator("main label.big-choice", has_text="家庭成员").click()
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("main .join-status")).to_contain_text("1-101")
    checks(page, "journey-03-waiting-zh")

    # (4) Staff approve it.
    staff.goto(f"{base}/e/here/join-requests/")
    request = staff.locator("main .join-request", has_text="刘新")
    request.locator("button.primary").click()
    expect(request.locator(".decision-approved")).to_be_visible()

    # (5) The resident's inbox has the approval; their home shows the flat.
    page.goto(f"{base}/me/")
    expect(page.locator("header.site-header #inbox-badge")).to_be_visible()
    page.locator("header.site-header a.inbox-link").click()
    expect(page.locator("main")).to_contain_text("1-101")
    checks(page, "journey-04-inbox-zh")

    # (6) They download their data: it holds the flat they joined.
    page.goto(f"{base}/me/data/")
    with page.expect_download() as info:
        page.locator("a[href='/me/data/download/json/']").click()
    data = Path(info.value.path()).read_text(encoding="utf-8")
    assert "1-101" in data and "刘新" in data
    checks(page, "journey-05-my-data-zh")

    checks.assert_clean()


def test_the_mini_program_signs_in_with_a_code_and_reads_home(
    live_server, live_world, new_page, outbox
):
    """The API half of the journey on its own clock: the resident of 1-101 has a phone."""
    resident = live_world.users["resident"]
    resident.phone = NUMBER
    resident.save()
    api = new_page().context.request
    base = live_server.url
    asked = api.post(f"{base}/api/auth/phone-code", data={"phone": TYPED})
    assert asked.status == 200
    token = api.post(
        f"{base}/api/auth/phone", data={"phone": TYPED, "code": _last_code(outbox)}
    ).json()["token"]
    home = api.get(f"{base}/api/me/home", headers={"Authorization": f"Bearer {token}"}).json()
    assert [f["label"] for f in home["flats"]] == ["1-101"]
    assert home["phone_masked"] == "137****7000"
