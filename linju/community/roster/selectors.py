"""Reads for the roster pages: an estate's imports, and one import's report as text."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from linju.community.models import Estate, RosterImport
from linju.community.roster import parse, plan
from linju.core import permissions

RECENT = 10
SHOWN = 200  # messages listed on a page; the counts say how many there are
KIND_LABELS = {
    "buildings": _("Buildings"),
    "entrances": _("Entrances"),
    "flats": _("Flats"),
    "people": _("People"),
    "occupancies": _("Occupancies"),
    "owners": _("Owners"),
}


def roster_import_get(*, actor: Any, estate: Estate, import_id: Any) -> RosterImport:
    """One import of this estate; another estate's is 404, the same as a missing one."""
    found = permissions.get_visible_or_404(
        actor, RosterImport.objects.filter(estate=estate).select_related("estate"), pk=import_id
    )
    assert isinstance(found, RosterImport)
    return found


def roster_import_list(*, actor: Any, estate: Estate) -> list[RosterImport]:
    imports = permissions.visible(actor, RosterImport.objects.filter(estate=estate))
    return list(imports.select_related("created_by").order_by("-created_at", "-id")[:RECENT])


def rendered(messages: list[dict[str, Any]], limit: int = SHOWN) -> list[dict[str, Any]]:
    """Stored messages as ``{"row", "text"}`` in the active language, in row order."""
    return [
        {"row": message.get("row"), "text": plan.render(message)}
        for message in plan.first_rows(messages, limit)
    ]


def roster_message(roster_import: RosterImport) -> str:
    """Why an import was refused or stopped, in the active language."""
    message = roster_import.message or {}
    return parse.render(message["text"], message.get("params")) if message.get("text") else ""


def report_rows(report: dict[str, Any]) -> list[tuple[str, int, int, int]]:
    """(kind, created, updated, unchanged) for each kind of record, for the report table."""
    return [
        (
            str(KIND_LABELS[kind]),
            report.get("created", {}).get(kind, 0),
            report.get("updated", {}).get(kind, 0),
            report.get("unchanged", {}).get(kind, 0),
        )
        for kind in plan.KINDS
    ]
