from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from linju.api.api import bearer
from linju.api.schemas import ErrorOut, PasswordSignIn, SignedOut, TokenOut
from linju.api.tokens import TOKEN_LIFETIME, api_token_issue, api_token_revoke
from linju.core.audit import record_security

router = Router()


def _token(user, label: str) -> TokenOut:
    return TokenOut(
        token=api_token_issue(user=user, label=label),
        expires_in=int(TOKEN_LIFETIME.total_seconds()),
    )


@router.post(
    "/password",
    response={200: TokenOut, 400: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="Sign in with a sign-in name or phone number and a password",
)
def password_sign_in(request: HttpRequest, payload: PasswordSignIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        record_security(user=None, event="sign_in.failed", detail="api password")
        raise ValidationError(
            _(
                "That sign-in name or phone number and password do not match. "
                "Check them and try again."
            )
        )
    record_security(user=user, event="sign_in", detail="api password")
    return _token(user, "password")


@router.post(
    "/sign-out",
    response={200: SignedOut, 400: ErrorOut, 401: ErrorOut},
    auth=bearer,
    summary="Sign out: this token stops working",
)
def sign_out(request: HttpRequest):
    return SignedOut(signed_out=api_token_revoke(key=request.api_token))  # type: ignore[attr-defined]
