"""This app's parts of a project's page and of its showcase (``linju.projects.sections``).

On the project's page: the design and its vote, the quotes, the milestones, the supervision log,
the acceptance and the evaluation, each a short summary linking to its own page. On the
showcase (which may be public): the chosen design, the acceptance (no names) and the
evaluation's averages with a few comments (never who wrote them). Each provider makes a
constant number of queries.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from linju.core import permissions
from linju.works import selectors
from linju.works.models import DesignOption, Milestone, Quote, SupervisionEntry


def _readable(project: Any, actor: Any) -> bool:
    return permissions.can(actor, "view", project, model="works")


def design_section(*, project: Any, actor: Any, showcase: bool) -> dict[str, Any] | None:
    if showcase:
        chosen = selectors.design_chosen_option(project=project)
        if chosen is None:
            return None
        option = DesignOption.objects.prefetch_related("photos").get(pk=chosen.pk)
        return {
            "title": _("The design residents chose"),
            "template": "works/sections/design_showcase.html",
            "context": {"chosen": option},
            "order": 40,
        }
    if not _readable(project, actor):
        return None
    return {
        "title": _("Design and the residents' vote"),
        "template": "works/sections/design.html",
        "context": {"design": selectors.design_get(project=project)},
        "order": 40,
    }


def quotes_section(*, project: Any, actor: Any, showcase: bool) -> dict[str, Any] | None:
    if showcase or not _readable(project, actor):
        return None
    quotes = list(Quote.objects.filter(project=project))
    if not quotes and not permissions.can(actor, "manage", project, model="works"):
        return None
    return {
        "title": _("Quotes"),
        "template": "works/sections/quotes.html",
        "context": {
            "quotes": quotes,
            "chosen_quote": next((q for q in quotes if q.chosen), None),
        },
        "order": 50,
    }


def milestones_section(*, project: Any, actor: Any, showcase: bool) -> dict[str, Any] | None:
    if showcase or not _readable(project, actor):
        return None
    milestones = list(Milestone.objects.filter(project=project))
    if not milestones and not permissions.can(actor, "manage", project, model="works"):
        return None
    return {
        "title": _("Milestones of the works"),
        "template": "works/sections/milestones.html",
        "context": {
            "milestones": milestones,
            "done_count": sum(1 for m in milestones if m.is_done),
        },
        "order": 55,
    }


def supervision_section(*, project: Any, actor: Any, showcase: bool) -> dict[str, Any] | None:
    if showcase or not _readable(project, actor):
        return None
    entries = SupervisionEntry.objects.filter(project=project)
    latest = list(entries[:3])
    if not latest and not permissions.can(actor, "supervise", project, model="works"):
        return None
    return {
        "title": _("Volunteers' supervision log"),
        "template": "works/sections/supervision.html",
        "context": {"latest": latest, "entry_count": entries.count()},
        "order": 60,
    }


def acceptance_section(*, project: Any, actor: Any, showcase: bool) -> dict[str, Any] | None:
    if not showcase and not _readable(project, actor):
        return None
    acceptance = selectors.acceptance_get(project=project)
    empty = not acceptance.items and not acceptance.signers
    if empty and (showcase or not permissions.can(actor, "manage", project, model="works")):
        return None
    return {
        "title": _("Acceptance (验收)"),
        "template": "works/sections/acceptance.html",
        "context": {"acceptance": acceptance, "showcase": showcase},
        "order": 70,
    }


def evaluation_section(*, project: Any, actor: Any, showcase: bool) -> dict[str, Any] | None:
    if not showcase and not _readable(project, actor):
        return None
    summary = selectors.evaluation_summary(project=project, comments=3 if showcase else 5)
    if summary.count == 0 and (
        showcase or not permissions.can(actor, "evaluate", project, model="works")
    ):
        return None
    return {
        "title": _("Residents' evaluation"),
        "template": "works/sections/evaluation.html",
        "context": {"summary": summary, "showcase": showcase},
        "order": 80,
    }


def register() -> None:
    from linju.projects.sections import register_section

    register_section("works_design", design_section)
    register_section("works_quotes", quotes_section)
    register_section("works_milestones", milestones_section)
    register_section("works_supervision", supervision_section)
    register_section("works_acceptance", acceptance_section)
    register_section("works_evaluation", evaluation_section)
