"""Writes of grant review, decisions, disbursements and reports.

Every service checks permission, locks what races, validates (a refusal is a translated
``ValidationError`` and writes nothing), writes, audits, and tells the people concerned.
Money is Decimal; the money itself moves only through the funding app's ledger services.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.community.models import Estate, Person, Role
from linju.core import audit, permissions
from linju.core.images import photo_store
from linju.foundation.models import Application, Criterion, Programme
from linju.funding import services as funding_services
from linju.grants import rules
from linju.grants.models import (
    SCORE_MAX,
    SCORE_MIN,
    ConflictDeclaration,
    Disbursement,
    Grant,
    ReportDue,
    ReportPhoto,
    ReviewerAssignment,
    Score,
)
from linju.notifications.services import notify

ZERO = Decimal("0.00")
# Applications the foundation has received and not yet decided: reviewers score these.
SCORABLE = (
    Application.Status.RECEIVED,
    Application.Status.UNDER_REVIEW,
    Application.Status.SHORTLISTED,
)
DECIDABLE = SCORABLE
DEFAULT_PROJECT_MONTHS = 6
REMIND_DAYS_BEFORE = 14
MAX_PHOTOS = 9


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise _refuse(_("This field is required."), field, "required")
    if len(text) > limit:
        raise _refuse(_("At most %(n)s characters.") % {"n": limit}, field, "too_long")
    return text


def foundation_name(street: Any) -> str:
    """The foundation's name as the ledger records it (a proper name, kept in Chinese like the
    street's): 万里街道 → 万里社区基金会."""
    return f"{street.name.removesuffix('街道')}社区基金会"


def _display_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


# --- Conflicts of interest -------------------------------------------------------------------


def conflict_estate_ids(*, user: Any, assignment: ReviewerAssignment | None = None) -> set[int]:
    """The estates whose applications ``user`` may not review: where they live (are on the
    roster), where they hold a current role, and those they declared on ``assignment``."""
    ids = set(Person.objects.filter(user=user).values_list("estate_id", flat=True))
    ids |= set(
        Role.objects.current()
        .filter(user=user, estate__isnull=False)
        .values_list("estate_id", flat=True)
    )
    if assignment is not None and assignment.pk is not None:
        ids |= set(assignment.conflicts.values_list("estate_id", flat=True))
    return ids


def _conflict_message(estate: Estate) -> str:
    return _(
        "You live or hold a role in %(estate)s, or declared a conflict of interest with it: "
        "nobody reviews an application from their own estate."
    ) % {"estate": estate.name}


# --- Review ----------------------------------------------------------------------------------


@transaction.atomic
def reviewer_assign(*, actor: Any, programme: Programme, reviewer: Any) -> ReviewerAssignment:
    """Make ``reviewer`` a reviewer of the programme. Refused when every application under
    review is from an estate where they live or hold a role (they could review none)."""
    permissions.require(actor, "manage", programme, model="grants")
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if reviewer is None or not getattr(reviewer, "is_active", False):
        raise _refuse(_("Choose an active account."), "reviewer")
    if ReviewerAssignment.objects.filter(programme=programme, reviewer=reviewer).exists():
        raise _refuse(_("This person already reviews the programme."), "reviewer", "duplicate")
    conflicts = conflict_estate_ids(user=reviewer)
    estates = set(
        programme.applications.filter(status__in=SCORABLE).values_list("estate_id", flat=True)
    )
    if estates and estates <= conflicts:
        names = ", ".join(Estate.objects.filter(pk__in=estates).values_list("name", flat=True))
        raise _refuse(
            _(
                "%(name)s lives or holds a role in the estate of every application under "
                "review (%(estates)s): nobody reviews an application from their own estate."
            )
            % {"name": _display_name(reviewer), "estates": names},
            "reviewer",
            "conflict",
        )
    assignment = ReviewerAssignment.objects.create(
        programme=programme, reviewer=reviewer, assigned_by=actor
    )
    audit.record(
        actor=actor,
        action="grants.reviewer_assign",
        target=assignment,
        changes={"reviewer": [None, reviewer.get_username()]},
    )
    notify(
        recipient=reviewer,
        kind="foundation.reviewer_assigned",
        title=gettext_lazy("You review applications to a grant programme"),
        body=programme.name,
        url=reverse("grants_my_reviews", args=[programme.street.slug]),
    )
    return assignment


