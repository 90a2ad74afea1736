"""The notice services: who may post where, the draft → published → withdrawn lifecycle, the
publication period, pins, files checked by content, read receipts once per person, and the
board's settings. Every refusal writes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.notices import services
from linju.notices.models import BoardSettings, Notice, NoticeAttachment, NoticeRead
from linju.notifications.models import Notification
from tests import factories as f
from tests.notices.factories import NoticeFactory, jpeg, pdf, png, xlsx

pytestmark = pytest.mark.django_db


def snapshot() -> Any:
    """Everything a notice service could write."""
    return (
        sorted(Notice.objects.values_list()),
        sorted(NoticeAttachment.objects.values_list("pk", "original_name")),
        NoticeRead.objects.count(),
        sorted(BoardSettings.objects.values_list("estate_id", "public")),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def draft(world, **values: Any) -> Notice:
    defaults = {"category": "working_funds", "title": "二季度工作经费使用情况", "body": "见附件。"}
    return services.notice_create(
        actor=world.user("staff"), estate=world.here, **{**defaults, **values}
    )


class TestNoticeCreate:
    @pytest.mark.parametrize("role", ["staff", "owners_committee", "admin"])
    def test_organisers_post_for_the_whole_estate(self, world, role):
        notice = services.notice_create(
            actor=world.user(role),
            estate=world.here,
            category="meeting",
            title="居民会议决定",
            body="  决定内容  ",
        )
        assert notice.status == Notice.Status.DRAFT
        assert notice.building is None
        assert notice.body == "决定内容"
        assert notice.created_by == world.user(role)
        assert AuditEvent.objects.filter(action="notice.create", target_id=str(notice.pk)).exists()

    def test_a_group_leader_posts_for_the_building_they_lead(self, world):
        notice = services.notice_create(
            actor=world.user("leader"),
            estate=world.here,
            building=world.b1,
            category="other",
            title="1号楼楼道清理",
        )
        assert notice.building == world.b1

    @pytest.mark.parametrize(
        ("role", "building"),
        [
            ("leader", None),  # not the whole estate
            ("leader", "b2"),  # not another building
            ("property", None),
            ("resident", None),
            ("staff_other_estate", None),
            ("anonymous", None),
        ],
    )
    def test_others_are_refused_and_nothing_is_written(self, world, role, building):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.notice_create(
                actor=world.user(role),
                estate=world.here,
                building=getattr(world, building) if building else None,
                category="other",
                title="不该发的",
            )
        assert snapshot() == before

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"category": "gossip"}, "category"),
            ({"title": "   "}, "title"),
            ({"title": "长" * 201}, "title"),
            ({"body": "长" * 20_001}, "body"),
        ],
    )
    def test_invalid_fields_are_named_and_nothing_is_written(self, world, values, field):
        before = snapshot()
        with pytest.raises(ValidationError) as caught:
            draft(world, **values)
        assert field in caught.value.message_dict
        assert snapshot() == before

    def test_a_building_of_another_estate_is_refused(self, world):
        before = snapshot()
        with pytest.raises(ValidationError) as caught:
            draft(world, building=world.b_there)
        assert "building" in caught.value.message_dict
        assert snapshot() == before


class TestNoticeUpdate:
    def test_a_draft_is_changed_and_the_change_audited(self, world):
        notice = draft(world)
        services.notice_update(
            actor=world.user("staff"),
            notice=notice,
            category="public_money",
            title="社会捐赠款物使用情况",
            body="新的内容",
            building=world.b2,
        )
        notice.refresh_from_db()
        assert (notice.category, notice.title, notice.building) == (
            "public_money",
            "社会捐赠款物使用情况",
            world.b2,
        )
        event = AuditEvent.objects.get(action="notice.update")
        assert event.changes["title"] == ["二季度工作经费使用情况", "社会捐赠款物使用情况"]

    def test_a_published_notice_is_never_edited(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.notice_update(
                actor=world.user("staff"), notice=notice, category="other", title="改了"
            )
        assert snapshot() == before

    def test_a_leader_cannot_move_their_draft_to_the_whole_estate(self, world):
        notice = services.notice_create(
            actor=world.user("leader"),
            estate=world.here,
            building=world.b1,
            category="other",
            title="1号楼通知",
        )
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.notice_update(
                actor=world.user("leader"), notice=notice, category="other", title="全小区"
            )
        assert snapshot() == before


class TestNoticePublish:
    def test_publishing_sets_the_period_and_tells_the_residents(self, world):
        notice = draft(world)
        with time_machine.travel(datetime.datetime(2025, 3, 1, 10, tzinfo=datetime.UTC)):
            services.notice_publish(actor=world.user("staff"), notice=notice, days=30)
        notice.refresh_from_db()
        assert notice.status == Notice.Status.PUBLISHED
        # The day of publication does not count (Civil Code Art. 201): 1 March + 30 days.
        assert notice.shown_until == datetime.date(2025, 3, 31)
        told = Notification.objects.filter(kind="notice.published")
        # The resident of 1-101 has an account; 王邻居 (2-201) has none; staff published it.
        assert [n.recipient for n in told] == [world.user("resident")]
        assert told[0].url == notice.get_absolute_url()
        assert "二季度工作经费使用情况" in told[0].title
        assert AuditEvent.objects.filter(action="notice.publish").count() == 1

    def test_a_building_notice_tells_only_that_buildings_residents(self, world):
        son = f.PersonFactory(estate=world.here, user=f.UserFactory(username="son"))
        f.OccupancyFactory(flat=world.flat2, person=son, relation="family")
        notice = draft(world, building=world.b2)
        services.notice_publish(actor=world.user("staff"), notice=notice, days=7)
        told = Notification.objects.filter(kind="notice.published")
        assert [n.recipient.username for n in told] == ["son"]

    def test_the_notification_is_in_the_recipients_language(self, world):
        resident = world.user("resident")
        resident.language = "en"
        resident.save()
        services.notice_publish(actor=world.user("staff"), notice=draft(world), days=30)
        told = Notification.objects.get(recipient=resident)
        assert told.title.startswith("New notice: ")

    @pytest.mark.parametrize("days", [0, -1, 366, "三十", None, True])
    def test_a_period_outside_1_to_365_days_is_refused(self, world, days):
        notice = draft(world)
        before = snapshot()
        with pytest.raises(ValidationError) as caught:
            services.notice_publish(actor=world.user("staff"), notice=notice, days=days)
        assert "days" in caught.value.message_dict
        assert snapshot() == before

    @pytest.mark.parametrize("days", [1, 365])
    def test_the_bounds_are_allowed(self, world, days):
        notice = services.notice_publish(actor=world.user("staff"), notice=draft(world), days=days)
        assert notice.shown_until == timezone.localdate() + datetime.timedelta(days=days)

    def test_publishing_twice_is_refused(self, world):
        notice = services.notice_publish(actor=world.user("staff"), notice=draft(world), days=5)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.notice_publish(actor=world.user("staff"), notice=notice, days=5)
        assert snapshot() == before

    @pytest.mark.parametrize("role", ["property", "resident", "leader", "staff_other_estate"])
    def test_others_may_not_publish(self, world, role):
        notice = draft(world)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.notice_publish(actor=world.user(role), notice=notice, days=30)
        assert snapshot() == before

    def test_a_leader_publishes_their_buildings_notice(self, world):
        notice = services.notice_create(
            actor=world.user("leader"),
            estate=world.here,
            building=world.b1,
            category="hearings",
            title="1号楼听证会",
        )
        services.notice_publish(actor=world.user("leader"), notice=notice, days=15)
        notice.refresh_from_db()
        assert notice.status == Notice.Status.PUBLISHED


class TestNoticeWithdraw:
    def test_a_withdrawn_notice_keeps_its_period_and_says_why(self, world):
        notice = services.notice_publish(actor=world.user("staff"), notice=draft(world), days=30)
        services.notice_pin(actor=world.user("staff"), notice=notice)
        services.notice_withdraw(actor=world.user("staff"), notice=notice, reason=" 金额有误 ")
        notice.refresh_from_db()
        assert notice.status == Notice.Status.WITHDRAWN
        assert notice.withdraw_reason == "金额有误"
        assert notice.withdrawn_at is not None
        assert notice.shown_until is not None and notice.is_current
        assert not notice.pinned
        assert AuditEvent.objects.filter(action="notice.withdraw").count() == 1

    @pytest.mark.parametrize("reason", ["", "   ", "长" * 301])
    def test_a_reason_is_needed_and_kept_short(self, world, reason):
        notice = NoticeFactory(estate=world.here, published=True)
        before = snapshot()
        with pytest.raises(ValidationError) as caught:
            services.notice_withdraw(actor=world.user("staff"), notice=notice, reason=reason)
        assert "reason" in caught.value.message_dict
        assert snapshot() == before

    @pytest.mark.parametrize("state", ["draft", "withdrawn"])
    def test_only_a_published_notice_is_withdrawn(self, world, state):
        traits = {} if state == "draft" else {state: True}
        notice = NoticeFactory(estate=world.here, **traits)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.notice_withdraw(actor=world.user("staff"), notice=notice, reason="错了")
        assert snapshot() == before

    def test_others_may_not_withdraw(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.notice_withdraw(actor=world.user("resident"), notice=notice, reason="不喜欢")
        assert snapshot() == before


class TestNoticePin:
    def test_pin_and_unpin(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        services.notice_pin(actor=world.user("owners_committee"), notice=notice)
        notice.refresh_from_db()
        assert notice.pinned and notice.pinned_at is not None
        services.notice_unpin(actor=world.user("owners_committee"), notice=notice)
        notice.refresh_from_db()
        assert not notice.pinned and notice.pinned_at is None
        assert list(
            AuditEvent.objects.filter(action__startswith="notice.").values_list("action", flat=True)
        ) == ["notice.unpin", "notice.pin"]

    def test_pinning_a_pinned_notice_writes_nothing(self, world):
        notice = services.notice_pin(
            actor=world.user("staff"), notice=NoticeFactory(estate=world.here, published=True)
        )
        before = snapshot()
        services.notice_pin(actor=world.user("staff"), notice=notice)
        assert snapshot() == before

    @pytest.mark.parametrize("traits", [{}, {"withdrawn": True}, {"expired": True}])
    def test_only_a_notice_on_the_board_is_pinned(self, world, traits):
        notice = NoticeFactory(estate=world.here, **traits)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.notice_pin(actor=world.user("staff"), notice=notice)
        assert snapshot() == before

    def test_others_may_not_pin(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.notice_pin(actor=world.user("property"), notice=notice)
        assert snapshot() == before


class TestNoticeAttachment:
    @pytest.mark.parametrize(
        ("upload", "kind", "name"),
        [
            (pdf("审计报告.pdf"), "pdf", "审计报告.pdf"),
            (jpeg("收据.JPG"), "jpg", "收据.jpg"),
            (png("photo"), "png", "photo.png"),
            (xlsx("账目.xlsx"), "xlsx", "账目.xlsx"),
            # The type comes from the content: a PNG named .pdf is kept as a PNG.
            (png("not-really.pdf"), "png", "not-really.png"),
        ],
    )
    def test_allowed_files_are_kept_by_their_real_type(self, world, upload, kind, name):
        notice = draft(world)
        attachment = services.notice_attachment_add(
            actor=world.user("staff"), notice=notice, upload=upload
        )
        assert (attachment.kind, attachment.original_name) == (kind, name)
        assert attachment.file.name.startswith(f"notices/{world.here.pk}/")
        assert attachment.file.name.endswith(f".{kind}")
        assert name not in attachment.file.name
        assert AuditEvent.objects.filter(action="notice.attachment_add").count() == 1

    @pytest.mark.parametrize(
        "upload",
        [
            SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>"),
            SimpleUploadedFile("x.pdf", b"%PDF-1.4 truncated, no end"),
            SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
            SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not a zip at all"),
            SimpleUploadedFile("x.docx", b""),
        ],
        ids=["html", "pdf-without-end", "broken-png", "broken-zip", "empty"],
    )
    def test_other_content_is_refused_and_nothing_is_written(self, world, upload):
        notice = draft(world)
        before = snapshot()
        with pytest.raises(ValidationError) as caught:
            services.notice_attachment_add(actor=world.user("staff"), notice=notice, upload=upload)
        assert "file" in caught.value.message_dict
        assert snapshot() == before

    def test_a_zip_that_is_not_a_workbook_is_refused(self, world):
        import io
        import zipfile

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as package:
            package.writestr("word/document.xml", "<w/>")
        notice = draft(world)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.notice_attachment_add(
                actor=world.user("staff"),
                notice=notice,
                upload=SimpleUploadedFile("x.xlsx", out.getvalue()),
            )
        assert snapshot() == before

    def test_a_file_over_10_mb_is_refused(self, world):
        big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"%%EOF")
        notice = draft(world)
        before = snapshot()
        with pytest.raises(ValidationError) as caught:
            services.notice_attachment_add(actor=world.user("staff"), notice=notice, upload=big)
        assert "10 MB" in caught.value.messages[0]
        assert snapshot() == before

    def test_files_are_added_to_drafts_only(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        before = snapshot()
        with pytest.raises(ValidationError):
            services.notice_attachment_add(actor=world.user("staff"), notice=notice, upload=png())
        assert snapshot() == before

    def test_the_uploaded_name_loses_folders_and_control_characters(self, world):
        attachment = services.notice_attachment_add(
            actor=world.user("staff"),
            notice=draft(world),
            upload=png("..\\..\\evil\u202e.png"),
        )
        assert attachment.original_name == "evil.png"

    def test_a_file_is_taken_off_a_draft(self, world):
        notice = draft(world)
        attachment = services.notice_attachment_add(
            actor=world.user("staff"), notice=notice, upload=png()
        )
        services.notice_attachment_remove(actor=world.user("staff"), attachment=attachment)
        assert not NoticeAttachment.objects.exists()
        assert AuditEvent.objects.filter(action="notice.attachment_remove").count() == 1

    def test_others_may_not_attach(self, world):
        notice = draft(world)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.notice_attachment_add(
                actor=world.user("resident"), notice=notice, upload=png()
            )
        assert snapshot() == before


class TestNoticeRead:
    def test_the_first_opening_is_recorded_once(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        first = services.notice_read(actor=world.user("resident"), notice=notice)
        again = services.notice_read(actor=world.user("resident"), notice=notice)
        assert first is not None and again is not None
        assert first.pk == again.pk
        assert NoticeRead.objects.filter(notice=notice).count() == 1
        services.notice_read(actor=world.user("leader"), notice=notice)
        assert NoticeRead.objects.filter(notice=notice).count() == 2

    def test_reading_is_not_audited(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        before = AuditEvent.objects.count()
        services.notice_read(actor=world.user("resident"), notice=notice)
        assert AuditEvent.objects.count() == before

    @pytest.mark.parametrize("traits", [{}, {"withdrawn": True}])
    def test_drafts_and_withdrawn_notices_record_nothing(self, world, traits):
        notice = NoticeFactory(estate=world.here, **traits)
        assert services.notice_read(actor=world.user("staff"), notice=notice) is None
        assert not NoticeRead.objects.exists()

    def test_anonymous_readers_record_nothing(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        assert services.notice_read(actor=world.user("anonymous"), notice=notice) is None
        assert not NoticeRead.objects.exists()

    def test_an_outsider_of_a_private_board_is_refused(self, world):
        notice = NoticeFactory(estate=world.here, published=True)
        with pytest.raises(PermissionDenied):
            services.notice_read(actor=world.user("outsider"), notice=notice)
        assert not NoticeRead.objects.exists()


class TestBoardSettingsUpdate:
    def test_staff_make_the_board_public_and_back(self, world):
        services.board_settings_update(actor=world.user("staff"), estate=world.here, public=True)
        assert BoardSettings.objects.get(estate=world.here).public is True
        services.board_settings_update(actor=world.user("staff"), estate=world.here, public=False)
        assert BoardSettings.objects.get(estate=world.here).public is False
        changes = list(
            AuditEvent.objects.filter(action="board_settings.update")
            .order_by("pk")
            .values_list("changes", flat=True)
        )
        assert changes == [{"public": [False, True]}, {"public": [True, False]}]

    @pytest.mark.parametrize(
        "role", ["owners_committee", "leader", "resident", "staff_other_estate"]
    )
    def test_others_may_not(self, world, role):
        services.board_settings_get(estate=world.here)
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.board_settings_update(actor=world.user(role), estate=world.here, public=True)
        assert snapshot() == before
