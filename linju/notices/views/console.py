"""The notice console: drafts, files, publishing for a period, pinning, withdrawing, and the
board's settings. Committee staff and the owners' committee manage every notice of the estate;
a building-group leader those of the building they lead. To anyone else each page is the same
404 as a missing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.core.http import form_errors, posted
from linju.notices import selectors, services
from linju.notices.forms import (
    AttachmentForm,
    BoardSettingsForm,
    NoticeForm,
    PublishForm,
    WithdrawForm,
)
from linju.notices.models import Notice


def _managed_estate(request: HttpRequest, slug: str) -> Estate:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "manage", estate, model="board"):
        raise Http404
    return estate


def _managed_notice(request: HttpRequest, slug: str, notice_id: int) -> Notice:
    estate = _managed_estate(request, slug)
    notice = selectors.notice_get(actor=request.user, estate=estate, notice_id=notice_id)
    if not permissions.can(request.user, "manage", notice):
        raise Http404
    return notice


def _to_notice(notice: Notice) -> HttpResponse:
    return redirect("console_notice", slug=notice.estate.slug, notice_id=notice.pk)


@login_required
def console_notices_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _managed_estate(request, slug)
    return render(
        request,
        "notices/console/list.html",
        {
            "estate": estate,
            "notices": selectors.notice_console_list(actor=request.user, estate=estate),
            "may_set": permissions.can(request.user, "change", estate, model="board_settings"),
        },
    )


def _form_page(
    request: HttpRequest, estate: Estate, form: NoticeForm, notice: Notice | None
) -> HttpResponse:
    return render(
        request,
        "notices/console/form.html",
        {"estate": estate, "form": form, "notice": notice},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def console_notice_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = _managed_estate(request, slug)
    form = NoticeForm(posted(request), actor=request.user, estate=estate)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(
                actor=request.user, estate=estate, **form.service_arguments()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Add files, then publish it."))
            return _to_notice(notice)
    return _form_page(request, estate, form, None)


@login_required
def console_notice_edit_view(request: HttpRequest, slug: str, notice_id: int) -> HttpResponse:
    notice = _managed_notice(request, slug, notice_id)
    if notice.status != Notice.Status.DRAFT:
        messages.error(request, _("Only a draft can be edited; withdraw a published notice."))
        return _to_notice(notice)
    form = NoticeForm(
        posted(request),
        actor=request.user,
        estate=notice.estate,
        initial=NoticeForm.initial_for(notice),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_update(actor=request.user, notice=notice, **form.service_arguments())
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return _to_notice(notice)
    return _form_page(request, notice.estate, form, notice)


def _notice_page(
    request: HttpRequest,
    notice: Notice,
    *,
    publish_form: PublishForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    attachment_form: AttachmentForm | None = None,
    refusal: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "notices/console/notice.html",
        {
            "estate": notice.estate,
            "notice": notice,
            "attachments": selectors.attachments(notice=notice),
            "readers": selectors.notice_readers(notice=notice),
            "publish_form": publish_form or PublishForm(),
            "withdraw_form": withdraw_form or WithdrawForm(),
            "attachment_form": attachment_form or AttachmentForm(),
            "refusal": refusal or [],
        },
        status=status,
    )


@login_required
def console_notice_view(request: HttpRequest, slug: str, notice_id: int) -> HttpResponse:
    return _notice_page(request, _managed_notice(request, slug, notice_id))


@login_required
@require_POST
def console_notice_publish_view(request: HttpRequest, slug: str, notice_id: int) -> HttpResponse:
    notice = _managed_notice(request, slug, notice_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            notice = services.notice_publish(
                actor=request.user, notice=notice, days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Published. It is on the board until %(date)s.")
                % {"date": notice.shown_until.isoformat() if notice.shown_until else ""},
            )
            return _to_notice(notice)
    return _notice_page(request, notice, publish_form=form, status=422)


@login_required
@require_POST
def console_notice_withdraw_view(request: HttpRequest, slug: str, notice_id: int) -> HttpResponse:
    notice = _managed_notice(request, slug, notice_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.notice_withdraw(
                actor=request.user, notice=notice, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Withdrawn. It stays on the board, marked, with why."))
            return _to_notice(notice)
    return _notice_page(request, notice, withdraw_form=form, status=422)


PIN_ACTIONS: dict[str, Any] = {"pin": services.notice_pin, "unpin": services.notice_unpin}


@login_required
@require_POST
def console_notice_pin_view(
    request: HttpRequest, slug: str, notice_id: int, action: str
) -> HttpResponse:
    notice = _managed_notice(request, slug, notice_id)
    try:
        PIN_ACTIONS[action](actor=request.user, notice=notice)
    except ValidationError as exc:
        return _notice_page(request, notice, refusal=exc.messages, status=422)
    messages.success(request, _("Pinned.") if action == "pin" else _("No longer pinned."))
    return _to_notice(notice)


@login_required
@require_POST
def console_notice_attachment_add_view(
    request: HttpRequest, slug: str, notice_id: int
) -> HttpResponse:
    notice = _managed_notice(request, slug, notice_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.notice_attachment_add(
                actor=request.user, notice=notice, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Attached: %(name)s") % {"name": attachment.original_name})
            return _to_notice(notice)
    return _notice_page(request, notice, attachment_form=form, status=422)


@login_required
@require_POST
def console_notice_attachment_remove_view(
    request: HttpRequest, slug: str, notice_id: int, attachment_id: int
) -> HttpResponse:
    notice = _managed_notice(request, slug, notice_id)
    attachment = selectors.attachment_get(notice=notice, attachment_id=attachment_id)
    try:
        services.notice_attachment_remove(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        return _notice_page(request, notice, refusal=exc.messages, status=422)
    messages.success(request, _("The file was taken off."))
    return _to_notice(notice)


@login_required
def console_board_settings_view(request: HttpRequest, slug: str) -> HttpResponse:
    estate = community_selectors.estate_get(slug=slug)
    if not permissions.can(request.user, "change", estate, model="board_settings"):
        raise Http404
    current = services.board_settings_get(estate=estate)
    form = BoardSettingsForm(posted(request), initial={"public": current.public})
    if request.method == "POST" and form.is_valid():
        services.board_settings_update(
            actor=request.user, estate=estate, public=form.cleaned_data["public"]
        )
        messages.success(request, _("Saved."))
        return redirect("console_notices", slug=estate.slug)
    return render(
        request,
        "notices/console/settings.html",
        {"estate": estate, "form": form},
        status=422 if request.method == "POST" else 200,
    )
