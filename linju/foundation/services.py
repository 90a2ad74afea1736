"""Writes for the foundation's grant programmes and the applications made to them.

Each service checks permission, locks what two people could change at once, validates, writes
and audits in one transaction: a refused or invalid call writes nothing. Every step of an
application is an ``ApplicationEvent`` (the applicant's timeline); people are told after the
transaction commits.

A programme's rules are data and are fixed once it is published (applicants must be judged by
the rules they read). An application is checked against them when it is submitted:
the call window, the most one application may ask for, and the share of the budget residents
must have raised already (read from the project's fund at that moment).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.community.models import Role, Street
from linju.core import audit, permissions
from linju.core.images import photo_store
from linju.foundation.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationPhoto,
    Criterion,
    DocumentRequest,
    Programme,
)
from linju.notifications.services import notify

NAME_MAX = 120
TEXT_MAX = 4000
PLAN_MAX = 8000
MESSAGE_MAX = 2000
CRITERIA_MAX = 20
PHOTOS_MAX = 30
PHOTOS_COPIED = 6
DOCUMENTS_MAX = 40
MONEY_MAX = Decimal("1000000000")
CENTS = Decimal("0.01")

Status = Application.Status
# What an officer may move an application to, from each status. "Awarded" is the grant
# decision's (it records the amount), never a plain move.
MOVES: dict[str, tuple[str, ...]] = {
    Status.RECEIVED: (Status.UNDER_REVIEW, Status.DECLINED),
    Status.UNDER_REVIEW: (Status.SHORTLISTED, Status.DECLINED),
    Status.SHORTLISTED: (Status.NOT_AWARDED, Status.DECLINED),
}
# A programme's stages, and where each may go next.
PROGRAMME_MOVES: dict[str, tuple[str, ...]] = {
    Programme.Status.PUBLISHED: (Programme.Status.REVIEWING, Programme.Status.CLOSED),
    Programme.Status.REVIEWING: (
        Programme.Status.VOTING,
        Programme.Status.DECIDED,
        Programme.Status.CLOSED,
    ),
    Programme.Status.VOTING: (Programme.Status.DECIDED, Programme.Status.CLOSED),
    Programme.Status.DECIDED: (Programme.Status.CLOSED,),
}
APPLICANT_EDITS = (Status.DRAFT, Status.RETURNED)
DOCUMENTS_OPEN = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.RETURNED,
    Status.ENDORSED,
    Status.RECEIVED,
    Status.UNDER_REVIEW,
    Status.SHORTLISTED,
)
REQUESTS_OPEN = (Status.RECEIVED, Status.UNDER_REVIEW, Status.SHORTLISTED)


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise _refuse(_("This field is required."), field, "required")
    if len(text) > limit:
        raise _refuse(_("At most %(n)s characters.") % {"n": limit}, field, "too_long")
    if "\x00" in text:
        raise _refuse(_("The text holds a character that is not allowed."), field, "nul")
    return text


def _money(value: Any, field: str, *, required: bool = True, zero: bool = False) -> Decimal | None:
    """A yuan amount with at most two decimals ("12000", "¥12,000.50")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _refuse(_("This field is required."), field, "required")
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("¥", ""))
    except (InvalidOperation, ValueError):
        raise _refuse(_("Enter an amount in yuan, e.g. 12000."), field) from None
    if not amount.is_finite() or abs(amount) >= MONEY_MAX or amount != amount.quantize(CENTS):
        raise _refuse(_("Enter an amount in yuan, e.g. 12000."), field)
    if amount < 0 or (amount == 0 and not zero):
        raise _refuse(_("The amount must be more than zero."), field)
    return amount.quantize(CENTS)


def _decimal(value: Any, field: str, low: Decimal, high: Decimal, default: Decimal) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise _refuse(_("Enter a number."), field) from None
    if not number.is_finite() or not low <= number <= high or number != number.quantize(CENTS):
        raise _refuse(
            _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}, field
        )
    return number.quantize(CENTS)


