"""Join slips as a printable PDF: A4, eight slips a page with cut lines, one per flat.

Each slip carries the estate, the flat's address, its join code in large type, a QR code of the
join page for that code, and two lines of instructions in Chinese with English in small type.
The fonts are the Noto CJK fonts of the machine (Debian's fonts-noto-cjk), embedded in the PDF,
so a print shop's computer without Chinese fonts prints the slips as they look here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from linju.membership.selectors import Slip

SLIPS_PER_PAGE = 8


@dataclass
class PrintedSlip:
    slip: Slip
    url: str
    qr_svg: SafeString


def _qr_svg(url: str) -> SafeString:
    # A full QR code (never Micro QR, which WeChat's scanner does not read), sized by the page.
    qr = segno.make_qr(url, error="m")
    # segno writes only its own path data and the URL's characters are those of a URL.
    return mark_safe(qr.svg_inline(scale=1, border=3, omitsize=True))  # noqa: S308


def join_slips_pdf(*, slips: Sequence[Slip], site_url: str, title: str) -> bytes:
    """The PDF of ``slips``; QR codes point at ``site_url`` + the join page of each code."""
    from weasyprint import HTML  # a heavy import, needed only here

    site_url = site_url.rstrip("/")
    printed = []
    for slip in slips:
        url = f"{site_url}{reverse('join_code', args=[slip.code.code])}"
        printed.append(PrintedSlip(slip=slip, url=url, qr_svg=_qr_svg(url)))
    pages = [printed[i : i + SLIPS_PER_PAGE] for i in range(0, len(printed), SLIPS_PER_PAGE)]
    html = render_to_string(
        "membership/join_slips.html",
        {"pages": pages, "title": title, "join_url": f"{site_url}{reverse('join')}"},
    )
    return HTML(string=html).write_pdf()
