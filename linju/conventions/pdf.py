"""The printable convention for the lobby: A4, large type, a QR code of its page.

The fonts are the machine's Noto CJK fonts, embedded in the PDF. Who may print what is decided
by the view; this only draws. An adopted convention prints its adopted version; a draft prints
the working clauses marked "DRAFT" on every page.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.conventions.models import Clause, Convention
from linju.decisions.pdf import _qr_svg

_UNSAFE_IN_NAMES = str.maketrans({c: " " for c in '/\\:*?"<>|\r\n\t'})


def file_name(convention: Convention) -> str:
    title = " ".join(convention.title.translate(_UNSAFE_IN_NAMES).split())[:80]
    return _("%(title)s.pdf") % {"title": title or convention.pk}


def convention_pdf(*, convention: Convention, site_url: str) -> bytes:
    """The convention as printed for the lobby notice board."""
    from weasyprint import HTML  # a heavy import, needed only here

    adopted = convention.status == Convention.Status.ADOPTED and convention.current_version
    if adopted:
        assert convention.current_version is not None
        texts = list(convention.current_version.clauses)
    else:
        texts = list(
            Clause.objects.filter(convention=convention)
            .order_by("position", "pk")
            .values_list("text", flat=True)
        )
    page_url = f"{site_url.rstrip('/')}{convention.get_absolute_url()}"
    html = render_to_string(
        "conventions/pdf/convention.html",
        {
            "convention": convention,
            "estate": convention.estate,
            "clauses": texts,
            "adopted": bool(adopted),
            "version": convention.current_version if adopted else None,
            "page_url": page_url,
            "qr_svg": _qr_svg(page_url),
            "printed_at": timezone.now(),
        },
    )
    return HTML(string=html).write_pdf()
