"""The printed join slips: one slip per flat, eight to an A4 page, a Chinese font embedded, and
a QR code for the absolute address of each flat's join page."""

from __future__ import annotations

import io
import math
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from linju.membership import slips
from linju.membership.models import JoinCode
from tests import factories as f

A4 = (595, 842)  # points, rounded
# A code as printed, "ABCD EFGH"; extracted text may run straight on into the next line.
PRINTED_CODE = re.compile(r"(?<![A-Z0-9])([A-HJKMNP-Z2-9]{4}) ([A-HJKMNP-Z2-9]{4})")


@pytest.fixture
def many_flats(world):
    """Building 1 of ``here`` with an entrance and 10 more flats: 12 flats in the estate."""
    for i in range(10):
        f.FlatFactory(building=world.b1, number=f"{i + 2}01")
    return world


def _print(world, **data) -> bytes:
    client = Client()
    client.force_login(world.user("staff"))
    response = client.post(reverse("join_slips", args=["here"]), data)
    assert response.status_code == 200, response.content[:500]
    return response.content


def _fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font of every page."""
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = None
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            else:
                descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found


def test_one_slip_per_flat_on_a4_pages_with_a_chinese_font_embedded(many_flats):
    world = many_flats
    pdf = _print(world)
    reader = PdfReader(io.BytesIO(pdf))
    codes = set(JoinCode.objects.filter(estate=world.here).values_list("code", flat=True))
    assert len(codes) == 12

    assert len(reader.pages) == math.ceil(12 / slips.SLIPS_PER_PAGE) == 2
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4

    text = "\n".join(page.extract_text() for page in reader.pages)
    printed = PRINTED_CODE.findall(text)
    assert sorted(a + b for a, b in printed) == sorted(codes)  # each code exactly once
    assert text.count("这里小区") == 12
    assert "1-101" in text and "2-201" in text

    fonts = _fonts(reader)
    cjk = [name for name, embedded in fonts if "CJK" in name and embedded]
    assert cjk, f"no embedded CJK font among {fonts}"
    assert all(embedded for _name, embedded in fonts), fonts


def test_each_qr_code_holds_the_absolute_join_address(world, monkeypatch):
    seen = []
    real = slips._qr_svg

    def spy(url):
        seen.append(url)
        return real(url)

    monkeypatch.setattr(slips, "_qr_svg", spy)
    _print(world)
    codes = JoinCode.objects.filter(estate=world.here).values_list("code", flat=True)
    assert sorted(seen) == sorted(f"http://testserver/join/{c}/" for c in codes)


def test_the_qr_code_is_a_full_qr_code_drawn_as_svg():
    svg = slips._qr_svg("http://testserver/join/ABCDEFGH/")
    assert svg.startswith("<svg") and 'viewBox="' in svg and "<path" in svg
    import segno

    qr = segno.make_qr("http://testserver/join/ABCDEFGH/", error="m")
    assert not qr.is_micro


def test_printing_one_building_prints_its_flats_only(many_flats):
    world = many_flats
    reader = PdfReader(io.BytesIO(_print(world, building="2")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    (code,) = JoinCode.objects.filter(flat=world.flat2).values_list("code", flat=True)
    assert len(reader.pages) == 1
    assert PRINTED_CODE.findall(text) == [(code[:4], code[4:])]


@pytest.fixture
def immediate_tasks(settings):
    """django-tasks' ImmediateBackend: a task runs inside ``enqueue()``, in the test."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_big_print_is_made_in_the_background(
    many_flats, monkeypatch, immediate_tasks, django_capture_on_commit_callbacks
):
    """More slips than a page can wait for go to the worker; staff download them later."""
    from linju.membership import services
    from linju.membership.models import SlipPrint

    world = many_flats
    monkeypatch.setattr(services, "SLIPS_WHILE_YOU_WAIT", 5)
    client = Client()
    client.force_login(world.user("staff"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("join_slips", args=["here"]))
    assert response.status_code == 302
    slip_print = SlipPrint.objects.get()
    assert (slip_print.status, slip_print.slip_count, slip_print.building) == ("done", 12, None)
    page = client.get(reverse("join_slips", args=["here"]))
    download = reverse("join_slips_download", args=["here", slip_print.pk])
    assert download in page.content.decode()
    pdf = client.get(download)
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    codes = JoinCode.objects.filter(estate=world.here).values_list("code", flat=True)
    assert sorted(a + b for a, b in PRINTED_CODE.findall(text)) == sorted(codes)
    assert "http://testserver/join/" in text


def test_a_waiting_print_is_polled_and_not_downloadable(many_flats, monkeypatch):
    from linju.membership import services
    from linju.membership.models import SlipPrint

    world = many_flats
    monkeypatch.setattr(services, "SLIPS_WHILE_YOU_WAIT", 5)
    client = Client()
    client.force_login(world.user("staff"))
    client.post(reverse("join_slips", args=["here"]))  # no worker runs here
    slip_print = SlipPrint.objects.get()
    assert slip_print.status == "waiting" and slip_print.pdf is None
    page = client.get(reverse("join_slips", args=["here"])).content.decode()
    assert 'hx-trigger="every 3s"' in page
    download = reverse("join_slips_download", args=["here", slip_print.pk])
    assert client.get(download).status_code == 404


def test_a_failed_print_says_so(world):
    from linju.membership import services
    from linju.membership.models import SlipPrint

    slip_print = SlipPrint.objects.create(estate=world.here, site_url="http://testserver/")
    with pytest.raises(Exception):  # noqa: B017 - the worker logs whatever went wrong
        services.slip_print_make(print_id=slip_print.pk + 1000)
    JoinCode.objects.create(estate=world.here, flat=world.flat1, code="FAIL2345")
    original = slips.join_slips_pdf

    def broken(**kwargs):
        raise OSError("no fonts")

    slips.join_slips_pdf = broken
    try:
        with pytest.raises(OSError):
            services.slip_print_make(print_id=slip_print.pk)
    finally:
        slips.join_slips_pdf = original
    assert SlipPrint.objects.get(pk=slip_print.pk).status == "failed"
