"""Writes for the disclosure board.

Each service checks permission, locks the notice, validates, writes and audits in one
transaction: a refused or invalid call writes nothing. Publishing tells the estate's (or the
building's) residents through ``notify``, whose pushes leave only after commit.

Lifecycle: draft (edited freely, attachments added and removed) → published for 1 to 365 days
(never edited again) → withdrawn with a reason, if it was wrong. Once its period has run a
notice moves to the archive by date alone; nothing is deleted.

Read receipts (``notice_read``) are the reader's own bookkeeping, like marking a message read:
one row per person, not audited.
"""

from __future__ import annotations

import datetime
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from linju.community.models import Building, Estate, Occupancy
from linju.core import audit, permissions
from linju.notices.models import (
    MAX_DAYS,
    MIN_DAYS,
    BoardSettings,
    Notice,
    NoticeAttachment,
    NoticeRead,
)

TITLE_MAX = 200
BODY_MAX = 20_000
REASON_MAX = 300
FILE_NAME_MAX = 200
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 20
# An .xlsx is a zip package holding these parts.
XLSX_PARTS = {"[Content_Types].xml", "xl/workbook.xml"}


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _locked(notice: Notice) -> Notice:
    # of=("self",): lock the notice only, not the estate row it is joined with.
    return Notice.objects.select_for_update(of=("self",)).select_related("estate").get(pk=notice.pk)


