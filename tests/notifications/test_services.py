"""Marking read and saving preferences: one's own only; refused or invalid writes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linju.core.models import AuditEvent
from linju.notifications.models import KindGroup, Notification, NotificationPreference
from linju.notifications.selectors import preferences_for, unread_count
from linju.notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    preferences_update,
)
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


class TestMarkRead:
    def test_marks_ones_own_notification_read_once(self):
        notification = NotificationFactory()
        notification_mark_read(actor=notification.recipient, notification=notification)
        first = Notification.objects.get().read_at
        assert first is not None
        notification_mark_read(actor=notification.recipient, notification=notification)
        assert Notification.objects.get().read_at == first

    @pytest.mark.parametrize("who", ["someone else", "a platform admin"])
    def test_nobody_else_may(self, who):
        notification = NotificationFactory()
        other = UserFactory(is_superuser=who == "a platform admin")
        with pytest.raises(PermissionDenied):
            notification_mark_read(actor=other, notification=notification)
        assert Notification.objects.get().read_at is None

    def test_mark_all_touches_only_ones_own(self):
        owner = UserFactory()
        NotificationFactory.create_batch(3, recipient=owner)
        theirs = NotificationFactory()
        assert unread_count(user=owner) == 3
        assert notifications_mark_all_read(actor=owner) == 3
        assert unread_count(user=owner) == 0
        assert unread_count(user=theirs.recipient) == 1
        assert not AuditEvent.objects.exists()  # a read flag is the reader's own bookkeeping


class TestPreferences:
    def _update(self, user, actor=None, **overrides):
        values = {
            "sms_groups": ["home"],
            "wechat_groups": ["notices", "votes"],
            "quiet_hours": True,
            "quiet_start": datetime.time(21),
            "quiet_end": datetime.time(6),
            "digest": False,
        }
        return preferences_update(actor=actor or user, user=user, **{**values, **overrides})

    def test_the_defaults_are_texts_for_votes_wechat_on_quiet_nights_and_a_digest(self):
        defaults = preferences_for(UserFactory())
        assert defaults.pk is None
        assert (defaults.sms_groups, defaults.wechat_groups) == (["votes"], list(KindGroup.values))
        assert (defaults.quiet_hours, defaults.quiet_start, defaults.quiet_end) == (
            True,
            datetime.time(22),
            datetime.time(7),
        )
        assert defaults.digest

    def test_saves_and_audits_the_change(self):
        user = UserFactory()
        saved = self._update(user, wechat_groups=["votes", "notices", "votes"])
        assert saved.wechat_groups == ["notices", "votes"]
        assert (saved.quiet_start, saved.quiet_end, saved.digest) == (
            datetime.time(21),
            datetime.time(6),
            False,
        )
        event = AuditEvent.objects.get(action="notification_preferences.update")
        assert event.actor == user and event.estate is None
        assert event.changes["digest"] == [True, False]

    def test_nobody_sets_anyone_elses(self):
        user = UserFactory()
        with pytest.raises(PermissionDenied):
            self._update(user, actor=UserFactory(is_superuser=True))
        assert not NotificationPreference.objects.exists()
        assert not AuditEvent.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"sms_groups": ["home", "everything"]}, "sms_groups"),
            ({"wechat_groups": ["<script>"]}, "wechat_groups"),
            ({"quiet_start": datetime.time(7), "quiet_end": datetime.time(7)}, "quiet_end"),
        ],
    )
    def test_invalid_choices_are_refused_and_nothing_is_written(self, overrides, field):
        user = UserFactory()
        with pytest.raises(ValidationError) as caught:
            self._update(user, **overrides)
        assert field in caught.value.error_dict
        assert not NotificationPreference.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_equal_times_are_fine_when_quiet_hours_are_off(self):
        saved = self._update(
            UserFactory(),
            quiet_hours=False,
            quiet_start=datetime.time(7),
            quiet_end=datetime.time(7),
        )
        assert not saved.quiet_hours
