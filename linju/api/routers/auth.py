from django.http import HttpRequest
from ninja import Router

from linju.accounts import services as accounts
from linju.api.api import bearer
from linju.api.schemas import ErrorOut, PasswordSignIn, SignedOut, TokenOut
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
    "/sign-out",
    response={200: SignedOut, 400: ErrorOut, 401: ErrorOut},
    auth=bearer,
    summary="Sign out: this token stops working",
)
def sign_out(request: HttpRequest):
    return SignedOut(signed_out=api_token_revoke(key=request.api_token))  # type: ignore[attr-defined]
