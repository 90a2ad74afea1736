from django.http import HttpRequest
from ninja import Router

from linju.api.api import bearer
from linju.api.schemas import ErrorOut, JoinCodeIn, JoinFlatOut, JoinRequestIn, JoinRequestOut
from linju.membership import selectors, services
from linju.membership.models import JoinRequest

router = Router(auth=bearer)
ERRORS = {400: ErrorOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _out(r: JoinRequest) -> JoinRequestOut:
    return JoinRequestOut(
        id=r.pk,
        estate=r.estate.slug,
        flat=r.flat.label,
        relation=r.relation,
        full_name=r.full_name,
        status=r.status,
        status_label=r.get_status_display(),
        reason=r.reason,
        created_at=r.created_at.isoformat(),
    )


@router.post(
    "/check",
    response={200: JoinFlatOut, **ERRORS},
    summary="Which flat a join code (from the slip or its QR code) belongs to",
    description="Codes that do not work all get the same answer; after 10 in an hour: 429.",
)
def join_check(request: HttpRequest, payload: JoinCodeIn):
    code = services.join_code_check(actor=request.user, code=payload.code)
    return JoinFlatOut(estate=code.estate.slug, estate_name=code.estate.name, flat=code.flat.label)


@router.post(
    "",
    response={200: JoinRequestOut, **ERRORS},
    summary="Ask to join a flat; staff or the building-group leader approve",
)
def join_request_create(request: HttpRequest, payload: JoinRequestIn):
    created = services.join_request_create(
        actor=request.user,
        code=payload.code,
        relation=payload.relation,
        full_name=payload.full_name,
    )
    return _out(created)


@router.get("/mine", response={200: list[JoinRequestOut], 401: ErrorOut}, summary="My requests")
def my_join_requests(request: HttpRequest):
    return [_out(r) for r in selectors.join_requests_mine(user=request.user)]


@router.post(
    "/mine/{request_id}/withdraw",
    response={200: JoinRequestOut, 404: ErrorOut, **ERRORS},
    summary="Withdraw one of my waiting requests",
)
def join_request_withdraw(request: HttpRequest, request_id: int):
    mine = selectors.join_request_get_mine(actor=request.user, request_id=request_id)
    return _out(services.join_request_withdraw(actor=request.user, join_request=mine))
