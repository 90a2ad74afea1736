"""From a resident's idea to a project topic, on phones: the resident posts an idea for
building 1 with a photo taken on the phone; a neighbour supports it with one tap and comments;
the group leader turns it into a topic of building 1's project. Every page is checked for
accessibility, reflow at phone width and untranslated text."""

import io

from playwright.sync_api import expect

from linju.ideas.models import Comment, Idea, IdeaPhoto, IdeaSupport, Topic
from tests.e2e.conftest import sign_in
from tests.ideas.factories import neighbour, project_of

TITLE = "楼道装感应灯"  # "Motion-sensor lights in the stairwell"


def _photo() -> dict:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 180, 120)).save(buffer, format="JPEG")
    return {"name": "楼道.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_idea_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world
    neighbour(world, username="neighbour_e2e")
    project = project_of(world, title="1号楼 楼道微更新")

    # (1) The resident posts an idea with a photo from the phone.
    resident = new_page()
    sign_in(resident, base, "resident")
    resident.goto(f"{base}/e/here/b/1/")
    _click(resident, "main a[href='/e/here/b/1/ideas/']")
    checks(resident, "ideas-01-empty-list-phone-zh")
    _click(resident, "main a[href='/e/here/b/1/ideas/new/']")
    expect(resident.locator("main input[type=file][accept='image/*']")).to_have_count(1)
    resident.fill("#id_title", TITLE)
    resident.fill("#id_body", "晚上楼道太黑，老人上下楼不安全，建议每层装感应灯。")
    resident.set_input_files("main input[type=file]", _photo())
    checks(resident, "ideas-02-post-form-phone-zh")
    _click(resident, "main form button[type=submit]")
    idea = Idea.objects.get(title=TITLE)
    expect(resident).to_have_url(f"{base}/e/here/ideas/{idea.pk}/")
    assert IdeaPhoto.objects.filter(idea=idea).count() == 1
    expect(resident.locator("main .idea-photos img")).to_have_count(1)
    checks(resident, "ideas-03-idea-posted-phone-zh")

    # (2) A neighbour supports it with one tap (no page load) and comments.
    other = new_page()
    sign_in(other, base, "neighbour_e2e")
    other.goto(f"{base}/e/here/b/1/ideas/")
    button = other.locator(f"#support-{idea.pk} button")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(other.locator(f"#support-{idea.pk} button")).to_have_attribute("aria-pressed", "true")
    assert IdeaSupport.objects.filter(idea=idea).count() == 1
    checks(other, "ideas-04-supported-phone-zh")
    _click(other, f"main a[href='/e/here/ideas/{idea.pk}/']")
    other.fill("#id_body", "支持！我家门口那盏灯坏了半年了。")
    _click(other, "main form.comment-form button[type=submit]")
    expect(other.locator("main .comment-list")).to_contain_text("坏了半年了")
    assert Comment.objects.filter(idea=idea).count() == 1
    checks(other, "ideas-05-commented-phone-zh")

    # (3) The group leader turns it into a topic of building 1's project.
    leader = new_page()
    sign_in(leader, base, "leader")
    leader.goto(f"{base}/e/here/ideas/{idea.pk}/")
    checks(leader, "ideas-06-idea-leader-phone-zh")
    leader.select_option("#id_project", str(project.pk))
    _click(leader, f"main form[action='/e/here/ideas/{idea.pk}/topic/'] button[type=submit]")
    expect(leader).to_have_url(f"{base}/e/here/projects/{project.pk}/topics/")
    expect(leader.locator("main .topic-list")).to_contain_text(TITLE)
    assert Topic.objects.get(project=project).from_idea == idea
    idea.refresh_from_db()
    assert idea.status == Idea.Status.ADOPTED
    checks(leader, "ideas-07-project-topics-phone-zh")
    checks.assert_clean()
