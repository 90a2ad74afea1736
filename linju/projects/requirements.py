"""What must be there before a project leaves a stage, without this app importing the others.

Each requirement is a key (stored on the stage), a label and a check. Apps register theirs in
``AppConfig.ready()``::

    from linju.projects.requirements import register_requirement

    register_requirement("hearing_minutes", _("minutes of the hearing published"), check)

``check(project)`` returns None when the requirement is met, or a translated sentence saying
what is missing ("No hearing has published minutes yet."). ``unmet(project, key)`` asks it; an
empty key needs nothing; a key nobody registered is reported as unmet, never silently passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Requirement:
    key: str
    label: Any
    check: Callable[[Any], str | None]


REQUIREMENTS: dict[str, Requirement] = {}


def register_requirement(key: str, label: Any, check: Callable[[Any], str | None]) -> None:
    """Add (or replace) the requirement called ``key``."""
    REQUIREMENTS[key] = Requirement(key=key, label=label, check=check)


def label(key: str) -> Any:
    requirement = REQUIREMENTS.get(key)
    return requirement.label if requirement else key


def choices() -> list[tuple[str, Any]]:
    """(key, label) of every registered requirement, for the road's settings form."""
    known = sorted(((r.key, r.label) for r in REQUIREMENTS.values()), key=lambda kv: str(kv[1]))
    return [("", _("nothing")), *known]


def unmet(project: Any, key: str) -> str | None:
    """None when ``project`` meets requirement ``key``, else what is missing."""
    if not key:
        return None
    requirement = REQUIREMENTS.get(key)
    if requirement is None:
        return gettext("This stage needs “%(key)s”, which nothing on this site can check.") % {
            "key": key
        }
    return requirement.check(project)


def _budget_set(project: Any) -> str | None:
    if project.budget is None or project.fund_id is None:
        return gettext("Set the project's budget and link the fund that will pay for it.")
    return None


def _fund_target_reached(project: Any) -> str | None:
    from linju.funding.views.common import figures_for

    if project.fund_id is None:
        return gettext("The project has no fund yet.")
    fund = project.fund
    if fund.target is None:
        return gettext("The project's fund has no target.")
    raised = figures_for([fund.pk])[fund.pk].income
    if raised < fund.target:
        return gettext("The fund has raised ¥%(raised)s of its ¥%(target)s target.") % {
            "raised": raised,
            "target": fund.target,
        }
    return None


def register_builtin() -> None:
    register_requirement("budget_set", _("budget set and fund linked"), _budget_set)
    register_requirement(
        "fund_target_reached", _("the fund has reached its target"), _fund_target_reached
    )
