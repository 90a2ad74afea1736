"""A building's project from the first idea to acceptance, across the apps that carry it: a
resident posts an idea on a phone; the group leader starts the project, makes the idea a topic
and moves the road on; committee staff hold the hearing and publish its minutes, which
residents read on the board; the designer's two options go to the residents' vote, a resident
votes on a phone and the published result approves the design; after the works, the chosen
representative signs the acceptance and the leader moves the project on to its review.

Each app's own browser test walks its pages in detail; this one checks that they join up. The
works' money and milestones (their own tests) happen off-screen: the test moves the road past
them in the database, as it moves the vote's times past its notice period.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from linju.decisions import services as decisions
from linju.ideas.models import Idea, Topic
from linju.meetings.models import Meeting
from linju.notices.models import Notice
from linju.projects.models import Project, ProjectMember, StageMove
from linju.works.services import design
from tests.decisions.factories import move
from tests.e2e.conftest import assert_accessible, reflow_problems, sign_in
from tests.factories import UserFactory

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}
IDEA = "大堂太暗，想改成邻里会客厅"
TITLE = "1号楼 大堂改造"
HEARING = "1号楼大堂改造听证会"
MINUTES = "居民逐条讨论了问题清单，同意把大堂改成公共会客厅。"


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _checked(page) -> None:
    assert_accessible(page)
    assert reflow_problems(page) == []


def _png(colour: str) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("option.png", buffer.getvalue(), content_type="image/png")


def _position(project: Project, key: str) -> int:
    return project.stages.get(key=key).position


def _move_on(page, project: Project, key: str) -> None:
    """The leader presses "move to the next stage" and the road shows ``key`` current."""
    page.goto(page.url.split("/e/")[0] + project.get_absolute_url())
    _click(page, "main form.project-move button[type=submit]")
    project.refresh_from_db()
    assert project.stage_position == _position(project, key), page.inner_text("main")


def test_idea_to_acceptance(live_server, live_world, new_page):
    base = live_server.url
    world = live_world
    staff_user = world.users["staff"]

    # (1) A resident posts the idea for building 1 on a phone.
    resident = new_page()
    sign_in(resident, base, "resident")
    resident.goto(f"{base}/e/here/b/1/ideas/new/")
    resident.fill("#id_title", IDEA)
    resident.fill("#id_body", "门厅只有一盏灯，老人进出看不清。")
    _click(resident, "main form button[type=submit]")
    idea = Idea.objects.get(title=IDEA)

    # (2) The group leader starts the project and makes the idea its first topic.
    leader = new_page()
    sign_in(leader, base, "leader")
    leader.goto(f"{base}/e/here/projects/new/")
    leader.fill("#id_title", TITLE)
    leader.fill("#id_summary", "把昏暗的大堂改成明亮的邻里会客厅。")
    _click(leader, "main form button[type=submit]")
    project = Project.objects.get(title=TITLE)
    leader.goto(f"{base}/e/here/ideas/{idea.pk}/")
    leader.select_option("#id_project", str(project.pk))
    _click(leader, f"main form[action='/e/here/ideas/{idea.pk}/topic/'] button[type=submit]")
    assert Topic.objects.get(project=project).from_idea == idea
    _move_on(leader, project, "topics")
    _move_on(leader, project, "hearing")  # the topic list is there now
    _checked(leader)

    # (3) Staff hold the hearing and publish its minutes; the resident reads them on the board.
    staff = new_page(**DESKTOP)
    sign_in(staff, base, "staff")
    staff.goto(f"{base}/e/here/console/meetings/new/")
    staff.check("main input[name=kind][value=hearing]")
    staff.fill("#id_title", HEARING)
    staff.select_option("#id_project", str(project.pk))
    started = timezone.localtime() - datetime.timedelta(hours=2)
    staff.fill("#id_starts_at", started.strftime("%Y-%m-%dT%H:%M"))
    staff.fill("#id_place", "1号楼门厅")
    staff.fill("#id_agenda", "通报问题清单\n居民发表意见")
    _click(staff, "main form button[type=submit]")
    meeting = Meeting.objects.get(title=HEARING)
    console = f"/e/here/console/meetings/{meeting.pk}/"
    staff.goto(f"{base}{console}minutes/")
    staff.fill("#id_minutes", MINUTES)
    staff.fill("#id_outcomes", "大堂改为公共会客厅。")
    _click(staff, "main form button[type=submit]")
    _click(staff, f"main form[action='{console}publish/'] button[type=submit]")
    assert Notice.objects.get(category=Notice.Category.HEARINGS).title
    resident.goto(f"{base}/e/here/board/")
    expect(resident.locator("main .board-notice h3").first).to_contain_text(HEARING)
    _checked(resident)
    _move_on(leader, project, "design")

    # (4) The designer's two options go to the residents' vote; the resident votes on a phone.
    designer = UserFactory(username="designer1")
    ProjectMember.objects.create(project=project, user=designer, kind="designer")
    design.design_plan_add(actor=designer, project=project, title="平面图", photos=[_png("grey")])
    for label, colour in (("温馨木色", "#b08358"), ("简约明亮", "#dde3ea")):
        design.design_option_add(
            actor=designer, project=project, label=label, photos=[_png(colour)]
        )
    _move_on(leader, project, "budget")
    Project.objects.filter(pk=project.pk).update(stage_position=_position(project, "decision"))
    works = f"/e/here/projects/{project.pk}/works"
    staff.goto(f"{base}{works}/design/vote/")
    opens = timezone.localtime() + datetime.timedelta(days=16)
    staff.fill("#id_opens_at", opens.strftime("%Y-%m-%dT%H:%M"))
    staff.fill("#id_closes_at", (opens + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    _click(staff, "main form button[type=submit]")
    decision = project.design_votes.get().decision
    move(decision, opens_at=-1)
    decision = decisions.decision_open(actor=staff_user, decision=decision)
    resident.goto(f"{base}/e/here/decisions/{decision.pk}/vote/")
    resident.locator("main label", has_text="简约明亮").click()
    resident.click("main .cast-button")
    expect(resident.locator("main .receipt-code")).to_be_visible()
    _checked(resident)
    move(decision, closes_at=-1)
    for step in (decisions.decision_close, decisions.decision_tally, decisions.decision_publish):
        decision = step(actor=staff_user, decision=decision)
    _move_on(leader, project, "funding")  # the published vote approved the design

    # (5) After the works, the representative signs the acceptance; the project moves on.
    Project.objects.filter(pk=project.pk).update(stage_position=_position(project, "acceptance"))
    staff.goto(f"{base}{works}/acceptance/")
    staff.fill("#id_text", "灯光明亮、地面平整")
    _click(staff, f"main form[action='{works}/acceptance/items/'] button")
    staff.locator("main details summary").first.click()
    staff.select_option("main details select", "pass")
    _click(staff, "main details form button[type=submit]")
    leader.goto(f"{base}{works}/acceptance/representatives/")
    leader.locator("main label", has_text="李居民").click()
    _click(leader, "main form button[type=submit]")
    resident.goto(f"{base}{works}/acceptance/")
    _click(resident, f"main form[action='{works}/acceptance/sign/'] button")
    expect(resident.locator("main .verdict-passed")).to_be_visible()
    _checked(resident)
    _move_on(leader, project, "review")
    expect(leader.locator("main ol.road > li[aria-current=step]")).to_contain_text("评议会")
    _checked(leader)
    assert StageMove.objects.filter(project=project).count() >= 6
