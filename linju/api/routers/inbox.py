from django.http import HttpRequest
from ninja import Router

from linju.api.api import bearer
from linju.api.schemas import ErrorOut, InboxOut, MarkedRead, NotificationOut
from linju.notifications import selectors, services

router = Router(auth=bearer)
INBOX_PAGE = 50


def _out(n) -> NotificationOut:
    return NotificationOut(
        id=n.pk,
        kind=n.kind,
        title=n.title,
        body=n.body,
        url=n.url,
        urgent=n.urgent,
        created_at=n.created_at.isoformat(),
        read=n.read_at is not None,
    )


@router.get("", response={200: InboxOut, 401: ErrorOut}, summary="My newest notifications")
def inbox(request: HttpRequest):
    latest = selectors.notification_list(user=request.user)[:INBOX_PAGE]
    return InboxOut(
        unread=selectors.unread_count(user=request.user),
        notifications=[_out(n) for n in latest],
    )


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Mark one of my notifications read",
)
def mark_read(request: HttpRequest, notification_id: int):
    notification = selectors.notification_get(user=request.user, notification_id=notification_id)
    return _out(services.notification_mark_read(actor=request.user, notification=notification))


@router.post(
    "/read-all",
    response={200: MarkedRead, 400: ErrorOut, 401: ErrorOut},
    summary="Mark all my notifications read",
)
def mark_all_read(request: HttpRequest):
    return MarkedRead(marked=services.notifications_mark_all_read(actor=request.user))
