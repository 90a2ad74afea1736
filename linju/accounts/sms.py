"""Sending text messages: one small interface, a backend chosen by settings.

``LINJU_SMS_BACKEND`` names a class with ``send(phone: str, message: str) -> None`` (``phone`` in
E.164). Shipped here: ``console`` (prints, for development), ``file`` (appends JSON lines to
``LINJU_DATA_DIR/sms-outbox.jsonl``, for the demo and tests), and ``refuse`` (production default
until a provider is configured: sending fails loudly instead of pretending). A real provider
(Aliyun, Tencent Cloud SMS, …) is a class of the same shape in the deployment's own package,
named in ``LINJU_SMS_BACKEND``; its credentials come from the environment, never from the repo.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from linju.core.phones import normalise_phone

# The demo estate's numbers lie in the unissued 1749 block: nothing is ever sent to them.
DEMO_BLOCK = "+861749"


class SmsError(Exception):
    """The message could not be handed to the provider."""


class SmsBackend(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class ConsoleBackend:
    def send(self, phone: str, message: str) -> None:
        print(f"[sms to {phone}] {message}", file=sys.stderr)


class FileBackend:
    """One JSON object per line: {"at", "phone", "message"}; tests and the demo read it."""

    _lock = threading.Lock()

    def send(self, phone: str, message: str) -> None:
        line = json.dumps(
            {"at": timezone.now().isoformat(), "phone": phone, "message": message},
            ensure_ascii=False,
        )
        with self._lock, outbox_path().open("a", encoding="utf-8") as outbox:
            outbox.write(line + "\n")


class RefuseBackend:
    def send(self, phone: str, message: str) -> None:
        raise SmsError("no SMS provider is configured (set LINJU_SMS_BACKEND)")


BACKENDS = {
    "console": "linju.accounts.sms.ConsoleBackend",
    "file": "linju.accounts.sms.FileBackend",
    "refuse": "linju.accounts.sms.RefuseBackend",
}


def outbox_path():
    return settings.DATA_DIR / "sms-outbox.jsonl"


def backend() -> SmsBackend:
    name = settings.LINJU_SMS_BACKEND
    return import_string(BACKENDS.get(name, name))()


def send_sms(*, phone: str, message: str) -> bool:
    """Send ``message`` to ``phone`` (any typed form; normalised here). Returns False, sending
    nothing, for numbers of the demo block; raises SmsError if the provider refuses."""
    number = normalise_phone(phone)
    if number is None:
        raise SmsError(f"not a mainland mobile number: {phone!r}")
    if number.startswith(DEMO_BLOCK) and settings.LINJU_SMS_BACKEND not in ("console", "file"):
        return False
    backend().send(number, message)
    return True