def _date(value: Any, field: str, *, required: bool) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise _refuse(_("This field is required."), field, "required")
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _refuse(_("Enter a date, e.g. 2025-03-01."), field) from None


def _small_int(value: Any, field: str, low: int, high: int, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise _refuse(_("This field is required."), field, "required")
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise _refuse(_("Enter a whole number."), field) from None
    if not low <= number <= high:
        raise _refuse(
            _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}, field
        )
    return number


def _choice(value: Any, field: str, choices: Any, default: str) -> str:
    if value in (None, ""):
        return default
    if value not in choices.values:
        raise _refuse(_("Choose one of the options."), field)
    return str(value)


# --- Programmes -------------------------------------------------------------------------------


def clean_programme(values: dict[str, Any]) -> dict[str, Any]:
    """A programme's fields from what was typed or sent, or ValidationError naming the field."""
    P = Programme
    clean: dict[str, Any] = {
        "name": _text(values.get("name"), "name", NAME_MAX, required=True),
        "description": _text(values.get("description"), "description", TEXT_MAX),
        "eligibility": _text(values.get("eligibility"), "eligibility", TEXT_MAX),
        "budget": _money(values.get("budget"), "budget"),
        "applicants": _choice(
            values.get("applicants"), "applicants", P.Applicants, P.Applicants.BUILDINGS
        ),
        "min_cofunding_share": _decimal(
            values.get("min_cofunding_share"),
            "min_cofunding_share",
            Decimal("0"),
            Decimal("100"),
            Decimal("0"),
        ),
        "max_amount": _money(values.get("max_amount"), "max_amount", required=False),
        "matching_ratio": _decimal(
            values.get("matching_ratio"),
            "matching_ratio",
            Decimal("0"),
            Decimal("100"),
            Decimal("1.00"),
        ),
        "matching_cap": _money(values.get("matching_cap"), "matching_cap", required=False),
        "call_opens": _date(values.get("call_opens"), "call_opens", required=True),
        "call_closes": _date(values.get("call_closes"), "call_closes", required=True),
        "review_ends": _date(values.get("review_ends"), "review_ends", required=False),
        "decision_on": _date(values.get("decision_on"), "decision_on", required=False),
        "selection": _choice(values.get("selection"), "selection", P.Selection, P.Selection.REVIEW),
        "pb_rule": _choice(values.get("pb_rule"), "pb_rule", P.PBRule, P.PBRule.MES_ADD1),
        "pb_exhaustive_stop": bool(values.get("pb_exhaustive_stop")),
        "pb_comparison": bool(values.get("pb_comparison")),
        "pb_ballot": _choice(values.get("pb_ballot"), "pb_ballot", P.PBBallot, P.PBBallot.APPROVAL),
        "pb_min": _small_int(values.get("pb_min"), "pb_min", 0, 100, required=False) or 0,
        "pb_max": _small_int(values.get("pb_max"), "pb_max", 1, 100, required=False),
        "pb_unit": _choice(values.get("pb_unit"), "pb_unit", P.PBUnit, P.PBUnit.RESIDENT),
    }
    if clean["max_amount"] is not None and clean["max_amount"] > clean["budget"]:
        raise _refuse(
            _("One application cannot ask for more than the programme's budget."), "max_amount"
        )
    if clean["call_closes"] < clean["call_opens"]:
        raise _refuse(_("The call must close on or after the day it opens."), "call_closes")
    if clean["review_ends"] is not None and clean["review_ends"] < clean["call_closes"]:
        raise _refuse(_("Review ends on or after the call closes."), "review_ends")
    decision_after = clean["review_ends"] or clean["call_closes"]
    if clean["decision_on"] is not None and clean["decision_on"] < decision_after:
        raise _refuse(_("The decision comes after the call and the review."), "decision_on")
    if clean["pb_max"] is not None and clean["pb_max"] < clean["pb_min"]:
        raise _refuse(_("The most projects on a ballot cannot be fewer than the fewest."), "pb_max")
    return clean


