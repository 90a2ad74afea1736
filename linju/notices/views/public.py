"""What readers see: the board of an estate or building, the archive, a notice, its files.

Members of the estate read the board; when the estate has made it public, anyone does, and a
visitor who is not signed in sees no personal data at all. When it is not public, a visitor
who is not signed in is sent to sign in, and a signed-in outsider gets the same 404 as for a
missing page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from linju.community import selectors as community_selectors
from linju.community.models import Building, Estate
from linju.core import permissions
from linju.notices import board, selectors, services
from linju.notices.models import Notice

ARCHIVE_PAGE_SIZE = 50


class SignInFirst(Exception):
    """The board is not public and the visitor is not signed in."""


def readable_estate(request: HttpRequest, slug: str) -> Estate:
    """The estate whose board the visitor may read; SignInFirst for a visitor who is not
    signed in, otherwise the same 404 as a missing estate."""
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "view", estate, model="board"):
        if not request.user.is_authenticated:
            raise SignInFirst
        raise Http404
    return estate


def _filters(request: HttpRequest, estate: Estate) -> tuple[Building | None, str]:
    building = selectors.building_for_board(estate=estate, number=request.GET.get("building", ""))
    category = request.GET.get("category", "")
    return building, category if category in Notice.Category.values else ""


def _context(request: HttpRequest, estate: Estate, building: Building | None, category: str):
    return {
        "estate": estate,
        "building": building,
        "category": category,
        "categories": Notice.Category.choices,
        "buildings": Building.objects.filter(estate=estate).order_by("sort_key", "number"),
        "public": not request.user.is_authenticated,
        "may_manage": permissions.can(request.user, "manage", estate, model="board"),
    }


def _sign_in(view: Any) -> Any:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except SignInFirst:
            return redirect_to_login(request.get_full_path())

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_sign_in
def board_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = readable_estate(request, slug)
    building, category = _filters(request, estate)
    notices = list(
        selectors.notice_board(
            actor=request.user, estate=estate, building=building, category=category
        )
    )
    context = _context(request, estate, building, category)
    return render(
        request,
        "notices/board.html",
        {
            **context,
            "pinned": [n for n in notices if n.pinned],
            "notices": [n for n in notices if not n.pinned and n.is_published],
            "withdrawn": [n for n in notices if n.status == Notice.Status.WITHDRAWN],
            "sections": board.sections_for(
                estate=estate, building=building, actor=request.user, public=context["public"]
            ),
        },
    )


@_sign_in
def board_archive_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = readable_estate(request, slug)
    building, category = _filters(request, estate)
    notices = selectors.notice_archive(
        actor=request.user, estate=estate, building=building, category=category
    )
    page = Paginator(notices, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/archive.html",
        {**_context(request, estate, building, category), "page": page},
    )


@_sign_in
def notice_detail_view(request: HttpRequest, slug: str, notice_id: int) -> HttpResponse:
    estate = readable_estate(request, slug)
    notice = selectors.notice_get(actor=request.user, estate=estate, notice_id=notice_id)
    services.notice_read(actor=request.user, notice=notice)
    may_see_readers = permissions.can(request.user, "view_readers", notice)
    return render(
        request,
        "notices/detail.html",
        {
            "estate": estate,
            "notice": notice,
            "public": not request.user.is_authenticated,
            "read_count": selectors.read_count(notice=notice),
            "attachments": selectors.attachments(notice=notice),
            "readers": selectors.notice_readers(notice=notice) if may_see_readers else None,
            "may_manage": permissions.can(request.user, "manage", notice),
        },
    )


@_sign_in
def notice_attachment_view(
    request: HttpRequest, slug: str, notice_id: int, attachment_id: int
) -> FileResponse:
    estate = readable_estate(request, slug)
    notice = selectors.notice_get(actor=request.user, estate=estate, notice_id=notice_id)
    attachment = selectors.attachment_get(notice=notice, attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    # PDFs and workbooks are downloaded, photos shown; nothing uploaded runs in the site's
    # origin (a sandboxed response cannot run scripts).
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=attachment.kind in ("pdf", "xlsx"),
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
