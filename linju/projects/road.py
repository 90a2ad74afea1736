"""The default road of a project (an estate's staff can change theirs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from linju.projects.models import StageOwner


@dataclass(frozen=True)
class DefaultStage:
    key: str
    name: Any
    requirement: str  # what must be there to leave this stage (linju.projects.requirements)
    owner_role: str
    days: int | None


DEFAULT_ROAD: tuple[DefaultStage, ...] = (
    DefaultStage("idea", _("Idea"), "", StageOwner.LEADER, 14),
    DefaultStage("topics", _("Topics collected"), "topics_listed", StageOwner.LEADER, 30),
    DefaultStage("hearing", _("Hearing (听证会)"), "hearing_minutes", StageOwner.STAFF, 21),
    DefaultStage("design", _("Design"), "design_options", StageOwner.DESIGNER, 45),
    DefaultStage("budget", _("Budget and co-funding plan"), "budget_set", StageOwner.LEADER, 21),
    DefaultStage("decision", _("Residents' decision"), "design_approved", StageOwner.STAFF, 30),
    DefaultStage(
        "funding",
        _("Funding and foundation application"),
        "fund_target_reached",
        StageOwner.LEADER,
        60,
    ),
    DefaultStage("works", _("Works"), "works_done", StageOwner.LEADER, 60),
    DefaultStage("acceptance", _("Acceptance (验收)"), "acceptance_signed", StageOwner.LEADER, 14),
    DefaultStage("review", _("Review meeting (评议会)"), "review_held", StageOwner.STAFF, 30),
    DefaultStage("showcase", _("Showcase"), "", StageOwner.LEADER, None),
)
