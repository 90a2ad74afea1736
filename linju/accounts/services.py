"""Signing in and signing up by phone, password sign-in with lockout, and consents.

Why our own code service and not django-allauth's phone login (65.x)
---------------------------------------------------------------------
allauth 65 does offer phone login by code, phone verification, rate limits and enumeration
prevention, but its flows are built around a browser session: the pending login and its code
live in ``request.session`` (the code in plain text), the steps are driven by its views and
stage machinery in ``allauth.account.internal`` (not a public API), and its own JSON API is
its "headless" app with its own tokens, not a function the django-ninja API can call. Its rate
limits count in Django's cache, which here is per process (no shared cache is configured), and
for unknown numbers it sends an "unknown account" text rather than nothing. Taking it would
also bring its models, middleware, about twenty URL names and templates to restyle. So the
pages and the API both call the small services below, and django-axes (database handler)
locks out repeated password failures inside ``authenticate()``.

What these services guarantee
-----------------------------
* Codes: six digits, derived from a stored nonce (``linju.accounts.codes``: no code is stored),
  checked in constant time, single use, valid for exactly ten minutes (valid while
  ``now < expires_at``), dead after five wrong tries, and replaced by any newer code.
* Asking for a code answers the same for registered and unregistered numbers: the same row is
  written, the same task is enqueued, the same value is returned, the same limits apply. For
  an unregistered number on sign-in the task sends nothing.
* Limits, counted in the database so they hold across processes: one code a minute per
  number, 5 an hour and 10 a day per number, 30 an hour per IP address; 20 wrong codes an hour
  per IP address; password sign-in locks an account for 15 minutes after 5 failures
  (django-axes) and an IP address after 30 failures in 15 minutes.
* Refusals write nothing but the security log and, for a wrong code, the code's try counter.
  Call these services outside any enclosing transaction: the try counter must be committed
  even though the call then raises.
"""

from __future__ import annotations

import datetime
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linju.accounts import codes
from linju.accounts.models import Consent, PhoneCode
from linju.accounts.notice import PRIVACY_NOTICE_VERSION, SIGN_IN_CODES_KEPT
from linju.core import audit, permissions
from linju.core.models import SecurityEvent
from linju.core.phones import mask_phone, normalise_phone

CODE_LIFETIME = datetime.timedelta(minutes=10)
CODE_MAX_TRIES = 5
RESEND_AFTER = datetime.timedelta(seconds=60)
PHONE_LIMITS = ((datetime.timedelta(hours=1), 5), (datetime.timedelta(days=1), 10))
IP_REQUEST_LIMIT = (datetime.timedelta(hours=1), 30)
IP_CODE_FAILURE_LIMIT = (datetime.timedelta(hours=1), 20)
IP_PASSWORD_FAILURE_LIMIT = (datetime.timedelta(minutes=15), 30)
DISPLAY_NAME_MAX = 60

SIGN_IN = PhoneCode.Purpose.SIGN_IN
SIGN_UP = PhoneCode.Purpose.SIGN_UP
CODE_SIGN_IN_BACKEND = "linju.core.auth.UsernameOrPhoneBackend"


class Throttled(ValidationError):
    """Too many tries or requests: pages and the API answer 429, with ``retry_after``
    seconds to wait."""

    def __init__(self, message: Any, *, retry_after: int, code: str = "throttled") -> None:
        super().__init__(message, code=code)
        self.retry_after = max(int(retry_after), 1)


@dataclass(frozen=True)
class CodeRequest:
    """The answer to asking for a code: the same whether or not the number has an account."""

    phone: str
    purpose: str
    expires_in: int
    resend_after: int


# --- Messages ---------------------------------------------------------------------------------


def _bad_phone() -> str:
    return _("Enter an 11-digit mainland mobile number, e.g. 138 0013 8000.")


def _bad_code() -> str:
    return _("Enter the 6 digits from the text message.")


