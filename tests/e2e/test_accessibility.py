"""Every page, as the people who see it, in Chinese, in English and in large-text mode.

Each page, error states included, is screenshotted to ``test-artifacts/screens/MODE-NAME.png``
and must pass axe-core without serious or critical violations, fit a phone's width, and (in
Chinese) show no English left untranslated.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

MODES = {
    "zh": {"linju_language": "zh-hans"},
    "en": {"linju_language": "en"},
    "zh-large": {"linju_language": "zh-hans", "linju_large_text": "1"},
}


def _phone(new_page, base: str, mode: str):
    page = new_page()
    page.context.add_cookies(
        [{"name": name, "value": value, "url": base} for name, value in MODES[mode].items()]
    )
    return page


def _visit(checks, page, base: str, path: str, name: str, status: int = 200):
    response = page.goto(f"{base}{path}")
    assert response is not None and response.status == status, (path, response and response.status)
    checks(page, name)


def _expect_mode(page, mode: str):
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en" if mode == "en" else "zh-Hans")
    if mode.endswith("-large"):
        expect(html).to_have_class("large-text")
    else:
        expect(html).not_to_have_class("large-text")


@pytest.mark.parametrize("mode", list(MODES))
def test_pages_are_accessible(live_server, live_world, new_page, checks, mode):
    from linju.community import services
    from linju.notifications.services import notify

    base = live_server.url
    world = live_world
    # Something for the audit log to show.
    services.flat_update(actor=world.users["staff"], flat=world.flat1, area=Decimal("92.30"))

    # A visitor.
    page = _phone(new_page, base, mode)
    _visit(checks, page, base, "/", f"{mode}-home")
    _expect_mode(page, mode)
    _visit(checks, page, base, "/e/here/", f"{mode}-estate")
    _visit(checks, page, base, "/e/here/b/1/", f"{mode}-building-anonymous")
    _visit(checks, page, base, "/e/nowhere/", f"{mode}-404", status=404)
    # The sign-in form, seen with its error (the plain form is the same page without it).
    page.goto(f"{base}/sign-in/")
    page.fill("#id_username", "resident")
    page.fill("#id_password", "not the password")
    with page.expect_navigation() as sent:
        page.click("#password-form button[type=submit]")
    assert sent.value is not None and sent.value.status == 422
    expect(page.locator("main .errorlist-box")).to_be_visible()
    checks(page, f"{mode}-sign-in-error")

    # A resident.
    page = _phone(new_page, base, mode)
    sign_in(page, base, "resident")
    _visit(checks, page, base, "/me/", f"{mode}-my-home")
    expect(page.locator("main section.card h2").first).to_contain_text("1-101")
    _visit(checks, page, base, "/e/here/b/1/", f"{mode}-building-resident")
    expect(page.locator("main .flat-grid .flat")).to_have_count(1)
    # Their messages and how they are told, with the error a bad choice gets.
    notify(
        recipient=world.users["resident"],
        kind="meeting.scheduled",
        title="1号楼门厅议事会",
        body="周六上午9:30在门厅。",
        url="/e/here/b/1/",
    )
    _visit(checks, page, base, "/inbox/", f"{mode}-inbox")
    _visit(checks, page, base, "/inbox/settings/", f"{mode}-notification-preferences")
    page.select_option("#id_quiet_start", "07:00")
    page.select_option("#id_quiet_end", "07:00")
    with page.expect_navigation() as sent:
        page.click("main form.preferences button[type=submit]")
    assert sent.value is not None and sent.value.status == 422
    expect(page.locator("main .field.has-error .field-error")).to_be_visible()
    checks(page, f"{mode}-notification-preferences-error")

    # Committee staff.
    page = _phone(new_page, base, mode)
    sign_in(page, base, "staff")
    _expect_mode(page, mode)
    console = "/e/here/console"
    _visit(checks, page, base, f"{console}/", f"{mode}-console")
    _visit(checks, page, base, f"{console}/flats/", f"{mode}-console-flats")
    # One of the "add" forms; buildings and people use the same template.
    _visit(checks, page, base, f"{console}/flats/new/", f"{mode}-console-flat-new")
    _visit(checks, page, base, f"{console}/flats/{world.flat1.pk}/", f"{mode}-console-flat")
    page.fill("#id_area", "12.345")
    with page.expect_navigation() as sent:
        page.click("main form.card button[type=submit]")
    assert sent.value is not None and sent.value.status == 422
    expect(page.locator("main .field.has-error .field-error")).to_be_visible()
    checks(page, f"{mode}-console-flat-error")
    _visit(checks, page, base, f"{console}/people/", f"{mode}-console-people")
    _visit(checks, page, base, f"{console}/people/{world.person1.pk}/", f"{mode}-console-person")
    _visit(checks, page, base, f"{console}/roles/", f"{mode}-console-roles")
    _visit(checks, page, base, f"{console}/audit/", f"{mode}-console-audit")
    expect(page.locator("main .audit-list .change")).to_have_count(1)
    # The roster import: upload, columns, a preview with flagged rows, a check under way.
    from linju.community.models import RosterImport
    from tests.community.roster import helpers as roster
    from tests.community.roster import workbooks

    staff = world.users["staff"]
    messy = workbooks.messy(bad=True)
    _visit(checks, page, base, f"{console}/roster/", f"{mode}-console-roster")
    columns = roster.uploaded(world.here, staff, messy, "住户名册.xlsx")
    _visit(checks, page, base, f"{console}/roster/{columns.pk}/columns/", f"{mode}-roster-columns")
    preview = roster.checked(world.here, staff, messy, "住户名册.xlsx")
    _visit(checks, page, base, f"{console}/roster/{preview.pk}/", f"{mode}-roster-preview")
    expect(page.locator("main ol.roster-messages.errors li")).to_have_count(4)
    running = RosterImport.objects.create(
        estate=world.here, file_kind="xlsx", status="applying", progress=40, rows_done=4000
    )
    _visit(checks, page, base, f"{console}/roster/{running.pk}/", f"{mode}-roster-progress")
    expect(page.locator("main progress")).to_have_attribute("value", "40")

    # The platform admin.
    page = _phone(new_page, base, mode)
    sign_in(page, base, "admin")
    _visit(checks, page, base, "/platform/", f"{mode}-platform")

    checks.assert_clean()
