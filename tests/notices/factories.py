"""factory_boy factories for the notice board, with a trait for each state.

NoticeFactory(estate=world.here)                           # a draft
NoticeFactory(estate=world.here, published=True)           # on the board for 30 days
NoticeFactory(estate=world.here, withdrawn=True)           # withdrawn, still on the board
NoticeFactory(estate=world.here, expired=True)             # in the archive
"""

from __future__ import annotations

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook
from PIL import Image

from linju.notices.models import BoardSettings, Notice
from tests.factories import EstateFactory


def _days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    estate = factory.SubFactory(EstateFactory)
    category = Notice.Category.OTHER
    title = factory.Sequence(lambda n: f"通知{n}")
    body = "请各位居民留意。"

    class Params:
        published = factory.Trait(
            status=Notice.Status.PUBLISHED,
            published_at=factory.LazyFunction(lambda: _ago(1)),
            shown_until=factory.LazyFunction(lambda: _days_from_today(29)),
        )
        withdrawn = factory.Trait(
            status=Notice.Status.WITHDRAWN,
            published_at=factory.LazyFunction(lambda: _ago(2)),
            shown_until=factory.LazyFunction(lambda: _days_from_today(28)),
            withdrawn_at=factory.LazyFunction(lambda: _ago(1)),
            withdraw_reason="金额写错，更正后重新公示",
        )
        expired = factory.Trait(
            status=Notice.Status.PUBLISHED,
            published_at=factory.LazyFunction(lambda: _ago(40)),
            shown_until=factory.LazyFunction(lambda: _days_from_today(-10)),
        )


def public_board(estate) -> BoardSettings:
    settings, _created = BoardSettings.objects.update_or_create(
        estate=estate, defaults={"public": True}
    )
    return settings


def png(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (30, 120, 40)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def jpeg(name: str = "receipt.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 200, 200)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name: str = "audit.pdf") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def xlsx(name: str = "accounts.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append(["日期", "金额"])
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")
