"""Signing in and signing up by phone code: the services the pages and the API both call.

"Nothing written" for a refusal means: no account, no consent, no code used up, no new code.
What a refusal does write is the point of counting: the security log row, and for a wrong
code the code's try counter.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linju.accounts import services
from linju.accounts.models import Consent, PhoneCode
from linju.accounts.notice import PRIVACY_NOTICE_VERSION
from linju.accounts.selectors import name_publication_allowed
from linju.accounts.services import Throttled
from linju.core.models import AuditEvent, SecurityEvent, User
from tests.factories import UserFactory
from tests.hostile import CORPUS

pytestmark = pytest.mark.django_db

KNOWN = "+8613800138000"
UNKNOWN = "+8613900139000"
T0 = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def member():
    return UserFactory(username="member", phone=KNOWN)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _state() -> tuple:
    """What a refusal must leave alone."""
    return (
        User.objects.count(),
        Consent.objects.count(),
        PhoneCode.objects.count(),
        PhoneCode.objects.filter(used_at__isnull=False).count(),
        AuditEvent.objects.count(),
    )


def _shape(sql: str) -> str:
    """A query without its values, to compare the work done for two numbers (PostgreSQL's
    driver writes booleans into the SQL as literals)."""
    return re.sub(r"'[^']*'|\"s\d+_x\d+\"|\bNULL\b|\b(?:true|false)\b|\b\d+\b", "?", sql)


def _why(exc: ValidationError) -> str | None:
    """The machine-readable reason a code was refused (the API can pass it on)."""
    return exc.error_dict["code"][0].code


def _events(name: str) -> int:
    return SecurityEvent.objects.filter(event=name).count()


class TestPhoneCodeRequest:
    def test_a_registered_number_gets_a_six_digit_code(self, member, ask, phones, clock):
        answer = ask("138 0013 8000")
        assert answer == services.CodeRequest(
            phone=KNOWN, purpose="sign_in", expires_in=600, resend_after=60
        )
        assert len(phones.messages(KNOWN)) == 1
        code = phones.last_code(KNOWN)
        assert len(code) == 6 and code.isdigit()
        assert code not in str(list(PhoneCode.objects.values()))  # the code is never stored
        assert _events("phone_code.requested") == 1

    def test_unregistered_numbers_get_the_same_answer_and_no_message(
        self, member, phones, clock, django_capture_on_commit_callbacks
    ):
        """Same status (no exception), same value, same rows, same queries in the request,
        one send task each; only the outbox, which the caller cannot see, differs."""
        answers, queries, tasks = [], [], []
        for number in (KNOWN, UNKNOWN):
            with (
                django_capture_on_commit_callbacks() as callbacks,
                CaptureQueriesContext(connection) as captured,
            ):
                answers.append(
                    services.phone_code_request(phone=number, ip="203.0.113.9", purpose="sign_in")
                )
            queries.append([_shape(q["sql"]) for q in captured.captured_queries])
            tasks.append(len(callbacks))
            for callback in callbacks:
                callback()  # the worker's part, after the answer was given
        known, unknown = answers
        assert queries[0] == queries[1]
        assert tasks == [1, 1]
        assert (known.purpose, known.expires_in, known.resend_after) == (
            unknown.purpose,
            unknown.expires_in,
            unknown.resend_after,
        )
        assert PhoneCode.objects.filter(phone=KNOWN).count() == 1
        assert PhoneCode.objects.filter(phone=UNKNOWN).count() == 1
        assert _events("phone_code.requested") == 2
        assert len(phones.messages(KNOWN)) == 1
        assert phones.messages(UNKNOWN) == []

    def test_a_bad_number_is_refused_and_nothing_is_written(self, ask, phones):
        before = _state()
        for raw in ("12345", "abc", "+1 202 555 0100", "", CORPUS["script"]):
            with pytest.raises(ValidationError) as refused:
                ask(raw)
            assert "phone" in refused.value.message_dict
        assert _state() == before
        assert SecurityEvent.objects.count() == 0
        assert phones.messages() == []

    def test_a_second_code_within_a_minute_is_refused(self, member, ask, phones, clock):
        ask(KNOWN)
        clock.shift(59)
        before = _state()
        with pytest.raises(Throttled) as refused:
            ask(KNOWN)
        assert refused.value.code == "resend_too_soon"
        assert refused.value.retry_after == 1
        assert _state() == before
        assert _events("phone_code.refused") == 1
        assert len(phones.messages(KNOWN)) == 1

    def test_a_new_code_replaces_the_old_one(self, member, ask, phones, clock):
        ask(KNOWN)
        old = phones.last_code(KNOWN)
        clock.shift(61)
        ask(KNOWN)
        new = phones.last_code(KNOWN)
        if old != new:
            with pytest.raises(ValidationError):
                services.phone_code_sign_in(phone=KNOWN, code=old)
        assert services.phone_code_sign_in(phone=KNOWN, code=new) == member

    @pytest.mark.parametrize("number", [KNOWN, UNKNOWN])
    def test_five_codes_an_hour_per_number(self, member, ask, clock, number):
        for _ in range(5):
            ask(number)
            clock.shift(61)
        with pytest.raises(Throttled) as refused:
            ask(number)
        assert refused.value.code == "phone_limit"
        clock.shift(datetime.timedelta(hours=1))
        ask(number)

    def test_ten_codes_a_day_per_number(self, member, ask, clock):
        for _ in range(10):
            ask(KNOWN)
            clock.shift(datetime.timedelta(minutes=13))
        with pytest.raises(Throttled) as refused:
            ask(KNOWN)
        assert refused.value.code == "phone_limit"
        assert refused.value.retry_after > 3600

    def test_thirty_codes_an_hour_per_network(self, ask, clock):
        for i in range(30):
            ask(f"+86137{i:08d}", ip="198.51.100.7")
        with pytest.raises(Throttled) as refused:
            ask("+8613799999999", ip="198.51.100.7")
        assert refused.value.code == "ip_limit"
        ask("+8613799999999", ip="198.51.100.8")

    def test_sign_up_codes_go_to_new_and_registered_numbers(self, member, ask, phones, clock):
        ask(UNKNOWN, purpose="sign_up")
        ask(KNOWN, purpose="sign_up")
        assert len(phones.messages(UNKNOWN)) == 1
        assert len(phones.messages(KNOWN)) == 1
        # The owner of a registered number is told so (only they see the message).
        assert phones.messages(KNOWN)[0]["message"] != phones.messages(UNKNOWN)[0]["message"]

    def test_rows_older_than_a_day_are_deleted(self, ask, clock):
        ask(UNKNOWN)
        clock.shift(datetime.timedelta(days=1, seconds=1))
        ask(KNOWN)
        assert list(PhoneCode.objects.values_list("phone", flat=True)) == [KNOWN]

    def test_an_unknown_purpose_is_a_programming_error(self):
        with pytest.raises(ValueError):
            services.phone_code_request(phone=KNOWN, ip=None, purpose="reset")


class TestPhoneCodeSignIn:
    def test_the_right_code_signs_in_once(self, member, ask, phones, clock):
        ask(KNOWN)
        code = phones.last_code(KNOWN)
        assert services.phone_code_sign_in(phone="138-0013-8000", code=code, ip="1.2.3.4") == member
        assert SecurityEvent.objects.filter(event="sign_in", user=member, detail="code").exists()
        before = _state()
        with pytest.raises(ValidationError) as again:
            services.phone_code_sign_in(phone=KNOWN, code=code)
        assert _why(again.value) == "used"
        assert _state() == before

    def test_full_width_digits_and_spaces_are_accepted(self, member, ask, phones, clock):
        ask(KNOWN)
        code = phones.last_code(KNOWN)
        typed = " ".join(chr(ord(d) + 0xFEE0) for d in code)  # "１ ２ ３ …"
        assert services.phone_code_sign_in(phone=KNOWN, code=typed) == member

    def test_a_code_works_until_just_before_ten_minutes(self, member, ask, phones, clock):
        ask(KNOWN)
        clock.shift(datetime.timedelta(minutes=10) - datetime.timedelta(microseconds=1))
        assert services.phone_code_sign_in(phone=KNOWN, code=phones.last_code(KNOWN)) == member

    def test_a_code_is_dead_at_exactly_ten_minutes(self, member, ask, phones, clock):
        ask(KNOWN)
        clock.shift(datetime.timedelta(minutes=10))
        before = _state()
        with pytest.raises(ValidationError) as expired:
            services.phone_code_sign_in(phone=KNOWN, code=phones.last_code(KNOWN))
        assert _why(expired.value) == "expired"
        assert "code" in expired.value.message_dict
        assert _state() == before

    def test_five_wrong_tries_kill_the_code(self, member, ask, phones, clock):
        ask(KNOWN)
        right = phones.last_code(KNOWN)
        wrong = f"{(int(right) + 1) % 10**6:06d}"
        before = _state()
        for left in (4, 3, 2, 1):
            with pytest.raises(ValidationError) as refused:
                services.phone_code_sign_in(phone=KNOWN, code=wrong)
            assert not isinstance(refused.value, Throttled)
            assert str(left) in refused.value.message_dict["code"][0]
        with pytest.raises(Throttled):
            services.phone_code_sign_in(phone=KNOWN, code=wrong)
        with pytest.raises(Throttled):
            services.phone_code_sign_in(phone=KNOWN, code=right)
        assert _state() == before
        assert PhoneCode.objects.get().attempts == 5
        assert _events("sign_in.locked_out") == 2

    def test_unknown_numbers_fail_the_same_way(self, member, ask, phones, clock):
        """Whatever is typed for an unregistered number, the answers are those a registered
        number gets for wrong codes."""
        ask(KNOWN)
        ask(UNKNOWN)
        answers = {}
        for number in (KNOWN, UNKNOWN):
            seen = []
            for _ in range(6):
                try:
                    services.phone_code_sign_in(phone=number, code="000000")
                except Throttled as exc:
                    seen.append(("429", exc.messages))
                except ValidationError as exc:
                    seen.append(("422", exc.messages))
            answers[number] = seen
        if phones.last_code(KNOWN) != "000000":
            assert answers[KNOWN] == answers[UNKNOWN]

    def test_without_a_code_asked_for(self, member):
        with pytest.raises(ValidationError) as refused:
            services.phone_code_sign_in(phone=KNOWN, code="123456")
        assert _why(refused.value) == "none"

    @pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", "", "１２３４５"])
    def test_a_malformed_code_is_refused_without_using_a_try(self, member, ask, clock, typed):
        ask(KNOWN)
        with pytest.raises(ValidationError) as refused:
            services.phone_code_sign_in(phone=KNOWN, code=typed)
        assert "code" in refused.value.message_dict
        assert PhoneCode.objects.get().attempts == 0

    def test_twenty_wrong_codes_from_one_network_pause_it(self, ask, phones, clock):
        numbers = [f"+86136{i:08d}" for i in range(5)]
        for number in numbers:
            UserFactory(phone=number)
            ask(number)
        for number in numbers[:4]:
            for _ in range(5):
                with pytest.raises(ValidationError):
                    services.phone_code_sign_in(phone=number, code="999999", ip="198.51.100.1")
        with pytest.raises(Throttled) as paused:
            services.phone_code_sign_in(
                phone=numbers[4], code=phones.last_code(numbers[4]), ip="198.51.100.1"
            )
        assert paused.value.code == "ip_failures"
        user = services.phone_code_sign_in(
            phone=numbers[4], code=phones.last_code(numbers[4]), ip="198.51.100.2"
        )
        assert user.phone == numbers[4]

    def test_a_switched_off_account_is_told_so(self, member, ask, phones, clock):
        ask(KNOWN)
        code = phones.last_code(KNOWN)
        User.objects.filter(pk=member.pk).update(is_active=False)
        with pytest.raises(ValidationError):
            services.phone_code_sign_in(phone=KNOWN, code=code)

    def test_a_switched_off_account_gets_no_code(self, member, ask, phones, clock):
        User.objects.filter(pk=member.pk).update(is_active=False)
        ask(KNOWN)
        assert phones.messages(KNOWN) == []


def _sign_up(phones, ask, number=UNKNOWN, **values):
    ask(number, purpose="sign_up")
    data = {
        "phone": number,
        "code": phones.last_code(number),
        "display_name": "王阿姨",
        "privacy_notice_consent": True,
        "ip": None,
    }
    return services.account_sign_up(**{**data, **values})


class TestAccountSignUp:
    def test_signs_up_with_consent_recorded_with_version_and_time(self, ask, phones, clock):
        user = _sign_up(phones, ask)
        assert (user.phone, user.display_name) == (UNKNOWN, "王阿姨")
        assert not user.has_usable_password()
        [consent] = Consent.objects.filter(user=user)
        assert (consent.kind, consent.version, consent.given_at, consent.withdrawn_at) == (
            Consent.Kind.PRIVACY_NOTICE,
            PRIVACY_NOTICE_VERSION,
            timezone.now(),
            None,
        )
        assert not name_publication_allowed(user)
        assert AuditEvent.objects.filter(action="account.sign_up", target_id=str(user.pk)).exists()
        assert AuditEvent.objects.filter(action="consent.give").count() == 1
        assert SecurityEvent.objects.filter(event="sign_up", user=user).exists()
        assert PhoneCode.objects.get().used_at == timezone.now()

    def test_publishing_the_name_is_a_separate_choice(self, ask, phones, clock):
        user = _sign_up(phones, ask, publish_name_consent=True)
        assert name_publication_allowed(user)
        assert set(Consent.objects.filter(user=user).values_list("kind", flat=True)) == {
            "privacy_notice",
            "publish_name",
        }

    def test_without_agreeing_nothing_is_written_and_the_code_still_works(self, ask, phones, clock):
        ask(UNKNOWN, purpose="sign_up")
        code = phones.last_code(UNKNOWN)
        before = _state()
        with pytest.raises(ValidationError) as refused:
            services.account_sign_up(
                phone=UNKNOWN, code=code, display_name="王阿姨", privacy_notice_consent=False
            )
        assert "privacy_notice_consent" in refused.value.message_dict
        assert _state() == before
        services.account_sign_up(
            phone=UNKNOWN, code=code, display_name="王阿姨", privacy_notice_consent=True
        )

    def test_a_wrong_code_writes_nothing(self, ask, phones, clock):
        ask(UNKNOWN, purpose="sign_up")
        wrong = f"{(int(phones.last_code(UNKNOWN)) + 1) % 10**6:06d}"
        before = _state()
        with pytest.raises(ValidationError) as refused:
            services.account_sign_up(
                phone=UNKNOWN, code=wrong, display_name="王阿姨", privacy_notice_consent=True
            )
        assert _why(refused.value) == "wrong"
        assert _state() == before
        assert PhoneCode.objects.get().attempts == 1

    def test_a_sign_in_code_does_not_sign_up(self, ask, phones, clock):
        ask(UNKNOWN, purpose="sign_up")
        with pytest.raises(ValidationError):
            services.phone_code_sign_in(phone=UNKNOWN, code=phones.last_code(UNKNOWN))

    def test_a_blank_name_shows_the_masked_number(self, ask, phones, clock):
        assert _sign_up(phones, ask, display_name="  ").display_name == "139****9000"

    def test_an_optional_password_is_checked_and_kept(self, ask, phones, clock):
        with pytest.raises(ValidationError) as weak:
            _sign_up(phones, ask, password="123")
        assert "password" in weak.value.message_dict
        clock.shift(61)
        user = _sign_up(phones, ask, password="a-long-enough-passphrase")
        assert user.check_password("a-long-enough-passphrase")

    def test_a_registered_number_signs_in_to_its_account(self, member, ask, phones, clock):
        users = User.objects.count()
        user = _sign_up(phones, ask, number=KNOWN, display_name="别的名字")
        assert user == member
        assert User.objects.count() == users
        assert User.objects.get(pk=member.pk).display_name == member.display_name
        assert Consent.objects.filter(user=member, kind="privacy_notice").count() == 1

    @pytest.mark.parametrize("key", sorted(CORPUS))
    def test_hostile_names_are_kept_as_typed_or_refused(self, ask, phones, clock, key):
        text = CORPUS[key]
        before = _state()
        try:
            user = _sign_up(phones, ask, display_name=text)
        except ValidationError as exc:
            assert "display_name" in exc.message_dict, key
            after = _state()
            assert (after[0], after[1], after[3], after[4]) == (
                before[0],
                before[1],
                before[3],
                before[4],
            ), key
        else:
            assert User.objects.get(pk=user.pk).display_name == text.strip(), key

    def test_an_older_notice_consent_is_replaced(self, ask, phones, clock):
        user = _sign_up(phones, ask)
        Consent.objects.filter(user=user).update(version="2020-01")
        clock.shift(61)
        _sign_up(phones, ask)
        rows = list(Consent.objects.filter(user=user).order_by("given_at", "id"))
        assert [(c.version, c.withdrawn_at is None) for c in rows] == [
            ("2020-01", False),
            (PRIVACY_NOTICE_VERSION, True),
        ]


class TestConsentsAndName:
    def test_withdraw_and_give_again_keeps_the_history(self, clock):
        user = UserFactory(phone=KNOWN)
        services.consent_publish_name_set(actor=user, allowed=True)
        assert name_publication_allowed(user)
        clock.shift(60)
        services.consent_publish_name_set(actor=user, allowed=False)
        assert not name_publication_allowed(user)
        clock.shift(60)
        services.consent_publish_name_set(actor=user, allowed=True)
        assert name_publication_allowed(user)
        rows = Consent.objects.filter(user=user).order_by("given_at")
        assert [c.withdrawn_at for c in rows] == [T0 + datetime.timedelta(seconds=60), None]
        actions = AuditEvent.objects.filter(target_type="accounts.consent")
        assert sorted(actions.values_list("action", flat=True)) == [
            "consent.give",
            "consent.give",
            "consent.withdraw",
        ]

    def test_nothing_changes_when_nothing_would(self):
        user = UserFactory(phone=KNOWN)
        assert services.consent_publish_name_set(actor=user, allowed=False) is None
        assert AuditEvent.objects.count() == 0

    def test_names_are_published_only_with_consent(self):
        from django.contrib.auth.models import AnonymousUser

        assert not name_publication_allowed(None)
        assert not name_publication_allowed(AnonymousUser())
        assert not name_publication_allowed(UserFactory())

    def test_display_name_set(self):
        user = UserFactory(phone=KNOWN, display_name="旧名")
        services.account_display_name_set(actor=user, display_name=" 新名 ")
        assert User.objects.get(pk=user.pk).display_name == "新名"
        services.account_display_name_set(actor=user, display_name="")
        assert User.objects.get(pk=user.pk).display_name == "138****8000"
        with pytest.raises(ValidationError):
            services.account_display_name_set(actor=user, display_name="长" * 61)
        assert AuditEvent.objects.filter(action="account.update").count() == 2