def _clean_fields(*, category: Any, title: Any, body: Any) -> dict[str, str]:
    """The notice's text as stored, or a ValidationError naming each field to correct."""
    errors: dict[str, list[str]] = {}
    title = str(title or "").strip()
    body = str(body or "").strip()
    if category not in Notice.Category.values:
        errors.setdefault("category", []).append(_("Choose one of the six categories."))
    if not title:
        errors.setdefault("title", []).append(_("Give the notice a title."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(
            _("Keep the title to %(n)s characters or fewer.") % {"n": TITLE_MAX}
        )
    if len(body) > BODY_MAX:
        errors.setdefault("body", []).append(
            _("Keep the text to %(n)s characters or fewer; attach a longer document as a file.")
            % {"n": BODY_MAX}
        )
    if any("\x00" in text for text in (title, body)):
        errors.setdefault("__all__", []).append(
            _("The text holds a character that is not allowed.")
        )
    if errors:
        raise ValidationError(errors)
    return {"category": str(category), "title": title, "body": body}


def _check_building(estate: Estate, building: Building | None) -> None:
    if building is not None and building.estate_id != estate.pk:
        raise _refuse(_("Choose a building of this estate."), field="building")


def _require_draft(notice: Notice) -> None:
    if notice.status != Notice.Status.DRAFT:
        raise _refuse(_("Only a draft can be changed; a published notice is withdrawn instead."))


# --- Drafting --------------------------------------------------------------------------------


@transaction.atomic
def notice_create(
    *,
    actor: Any,
    estate: Estate,
    category: str,
    title: str,
    body: str = "",
    building: Building | None = None,
) -> Notice:
    """A new draft on the board of ``estate`` (or of one of its buildings). Nobody but those
    who may post it sees it until it is published."""
    notice = Notice(estate=estate, building=building)
    permissions.require(actor, "create", notice)
    _check_building(estate, building)
    values = _clean_fields(category=category, title=title, body=body)
    for name, value in values.items():
        setattr(notice, name, value)
    notice.created_by = actor if getattr(actor, "is_authenticated", False) else None
    notice.save()
    audit.record(actor=actor, action="notice.create", target=notice)
    return notice


@transaction.atomic
def notice_update(
    *,
    actor: Any,
    notice: Notice,
    category: str,
    title: str,
    body: str = "",
    building: Building | None = None,
) -> Notice:
    """Change a draft. Moving it to another building needs the right to post there too."""
    permissions.require(actor, "manage", notice)
    notice = _locked(notice)
    _require_draft(notice)
    _check_building(notice.estate, building)
    permissions.require(actor, "create", Notice(estate=notice.estate, building=building))
    values: dict[str, Any] = {
        **_clean_fields(category=category, title=title, body=body),
        "building": building,
    }
    diff = audit.changes(notice, values)
    for name, value in values.items():
        setattr(notice, name, value)
    notice.save()
    if diff:
        audit.record(actor=actor, action="notice.update", target=notice, changes=diff)
    return notice


def attachment_kind(upload: UploadedFile) -> str:
    """ "pdf", "jpg", "png" or "xlsx" by what the file really holds (not its name or declared
    type); ValidationError for anything else, a damaged file, or one over 10 MB."""
    bad = _refuse(
        _("Attach a PDF, a photo (JPEG or PNG) or an Excel workbook (.xlsx)."),
        field="file",
        code="not_allowed",
    )
    if upload.size is None or upload.size > MAX_ATTACHMENT_BYTES:
        raise _refuse(_("The file is larger than 10 MB."), field="file", code="too_big")
    upload.seek(0)
    head = upload.read(8)
    kind = ""
    if head.startswith(b"%PDF-"):
        upload.seek(max(0, upload.size - 1024))
        if b"%%EOF" in upload.read():
            kind = "pdf"
    elif head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        from PIL import Image

        upload.seek(0)
        try:
            with Image.open(upload) as image:
                image.verify()
                kind = {"JPEG": "jpg", "PNG": "png"}.get(image.format or "", "")
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            kind = ""
    elif head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as package:
                if set(package.namelist()) >= XLSX_PARTS:
                    kind = "xlsx"
        except (zipfile.BadZipFile, OSError, ValueError):
            kind = ""
    upload.seek(0)
    if not kind:
        raise bad
    return kind


def _original_name(name: Any, kind: str) -> str:
    """The uploaded file's name as people will see it: no folders, no control characters,
    at most 200 characters, ending in its real type."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if c.isprintable()).strip()
    stem = text.rsplit(".", 1)[0] if "." in text else text
    stem = stem[: FILE_NAME_MAX - len(kind) - 1].strip() or _("attachment")
    return f"{stem}.{kind}"


@transaction.atomic
def notice_attachment_add(*, actor: Any, notice: Notice, upload: UploadedFile) -> NoticeAttachment:
    """Attach a file to a draft: PDF, JPEG, PNG or .xlsx, checked by content, up to 10 MB."""
    permissions.require(actor, "manage", notice)
    notice = _locked(notice)
    _require_draft(notice)
    if notice.attachments.count() >= MAX_ATTACHMENTS:
        raise _refuse(
            _("A notice holds at most %(n)s files.") % {"n": MAX_ATTACHMENTS}, field="file"
        )
    kind = attachment_kind(upload)
    attachment = NoticeAttachment(
        estate_id=notice.estate_id,
        notice=notice,
        kind=kind,
        original_name=_original_name(upload.name, kind),
        size=upload.size or 0,
    )
    attachment.file = upload
    attachment.save()
    audit.record(
        actor=actor,
        action="notice.attachment_add",
        target=notice,
        changes={"attachment": [None, attachment.original_name]},
    )
    return attachment


@transaction.atomic
def notice_attachment_remove(*, actor: Any, attachment: NoticeAttachment) -> None:
    """Take a file off a draft (a published notice keeps its files)."""
    notice = attachment.notice
    permissions.require(actor, "manage", notice)
    notice = _locked(notice)
    _require_draft(notice)
    name = attachment.original_name
    stored, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    audit.record(
        actor=actor,
        action="notice.attachment_remove",
        target=notice,
        changes={"attachment": [name, None]},
    )
    transaction.on_commit(lambda: storage.delete(stored))


# --- Publishing ------------------------------------------------------------------------------


def _period_days(days: Any) -> int:
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = 0
    if isinstance(days, bool) or not MIN_DAYS <= value <= MAX_DAYS:
        raise _refuse(
            _("Publish for %(min)s to %(max)s days.") % {"min": MIN_DAYS, "max": MAX_DAYS},
            field="days",
        )
    return value


def shown_until_for(published: datetime.date, days: int) -> datetime.date:
    """The last day a notice published on ``published`` for ``days`` days is on the board.
    The day of publication does not count (Civil Code Art. 201: a period counted in days
    starts the next day), so "公示 30 天" from 1 March runs to the end of 31 March."""
    return published + datetime.timedelta(days=days)


def _title_lazy(title: str) -> Any:
    """ "New notice: <title>", rendered in each recipient's own language."""
    return lazy(lambda: _("New notice: %(title)s") % {"title": title}, str)()


def _body_lazy(notice: Notice) -> Any:
    category = notice.get_category_display

    def words() -> str:
        return _("%(category)s · on the board until %(until)s") % {
            "category": category(),
            "until": notice.shown_until.isoformat() if notice.shown_until else "",
        }

    return lazy(words, str)()


def _residents_to_tell(notice: Notice, actor: Any) -> list[Any]:
    """Accounts of everyone living in the estate (or the notice's building) today, once each,
    except the person who published."""
    occupancies = Occupancy.objects.current().filter(
        estate_id=notice.estate_id, person__user__isnull=False, person__user__is_active=True
    )
    if notice.building_id is not None:
        occupancies = occupancies.filter(flat__building_id=notice.building_id)
    users = {
        o.person.user.pk: o.person.user
        for o in occupancies.select_related("person__user").order_by()
    }
    users.pop(getattr(actor, "pk", None), None)
    return [users[pk] for pk in sorted(users)]


@transaction.atomic
def notice_publish(*, actor: Any, notice: Notice, days: int) -> Notice:
    """Publish a draft for ``days`` days (1 to 365) and tell the residents it concerns. From now
    on the notice cannot be edited, only withdrawn."""
    permissions.require(actor, "manage", notice)
    notice = _locked(notice)
    _require_draft(notice)
    period = _period_days(days)
    now = timezone.now()
    notice.status = Notice.Status.PUBLISHED
    notice.published_at = now
    notice.shown_until = shown_until_for(timezone.localdate(now), period)
    notice.save()
    audit.record(
        actor=actor,
        action="notice.publish",
        target=notice,
        changes={"status": ["draft", "published"], "shown_until": [None, str(notice.shown_until)]},
    )
    from linju.notifications.services import notify

    url = notice.get_absolute_url()
    for user in _residents_to_tell(notice, actor):
        notify(
            recipient=user,
            kind="notice.published",
            title=_title_lazy(notice.title),
            body=_body_lazy(notice),
            url=url,
            estate=notice.estate,
        )
    return notice


@transaction.atomic
def notice_withdraw(*, actor: Any, notice: Notice, reason: str) -> Notice:
    """Withdraw a published notice. It stays on the board, marked withdrawn with ``reason``,
    until its period ends, and then in the archive."""
    permissions.require(actor, "manage", notice)
    notice = _locked(notice)
    reason = str(reason or "").strip()
    if notice.status != Notice.Status.PUBLISHED:
        raise _refuse(_("Only a published notice can be withdrawn."))
    if not reason:
        raise _refuse(_("Say why the notice is withdrawn; the reason is shown with it."), "reason")
    if len(reason) > REASON_MAX:
        raise _refuse(
            _("Keep the reason to %(n)s characters or fewer.") % {"n": REASON_MAX}, "reason"
        )
    if "\x00" in reason:
        raise _refuse(_("The text holds a character that is not allowed."), "reason")
    notice.status = Notice.Status.WITHDRAWN
    notice.withdrawn_at = timezone.now()
    notice.withdraw_reason = reason
    notice.pinned, notice.pinned_at = False, None
    notice.save()
    audit.record(
        actor=actor,
        action="notice.withdraw",
        target=notice,
        changes={"status": ["published", "withdrawn"], "withdraw_reason": ["", reason]},
    )
    return notice


@transaction.atomic
def notice_pin(*, actor: Any, notice: Notice) -> Notice:
    """Pin a published notice to the top of the board (the latest pinned first)."""
    permissions.require(actor, "manage", notice)
    notice = _locked(notice)
    if notice.status != Notice.Status.PUBLISHED or not notice.is_current:
        raise _refuse(_("Only a notice on the board now can be pinned."))
    if notice.pinned:
        return notice
    notice.pinned, notice.pinned_at = True, timezone.now()
    notice.save()
    audit.record(actor=actor, action="notice.pin", target=notice, changes={"pinned": [False, True]})
    return notice


@transaction.atomic
def notice_unpin(*, actor: Any, notice: Notice) -> Notice:
    """Let a pinned notice take its place by date again."""
    permissions.require(actor, "manage", notice)
    notice = _locked(notice)
    if not notice.pinned:
        return notice
    notice.pinned, notice.pinned_at = False, None
    notice.save()
    audit.record(
        actor=actor, action="notice.unpin", target=notice, changes={"pinned": [True, False]}
    )
    return notice


# --- Reading ---------------------------------------------------------------------------------


def notice_read(*, actor: Any, notice: Notice) -> NoticeRead | None:
    """Record that a signed-in person opened a published notice, the first time only; later
    openings change nothing. Anonymous readers, drafts and withdrawn notices record nothing.
    Not audited: it is the reader's own bookkeeping (the row itself says who and when)."""
    if not getattr(actor, "is_authenticated", False) or notice.status != Notice.Status.PUBLISHED:
        return None
    permissions.require(actor, "view", notice)
    existing = NoticeRead.objects.filter(notice=notice, user=actor).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return NoticeRead.objects.create(estate_id=notice.estate_id, notice=notice, user=actor)
    except IntegrityError:  # the same person opened it twice at once: the first one counts
        return NoticeRead.objects.filter(notice=notice, user=actor).first()


# --- Settings --------------------------------------------------------------------------------


def board_settings_get(*, estate: Estate) -> BoardSettings:
    """The estate's board settings, created with the defaults (not public) when first asked."""
    settings, _created = BoardSettings.objects.get_or_create(estate=estate)
    return settings


@transaction.atomic
def board_settings_update(*, actor: Any, estate: Estate, public: bool) -> BoardSettings:
    """Make the estate's board readable without signing in, or not."""
    current = board_settings_get(estate=estate)
    permissions.require(actor, "change", current)
    current = BoardSettings.objects.select_for_update().get(pk=current.pk)
    values = {"public": bool(public)}
    diff = audit.changes(current, values)
    current.public = values["public"]
    current.save()
    if diff:
        audit.record(actor=actor, action="board_settings.update", target=estate, changes=diff)
    return current
