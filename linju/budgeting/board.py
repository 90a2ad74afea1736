"""The disclosure-board section of every estate of a street: the street's participatory-budgeting
votes that are open (with a link to vote) and the published results, with the funded
projects. Figures and project titles only, so it is the same on a public board."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

ORDER = 65  # just after the foundation's programmes


def budgeting_section(*, estate: Any, building: Any, actor: Any, public: bool) -> Any:
    from linju.budgeting.selectors import votes_on_board

    rows = votes_on_board(street_id=estate.street_id)
    if not rows:
        return None
    return {
        "title": _("Participatory budgeting: residents decide"),
        "template": "budgeting/_board_section.html",
        "context": {"pb_rows": rows},
        "order": ORDER,
    }


def register() -> None:
    from linju.notices.board import register_section

    register_section("budgeting", budgeting_section)
