"""Roster import end to end, on a phone: committee staff upload a messy roster, see the rows
the preview flags, upload the corrected file, confirm, and read the report.

Every page is screenshotted and checked (axe-core, reflow at phone width, English left on
Chinese pages); the report page is checked in English and in large text as well.
"""

from playwright.sync_api import expect

from linju.community.models import Flat, RosterImport
from tests.community.roster import workbooks as wb
from tests.e2e.conftest import sign_in


def test_roster_import(live_server, live_world, new_page, checks, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    here = live_world.here
    bad = tmp_path / "住户名册（初稿）.xlsx"
    bad.write_bytes(wb.messy(bad=True))
    good = tmp_path / "住户名册.xlsx"
    good.write_bytes(wb.messy())
    flats_before = Flat.objects.filter(estate=here).count()

    page = new_page()
    sign_in(page, base, "staff")
    page.goto(f"{base}/e/here/console/")
    page.click("main nav.console-nav a[href='/e/here/console/roster/']")
    expect(page).to_have_url(f"{base}/e/here/console/roster/")
    expect(page.locator("main nav.console-nav a[aria-current='page']")).to_have_attribute(
        "href", "/e/here/console/roster/"
    )
    checks(page, "roster-01-upload-zh")

    # (1) The first draft: the header is found below the title, and four rows are flagged.
    page.set_input_files("#id_file", str(bad))
    with page.expect_navigation():
        page.click("main form[enctype] button.primary")
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("#id_header_row")).to_have_value("5")
    expect(page.locator("#id_column_0")).to_have_value("address")
    expect(page.locator("#id_column_3")).to_have_value("name")
    checks(page, "roster-02-columns-zh")

    with page.expect_navigation():
        page.click("main form.roster-columns > button.primary")
    errors = page.locator("main ol.roster-messages.errors li")
    expect(errors).to_have_count(4)
    for i, row in enumerate((14, 15, 16, 17)):
        expect(errors.nth(i).locator(".row-no")).to_contain_text(str(row))
    expect(page.locator("main form[action$='/confirm/']")).to_have_count(0)
    checks(page, "roster-03-preview-errors-zh")

    # (2) The corrected file: the columns are remembered; warnings only; confirm.
    page.click("main a.button[href='/e/here/console/roster/']")
    page.set_input_files("#id_file", str(good))
    with page.expect_navigation():
        page.click("main form[enctype] button.primary")
    expect(page.locator("#id_column_4")).to_have_value("phone")
    with page.expect_navigation():
        page.click("main form.roster-columns > button.primary")
    # Buildings 17 and 18 are new to this estate; an unusual area, a repeat, a total line.
    warnings = page.locator("main ol.roster-messages.warnings li")
    expect(warnings).to_have_count(5)
    expect(page.locator("main ol.roster-messages.errors")).to_have_count(0)
    expect(page.locator("main table tbody tr")).to_have_count(6)
    assert Flat.objects.filter(estate=here).count() == flats_before  # nothing saved yet
    checks(page, "roster-04-preview-zh")

    with page.expect_navigation():
        page.click("main form[action$='/confirm/'] button.primary")
    expect(page.locator("main p.message[role=status]")).to_be_visible()
    flats = page.locator("main table tbody tr").nth(2)
    expect(flats.locator("td").first).to_have_text("4")
    assert Flat.objects.filter(estate=here).count() == flats_before + 4
    assert RosterImport.objects.filter(estate=here, status="done").count() == 1
    checks(page, "roster-05-report-zh")

    # The same report in English, then in large text.
    with page.expect_navigation():
        page.click("header .prefs button[name='language'][value='en']")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    checks(page, "roster-06-report-en")
    with page.expect_navigation():
        page.click("header .prefs button[aria-pressed]")
    expect(page.locator("html")).to_have_class("large-text")
    checks(page, "roster-07-report-en-large")

    # The roster page now lists both imports.
    page.goto(f"{base}/e/here/console/roster/")
    expect(page.locator("main .audit-list li")).to_have_count(2)
    checks(page, "roster-08-recent-en-large")
    checks.assert_clean()
