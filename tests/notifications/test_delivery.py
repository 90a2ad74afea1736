"""Pushing deliveries in the background: quiet hours, the digest, retries that never send
twice, and the real worker (``linju worker``) running the tasks notify() queued."""

import datetime
import signal

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from linju.accounts.sms import SmsError
from linju.notifications import rules
from linju.notifications.delivery import deliver_task, digest_task
from linju.notifications.models import Delivery, KindGroup
from linju.notifications.services import notify
from linju.wechat.selectors import subscription_remaining
from tests.factories import UserFactory
from tests.fakes.wechat import TEMPLATES
from tests.notifications.conftest import PHONE, at, preferences, sms_text, wechat_ready

pytestmark = pytest.mark.django_db

Status, Reason = Delivery.Status, Delivery.Reason


def _notify(recipient, title="楼组通知", **overrides):
    values = {"kind": "notice.published", "body": "请留意。"}
    return notify(recipient=recipient, title=title, **{**values, **overrides})


def _row(notification, channel="sms") -> Delivery:
    return Delivery.objects.get(notification=notification, channel=channel)


def _run(results):
    """Run recorded tasks as the worker would."""
    return [result.task.call(*result.args, **result.kwargs) for result in results]


class BrokenSms:
    """A provider that refuses every message (tests name it in LINJU_SMS_BACKEND)."""

    def send(self, phone: str, message: str) -> None:
        raise SmsError("provider says: try later")


# --- Quiet hours -----------------------------------------------------------------------------


class TestQuietHours:
    def test_just_before_quiet_hours_a_message_goes_at_once(
        self, resident, outbox, immediate_tasks, clock, django_capture_on_commit_callbacks
    ):
        clock.move_to(at(21, 59, 59))
        with django_capture_on_commit_callbacks(execute=True):
            notification = _notify(resident)
        assert _row(notification).status == Status.SENT
        assert len(outbox.messages()) == 1

    def test_in_quiet_hours_it_waits_until_they_end(
        self, resident, outbox, queued_tasks, clock, django_capture_on_commit_callbacks
    ):
        clock.move_to(at(22, 0))
        with django_capture_on_commit_callbacks(execute=True):
            notification = _notify(resident)
        row = _row(notification)
        morning = at(7, 0, day=11)
        assert (row.status, row.due_at) == (Status.QUEUED, morning)
        (result,) = queued_tasks.results
        assert (result.task.name, result.task.run_after, result.args) == (
            "deliver_task",
            morning,
            [row.pk, 0],
        )
        # A task that runs a second early sends nothing and waits again.
        clock.move_to(at(6, 59, 59, day=11))
        assert deliver_task.call(row.pk, 0) == "deferred"
        assert outbox.messages() == []
        clock.move_to(morning)
        assert deliver_task.call(row.pk, 0) == Status.SENT
        assert outbox.texts() == [sms_text("楼组通知", "请留意。")]

    def test_early_in_the_morning_it_waits_until_seven_the_same_day(
        self, resident, queued_tasks, clock
    ):
        clock.move_to(at(6, 59, 59))
        assert _row(_notify(resident)).due_at == at(7, 0)

    def test_a_task_that_runs_late_into_quiet_hours_waits(
        self, resident, outbox, queued_tasks, clock
    ):
        clock.move_to(at(21, 59))
        row = _row(_notify(resident))
        assert row.due_at == at(21, 59)
        clock.move_to(at(22, 5))  # the worker was busy
        assert deliver_task.call(row.pk, 0) == "deferred"
        row.refresh_from_db()
        assert (row.status, row.due_at) == (Status.QUEUED, at(7, 0, day=11))
        assert outbox.messages() == []

    def test_own_quiet_hours_and_none_at_all(self, resident, queued_tasks, clock):
        clock.move_to(at(13, 30))
        preferences(resident, quiet_start=datetime.time(13), quiet_end=datetime.time(14))
        assert _row(_notify(resident)).due_at == at(14, 0)
        preferences(resident, quiet_hours=False)
        clock.move_to(at(23, 30))
        assert _row(_notify(resident)).due_at == at(23, 30)

    def test_wechat_waits_too(self, resident, fake_wechat, queued_tasks, clock):
        wechat_ready(resident, appid=fake_wechat.appid)
        clock.move_to(at(23, 0))
        notification = _notify(resident)
        assert {d.channel: d.due_at for d in notification.deliveries.all()} == {
            "sms": at(7, 0, day=11),
            "wechat": at(7, 0, day=11),
        }


