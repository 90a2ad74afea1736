"""The street's community foundation: grant programmes, their criteria and the applications
building groups send to them.

A programme is published by a foundation officer of a street; its rules (who may apply, the
co-funding it expects, the most it gives, the call window) are data, checked when an
application is submitted. An application travels draft → submitted (by the building's leader)
→ endorsed by the estate's staff (or returned with a message) → received by the foundation →
under review → shortlisted or declined → awarded or not awarded; every step is an
``ApplicationEvent`` shown to the applicant.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Street
from linju.core.models import PhotoFields


class Programme(models.Model):
    """A grant programme of a street's foundation, e.g. "2025 美丽楼组 微更新" with ¥100,000."""

    permission_key = "programme"

    class Applicants(models.TextChoices):
        BUILDINGS = "buildings", _("building groups")
        ESTATES = "estates", _("estates")
        BOTH = "both", _("building groups and estates")

    class Selection(models.TextChoices):
        REVIEW = "review", _("review scores")
        PB = "pb", _("residents' participatory budgeting")
        BOTH = "both", _("review, then residents' participatory budgeting")

    class PBRule(models.TextChoices):
        GREEDY = "greedy", _("greedy by votes")
        MES = "mes", _("Method of Equal Shares")
        MES_ADD1 = "mes-add1", _("Method of Equal Shares, completed by Add1")
        MES_ADD1U = "mes-add1u", _("Method of Equal Shares, completed by Add1, then greedy")

    class PBBallot(models.TextChoices):
        APPROVAL = "approval", _("approval (tick the projects you support)")
        KNAPSACK = "knapsack", _("knapsack (choose projects within the budget)")

    class PBUnit(models.TextChoices):
        RESIDENT = "resident", _("one ballot per resident")
        HOUSEHOLD = "household", _("one ballot per household")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("open for applications")
        REVIEWING = "reviewing", _("under review")
        VOTING = "voting", _("residents voting")
        DECIDED = "decided", _("winners decided")
        CLOSED = "closed", _("closed")

    street = models.ForeignKey(
        Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    budget = models.DecimalField(
        _("budget (¥)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    applicants = models.CharField(
        _("who may apply"), max_length=10, choices=Applicants.choices, default=Applicants.BUILDINGS
    )
    eligibility = models.TextField(
        _("eligibility rules"),
        max_length=4000,
        blank=True,
        help_text=_("Shown to applicants and on the notice board."),
    )
    min_cofunding_share = models.DecimalField(
        _("co-funding residents must have raised (% of the budget)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    max_amount = models.DecimalField(
        _("most asked by one application (¥)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    matching_ratio = models.DecimalField(
        _("matching: foundation ¥ per ¥1 raised by residents"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    matching_cap = models.DecimalField(
        _("matching cap per application (¥)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    call_opens = models.DateField(_("call opens"))
    call_closes = models.DateField(_("call closes"))
    review_ends = models.DateField(_("review ends"), null=True, blank=True)
    decision_on = models.DateField(_("decision on"), null=True, blank=True)
    selection = models.CharField(
        _("winners chosen by"), max_length=8, choices=Selection.choices, default=Selection.REVIEW
    )
    pb_rule = models.CharField(
        _("counting rule"), max_length=10, choices=PBRule.choices, default=PBRule.MES_ADD1
    )
    pb_exhaustive_stop = models.BooleanField(
        _("stop at the first outcome that spends the budget"), default=False
    )
    pb_comparison = models.BooleanField(
        _("keep equal shares only if most voters prefer it to greedy"), default=False
    )
    pb_ballot = models.CharField(
        _("ballot"), max_length=10, choices=PBBallot.choices, default=PBBallot.APPROVAL
    )
    pb_min = models.PositiveSmallIntegerField(_("fewest projects on a ballot"), default=1)
    pb_max = models.PositiveSmallIntegerField(_("most projects on a ballot"), null=True, blank=True)
    pb_unit = models.CharField(
        _("who votes"), max_length=10, choices=PBUnit.choices, default=PBUnit.RESIDENT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ("-call_opens", "-pk")
        verbose_name = _("grant programme")
        verbose_name_plural = _("grant programmes")
        indexes = [models.Index(fields=("street", "status"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programme_detail", args=[self.street.slug, self.pk])

    @property
    def min_cofunding_percent(self) -> str:
        """The co-funding share as people write it: "20", "33.33"."""
        return format(self.min_cofunding_share.normalize(), "f")

    @property
    def uses_review(self) -> bool:
        return self.selection in (self.Selection.REVIEW, self.Selection.BOTH)

    @property
    def uses_pb(self) -> bool:
        return self.selection in (self.Selection.PB, self.Selection.BOTH)

    def is_call_open(self, on) -> bool:
        """True on the days of the call, both ends included, once the programme is published."""
        return self.status == self.Status.PUBLISHED and self.call_opens <= on <= self.call_closes


class Criterion(models.Model):
    """One weighted review criterion of a programme (e.g. residents' participation, ×3)."""

    permission_key = "programme_criterion"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=120)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    description = models.TextField(_("description"), max_length=2000, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("programme", "position", "pk")
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """A building group's (or an estate's) application to a programme, made from its project."""

    permission_key = "application"

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("waiting for the estate's endorsement")
        RETURNED = "returned", _("returned to the applicant")
        ENDORSED = "endorsed", _("endorsed by the estate")
        RECEIVED = "received", _("received by the foundation")
        UNDER_REVIEW = "under_review", _("under review")
        SHORTLISTED = "shortlisted", _("shortlisted")
        DECLINED = "declined", _("declined by the foundation")
        AWARDED = "awarded", _("awarded")
        NOT_AWARDED = "not_awarded", _("not awarded")

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="foundation_applications",
    )
    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=120)
    plan = models.TextField(_("plan"), max_length=8000)
    budget = models.DecimalField(
        _("total budget (¥)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    requested = models.DecimalField(
        _("asked from the foundation (¥)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    cofunding_raised = models.DecimalField(
        _("raised by residents (¥)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Read from the project's fund when the application is submitted."),
    )
    support = models.TextField(
        _("residents' support"),
        max_length=4000,
        blank=True,
        help_text=_("How residents agreed: a vote, a meeting, signatures."),
    )
    support_decision = models.ForeignKey(
        "decisions.Decision",
        verbose_name=_("vote showing residents' support"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    support_consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("survey showing residents' support"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ("programme", "pk")
        verbose_name = _("grant application")
        verbose_name_plural = _("grant applications")
        indexes = [
            models.Index(fields=("programme", "status")),
            models.Index(fields=("estate", "status")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=("programme", "project"), name="foundation_application_one_per_project"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("application_detail", args=[self.programme.street.slug, self.pk])


class ApplicationPhoto(PhotoFields):
    """A photo sent with an application (copied from the project's photos, or uploaded)."""

    permission_key = "application_photo"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="photos")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("application", "pk")
        verbose_name = _("application photo")
        verbose_name_plural = _("application photos")

    def __str__(self) -> str:
        return self.caption or f"{self.application_id}/{self.pk}"


def _document_upload_to(instance: models.Model, filename: str) -> str:
    return f"foundation/{timezone.now():%Y/%m}/{filename}"


class DocumentRequest(models.Model):
    """The foundation asks for a missing document; the applicant answers by uploading it."""

    permission_key = "document_request"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="document_requests"
    )
    message = models.TextField(_("what is missing"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ("application", "requested_at", "pk")
        verbose_name = _("document request")
        verbose_name_plural = _("document requests")

    def __str__(self) -> str:
        return self.message[:60]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class ApplicationDocument(models.Model):
    """A document attached to an application: a plan, a quote, minutes of a meeting…"""

    permission_key = "application_document"

    class Kind(models.TextChoices):
        PLAN = "plan", _("design plan")
        BUDGET = "budget", _("budget or quote")
        MINUTES = "minutes", _("minutes or proof of residents' support")
        OTHER = "other", _("other document")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), upload_to=_document_upload_to, max_length=200)
    content_type = models.CharField(max_length=60, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0, editable=False)
    request = models.ForeignKey(
        DocumentRequest,
        verbose_name=_("answers the request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("application", "uploaded_at", "pk")
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return self.title


class ApplicationEvent(models.Model):
    """One step of an application's timeline: who did what, when (append-only; the applicant
    sees every row)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("application started")
        SUBMITTED = "submitted", _("submitted to the estate")
        RETURNED = "returned", _("returned by the estate")
        ENDORSED = "endorsed", _("endorsed by the estate")
        RECEIVED = "received", _("received by the foundation")
        DOCUMENT_REQUESTED = "doc_requested", _("document asked for")
        DOCUMENT_UPLOADED = "doc_uploaded", _("document added")
        STATUS = "status", _("status changed")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=14, choices=Kind.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    message = models.TextField(_("what was said"), max_length=2000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ("application", "occurred_at", "pk")
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.kind}"

    @property
    def to_status_label(self) -> str:
        return str(Application.Status(self.to_status).label) if self.to_status else ""
