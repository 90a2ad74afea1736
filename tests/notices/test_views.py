"""The board's pages: the board of an estate and of a building, by category, pinned first; the
archive; a notice with its files, its read count, and for those who post it the readers; the
console's drafts, files, publishing, pins, withdrawals and settings. Refused or invalid posts
answer 4xx and write nothing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.notices.models import Notice, NoticeAttachment, NoticeRead
from linju.notifications.models import Notification
from tests import factories as f
from tests.notices.factories import NoticeFactory, pdf, png

pytestmark = pytest.mark.django_db


def english() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def client_for(world, role: str) -> Client:
    client = english()
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def board(**query: str) -> str:
    url = reverse("board", args=["here"])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def titles(response) -> list[str]:
    return re.findall(r'<h3><a href="/e/here/board/\d+/">([^<]+)</a></h3>', main_of(response))


class TestBoard:
    def test_pinned_first_then_newest_then_withdrawn(self, world):
        now = timezone.now()
        NoticeFactory(
            estate=world.here,
            published=True,
            title="旧的",
            published_at=now - datetime.timedelta(days=5),
        )
        NoticeFactory(estate=world.here, published=True, title="新的", published_at=now)
        NoticeFactory(
            estate=world.here,
            published=True,
            title="置顶",
            pinned=True,
            pinned_at=now,
            published_at=now - datetime.timedelta(days=9),
        )
        NoticeFactory(estate=world.here, withdrawn=True, title="撤回的")
        NoticeFactory(estate=world.here, title="草稿")
        NoticeFactory(estate=world.here, expired=True, title="过期的")
        NoticeFactory(estate=world.there, published=True, title="别的小区")
        response = client_for(world, "resident").get(board())
        assert response.status_code == 200
        assert titles(response) == ["置顶", "新的", "旧的", "撤回的"]
        assert "金额写错，更正后重新公示" in main_of(response)

    def test_a_buildings_board_shows_its_notices_and_the_whole_estates(self, world):
        NoticeFactory(estate=world.here, published=True, title="全小区")
        NoticeFactory(estate=world.here, published=True, title="一号楼", building=world.b1)
        NoticeFactory(estate=world.here, published=True, title="二号楼", building=world.b2)
        client = client_for(world, "resident")
        assert sorted(titles(client.get(board(building="1")))) == ["一号楼", "全小区"]
        assert sorted(titles(client.get(board()))) == ["一号楼", "二号楼", "全小区"]
        assert client.get(board(building="99")).status_code == 404

    def test_filtered_by_category(self, world):
        NoticeFactory(estate=world.here, published=True, title="经费", category="working_funds")
        NoticeFactory(estate=world.here, published=True, title="三会", category="hearings")
        client = client_for(world, "resident")
        assert titles(client.get(board(category="hearings"))) == ["三会"]
        # An unknown category shows everything rather than failing.
        assert sorted(titles(client.get(board(category="nonsense")))) == ["三会", "经费"]

    def test_the_six_categories_are_offered(self, world):
        html = main_of(client_for(world, "resident").get(board()))
        for label in (
            "Decisions of the residents&#x27; meeting and their implementation",
            "Hearings, coordination and review meetings",
            "Consultation results",
            "Use of working funds",
            "Use of government money and donated money and goods",
            "Other matters",
        ):
            assert label in html

    def test_the_archive_holds_expired_notices(self, world):
        NoticeFactory(estate=world.here, expired=True, title="过期的")
        NoticeFactory(estate=world.here, published=True, title="当前的")
        response = client_for(world, "resident").get(reverse("board_archive", args=["here"]))
        assert titles(response) == ["过期的"]

    def test_a_notice_moves_to_the_archive_the_day_after_its_period(self, world):
        notice = NoticeFactory(estate=world.here, published=True, title="到期")
        client = client_for(world, "resident")
        Notice.objects.filter(pk=notice.pk).update(shown_until=timezone.localdate())
        assert titles(client.get(board())) == ["到期"]
        Notice.objects.filter(pk=notice.pk).update(
            shown_until=timezone.localdate() - datetime.timedelta(days=1)
        )
        assert titles(client.get(board())) == []
        assert titles(client.get(reverse("board_archive", args=["here"]))) == ["到期"]

    def test_the_board_keeps_its_query_count_however_many_notices(
        self, world, django_assert_max_num_queries
    ):
        client = client_for(world, "resident")
        NoticeFactory(estate=world.here, published=True)
        client.get(board())
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get(board())
        for _ in range(15):
            notice = NoticeFactory(estate=world.here, published=True, building=world.b1)
            NoticeRead.objects.create(estate=world.here, notice=notice, user=world.user("staff"))
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(board())


class TestNoticePage:
    def test_shows_text_files_and_read_count_and_records_the_read(self, world):
        notice = NoticeFactory(estate=world.here, published=True, body="第一行\n第二行")
        NoticeAttachment.objects.create(
            estate=world.here, notice=notice, original_name="账目.pdf", kind="pdf", size=10
        )
        client = client_for(world, "resident")
        html = main_of(client.get(notice.get_absolute_url()))
        assert "第一行<br>第二行" in html
        assert "账目.pdf" in html
        assert "Read by</dt><dd>1 person" in html
        assert NoticeRead.objects.filter(notice=notice, user=world.user("resident")).count() == 1
        client.get(notice.get_absolute_url())
        assert NoticeRead.objects.filter(notice=notice).count() == 1

    def test_residents_see_the_count_but_not_the_names(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        client_for(world, "leader").get(notice.get_absolute_url())
        html = main_of(client_for(world, "resident").get(notice.get_absolute_url()))
        assert "2 people" in html
        assert "Who has read it" not in html
        assert "李居民" not in html

    @pytest.mark.parametrize("role", ["staff", "owners_committee"])
    def test_those_who_post_see_names_and_flats_never_phones(self, world, role):
        notice = NoticeFactory(estate=world.here, published=True)
        client_for(world, "resident").get(notice.get_absolute_url())
        html = main_of(client_for(world, role).get(notice.get_absolute_url()))
        assert "Who has read it" in html
        assert "李居民" in html and "1-101" in html
        assert world.person1.phone not in html
        assert world.person1.phone[-4:] not in html

    def test_a_leader_sees_readers_of_their_buildings_notice_only(self, world):
        mine = NoticeFactory(estate=world.here, published=True, building=world.b1)
        estate_wide = NoticeFactory(estate=world.here, published=True)
        client = client_for(world, "leader")
        assert "Who has read it" in main_of(client.get(mine.get_absolute_url()))
        assert "Who has read it" not in main_of(client.get(estate_wide.get_absolute_url()))

    def test_a_withdrawn_notice_says_so_with_its_reason(self, world):
        notice = NoticeFactory(estate=world.here, withdrawn=True)
        html = main_of(client_for(world, "resident").get(notice.get_absolute_url()))
        assert "This notice was withdrawn" in html
        assert "金额写错，更正后重新公示" in html
        assert not NoticeRead.objects.exists()

    def test_a_draft_is_hidden_from_readers_and_previewed_by_its_posters(self, world):
        notice = NoticeFactory(estate=world.here)
        assert client_for(world, "resident").get(notice.get_absolute_url()).status_code == 404
        response = client_for(world, "staff").get(notice.get_absolute_url())
        assert response.status_code == 200
        assert "Draft: only those who may post it" in main_of(response)
        assert not NoticeRead.objects.exists()

    def test_another_estates_notice_is_404_through_this_estates_url(self, world):
        notice = NoticeFactory(estate=world.there, published=True)
        url = reverse("notice_detail", args=["here", notice.pk])
        assert client_for(world, "admin").get(url).status_code == 404


class TestAttachmentDownload:
    def _notice_with_files(self, world, **traits):
        from linju.notices import services

        notice = services.notice_create(
            actor=world.user("staff"), estate=world.here, category="other", title="附件"
        )
        photo = services.notice_attachment_add(
            actor=world.user("staff"), notice=notice, upload=png()
        )
        document = services.notice_attachment_add(
            actor=world.user("staff"), notice=notice, upload=pdf()
        )
        if traits.get("published", True):
            services.notice_publish(actor=world.user("staff"), notice=notice, days=30)
        return notice, photo, document

    def test_readers_get_the_file_through_the_checked_view(self, world):
        notice, photo, document = self._notice_with_files(world)
        client = client_for(world, "resident")
        response = client.get(reverse("notice_attachment", args=["here", notice.pk, photo.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Security-Policy"] == "sandbox"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        response = client.get(reverse("notice_attachment", args=["here", notice.pk, document.pk]))
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")

    def test_files_are_never_under_a_public_media_url(self, world):
        notice, photo, _document = self._notice_with_files(world)
        html = main_of(client_for(world, "resident").get(notice.get_absolute_url()))
        assert settings.MEDIA_URL not in html
        assert photo.file.name not in html
        assert Client().get(settings.MEDIA_URL + photo.file.name).status_code == 404

    def test_a_drafts_files_are_its_posters_only(self, world):
        notice, photo, _document = self._notice_with_files(world, published=False)
        url = reverse("notice_attachment", args=["here", notice.pk, photo.pk])
        assert client_for(world, "resident").get(url).status_code == 404
        assert client_for(world, "staff").get(url).status_code == 200

    def test_a_file_of_another_notice_is_404(self, world):
        _notice, photo, _document = self._notice_with_files(world)
        other = NoticeFactory(estate=world.here, published=True)
        url = reverse("notice_attachment", args=["here", other.pk, photo.pk])
        assert client_for(world, "staff").get(url).status_code == 404


class TestConsole:
    def url(self, name: str, *args) -> str:
        return reverse(name, args=["here", *args])

    def test_staff_draft_attach_publish_pin_and_withdraw(self, world):
        client = client_for(world, "staff")
        response = client.post(
            self.url("console_notice_create"),
            {
                "building": "",
                "category": "working_funds",
                "title": "三月经费",
                "body": "明细见附件",
            },
        )
        notice = Notice.objects.get(title="三月经费")
        assert response.status_code == 302
        assert response["Location"] == self.url("console_notice", notice.pk)
        response = client.post(
            self.url("console_notice_attachment_add", notice.pk), {"file": pdf()}
        )
        assert response.status_code == 302
        assert notice.attachments.count() == 1
        response = client.post(self.url("console_notice_publish", notice.pk), {"days": "30"})
        assert response.status_code == 302
        notice.refresh_from_db()
        assert notice.status == "published"
        assert Notification.objects.filter(kind="notice.published").count() == 1
        client.post(self.url("console_notice_pin", notice.pk, "pin"))
        notice.refresh_from_db()
        assert notice.pinned
        response = client.post(
            self.url("console_notice_withdraw", notice.pk), {"reason": "数字有误"}
        )
        assert response.status_code == 302
        notice.refresh_from_db()
        assert (notice.status, notice.withdraw_reason, notice.pinned) == (
            "withdrawn",
            "数字有误",
            False,
        )

    def test_a_leader_posts_only_for_their_building(self, world):
        client = client_for(world, "leader")
        page = main_of(client.get(self.url("console_notice_create")))
        assert "Building 1" in page and "Building 2" not in page
        assert "The whole estate" not in page
        response = client.post(
            self.url("console_notice_create"),
            {"building": world.b2.pk, "category": "other", "title": "越权"},
        )
        assert response.status_code == 422
        assert not Notice.objects.exists()
        response = client.post(
            self.url("console_notice_create"),
            {"building": world.b1.pk, "category": "other", "title": "一号楼通知"},
        )
        assert response.status_code == 302
        assert Notice.objects.get().building == world.b1

    def test_the_console_list_shows_a_leader_their_buildings_notices(self, world):
        NoticeFactory(estate=world.here, title="全小区草稿")
        NoticeFactory(estate=world.here, title="一号楼草稿", building=world.b1)
        html = main_of(client_for(world, "leader").get(self.url("console_notices")))
        assert "一号楼草稿" in html and "全小区草稿" not in html

    def test_invalid_publish_days_answer_422_and_write_nothing(self, world):
        notice = NoticeFactory(estate=world.here)
        before = AuditEvent.objects.count()
        response = client_for(world, "staff").post(
            self.url("console_notice_publish", notice.pk), {"days": "400"}
        )
        assert response.status_code == 422
        assert "field-error" in response.content.decode()
        notice.refresh_from_db()
        assert notice.status == "draft" and AuditEvent.objects.count() == before

    def test_a_bad_file_answers_422_with_a_message(self, world):
        from django.core.files.uploadedfile import SimpleUploadedFile

        notice = NoticeFactory(estate=world.here)
        response = client_for(world, "staff").post(
            self.url("console_notice_attachment_add", notice.pk),
            {"file": SimpleUploadedFile("evil.pdf", b"<script>alert(1)</script>")},
        )
        assert response.status_code == 422
        assert "Attach a PDF, a photo" in response.content.decode()
        assert not NoticeAttachment.objects.exists()

    def test_a_published_notice_cannot_be_edited(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        response = client_for(world, "staff").get(self.url("console_notice_edit", notice.pk))
        assert response.status_code == 302
        assert response["Location"] == self.url("console_notice", notice.pk)

    def test_pinning_a_withdrawn_notice_is_refused(self, world):
        notice = NoticeFactory(estate=world.here, withdrawn=True)
        response = client_for(world, "staff").post(self.url("console_notice_pin", notice.pk, "pin"))
        assert response.status_code == 422
        assert "Nothing was changed." in response.content.decode()

    def test_board_settings(self, world):
        client = client_for(world, "staff")
        response = client.post(self.url("console_board_settings"), {"public": "on"})
        assert response.status_code == 302
        assert world.here.board_settings.public is True

    def test_the_estate_and_building_pages_link_to_the_board(self, world):
        client = client_for(world, "anonymous")
        assert 'href="/e/here/board/"' in main_of(client.get(reverse("estate_home", args=["here"])))
        html = main_of(client.get(reverse("building_detail", args=["here", "1"])))
        assert 'href="/e/here/board/?building=1"' in html

    def test_the_console_nav_links_to_notices_for_those_who_post(self, world):
        html = main_of(client_for(world, "staff").get(reverse("console", args=["here"])))
        assert 'href="/e/here/console/board/"' in html
        html = main_of(client_for(world, "property").get(reverse("console", args=["here"])))
        assert 'href="/e/here/console/board/"' not in html


def test_notifications_link_to_the_notice(world):
    from linju.notices import services

    notice = services.notice_create(
        actor=world.user("staff"), estate=world.here, category="other", title="停水通知"
    )
    services.notice_publish(actor=world.user("staff"), notice=notice, days=3)
    told = Notification.objects.get(recipient=world.user("resident"))
    response = client_for(world, "resident").get(told.url)
    assert response.status_code == 200
    assert "停水通知" in main_of(response)


def test_a_person_with_two_flats_is_told_once(world):
    """A resident with two current flats in the estate gets one notification, not two."""
    f.OccupancyFactory(flat=f.FlatFactory(building=world.b2, number="202"), person=world.person1)
    from linju.notices import services

    notice = services.notice_create(
        actor=world.user("staff"), estate=world.here, category="other", title="全体通知"
    )
    services.notice_publish(actor=world.user("staff"), notice=notice, days=3)
    assert Notification.objects.filter(recipient=world.user("resident")).count() == 1
