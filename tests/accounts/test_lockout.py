"""Password sign-in locks out after repeated failures (django-axes per account, our own count
per network), with the same answers for accounts that exist and accounts that do not."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.translation import gettext

from linju.accounts import services
from linju.core.models import SecurityEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
LOCKED_TEXT = "Too many wrong passwords."


@pytest.fixture
def member():
    return UserFactory(username="member", phone="+8613800138000")


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _try(client: Client, username: str, password: str, ip: str = "203.0.113.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(member, clock):
    client = Client()
    statuses = [_try(client, "member", "wrong").status_code for _ in range(5)]
    assert statuses == [422, 422, 422, 422, 429]
    locked = _try(client, "member", PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert not _signed_in(client)
    clock.shift(datetime.timedelta(minutes=15, seconds=1))
    assert _try(client, "member", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_the_lockout_message_is_translated_and_shown_on_the_form(member, clock):
    """The page is in Chinese: the message comes from the catalogue, not the English source."""
    client = Client()
    for _ in range(5):
        response = _try(client, "member", "wrong")
    html = response.content.decode()
    assert response.status_code == 429
    assert 'id="password-form"' in html
    message = services._locked_out_message(datetime.timedelta(minutes=15))
    assert message in html.replace("&#x27;", "'")
    assert LOCKED_TEXT not in html, "the lockout message is not translated into Chinese"
    assert "密码" in message


def test_the_sign_in_name_and_the_phone_share_one_count(member, clock):
    client = Client()
    for typed in ("member", "member", "138 0013 8000", "+86 138-0013-8000"):
        assert _try(client, typed, "wrong").status_code == 422
    assert _try(client, "13800138000", "wrong").status_code == 429
    assert _try(client, "member", PASSWORD).status_code == 429


def test_unknown_accounts_are_answered_alike(member, clock):
    known = [_try(Client(), "member", "wrong").status_code for _ in range(6)]
    unknown = [_try(Client(), "nobody", "wrong").status_code for _ in range(6)]
    assert known == unknown == [422, 422, 422, 422, 429, 429]


def test_a_locked_account_can_still_sign_in_by_code(member, clock, ask, phones):
    client = Client()
    for _ in range(5):
        _try(client, "member", "wrong")
    ask(member.phone)
    user = services.phone_code_sign_in(phone=member.phone, code=phones.last_code(member.phone))
    assert user == member


def test_thirty_failures_from_one_network_pause_password_sign_in_there(member, clock):
    for i in range(30):
        assert _try(Client(), f"guess{i}", "wrong", ip="198.51.100.3").status_code == 422
    assert _try(Client(), "member", PASSWORD, ip="198.51.100.3").status_code == 429
    assert _try(Client(), "member", PASSWORD, ip="198.51.100.4").status_code == 302


def test_sign_ins_and_failures_are_in_the_security_log(member, clock):
    client = Client()
    _try(client, "member", "wrong")
    _try(client, "member", PASSWORD)
    events = list(SecurityEvent.objects.order_by("id").values_list("event", "detail", "ip"))
    assert events == [
        ("sign_in.failed", "password: member", "203.0.113.5"),
        ("sign_in", "password", "203.0.113.5"),
    ]


def test_the_service_is_what_the_api_calls(member, clock):
    """password_sign_in takes the HTTP request (axes counts on it) and raises instead of
    rendering: a wrong pair is a ValidationError, a lockout a Throttled (429)."""
    factory = RequestFactory()

    def attempt(password: str):
        request = factory.post("/api/auth/password", REMOTE_ADDR="203.0.113.8")
        return services.password_sign_in(request=request, login="member", password=password)

    for _ in range(4):
        with pytest.raises(ValidationError) as wrong:
            attempt("wrong")
        assert not isinstance(wrong.value, services.Throttled)
    with pytest.raises(services.Throttled) as locked:
        attempt("wrong")
    assert locked.value.retry_after == 15 * 60
    with pytest.raises(services.Throttled):
        attempt(PASSWORD)


def test_a_switched_off_account_is_refused_like_a_wrong_password(member):
    member.is_active = False
    member.save()
    response = _try(Client(), "member", PASSWORD)
    assert response.status_code == 422
    assert gettext(
        "That sign-in name or phone number and password do not match. Check them and try again."
    ) in response.content.decode().replace("&#x27;", "'")
