"""Fixtures for notification tests: task backends, the SMS outbox, a person ready for each
channel, and moments in Shanghai time."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext

from linju.notifications.models import KindGroup, NotificationPreference
from linju.wechat.models import WeChatIdentity, WeChatSubscription
from tests.factories import UserFactory
from tests.fakes.wechat import TEMPLATES, fake_wechat  # noqa: F401 - the fixture

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE = "+8613800138000"
OPENID = "oResidentOpenId0000000000001"


def at(hour: int, minute: int = 0, second: int = 0, *, day: int = 10) -> datetime.datetime:
    """A moment on 2026-03-<day> in Shanghai."""
    return datetime.datetime(2026, 3, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    """``clock.move_to(moment)``: time stands still at ``moment`` until moved again."""
    with time_machine.travel(at(10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run as soon as they are enqueued (after the commit), in this thread."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def queued_tasks(settings):
    """Tasks are only recorded (with their run_after): ``queued_tasks.results``."""
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return task_backends["default"]


class Outbox:
    def __init__(self, path):
        self.path = path

    def messages(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text("utf-8").splitlines()]

    def texts(self) -> list[str]:
        return [m["message"] for m in self.messages()]


@pytest.fixture
def outbox(settings, tmp_path):
    """Text messages go to a file of this test's own."""
    settings.LINJU_SMS_BACKEND = "file"
    settings.DATA_DIR = tmp_path
    return Outbox(tmp_path / "sms-outbox.jsonl")


def sms_text(title: str, body: str, language: str = "zh-hans") -> str:
    """A single notification as a text message, in the recipient's language."""
    with translation.override(language):
        return gettext("%(title)s: %(body)s") % {"title": title, "body": body}


def preferences(user, **values) -> NotificationPreference:
    row, _created = NotificationPreference.objects.get_or_create(user=user)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


@pytest.fixture
def resident(db, outbox):
    """A resident with a phone who switched text messages on for everything (text messages
    go to this test's outbox file)."""
    user = UserFactory(username="resident", phone=PHONE)
    preferences(user, sms_groups=list(KindGroup.values))
    return user


def wechat_ready(user, *, appid: str, remaining: int = 10) -> WeChatIdentity:
    """Bind ``user`` to WeChat and let them receive ``remaining`` messages of each template."""
    identity = WeChatIdentity.objects.create(user=user, appid=appid, openid=OPENID)
    for template_id in TEMPLATES.values():
        WeChatSubscription.objects.create(
            identity=identity, template_id=template_id, remaining=remaining
        )
    return identity
