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
