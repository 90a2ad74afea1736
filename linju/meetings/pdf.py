"""The printable attendance sheet of a meeting, for signatures on paper, with a QR code of the
meeting's page (A4, Chinese first with the English in small type, fonts embedded like the
decisions' PDFs).

The sheet lists the households invited (flat and name, for the person to find their line and
sign) and blank lines for everyone else. Who may print it is decided by the view."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.decisions.pdf import _qr_svg
from linju.meetings import selectors
from linju.meetings.models import Meeting

BLANK_LINES = 12
_UNSAFE_IN_NAMES = str.maketrans({c: " " for c in '/\\:*?"<>|\r\n\t'})


def file_name(meeting: Meeting) -> str:
    title = " ".join(meeting.title.translate(_UNSAFE_IN_NAMES).split())[:80] or str(meeting.pk)
    return _("%(title)s - attendance sheet.pdf") % {"title": title}


def _lines(meeting: Meeting) -> list[dict[str, Any]]:
    lines = []
    for invitation in selectors.invitees(meeting=meeting):
        person = invitation.person
        if person is not None:
            flats = " ".join(
                o.flat.label
                for o in person.occupancies.all()
                if o.ends_on is None or o.ends_on > timezone.localdate()
            )
            lines.append({"flat": flats, "name": person.full_name})
        elif invitation.user is not None:
            lines.append({"flat": "", "name": str(invitation.user)})
    lines.sort(key=lambda line: (line["flat"] == "", line["flat"], line["name"]))
    return lines


def attendance_sheet_pdf(*, meeting: Meeting, site_url: str) -> bytes:
    """The sign-in sheet: what, when, where, the QR code of the meeting's page, one line per
    invited household or person, and blank lines for those not invited."""
    from weasyprint import HTML  # a heavy import, needed only here

    page_url = f"{site_url.rstrip('/')}{meeting.get_absolute_url()}"
    lines = _lines(meeting)
    context = {
        "meeting": meeting,
        "estate": meeting.estate,
        "lines": lines,
        "blank_lines": range(len(lines) + 1, len(lines) + BLANK_LINES + 1),
        "page_url": page_url,
        "qr_svg": _qr_svg(page_url),
        "printed_at": timezone.now(),
    }
    return HTML(string=render_to_string("meetings/pdf/sheet.html", context)).write_pdf()
