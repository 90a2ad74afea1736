from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.accounts import selectors, services
from linju.accounts.auth import client_ip
from linju.accounts.forms import CodeSignInForm, DisplayNameForm, PhoneForm, SignUpForm
from linju.accounts.notice import PRIVACY_NOTICE_VERSION, SIGN_IN_CODES_KEPT
from linju.core.forms import SignInForm
from linju.core.http import form_errors
from linju.core.phones import national
from linju.core.views import remember_preferences
from linju.privacy.retention import security_events_kept


def _status(exc: ValidationError) -> int:
    return 429 if isinstance(exc, services.Throttled) else 422


def _with_retry_after(response: HttpResponse, exc: ValidationError | None) -> HttpResponse:
    if isinstance(exc, services.Throttled):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _signed_in_already(request: HttpRequest) -> HttpResponse:
    return redirect(settings.LOGIN_REDIRECT_URL)


def _spaced(phone: str) -> str:
    """``+8613800138000`` → ``138 0013 8000``, easy to check against one's own number."""
    digits = national(phone)
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:3]}\u00a0{digits[3:7]}\u00a0{digits[7:]}"  # kept on one line
    return digits


def _code_step(phone: str, wait: int = 0) -> dict:
    return {
        "code_step": True,
        "code_phone": phone,
        "code_phone_shown": _spaced(phone),
        "wait": wait,
    }


def _phone_step_form(phone: str, errors: Iterable[Any]) -> PhoneForm:
    """The first step again, showing why the number was refused."""
    form = PhoneForm({"phone": phone})
    if form.is_valid():
        for error in errors:
            form.add_error("phone", error)
    return form


# --- Sign in by code --------------------------------------------------------------------------


def _render_sign_in(request: HttpRequest, context: dict, status: int) -> HttpResponse:
    context.setdefault("next", _safe_next(request, request.POST.get("next", "")))
    if getattr(request, "htmx", False):
        return render(request, "accounts/_sign_in_code.html", context, status=status)
    context.setdefault("form", SignInForm(request))
    return render(request, "core/sign_in.html", context, status=status)


def _send_code(request: HttpRequest, purpose: str, next_form: Any, render_step: Any):
    """Text a code for sign-in or sign-up; the next step's form, or the number's errors."""
    form = PhoneForm(request.POST)
    error = None
    if form.is_valid():
        try:
            sent = services.phone_code_request(
                phone=form.cleaned_data["phone"], ip=client_ip(request), purpose=purpose
            )
        except ValidationError as exc:
            error = exc
            form_errors(form, exc)
        else:
            context = {
                **_code_step(sent.phone, sent.resend_after),
                next_form[0]: next_form[1](initial={"phone": sent.phone}),
            }
            return render_step(request, context, 200)
    response = render_step(request, {"code_phone_form": form}, _status(error) if error else 422)
    return _with_retry_after(response, error)


@require_POST
def sign_in_code_send_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _signed_in_already(request)
    return _send_code(request, services.SIGN_IN, ("code_form", CodeSignInForm), _render_sign_in)


@require_POST
def sign_in_code_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _signed_in_already(request)
    form = CodeSignInForm(request.POST)
    error = None
    if form.is_valid():
        try:
            user = services.phone_code_sign_in(
                phone=form.cleaned_data["phone"],
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            error = exc
            form_errors(form, exc)
        else:
            login(request, user, backend=services.CODE_SIGN_IN_BACKEND)
            target = _safe_next(request, form.cleaned_data["next"]) or settings.LOGIN_REDIRECT_URL
            return remember_preferences(redirect(target), user)
    phone = request.POST.get("phone", "")
    context = {**_code_step(phone), "code_form": form}
    if "phone" in form.errors:
        context = {"code_phone_form": _phone_step_form(phone, form.errors["phone"])}
    response = _render_sign_in(request, context, _status(error) if error else 422)
    return _with_retry_after(response, error)


# --- Sign up ----------------------------------------------------------------------------------


def _render_sign_up(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    context.setdefault("version", PRIVACY_NOTICE_VERSION)
    if getattr(request, "htmx", False) and request.method == "POST" and "code" not in request.POST:
        return render(request, "accounts/_sign_up_code.html", context, status=status)
    return render(request, "accounts/sign_up.html", context, status=status)


def sign_up_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _signed_in_already(request)
    if request.method != "POST":
        return _render_sign_up(request, {"code_phone_form": PhoneForm()})
    form = SignUpForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = services.account_sign_up(
                phone=data["phone"],
                code=data["code"],
                display_name=data["display_name"],
                privacy_notice_consent=data["privacy_notice_consent"],
                publish_name_consent=data["publish_name_consent"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            error = exc
            form_errors(form, exc)
        else:
            login(request, user, backend=services.CODE_SIGN_IN_BACKEND)
            messages.success(request, _("Welcome to Linju. You are signed in."))
            return remember_preferences(redirect("my_home"), user)
    phone = request.POST.get("phone", "")
    context: dict = {**_code_step(phone), "sign_up_form": form}
    if "phone" in form.errors:
        context = {"code_phone_form": _phone_step_form(phone, form.errors["phone"])}
    response = _render_sign_up(request, context, _status(error) if error else 422)
    return _with_retry_after(response, error)


@require_POST
def sign_up_code_send_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return _signed_in_already(request)
    return _send_code(request, services.SIGN_UP, ("sign_up_form", SignUpForm), _render_sign_up)


# --- Privacy ----------------------------------------------------------------------------------


def privacy_notice_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/privacy_notice.html",
        {
            "version": PRIVACY_NOTICE_VERSION,
            "codes_kept_hours": int(SIGN_IN_CODES_KEPT.total_seconds() // 3600),
            "security_kept_days": security_events_kept().days,
        },
    )


def _settings_context(request: HttpRequest, form: DisplayNameForm | None = None) -> dict:
    user: Any = request.user
    return {
        "name_form": form or DisplayNameForm(initial={"display_name": user.display_name}),
        "publish_name": selectors.name_publication_allowed(user),
        "consents": selectors.consents_of(user=user),
        "version": PRIVACY_NOTICE_VERSION,
    }


@login_required
def account_settings_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "accounts/settings.html", _settings_context(request))
    form = DisplayNameForm(request.POST)
    if form.is_valid():
        try:
            services.account_display_name_set(
                actor=request.user, display_name=form.cleaned_data["display_name"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Your name is saved."))
            return redirect("account_settings")
    return render(request, "accounts/settings.html", _settings_context(request, form), status=422)


@login_required
@require_POST
def consent_publish_name_view(request: HttpRequest) -> HttpResponse:
    allowed = request.POST.get("allowed") == "1"
    services.consent_publish_name_set(actor=request.user, allowed=allowed)
    if allowed:
        messages.success(request, _("Your name may now be shown to neighbours."))
    else:
        messages.success(request, _("Your name is no longer shown; only your flat number is."))
    return redirect("account_settings")
