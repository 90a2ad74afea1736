"""Reads of grant review, decisions and reports. Loading a protected object goes through these:
missing and forbidden give the same 404."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils import timezone

from linju.community.models import Street
from linju.core import permissions
from linju.foundation.models import Application, Criterion, Programme
from linju.grants import rules
from linju.grants.models import Grant, ReportDue, ReviewerAssignment, Score
from linju.grants.services import SCORABLE, conflict_estate_ids

MAX_ID = 2**63 - 1


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


def street_get(*, slug: str) -> Street:
    street = Street.objects.filter(slug=slug).first()
    if street is None:
        raise Http404
    return street


def programme_for_officer(*, actor: Any, street: Street, programme_id: Any) -> Programme:
    """A programme of the street whose review the actor runs (else 404)."""
    programme = (
        Programme.objects.filter(street=street, pk=_pk(programme_id))
        .select_related("street")
        .first()
    )
    if programme is None or not permissions.can(actor, "manage", programme, model="grants"):
        raise Http404
    return programme


def application_for_officer(*, actor: Any, street: Street, application_id: Any) -> Application:
    application = (
        Application.objects.filter(programme__street=street, pk=_pk(application_id))
        .select_related("programme__street", "estate", "building", "project__fund")
        .first()
    )
    if application is None or not permissions.can(
        actor, "manage", application.programme, model="grants"
    ):
        raise Http404
    return application


# --- Scores side by side ---------------------------------------------------------------------


@dataclass
class Column:
    assignment: ReviewerAssignment
    name: str
    sheets: int


@dataclass
class Cell:
    raw: str
    normalised: str


@dataclass
class Row:
    application: Application
    rank: int | None
    score: Fraction | None
    score_shown: str
    raw_shown: str
    cells: list[Cell | None] = field(default_factory=list)


@dataclass
class ScoresTable:
    criteria: list[Criterion]
    columns: list[Column]
    rows: list[Row]


def scores_table(*, programme: Programme) -> ScoresTable:
    """Every application under review or decided, with each reviewer's weighted mean (raw,
    0–10) and normalised score (min-max per reviewer, ×100), the mean normalised score and
    its rank (``linju.grants.rules``)."""
    criteria = list(programme.criteria.all())
    weights = {c.pk: c.weight for c in criteria}
    applications = list(
        programme.applications.exclude(
            status__in=(
                Application.Status.DRAFT,
                Application.Status.SUBMITTED,
                Application.Status.RETURNED,
                Application.Status.ENDORSED,
            )
        ).select_related("estate", "building")
    )
    assignments = list(programme.reviewer_assignments.select_related("reviewer").order_by("pk"))
    sheets: dict[tuple[int, int], dict[int, int]] = {}
    for assignment_id, application_id, criterion_id, value in Score.objects.filter(
        assignment__programme=programme
    ).values_list("assignment_id", "application_id", "criterion_id", "value"):
        sheets.setdefault((assignment_id, application_id), {})[criterion_id] = value
    by_pk = {a.pk: a for a in applications}
    ranked = rules.rank_applications(sheets, weights, list(by_pk)) if weights else []
    columns = [
        Column(
            assignment=a,
            name=a.reviewer.get_full_name() or a.reviewer.get_username(),
            sheets=sum(
                1 for (r, _app), s in sheets.items() if r == a.pk and set(s) >= set(weights)
            ),
        )
        for a in assignments
    ]
    rows = []
    for entry in ranked:
        cells: list[Cell | None] = []
        for column in columns:
            pair = entry.by_reviewer.get(column.assignment.pk)
            cells.append(
                Cell(raw=rules.shown(pair[0], 1, "0.01"), normalised=rules.shown(pair[1]))
                if pair
                else None
            )
        rows.append(
            Row(
                application=by_pk[entry.application_id],
                rank=entry.rank,
                score=entry.score,
                score_shown=rules.shown(entry.score),
                raw_shown=rules.shown(entry.raw, 1, "0.01"),
                cells=cells,
            )
        )
    return ScoresTable(criteria=criteria, columns=columns, rows=rows)


# --- The reviewer's side ---------------------------------------------------------------------


@dataclass
class ToScore:
    application: Application
    done: bool


@dataclass
class MyReview:
    assignment: ReviewerAssignment
    applications: list[ToScore]
    hidden: int  # applications of estates in conflict, not shown


def my_reviews(*, actor: Any, street: Street) -> list[MyReview]:
    """The programmes of the street the actor reviews, each with the applications they may
    score (those of their own or declared estates are hidden) and whether each is done."""
    if not getattr(actor, "is_authenticated", False):
        return []
    reviews = []
    for assignment in (
        ReviewerAssignment.objects.filter(reviewer=actor, programme__street=street)
        .select_related("programme", "reviewer")
        .order_by("-programme__call_opens", "pk")
    ):
        conflicts = conflict_estate_ids(user=actor, assignment=assignment)
        criteria = assignment.programme.criteria.count()
        done = {
            row["application_id"]
            for row in Score.objects.filter(assignment=assignment)
            .values("application_id")
            .annotate(n=Count("pk"))
            if row["n"] >= criteria > 0
        }
        scorable = assignment.programme.applications.filter(status__in=SCORABLE).select_related(
            "estate", "building"
        )
        shown = [a for a in scorable if a.estate_id not in conflicts]
        reviews.append(
            MyReview(
                assignment=assignment,
                applications=[ToScore(application=a, done=a.pk in done) for a in shown],
                hidden=len(scorable) - len(shown),
            )
        )
    return reviews


def assignment_get(*, actor: Any, street: Street, assignment_id: Any) -> ReviewerAssignment:
    """One of the actor's own assignments in the street (else 404)."""
    assignment = (
        ReviewerAssignment.objects.filter(programme__street=street, pk=_pk(assignment_id))
        .select_related("programme__street", "reviewer")
        .first()
    )
    if assignment is None or not permissions.can(actor, "review", assignment):
        raise Http404
    return assignment


