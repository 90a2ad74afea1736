"""Signing up and signing in by text-message code, on a phone.

A new resident asks for a code, reads it (from the file backend's outbox, as the demo does),
gives a name and agrees to the privacy notice, and lands on "my home" with a hint to join a
flat; signs out; signs in again by code. Every page is screenshotted and checked.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from linju.accounts.models import Consent
from linju.accounts.notice import PRIVACY_NOTICE_VERSION
from linju.core.models import User

NUMBER = "+8613900139000"
TYPED = "139 0013 9000"


@pytest.fixture
def outbox(settings, tmp_path) -> Path:
    settings.LINJU_SMS_BACKEND = "file"
    settings.DATA_DIR = tmp_path
    # The send task runs at once, in the server, instead of waiting for a worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return tmp_path / "sms-outbox.jsonl"


def _codes(outbox: Path, phone: str) -> list[str]:
    if not outbox.exists():
        return []
    lines = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    return [re.search(r"\d{6}", m["message"]).group(0) for m in lines if m["phone"] == phone]


def test_sign_up_and_sign_in_by_phone(live_server, live_world, new_page, checks, outbox):
    base = live_server.url
    page = new_page()

    # (1) Sign up: the number first; "send code" swaps in the rest of the form.
    page.goto(f"{base}/sign-up/")
    expect(page.locator("main h1")).to_have_text("注册")
    phone = page.locator("#sign-up-code input[name=phone]")
    expect(phone).to_have_attribute("inputmode", "tel")
    checks(page, "phone-01-sign-up-zh")
    phone.fill(TYPED)
    page.click("#sign-up-code button[type=submit]")
    code = page.locator("#sign-up-code input[name=code]")
    expect(code).to_be_visible()
    expect(code).to_have_attribute("inputmode", "numeric")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    # The resend button counts down before it can be pressed again.
    expect(page.locator("#sign-up-code .resend button")).to_be_disabled()
    [sign_up_code] = _codes(outbox, NUMBER)
    checks(page, "phone-02-sign-up-code-zh")

    # (2) A wrong code first: a clear message, nothing written.
    wrong = f"{(int(sign_up_code) + 1) % 10**6:06d}"
    code.fill(wrong)
    page.fill("#id_display_name", "王阿姨")
    page.check("#id_privacy_notice_consent")
    with page.expect_navigation() as refused:
        page.click("#sign-up-code form[action='/sign-up/'] button[type=submit]")
    assert refused.value is not None and refused.value.status == 422
    expect(page.locator("#sign-up-code .field-error").first).to_be_visible()
    assert not User.objects.filter(phone=NUMBER).exists()
    checks(page, "phone-03-sign-up-wrong-code-zh")

    # (3) The right code, the name kept from before, consent given: "my home".
    page.fill("#id_code", sign_up_code)
    expect(page.locator("#id_display_name")).to_have_value("王阿姨")
    if not page.is_checked("#id_privacy_notice_consent"):
        page.check("#id_privacy_notice_consent")
    with page.expect_navigation():
        page.click("#sign-up-code form[action='/sign-up/'] button[type=submit]")
    expect(page).to_have_url(f"{base}/me/")
    expect(page.locator(".messages .message")).to_be_visible()
    expect(page.locator("main .join-hint")).to_be_visible()
    user = User.objects.get(phone=NUMBER)
    assert user.display_name == "王阿姨"
    assert list(Consent.objects.filter(user=user).values_list("kind", "version")) == [
        ("privacy_notice", PRIVACY_NOTICE_VERSION)
    ]
    checks(page, "phone-04-my-home-after-sign-up-zh")

    # Privacy and name settings, and the notice itself.
    page.click("main a[href='/me/settings/']")
    expect(page.locator("main h1")).to_have_text("隐私和我的名字")
    checks(page, "phone-05-settings-zh")
    page.goto(f"{base}/privacy/")
    expect(page.locator("main")).to_contain_text(PRIVACY_NOTICE_VERSION)
    checks(page, "phone-06-privacy-notice-zh")

    # (4) Sign out, and sign in again by code a minute later (one code a minute per number).
    with page.expect_navigation():
        page.click("header form[action='/sign-out/'] button")
    with time_machine.travel(datetime.datetime.now(datetime.UTC), tick=True) as clock:
        clock.shift(61)
        page.goto(f"{base}/sign-in/")
        checks(page, "phone-07-sign-in-zh")
        # A mistyped number: the message appears in place (422, swapped in by htmx).
        page.fill("#code-sign-in input[name=phone]", "139 0013 900")
        page.click("#code-sign-in button[type=submit]")
        expect(page.locator("#code-sign-in .field-error")).to_be_visible()
        expect(page).to_have_url(f"{base}/sign-in/")
        page.fill("#code-sign-in input[name=phone]", TYPED)
        page.click("#code-sign-in button[type=submit]")
        expect(page.locator("#code-sign-in input[name=code]")).to_be_visible()
        checks(page, "phone-08-sign-in-code-zh")
        sign_in_code = _codes(outbox, NUMBER)[-1]
        page.fill("#code-sign-in input[name=code]", sign_in_code)
        with page.expect_navigation():
            page.click("#code-sign-in form[action='/sign-in/code/'] button[type=submit]")
        expect(page.locator("header.site-header a[href='/me/']")).to_have_text("我的家")
    checks(page, "phone-09-signed-in-by-code-zh")

    # The same pages in English and in large text.
    other = new_page()
    other.goto(f"{base}/sign-up/")
    other.click("header form[action='/preferences/large-text/'] button")
    other.click("header button[name=language][value=en]")
    expect(other.locator("main h1")).to_have_text("Sign up")
    expect(other.locator("html")).to_have_class(re.compile("large-text"))
    checks(other, "phone-10-sign-up-en-large")
    other.goto(f"{base}/sign-in/")
    checks(other, "phone-11-sign-in-en-large")

    checks.assert_clean()
