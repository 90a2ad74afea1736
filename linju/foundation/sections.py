"""The section this app adds to a project's page: its applications to the foundation, and the
programmes it can apply to now."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from linju.projects.sections import register_section


def project_section(*, project: Any, actor: Any, showcase: bool) -> Any:
    """Applications of the project the viewer may see, with their status, and (for the
    applicant side) the programmes open to it. Nothing on the public showcase."""
    from linju.core import permissions
    from linju.foundation import selectors
    from linju.foundation.models import Application

    if showcase:
        return None
    applications = selectors.applications_of_project(actor=actor, project=project)
    may_apply = project.status == "active" and permissions.can(
        actor,
        "create",
        Application(project=project, estate_id=project.estate_id, building_id=project.building_id),
    )
    applied = {a.programme_id for a in applications}
    programmes = (
        [p for p in selectors.open_programmes_for(project=project) if p.pk not in applied]
        if may_apply
        else []
    )
    if not applications and not programmes:
        return None
    return {
        "title": _("Community foundation"),
        "template": "foundation/_project_section.html",
        "context": {"foundation_applications": applications, "foundation_programmes": programmes},
        "order": 70,
    }


def register() -> None:
    register_section("foundation", project_section)
