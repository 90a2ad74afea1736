"""The donation receipt (捐赠收据) as a PDF: the foundation, the receipt number, the donor, the
amount in figures and in capital numerals, the date, the purpose, and a QR code leading to the
receipt's check page on the platform. A4 portrait, the machine's Noto CJK fonts embedded.

Who may download or send it is decided by the views and services; this only draws.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.decisions.pdf import _qr_svg
from linju.donations.models import Donation
from linju.donations.numerals import capital_amount


def file_name(donation: Donation) -> str:
    return _("donation receipt %(number)s.pdf") % {"number": donation.receipt_number}


def check_url(donation: Donation, site_url: str) -> str:
    path = reverse("foundation_receipt_check", args=[donation.street.slug, donation.token])
    return f"{site_url.rstrip('/')}{path}"


def receipt_pdf(*, donation: Donation, site_url: str) -> bytes:
    from weasyprint import HTML  # a heavy import, needed only here

    url = check_url(donation, site_url)
    html = render_to_string(
        "donations/pdf/receipt.html",
        {
            "donation": donation,
            "account": donation.account,
            "capital": capital_amount(donation.amount),
            "check_url": url,
            "qr_svg": _qr_svg(url),
            "printed_at": timezone.now(),
        },
    )
    return HTML(string=html).write_pdf()
