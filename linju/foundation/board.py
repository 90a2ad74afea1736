"""The disclosure-board section listing the street's published grant programmes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from linju.notices.board import register_section


def programmes_section(*, estate: Any, building: Any, actor: Any, public: bool) -> Any:
    """Every programme of the estate's street that has been published, newest first, with its
    rules (no personal data, so the same on a public board)."""
    from linju.foundation.selectors import programmes_on_board

    programmes = programmes_on_board(street_id=estate.street_id)
    if not programmes:
        return None
    return {
        "title": _("Community foundation: grant programmes"),
        "template": "foundation/_board_section.html",
        "context": {"foundation_programmes": programmes},
        "order": 60,
    }


def register() -> None:
    register_section("foundation_programmes", programmes_section)
