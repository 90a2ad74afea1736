"""The disclosure board's section of published consultation results.

Each published consultation is listed with its date, what was decided because of it and the
notice holding its summary. A public board (nobody signed in) shows the title, the date and
the notice only: the summary, which holds no personal data. Members also get the link to the
results page with the charts. Two queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from linju.consultations.models import Consultation

ORDER = 150  # after the notices, before the funds
SHOWN = 10


def consultations_section(
    *, estate: Any, building: Any, actor: Any, public: bool
) -> dict[str, Any] | None:
    published = Consultation.objects.filter(
        estate=estate, status=Consultation.Status.PUBLISHED
    ).select_related("notice", "estate")
    if building is not None:
        published = published.filter(
            Q(building=building)
            | Q(audience_buildings=building)
            | Q(scope=Consultation.Scope.ESTATE)
        ).distinct()
    rows = []
    for consultation in published.order_by("-published_at", "-pk")[:SHOWN]:
        notice = consultation.notice
        rows.append(
            {
                "title": consultation.title,
                "published_at": consultation.published_at,
                "decided": "" if public else consultation.decided,
                "notice_url": notice.get_absolute_url() if notice is not None else "",
                "results_url": ""
                if public
                else reverse("consultation_results", args=[estate.slug, consultation.pk]),
            }
        )
    if not rows:
        return None
    return {
        "title": _("Consultation results"),
        "template": "consultations/results_board_section.html",
        "context": {"consultation_rows": rows},
        "order": ORDER,
    }