def clean_criteria(criteria: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Criteria as ``{"name", "weight", "description"}``; rows without a name are skipped."""
    rows = []
    seen: set[str] = set()
    for raw in criteria:
        name = _text(raw.get("name"), "criteria", NAME_MAX)
        if not name:
            continue
        if name in seen:
            raise _refuse(
                _("Two criteria are called “%(name)s”.") % {"name": name}, "criteria", "duplicate"
            )
        seen.add(name)
        weight = _small_int(raw.get("weight"), "criteria", 1, 100, required=False) or 1
        description = _text(raw.get("description"), "criteria", MESSAGE_MAX)
        rows.append({"name": name, "weight": weight, "description": description})
    if len(rows) > CRITERIA_MAX:
        raise _refuse(
            _("A programme has at most %(n)s criteria.") % {"n": CRITERIA_MAX}, "criteria"
        )
    return rows


def _write_criteria(programme: Programme, rows: list[dict[str, Any]]) -> None:
    Criterion.objects.filter(programme=programme).delete()
    Criterion.objects.bulk_create(
        Criterion(programme=programme, position=i, **row) for i, row in enumerate(rows)
    )


def _locked_programme(programme: Programme) -> Programme:
    return (
        Programme.objects.select_for_update(of=("self",))
        .select_related("street")
        .get(pk=programme.pk)
    )


@transaction.atomic
def programme_create(
    *, actor: Any, street: Street, criteria: Iterable[dict[str, Any]] = (), **values: Any
) -> Programme:
    """A draft programme of ``street`` (foundation officers of the street)."""
    permissions.require(actor, "create", Programme(street=street))
    clean = clean_programme(values)
    rows = clean_criteria(criteria)
    programme = Programme.objects.create(
        street=street,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **clean,
    )
    _write_criteria(programme, rows)
    audit.record(actor=actor, action="foundation.programme_create", target=programme)
    return programme


@transaction.atomic
def programme_update(
    *,
    actor: Any,
    programme: Programme,
    criteria: Iterable[dict[str, Any]] | None = None,
    **values: Any,
) -> Programme:
    """Edit a draft programme and (when given) replace its criteria. Once published, its rules
    are what applicants read and are fixed."""
    permissions.require(actor, "manage", programme)
    programme = _locked_programme(programme)
    if programme.status != Programme.Status.DRAFT:
        raise _refuse(
            _("A published programme's rules cannot change: applicants rely on them."),
            code="published",
        )
    clean = clean_programme(values)
    rows = clean_criteria(criteria) if criteria is not None else None
    changes = audit.changes(programme, clean)
    for name, value in clean.items():
        setattr(programme, name, value)
    programme.save()
    if rows is not None:
        _write_criteria(programme, rows)
        changes["criteria"] = [None, [r["name"] for r in rows]]
    audit.record(
        actor=actor, action="foundation.programme_update", target=programme, changes=changes
    )
    return programme


@transaction.atomic
def programme_publish(*, actor: Any, programme: Programme) -> Programme:
    """Open the call: the programme and its rules appear on the disclosure board of every
    estate of the street (the board's foundation section lists published programmes)."""
    permissions.require(actor, "manage", programme)
    programme = _locked_programme(programme)
    if programme.status != Programme.Status.DRAFT:
        raise _refuse(_("This programme is already published."), code="published")
    if programme.call_closes < timezone.localdate():
        raise _refuse(_("The call's closing day has passed: change the dates first."))
    if programme.uses_review and not programme.criteria.exists():
        raise _refuse(_("Add the criteria reviewers will score before publishing."))
    programme.status = Programme.Status.PUBLISHED
    programme.published_at = timezone.now()
    programme.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor,
        action="foundation.programme_publish",
        target=programme,
        changes={"status": [Programme.Status.DRAFT, programme.status]},
    )
    return programme


@transaction.atomic
def programme_advance(*, actor: Any, programme: Programme, status: str) -> Programme:
    """Move a published programme to its next stage: review, residents' vote (only when the
    programme lets residents choose), decided, closed."""
    permissions.require(actor, "manage", programme)
    programme = _locked_programme(programme)
    allowed = PROGRAMME_MOVES.get(programme.status, ())
    if status not in allowed:
        raise _refuse(_("The programme cannot move to that stage now."), "status")
    if status == Programme.Status.VOTING and not programme.uses_pb:
        raise _refuse(_("This programme's winners are not chosen by residents' vote."), "status")
    old = programme.status
    programme.status = status
    programme.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="foundation.programme_advance",
        target=programme,
        changes={"status": [old, status]},
    )
    return programme


