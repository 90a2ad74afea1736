"""Projects on the world's estate, at a chosen stage, and the uploads photo tests need.

project_for(world)                        # building 1's project, at its first stage
project_for(world, position=4)            # at "budget and co-funding plan"
photo_png(), photo_jpeg_with_gps()        # small real pictures
png_claiming(20000, 20000)                # a PNG header claiming a huge picture
"""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from linju.projects import services
from linju.projects.models import Project, ProjectStage


def project_for(
    world,
    *,
    building=None,
    actor: str = "leader",
    title: str = "1号楼 大堂改造",
    position: int = 0,
) -> Project:
    """A project of ``building`` (building 1 by default) started by ``actor``, moved straight
    to ``position`` (the rows are written directly: no requirement is checked)."""
    project = services.project_create(
        actor=world.user(actor),
        estate=world.here,
        building=world.b1 if building is None else building,
        title=title,
        summary="粉刷墙面，换感应灯，加装扶手。",
    )
    if position:
        at_stage(project, position)
    return project


def at_stage(project: Project, position: int) -> Project:
    now = timezone.now()
    ProjectStage.objects.filter(project=project, position__lt=position).update(
        started_at=now, completed_at=now
    )
    ProjectStage.objects.filter(project=project, position=position).update(started_at=now)
    Project.objects.filter(pk=project.pk).update(stage_position=position)
    project.refresh_from_db()
    return project


def photo_png(name: str = "lobby.png", size=(64, 48), colour=(180, 60, 40)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


GPS_LATITUDE = ((31, 1), (14, 1), (2, 1))  # 万里街道, roughly


def photo_jpeg_with_gps(name: str = "phone.jpg") -> SimpleUploadedFile:
    """A JPEG as a phone writes it: EXIF with a camera model and a GPS position."""
    image = Image.new("RGB", (80, 60), (90, 140, 200))
    exif = Image.Exif()
    exif[0x0110] = "手机型号 X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (31.0, 14.0, 2.0)
    gps[3] = "E"
    gps[4] = (121.0, 24.0, 5.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int, name: str = "bomb.png") -> SimpleUploadedFile:
    """A tiny file whose PNG header claims ``width`` × ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 16)
    content = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, content, content_type="image/png")


def not_an_image(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 this is not a picture", content_type="image/jpeg")


def too_big(name: str = "huge.jpg") -> SimpleUploadedFile:
    """Just over the 15 MB cap (the size is refused before anything is decoded)."""
    return SimpleUploadedFile(name, b"\xff" * (15 * 1024 * 1024 + 1), content_type="image/jpeg")
