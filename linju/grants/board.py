"""The disclosure-board section of the foundation's grants to the estate's projects."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from linju.notices.board import register_section


def grants_section(*, estate: Any, building: Any, actor: Any, public: bool) -> Any:
    """The foundation's decisions on the estate's applications (amounts, conditions, what was
    paid) and the reports the grantees submitted. Nothing personal, so the same when public."""
    from linju.grants.selectors import board_grants

    grants = board_grants(estate=estate, building=building)
    if not grants:
        return None
    return {
        "title": _("Community foundation: grants and reports"),
        "template": "grants/_board_section.html",
        "context": {"foundation_grants": grants},
        "order": 61,
    }


def register() -> None:
    register_section("foundation_grants", grants_section)
