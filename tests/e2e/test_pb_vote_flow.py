"""The residents' participatory-budgeting vote, on phones: a resident opens the ballot, ticks
too many projects (the page says so and will not send it), settles on two and votes; after
voting ends the foundation officer closes, counts and publishes; the results page explains
each project in plain words. Every page is checked for accessibility, reflow at phone width
and untranslated text."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from linju.budgeting.models import BudgetVote, PBBallot
from linju.grants.models import Grant
from tests.budgeting.factories import open_vote, programme_for, shortlist
from tests.e2e.conftest import sign_in

COSTS = {
    "15号楼 楼道焕新": "35000",
    "16号楼 车棚充电": "30000",
    "19号楼 适老扶手": "28000",
    "26号楼 书画角": "25000",
}


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_pb_vote_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world
    programme = programme_for(world)
    apps = shortlist(world, programme, COSTS)
    vote = open_vote(world, programme)
    street = world.here.street.slug
    vote_url = f"{base}/s/{street}/foundation/pb/{vote.pk}/"

    # (1) The resident votes on a phone; the limits show at once.
    resident = new_page()
    sign_in(resident, base, "resident")
    resident.goto(vote_url)
    expect(resident.locator("main .pb-card")).to_have_count(4)
    submit = resident.locator("main form[data-pb-ballot] button[type=submit]")
    expect(submit).to_be_disabled()
    checks(resident, "pb-01-ballot-phone-zh")
    for app in apps:
        resident.check(f"#pb-app-{app.pk}")
    expect(resident.locator("#pb-tally")).to_have_class("pb-tally card pb-over")
    expect(submit).to_be_disabled()
    checks(resident, "pb-02-too-many-phone-zh")
    resident.uncheck(f"#pb-app-{apps[1].pk}")
    resident.uncheck(f"#pb-app-{apps[2].pk}")
    expect(submit).to_be_enabled()
    _click(resident, "main form[data-pb-ballot] button[type=submit]")
    ballot = PBBallot.objects.get()
    expect(resident).to_have_url(f"{vote_url}receipt/{ballot.receipt}/")
    expect(resident.locator("main .receipt-code")).to_have_text(ballot.receipt)
    checks(resident, "pb-03-receipt-phone-zh")

    # (2) Voting ends; the officer closes, counts and publishes.
    BudgetVote.objects.filter(pk=vote.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=8),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    officer = new_page()
    sign_in(officer, base, "foundation")
    officer.goto(f"{vote_url}console/")
    checks(officer, "pb-04-console-open-phone-zh")
    console = f"/s/{street}/foundation/pb/{vote.pk}/console"
    _click(officer, f"main form[action='{console}/close/'] button")
    _click(officer, f"main form[action='{console}/count/'] button")
    expect(officer.locator("main .pb-funded")).to_have_count(2)
    checks(officer, "pb-05-console-counted-phone-zh")
    _click(officer, f"main form[action='{console}/publish/'] button")
    vote.refresh_from_db()
    assert vote.status == BudgetVote.Status.PUBLISHED
    assert set(Grant.objects.values_list("application_id", flat=True)) == {apps[0].pk, apps[3].pk}

    # (3) The resident reads the result, explained.
    resident.goto(vote_url)
    _click(resident, f"main a[href='/s/{street}/foundation/pb/{vote.pk}/results/']")
    expect(resident.locator("main .pb-funded")).to_have_count(2)
    expect(resident.locator("main .pb-not-funded")).to_have_count(2)
    expect(resident.locator("main .pb-not-funded").first).to_contain_text("没有人投票")
    checks(resident, "pb-06-results-phone-zh")
    checks.assert_clean()