@transaction.atomic
def conflict_declare(
    *, actor: Any, assignment: ReviewerAssignment, estate: Estate | None, note: str = ""
) -> ConflictDeclaration:
    """The reviewer declares a conflict of interest with an estate of the street; any scores
    they gave its applications are withdrawn."""
    permissions.require(actor, "review", assignment)
    assignment = (
        ReviewerAssignment.objects.select_for_update()
        .select_related("programme")
        .get(pk=assignment.pk)
    )
    if estate is None or estate.street_id != assignment.programme.street_id:
        raise _refuse(_("Choose an estate of the programme's street."), "estate")
    if assignment.conflicts.filter(estate=estate).exists():
        raise _refuse(_("You have already declared this conflict."), "estate", "duplicate")
    declaration = ConflictDeclaration.objects.create(
        assignment=assignment, estate=estate, note=_text(note, "note", 500)
    )
    withdrawn, _kinds = Score.objects.filter(
        assignment=assignment, application__estate=estate
    ).delete()
    audit.record(
        actor=actor,
        action="grants.conflict_declare",
        target=assignment,
        estate=estate,
        changes={"estate": [None, estate.name], "scores_withdrawn": [None, withdrawn]},
    )
    return declaration


def _check_reviewable(assignment: ReviewerAssignment, application: Application) -> None:
    if application.programme_id != assignment.programme_id:
        raise _refuse(_("This application is not in the programme you review."))
    if application.estate_id in conflict_estate_ids(
        user=assignment.reviewer, assignment=assignment
    ):
        raise _refuse(_conflict_message(application.estate), code="conflict")
    if application.status not in SCORABLE:
        raise _refuse(_("This application is not under review."), code="not_under_review")


@transaction.atomic
def scores_submit(
    *,
    actor: Any,
    assignment: ReviewerAssignment,
    application: Application,
    scores: Mapping[int, Any],
    comments: Mapping[int, str] | None = None,
) -> list[Score]:
    """The reviewer's score sheet for one application: a whole number from 0 to 10 on every
    criterion of the programme, each with an optional comment. Submitting again replaces it.
    Refused for an application of an estate the reviewer lives or holds a role in, or
    declared a conflict with."""
    permissions.require(actor, "review", assignment)
    assignment = (
        ReviewerAssignment.objects.select_for_update()
        .select_related("reviewer", "programme")
        .get(pk=assignment.pk)
    )
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("estate")
        .get(pk=application.pk)
    )
    _check_reviewable(assignment, application)
    criteria = list(Criterion.objects.filter(programme_id=assignment.programme_id))
    if not criteria:
        raise _refuse(_("The programme has no criteria to score against yet."))
    comments = comments or {}
    errors: dict[str, list[str]] = {}
    values: dict[int, int] = {}
    for criterion in criteria:
        raw = scores.get(criterion.pk)
        text = str(raw if raw is not None else "").strip()
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 2 else -1
        if not SCORE_MIN <= value <= SCORE_MAX:
            errors[f"score_{criterion.pk}"] = [
                _("Give %(criterion)s a whole number from 0 to 10.") % {"criterion": criterion.name}
            ]
        values[criterion.pk] = value
        note = str(comments.get(criterion.pk) or "").replace("\x00", "").strip()
        if len(note) > 2000:
            errors[f"comment_{criterion.pk}"] = [_("At most %(n)s characters.") % {"n": 2000}]
    if errors:
        raise ValidationError(errors)
    saved = []
    now = timezone.now()
    for criterion in criteria:
        score, _created = Score.objects.update_or_create(
            assignment=assignment,
            application=application,
            criterion=criterion,
            defaults={
                "value": values[criterion.pk],
                "comment": str(comments.get(criterion.pk) or "").replace("\x00", "").strip(),
                "scored_at": now,
            },
        )
        saved.append(score)
    audit.record(
        actor=actor,
        action="grants.score",
        target=application,
        changes={"scores": [None, {str(k): v for k, v in values.items()}]},
    )
    return saved


