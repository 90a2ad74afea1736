"""The public view (issue 5, part 6) and the sections other apps add to the board.

When the estate's board is public, a visitor who is not signed in reads the board, the archive,
its notices and their files, and sees no personal data at all: no readers' names, nobody who
posted, nothing from the roster. When it is not public, that visitor is sent to sign in.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from linju.notices import board, services
from linju.notices.models import NoticeRead
from tests.notices.factories import NoticeFactory, png, public_board

pytestmark = pytest.mark.django_db


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def published(world):
    """A notice of building 1 with a photo, posted by staff (display name 社工小王), read by
    the resident (李居民 of 1-101, with a phone on the roster)."""
    staff = world.user("staff")
    staff.display_name = "社工小王"
    staff.save()
    notice = services.notice_create(
        actor=staff,
        estate=world.here,
        building=world.b1,
        category="working_funds",
        title="一号楼经费公示",
        body="收入 500.00 元",
    )
    attachment = services.notice_attachment_add(actor=staff, notice=notice, upload=png())
    notice = services.notice_publish(actor=staff, notice=notice, days=30)
    services.notice_read(actor=world.user("resident"), notice=notice)
    return notice, attachment


def pages(notice, attachment) -> list[str]:
    return [
        reverse("board", args=["here"]),
        reverse("board", args=["here"]) + "?building=1",
        reverse("board_archive", args=["here"]),
        reverse("notice_detail", args=["here", notice.pk]),
        reverse("notice_attachment", args=["here", notice.pk, attachment.pk]),
    ]


PERSONAL = ("李居民", "王邻居", "社工小王")


class TestPublicBoard:
    def test_anonymous_visitors_read_everything_without_personal_data(self, world, published):
        notice, attachment = published
        public_board(world.here)
        client = Client()
        for url in pages(notice, attachment):
            response = client.get(url)
            assert response.status_code == 200, url
            if response.get("Content-Type", "").startswith("text/html"):
                html = response.content.decode()
                for text in PERSONAL:
                    assert text not in html, (url, text)
                for phone in (world.person1.phone, world.person2.phone):
                    assert phone[-4:] not in html, url
        html = main_of(client.get(notice.get_absolute_url()))
        assert "一号楼经费公示" in html and "收入 500.00 元" in html
        assert "1 人" in html or "1 person" in html

    def test_anonymous_reading_records_no_receipt(self, world, published):
        notice, _attachment = published
        public_board(world.here)
        Client().get(notice.get_absolute_url())
        assert NoticeRead.objects.filter(notice=notice).count() == 1  # the resident's only

    def test_drafts_stay_hidden_on_a_public_board(self, world):
        public_board(world.here)
        notice = NoticeFactory(estate=world.here, title="草稿")
        assert Client().get(notice.get_absolute_url()).status_code == 404
        assert "草稿" not in main_of(Client().get(reverse("board", args=["here"])))

    def test_a_signed_in_outsider_reads_a_public_board(self, world, published):
        notice, _attachment = published
        public_board(world.here)
        client = Client()
        client.force_login(world.user("outsider"))
        assert client.get(notice.get_absolute_url()).status_code == 200


class TestPrivateBoard:
    def test_anonymous_visitors_are_sent_to_sign_in(self, world, published):
        notice, attachment = published
        client = Client()
        for url in pages(notice, attachment):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"] == f"{reverse('login')}?next={quote(url, safe='/')}"

    def test_signed_in_outsiders_get_404(self, world, published):
        notice, attachment = published
        client = Client()
        client.force_login(world.user("outsider"))
        for url in pages(notice, attachment):
            assert client.get(url).status_code == 404, url

    @pytest.mark.parametrize("role", ["resident", "leader_other_building", "property"])
    def test_members_of_the_estate_read_it(self, world, published, role):
        notice, attachment = published
        client = Client()
        client.force_login(world.user(role))
        for url in pages(notice, attachment):
            assert client.get(url).status_code == 200, url

    def test_staff_of_another_estate_get_404(self, world, published):
        notice, _attachment = published
        client = Client()
        client.force_login(world.user("staff_other_estate"))
        assert client.get(notice.get_absolute_url()).status_code == 404

    def test_turning_the_board_private_again_closes_it(self, world, published):
        notice, _attachment = published
        services.board_settings_update(actor=world.user("staff"), estate=world.here, public=True)
        assert Client().get(notice.get_absolute_url()).status_code == 200
        services.board_settings_update(actor=world.user("staff"), estate=world.here, public=False)
        assert Client().get(notice.get_absolute_url()).status_code == 302


class TestSections:
    """Another app's section, registered inside the test: the board never imports that app."""

    @pytest.fixture
    def section(self, settings, tmp_path):
        template_dir = tmp_path / "templates"
        (template_dir / "tests").mkdir(parents=True)
        (template_dir / "tests" / "fund_section.html").write_text(
            "<p class='fund'>{{ fund_name }}: {{ balance }}"
            "{% if not public %} · {{ treasurer }}{% endif %}"
            "{% if building %} · {{ building.number }}{% endif %}</p>"
        )
        settings.TEMPLATES = [
            {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}
        ]
        calls: list[dict] = []

        def funds(*, estate, building, actor, public):
            calls.append({"estate": estate, "building": building, "actor": actor, "public": public})
            if estate.slug != "here":
                return None
            context = {"fund_name": "楼道微更新", "balance": "1234.50"}
            if not public:
                context["treasurer"] = "财务王阿姨"
            return {"title": "资金", "template": "tests/fund_section.html", "context": context}

        def reports(*, estate, building, actor, public):
            return {
                "title": "月度报告",
                "template": "tests/fund_section.html",
                "context": {"fund_name": "报告", "balance": "-"},
                "order": 10,
            }

        board.register_section("test-funds", funds)
        board.register_section("test-reports", reports)
        yield calls
        board.unregister_section("test-funds")
        board.unregister_section("test-reports")

    def test_sections_are_rendered_in_order_after_the_notices(self, world, section):
        client = Client()
        client.force_login(world.user("resident"))
        html = main_of(client.get(reverse("board", args=["here"])))
        assert "楼道微更新: 1234.50 · 财务王阿姨" in html
        assert html.index("月度报告") < html.index("资金")
        assert html.index('id="notices-title"') < html.index("月度报告")
        call = section[-1]
        assert call["estate"] == world.here and call["building"] is None
        assert call["actor"] == world.user("resident") and call["public"] is False

    def test_a_building_board_passes_the_building(self, world, section):
        client = Client()
        client.force_login(world.user("resident"))
        html = main_of(client.get(reverse("board", args=["here"]) + "?building=2"))
        assert "楼道微更新: 1234.50 · 财务王阿姨 · 2" in html
        assert section[-1]["building"] == world.b2

    def test_the_public_view_asks_for_a_section_without_personal_data(self, world, section):
        public_board(world.here)
        html = main_of(Client().get(reverse("board", args=["here"])))
        assert "楼道微更新: 1234.50" in html
        assert "财务王阿姨" not in html
        assert section[-1]["public"] is True

    def test_a_provider_returning_none_shows_nothing(self, world, section):
        public_board(world.there)
        html = main_of(Client().get(reverse("board", args=["there"])))
        assert "楼道微更新" not in html and "资金" not in html
        assert "月度报告" in html

    def test_a_section_without_a_template_is_a_programming_error(self, world):
        board.register_section("test-broken", lambda **kwargs: {"title": "坏的"})
        try:
            with pytest.raises(ValueError, match="test-broken"):
                board.sections_for(estate=world.here, building=None, actor=None, public=True)
        finally:
            board.unregister_section("test-broken")
