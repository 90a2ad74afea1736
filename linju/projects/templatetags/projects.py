"""Template tags of the project pages: the "一楼一品" status of every building, and the sections
other apps add to a project's page."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from linju.core import permissions
from linju.projects import selectors
from linju.projects.models import Project

register = template.Library()


@register.simple_tag(takes_context=True)
def building_project_status(context: Any, estate: Any, buildings: Any = None) -> dict[str, Any]:
    """Every building's project status for the estate home, and which links the visitor may
    follow: the project page for members of the estate, the showcase for them and, when the
    estate's board is public, for anyone where the project allows it (a constant number of
    queries, whatever the number of buildings)."""
    user = context["request"].user
    rows = selectors.building_project_status(estate=estate, buildings=buildings)
    member = permissions.can(user, "view", Project(estate=estate))
    public_board = member or permissions.can(user, "view", estate, model="board")
    for row in rows:
        project = row.project
        row.link_project = member and project is not None  # type: ignore[attr-defined]
        row.link_showcase = (  # type: ignore[attr-defined]
            project is not None
            and project.status == Project.Status.FINISHED
            and (member or (public_board and project.showcase_public))
        )
    return {
        "rows": rows,
        "finished": sum(1 for r in rows if r.state == "finished"),
        "active": sum(1 for r in rows if r.state == "active"),
        "member": member,
    }


@register.simple_tag(takes_context=True)
def project_section(context: Any, section: Any) -> SafeString:
    """Render a registered section's template with the page's context and its own."""
    values = {**context.flatten(), **section.context, "section": section}
    return SafeString(render_to_string(section.template, values, request=context.get("request")))
