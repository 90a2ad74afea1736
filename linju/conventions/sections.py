"""The conventions part of a project's page and showcase: the conventions drafted within the
project (one query). On the showcase, which may be public, only adopted ones are listed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from linju.conventions.models import Convention


def project_section(*, project: Any, actor: Any, showcase: bool) -> dict[str, Any] | None:
    conventions = Convention.objects.filter(project=project).exclude(
        status=Convention.Status.WITHDRAWN
    )
    if showcase:
        conventions = conventions.filter(status=Convention.Status.ADOPTED)
    found = list(conventions.order_by("created_at", "pk"))
    if not found:
        return None
    return {
        "title": _("Conventions"),
        "template": "conventions/_project_section.html",
        "context": {"project_conventions": found, "showcase": showcase},
        "order": 300,
    }


def register() -> None:
    from linju.projects.sections import register_section

    register_section("conventions", project_section)
