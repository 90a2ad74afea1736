"""The disclosure board for the mini-program: the notices of an estate (or a building), one
notice with its files, and a file. Thin over the notices selectors and services.

Members of the estate read its board; when the estate has made it public, anyone does, and
nothing personal is answered to a caller without a token. A caller without a token gets 401
for a board that is not public; a signed-in outsider the same 404 as for a missing notice.
Opening a notice records the caller's read receipt (once).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import AuthenticationError

from linju.api.api import optional_bearer
from linju.api.schemas import (
    ErrorOut,
    NoticeAttachmentOut,
    NoticeItemOut,
    NoticeOut,
    NoticeQuery,
    NoticeReaderOut,
)
from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.notices import selectors, services
from linju.notices.models import Notice

router = Router(auth=optional_bearer)
# 400: a query carrying a NUL character is refused before any view runs.
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_ID = 2**63 - 1


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _readable(request: HttpRequest, estate: Estate) -> Estate:
    if not permissions.can(request.user, "view", estate, model="board"):
        if not request.user.is_authenticated:
            raise AuthenticationError
        raise Http404
    return estate


def _notice(request: HttpRequest, notice_id: int) -> Notice:
    """The notice if the caller may read it; missing, hidden and foreign give the same 404
    (401 without a token when its estate's board is not public)."""
    estate = (
        Estate.objects.filter(notices__pk=notice_id).first() if 0 < notice_id <= MAX_ID else None
    )
    if estate is None:
        raise Http404
    _readable(request, estate)
    return selectors.notice_get(actor=request.user, estate=estate, notice_id=notice_id)


def _item(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "estate": notice.estate.slug,
        "building": notice.building.number if notice.building else None,
        "category": notice.category,
        "category_label": notice.get_category_display(),
        "title": notice.title,
        "status": notice.status,
        "status_label": notice.get_status_display(),
        "pinned": notice.pinned,
        "published_at": _iso(notice.published_at),
        "shown_until": _iso(notice.shown_until),
        "read_count": getattr(notice, "read_count", 0),
        "attachment_count": getattr(notice, "attachment_count", 0),
    }


@router.get(
    "",
    response={200: list[NoticeItemOut], **READ_ERRORS},
    summary="An estate's (or a building's) notice board: pinned first, then the newest",
    description=(
        "The notices on the board today (published and withdrawn ones whose period has not "
        "ended), or with `archive=true` those whose period has ended. `building` (a number) "
        "gives that building's notices and the whole estate's. 401 without a token when the "
        "estate's board is not public."
    ),
)
def board_list(request: HttpRequest, filters: Query[NoticeQuery]):
    estate = _readable(request, community_selectors.estate_get(slug=filters.estate))
    if filters.category and filters.category not in Notice.Category.values:
        raise ValidationError({"category": [_("Choose one of the six categories.")]})
    building = selectors.building_for_board(estate=estate, number=filters.building)
    read = selectors.notice_archive if filters.archive else selectors.notice_board
    notices = read(actor=request.user, estate=estate, building=building, category=filters.category)
    page = notices[filters.offset : filters.offset + filters.limit]
    return [NoticeItemOut(**_item(n)) for n in page]


@router.get(
    "/{notice_id}",
    response={200: NoticeOut, **READ_ERRORS},
    summary="A notice with its files; records that the caller has read it",
    description=(
        "Opening a published notice with a token records the caller's read receipt, the "
        "first time only. `readers` (names and flats, never phone numbers) is given only to "
        "those who may post the notice; everyone gets `read_count`."
    ),
)
def board_notice(request: HttpRequest, notice_id: int):
    notice = _notice(request, notice_id)
    services.notice_read(actor=request.user, notice=notice)
    readers = None
    if permissions.can(request.user, "view_readers", notice):
        readers = [
            NoticeReaderOut(name=r.name, flats=r.flats, read_at=r.read_at.isoformat())
            for r in selectors.notice_readers(notice=notice)
        ]
    return NoticeOut(
        **{**_item(notice), "read_count": selectors.read_count(notice=notice)},
        body=notice.body,
        withdrawn_at=_iso(notice.withdrawn_at),
        withdraw_reason=notice.withdraw_reason,
        attachments=[
            NoticeAttachmentOut(
                id=a.pk,
                name=a.original_name,
                kind=a.kind,
                size=a.size,
                url=reverse("api:board_attachment", args=[notice.pk, a.pk]),
            )
            for a in selectors.attachments(notice=notice)
        ],
        readers=readers,
    )


@router.get(
    "/{notice_id}/files/{attachment_id}",
    response={**READ_ERRORS},
    summary="One file of a notice (PDF, JPEG, PNG or .xlsx)",
    openapi_extra={"responses": {"200": {"description": "The file, with its own content type."}}},
)
def board_attachment(request: HttpRequest, notice_id: int, attachment_id: int):
    notice = _notice(request, notice_id)
    attachment = selectors.attachment_get(notice=notice, attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response