def _wait_text(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    if minutes < 120:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = -(-minutes // 60)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


# --- Helpers ----------------------------------------------------------------------------------


def _phone_or_error(raw: str) -> str:
    number = normalise_phone(raw or "")
    if number is None:
        raise ValidationError({"phone": _bad_phone()})
    return number


def _seconds(delta: datetime.timedelta) -> int:
    return max(int(-(-delta.total_seconds() // 1)), 1)


def phone_codes_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete code rows older than the notice promises (one day). Returns how many."""
    now = now or timezone.now()
    deleted, _by_model = PhoneCode.objects.filter(created_at__lt=now - SIGN_IN_CODES_KEPT).delete()
    return deleted


def _request_refusal(number: str, ip: str | None, now: datetime.datetime) -> Throttled | None:
    """Why another code may not be sent now, if it may not (the same for every number)."""
    latest = PhoneCode.objects.filter(phone=number).order_by("-created_at").first()
    if latest is not None and now - latest.created_at < RESEND_AFTER:
        wait = _seconds(latest.created_at + RESEND_AFTER - now)
        return Throttled(
            _("A code was sent less than a minute ago. Please wait %(wait)s and ask again.")
            % {"wait": _wait_text(wait)},
            retry_after=wait,
            code="resend_too_soon",
        )
    for window, limit in PHONE_LIMITS:
        recent = PhoneCode.objects.filter(phone=number, created_at__gte=now - window)
        if recent.count() >= limit:
            oldest = recent.order_by("created_at").first()
            wait = _seconds(oldest.created_at + window - now) if oldest else _seconds(window)
            return Throttled(
                _(
                    "This number has asked for too many codes. Please try again in %(wait)s, "
                    "or sign in with your password."
                )
                % {"wait": _wait_text(wait)},
                retry_after=wait,
                code="phone_limit",
            )
    if ip:
        window, limit = IP_REQUEST_LIMIT
        if PhoneCode.objects.filter(ip=ip, created_at__gte=now - window).count() >= limit:
            return Throttled(
                _("Too many codes were asked for from this network. Please try again later."),
                retry_after=_seconds(window),
                code="ip_limit",
            )
    return None


def _failures_from(ip: str | None, *, events: list[str], window: datetime.timedelta) -> int:
    if not ip:
        return 0
    since = timezone.now() - window
    return SecurityEvent.objects.filter(event__in=events, ip=ip, occurred_at__gte=since).count()


def _refuse_if_ip_keeps_failing_codes(ip: str | None, *, purpose: str) -> None:
    window, limit = IP_CODE_FAILURE_LIMIT
    failures = _failures_from(
        ip, events=["sign_in.code_failed", "sign_up.code_failed"], window=window
    )
    if failures >= limit:
        audit.record_security(
            user=None, event=f"{purpose}.locked_out", detail="code: ip failures", ip=ip
        )
        raise Throttled(
            _("Too many wrong codes from this network. Please try again in an hour."),
            retry_after=_seconds(window),
            code="ip_failures",
        )


# --- Asking for a code ------------------------------------------------------------------------


def phone_code_request(*, phone: str, ip: str | None, purpose: str) -> CodeRequest:
    """Ask for a code for ``phone`` (any typed form) to sign in or to sign up.

    Registered and unregistered numbers get the same answer and the same work: a code row,
    a security event and a send task after commit. The task sends a sign-in code only to a
    number with an active account, and a sign-up code to any number (to a number that already
    has an account it says so, and the code signs them in). Raises ValidationError for a bad
    number (nothing written) and Throttled when a limit is reached (only the security log is
    written).
    """
    if purpose not in PhoneCode.Purpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    number = _phone_or_error(phone)
    now = timezone.now()
    phone_codes_purge(now=now)
    refusal = _request_refusal(number, ip, now)
    if refusal is not None:
        audit.record_security(
            user=None,
            event="phone_code.refused",
            detail=f"{purpose} {refusal.code}: {mask_phone(number)}",
            ip=ip,
        )
        raise refusal
    user = get_user_model().objects.filter(phone=number).first()
    deliver = purpose == SIGN_UP or (user is not None and user.is_active)
    with transaction.atomic():
        PhoneCode.objects.filter(
            phone=number, purpose=purpose, used_at__isnull=True, superseded=False
        ).update(superseded=True)
        row = PhoneCode.objects.create(
            phone=number,
            purpose=purpose,
            nonce=codes.new_nonce(),
            deliver=deliver,
            ip=ip or None,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        audit.record_security(
            user=user,
            event="phone_code.requested",
            detail=f"{purpose}: {mask_phone(number)}",
            ip=ip,
        )
        transaction.on_commit(lambda: _enqueue_send(row.pk))
    return CodeRequest(
        phone=number,
        purpose=purpose,
        expires_in=int(CODE_LIFETIME.total_seconds()),
        resend_after=int(RESEND_AFTER.total_seconds()),
    )


def _enqueue_send(code_id: int) -> None:
    from linju.accounts.tasks import phone_code_send

    phone_code_send.enqueue(code_id)


# --- Checking a code --------------------------------------------------------------------------


@dataclass
class _Verdict:
    outcome: str  # ok, none, used, dead, expired, wrong
    row: PhoneCode | None


def _judge(number: str, purpose: str, typed: str, now: datetime.datetime) -> _Verdict:
    """Inside a transaction: look at the latest code for ``number`` and count a wrong try."""
    row = (
        PhoneCode.objects.select_for_update()
        .filter(phone=number, purpose=purpose, superseded=False)
        .order_by("-created_at", "-id")
        .first()
    )
    if row is None:
        return _Verdict("none", None)
    if row.used_at is not None:
        return _Verdict("used", row)
    if row.attempts >= CODE_MAX_TRIES:
        return _Verdict("dead", row)
    if now >= row.expires_at:
        return _Verdict("expired", row)
    # Compared even when nothing was sent, so both cases take the same time.
    right = codes.code_matches(row.nonce, typed)
    if right and row.deliver:
        return _Verdict("ok", row)
    row.attempts += 1
    row.save(update_fields=["attempts"])
    return _Verdict("dead" if row.attempts >= CODE_MAX_TRIES else "wrong", row)


def _refusal(verdict: _Verdict) -> ValidationError:
    if verdict.outcome == "dead":
        return Throttled(
            _("Too many wrong codes. Tap “Send code” for a new one."),
            retry_after=_seconds(RESEND_AFTER),
            code="too_many_tries",
        )
    if verdict.outcome == "expired":
        message = _("This code has expired: codes last 10 minutes. Tap “Send code” for a new one.")
    elif verdict.outcome == "used":
        message = _("This code has already been used. Tap “Send code” for a new one.")
    elif verdict.outcome == "none":
        message = _("Ask for a code first: tap “Send code”.")
    else:
        left = CODE_MAX_TRIES - (verdict.row.attempts if verdict.row is not None else 0)
        message = ngettext(
            "That code is not right. Check the text message; you can try %(left)d more time.",
            "That code is not right. Check the text message; you can try %(left)d more times.",
            left,
        ) % {"left": left}
    return ValidationError({"code": ValidationError(message, code=verdict.outcome)})


def _refuse_code(verdict: _Verdict, *, number: str, purpose: str, ip: str | None) -> NoReturn:
    detail = f"code {verdict.outcome}: {mask_phone(number)}"
    audit.record_security(user=None, event=f"{purpose}.code_failed", detail=detail, ip=ip)
    if verdict.outcome == "dead":
        audit.record_security(user=None, event=f"{purpose}.locked_out", detail=detail, ip=ip)
    raise _refusal(verdict)


def _inactive() -> ValidationError:
    return ValidationError(_("This account is switched off. Ask your residents' committee."))


def phone_code_sign_in(*, phone: str, code: str, ip: str | None = None) -> Any:
    """The account of ``phone``, if ``code`` is its live sign-in code; the code is used up.

    Raises ValidationError (wrong, expired, used or missing code; bad number; switched-off
    account) or Throttled (five wrong tries, or too many wrong codes from ``ip``). The caller
    signs the account in (session or API token); this records the sign-in.
    """
    number = _phone_or_error(phone)
    typed = codes.clean_code(code)
    if typed is None:
        raise ValidationError({"code": _bad_code()})
    _refuse_if_ip_keeps_failing_codes(ip, purpose=SIGN_IN)
    now = timezone.now()
    with transaction.atomic():
        verdict = _judge(number, SIGN_IN, typed, now)
        if verdict.outcome == "ok" and verdict.row is not None:
            verdict.row.used_at = now
            verdict.row.save(update_fields=["used_at"])
            user = get_user_model().objects.filter(phone=number).first()
            if user is not None and user.is_active:
                audit.record_security(user=user, event="sign_in", detail="code", ip=ip)
                return user
            verdict = _Verdict("inactive", verdict.row)
    if verdict.outcome == "inactive":
        audit.record_security(user=None, event="sign_in.failed", detail="code: inactive", ip=ip)
        raise _inactive()
    _refuse_code(verdict, number=number, purpose=SIGN_IN, ip=ip)


# --- Signing up -------------------------------------------------------------------------------


def _clean_display_name(raw: str) -> str:
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if len(name) > DISPLAY_NAME_MAX:
        raise ValidationError(
            {
                "display_name": _("Keep your name to %(max)d characters or fewer.")
                % {"max": DISPLAY_NAME_MAX}
            }
        )
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise ValidationError({"display_name": _("Your name contains a character not allowed.")})
    return name


def _new_username() -> str:
    user_model = get_user_model()
    while True:
        username = f"resident-{secrets.token_hex(4)}"
        if not user_model.objects.filter(username=username).exists():
            return username


def _consent_give(*, user: Any, kind: str, now: datetime.datetime) -> Consent | None:
    """Record ``kind`` under the current notice version, unless it is already active under it.
    An active consent under an older version is closed (``withdrawn_at``) and replaced."""
    active = Consent.objects.active().filter(user=user, kind=kind).first()
    if active is not None:
        if active.version == PRIVACY_NOTICE_VERSION:
            return None
        active.withdrawn_at = now
        active.save(update_fields=["withdrawn_at"])
    consent = Consent.objects.create(
        user=user, kind=kind, version=PRIVACY_NOTICE_VERSION, given_at=now
    )
    audit.record(
        actor=user,
        action="consent.give",
        target=consent,
        changes={"kind": [None, kind], "version": [None, PRIVACY_NOTICE_VERSION]},
    )
    return consent


def account_sign_up(
    *,
    phone: str,
    code: str,
    display_name: str = "",
    password: str | None = None,
    privacy_notice_consent: bool,
    publish_name_consent: bool = False,
    ip: str | None = None,
) -> Any:
    """Create the account of ``phone`` with its sign-up ``code`` and return it.

    The person must agree to the privacy notice (recorded with its version and time); showing
    their name publicly is a separate, optional consent. ``display_name`` may be blank (the
    account is then shown by its masked number); ``password`` is optional (without one, the
    account signs in by code). If the number already has an account, the code proves it is
    theirs: that account is returned, signed in, with the consents given now recorded.
    Raises ValidationError (by field) or Throttled; a refusal writes no account or consent.
    """
    errors: dict[str, Any] = {}
    number = normalise_phone(phone or "")
    if number is None:
        errors["phone"] = _bad_phone()
    typed = codes.clean_code(code)
    if typed is None:
        errors["code"] = _bad_code()
    try:
        name = _clean_display_name(display_name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        name = ""
    if not privacy_notice_consent:
        errors["privacy_notice_consent"] = _(
            "To create an account, please read the privacy notice and tick the box to agree."
        )
    user_model = get_user_model()
    if password:
        try:
            validate_password(password, user_model(display_name=name, phone=number))
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    assert number is not None and typed is not None  # checked above
    _refuse_if_ip_keeps_failing_codes(ip, purpose=SIGN_UP)
    now = timezone.now()
    try:
        with transaction.atomic():
            verdict = _judge(number, SIGN_UP, typed, now)
            if verdict.outcome == "ok" and verdict.row is not None:
                user = _sign_up_write(
                    number=number,
                    name=name,
                    password=password,
                    publish_name=publish_name_consent,
                    ip=ip,
                    now=now,
                )
                if user is not None:
                    verdict.row.used_at = now
                    verdict.row.save(update_fields=["used_at"])
                    return user
                verdict = _Verdict("inactive", verdict.row)
    except IntegrityError:
        # The same number signed up in another request a moment ago: nothing was written here.
        raise ValidationError(
            {"code": _("This number was just signed up. Sign in with a code instead.")}
        ) from None
    if verdict.outcome == "inactive":
        audit.record_security(user=None, event="sign_up.failed", detail="code: inactive", ip=ip)
        raise _inactive()
    _refuse_code(verdict, number=number, purpose=SIGN_UP, ip=ip)


def _sign_up_write(
    *,
    number: str,
    name: str,
    password: str | None,
    publish_name: bool,
    ip: str | None,
    now: datetime.datetime,
) -> Any:
    """Create (or find) the account and record the consents; None if it is switched off."""
    user_model = get_user_model()
    user = user_model.objects.select_for_update().filter(phone=number).first()
    if user is None:
        user = user_model(
            username=_new_username(),
            phone=number,
            display_name=name or mask_phone(number),
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit.record(
            actor=user,
            action="account.sign_up",
            target=user,
            changes={
                "phone": [None, mask_phone(number)],
                "display_name": [None, user.display_name],
            },
        )
        event = "sign_up"
    elif not user.is_active:
        return None
    else:
        event = "sign_in"
    _consent_give(user=user, kind=Consent.Kind.PRIVACY_NOTICE, now=now)
    if publish_name:
        _consent_give(user=user, kind=Consent.Kind.PUBLISH_NAME, now=now)
    audit.record_security(user=user, event=event, detail="code (sign-up page)", ip=ip)
    return user


# --- Password sign-in -------------------------------------------------------------------------


def password_sign_in(*, request: Any, login: str, password: str) -> Any:
    """The account for ``login`` (sign-in name or phone) and ``password``.

    Goes through Django's ``authenticate()``, where django-axes counts failures per account
    (a sign-in name and the account's phone count as one) and refuses a locked-out account,
    known or not, with the same answer. Raises ValidationError for a wrong pair and Throttled
    when the account or the network is locked out. ``request`` is the HTTP request (axes
    needs it); the caller signs the account in.
    """
    ip = request.META.get("REMOTE_ADDR") or None
    window, limit = IP_PASSWORD_FAILURE_LIMIT
    failures = _failures_from(ip, events=["sign_in.failed", "sign_in.locked_out"], window=window)
    if failures >= limit:
        audit.record_security(user=None, event="sign_in.locked_out", detail="password: ip", ip=ip)
        raise Throttled(_locked_out_message(window), retry_after=_seconds(window), code="locked")
    user = authenticate(request, username=login, password=password)
    if user is not None:
        audit.record_security(user=user, event="sign_in", detail="password", ip=ip)
        return user
    shown = mask_phone(number) if (number := normalise_phone(login or "")) else (login or "")[:60]
    if getattr(request, "axes_locked_out", False):
        cool_off = settings.AXES_COOLOFF_TIME
        audit.record_security(
            user=None, event="sign_in.locked_out", detail=f"password: {shown}", ip=ip
        )
        raise Throttled(
            _locked_out_message(cool_off), retry_after=_seconds(cool_off), code="locked"
        )
    audit.record_security(user=None, event="sign_in.failed", detail=f"password: {shown}", ip=ip)
    raise ValidationError(
        _("That sign-in name or phone number and password do not match. Check them and try again."),
        code="invalid_login",
    )


def _locked_out_message(wait: datetime.timedelta) -> str:
    return _(
        "Too many wrong passwords. Signing in with a password is paused for %(wait)s. "
        "You can sign in with a text-message code instead."
    ) % {"wait": _wait_text(_seconds(wait))}


# --- Account details and consents -------------------------------------------------------------


@transaction.atomic
def account_display_name_set(*, actor: Any, display_name: str) -> Any:
    """Change the name the actor's own account is shown by (blank: the masked number)."""
    permissions.require(actor, "change", actor, model="account")
    name = _clean_display_name(display_name)
    user = get_user_model().objects.select_for_update().get(pk=actor.pk)
    new = name or (mask_phone(user.phone) if user.phone else user.get_username())
    diff = audit.changes(user, {"display_name": new})
    if diff:
        user.display_name = new
        user.save(update_fields=["display_name"])
        audit.record(actor=actor, action="account.update", target=user, changes=diff)
    actor.display_name = new
    return user


@transaction.atomic
def consent_publish_name_set(*, actor: Any, allowed: bool) -> Consent | None:
    """Give or withdraw the actor's consent to show their name publicly. Withdrawing keeps the
    record of the consent with the time it ended. Returns the consent given or ended."""
    permissions.require(actor, "manage", Consent(user=actor), model="consent")
    now = timezone.now()
    active = (
        Consent.objects.select_for_update()
        .active()
        .filter(user=actor, kind=Consent.Kind.PUBLISH_NAME)
        .first()
    )
    if allowed:
        if active is not None:
            return active
        return _consent_give(user=actor, kind=Consent.Kind.PUBLISH_NAME, now=now)
    if active is None:
        return None
    active.withdrawn_at = now
    active.save(update_fields=["withdrawn_at"])
    audit.record(
        actor=actor,
        action="consent.withdraw",
        target=active,
        changes={"withdrawn_at": [None, now.isoformat()]},
    )
    return active
