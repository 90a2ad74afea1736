"""The paper questionnaire of a survey, for those who prefer paper: A4, Chinese, with a QR code
of the survey's page (to answer online instead) and a box for each answer. Staff enter the
returned questionnaires in the console. Fonts embedded like the decisions' PDFs; who may print
it is decided by the view."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.consultations import selectors
from linju.consultations.models import Consultation
from linju.decisions.pdf import _qr_svg

_UNSAFE_IN_NAMES = str.maketrans({c: " " for c in '/\\:*?"<>|\r\n\t'})


def file_name(consultation: Consultation) -> str:
    title = " ".join(consultation.title.translate(_UNSAFE_IN_NAMES).split())[:80]
    return _("%(title)s - paper questionnaire.pdf") % {"title": title or consultation.pk}


def questionnaire_pdf(*, consultation: Consultation, site_url: str) -> bytes:
    """The questionnaire: the survey's title, what it is about, when it closes, each question
    with its options (boxes to tick, places to write), and where branches apply."""
    from weasyprint import HTML  # a heavy import, needed only here

    page_url = f"{site_url.rstrip('/')}{consultation.get_absolute_url()}"
    context = {
        "survey": consultation,
        "estate": consultation.estate,
        "questions": selectors.questions_of(consultation),
        "page_url": page_url,
        "qr_svg": _qr_svg(page_url),
        "printed_at": timezone.now(),
    }
    html = render_to_string("consultations/pdf/questionnaire.html", context)
    return HTML(string=html).write_pdf()