@transaction.atomic
def pitch_plan(
    *,
    actor: Any,
    programme: Programme,
    estate: Estate,
    starts_at: datetime.datetime,
    place: str = "",
    agenda: str = "",
) -> Any:
    """Plan the pitch (路演) of the programme's applicants of one estate, as a meeting of kind
    "pitch" of that estate (meetings belong to an estate): its applications are the agenda."""
    from linju.meetings.services import meeting_create

    permissions.require(actor, "manage", programme, model="grants")
    applications = list(
        programme.applications.filter(estate=estate, status__in=SCORABLE).order_by("pk")
    )
    if not applications:
        raise _refuse(_("No application of this estate is under review."), "estate")
    agenda = agenda or "\n".join(a.title for a in applications)
    return meeting_create(
        actor=actor,
        estate=estate,
        kind="pitch",
        title=_("Pitch: %(programme)s") % {"programme": programme.name},
        starts_at=starts_at,
        agenda=agenda,
        place=place,
    )


# --- Decisions -------------------------------------------------------------------------------


def awarded_total(programme: Programme) -> Decimal:
    total = Grant.objects.filter(programme=programme, status=Grant.Status.AWARDED).aggregate(
        t=Sum("amount")
    )["t"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def remaining_budget(programme: Programme) -> Decimal:
    return (programme.budget - awarded_total(programme)).quantize(Decimal("0.01"))


def matching_suggestion(application: Application) -> Decimal:
    """What the programme's matching rule suggests granting this application."""
    programme = application.programme
    return rules.matching_suggestion(
        cofunding=application.cofunding_raised,
        ratio=programme.matching_ratio,
        cap=programme.matching_cap,
        requested=application.requested,
        remaining=remaining_budget(programme),
    )


def _move_application(application: Application, status: str, actor: Any, message: str = "") -> None:
    """Move the (locked) application to ``status`` through the foundation app, which adds the
    step to the timeline its applicant sees and tells them."""
    from linju.foundation.services import application_status_record

    application_status_record(actor=actor, application=application, status=status, message=message)


def _applicant_users(application: Application) -> list[Any]:
    """Who hears about the application: whoever made it, and the group leaders of its
    building (committee staff of the estate when it is estate-wide)."""
    users: dict[int, Any] = {}
    if application.created_by_id:
        users[application.created_by_id] = application.created_by
    roles = Role.objects.current().select_related("user")
    if application.building_id:
        roles = roles.filter(kind=Role.Kind.GROUP_LEADER, building_id=application.building_id)
    else:
        roles = roles.filter(kind=Role.Kind.COMMITTEE_STAFF, estate_id=application.estate_id)
    for role in roles:
        if role.user_id:
            users[role.user_id] = role.user
    return [u for u in users.values() if u.is_active]


def _officers(street_id: int) -> list[Any]:
    return [
        role.user
        for role in Role.objects.current()
        .filter(kind=Role.Kind.FOUNDATION_OFFICER, street_id=street_id)
        .select_related("user")
        if role.user.is_active
    ]


def _locked_for_decision(application: Application) -> tuple[Programme, Application]:
    programme = Programme.objects.select_for_update().get(pk=application.programme_id)
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("estate", "building", "created_by")
        .get(pk=application.pk)
    )
    if Grant.objects.filter(application=application).exists():
        raise _refuse(_("This application has already been decided."), code="decided")
    if application.status not in DECIDABLE:
        raise _refuse(
            _(
                "Only an application the foundation has received and not yet decided can be "
                "decided."
            ),
            code="not_decidable",
        )
    return programme, application


def _clean_money(value: Any, field: str = "amount") -> Decimal:
    return funding_services.clean_amount(value, field)


