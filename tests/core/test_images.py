"""Photo cleaning for every app (``linju.core.images``): opened by content not by name,
refused when not a photo, too large or too many pixels (a decompression bomb is refused before
it is decoded), turned upright, stripped of every metadata (GPS, camera, comments), shrunk to
the largest side, and served sandboxed; the web sizes are made by a background task."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image, PngImagePlugin

from linju.core import images
from tests.projects.factories import (
    not_an_image,
    photo_jpeg_with_gps,
    photo_png,
    png_claiming,
    too_big,
)


def _upload(image: Image.Image, fmt: str, name: str = "x", **save) -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return SimpleUploadedFile(f"{name}.{fmt.lower()}", out.getvalue())


def _opened(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


class TestClean:
    def test_a_jpeg_is_re_encoded_without_exif_or_gps(self):
        clean = images.photo_clean(photo_jpeg_with_gps())
        assert clean.kind == "jpg"
        stored = _opened(clean.content)
        assert not stored.getexif() and "exif" not in stored.info
        assert b"GPS" not in clean.content

    def test_png_text_chunks_are_dropped_and_transparency_kept(self):
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "住在 17-1201")
        upload = _upload(Image.new("RGBA", (20, 10), (0, 0, 0, 0)), "PNG", pnginfo=info)
        clean = images.photo_clean(upload)
        assert clean.kind == "png"
        assert b"17-1201" not in clean.content
        assert _opened(clean.content).mode == "RGBA"

    def test_webp_is_read(self):
        clean = images.photo_clean(_upload(Image.new("RGB", (30, 20), "red"), "WEBP"))
        assert (clean.kind, clean.width, clean.height) == ("jpg", 30, 20)

    def test_exif_orientation_is_applied(self):
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90° clockwise to show
        clean = images.photo_clean(_upload(Image.new("RGB", (40, 20)), "JPEG", exif=exif))
        assert (clean.width, clean.height) == (20, 40)

    def test_shrunk_to_the_largest_side(self):
        clean = images.photo_clean(photo_png(size=(images.MAX_SIDE + 200, 100)))
        assert clean.width == images.MAX_SIDE

    @pytest.mark.parametrize(
        ("make", "code"),
        [
            (not_an_image, "not_a_photo"),
            (lambda: SimpleUploadedFile("x.gif", b"GIF89a" + b"\x00" * 30), "not_a_photo"),
            (lambda: _upload(Image.new("RGB", (4, 4)), "GIF"), "not_a_photo"),
            (lambda: _upload(Image.new("RGB", (4, 4)), "BMP"), "not_a_photo"),
            (lambda: SimpleUploadedFile("empty.jpg", b""), "not_a_photo"),
            (too_big, "too_big"),
            (lambda: png_claiming(8000, 6000), "too_many_pixels"),
            (lambda: png_claiming(20000, 20000), "too_many_pixels"),
        ],
        ids=["pdf", "broken-gif", "gif", "bmp", "empty", "over-15-MB", "48-MP", "400-MP"],
    )
    def test_refusals(self, make, code):
        with pytest.raises(ValidationError) as refused:
            images.photo_clean(make())
        assert refused.value.code == code

    def test_a_truncated_jpeg_is_not_a_photo(self):
        data = _upload(Image.new("RGB", (64, 64), "blue"), "JPEG").read()
        with pytest.raises(ValidationError):
            images.photo_clean(SimpleUploadedFile("cut.jpg", data[: len(data) // 3]))


@pytest.mark.django_db
class TestStoreAndServe:
    def _photo(self, world):
        from linju.projects import services

        project = services.project_create(
            actor=world.user("leader"), estate=world.here, building=world.b1, title="测试"
        )
        return services.photo_add(
            actor=world.user("leader"), project=project, upload=photo_png(size=(1600, 1200))
        )

    def test_sizes_are_made_after_commit_and_served(
        self, world, settings, django_capture_on_commit_callbacks
    ):
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        with django_capture_on_commit_callbacks(execute=True):
            photo = self._photo(world)
        photo.refresh_from_db()
        with photo.web.open("rb") as f:
            assert max(_opened(f.read()).size) == images.WEB_SIDE
        response = images.serve_photo(photo, "thumb", "t")
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Security-Policy"] == "sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert max(_opened(b"".join(response.streaming_content)).size) == images.THUMB_SIDE

    def test_before_the_task_runs_the_stored_photo_is_shown(self, world):
        photo = self._photo(world)
        assert not photo.thumb and images.photo_file(photo, "thumb") == photo.image

    def test_a_missing_file_is_404(self, world):
        photo = self._photo(world)
        photo.image.storage.delete(photo.image.name)
        with pytest.raises(Http404):
            images.serve_photo(photo, "full", "x")

    def test_the_task_on_a_deleted_photo_does_nothing(self, world):
        photo = self._photo(world)
        label, pk = photo._meta.label, photo.pk
        photo.delete()
        assert images.photo_web_sizes.call(label, pk) is False
