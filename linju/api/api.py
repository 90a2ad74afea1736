"""The JSON API for the mini-program: thin endpoints over the same services and selectors as
the pages. OpenAPI at /api/openapi.json, documentation at /api/docs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from linju.accounts.services import Throttled
from linju.api.tokens import api_token_user
from linju.core.audit import record_security
from linju.membership.services import TooManyTries


class ServiceUnavailable(Exception):
    """A service we depend on (WeChat, the SMS provider) cannot help right now: 503."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` from sign-in."""

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_user(token)
        if user is not None:
            request.user = user
            request.api_token = token  # type: ignore[attr-defined]
        return user


class OptionalTokenAuth(TokenAuth):
    """A token if one is sent (and then it must be valid); without one, the public answer."""

    def __call__(self, request: HttpRequest):
        if "Authorization" not in request.headers:
            return True
        return super().__call__(request)


api = NinjaAPI(
    title="Linju API",
    version="1",
    description=(
        "The API of Linju (邻聚) for the WeChat mini-program. Sign in for a bearer token, then "
        "send it as `Authorization: Bearer <token>`. Error bodies carry `detail` (a message in "
        "the request's language) and, for invalid input, `errors` by field."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
bearer = TokenAuth()
optional_bearer = OptionalTokenAuth()


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = "; ".join(m for messages in errors.values() for m in messages)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled):
    """Too many tries (sign-in lockout, code limits): 429 and how long to wait."""
    response = api.create_response(request, {"detail": "; ".join(exc.messages)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(TooManyTries)
def _too_many_codes(request: HttpRequest, exc: TooManyTries):
    """Too many join codes that did not work: 429 for an hour."""
    response = api.create_response(request, {"detail": "; ".join(exc.messages)}, status=429)
    response["Retry-After"] = "3600"
    return response


@api.exception_handler(NinjaValidationError)
def _malformed(request: HttpRequest, exc: NinjaValidationError):
    """Input that does not fit the documented shape: the same body as a service's refusal."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        where = [str(part) for part in error.get("loc", ())[1:]]  # drop "body"/"query"/"path"
        errors.setdefault(".".join(where) or "__all__", []).append(str(error.get("msg", "")))
    detail = _("Some of what was sent is missing or not valid.")
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied):
    detail = exc.args[1] if len(exc.args) > 1 else request.path
    record_security(user=request.user, event="permission.denied", detail=str(detail))
    return api.create_response(
        request, {"detail": _("You do not have permission to do this.")}, status=403
    )


@api.exception_handler(ServiceUnavailable)
def _unavailable(request: HttpRequest, exc: ServiceUnavailable):
    response = api.create_response(request, {"detail": exc.message}, status=503)
    response["Retry-After"] = "60"
    return response


@api.exception_handler(Http404)
def _missing(request: HttpRequest, exc: Http404):
    return api.create_response(
        request, {"detail": _("There is nothing here, or it is not yours to see.")}, status=404
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request,
        {"detail": _("Sign in first: the token is missing, wrong or expired.")},
        status=401,
    )


def _add_routers() -> None:
    # Imported here: the routers import ``api`` and ``bearer`` from this module.
    from linju.api.routers import auth, decisions, directory, funding, inbox, join, notices

    api.add_router("/auth", auth.router, tags=["sign-in"])
    api.add_router("/", directory.router, tags=["directory"])
    api.add_router("/me/notifications", inbox.router, tags=["notifications"])
    api.add_router("/join", join.router, tags=["joining a flat"])
    api.add_router("/decisions", decisions.router, tags=["votes"])
    api.add_router("/board", notices.router, tags=["notice board"])
    api.add_router("/funds", funding.router, tags=["funds"])

    from linju.api.routers import meetings

    api.add_router("/meetings", meetings.router, tags=["meetings"])

    from linju.api.routers import ideas

    api.add_router("/", ideas.router, tags=["ideas, comments and topics"])

    from linju.api.routers import projects

    api.add_router("/projects", projects.router, tags=["projects"])

    from linju.api.routers import spaces, talents

    api.add_router("/spaces", spaces.router, tags=["shared spaces"])
    api.add_router("/talents", talents.router, tags=["residents' talents"])

    from linju.api.routers import works

    api.add_router("/works", works.router, tags=["design, works and acceptance"])

    from linju.api.routers import conventions

    api.add_router("/conventions", conventions.router, tags=["conventions"])

    from linju.api.routers import consultations

    api.add_router("/surveys", consultations.router, tags=["surveys"])

    from linju.api.routers import consultation_results

    api.add_router("/surveys", consultation_results.router, tags=["survey results"])

    from linju.api.routers import opinions

    api.add_router("/opinions", opinions.router, tags=["opinion maps"])

    from linju.api.routers import budgeting

    api.add_router("/budgeting", budgeting.router, tags=["participatory budgeting"])

    from linju.api.routers import foundation

    api.add_router("/foundation", foundation.router, tags=["community foundation"])

    from linju.api.routers import grants

    api.add_router("/grants", grants.router, tags=["foundation grants"])

    from linju.api.routers import donations

    api.add_router("/streets", donations.router, tags=["the foundation's money"])


_add_routers()