def application_for_review(*, assignment: ReviewerAssignment, application_id: Any) -> Application:
    """An application the reviewer may score; one of an estate in conflict is the same 404 as
    a missing one (the service refuses scoring it with a message, too)."""
    application = (
        Application.objects.filter(
            programme_id=assignment.programme_id, pk=_pk(application_id), status__in=SCORABLE
        )
        .select_related("estate", "building", "programme")
        .prefetch_related("photos")
        .first()
    )
    if application is None or application.estate_id in conflict_estate_ids(
        user=assignment.reviewer, assignment=assignment
    ):
        raise Http404
    return application


def my_scores(*, assignment: ReviewerAssignment, application: Application) -> dict[int, Score]:
    return {
        s.criterion_id: s
        for s in Score.objects.filter(assignment=assignment, application=application)
    }


# --- Grants ----------------------------------------------------------------------------------


def _grants() -> Any:
    return Grant.objects.select_related(
        "programme__street", "application__estate", "application__building", "estate"
    ).prefetch_related(
        "disbursements",
        Prefetch("reports", queryset=ReportDue.objects.order_by("due_on", "pk")),
        "reports__photos",
    )


def grant_get(*, actor: Any, street: Street, grant_id: Any) -> Grant:
    grant = permissions.get_visible_or_404(
        actor, _grants().filter(programme__street=street), pk=_pk(grant_id)
    )
    assert isinstance(grant, Grant)
    return grant


def report_get(*, grant: Grant, report_id: Any) -> ReportDue:
    report = grant.reports.filter(pk=_pk(report_id)).first()
    if report is None:
        raise Http404
    return report


def disbursed(grant: Grant) -> Decimal:
    return sum((d.amount for d in grant.disbursements.all()), Decimal("0.00"))


def board_grants(*, estate: Any, building: Any = None) -> list[Grant]:
    """The foundation's decisions on the estate's applications (of one building, on its
    board), newest first, with what was paid and the submitted reports."""
    grants = _grants().filter(estate=estate)
    if building is not None:
        grants = grants.filter(application__building=building)
    found = list(grants)
    for grant in found:
        grant.paid = disbursed(grant)  # type: ignore[attr-defined]
        grant.submitted_reports = [r for r in grant.reports.all() if r.submitted_at]  # type: ignore[attr-defined]
    return found


def street_grants(*, street: Street) -> list[Grant]:
    """Every decision of the street's foundation, for its public pages."""
    found = list(_grants().filter(programme__street=street).exclude(estate__isnull=True))
    for grant in found:
        grant.paid = disbursed(grant)  # type: ignore[attr-defined]
        grant.submitted_reports = [r for r in grant.reports.all() if r.submitted_at]  # type: ignore[attr-defined]
    return found


def reports_overdue(*, street: Street, today: datetime.date | None = None) -> list[ReportDue]:
    today = today or timezone.localdate()
    return list(
        ReportDue.objects.filter(
            grant__programme__street=street,
            grant__status=Grant.Status.AWARDED,
            submitted_at__isnull=True,
            due_on__lt=today,
        )
        .select_related("grant__application__estate", "grant__application__building")
        .order_by("due_on", "pk")
    )


def decisions_of(*, programme: Programme) -> dict[int, Grant]:
    return {g.application_id: g for g in Grant.objects.filter(programme=programme)}


def programmes_run(*, actor: Any, street: Street) -> list[Programme]:
    """The street's programmes, for an officer's list."""
    if not permissions.can(actor, "manage", street, model="grants"):
        return []
    return list(Programme.objects.filter(street=street).exclude(status="draft"))


def estates_of(*, street: Street) -> Any:
    return street.estates.order_by("name")
