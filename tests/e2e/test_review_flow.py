"""Reviewing grant applications, on phones: a reviewer from outside the estate scores an
application against the programme's criteria; the foundation's officer sees the scores side by
side, normalised per reviewer, decides to award the suggested amount and prints the
agreement. Every page is checked for accessibility, reflow at phone width and untranslated
text."""

from decimal import Decimal

from playwright.sync_api import expect

from linju.grants.models import Grant, Score
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from tests.grants.factories import Setup


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_review_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    setup = Setup(live_world)
    setup.reviewer.delete()
    setup.reviewer = UserFactory(username="reviewer_e2e")
    assignment = setup.assign()
    street = setup.street.slug

    # (1) The reviewer opens their list and scores building 1's application.
    reviewer = new_page()
    sign_in(reviewer, base, "reviewer_e2e")
    reviewer.goto(f"{base}/s/{street}/foundation/review/")
    checks(reviewer, "grants-01-my-reviews-phone-zh")
    _click(
        reviewer,
        f"main a[href='/s/{street}/foundation/review/{assignment.pk}"
        f"/applications/{setup.app1.pk}/']",
    )
    checks(reviewer, "grants-02-score-sheet-phone-zh")
    for criterion, value in zip(setup.criteria, (8, 6), strict=True):
        reviewer.check(f"input[name='score_{criterion.pk}'][value='{value}']")
    reviewer.fill(f"#id_comment_{setup.criteria[0].pk}", "居民参与度高，自筹过四成。")
    _click(reviewer, "main form button[type=submit]")
    expect(reviewer).to_have_url(f"{base}/s/{street}/foundation/review/")
    assert sorted(Score.objects.values_list("value", flat=True)) == [6, 8]
    checks(reviewer, "grants-03-scored-phone-zh")

    # (2) The officer sees the table and awards the suggested amount.
    officer = new_page()
    sign_in(officer, base, "foundation")
    officer.goto(f"{base}/s/{street}/foundation/programmes/{setup.programme.pk}/review/")
    expect(officer.locator("main .scores-table tbody tr").first).to_contain_text(setup.app1.title)
    checks(officer, "grants-04-scores-table-phone-zh")
    _click(officer, f"main a[href='/s/{street}/foundation/applications/{setup.app1.pk}/decide/']")
    expect(officer.locator("#id_amount")).to_have_value("12000.00")
    officer.fill("#id_conditions", "施工由居民志愿者监督，收支在公告栏公示。")
    checks(officer, "grants-05-decide-phone-zh")
    _click(officer, "main form button[type=submit]")
    grant = Grant.objects.get()
    assert grant.amount == Decimal("12000.00")
    expect(officer).to_have_url(f"{base}/s/{street}/foundation/grants/{grant.pk}/")
    expect(
        officer.locator(f"main a[href='/s/{street}/foundation/grants/{grant.pk}/agreement.pdf']")
    ).to_have_count(1)
    checks(officer, "grants-06-grant-page-phone-zh")
    checks.assert_clean()
