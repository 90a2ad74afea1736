"""A hearing (听证会) from plan to board: committee staff plan building 1's lobby hearing for its
project, invite the building, record who came (a resident found on the roster, who signed the
paper sheet, and a guest), write the minutes and outcomes and publish them; the resident reads
the minutes on the disclosure board on a phone, and the meeting's page shows the outcomes
without the names of who came.
"""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from linju.meetings.models import Attendance, Meeting
from linju.notices.models import Notice
from linju.projects.models import Project
from tests.e2e.conftest import sign_in

TITLE = "1号楼门厅改造听证会"
MINUTES = "居民逐条讨论了门厅问题清单：地面破损、信箱老旧、照明不足。"
OUTCOME = "设计师一个月内拿出两个方案和预算。"


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_meeting_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world
    project = Project.objects.create(estate=world.here, building=world.b1, title="1号楼大堂改造")

    # (1) Staff plan the hearing for the project from the console.
    staff = new_page(viewport={"width": 1280, "height": 900}, is_mobile=False, has_touch=False)
    sign_in(staff, base, "staff")
    staff.goto(f"{base}/e/here/console/meetings/")
    _click(staff, "main a[href='/e/here/console/meetings/new/']")
    staff.check("main input[name=kind][value=hearing]")
    staff.fill("#id_title", TITLE)
    staff.select_option("#id_project", str(project.pk))
    started = timezone.localtime() - datetime.timedelta(hours=1)
    staff.fill("#id_starts_at", started.strftime("%Y-%m-%dT%H:%M"))
    staff.fill("#id_place", "1号楼门厅")
    staff.fill("#id_agenda", "楼组长通报问题清单\n居民逐条发表意见")
    checks(staff, "meetings-01-plan-staff-zh")
    _click(staff, "main form button[type=submit]")
    meeting = Meeting.objects.get(title=TITLE)
    assert (meeting.project, meeting.building) == (project, world.b1)
    console_url = f"/e/here/console/meetings/{meeting.pk}/"
    expect(staff).to_have_url(f"{base}{console_url}")

    # (2) They invite the building; the resident is told.
    staff.check("#id_building_residents")
    _click(staff, f"main form[action='{console_url}invite/'] button[type=submit]")
    assert meeting.invitations.count() == 1
    checks(staff, "meetings-02-meeting-staff-zh")

    # (3) Attendance: the resident from the roster (signed on paper), and a guest.
    _click(staff, f"main a[href='{console_url}attendance/']")
    staff.fill("#id_q", "李")
    row = f"#roster-results form:has(input[name=person][value='{world.person1.pk}'])"
    expect(staff.locator(row)).to_be_visible()
    staff.check(f"#paper-{world.person1.pk}")
    _click(staff, f"{row} button[type=submit]")
    staff.fill("#id_name", "设计师 周工")
    _click(staff, "main form:has(#id_name) button[type=submit]")
    lines = Attendance.objects.filter(meeting=meeting)
    assert lines.count() == 2
    assert lines.get(person=world.person1).signed_on_paper
    expect(staff.locator("main table.table")).to_contain_text("李居民")
    checks(staff, "meetings-03-attendance-staff-zh")

    # (4) Minutes and outcomes, then publish them to the board.
    staff.goto(f"{base}{console_url}")
    _click(staff, f"main a[href='{console_url}minutes/']")
    staff.fill("#id_minutes", MINUTES)
    staff.fill("#id_outcomes", f"问题清单定为六项。\n{OUTCOME}")
    checks(staff, "meetings-04-minutes-staff-zh")
    _click(staff, "main form button[type=submit]")
    staff.evaluate("window.scrollTo(0, 0)")
    checks(staff, "meetings-05-ready-to-publish-staff-zh")
    _click(staff, f"main form[action='{console_url}publish/'] button[type=submit]")
    meeting.refresh_from_db()
    notice = Notice.objects.get()
    assert meeting.notice == notice and notice.category == Notice.Category.HEARINGS

    # (5) The resident reads the minutes on the board, on a phone, and the meeting's page.
    resident = new_page()
    sign_in(resident, base, "resident")
    resident.goto(f"{base}/e/here/board/")
    expect(resident.locator("main .board-notice h3").first).to_contain_text(TITLE)
    checks(resident, "meetings-06-board-resident-phone-zh")
    _click(resident, "main .board-notice h3 a")
    expect(resident.locator("main .board-body")).to_contain_text(MINUTES)
    expect(resident.locator("main .board-body")).to_contain_text(OUTCOME)
    expect(resident.locator("main")).not_to_contain_text("李居民")
    resident.goto(f"{base}/e/here/meetings/{meeting.pk}/")
    expect(resident.locator("main")).to_contain_text(OUTCOME)
    expect(resident.locator("main")).not_to_contain_text("李居民")
    checks(resident, "meetings-07-meeting-resident-phone-zh")

    checks.assert_clean()
