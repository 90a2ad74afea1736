"""Text messages go to a per-test outbox file and tasks run at once, so a test can read the
code a person would receive."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _sms_outbox(settings, tmp_path):
    settings.LINJU_SMS_BACKEND = "file"
    settings.DATA_DIR = tmp_path
    settings.TASKS = IMMEDIATE_TASKS


def outbox(data_dir: Path) -> list[dict[str, str]]:
    path = data_dir / "sms-outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def code_in(message: str) -> str:
    found = re.search(r"\b(\d{6})\b", message)
    assert found, f"no code in {message!r}"
    return found.group(1)


class Phones:
    """Reads the outbox of the current test."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir

    def messages(self, phone: str | None = None) -> list[dict[str, str]]:
        return [m for m in outbox(self.data_dir) if phone is None or m["phone"] == phone]

    def last_code(self, phone: str) -> str:
        messages = self.messages(phone)
        assert messages, f"no text message to {phone}"
        return code_in(messages[-1]["message"])


@pytest.fixture
def phones(settings) -> Phones:
    return Phones(Path(settings.DATA_DIR))


@pytest.fixture
def ask(django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """``ask(phone, purpose="sign_in", ip=...)``: phone_code_request, with its send task run."""
    from linju.accounts.services import phone_code_request

    def run(phone: str, purpose: str = "sign_in", ip: str | None = "203.0.113.9"):
        with django_capture_on_commit_callbacks(execute=True):
            return phone_code_request(phone=phone, ip=ip, purpose=purpose)

    return run