def _clean_period(
    starts_on: datetime.date | None, ends_on: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    starts_on = starts_on or timezone.localdate()
    ends_on = ends_on or rules.add_months(starts_on, DEFAULT_PROJECT_MONTHS)
    if ends_on <= starts_on:
        raise _refuse(_("The project must end after it starts."), "ends_on")
    if ends_on > rules.add_months(starts_on, 60):
        raise _refuse(_("A project funded here runs for five years at most."), "ends_on")
    return starts_on, ends_on


@transaction.atomic
def grant_award(
    *,
    actor: Any,
    application: Application,
    amount: Any,
    conditions: str,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> Grant:
    """Award a grant: at most what the application asked for and within what is left of the
    programme's budget (exact Decimal). The application becomes "awarded" and the reports it
    owes are scheduled from the project's period (by default six months from today)."""
    permissions.require(actor, "manage", application.programme, model="grants")
    programme, application = _locked_for_decision(application)
    amount = _clean_money(amount)
    if amount > application.requested:
        raise _refuse(
            _("The grant cannot be more than the application asked for (¥%(requested)s).")
            % {"requested": application.requested},
            "amount",
            "over_requested",
        )
    remaining = remaining_budget(programme)
    if amount > remaining:
        raise _refuse(
            _("Only ¥%(remaining)s of the programme's budget is left.") % {"remaining": remaining},
            "amount",
            "over_budget",
        )
    starts_on, ends_on = _clean_period(starts_on, ends_on)
    grant = Grant.objects.create(
        application=application,
        programme=programme,
        estate_id=application.estate_id,
        amount=amount,
        conditions=_text(conditions, "conditions", 4000),
        starts_on=starts_on,
        ends_on=ends_on,
        status=Grant.Status.AWARDED,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _move_application(application, Application.Status.AWARDED, actor)
    reports_schedule_for(grant)
    audit.record(
        actor=actor,
        action="grants.award",
        target=grant,
        changes={"amount": [None, str(amount)], "application": [None, application.pk]},
    )
    return grant


@transaction.atomic
def grant_decline(*, actor: Any, application: Application, reason: str) -> Grant:
    """Decline the application, with the reason the applicant reads."""
    permissions.require(actor, "manage", application.programme, model="grants")
    programme, application = _locked_for_decision(application)
    reason = _text(reason, "reason", 2000, required=True)
    grant = Grant.objects.create(
        application=application,
        programme=programme,
        estate_id=application.estate_id,
        amount=ZERO,
        reason=reason,
        status=Grant.Status.DECLINED,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _move_application(application, Application.Status.NOT_AWARDED, actor, reason)
    audit.record(actor=actor, action="grants.decline", target=grant)
    return grant


# --- Disbursements ---------------------------------------------------------------------------


def disbursed_total(grant: Grant) -> Decimal:
    total = grant.disbursements.aggregate(t=Sum("amount"))["t"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def _foundation_outflow() -> Any:
    """The donations app's hook recording the outflow on the foundation's own fund, if the
    app provides it."""
    from django.apps import apps

    if not apps.is_installed("linju.donations"):
        return None
    try:
        from linju.donations import services as donations
    except ImportError:
        return None
    return getattr(donations, "foundation_grant_paid", None)


@transaction.atomic
def grant_disburse(*, actor: Any, grant: Grant, amount: Any, reference: str = "") -> Disbursement:
    """Pay part or all of an awarded grant into the project's fund: one matching-grant entry
    of the estate's ledger naming the foundation. Never more than awarded in total."""
    permissions.require(actor, "manage", grant.programme, model="grants")
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("programme__street", "application__project__fund")
        .get(pk=grant.pk)
    )
    if grant.status != Grant.Status.AWARDED:
        raise _refuse(_("Only an awarded grant is paid out."), code="not_awarded")
    amount = _clean_money(amount)
    left = grant.amount - disbursed_total(grant)
    if amount > left:
        raise _refuse(
            _("Only ¥%(left)s of the grant is left to pay.") % {"left": left},
            "amount",
            "over_awarded",
        )
    fund = grant.application.project.fund
    if fund is None:
        raise _refuse(
            _("The project has no fund to pay into: its group leader or staff open one first."),
            code="no_fund",
        )
    entry = funding_services.grant_receive(
        actor=actor,
        fund=fund,
        amount=amount,
        source=foundation_name(grant.programme.street),
        reference=_text(reference, "reference", 64),
        description=f"{grant.programme.name} · {grant.application.title}"[:200],
    )
    disbursement = Disbursement.objects.create(
        grant=grant, amount=amount, ledger_entry=entry, posted_by=actor
    )
    outflow = _foundation_outflow()
    if outflow is not None:
        outflow(actor=actor, street=grant.programme.street, amount=amount, grant=grant)
    audit.record(
        actor=actor,
        action="grants.disburse",
        target=grant,
        changes={"amount": [None, str(amount)], "entry": [None, entry.seq]},
    )
    for user in _applicant_users(grant.application):
        notify(
            recipient=user,
            kind="foundation.grant_paid",
            title=gettext_lazy("Grant money was paid into the fund"),
            body=f"{grant.application.title} · ¥{amount}",
            url=reverse("grant_detail", args=[grant.programme.street.slug, grant.pk]),
            estate=grant.application.estate,
        )
    return disbursement


# --- Reports ---------------------------------------------------------------------------------


def reports_schedule_for(grant: Grant) -> list[ReportDue]:
    """Make the grant's report schedule (idempotent: existing rows are kept)."""
    if grant.starts_on is None or grant.ends_on is None:
        return []
    made = []
    for kind, due_on in rules.report_schedule(grant.starts_on, grant.ends_on):
        report, _created = ReportDue.objects.get_or_create(
            grant=grant, kind=kind, due_on=due_on, defaults={"estate_id": grant.estate_id}
        )
        made.append(report)
    return made


@transaction.atomic
def report_submit(
    *, actor: Any, report: ReportDue, text: str, photos: Iterable[Any] = ()
) -> ReportDue:
    """The applicant side submits a report (what was done, what was spent), with photos. A
    submitted report is public on the estate's board and the foundation's pages, and is not
    changed afterwards."""
    permissions.require(actor, "submit", report)
    report = ReportDue.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if report.submitted_at is not None:
        raise _refuse(_("This report has already been submitted."), code="submitted")
    if report.grant.status != Grant.Status.AWARDED:
        raise _refuse(_("This grant was withdrawn."), code="withdrawn")
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise _refuse(_("At most %(n)s photos.") % {"n": MAX_PHOTOS}, "photos")
    report.text = _text(text, "text", 8000, required=True)
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.save(update_fields=["text", "submitted_at", "submitted_by"])
    for upload in photos:
        photo_store(ReportPhoto(report=report, uploaded_by=actor), upload)
    audit.record(actor=actor, action="grants.report_submit", target=report)
    grant = report.grant
    for user in _officers(grant.programme.street_id):
        notify(
            recipient=user,
            kind="foundation.report_submitted",
            title=gettext_lazy("A grant report was submitted"),
            body=f"{grant.application.title} · {report.get_kind_display()}",
            url=reverse("grant_detail", args=[grant.programme.street.slug, grant.pk]),
        )
    return report


@transaction.atomic
def report_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind the applicant side of reports due within two weeks, and (with the foundation's
    officers) of reports overdue. Each reminder goes out once per report, however often this
    runs. Returns how many reports were reminded about."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    reminded = 0
    pending = (
        ReportDue.objects.select_for_update(of=("self",))
        .filter(submitted_at__isnull=True, grant__status=Grant.Status.AWARDED, due_on__lte=soon)
        .select_related("grant__application__created_by", "grant__programme__street")
        .order_by("due_on", "pk")
    )
    now = timezone.now()
    for report in pending:
        grant = report.grant
        url = reverse("grant_detail", args=[grant.programme.street.slug, grant.pk])
        overdue = report.due_on < today
        if overdue and report.overdue_reminded_at is None:
            recipients = _applicant_users(grant.application) + _officers(grant.programme.street_id)
            title = gettext_lazy("A grant report is overdue")
            report.overdue_reminded_at = now
        elif not overdue and report.reminded_at is None:
            recipients = _applicant_users(grant.application)
            title = gettext_lazy("A grant report is due soon")
            report.reminded_at = now
        else:
            continue
        for user in {u.pk: u for u in recipients}.values():
            notify(
                recipient=user,
                kind="foundation.report_due",
                title=title,
                body=f"{grant.application.title} · {report.get_kind_display()} · {report.due_on}",
                url=url,
                estate=grant.application.estate,
            )
        report.save(update_fields=["reminded_at", "overdue_reminded_at"])
        reminded += 1
    return reminded


def reviewer_candidates(*, query: str) -> Any:
    """Active accounts whose username is ``query`` (the officer types the reviewer's
    account name)."""
    return get_user_model().objects.filter(username=query.strip(), is_active=True)
