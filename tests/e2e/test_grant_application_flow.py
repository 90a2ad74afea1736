"""A building's grant application, on phones: the group leader applies from the project's page
(the form filled in from the project) and submits; the estate's committee staff endorse it;
the foundation's officer receives it and asks for a missing document; the leader uploads it
and the request shows as answered. Every page is checked for accessibility, reflow at phone
width and untranslated text."""

from playwright.sync_api import expect

from linju.foundation.models import Application, ApplicationDocument
from tests.e2e.conftest import sign_in
from tests.foundation.factories import make_programme, make_project

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_grant_application_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world
    programme = make_programme(world)
    project = make_project(world)
    street = programme.street.slug
    apply_path = f"/s/{street}/foundation/programmes/{programme.pk}/apply/{project.pk}/"

    # (1) The leader applies from the project's page and submits.
    leader = new_page()
    sign_in(leader, base, "leader")
    leader.goto(f"{base}{project.get_absolute_url()}")
    checks(leader, "grant-01-project-page-phone-zh")
    _click(leader, f"main a[href='{apply_path}']")
    expect(leader.locator("#id_title")).to_have_value(project.title)
    expect(leader.locator("#id_budget")).to_have_value("48000.00")
    leader.fill("#id_requested", "30000")
    leader.fill("#id_support", "楼组会议 30 户到场，全部同意。")
    checks(leader, "grant-02-apply-form-phone-zh")
    _click(leader, "main form button[type=submit]")
    application = Application.objects.get(project=project)
    expect(leader).to_have_url(f"{base}{application.get_absolute_url()}")
    checks(leader, "grant-03-draft-phone-zh")
    _click(leader, f"main form[action$='/applications/{application.pk}/submit/'] button")
    application.refresh_from_db()
    assert application.status == "submitted"
    expect(leader.locator("main .timeline [aria-current=step]")).to_have_count(1)
    checks(leader, "grant-04-submitted-phone-zh")

    # (2) The estate's committee staff endorse it.
    staff = new_page()
    sign_in(staff, base, "staff")
    staff.goto(f"{base}{application.get_absolute_url()}")
    checks(staff, "grant-05-endorse-phone-zh")
    _click(staff, f"main form[action$='/applications/{application.pk}/endorse/'] button")
    application.refresh_from_db()
    assert application.status == "endorsed"

    # (3) The foundation's officer receives it and asks for a document.
    officer = new_page()
    sign_in(officer, base, "foundation")
    officer.goto(f"{base}{application.get_absolute_url()}")
    _click(officer, f"main form[action$='/applications/{application.pk}/receive/'] button")
    checks(officer, "grant-06-received-officer-phone-zh")
    _click(officer, f"main a[href$='/applications/{application.pk}/documents/request/']")
    officer.fill("#id_message", "请上传三家施工单位的报价单。")
    checks(officer, "grant-07-request-form-phone-zh")
    _click(officer, "main form button[type=submit]")
    asked = application.document_requests.get()
    assert asked.answered_at is None

    # (4) The leader sees the request and uploads the document.
    leader.goto(f"{base}{application.get_absolute_url()}")
    expect(leader.locator("main")).to_contain_text("请上传三家施工单位的报价单")
    checks(leader, "grant-08-request-seen-phone-zh")
    _click(leader, f"main a[href$='/documents/add/?request={asked.pk}']")
    leader.set_input_files(
        "main input[type=file]",
        {"name": "报价单.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    leader.select_option("#id_kind", "budget")
    checks(leader, "grant-09-upload-form-phone-zh")
    _click(leader, "main form button[type=submit]")
    asked.refresh_from_db()
    assert asked.answered_at is not None
    assert ApplicationDocument.objects.get(application=application).request == asked
    expect(leader.locator("main .application-history")).to_contain_text("报价单")
    checks(leader, "grant-10-uploaded-phone-zh")
    checks.assert_clean()
