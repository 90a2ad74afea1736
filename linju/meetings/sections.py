"""The meetings part of a project's page and of its showcase (``linju.projects.sections``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from linju.core import permissions


def project_meetings_section(*, project: Any, actor: Any, showcase: bool) -> dict[str, Any] | None:
    """The project's meetings the viewer may see, oldest first (two queries). The showcase,
    which may be public, lists only meetings whose minutes are published, with no names."""
    from linju.meetings import selectors

    meetings = selectors.project_meetings(actor=actor, project=project, showcase=showcase)
    if showcase and not meetings:
        return None
    return {
        "title": _("Meetings"),
        "template": "meetings/project_section.html",
        "context": {
            "meetings": meetings,
            "may_organise": not showcase
            and permissions.can(actor, "console", project.estate, model="meeting"),
        },
        "order": 30,
    }
