"""Design, works and acceptance of a building-group project.

The designer invited into a project uploads plans (``DesignPlan``) and the options residents
choose between (``DesignOption``); the residents' vote that chooses is a decision of the
decisions app, linked by ``DesignVote``, each design option pointing at its option on the
ballot. ``DesignScope`` says whether the works touch the building's common parts, which calls
for an owners' decision (Civil Code Art. 278 item 7 or 8, the building's owners only);
``OwnersDecisionLink`` keeps the drafts offered for it.

Then contractors' ``Quote``s are compared and one is chosen with its reason; ``Milestone``s are
done with a photo; volunteers keep a ``SupervisionEntry`` log; the acceptance (验收) is an
``AcceptanceItem`` checklist signed by the residents' representatives chosen for it
(``AcceptanceSigner``, in the app or on paper with a photo); and residents rate the result and
the process at the review (``Evaluation``, one per resident and project).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Person
from linju.core.models import PhotoFields
from linju.projects.models import Project

RATINGS = [(n, str(n)) for n in range(1, 6)]


class DesignPlan(models.Model):
    """A plan of the works as the designer drew it (photos of the drawings, optionally a PDF)."""

    permission_key = "design_plan"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="design_plans")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="works/plans/%Y/%m/", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ("project", "uploaded_at", "pk")
        verbose_name = _("design plan")
        verbose_name_plural = _("design plans")

    def __str__(self) -> str:
        return self.title


class DesignOption(models.Model):
    """One of the designs residents choose between, with its estimated cost."""

    permission_key = "design_option"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="design_options")
    label = models.CharField(_("name of the option"), max_length=60)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    estimated_cost = models.DecimalField(
        _("estimated cost (¥)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    vote_option = models.ForeignKey(
        "decisions.Option", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ("project", "position", "pk")
        verbose_name = _("design option")
        verbose_name_plural = _("design options")
        constraints = [
            models.UniqueConstraint(fields=("project", "label"), name="design_option_label")
        ]

    def __str__(self) -> str:
        return self.label


class DesignPhoto(PhotoFields):
    """A photo of a plan's drawings or of an option's rendering."""

    permission_key = "design_photo"

    plan = models.ForeignKey(
        DesignPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    option = models.ForeignKey(
        DesignOption, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("project", "pk")
        verbose_name = _("design photo")
        verbose_name_plural = _("design photos")
        constraints = [
            models.CheckConstraint(
                condition=Q(plan__isnull=False, option__isnull=True)
                | Q(plan__isnull=True, option__isnull=False),
                name="design_photo_of_plan_or_option",
            )
        ]

    def __str__(self) -> str:
        return self.caption or f"{self.project_id}/{self.pk}"


class DesignVote(models.Model):
    """The residents' vote choosing between a project's design options."""

    permission_key = "design_vote"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="design_votes")
    decision = models.OneToOneField(
        "decisions.Decision", on_delete=models.PROTECT, related_name="design_vote"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("project", "-started_at", "-pk")
        verbose_name = _("design vote")
        verbose_name_plural = _("design votes")

    def __str__(self) -> str:
        return str(self.decision_id)


class DesignScope(models.Model):
    """What the works touch. Works on a building's common parts need its owners' decision
    (Civil Code Art. 278: item 7 to renovate, item 8 to change the use of common parts)."""

    permission_key = "design_scope"

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="design_scope")
    touches_structure = models.BooleanField(_("the building's structure"), default=False)
    touches_facade = models.BooleanField(_("the facade"), default=False)
    touches_lifts = models.BooleanField(_("the lifts"), default=False)
    changes_common_use = models.BooleanField(
        _("how common areas are used (e.g. the lobby becomes a living room)"), default=False
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("what the works touch")
        verbose_name_plural = _("what the works touch")

    def __str__(self) -> str:
        return str(self.project_id)

    @property
    def renovates_common_parts(self) -> bool:
        return self.touches_structure or self.touches_facade or self.touches_lifts

    @property
    def touches_common_parts(self) -> bool:
        return self.renovates_common_parts or self.changes_common_use

    def matters(self) -> list[int]:
        """The Art. 278 items the owners must decide: 7 to renovate, 8 to change the use."""
        found = []
        if self.renovates_common_parts:
            found.append(7)
        if self.changes_common_use:
            found.append(8)
        return found


class OwnersDecisionLink(models.Model):
    """An owners' decision drafted from a project's page for the works on common parts."""

    permission_key = "owners_decision_link"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="owners_decision_links"
    )
    decision = models.OneToOneField(
        "decisions.Decision", on_delete=models.PROTECT, related_name="works_link"
    )
    matter = models.PositiveSmallIntegerField(_("matter (Civil Code Art. 278)"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("project", "matter", "pk")
        verbose_name = _("owners' decision for the works")
        verbose_name_plural = _("owners' decisions for the works")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.matter}"


class Quote(models.Model):
    """A contractor's quote, compared side by side with the others; one is chosen."""

    permission_key = "quote"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="quotes")
    contractor = models.CharField(_("contractor"), max_length=120)
    amount = models.DecimalField(_("amount (¥)"), max_digits=12, decimal_places=2)
    items = models.TextField(
        _("what it covers"),
        max_length=4000,
        blank=True,
        help_text=_("One item per line: materials, labour, warranty…"),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    chosen = models.BooleanField(_("chosen"), default=False)
    chosen_reason = models.CharField(_("why this one"), max_length=500, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("project", "amount", "pk")
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(
                fields=("project",), condition=Q(chosen=True), name="quote_one_chosen"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="quote_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.contractor

    def item_lines(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]


class QuotePhoto(PhotoFields):
    """A photo of the quote as the contractor handed it over."""

    permission_key = "quote_photo"

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="photos")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("quote", "pk")
        verbose_name = _("photo of a quote")
        verbose_name_plural = _("photos of quotes")

    def __str__(self) -> str:
        return f"{self.quote_id}/{self.pk}"


class Milestone(models.Model):
    """A step of the works; done with a photo that shows it."""

    permission_key = "milestone"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=120)
    due_on = models.DateField(_("due"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ("project", "position", "pk")
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class MilestonePhoto(PhotoFields):
    """A photo of a milestone's work."""

    permission_key = "milestone_photo"

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="photos")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("milestone", "pk")
        verbose_name = _("milestone photo")
        verbose_name_plural = _("milestone photos")

    def __str__(self) -> str:
        return f"{self.milestone_id}/{self.pk}"


class SupervisionEntry(models.Model):
    """What a volunteer saw on site (the residents' supervision log)."""

    permission_key = "supervision_entry"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="supervision_entries"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("what you saw"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("project", "-created_at", "-pk")
        verbose_name = _("supervision log entry")
        verbose_name_plural = _("supervision log entries")

    def __str__(self) -> str:
        return self.text[:40]


class SupervisionPhoto(PhotoFields):
    permission_key = "supervision_photo"

    entry = models.ForeignKey(SupervisionEntry, on_delete=models.CASCADE, related_name="photos")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("entry", "pk")
        verbose_name = _("supervision photo")
        verbose_name_plural = _("supervision photos")

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.pk}"


class AcceptanceItem(models.Model):
    """One line of the acceptance checklist and what the walk-through found."""

    permission_key = "acceptance_item"

    class Result(models.TextChoices):
        PENDING = "pending", _("not checked yet")
        PASS = "pass", _("passed")
        NOTE = "note", _("passed, with a remark")
        FAIL = "fail", _("failed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="acceptance_items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("what to check"), max_length=300)
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    note = models.CharField(_("remark"), max_length=500, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("project", "position", "pk")
        verbose_name = _("acceptance checklist item")
        verbose_name_plural = _("acceptance checklist items")

    def __str__(self) -> str:
        return self.text


class AcceptanceSigner(models.Model):
    """A residents' representative chosen to sign the acceptance, and their signature."""

    permission_key = "acceptance_signer"

    class Mode(models.TextChoices):
        APP = "app", _("in the app")
        PAPER = "paper", _("on paper")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="acceptance_signers"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    mode = models.CharField(_("signed"), max_length=8, choices=Mode.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("project", "chosen_at", "pk")
        verbose_name = _("acceptance representative")
        verbose_name_plural = _("acceptance representatives")
        constraints = [
            models.UniqueConstraint(fields=("project", "person"), name="acceptance_signer_once")
        ]

    def __str__(self) -> str:
        return str(self.person_id)

    @property
    def has_signed(self) -> bool:
        return self.signed_at is not None


class SignaturePhoto(PhotoFields):
    """The photo of a representative's signature on the paper checklist."""

    permission_key = "signature_photo"

    signer = models.OneToOneField(
        AcceptanceSigner, on_delete=models.CASCADE, related_name="paper_photo"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo of a paper signature")
        verbose_name_plural = _("photos of paper signatures")

    def __str__(self) -> str:
        return str(self.signer_id)


class Evaluation(models.Model):
    """A resident's rating of the result and of the process (评议), one per project."""

    permission_key = "evaluation"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evaluations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_rating = models.PositiveSmallIntegerField(
        _("the result"), choices=RATINGS, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    process_rating = models.PositiveSmallIntegerField(
        _("the process"), choices=RATINGS, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("project", "-updated_at", "-pk")
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=("project", "user"), name="evaluation_once"),
            models.CheckConstraint(
                condition=Q(result_rating__gte=1, result_rating__lte=5)
                & Q(process_rating__gte=1, process_rating__lte=5),
                name="evaluation_ratings_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.user_id}"