class TestQuietHourRules:
    """The pure rule: quiet hours across midnight, within a day, or none."""

    @pytest.mark.parametrize(
        ("hhmm", "quiet"),
        [
            ("21:59", False),
            ("22:00", True),
            ("23:59", True),
            ("00:00", True),
            ("06:59", True),
            ("07:00", False),
            ("12:00", False),
        ],
    )
    def test_across_midnight(self, hhmm, quiet):
        moment = datetime.time.fromisoformat(hhmm)
        assert rules.in_quiet_hours(moment, datetime.time(22), datetime.time(7)) is quiet

    def test_within_a_day_and_never(self):
        nap = (datetime.time(13), datetime.time(14))
        assert rules.in_quiet_hours(datetime.time(13, 30), *nap)
        assert not rules.in_quiet_hours(datetime.time(14), *nap)
        assert not rules.in_quiet_hours(datetime.time(3), datetime.time(5), datetime.time(5))

    def test_retry_delays_grow_then_stop(self):
        delays = [rules.retry_delay(n) for n in range(1, rules.MAX_ATTEMPTS + 1)]
        assert delays[:-1] == sorted(delays[:-1]) and delays[-1] is None
        assert rules.MAX_ATTEMPTS == 4


# --- The digest ------------------------------------------------------------------------------


