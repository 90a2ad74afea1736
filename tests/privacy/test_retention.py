"""The retention table and its purge, at the exact boundaries of each period."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from linju.accounts.models import Consent, PhoneCode
from linju.core import audit
from linju.core.models import SecurityEvent
from linju.membership.models import JoinRequest
from linju.notifications.models import Notification
from linju.privacy import tasks
from linju.privacy.retention import RETENTION, retention_purge, security_events_kept
from tests.factories import JoinRequestFactory, UserFactory
from tests.notifications.factories import NotificationFactory

START = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


def _code(at: datetime.datetime) -> PhoneCode:
    return PhoneCode.objects.create(
        phone="+8613800138000",
        purpose="sign_in",
        nonce=f"n{at.timestamp()}",
        created_at=at,
        expires_at=at + datetime.timedelta(minutes=10),
    )


def _security_event(at: datetime.datetime) -> SecurityEvent:
    with time_machine.travel(at, tick=False):
        return audit.record_security(user=None, event="sign_in.failed")


def test_table_documents_every_kind():
    assert set(RETENTION) == {
        "sign_in_codes",
        "security_events",
        "consents_withdrawn",
        "join_requests_closed",
        "notifications_read",
        "roster_uploads",
        "ballot_links",
        "decision_records",
        "notice_reads",
        "idempotency_keys",
    }
    assert RETENTION["consents_withdrawn"].expired is None  # kept as proof
    assert RETENTION["decision_records"].expired is None  # the decision's legal record


@pytest.mark.django_db
class TestSignInCodes:
    def test_a_code_exactly_one_day_old_stays_one_second_older_goes(self):
        kept = _code(START - datetime.timedelta(days=1))
        _code(START - datetime.timedelta(days=1) - SECOND)
        assert retention_purge(now=START)["sign_in_codes"] == 1
        assert list(PhoneCode.objects.all()) == [kept]


@pytest.mark.django_db
class TestSecurityEvents:
    def test_default_period_is_365_days(self, settings):
        del settings.LINJU_SECURITY_LOG_DAYS
        assert security_events_kept() == datetime.timedelta(days=365)

    def test_boundary_of_the_configured_period(self, settings):
        settings.LINJU_SECURITY_LOG_DAYS = 200
        kept = _security_event(START - datetime.timedelta(days=200))
        _security_event(START - datetime.timedelta(days=200) - SECOND)
        assert retention_purge(now=START)["security_events"] == 1
        assert list(SecurityEvent.objects.all()) == [kept]

    @pytest.mark.parametrize("days", [0, 30, 182])
    def test_younger_than_six_months_never_purged_whatever_the_setting(self, settings, days):
        settings.LINJU_SECURITY_LOG_DAYS = days
        assert security_events_kept() == datetime.timedelta(days=183)
        kept = _security_event(START - datetime.timedelta(days=183))
        _security_event(START - datetime.timedelta(days=31))
        _security_event(START - datetime.timedelta(days=183) - SECOND)
        assert retention_purge(now=START)["security_events"] == 1
        assert kept in SecurityEvent.objects.all()
        assert SecurityEvent.objects.count() == 2


@pytest.mark.django_db
class TestJoinRequests:
    def test_refused_requests_go_180_days_after_the_decision(self):
        edge = START - datetime.timedelta(days=180)
        kept = JoinRequestFactory(rejected=True, decided_at=edge)
        JoinRequestFactory(rejected=True, decided_at=edge - SECOND)
        approved = JoinRequestFactory(approved=True, decided_at=edge - datetime.timedelta(days=9))
        pending = JoinRequestFactory(created_at=edge - datetime.timedelta(days=9))
        assert retention_purge(now=START)["join_requests_closed"] == 1
        assert set(JoinRequest.objects.all()) == {kept, approved, pending}

    def test_withdrawn_requests_count_from_when_they_were_asked(self):
        edge = START - datetime.timedelta(days=180)
        kept = JoinRequestFactory(withdrawn=True, created_at=edge)
        JoinRequestFactory(withdrawn=True, created_at=edge - SECOND)
        assert retention_purge(now=START)["join_requests_closed"] == 1
        assert list(JoinRequest.objects.all()) == [kept]


@pytest.mark.django_db
class TestNotifications:
    def test_read_messages_go_a_year_after_reading_unread_ones_stay(self):
        edge = START - datetime.timedelta(days=365)
        kept = NotificationFactory(read_at=edge)
        NotificationFactory(read_at=edge - SECOND)
        unread = NotificationFactory(created_at=edge - datetime.timedelta(days=400))
        assert retention_purge(now=START)["notifications_read"] == 1
        assert set(Notification.objects.all()) == {kept, unread}


@pytest.mark.django_db
def test_withdrawn_consents_are_kept():
    user = UserFactory()
    Consent.objects.create(
        user=user,
        kind="publish_name",
        version="v1",
        given_at=START - datetime.timedelta(days=3000),
        withdrawn_at=START - datetime.timedelta(days=2000),
    )
    counts = retention_purge(now=START)
    assert "consents_withdrawn" not in counts
    assert Consent.objects.count() == 1


@pytest.mark.django_db
def test_dry_run_counts_and_changes_nothing():
    _code(START - datetime.timedelta(days=2))
    assert retention_purge(now=START, dry_run=True)["sign_in_codes"] == 1
    assert PhoneCode.objects.count() == 1


@pytest.mark.django_db
def test_command_prints_the_counts(capsys):
    _code(timezone.now() - datetime.timedelta(days=2))
    call_command("purge_expired", "--dry-run")
    out = capsys.readouterr().out
    assert "sign_in_codes: would delete 1" in out
    assert "consents_withdrawn: kept" in out
    assert PhoneCode.objects.count() == 1
    call_command("purge_expired")
    assert "sign_in_codes: deleted 1" in capsys.readouterr().out
    assert PhoneCode.objects.count() == 0


@pytest.mark.django_db
class TestDailyTask:
    def test_run_purges_and_books_the_next_day_once(self):
        from django_tasks_db.models import DBTaskResult

        _code(START - datetime.timedelta(days=2))
        with time_machine.travel(START, tick=False):
            counts = tasks.retention_run.call()
            assert counts["sign_in_codes"] == 1
            waiting = DBTaskResult.objects.get()
            assert waiting.run_after == START + datetime.timedelta(days=1)
            assert tasks.retention_schedule() is False  # already booked
            assert DBTaskResult.objects.count() == 1

    def test_schedule_leaves_backends_that_cannot_wait_alone(self, settings):
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        assert tasks.retention_schedule() is False
