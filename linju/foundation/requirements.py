"""The project requirement this app adds to the road: "the foundation has the application"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linju.projects.requirements import register_requirement

# Statuses at which the foundation holds the application (received or any later step).
HELD_BY_FOUNDATION = (
    "received",
    "under_review",
    "shortlisted",
    "declined",
    "awarded",
    "not_awarded",
)


def _foundation_applied(project: Any) -> str | None:
    from linju.foundation.models import Application

    if Application.objects.filter(project=project, status__in=HELD_BY_FOUNDATION).exists():
        return None
    return gettext("The community foundation has not received an application for this project.")


def register() -> None:
    register_requirement(
        "foundation_applied",
        _("an application received by the community foundation"),
        _foundation_applied,
    )