# --- Eligibility --------------------------------------------------------------------------------


def cofunding_raised(project: Any) -> Decimal:
    """Money residents and donors have given to the project's fund (matching not counted)."""
    from linju.funding.views.common import figures_for

    if project is None or project.fund_id is None:
        return Decimal("0.00")
    return figures_for([project.fund_id])[project.fund_id].received


def eligibility_problems(
    *,
    programme: Programme,
    budget: Decimal,
    requested: Decimal,
    raised: Decimal,
    today: datetime.date,
) -> list[str]:
    """What keeps an application from being submitted to ``programme`` today, in plain words;
    empty when nothing does. Shares are compared as exact fractions."""
    problems = []
    if programme.status != Programme.Status.PUBLISHED:
        problems.append(_("This programme is not taking applications."))
    elif today < programme.call_opens:
        problems.append(_("The call opens on %(day)s.") % {"day": programme.call_opens.isoformat()})
    elif today > programme.call_closes:
        problems.append(
            _("The call closed on %(day)s.") % {"day": programme.call_closes.isoformat()}
        )
    if requested > budget:
        problems.append(_("The amount asked for is more than the project's whole budget."))
    if programme.max_amount is not None and requested > programme.max_amount:
        problems.append(
            _("This programme gives at most ¥%(max)s to one application; you ask for ¥%(asked)s.")
            % {"max": programme.max_amount, "asked": requested}
        )
    share = Fraction(programme.min_cofunding_share) / 100
    if share > 0 and Fraction(raised) < share * Fraction(budget):
        needed = (Decimal(share.numerator) * budget / Decimal(share.denominator)).quantize(
            CENTS, rounding=ROUND_UP
        )
        problems.append(
            _(
                "Residents have raised ¥%(raised)s; this programme asks them to raise at least "
                "%(share)s%% of the budget first (¥%(needed)s)."
            )
            % {
                "raised": raised,
                "share": programme.min_cofunding_percent,
                "needed": needed,
            }
        )
    return problems


def application_problems(application: Application) -> list[str]:
    """What keeps ``application`` from being submitted today (its fund read now)."""
    return eligibility_problems(
        programme=application.programme,
        budget=application.budget,
        requested=application.requested,
        raised=cofunding_raised(application.project),
        today=timezone.localdate(),
    )


# --- Applications -------------------------------------------------------------------------------


def _event(
    application: Application,
    kind: str,
    actor: Any,
    *,
    from_status: str = "",
    to_status: str = "",
    message: str = "",
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        message=message,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _set_status(application: Application, status: str) -> str:
    old = application.status
    application.status = status
    application.status_changed_at = timezone.now()
    application.save(update_fields=["status", "status_changed_at"])
    return old


def _locked_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("programme__street", "project", "estate", "building")
        .get(pk=application.pk)
    )


def _tell_applicant(application: Application, kind: str, title: Any, body: Any = "") -> None:
    recipient = application.created_by
    if recipient is None or not recipient.is_active:
        return
    url = application.get_absolute_url()
    estate = application.estate

    def send() -> None:
        notify(
            recipient=recipient,
            kind=f"foundation.{kind}",
            title=title,
            body=body,
            url=url,
            estate=estate,
        )

    transaction.on_commit(send)


