"""A building-group project on a phone: the group leader starts one for their building, sees
its whole road (done, current, to come), moves it past the first stage, is refused with the
sentence saying what is missing at the next one (nothing moves), and adds a photo of the lobby.
Each page passes the accessibility check and fits a phone's width."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect

from linju.projects import requirements
from linju.projects.models import Project, ProjectPhoto, StageMove
from linju.projects.road import DEFAULT_ROAD
from tests.e2e.conftest import assert_accessible, reflow_problems, sign_in

TITLE = "1号楼 大堂改造"


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _lobby_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 190, 170)).save(out, format="JPEG")
    return out.getvalue()


def _checked(page) -> None:
    assert_accessible(page)
    assert reflow_problems(page) == []


def test_project_road(live_server, live_world, page):
    base = live_server.url
    sign_in(page, base, "leader")

    # (1) Start a project for building 1 from the estate's project list.
    page.goto(f"{base}/e/here/projects/")
    _checked(page)
    _click(page, "main a[href='/e/here/projects/new/']")
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "粉刷墙面，换感应灯，加装扶手。")
    _checked(page)
    _click(page, "main form button[type=submit]")
    project = Project.objects.get(title=TITLE)
    expect(page).to_have_url(f"{base}{project.get_absolute_url()}")

    # (2) The whole road at a glance: every stage, the first one current.
    stages = page.locator("main ol.road > li")
    expect(stages).to_have_count(len(DEFAULT_ROAD))
    expect(page.locator("main ol.road > li[aria-current=step]")).to_have_count(1)
    expect(stages.first).to_have_class("road-stage road-current")
    _checked(page)

    # (3) The idea stage needs nothing: it moves on.
    _click(page, "main form.project-move button[type=submit]")
    expect(page.locator("main ol.road > li.road-done")).to_have_count(1)
    project.refresh_from_db()
    assert project.stage_position == 1

    # (4) The topics stage needs its list of topics: the move is refused, saying so.
    missing = requirements.unmet(project, project.stages.get(position=1).requirement)
    assert missing
    _click(page, "main form.project-move button[type=submit]")
    expect(page.locator("main .move-refused")).to_contain_text(str(missing))
    project.refresh_from_db()
    assert project.stage_position == 1 and StageMove.objects.filter(project=project).count() == 1
    _checked(page)

    # (5) A photo of the lobby: added, shown in the gallery.
    _click(page, f"main a[href='/e/here/projects/{project.pk}/photos/add/']")
    page.set_input_files(
        "main input[type=file]",
        {"name": "大堂.jpg", "mimeType": "image/jpeg", "buffer": _lobby_jpeg()},
    )
    page.fill("#id_caption", "改造前的大堂")
    _checked(page)
    _click(page, "main form button[type=submit]")
    expect(page.locator("main .project-gallery img")).to_have_count(1)
    assert ProjectPhoto.objects.filter(project=project).count() == 1
    image = page.locator("main .project-gallery img").first
    expect(image).to_have_attribute("alt", "改造前的大堂")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    answer = page.request.get(f"{base}{image.get_attribute('src')}")
    assert answer.ok and answer.headers["content-type"] == "image/jpeg"
    _checked(page)
