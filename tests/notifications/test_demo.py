"""The demo's messages for resident17: real notifications, their pushes skipped with reasons."""

import pytest

from linju.notifications.demo import demo_notifications
from linju.notifications.models import Delivery
from linju.notifications.selectors import unread_count
from tests.factories import EstateFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_resident17_gets_three_unread_messages_and_nothing_is_pushed(settings):
    settings.LINJU_SMS_BACKEND = "refuse"  # the demo's default: no provider, no WeChat app
    estate = EstateFactory(slug="zhonghao", name="中浩云花园")
    resident = UserFactory(username="resident17", phone="+8617490000017")
    notifications = demo_notifications(estate)
    assert [n.kind for n in notifications] == [
        "welcome.resident",
        "meeting.scheduled",
        "notice.published",
    ]
    assert unread_count(user=resident) == 3
    assert all(n.estate == estate and n.url.startswith("/") for n in notifications)
    assert "17号楼" in notifications[1].title
    assert set(Delivery.objects.values_list("channel", "status", "reason")) == {
        ("sms", "skipped", "switched_off"),
        ("wechat", "skipped", "wechat_not_configured"),
    }
