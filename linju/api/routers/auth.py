from django.http import HttpRequest
from ninja import Router

from linju.accounts import services as accounts
from linju.accounts.auth import client_ip
from linju.api.api import bearer
from linju.api.schemas import (
    ErrorOut,
    PasswordSignIn,
    PhoneCodeRequestIn,
    PhoneCodeRequestOut,
    PhoneCodeSignIn,
    SignedOut,
    TokenOut,
)
from linju.api.tokens import TOKEN_LIFETIME, api_token_issue, api_token_revoke

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


@router.post(
    "/sign-out",
    response={200: SignedOut, 400: ErrorOut, 401: ErrorOut},
    auth=bearer,
    summary="Sign out: this token stops working",
)
def sign_out(request: HttpRequest):
    return SignedOut(signed_out=api_token_revoke(key=request.api_token))  # type: ignore[attr-defined]
