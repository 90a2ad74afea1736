"""The opinion map on a phone: a resident of building 1 votes on statements one at a time (three
big buttons, answered without reloading the page), writes a statement that waits for
moderation, and once enough neighbours have voted sees the map: groups with what sets each
apart, what every group agrees on, and "you are here" (in large-text mode too). Every page is
checked for accessibility, reflow at phone width and untranslated text."""

from django.utils import timezone
from playwright.sync_api import expect

from linju.opinions import services
from linju.opinions.models import Discussion, Statement, StatementVote
from tests.e2e.conftest import sign_in
from tests.opinions.factories import (
    STATEMENT_TEXTS,
    discussion_of,
    planted_votes,
    statement_of,
    vote,
    voters,
)

MINE = "车棚里要装烟感和喷淋"  # "The bike shed needs smoke detectors and sprinklers"


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_opinion_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world
    discussion = discussion_of(world, question="非机动车停放区应该有哪些规则？")
    statements = [statement_of(discussion, text) for text in STATEMENT_TEXTS]
    resident = world.user("resident")

    # (1) The resident finds the discussion and votes on three statements, one at a time.
    page = new_page()
    sign_in(page, base, "resident")
    page.goto(f"{base}/e/here/opinions/")
    checks(page, "opinions-01-list-phone-zh")
    _click(page, f"main a[href='/e/here/opinions/{discussion.pk}/']")
    card = page.locator("#statement-card")
    expect(card.locator(".opinion-statement")).to_have_text(statements[0].text)
    checks(page, "opinions-02-first-statement-phone-zh")
    url = page.url
    for button, shown in (
        (".opinion-agree", statements[1].text),
        (".opinion-disagree", statements[2].text),
        (".opinion-pass", statements[3].text),
    ):
        page.locator(f"#statement-card {button}").click()
        expect(page.locator("#statement-card .opinion-statement")).to_have_text(shown)
    assert page.url == url  # answered in place, no page load
    got = dict(StatementVote.objects.filter(participant=resident).values_list("statement", "vote"))
    assert got == {statements[0].pk: 1, statements[1].pk: -1, statements[2].pk: 0}
    expect(page.locator("#statement-card .opinion-progress")).to_contain_text("3")
    checks(page, "opinions-03-voted-three-phone-zh")

    # (2) The resident writes a statement: it waits for moderation.
    page.fill("#id_text", MINE)
    _click(page, "main form[action$='/statements/'] button[type=submit]")
    assert Statement.objects.get(text=MINE).status == Statement.Status.PENDING
    expect(page.locator("#mine")).to_contain_text(MINE)
    expect(page.locator("#mine .statement-status-pending")).to_have_count(1)
    checks(page, "opinions-04-statement-waiting-phone-zh")

    # (3) Enough neighbours vote (in the database); the map is computed.
    planted_votes(voters(world, 16), statements)
    for position, statement in enumerate(statements[3:], start=3):  # the first camp's view
        vote(statement, resident, 1 if position % 2 == 0 or statement == statements[-1] else -1)
    Discussion.objects.filter(pk=discussion.pk).update(votes_changed_at=timezone.now())
    services.map_recompute(discussion_id=discussion.pk)

    # (4) The map shows the groups, the consensus and where the resident stands.
    _click(page, f"#statement-card a[href='/e/here/opinions/{discussion.pk}/map/']")
    expect(page.locator(".opinion-group-card")).to_have_count(2)
    expect(page.locator("svg.opinion-map .opinion-group")).to_have_count(2)
    expect(page.locator(".opinion-group-card .tag")).to_have_count(1)  # "your group"
    expect(page.locator("svg.opinion-map .opinion-you")).to_have_count(1)
    expect(page.locator("#you-title")).to_be_visible()
    expect(page.locator("main")).to_contain_text(STATEMENT_TEXTS[-1])  # everyone agrees
    checks(page, "opinions-05-map-phone-zh")
    with page.expect_navigation():
        page.locator("form[action='/preferences/large-text/'] button").click()
    expect(page.locator("html")).to_have_class("large-text")
    expect(page.locator("svg.opinion-map .opinion-you")).to_have_count(1)
    checks(page, "opinions-06-map-large-text-phone-zh")
    checks.assert_clean()
