"""Demo data of grant review: three reviewers from outside 中浩云花园 score the applications of
buildings 15, 16, 19 and 26 to "2025 美丽楼组 微更新", which are then shortlisted, and the
applicants are invited to a pitch (路演). The residents' vote (the budgeting demo) decides the
winners and awards them; ``demo_grants_disburse`` then pays the grants into the buildings'
funds and makes their report schedules.

Run after the foundation demo (``demo_foundation``), before the budgeting demo; run
``demo_grants_disburse`` after the budgeting demo.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from linju.community.models import Estate
from linju.foundation.models import Application, Programme
from linju.grants import services
from linju.grants.models import Grant, ReviewerAssignment

PROGRAMME_NAME = "2025 美丽楼组 微更新"
SEED = 20250801
REVIEWERS = (
    ("reviewer_chen", "陈评审"),
    ("reviewer_lin", "林评审"),
    ("reviewer_zhou", "周评审"),
)
# Each reviewer's leaning (some score high, some low): normalisation evens this out.
LEANING = {"reviewer_chen": 2, "reviewer_lin": 0, "reviewer_zhou": -2}
# How strong each building's application is, as the reviewers tend to see it.
STRENGTH = {"15": 7, "16": 6, "19": 8, "26": 5}
COMMENTS = (
    "方案清楚，居民参与度高。",
    "预算合理，建议补充报价单。",
    "楼组自筹比例较高，值得支持。",
    "设计风格与小区整体协调。",
    "需明确后期维护责任人。",
)


def _programme(estate: Estate) -> Programme | None:
    return (
        Programme.objects.filter(street=estate.street, name=PROGRAMME_NAME).order_by("-pk").first()
    )


def _officer(estate: Estate):
    return get_user_model().objects.get(username="foundation")


def _reviewer(username: str, name: str):
    from linju.community.demo import DEMO_PASSWORD

    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"display_name": name}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def demo_grants(estate: Estate) -> list[ReviewerAssignment]:
    """Reviewers without an estate score every application of the programme (0–10 on each
    criterion, with comments); the applications are shortlisted and a pitch is planned."""
    from linju.foundation.services import application_move

    programme = _programme(estate)
    if programme is None:
        return []
    officer = _officer(estate)
    rng = random.Random(SEED)  # noqa: S311 - planted demo scores, not secrets
    applications = list(
        programme.applications.filter(status__in=services.SCORABLE)
        .select_related("building", "estate")
        .order_by("pk")
    )
    for application in applications:
        if application.status == Application.Status.RECEIVED:
            application_move(
                actor=officer, application=application, status=Application.Status.UNDER_REVIEW
            )
    assignments = []
    criteria = list(programme.criteria.all())
    for username, name in REVIEWERS:
        reviewer = _reviewer(username, name)
        assignment = ReviewerAssignment.objects.filter(
            programme=programme, reviewer=reviewer
        ).first() or services.reviewer_assign(actor=officer, programme=programme, reviewer=reviewer)
        assignments.append(assignment)
        for application in applications:
            application.refresh_from_db()
            base = STRENGTH.get(application.building.number if application.building else "", 6)
            scores = {
                c.pk: max(0, min(10, base + LEANING[username] + rng.randint(-1, 1)))
                for c in criteria
            }
            comments = {c.pk: rng.choice(COMMENTS) for c in criteria[:1]}
            services.scores_submit(
                actor=reviewer,
                assignment=assignment,
                application=application,
                scores=scores,
                comments=comments,
            )
    for application in applications:
        application.refresh_from_db()
        if application.status == Application.Status.UNDER_REVIEW:
            application_move(
                actor=officer,
                application=application,
                status=Application.Status.SHORTLISTED,
                message="评审通过，进入居民参与式预算投票。",
            )
    if applications:
        starts = timezone.localtime() + datetime.timedelta(days=7)
        services.pitch_plan(
            actor=officer,
            programme=programme,
            estate=estate,
            starts_at=starts.replace(hour=19, minute=0, second=0, microsecond=0),
            place="中浩云花园 居委会活动室",
        )
    return assignments


def demo_grants_disburse(estate: Estate) -> list[Grant]:
    """Pay every awarded grant of the estate's applications in full into its project's fund,
    and make sure its reports are scheduled."""
    programme = _programme(estate)
    if programme is None:
        return []
    officer = _officer(estate)
    paid = []
    for grant in Grant.objects.filter(
        programme=programme, estate=estate, status=Grant.Status.AWARDED
    ).order_by("pk"):
        services.reports_schedule_for(grant)
        left = grant.amount - services.disbursed_total(grant)
        if left > 0 and grant.application.project.fund_id:
            services.grant_disburse(actor=officer, grant=grant, amount=left)
            paid.append(grant)
    return paid
