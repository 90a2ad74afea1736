from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from linju.accounts import services as accounts
from linju.accounts.auth import client_ip
from linju.api.api import ServiceUnavailable, bearer
from linju.api.schemas import (
    ErrorOut,
    PasswordSignIn,
    PhoneCodeRequestIn,
    PhoneCodeRequestOut,
    PhoneCodeSignIn,
    SignedOut,
    TokenOut,
    WeChatBound,
    WeChatCode,
)
from linju.api.tokens import TOKEN_LIFETIME, api_token_issue, api_token_revoke
from linju.core.audit import record_security
from linju.wechat import client as wechat
from linju.wechat.selectors import wechat_identity_for
from linju.wechat.services import wechat_identity_bind

router = Router()


def _token(user, label: str) -> TokenOut:
    return TokenOut(
        token=api_token_issue(user=user, label=label),
        expires_in=int(TOKEN_LIFETIME.total_seconds()),
    )


@router.post(
    "/password",
    response={200: TokenOut, 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Sign in with a sign-in name or phone number and a password",
    description=(
        "After 5 wrong passwords for one account (or 30 from one network) password sign-in "
        "pauses for 15 minutes: 429, with Retry-After."
    ),
)
def password_sign_in(request: HttpRequest, payload: PasswordSignIn):
    user = accounts.password_sign_in(
        request=request, login=payload.username, password=payload.password
    )
    return _token(user, "password")


@router.post(
    "/phone-code",
    response={200: PhoneCodeRequestOut, 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Text a 6-digit sign-in code to a phone",
    description=(
        "The answer is the same for numbers with and without an account (a code is texted only "
        "to an account's number). Codes expire after 10 minutes and allow 5 tries."
    ),
)
def phone_code_request(request: HttpRequest, payload: PhoneCodeRequestIn):
    answer = accounts.phone_code_request(
        phone=payload.phone, ip=client_ip(request), purpose=accounts.SIGN_IN
    )
    return PhoneCodeRequestOut(expires_in=answer.expires_in, resend_after=answer.resend_after)


@router.post(
    "/phone",
    response={200: TokenOut, 400: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Sign in with a phone number and the code texted to it",
)
def phone_sign_in(request: HttpRequest, payload: PhoneCodeSignIn):
    user = accounts.phone_code_sign_in(
        phone=payload.phone, code=payload.code, ip=client_ip(request)
    )
    return _token(user, "phone code")


WECHAT_ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut}


def _wechat_session(code: str):
    """Exchange the mini-program's login code; WeChat's refusals become our answers."""
    try:
        return wechat.code_to_session(code)
    except wechat.InvalidCode as exc:
        raise ValidationError({"code": [exc.message]}) from None
    except wechat.WeChatNotConfigured:
        raise Http404 from None  # this site offers no WeChat sign-in
    except (wechat.WeChatUnavailable, wechat.Busy) as exc:
        raise ServiceUnavailable(exc.message) from None
    except wechat.RateLimited as exc:
        raise accounts.Throttled(exc.message, retry_after=60) from None
    except wechat.WeChatError as exc:
        raise ValidationError(exc.message) from None


@router.post(
    "/wechat",
    response={200: TokenOut, **WECHAT_ERRORS},
    auth=None,
    summary="Sign in with WeChat (mini-program wx.login code)",
    description=(
        "Works once the WeChat account is linked to a Linju account. Not linked yet: 422 with "
        "errors.code = ['not_linked']; sign in by phone code, then POST /api/auth/wechat/link."
    ),
)
def wechat_sign_in(request: HttpRequest, payload: WeChatCode):
    session = _wechat_session(payload.code)
    identity = wechat_identity_for(session.openid)
    if identity is None or not identity.user.is_active:
        raise ValidationError(
            {"code": ["not_linked"], "__all__": [_("This WeChat account is not linked yet.")]}
        )
    record_security(user=identity.user, event="sign_in", detail="api wechat")
    return _token(identity.user, "wechat")


@router.post(
    "/wechat/link",
    response={200: WeChatBound, 401: ErrorOut, **WECHAT_ERRORS},
    auth=bearer,
    summary="Link the signed-in account to this WeChat account",
)
def wechat_link(request: HttpRequest, payload: WeChatCode):
    session = _wechat_session(payload.code)
    wechat_identity_bind(user=request.user, openid=session.openid, unionid=session.unionid)
    return WeChatBound(bound=True)


@router.post(
    "/sign-out",
    response={200: SignedOut, 400: ErrorOut, 401: ErrorOut},
    auth=bearer,
    summary="Sign out: this token stops working",
)
def sign_out(request: HttpRequest):
    return SignedOut(signed_out=api_token_revoke(key=request.api_token))  # type: ignore[attr-defined]
