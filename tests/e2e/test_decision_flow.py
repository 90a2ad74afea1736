"""An owners' decision end to end: committee staff draft and announce "Renovate the lobby of
building 1" (Civil Code Art. 278 item 7, building 1 only), the notice prints as a PDF, voting
opens once the notice period has run, an owner votes on a phone and gets a receipt, two staff
members enter a paper ballot, the owner finds the receipt on the bulletin board, voting closes,
the count is published with the strict and the deemed-consent tallies side by side, and the
exported record recounts to the result the page shows.

The notice period is 15 days: the test moves ``opens_at`` and ``closes_at`` into the past in
the database, as the worker would find them once the time came.
"""

import datetime
import io
import json
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from linju.community.models import Role
from linju.decisions import record
from linju.decisions.models import Ballot, Decision
from tests.decisions.factories import owned_by
from tests.e2e.conftest import sign_in
from tests.factories import FlatFactory, PersonFactory, RoleFactory, UserFactory

TITLE = "翻新1号楼大堂"  # "Renovate the lobby of building 1"


def _photo() -> dict:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, format="PNG")
    return {"name": "ballot.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def _building_one(world):
    """Building 1 has three owners: the resident (1-101, 89.50 m², votes online), 张老伯
    (1-102, 89.50 m², a paper ballot) and 赵阿姨 (1-103, 120.00 m², does not vote but is
    handed the notice). Strictly, too little of the area takes part; under deemed consent the
    served non-voter counts with the majority and the vote passes."""
    owned_by(world.flat1, world.person1)
    for number, name, area in (("102", "张老伯", "89.50"), ("103", "赵阿姨", "120.00")):
        flat = FlatFactory(building=world.b1, number=number, area=Decimal(area))
        owned_by(flat, PersonFactory(estate=world.here, full_name=name))
    staff2 = UserFactory(username="staff2", display_name="第二位社工")
    RoleFactory(user=staff2, estate=world.here, kind=Role.Kind.COMMITTEE_STAFF)


def _move(decision_id: int, **minutes: int) -> None:
    now = timezone.now()
    Decision.objects.filter(pk=decision_id).update(
        **{name: now + datetime.timedelta(minutes=m) for name, m in minutes.items()}
    )


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _enter_paper_ballot(page, base: str, paper_url: str) -> None:
    page.goto(f"{base}{paper_url}")
    page.fill("#q", "1-102")
    page.locator("#paper-matches a", has_text="O-").first.click()
    expect(page.locator("main form[enctype='multipart/form-data']")).to_be_visible()
    page.check("main input[name=choice][value=agree]")
    page.set_input_files("main input[type=file]", _photo())
    _click(page, "main form[enctype='multipart/form-data'] button[type=submit]")
    expect(page.locator(".messages")).to_be_visible()


def test_decision_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world
    _building_one(world)

    # (1) Staff set the estate's standing rules: deemed consent, publish which flats voted.
    staff = new_page(viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False)
    sign_in(staff, base, "staff")
    staff.goto(f"{base}/e/here/console/")
    _click(staff, "main .console-nav a[href='/e/here/console/decisions/']")
    _click(staff, "main a[href='/e/here/console/decisions/settings/']")
    staff.check("#id_deemed_consent")
    staff.check("#id_publish_voter_flats")
    _click(staff, "main form button[type=submit]")
    expect(staff).to_have_url(f"{base}/e/here/console/decisions/")

    # (2) A new owners' decision, kind first; item 7, building 1 only; then announced.
    _click(staff, "main a[href='/e/here/console/decisions/new/']")
    staff.check("main input[name=kind][value=owners]")
    _click(staff, "main form button[type=submit]")
    opens = timezone.localtime() + datetime.timedelta(days=16)
    staff.fill("#id_title", TITLE)
    staff.fill("#id_body", "更换一号楼大堂地砖和照明，费用由维修资金支出。")
    staff.select_option("#id_matter", "7")
    staff.check(f"main input[name=buildings][value='{world.b1.pk}']")
    staff.fill("#id_opens_at", opens.strftime("%Y-%m-%dT%H:%M"))
    staff.fill("#id_closes_at", (opens + datetime.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
    checks(staff, "decision-00a-new-vote-staff-zh")
    _click(staff, "main form button[type=submit]")
    decision = Decision.objects.get(title=TITLE)
    console_url = f"/e/here/console/decisions/{decision.pk}/"
    expect(staff).to_have_url(f"{base}{console_url}")
    _click(staff, f"main form[action='{console_url}announce/'] button")
    decision.refresh_from_db()
    assert decision.status == Decision.Status.ANNOUNCED
    checks(staff, "decision-00b-announced-staff-zh")
    assert decision.rules["deemed_consent"] is True

    # (3) The notice prints: its link answers a PDF.
    notice = staff.locator("main a[href$='/notice.pdf']")
    expect(notice).to_have_count(1)
    answer = staff.request.get(f"{base}{notice.get_attribute('href')}")
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")

    # (4) The notice period has run: staff open voting and hand 赵阿姨 the notice on paper.
    _move(decision.pk, opens_at=-1)
    staff.reload()
    _click(staff, f"main form[action='{console_url}open/'] button")
    decision.refresh_from_db()
    assert decision.status == Decision.Status.OPEN and len(decision.roll_fingerprint) == 64
    staff.goto(f"{base}{console_url}served/?building=1")
    staff.locator("main label", has_text="1-103").locator("input").check()
    staff.fill("#id_note", "上门送达，本人签收")
    _click(staff, "main form[method=post] button[type=submit]")
    expect(staff.locator(".messages")).to_be_visible()

    # (5) The owner votes on a phone, in large-text mode: three big buttons, then a receipt.
    owner = new_page()
    sign_in(owner, base, "resident")
    owner.goto(f"{base}/e/here/decisions/")
    _click(owner, f"main a[href='/e/here/decisions/{decision.pk}/vote/']")
    owner.click("header form[action='/preferences/large-text/'] button")
    expect(owner.locator("html")).to_have_class("large-text")
    expect(owner.locator("main .vote-choice")).to_have_count(3)
    expect(owner.locator("main .proposal")).to_contain_text("更换一号楼大堂地砖")
    checks(owner, "decision-01-vote-phone-large-zh")
    owner.locator("main label.vote-agree").click()
    expect(owner.locator("main input[value=agree]")).to_be_checked()
    checks(owner, "decision-02-vote-chosen-phone-large-zh")
    # The connection drops as the owner taps: nothing is lost, the choice stays marked.
    owner.context.set_offline(True)
    owner.click("main .cast-button")
    expect(owner.locator("#ballot-offline")).to_be_visible()
    expect(owner.locator("main input[value=agree]")).to_be_checked()
    assert not Ballot.objects.filter(decision=decision).exists()
    owner.context.set_offline(False)
    with owner.expect_navigation():
        owner.click("main .cast-button")
    ballot = Ballot.objects.get(decision=decision, channel=Ballot.Channel.ONLINE)
    grouped = f"{ballot.receipt[:5]}-{ballot.receipt[5:]}"
    expect(owner.locator("main .receipt-code")).to_have_text(grouped)
    checks(owner, "decision-03-receipt-phone-large-zh")

    # (6) Two different staff members enter 张老伯's paper ballot; it counts once they agree.
    paper_url = f"{console_url}paper/"
    _enter_paper_ballot(staff, base, paper_url)
    assert not Ballot.objects.filter(channel=Ballot.Channel.PAPER).exists()
    second = new_page(viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False)
    sign_in(second, base, "staff2")
    _enter_paper_ballot(second, base, paper_url)
    assert Ballot.objects.filter(channel=Ballot.Channel.PAPER, counted=True).count() == 1

    # (7) The owner checks the receipt on the public bulletin board.
    _click(owner, "main a[href*='/board/']")
    expect(owner.locator("main table.board")).to_contain_text(grouped)
    owner.fill("#receipt", ballot.receipt.lower())
    owner.click("main .receipt-lookup button")
    expect(owner.locator("main .lookup-result")).to_be_visible()
    expect(owner.locator("main table.board tbody tr")).to_have_count(1)
    checks(owner, "decision-04-board-phone-large-zh")

    # (8) Voting closes; staff close it, count it and publish the results.
    _move(decision.pk, closes_at=-1)
    staff.goto(f"{base}{console_url}")
    for step in ("close", "tally", "publish"):
        _click(staff, f"main form[action='{console_url}{step}/'] button")
        expect(staff.locator(".messages")).to_be_visible()
    decision.refresh_from_db()
    assert decision.status == Decision.Status.PUBLISHED

    # (9) The results: the strict count and the deemed-consent count side by side, each with
    # its reasons; the non-voter counted under deemed consent with the record of service.
    owner.goto(f"{base}/e/here/decisions/{decision.pk}/")
    tallies = owner.locator("main .tallies .tally")
    expect(tallies).to_have_count(2)
    strict = tallies.nth(0).locator(".verdict")
    expect(strict).to_have_attribute("data-result", "no_quorum")
    expect(tallies.nth(1).locator(".verdict")).to_have_attribute("data-result", "passed")
    expect(owner.locator("main .flat-list")).to_contain_text("1-101")
    expect(owner.locator("main")).not_to_contain_text("赵阿姨")
    checks(owner, "decision-05-results-phone-large-zh")
    wide = new_page(viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False)
    wide.goto(f"{base}/e/here/decisions/{decision.pk}/")
    checks(wide, "decision-06-results-desktop-zh")

    # (10) The record downloads and recounts, with no database, to the result on the page.
    link = owner.locator("main a[href$='/record.json']")
    answer = owner.request.get(f"{base}{link.get_attribute('href')}")
    assert answer.ok
    recounted = record.recount(record.parse_record(answer.body()))
    assert recounted["result"] == strict.get_attribute("data-result") == "no_quorum"
    assert json.loads(answer.body())["matter"] == 7

    checks.assert_clean()
