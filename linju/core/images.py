"""Photos residents and staff upload: checked, re-encoded and stripped before they are stored.

Every app that keeps photos gives its model the fields of ``PhotoFields`` (``linju.core.models``)
and stores an upload with ``photo_store(photo, upload)``, inside the service's transaction:

- the file is opened by what it holds, not by its name or declared type: JPEG, PNG or WebP;
- it is refused above ``MAX_UPLOAD_BYTES`` or ``MAX_PIXELS`` (a decompression bomb is refused
  before it is decoded);
- it is turned upright by its EXIF orientation, then re-encoded without any metadata, so the
  location a phone wrote into it (GPS), the camera and the time never reach the server's disk;
- it is shrunk to at most ``MAX_SIDE`` pixels on its longer side.

After the transaction commits, a background task (``photo_web_sizes``) makes the web size
(``WEB_SIDE``) and the thumbnail (``THUMB_SIDE``) that pages show; until it has run, pages
show the stored photo itself.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from django_tasks import task

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 4096
WEB_SIDE = 1280
THUMB_SIDE = 320
JPEG_QUALITY = 85

NOT_A_PHOTO = _("This is not a photo we can read. Send a JPEG, PNG or WebP picture.")
TOO_BIG = _("The photo is larger than 15 MB. Send a smaller one.")
TOO_MANY_PIXELS = _("The photo has too many pixels (more than 40 million). Send a smaller one.")

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class CleanPhoto:
    """A re-encoded photo ready to store: its bytes, the extension and its size in pixels."""

    content: bytes
    kind: str  # "jpg" or "png"
    width: int
    height: int


def _encode(image: Any, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "png":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _flattened(image: Any) -> tuple[Any, str]:
    """RGB for a photo (JPEG); a picture with transparency or a palette stays PNG."""
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        return image.convert("RGBA"), "png"
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return image, "jpg"


def photo_clean(upload: Any) -> CleanPhoto:
    """The upload checked and re-encoded (see the module's docstring), or ValidationError."""
    from PIL import Image, ImageOps

    size = getattr(upload, "size", None)
    if size is None or size > MAX_UPLOAD_BYTES:
        raise ValidationError(TOO_BIG, code="too_big")
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            if probe.format not in ("JPEG", "PNG", "WEBP", "MPO"):
                raise ValidationError(NOT_A_PHOTO, code="not_a_photo")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            if upright is None:  # pragma: no cover - Pillow returns None only in place
                upright = image
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            flat, kind = _flattened(upright)
            # A new image holds pixels only: no EXIF, GPS, ICC comments or text chunks.
            clean = Image.new(flat.mode, flat.size)
            clean.paste(flat)
            content = _encode(clean, kind)
            width, height = clean.size
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:  # so large Pillow refuses to open it at all
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(NOT_A_PHOTO, code="not_a_photo") from exc
    finally:
        upload.seek(0)
    return CleanPhoto(content=content, kind=kind, width=width, height=height)


def photo_store(photo: Any, upload: Any, *, save: bool = True) -> Any:
    """Clean ``upload`` into ``photo`` (a model with ``PhotoFields``), save it, and make its
    web sizes after the transaction commits. ValidationError (nothing stored) if the upload is
    not a photo we accept."""
    clean = photo_clean(upload)
    photo.width, photo.height = clean.width, clean.height
    photo.image.save(f"{uuid.uuid4().hex}.{clean.kind}", ContentFile(clean.content), save=False)
    photo.web.name = ""
    photo.thumb.name = ""
    if save:
        photo.save()
        label = photo._meta.label
        pk = photo.pk
        transaction.on_commit(lambda: photo_web_sizes.enqueue(label, pk))
    return photo


def _resized(data: bytes, side: int) -> tuple[bytes, str]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        image.thumbnail((side, side))
        flat, kind = _flattened(image)
        return _encode(flat, kind), kind


def photo_make_sizes(photo: Any) -> bool:
    """Make ``photo``'s web size and thumbnail now. False when it has no stored image."""
    if not photo.image:
        return False
    with photo.image.open("rb") as handle:
        data = handle.read()
    stem = photo.image.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for field, side in (("web", WEB_SIDE), ("thumb", THUMB_SIDE)):
        content, kind = _resized(data, side)
        getattr(photo, field).save(f"{stem}-{field}.{kind}", ContentFile(content), save=False)
    type(photo).objects.filter(pk=photo.pk).update(web=photo.web.name, thumb=photo.thumb.name)
    return True


@task()
def photo_web_sizes(model_label: str, pk: int) -> bool:
    """Background task: the web size and the thumbnail of one stored photo."""
    model = apps.get_model(model_label)
    photo = model.objects.filter(pk=pk).first()
    return photo is not None and photo_make_sizes(photo)


def photo_file(photo: Any, size: str) -> Any:
    """The stored file to show for ``size`` ("thumb", "web" or "full"), falling back to the
    stored photo while the smaller sizes are not made yet."""
    if size == "thumb" and photo.thumb:
        return photo.thumb
    if size in ("thumb", "web") and photo.web:
        return photo.web
    return photo.image


def serve_photo(photo: Any, size: str, name: str) -> FileResponse:
    """Send a stored photo: never run in the site's origin, never sniffed as something else."""
    file = photo_file(photo, size)
    kind = file.name.rsplit(".", 1)[-1].lower() if file else ""
    if kind not in CONTENT_TYPES:
        raise Http404
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=CONTENT_TYPES[kind], filename=f"{name}.{kind}")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