def _tell_estate_staff(application: Application) -> None:
    staff = [
        role.user
        for role in Role.objects.current()
        .filter(kind=Role.Kind.COMMITTEE_STAFF, estate=application.estate)
        .select_related("user")
        if role.user is not None and role.user.is_active
    ]
    url = application.get_absolute_url()
    title = gettext_lazy("A grant application waits for your endorsement")
    body = application.title
    estate = application.estate

    def send() -> None:
        for user in {u.pk: u for u in staff}.values():
            notify(
                recipient=user,
                kind="foundation.submitted",
                title=title,
                body=body,
                url=url,
                estate=estate,
            )

    transaction.on_commit(send)


def _clean_application(values: dict[str, Any], programme: Programme) -> dict[str, Any]:
    budget = _money(values.get("budget"), "budget") or Decimal("0")
    requested = _money(values.get("requested"), "requested") or Decimal("0")
    clean: dict[str, Any] = {
        "title": _text(values.get("title"), "title", NAME_MAX, required=True),
        "plan": _text(values.get("plan"), "plan", PLAN_MAX, required=True),
        "budget": budget,
        "requested": requested,
        "support": _text(values.get("support"), "support", TEXT_MAX),
    }
    if requested > budget:
        raise _refuse(
            _("The amount asked for is more than the project's whole budget."), "requested"
        )
    if programme.max_amount is not None and requested > programme.max_amount:
        raise _refuse(
            _("This programme gives at most ¥%(max)s to one application.")
            % {"max": programme.max_amount},
            "requested",
        )
    return clean


def _support_decision(decision: Any, project: Any) -> Any:
    if decision is None:
        return None
    if decision.estate_id != project.estate_id or decision.status == "draft":
        raise _refuse(_("Choose a vote of this estate."), "support_decision")
    return decision


def _support_consultation(consultation: Any, project: Any) -> Any:
    if consultation is None:
        return None
    if consultation.estate_id != project.estate_id or consultation.status == "draft":
        raise _refuse(_("Choose a survey of this estate."), "support_consultation")
    return consultation


