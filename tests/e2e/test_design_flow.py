"""Design and acceptance end to end: the designer invited into building 1's lobby project uploads
a plan and two options with pictures on a phone; committee staff put them to the building's
residents' vote; once the notice period has run, the resident votes on a phone; after the count
is published the "design approved" requirement is met. Then the acceptance: staff write the
checklist and record its results, the building's leader chooses the representative, the
resident signs in the app, and the "acceptance signed" requirement is met. Every page is
checked for accessibility.

The notice period is 15 days: the test moves ``opens_at`` and ``closes_at`` into the past in
the database, as the worker would find them once the time came.
"""

import datetime
import io

from django.utils import timezone
from playwright.sync_api import expect

from linju.decisions import services as decisions
from linju.decisions.models import Ballot
from linju.projects.models import Project, ProjectMember
from linju.works import requirements
from linju.works.models import AcceptanceSigner, DesignOption
from tests.decisions.factories import move
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import UserFactory

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}


def _picture(colour: str) -> dict:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(buffer, format="PNG")
    return {"name": "rendering.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_design_flow(live_server, live_world, new_page):
    base = live_server.url
    world = live_world
    project = Project.objects.create(estate=world.here, building=world.b1, title="1号楼大堂改造")
    designer = UserFactory(username="designer1")
    ProjectMember.objects.create(project=project, user=designer, kind="designer")
    works = f"/e/here/projects/{project.pk}/works"

    # (1) The designer uploads a plan and two options, each with a picture, on a phone.
    phone = new_page()
    sign_in(phone, base, "designer1")
    phone.goto(f"{base}{works}/design/plans/new/")
    phone.fill("#id_title", "大堂平面图")
    phone.set_input_files("#id_photos", _picture("grey"))
    _click(phone, "main form button[type=submit]")
    expect(phone.locator(".messages")).to_be_visible()
    for label, colour in (("温馨木色", "#b08358"), ("简约明亮", "#dde3ea")):
        phone.goto(f"{base}{works}/design/options/new/")
        phone.fill("#id_label", label)
        phone.fill("#id_estimated_cost", "15000")
        phone.set_input_files("#id_photos", _picture(colour))
        assert_accessible(phone)
        _click(phone, "main form button[type=submit]")
    expect(phone.locator("main .project-gallery img")).to_have_count(3)
    assert_accessible(phone)
    assert requirements.design_options(project) is None

    # (2) Committee staff put the options to the building's residents' vote.
    staff = new_page(**DESKTOP)
    sign_in(staff, base, "staff")
    staff.goto(f"{base}{works}/design/")
    _click(staff, f"main a[href='{works}/design/vote/']")
    opens = timezone.localtime() + datetime.timedelta(days=16)
    staff.fill("#id_opens_at", opens.strftime("%Y-%m-%dT%H:%M"))
    staff.fill("#id_closes_at", (opens + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    assert_accessible(staff)
    _click(staff, "main form button[type=submit]")
    decision = project.design_votes.get().decision
    assert sorted(decision.options.values_list("label", flat=True)) == ["温馨木色", "简约明亮"]
    assert requirements.design_approved(project) is not None

    # (3) The notice period has run; voting opens and the resident votes on a phone.
    move(decision, opens_at=-1)
    decision = decisions.decision_open(actor=world.users["staff"], decision=decision)
    resident = new_page()
    sign_in(resident, base, "resident")
    resident.goto(f"{base}/e/here/decisions/{decision.pk}/vote/")
    resident.locator("main label", has_text="简约明亮").click()
    resident.click("main .cast-button")
    expect(resident.locator("main .receipt-code")).to_be_visible()
    assert Ballot.objects.filter(decision=decision, counted=True).count() == 1

    # (4) Voting closes, the count is published: the design is approved.
    move(decision, closes_at=-1)
    for step in (decisions.decision_close, decisions.decision_tally, decisions.decision_publish):
        decision = step(actor=world.users["staff"], decision=decision)
    assert requirements.design_approved(project) is None
    resident.goto(f"{base}{works}/design/")
    expect(resident.locator("main .verdict-passed")).to_contain_text("简约明亮")
    assert_accessible(resident)
    assert DesignOption.objects.get(label="简约明亮").vote_option_id is not None

    # (5) Acceptance: staff write the checklist and its result; the leader picks the resident.
    staff.goto(f"{base}{works}/acceptance/")
    staff.fill("#id_text", "地面平整、无空鼓")
    _click(staff, f"main form[action='{works}/acceptance/items/'] button")
    staff.locator("main details summary").first.click()
    staff.select_option("main details select", "pass")
    _click(staff, "main details form button[type=submit]")
    assert_accessible(staff)
    leader = new_page()
    sign_in(leader, base, "leader")
    leader.goto(f"{base}{works}/acceptance/representatives/")
    leader.locator("main label", has_text="李居民").click()
    assert_accessible(leader)
    _click(leader, "main form button[type=submit]")
    assert requirements.acceptance_signed(project) is not None

    # (6) The representative signs in the app: the acceptance requirement is met.
    resident.goto(f"{base}{works}/acceptance/")
    assert_accessible(resident)
    _click(resident, f"main form[action='{works}/acceptance/sign/'] button")
    expect(resident.locator("main .verdict-passed")).to_be_visible()
    assert AcceptanceSigner.objects.get(project=project).mode == "app"
    assert requirements.acceptance_signed(project) is None
