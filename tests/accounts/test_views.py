"""The sign-in, sign-up, privacy and settings pages, through the test client."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils.html import escape

from linju.accounts.models import Consent, PhoneCode
from linju.accounts.notice import PRIVACY_NOTICE_VERSION
from linju.core.models import User
from tests.factories import UserFactory
from tests.hostile import CORPUS, assert_no_live_markup

pytestmark = pytest.mark.django_db

KNOWN = "+8613800138000"
UNKNOWN = "+8613900139000"
HTMX = {"HTTP_HX_REQUEST": "true"}
T0 = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def member():
    return UserFactory(username="member", phone=KNOWN, language="en")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client(django_capture_on_commit_callbacks):
    """A client whose requests' after-commit work (the send task) runs, as the worker would."""

    class Sending(Client):
        def request(self, **request):
            with django_capture_on_commit_callbacks(execute=True):
                return super().request(**request)

    return Sending()


def _html(response) -> str:
    return response.content.decode()


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", html)


class TestSignInPage:
    def test_offers_both_ways(self, client):
        html = _html(client.get(reverse("login")))
        assert 'hx-post="/sign-in/code/send/"' in html
        assert 'inputmode="tel"' in html
        assert 'id="password-form"' in html
        assert reverse("sign_up") in html

    def test_send_code_swaps_in_the_code_field(self, client, member, phones):
        response = client.post(reverse("sign_in_code_send"), {"phone": "13800138000"}, **HTMX)
        html = _html(response)
        assert response.status_code == 200
        assert html.startswith('<section id="code-sign-in"')
        assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html
        assert 'data-wait="60"' in html
        assert len(phones.messages(KNOWN)) == 1

    def test_known_and_unknown_numbers_get_the_same_page(self, client, member, phones):
        known = client.post(reverse("sign_in_code_send"), {"phone": "13800138000"}, **HTMX)
        unknown = client.post(reverse("sign_in_code_send"), {"phone": "13900139000"}, **HTMX)
        assert known.status_code == unknown.status_code == 200
        known_page = (
            _without_tokens(_html(known))
            .replace(KNOWN, "N")
            .replace("138\u00a00013\u00a08000", "N")
        )
        unknown_page = (
            _without_tokens(_html(unknown))
            .replace(UNKNOWN, "N")
            .replace("139\u00a00013\u00a09000", "N")
        )
        assert known_page == unknown_page
        assert [m["phone"] for m in phones.messages()] == [KNOWN]

    def test_a_bad_number_is_422_and_writes_nothing(self, client):
        for headers in ({}, HTMX):
            response = client.post(reverse("sign_in_code_send"), {"phone": "12345"}, **headers)
            assert response.status_code == 422
            assert 'class="field-error"' in _html(response)
        assert PhoneCode.objects.count() == 0

    def test_asking_again_too_soon_is_429(self, client, member):
        client.post(reverse("sign_in_code_send"), {"phone": KNOWN}, **HTMX)
        response = client.post(reverse("sign_in_code_send"), {"phone": KNOWN}, **HTMX)
        assert response.status_code == 429
        assert response["Retry-After"] == "60"
        assert PhoneCode.objects.count() == 1

    def test_the_right_code_signs_in_and_goes_on(self, client, member, phones):
        client.post(reverse("sign_in_code_send"), {"phone": KNOWN})
        response = client.post(
            reverse("sign_in_code"),
            {"phone": KNOWN, "code": phones.last_code(KNOWN), "next": "/me/"},
        )
        assert response.status_code == 302 and response["Location"] == "/me/"
        assert int(client.session["_auth_user_id"]) == member.pk
        # The account's language follows it to this phone.
        assert response.cookies["linju_language"].value == "en"

    def test_next_may_not_lead_elsewhere(self, client, member, phones):
        client.post(reverse("sign_in_code_send"), {"phone": KNOWN})
        response = client.post(
            reverse("sign_in_code"),
            {"phone": KNOWN, "code": phones.last_code(KNOWN), "next": "https://evil.example/"},
        )
        assert response["Location"] == reverse("home")

    def test_a_wrong_code_is_422_then_429(self, client, member, phones):
        client.post(reverse("sign_in_code_send"), {"phone": KNOWN})
        wrong = f"{(int(phones.last_code(KNOWN)) + 1) % 10**6:06d}"
        statuses = [
            client.post(reverse("sign_in_code"), {"phone": KNOWN, "code": wrong}).status_code
            for _ in range(5)
        ]
        assert statuses == [422, 422, 422, 422, 429]
        response = client.post(
            reverse("sign_in_code"), {"phone": KNOWN, "code": phones.last_code(KNOWN)}
        )
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        # The page keeps the code step, with the message beside the field.
        assert 'autocomplete="one-time-code"' in _html(response)

    def test_an_expired_code_is_422(self, client, member, phones, clock):
        client.post(reverse("sign_in_code_send"), {"phone": KNOWN})
        clock.shift(datetime.timedelta(minutes=10))
        response = client.post(
            reverse("sign_in_code"), {"phone": KNOWN, "code": phones.last_code(KNOWN)}
        )
        assert response.status_code == 422
        assert "_auth_user_id" not in client.session

    def test_signed_in_people_are_sent_on(self, member):
        client = Client()
        client.force_login(member)
        for name in ("sign_in_code_send", "sign_in_code", "sign_up_code_send", "sign_up"):
            assert client.post(reverse(name), {"phone": KNOWN}).status_code == 302
        assert PhoneCode.objects.count() == 0