class TestDigest:
    def test_after_three_pushes_in_an_hour_the_rest_come_as_one_digest(
        self, resident, outbox, queued_tasks, clock, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            notifications = [_notify(resident, title=f"通知{i}") for i in range(5)]
        rows = [_row(n) for n in notifications]
        assert [(r.digest, r.due_at) for r in rows] == [(False, at(10))] * 3 + [(True, at(11))] * 2
        assert [(r.task.name, r.task.run_after) for r in queued_tasks.results] == [
            ("deliver_task", None),
            ("deliver_task", None),
            ("deliver_task", None),
            ("digest_task", at(11)),
        ]
        assert _run(queued_tasks.results[:3]) == [Status.SENT] * 3
        clock.move_to(at(10, 59))
        assert digest_task.call(resident.pk, "sms") == "nothing due"
        clock.move_to(at(11))
        assert _run(queued_tasks.results[3:]) == [Status.SENT]
        texts = outbox.texts()
        assert len(texts) == 4
        assert "通知3" in texts[3] and "通知4" in texts[3] and "2" in texts[3]
        assert {(r.status, r.attempts) for r in Delivery.objects.filter(digest=True)} == {
            (Status.SENT, 1)
        }
        # The digest task running again finds nothing left to send.
        assert digest_task.call(resident.pk, "sms") == "nothing due"
        assert len(outbox.texts()) == 4

    def test_after_the_window_messages_go_one_by_one_again(
        self, resident, outbox, immediate_tasks, clock, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            for minute in (0, 20, 40, 50):
                clock.move_to(at(10, minute))
                _notify(resident, title=f"{minute}分")
            assert Delivery.objects.filter(channel="sms", digest=True).count() == 1
            clock.move_to(at(11))
            digest_task.call(resident.pk, "sms")
            clock.move_to(at(11, 5))
            late = _notify(resident, title="11点05分")
        assert (_row(late).digest, _row(late).status) == (False, Status.SENT)
        assert len(outbox.texts()) == 5

    def test_with_the_digest_off_every_message_goes_on_its_own(
        self, resident, outbox, immediate_tasks, clock, django_capture_on_commit_callbacks
    ):
        preferences(resident, digest=False)
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(5):
                _notify(resident, title=f"通知{i}")
        assert len(outbox.texts()) == 5
        assert not Delivery.objects.filter(digest=True).exists()

    def test_urgent_messages_are_neither_held_nor_counted(
        self, resident, outbox, immediate_tasks, clock, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(3):
                _notify(resident, title=f"紧急{i}", urgent=True)
            for i in range(3):
                _notify(resident, title=f"通知{i}")
            urgent = _notify(resident, title="再紧急", urgent=True)
        assert _row(urgent).status == Status.SENT
        assert not Delivery.objects.filter(digest=True).exists()
        assert len(outbox.texts()) == 7

    def test_a_night_of_messages_comes_as_three_and_then_a_digest(
        self, resident, queued_tasks, clock
    ):
        clock.move_to(at(23, 0))
        rows = [_row(_notify(resident, title=f"夜里{i}")) for i in range(5)]
        morning = at(7, 0, day=11)
        assert [(r.digest, r.due_at) for r in rows] == [(False, morning)] * 3 + [
            (True, morning + datetime.timedelta(hours=1))
        ] * 2

    def test_a_held_message_whose_kind_was_switched_off_is_not_sent(
        self, resident, outbox, queued_tasks, clock
    ):
        for i in range(3):
            _notify(resident, title=f"通知{i}")
        held_vote = _row(_notify(resident, kind="decision.opened", title="投票开始"))
        held_notice = _row(_notify(resident, title="还有一条通知"))
        preferences(resident, sms_groups=[KindGroup.NOTICES])
        clock.move_to(at(11))
        assert digest_task.call(resident.pk, "sms") == Status.SENT
        held_vote.refresh_from_db()
        held_notice.refresh_from_db()
        assert (held_vote.status, held_vote.reason) == (Status.SKIPPED, Reason.SWITCHED_OFF)
        # Only one message was left: it goes as itself, not as "1 new message".
        assert held_notice.status == Status.SENT
        assert outbox.texts() == [sms_text("还有一条通知", "请留意。")]


# --- Retries and idempotency -----------------------------------------------------------------


@pytest.fixture
def on_wechat(resident, fake_wechat):
    """The resident, reached by WeChat only (text messages off)."""
    preferences(resident, sms_groups=[])
    wechat_ready(resident, appid=fake_wechat.appid, remaining=3)
    return resident


class TestRetries:
    def test_the_same_task_run_twice_sends_once(self, on_wechat, fake_wechat, queued_tasks, clock):
        row = _row(_notify(on_wechat), "wechat")
        assert deliver_task.call(row.pk, 0) == Status.SENT
        assert deliver_task.call(row.pk, 0) == "already handled"
        assert len(fake_wechat.sent) == 1
        assert (
            subscription_remaining(row.recipient.wechat_identities.get(), TEMPLATES["default"]) == 2
        )

    def test_a_row_claimed_by_another_task_is_left_alone(
        self, on_wechat, fake_wechat, queued_tasks, clock
    ):
        row = _row(_notify(on_wechat), "wechat")
        Delivery.objects.filter(pk=row.pk).update(status=Status.SENDING, attempts=1)
        assert deliver_task.call(row.pk, 0) == "already handled"
        assert deliver_task.call(row.pk, 1) == "already handled"
        assert fake_wechat.sent == []

    def test_a_busy_wechat_is_tried_again_later_and_the_stale_task_sends_nothing(
        self, on_wechat, fake_wechat, queued_tasks, clock, django_capture_on_commit_callbacks
    ):
        row = _row(_notify(on_wechat), "wechat")
        fake_wechat.fail_next("send", -1)
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver_task.call(row.pk, 0) == Status.QUEUED
        row.refresh_from_db()
        assert (row.status, row.attempts, row.due_at) == (Status.QUEUED, 1, at(10, 1))
        assert "-1" in row.last_error
        (retry,) = queued_tasks.results
        assert (retry.task.run_after, retry.args) == (at(10, 1), [row.pk, 1])
        # The first task, delivered twice by the queue, finds its attempt already made.
        assert deliver_task.call(row.pk, 0) == "already handled"
        clock.move_to(at(10, 1))
        assert _run([retry]) == [Status.SENT]
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.SENT, 2)
        assert len(fake_wechat.sent) == 1

    def test_it_gives_up_after_four_tries(self, on_wechat, fake_wechat, queued_tasks, clock):
        row = _row(_notify(on_wechat), "wechat")
        fake_wechat.fail_next("send", 45011, times=rules.MAX_ATTEMPTS)
        outcomes = []
        for attempt in range(rules.MAX_ATTEMPTS):
            outcomes.append(deliver_task.call(row.pk, attempt))
            row.refresh_from_db()
            clock.move_to(row.due_at)
        assert outcomes == [Status.QUEUED] * 3 + [Status.FAILED]
        assert (row.status, row.reason, row.attempts) == (Status.FAILED, Reason.GAVE_UP, 4)
        assert fake_wechat.sent == []
        assert deliver_task.call(row.pk, 4) == "already handled"

    def test_a_refusal_that_retrying_cannot_fix_fails_at_once(
        self, on_wechat, fake_wechat, queued_tasks, clock, django_capture_on_commit_callbacks
    ):
        row = _row(_notify(on_wechat), "wechat")
        fake_wechat.fail_next("send", 40037)  # invalid template id
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver_task.call(row.pk, 0) == Status.FAILED
        row.refresh_from_db()
        assert (row.status, row.reason, row.attempts) == (Status.FAILED, Reason.REFUSED, 1)
        assert queued_tasks.results == []

    def test_a_person_who_no_longer_accepts_the_template_is_skipped(
        self, on_wechat, fake_wechat, queued_tasks, clock
    ):
        row = _row(_notify(on_wechat), "wechat")
        fake_wechat.fail_next("send", 43101)
        assert deliver_task.call(row.pk, 0) == Status.SKIPPED
        row.refresh_from_db()
        assert (row.status, row.reason) == (Status.SKIPPED, Reason.NOT_SUBSCRIBED)
        identity = on_wechat.wechat_identities.get()
        assert subscription_remaining(identity, TEMPLATES["default"]) == 0
        # With nothing left, the next notification does not even try WeChat.
        assert _row(_notify(on_wechat), "wechat").reason == Reason.NOT_SUBSCRIBED

    def test_an_expired_token_costs_one_more_request_not_one_more_message(
        self, on_wechat, fake_wechat, queued_tasks, clock
    ):
        first = _row(_notify(on_wechat, title="第一条"), "wechat")
        second = _row(_notify(on_wechat, title="第二条"), "wechat")
        deliver_task.call(first.pk, 0)
        fake_wechat.expire_token()
        assert deliver_task.call(second.pk, 0) == Status.SENT
        assert [m["data"]["thing1"]["value"] for m in fake_wechat.sent] == ["第一条", "第二条"]

    def test_a_refusing_sms_provider_is_retried(
        self, resident, outbox, settings, queued_tasks, clock
    ):
        settings.LINJU_SMS_BACKEND = "tests.notifications.test_delivery.BrokenSms"
        row = _row(_notify(resident))
        assert deliver_task.call(row.pk, 0) == Status.QUEUED
        settings.LINJU_SMS_BACKEND = "file"
        clock.move_to(at(10, 1))
        assert deliver_task.call(row.pk, 1) == Status.SENT
        assert len(outbox.messages()) == 1

    def test_switched_off_after_queuing_is_not_sent(self, resident, outbox, queued_tasks, clock):
        row = _row(_notify(resident))
        preferences(resident, sms_groups=[])
        assert deliver_task.call(row.pk, 0) == "skipped"
        row.refresh_from_db()
        assert (row.status, row.reason) == (Status.SKIPPED, Reason.SWITCHED_OFF)
        assert outbox.messages() == []


class TestWeChatMessage:
    def test_the_template_gets_title_summary_and_time_within_wechats_limits(
        self, on_wechat, fake_wechat, queued_tasks, clock
    ):
        row = _row(
            _notify(
                on_wechat, title="关于17号楼门厅微更新方案和筹款办法的居民议事会", body="周六上午"
            ),
            "wechat",
        )
        deliver_task.call(row.pk, 0)
        (message,) = fake_wechat.sent
        assert message["touser"] == "oResidentOpenId0000000000001"
        assert message["template_id"] == TEMPLATES["default"]
        assert message["data"] == {
            "thing1": {"value": "关于17号楼门厅微更新方案和筹款办法的…"},
            "thing2": {"value": "周六上午"},
            "time3": {"value": "2026-03-10 10:00"},
        }
        assert len(message["data"]["thing1"]["value"]) == 20

    def test_votes_use_their_own_template(self, on_wechat, fake_wechat, queued_tasks, clock):
        row = _row(_notify(on_wechat, kind="decision.opened", title="投票开始"), "wechat")
        deliver_task.call(row.pk, 0)
        assert fake_wechat.sent[0]["template_id"] == TEMPLATES["votes"]

    def test_without_a_template_for_the_kind_wechat_is_skipped(
        self, on_wechat, fake_wechat, settings, queued_tasks, clock
    ):
        settings.LINJU_WECHAT_TEMPLATES = {"votes": TEMPLATES["votes"]}
        assert _row(_notify(on_wechat), "wechat").reason == Reason.NO_TEMPLATE

    def test_an_account_not_linked_to_wechat_is_skipped(self, fake_wechat, clock):
        user = UserFactory(phone=PHONE)
        assert _row(_notify(user), "wechat").reason == Reason.NOT_BOUND


# --- The real worker -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
class TestWorker:
    """notify() in a committed transaction, then ``linju worker --batch`` on the database queue."""

    def _worker(self):
        # The worker installs its own signal handlers; the test run gets its own back after.
        signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
        handlers = [signal.getsignal(s) for s in signals]
        try:
            call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        finally:
            for number, handler in zip(signals, handlers, strict=True):
                signal.signal(number, handler)

    def test_the_worker_sends_after_commit_and_not_before_quiet_hours_end(self, outbox, clock):
        user = UserFactory(phone=PHONE)
        preferences(user, sms_groups=list(KindGroup.values))
        clock.move_to(at(23, 0))
        with transaction.atomic():
            notification = _notify(user)
            assert DBTaskResult.objects.count() == 0
        (queued,) = DBTaskResult.objects.all()
        assert queued.run_after == at(7, 0, day=11)
        self._worker()
        assert outbox.messages() == []
        clock.move_to(at(7, 0, day=11))
        self._worker()
        assert outbox.texts() == [sms_text("楼组通知", "请留意。")]
        assert _row(notification).status == Status.SENT
        # The worker also books the daily retention purge when it starts; the send is done.
        assert DBTaskResult.objects.get(pk=queued.pk).status == "SUCCESSFUL"

    def test_a_rolled_back_transaction_queues_nothing(self, outbox, clock):
        user = UserFactory(phone=PHONE)
        preferences(user, sms_groups=list(KindGroup.values))
        with pytest.raises(RuntimeError), transaction.atomic():
            _notify(user)
            raise RuntimeError("the caller's write failed")
        assert DBTaskResult.objects.count() == 0
        self._worker()
        assert outbox.messages() == []
        assert not Delivery.objects.exists()
