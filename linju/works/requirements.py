"""What this app tells the projects app about a project's road: the requirements of the design,
residents' decision, works and acceptance stages (see ``linju.projects.requirements``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linju.works import selectors
from linju.works.models import DesignOption, DesignPlan, Milestone


def design_options(project: Any) -> str | None:
    """At least one plan and at least two options to choose between."""
    plans = DesignPlan.objects.filter(project=project).count()
    options = DesignOption.objects.filter(project=project).count()
    if plans < 1 or options < 2:
        return gettext(
            "The designer has uploaded %(plans)s plan(s) and %(options)s option(s): at least "
            "one plan and two options are needed."
        ) % {"plans": plans, "options": options}
    return None


def design_approved(project: Any) -> str | None:
    """The residents' design vote is published and one option won."""
    vote = selectors.design_vote_current(project=project)
    if vote is None:
        return gettext("The residents have not been asked to vote on the design yet.")
    if not vote.decision.results_public:
        return gettext("The design vote's results are not published yet (now: %(status)s).") % {
            "status": vote.decision.get_status_display()
        }
    if selectors.design_winner_key(vote) is None:
        result = (vote.decision.result or {}).get("residents", {}).get("result", "")
        if result == "no_quorum":
            return gettext("Too few residents took part in the design vote: no option won.")
        return gettext("No option won the design vote.")
    return None


def works_done(project: Any) -> str | None:
    """Every milestone done, and there is at least one."""
    total = Milestone.objects.filter(project=project).count()
    if total == 0:
        return gettext("The works have no milestones yet.")
    open_ = Milestone.objects.filter(project=project, done_at__isnull=True).count()
    if open_:
        return gettext("%(open)s of %(total)s milestones are not done yet.") % {
            "open": open_,
            "total": total,
        }
    return None


def acceptance_signed(project: Any) -> str | None:
    """Every chosen representative signed, and no item of the checklist failed."""
    acceptance = selectors.acceptance_get(project=project)
    if not acceptance.items:
        return gettext("The acceptance checklist is empty.")
    if not acceptance.signers:
        return gettext("No representatives have been chosen to sign the acceptance.")
    if acceptance.failed:
        return gettext("%(n)s item(s) of the checklist failed.") % {"n": len(acceptance.failed)}
    if acceptance.pending:
        return gettext("%(n)s item(s) of the checklist have no result yet.") % {
            "n": len(acceptance.pending)
        }
    missing = len(acceptance.signers) - len(acceptance.signed)
    if missing:
        return gettext("%(n)s representative(s) have not signed yet.") % {"n": missing}
    return None


def register() -> None:
    from linju.projects.requirements import register_requirement

    register_requirement(
        "design_options", _("a plan and at least two design options"), design_options
    )
    register_requirement(
        "design_approved", _("the residents chose a design by a vote"), design_approved
    )
    register_requirement("works_done", _("every milestone of the works done"), works_done)
    register_requirement(
        "acceptance_signed", _("the acceptance signed by the representatives"), acceptance_signed
    )
