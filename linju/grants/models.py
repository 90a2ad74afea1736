"""Review, decisions, disbursements and reports of a foundation's grants.

Reviewers are assigned to a programme by a foundation officer and score its applications
against the programme's criteria; nobody scores an application of an estate where they live,
hold a role, or declared a conflict of interest. A decision is a ``Grant`` (awarded, declined
or, later, withdrawn). Money reaches the project's fund as ``Disbursement`` rows, each backed
by one entry of the estate's ledger. A grant's reports (quarterly for projects longer than
six months, a final one within three months of the end: Charity Law Art. 79) are ``ReportDue``
rows made when the grant is awarded.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Estate
from linju.core.models import PhotoFields

SCORE_MIN = 0
SCORE_MAX = 10


class ReviewerAssignment(models.Model):
    """A reviewer of one programme, assigned by a foundation officer of its street."""

    permission_key = "reviewer_assignment"

    programme = models.ForeignKey(
        "foundation.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="reviewer_assignments",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        ordering = ("programme", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("programme", "reviewer"), name="grants_one_assignment_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.programme_id}"


class ConflictDeclaration(models.Model):
    """A reviewer declares a conflict of interest with an estate: they score none of its
    applications (the estates where they live or hold a role are conflicts without saying)."""

    permission_key = "conflict_declaration"

    assignment = models.ForeignKey(
        ReviewerAssignment, on_delete=models.CASCADE, related_name="conflicts"
    )
    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("why"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ("assignment", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("assignment", "estate"), name="grants_one_conflict_per_estate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} × {self.estate_id}"


class Score(models.Model):
    """One reviewer's score of one application on one criterion, 0–10, with a comment."""

    permission_key = "score"

    assignment = models.ForeignKey(
        ReviewerAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    application = models.ForeignKey(
        "foundation.Application", on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        "foundation.Criterion", on_delete=models.CASCADE, related_name="scores"
    )
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    scored_at = models.DateTimeField(_("scored"), default=timezone.now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ("assignment", "application", "criterion")
        constraints = [
            models.UniqueConstraint(
                fields=("assignment", "application", "criterion"), name="grants_one_score"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=SCORE_MIN) & Q(value__lte=SCORE_MAX),
                name="grants_score_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.criterion_id}: {self.value}"


class Grant(models.Model):
    """The foundation's decision on one application: the amount granted and its conditions,
    or a refusal with its reason."""

    permission_key = "grant"

    class Status(models.TextChoices):
        AWARDED = "awarded", _("awarded")
        DECLINED = "declined", _("not granted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    application = models.OneToOneField(
        "foundation.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="grant",
    )
    programme = models.ForeignKey(
        "foundation.Programme", on_delete=models.PROTECT, related_name="grants"
    )
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(
        _("amount granted (¥)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    conditions = models.TextField(_("conditions"), max_length=4000, blank=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    starts_on = models.DateField(_("project starts"), null=True, blank=True)
    ends_on = models.DateField(_("project ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ("-decided_at", "-pk")
        indexes = [models.Index(fields=("programme", "status"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="declined") | Q(amount__gt=0), name="grants_awarded_amount"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · ¥{self.amount}"


class Disbursement(models.Model):
    """Money of a grant paid into the project's fund: one entry of the estate's ledger."""

    permission_key = "disbursement"

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField(
        _("amount (¥)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    ledger_entry = models.OneToOneField(
        "funding.LedgerEntry", on_delete=models.PROTECT, related_name="grant_disbursement"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(_("paid"), default=timezone.now)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ("grant", "posted_at", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grants_disbursement_positive")
        ]

    def __str__(self) -> str:
        return f"{self.grant_id}: ¥{self.amount}"


class ReportDue(models.Model):
    """A report the grantee owes the foundation: quarterly while a project longer than six
    months runs, and a final report within three months of its end (Charity Law Art. 79)."""

    permission_key = "grant_report"

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", _("quarterly report")
        FINAL = "final", _("final report")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="reports")
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_on = models.DateField(_("due"))
    text = models.TextField(_("report text"), max_length=8000, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When each reminder went out, so a reminder is sent once however often the task runs.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("report due")
        verbose_name_plural = _("reports due")
        ordering = ("grant", "due_on", "pk")
        indexes = [models.Index(fields=("submitted_at", "due_on"))]
        constraints = [
            models.UniqueConstraint(fields=("grant", "kind", "due_on"), name="grants_one_report")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def is_overdue(self, today) -> bool:
        return self.submitted_at is None and self.due_on < today


class ReportPhoto(PhotoFields):
    """A photo sent with a report (the works under way, the finished lobby)."""

    permission_key = "grant_report_photo"

    report = models.ForeignKey(ReportDue, on_delete=models.CASCADE, related_name="photos")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("report", "pk")
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")

    def __str__(self) -> str:
        return f"{self.report_id}/{self.pk}"
