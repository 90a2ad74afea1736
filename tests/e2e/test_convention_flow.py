"""A building's convention end to end: building 1's leader starts the civility convention and
drafts its clauses, saves a first version; a resident comments on a clause from a phone (the
comments open in place); the leader reworks the clause and saves a second version, and the
page shows what changed; after the residents' vote adopts it, the resident taps "I have read
it" and the leader sees who has read it.
"""

from playwright.sync_api import expect

from linju.conventions import services
from linju.conventions.models import ClauseComment, Convention, ConventionRead
from tests.conventions import factories as cf
from tests.e2e.conftest import sign_in

TITLE = "1号楼文明公约"
CLAUSES = [
    "楼道内不堆放杂物，保持消防通道畅通。",
    "电动自行车不进楼、不上楼。",
    "垃圾分类投放，不在楼道内暂存垃圾袋。",
]
COMMENT = "建议写明电池也不能带回家充电。"
REWORKED = "电动自行车及其电池一律不进楼，不在家中充电。"


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_convention_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world

    # (1) The leader starts the convention with three clauses and adds a fourth.
    leader = new_page(viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False)
    sign_in(leader, base, "leader")
    leader.goto(f"{base}/e/here/conventions/")
    _click(leader, "main a[href='/e/here/console/conventions/new/']")
    leader.select_option("#id_building", str(world.b1.pk))
    leader.check("main input[name=kind][value=civility]")
    leader.fill("#id_title", TITLE)
    leader.fill("#id_clauses", "\n".join(CLAUSES))
    checks(leader, "convention-01-start-leader-zh")
    _click(leader, "main form button[type=submit]")
    convention = Convention.objects.get(title=TITLE)
    console = f"/e/here/console/conventions/{convention.pk}/"
    expect(leader).to_have_url(f"{base}{console}")
    leader.fill("#id_text", "饲养宠物文明，出门牵绳。")
    _click(leader, f"main form[action='{console}clauses/'] button[type=submit]")
    expect(leader.locator("main .clause-list > li")).to_have_count(4)
    leader.fill("#id_note", "楼组议事会初稿")
    _click(leader, f"main form[action='{console}versions/'] button[type=submit]")
    checks(leader, "convention-02-console-leader-zh")

    # (2) The resident reads the draft on a phone and comments on the second clause.
    resident = new_page()
    sign_in(resident, base, "resident")
    resident.goto(f"{base}{convention.get_absolute_url()}")
    second = resident.locator("main .clause-list > li").nth(1)
    expect(second).to_contain_text(CLAUSES[1])
    second.locator("summary").click()
    box = second.locator("textarea[name=body]")
    expect(box).to_be_visible()
    box.fill(COMMENT)
    second.locator("button[type=submit]").click()
    expect(second.locator(".comment-body")).to_have_text(COMMENT)
    assert ClauseComment.objects.get().author == world.user("resident")
    checks(resident, "convention-03-comment-resident-phone-zh")

    # (3) The leader reworks the clause and saves a second version; the page shows the change.
    leader.goto(f"{base}{console}")
    clause = convention.clauses.get(position=2)
    leader.locator(f"#clause-{clause.pk} details summary").click()
    leader.fill(f"#clause-text-{clause.pk}", REWORKED)
    _click(leader, f"#clause-{clause.pk} details button[type=submit]")
    leader.fill("#id_note", "吸收居民意见")
    _click(leader, f"main form[action='{console}versions/'] button[type=submit]")
    leader.goto(f"{base}{convention.get_absolute_url()}")
    diff = leader.locator("main .diff-changed")
    expect(diff).to_have_count(1)
    expect(diff.locator("ins").first).to_be_visible()
    expect(diff.locator("del").first).to_be_visible()
    checks(leader, "convention-04-versions-diff-leader-zh")

    # (4) Staff put it to the residents' vote, which adopts it; the resident marks it read.
    convention = cf.voting(world, convention)
    cf.run_vote(world, convention, {world.user("resident"): "agree"})
    resident.goto(f"{base}{convention.get_absolute_url()}")
    expect(resident.locator("main .clause-list")).to_contain_text(REWORKED)
    button = resident.locator("#read-box button[type=submit]")
    expect(button).to_be_visible()
    checks(resident, "convention-05-adopted-resident-phone-zh")
    button.click()
    expect(resident.locator("#read-box [role=status]")).to_be_visible()
    assert ConventionRead.objects.filter(user=world.user("resident")).count() == 1
    convention.refresh_from_db()
    assert convention.status == Convention.Status.ADOPTED
    assert (
        services.convention_mark_read(actor=world.user("resident"), convention=convention)[1]
        is False
    )
    checks(resident, "convention-06-read-resident-phone-zh")

    # (5) The leader sees who has read it.
    leader.goto(f"{base}{convention.get_absolute_url()}")
    expect(leader.locator("main table.table")).to_contain_text("李居民")
    checks(leader, "convention-07-readers-leader-zh")

    checks.assert_clean()
