"""The grant agreement (资助协议) as PDF: the parties, the amount, the conditions, the project's
period and the reporting schedule, with a QR code of the grant's page. A4, Chinese first with
the English in small type, the machine's Noto CJK fonts embedded (like the decisions' PDFs).
Who may print it is decided by the view."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.decisions.pdf import _qr_svg
from linju.grants.models import Grant
from linju.grants.services import foundation_name

_UNSAFE_IN_NAMES = str.maketrans({c: " " for c in '/\\:*?"<>|\r\n\t'})


def file_name(grant: Grant) -> str:
    title = " ".join(grant.application.title.translate(_UNSAFE_IN_NAMES).split())[:80]
    return _("%(title)s - grant agreement.pdf") % {"title": title or str(grant.pk)}


def agreement_pdf(*, grant: Grant, site_url: str) -> bytes:
    from weasyprint import HTML  # a heavy import, needed only here

    street = grant.programme.street
    page_url = f"{site_url.rstrip('/')}{reverse('grant_detail', args=[street.slug, grant.pk])}"
    context = {
        "grant": grant,
        "application": grant.application,
        "programme": grant.programme,
        "foundation": foundation_name(street),
        "reports": list(grant.reports.order_by("due_on", "pk")),
        "page_url": page_url,
        "qr_svg": _qr_svg(page_url),
        "printed_at": timezone.now(),
    }
    return HTML(string=render_to_string("grants/pdf/agreement.html", context)).write_pdf()