class TestSignUpPage:
    def _send(self, client, phone=UNKNOWN):
        return client.post(reverse("sign_up_code_send"), {"phone": phone}, **HTMX)

    def test_phone_then_code_name_and_consent(self, client, phones):
        html = _html(client.get(reverse("sign_up")))
        assert 'hx-post="/sign-up/code/send/"' in html and "privacy_notice_consent" not in html
        step2 = _html(self._send(client))
        for field in ("code", "display_name", "privacy_notice_consent", "publish_name_consent"):
            assert f'name="{field}"' in step2
        assert reverse("privacy_notice") in step2 and PRIVACY_NOTICE_VERSION in step2
        response = client.post(
            reverse("sign_up"),
            {
                "phone": UNKNOWN,
                "code": phones.last_code(UNKNOWN),
                "display_name": "王阿姨",
                "privacy_notice_consent": "on",
            },
        )
        assert response.status_code == 302 and response["Location"] == reverse("my_home")
        user = User.objects.get(phone=UNKNOWN)
        assert int(client.session["_auth_user_id"]) == user.pk
        assert list(Consent.objects.filter(user=user).values_list("kind", "version")) == [
            ("privacy_notice", PRIVACY_NOTICE_VERSION)
        ]
        home = _html(client.get(response["Location"]))
        assert 'class="card join-hint"' in home
        assert reverse("account_settings") in home

    def test_without_consent_nothing_is_written(self, client, phones):
        self._send(client)
        response = client.post(
            reverse("sign_up"),
            {"phone": UNKNOWN, "code": phones.last_code(UNKNOWN), "display_name": "王阿姨"},
        )
        assert response.status_code == 422
        html = _html(response)
        assert 'class="check has-error"' in html
        assert 'value="王阿姨"' in html  # what was typed is kept
        assert not User.objects.filter(phone=UNKNOWN).exists()
        assert Consent.objects.count() == 0

    def test_a_wrong_code_is_422(self, client, phones):
        self._send(client)
        wrong = f"{(int(phones.last_code(UNKNOWN)) + 1) % 10**6:06d}"
        response = client.post(
            reverse("sign_up"),
            {"phone": UNKNOWN, "code": wrong, "privacy_notice_consent": "on"},
        )
        assert response.status_code == 422
        assert not User.objects.filter(phone=UNKNOWN).exists()

    def test_a_bad_number_goes_back_to_the_first_step(self, client):
        response = client.post(
            reverse("sign_up"), {"phone": "999", "code": "123456", "privacy_notice_consent": "on"}
        )
        assert response.status_code == 422
        html = _html(response)
        assert 'inputmode="tel"' in html and 'class="field-error"' in html

    @pytest.mark.parametrize("key", sorted(CORPUS))
    def test_hostile_names(self, key, phones, django_capture_on_commit_callbacks):
        """Each hostile name is stored exactly and shown escaped, or refused with a message
        and no account."""
        text = CORPUS[key]
        number = f"+86135{sorted(CORPUS).index(key):08d}"
        client = Client(raise_request_exception=False)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("sign_up_code_send"), {"phone": number})
        response = client.post(
            reverse("sign_up"),
            {
                "phone": number,
                "code": phones.last_code(number),
                "display_name": text,
                "privacy_notice_consent": "on",
            },
        )
        assert response.status_code < 500
        assert_no_live_markup(_html(response))
        if response.status_code == 302:
            assert User.objects.get(phone=number).display_name == text.strip()
            page = _html(client.get(reverse("account_settings")))
            assert_no_live_markup(page)
            assert escape(text.strip()) in page
        else:
            assert 400 <= response.status_code < 500
            assert not User.objects.filter(phone=number).exists()


def _join_view(request):
    from django.http import HttpResponse

    return HttpResponse("join")


urlpatterns_with_join = [path("join/", _join_view, name="join")]


class TestMyHomeJoinHint:
    def test_no_link_while_there_is_no_join_page(self, member):
        client = Client()
        client.force_login(member)
        html = _html(client.get(reverse("my_home")))
        assert 'class="card join-hint"' in html

    def test_link_once_the_join_page_exists(self, member):
        from linju import urls

        client = Client()
        client.force_login(member)
        module = type(urls)("linju_urls_with_join")
        module.urlpatterns = [*urls.urlpatterns, *urlpatterns_with_join]  # type: ignore[attr-defined]
        with override_settings(ROOT_URLCONF=module):
            html = _html(client.get("/me/"))
        assert 'href="/join/"' in html


class TestPrivacyPages:
    def test_the_notice_is_public_and_versioned(self):
        response = Client().get(reverse("privacy_notice"))
        assert response.status_code == 200
        assert PRIVACY_NOTICE_VERSION in _html(response)

    def test_settings_need_signing_in(self):
        response = Client().get(reverse("account_settings"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_withdraw_and_give_the_name_consent(self, member):
        client = Client()
        client.force_login(member)
        assert client.post(reverse("consent_publish_name"), {"allowed": "1"}).status_code == 302
        assert 'name="allowed" value="0"' in _html(client.get(reverse("account_settings")))
        assert client.post(reverse("consent_publish_name"), {"allowed": "0"}).status_code == 302
        page = _html(client.get(reverse("account_settings")))
        assert 'name="allowed" value="1"' in page
        assert Consent.objects.filter(user=member, withdrawn_at__isnull=False).count() == 1

    def test_change_name_and_refuse_a_long_one(self, member):
        client = Client()
        client.force_login(member)
        assert client.post(reverse("account_settings"), {"display_name": "新名"}).status_code == 302
        assert User.objects.get(pk=member.pk).display_name == "新名"
        response = client.post(reverse("account_settings"), {"display_name": "长" * 61})
        assert response.status_code == 422
        assert User.objects.get(pk=member.pk).display_name == "新名"
