"""What meetings contribute to a project's road: ``hearing_minutes`` (leaving the hearing stage)
and ``review_held`` (leaving the review stage)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _held_with_minutes(project: Any, kind: str) -> bool:
    from linju.meetings.models import Meeting

    return Meeting.objects.filter(
        project_id=project.pk,
        kind=kind,
        status=Meeting.Status.HELD,
        minutes_published_at__isnull=False,
    ).exists()


def hearing_minutes(project: Any) -> str | None:
    """Met when the project has a hearing that was held and whose minutes are published."""
    from linju.meetings.models import Meeting

    if _held_with_minutes(project, Meeting.Kind.HEARING):
        return None
    return gettext("No hearing of this project has published minutes yet.")


def review_held(project: Any) -> str | None:
    """Met when the project has a review meeting that was held and whose minutes are
    published."""
    from linju.meetings.models import Meeting

    if _held_with_minutes(project, Meeting.Kind.REVIEW):
        return None
    return gettext("No review meeting of this project has been held with published minutes.")


def register() -> None:
    from linju.projects.requirements import register_requirement

    register_requirement(
        "hearing_minutes", _("a hearing held and its minutes published"), hearing_minutes
    )
    register_requirement(
        "review_held", _("a review meeting held and its minutes published"), review_held
    )
