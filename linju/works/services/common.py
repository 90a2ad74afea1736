"""Shared pieces of the works services: locking the project, refusals, text, photos, PDFs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from linju.core.images import photo_store
from linju.projects.models import Project

MAX_PHOTOS = 9  # at most this many photos in one upload (WeChat's own limit)
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_AMOUNT = Decimal("9999999999.99")


def refuse(message: str, *, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def locked_project(project: Project) -> Project:
    """The project row locked for this transaction (not the estate or building it joins)."""
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("estate", "building")
        .get(pk=project.pk)
    )


def under_way(project: Project) -> None:
    """Refuse any change to a cancelled project."""
    if project.status == Project.Status.CANCELLED:
        raise refuse(_("This project was cancelled; nothing more can be added to it."))


def clean_line(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    """One line of text, spaces folded; refused when empty (if required) or too long."""
    text = " ".join(str(value or "").split())
    if required and not text:
        raise refuse(_("This field is required."), field=field, code="required")
    if len(text) > max_length:
        raise refuse(
            _("At most %(n)s characters.") % {"n": max_length}, field=field, code="too_long"
        )
    return text


def clean_text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    """Free text with its lines kept (trailing spaces and blank edges removed)."""
    text = "\n".join(line.rstrip() for line in str(value or "").strip().splitlines())
    if required and not text:
        raise refuse(_("This field is required."), field=field, code="required")
    if len(text) > max_length:
        raise refuse(
            _("At most %(n)s characters.") % {"n": max_length}, field=field, code="too_long"
        )
    return text


def clean_amount(value: Any, *, field: str, required: bool = True) -> Decimal | None:
    """A sum of money in yuan: positive, two decimals at most."""
    if value in (None, ""):
        if required:
            raise refuse(_("Give the amount."), field=field, code="required")
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("¥", ""))
    except (InvalidOperation, ValueError):
        raise refuse(_("Write the amount as a number, e.g. 12800.50."), field=field) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise refuse(_("The amount must be more than ¥0."), field=field)
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise refuse(_("At most two decimals (fen)."), field=field)
    return amount.quantize(Decimal("0.01"))


def check_photos(uploads: Iterable[Any], *, field: str = "photos") -> list[Any]:
    photos = [u for u in uploads if u]
    if len(photos) > MAX_PHOTOS:
        raise refuse(_("At most %(n)s photos at a time.") % {"n": MAX_PHOTOS}, field=field)
    return photos


def store_photos(model: type, uploads: Iterable[Any], *, field: str = "photos", **values: Any):
    """Clean and store each upload as a ``model`` row with ``values``; a refused photo refuses
    them all (the caller's transaction rolls back)."""
    stored = []
    for upload in uploads:
        try:
            stored.append(photo_store(model(**values), upload))
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
    return stored


def clean_pdf(upload: Any, *, field: str = "pdf") -> ContentFile | None:
    """A PDF as it really is (not by its name), at most 20 MB, under a name of our own."""
    if not upload:
        return None
    size = getattr(upload, "size", None)
    if size is None or size > MAX_PDF_BYTES:
        raise refuse(_("The PDF is larger than 20 MB."), field=field)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise refuse(_("This is not a PDF file."), field=field)
    return ContentFile(data, name=f"{uuid.uuid4().hex}.pdf")