def _copy_project_photos(application: Application, project: Any, actor: Any) -> None:
    """The project's photos (its "before" photos first) as the application's own copies, so
    removing one from the project's gallery later leaves the application as it was sent."""
    from linju.projects.models import ProjectPhoto

    photos = list(
        ProjectPhoto.objects.filter(project=project, kind__in=["before", "general"]).order_by(
            "kind", "pair", "pk"
        )[:PHOTOS_COPIED]
    )
    for source in photos:
        try:
            with source.image.open("rb") as handle:
                data = handle.read()
        except (OSError, ValueError):
            continue
        copy = ApplicationPhoto(
            application=application,
            caption=source.caption,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        try:
            photo_store(copy, SimpleUploadedFile("photo", data))
        except ValidationError:
            continue


@transaction.atomic
def application_create(
    *,
    actor: Any,
    programme: Programme,
    project: Any,
    title: Any,
    plan: Any,
    budget: Any,
    requested: Any,
    support: Any = "",
    support_decision: Any = None,
    support_consultation: Any = None,
    copy_photos: bool = True,
) -> Application:
    """A draft application of ``project`` to ``programme`` (the building's group leader, or
    committee staff), with copies of the project's photos. One per project and programme."""
    from linju.projects.models import Project

    draft = Application(
        programme=programme, project=project, estate=project.estate, building=project.building
    )
    permissions.require(actor, "create", draft)
    if not permissions.can(actor, "view", programme):
        raise _refuse(_("This programme is not taking applications."))
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status != Programme.Status.PUBLISHED:
        raise _refuse(_("This programme is not taking applications."), code="closed")
    if programme.call_closes < timezone.localdate():
        raise _refuse(
            _("The call closed on %(day)s.") % {"day": programme.call_closes.isoformat()},
            code="closed",
        )
    if project.estate.street_id != programme.street_id:
        raise _refuse(_("This programme is for the estates of another street."), code="street")
    if project.status != Project.Status.ACTIVE:
        raise _refuse(_("Only a project under way can apply."), code="project")
    if programme.applicants == Programme.Applicants.BUILDINGS and project.building_id is None:
        raise _refuse(_("This programme takes applications from building groups only."))
    if programme.applicants == Programme.Applicants.ESTATES and project.building_id is not None:
        raise _refuse(_("This programme takes applications from whole estates only."))
    if Application.objects.filter(programme=programme, project=project).exists():
        raise _refuse(_("This project has already applied to this programme."), code="duplicate")
    clean = _clean_application(
        {
            "title": title,
            "plan": plan,
            "budget": budget,
            "requested": requested,
            "support": support,
        },
        programme,
    )
    application = Application.objects.create(
        programme=programme,
        project=project,
        estate=project.estate,
        building=project.building,
        support_decision=_support_decision(support_decision, project),
        support_consultation=_support_consultation(support_consultation, project),
        cofunding_raised=cofunding_raised(project),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **clean,
    )
    _event(application, ApplicationEvent.Kind.CREATED, actor, to_status=Status.DRAFT)
    if copy_photos:
        _copy_project_photos(application, project, actor)
    audit.record(actor=actor, action="foundation.application_create", target=application)
    return application


@transaction.atomic
def application_update(
    *,
    actor: Any,
    application: Application,
    title: Any,
    plan: Any,
    budget: Any,
    requested: Any,
    support: Any = "",
    support_decision: Any = None,
    support_consultation: Any = None,
) -> Application:
    """Edit a draft or returned application."""
    permissions.require(actor, "edit", application)
    application = _locked_application(application)
    if application.status not in APPLICANT_EDITS:
        raise _refuse(_("The application was sent: it can no longer be edited."), code="sent")
    clean = _clean_application(
        {
            "title": title,
            "plan": plan,
            "budget": budget,
            "requested": requested,
            "support": support,
        },
        application.programme,
    )
    clean["support_decision"] = _support_decision(support_decision, application.project)
    clean["support_consultation"] = _support_consultation(support_consultation, application.project)
    changes = audit.changes(application, clean)
    for name, value in clean.items():
        setattr(application, name, value)
    application.save()
    audit.record(
        actor=actor, action="foundation.application_update", target=application, changes=changes
    )
    return application


@transaction.atomic
def application_photo_add(
    *, actor: Any, application: Application, upload: Any, caption: Any = ""
) -> ApplicationPhoto:
    """Add a photo to a draft or returned application (cleaned by ``photo_store``)."""
    permissions.require(actor, "edit", application)
    application = _locked_application(application)
    if application.status not in APPLICANT_EDITS:
        raise _refuse(_("The application was sent: it can no longer be edited."), code="sent")
    if application.photos.count() >= PHOTOS_MAX:
        raise _refuse(_("This application has as many photos as it can hold."), "upload")
    if upload is None:
        raise _refuse(_("Choose a photo."), "upload", "required")
    photo = ApplicationPhoto(
        application=application,
        caption=_text(caption, "caption", 200),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        photo_store(photo, upload)
    except ValidationError as exc:
        raise ValidationError({"upload": exc.messages}) from None
    audit.record(
        actor=actor,
        action="foundation.application_photo_add",
        target=application,
        changes={"photo": [None, photo.pk]},
    )
    return photo


@transaction.atomic
def application_submit(*, actor: Any, application: Application) -> Application:
    """Send the application to the estate's committee staff for endorsement. The co-funding
    residents have raised is read from the project's fund now, and the programme's rules are
    checked: the call window, the most one application may ask for, the co-funding share."""
    permissions.require(actor, "edit", application)
    application = _locked_application(application)
    if application.status not in APPLICANT_EDITS:
        raise _refuse(_("The application was already sent."), code="sent")
    raised = cofunding_raised(application.project)
    problems = eligibility_problems(
        programme=application.programme,
        budget=application.budget,
        requested=application.requested,
        raised=raised,
        today=timezone.localdate(),
    )
    if problems:
        raise ValidationError([ValidationError(p, code="ineligible") for p in problems])
    application.cofunding_raised = raised
    application.submitted_at = timezone.now()
    application.save(update_fields=["cofunding_raised", "submitted_at"])
    old = _set_status(application, Status.SUBMITTED)
    _event(
        application,
        ApplicationEvent.Kind.SUBMITTED,
        actor,
        from_status=old,
        to_status=Status.SUBMITTED,
    )
    _tell_estate_staff(application)
    audit.record(
        actor=actor,
        action="foundation.application_submit",
        target=application,
        changes={"status": [old, Status.SUBMITTED], "cofunding_raised": [None, str(raised)]},
    )
    return application


@transaction.atomic
def application_endorse(*, actor: Any, application: Application, message: Any = "") -> Application:
    """The estate's committee staff endorse a submitted application: it goes to the
    foundation."""
    permissions.require(actor, "endorse", application)
    application = _locked_application(application)
    if application.status != Status.SUBMITTED:
        raise _refuse(_("Only a submitted application can be endorsed."), code="status")
    message = _text(message, "message", MESSAGE_MAX)
    old = _set_status(application, Status.ENDORSED)
    _event(
        application,
        ApplicationEvent.Kind.ENDORSED,
        actor,
        from_status=old,
        to_status=Status.ENDORSED,
        message=message,
    )
    _tell_applicant(
        application,
        "endorsed",
        gettext_lazy("The estate endorsed your grant application"),
        application.title,
    )
    audit.record(
        actor=actor,
        action="foundation.application_endorse",
        target=application,
        changes={"status": [old, Status.ENDORSED]},
    )
    return application


@transaction.atomic
def application_return(*, actor: Any, application: Application, message: Any) -> Application:
    """The estate's committee staff return a submitted application to the applicant, saying
    what to change; the applicant edits it and submits it again."""
    permissions.require(actor, "endorse", application)
    application = _locked_application(application)
    if application.status != Status.SUBMITTED:
        raise _refuse(_("Only a submitted application can be returned."), code="status")
    message = _text(message, "message", MESSAGE_MAX, required=True)
    old = _set_status(application, Status.RETURNED)
    _event(
        application,
        ApplicationEvent.Kind.RETURNED,
        actor,
        from_status=old,
        to_status=Status.RETURNED,
        message=message,
    )
    _tell_applicant(
        application,
        "returned",
        gettext_lazy("Your grant application was returned"),
        message,
    )
    audit.record(
        actor=actor,
        action="foundation.application_return",
        target=application,
        changes={"status": [old, Status.RETURNED]},
    )
    return application


@transaction.atomic
def application_receive(*, actor: Any, application: Application) -> Application:
    """A foundation officer of the programme's street receives an endorsed application."""
    permissions.require(actor, "process", application)
    application = _locked_application(application)
    if application.status != Status.ENDORSED:
        raise _refuse(
            _("Only an application the estate has endorsed can be received."), code="status"
        )
    old = _set_status(application, Status.RECEIVED)
    _event(
        application,
        ApplicationEvent.Kind.RECEIVED,
        actor,
        from_status=old,
        to_status=Status.RECEIVED,
    )
    _tell_applicant(
        application,
        "received",
        gettext_lazy("The foundation received your grant application"),
        application.title,
    )
    audit.record(
        actor=actor,
        action="foundation.application_receive",
        target=application,
        changes={"status": [old, Status.RECEIVED]},
    )
    return application


@transaction.atomic
def application_move(
    *, actor: Any, application: Application, status: str, message: Any = ""
) -> Application:
    """A foundation officer moves a received application through review: under review,
    shortlisted, declined, not awarded (an award is a grant decision, which records the
    amount)."""
    permissions.require(actor, "process", application)
    application = _locked_application(application)
    if status not in MOVES.get(application.status, ()):
        raise _refuse(_("The application cannot move to that status now."), "status")
    message = _text(message, "message", MESSAGE_MAX)
    return application_status_record(
        actor=actor, application=application, status=status, message=message
    )


def application_status_record(
    *, actor: Any, application: Application, status: str, message: str = ""
) -> Application:
    """Write a status change, its timeline event and audit row, and tell the applicant. For
    this module's services and other apps' (a grant decision, a residents' vote), which check
    their own permission and lock the application first."""
    if status not in Status.values:
        raise _refuse(_("The application cannot move to that status now."), "status")
    old = _set_status(application, status)
    _event(
        application,
        ApplicationEvent.Kind.STATUS,
        actor,
        from_status=old,
        to_status=status,
        message=message,
    )
    _tell_applicant(
        application,
        "status",
        gettext_lazy("The status of your grant application changed"),
        message or Status(status).label,
    )
    audit.record(
        actor=actor,
        action="foundation.application_status",
        target=application,
        changes={"status": [old, status]},
    )
    return application


# --- Documents ----------------------------------------------------------------------------------


@transaction.atomic
def document_request_create(
    *, actor: Any, application: Application, message: Any
) -> DocumentRequest:
    """A foundation officer asks the applicant for a missing document, saying what it is."""
    permissions.require(actor, "process", application)
    application = _locked_application(application)
    if application.status not in REQUESTS_OPEN:
        raise _refuse(
            _("Documents are asked for once the foundation has received the application."),
            code="status",
        )
    message = _text(message, "message", MESSAGE_MAX, required=True)
    if application.document_requests.filter(answered_at__isnull=True).count() >= 20:
        raise _refuse(_("Too many documents are still awaited."), "message")
    request = DocumentRequest.objects.create(
        application=application,
        message=message,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _event(application, ApplicationEvent.Kind.DOCUMENT_REQUESTED, actor, message=message)
    _tell_applicant(
        application,
        "document_requested",
        gettext_lazy("The foundation asks for a document"),
        message,
    )
    audit.record(
        actor=actor,
        action="foundation.document_request",
        target=application,
        changes={"request": [None, request.pk]},
    )
    return request


def _document_name(name: Any, kind: str) -> str:
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if c.isprintable()).strip()
    stem = text.rsplit(".", 1)[0] if "." in text else text
    stem = stem[: NAME_MAX - len(kind) - 1].strip() or _("document")
    return f"{stem}.{kind}"


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@transaction.atomic
def document_upload(
    *,
    actor: Any,
    application: Application,
    upload: Any,
    kind: str = ApplicationDocument.Kind.OTHER,
    title: Any = "",
    request: DocumentRequest | None = None,
) -> ApplicationDocument:
    """The applicant adds a document (PDF, JPEG, PNG or .xlsx, checked by content, up to
    10 MB); naming a request of the foundation answers it."""
    from linju.notices.services import attachment_kind

    permissions.require(actor, "upload", application)
    application = _locked_application(application)
    if application.status not in DOCUMENTS_OPEN:
        raise _refuse(_("The application is decided: no more documents."), code="status")
    if kind not in ApplicationDocument.Kind.values:
        raise _refuse(_("Choose what the document is."), "kind")
    if request is not None:
        request = DocumentRequest.objects.select_for_update().filter(pk=request.pk).first()
        if request is None or request.application_id != application.pk:
            raise _refuse(_("That is not a request of this application."), "request")
        if request.answered_at is not None:
            raise _refuse(_("That request was already answered."), "request")
    if application.documents.count() >= DOCUMENTS_MAX:
        raise _refuse(_("This application has as many documents as it can hold."), "file")
    if upload is None:
        raise _refuse(_("Choose a file."), "file", "required")
    try:
        file_kind = attachment_kind(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    name = _document_name(upload.name, file_kind)
    document = ApplicationDocument(
        application=application,
        kind=kind,
        title=_text(title, "title", NAME_MAX) or name,
        content_type=CONTENT_TYPES[file_kind],
        size=upload.size or 0,
        request=request,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    document.file.save(name, upload, save=False)
    document.save()
    if request is not None:
        request.answered_at = timezone.now()
        request.save(update_fields=["answered_at"])
    _event(
        application,
        ApplicationEvent.Kind.DOCUMENT_UPLOADED,
        actor,
        message=document.title,
    )
    audit.record(
        actor=actor,
        action="foundation.document_upload",
        target=application,
        changes={"document": [None, document.title]},
    )
    return document
