"""notify(): the inbox entry in the caller's transaction, pushes only after it commits."""

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy

from linju.notifications.models import Delivery, Notification
from linju.notifications.services import notify
from tests.factories import EstateFactory, UserFactory
from tests.notifications.conftest import at, preferences, sms_text

pytestmark = pytest.mark.django_db

Status, Reason = Delivery.Status, Delivery.Reason


def _notify(recipient, **overrides):
    values = {
        "recipient": recipient,
        "kind": "meeting.scheduled",
        "title": "17号楼议事会",
        "body": "周六上午9:30在门厅。",
    }
    return notify(**{**values, **overrides})


def _deliveries(notification) -> dict[str, tuple[str, str]]:
    return {d.channel: (d.status, d.reason) for d in notification.deliveries.all()}


class TestNotify:
    def test_writes_the_inbox_entry_and_one_delivery_per_push_channel(
        self, resident, outbox, immediate_tasks, clock, django_capture_on_commit_callbacks
    ):
        estate = EstateFactory()
        with django_capture_on_commit_callbacks(execute=True):
            notification = _notify(resident, estate=estate, url="/e/here/b/17/")
        assert (notification.recipient, notification.estate, notification.read_at) == (
            resident,
            estate,
            None,
        )
        assert notification.url == "/e/here/b/17/"
        assert _deliveries(notification) == {
            "sms": (Status.SENT, ""),
            "wechat": (Status.SKIPPED, Reason.WECHAT_NOT_CONFIGURED),
        }
        assert outbox.messages() == [
            {
                "at": outbox.messages()[0]["at"],
                "phone": "+8613800138000",
                "message": sms_text("17号楼议事会", "周六上午9:30在门厅。"),
            }
        ]

    def test_nothing_is_sent_before_the_caller_commits(
        self, resident, outbox, queued_tasks, clock, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notification = _notify(resident)
        assert queued_tasks.results == []
        assert Delivery.objects.get(notification=notification, channel="sms").status == "queued"
        for callback in callbacks:
            callback()
        (result,) = queued_tasks.results
        assert result.task.name == "deliver_task"
        assert result.args == [Delivery.objects.get(channel="sms").pk, 0]

    def test_a_rolled_back_caller_leaves_no_notification_and_sends_nothing(
        self, resident, outbox, immediate_tasks, clock, django_capture_on_commit_callbacks
    ):
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            _notify(resident)
            raise RuntimeError("the caller's write failed")
        assert callbacks == []
        assert Notification.objects.count() == 0
        assert Delivery.objects.count() == 0
        assert outbox.messages() == []

    def test_without_a_phone_or_with_text_messages_off_nothing_is_texted(
        self, outbox, immediate_tasks, clock, django_capture_on_commit_callbacks
    ):
        no_phone = UserFactory()
        preferences(no_phone, sms_groups=["notices"])
        texts_off = UserFactory(phone="+8613900139000")  # the default: text messages off
        with django_capture_on_commit_callbacks(execute=True):
            first = _notify(no_phone)
            second = _notify(texts_off)
        assert _deliveries(first)["sms"] == (Status.SKIPPED, Reason.NO_PHONE)
        assert _deliveries(second)["sms"] == (Status.SKIPPED, Reason.SWITCHED_OFF)
        assert outbox.messages() == []

    def test_switches_apply_per_kind_of_message(
        self, resident, outbox, immediate_tasks, clock, django_capture_on_commit_callbacks
    ):
        preferences(resident, sms_groups=["home"])
        with django_capture_on_commit_callbacks(execute=True):
            home = _notify(resident, kind="membership.approved", title="您已加入17-1-302")
            notice = _notify(resident, kind="notice.published", title="停水通知")
        assert _deliveries(home)["sms"] == (Status.SENT, "")
        assert _deliveries(notice)["sms"] == (Status.SKIPPED, Reason.SWITCHED_OFF)
        assert outbox.texts() == [sms_text("您已加入17-1-302", "周六上午9:30在门厅。")]

    def test_without_an_sms_provider_the_channel_says_so(
        self, resident, settings, clock, django_capture_on_commit_callbacks
    ):
        settings.LINJU_SMS_BACKEND = "refuse"
        with django_capture_on_commit_callbacks(execute=True):
            notification = _notify(resident)
        assert _deliveries(notification)["sms"] == (Status.SKIPPED, Reason.SMS_NOT_CONFIGURED)

    def test_lazy_text_is_written_in_the_recipients_language(self, clock):
        chinese = UserFactory(language="zh-hans")
        english = UserFactory(language="en")
        title = gettext_lazy("My home")
        assert _notify(chinese, title=title).title == "我的家"
        assert _notify(english, title=title).title == "My home"

    def test_long_text_is_shortened_and_nul_dropped(self, clock):
        user = UserFactory()
        notification = _notify(user, title="长" * 500, body="a\x00b" + "字" * 5000)
        assert len(notification.title) == 120 and notification.title.endswith("…")
        assert notification.body.startswith("ab") and len(notification.body) == 2000

    @pytest.mark.parametrize(
        "overrides",
        [
            {"kind": "nodot"},
            {"kind": "Bad.Kind"},
            {"kind": ""},
            {"title": "   "},
            {"url": "https://elsewhere.example/"},
            {"url": "//elsewhere.example/"},
            {"url": "/\\elsewhere"},
            {"url": "javascript:alert(1)"},
            {"url": "/a b"},
        ],
        ids=repr,
    )
    def test_a_malformed_call_is_refused_and_writes_nothing(self, overrides, clock):
        with pytest.raises(ValueError):
            _notify(UserFactory(), **overrides)
        assert Notification.objects.count() == Delivery.objects.count() == 0

    def test_urgent_messages_ignore_quiet_hours(
        self, resident, outbox, immediate_tasks, clock, django_capture_on_commit_callbacks
    ):
        clock.move_to(at(23, 30))
        with django_capture_on_commit_callbacks(execute=True):
            urgent = _notify(resident, title="明早停水", urgent=True)
            ordinary = _notify(resident, title="议事会")
        assert _deliveries(urgent)["sms"] == (Status.SENT, "")
        assert _deliveries(ordinary)["sms"] == (Status.QUEUED, "")
        assert outbox.texts() == [sms_text("明早停水", "周六上午9:30在门厅。")]
