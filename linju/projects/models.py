"""Building-group projects (美丽楼组) and the road each one travels, stage by stage.

An estate's road is a list of ``StageTemplate`` rows that staff can change; a new project copies
the road onto its own ``ProjectStage`` rows, so changing the estate's road later never rewrites a
project under way. Each stage names what must be there to move on (a key of
``linju.projects.requirements``), its owner and its due date; every move is a ``StageMove``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.community.models import Building, Estate
from linju.core.models import PhotoFields


class StageOwner(models.TextChoices):
    """Who is expected to carry a stage (shown on the road; the stage's ``owner`` is a person)."""

    LEADER = "leader", _("building-group leader")
    STAFF = "staff", _("residents' committee")
    DESIGNER = "designer", _("designer")
    OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
    FOUNDATION = "foundation", _("community foundation")


class StageTemplate(models.Model):
    """One stage of an estate's road for new projects (staff configure it)."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    requirement = models.CharField(_("needed to move on"), max_length=40, blank=True)
    owner_role = models.CharField(
        _("carried by"), max_length=20, choices=StageOwner.choices, default=StageOwner.LEADER
    )
    days = models.PositiveSmallIntegerField(_("usual length (days)"), null=True, blank=True)

    class Meta:
        ordering = ("estate", "position")
        verbose_name = _("stage of the road")
        verbose_name_plural = _("stages of the road")
        constraints = [
            models.UniqueConstraint(fields=("estate", "position"), name="stage_template_position"),
            models.UniqueConstraint(fields=("estate", "key"), name="stage_template_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A building group's (or the estate's) micro-renewal project."""

    permission_key = "project"

    class Status(models.TextChoices):
        ACTIVE = "active", _("under way")
        FINISHED = "finished", pgettext_lazy("project status", "finished")
        CANCELLED = "cancelled", _("cancelled")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="projects"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        help_text=_("Leave empty for a project of the whole estate."),
    )
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    stage_position = models.PositiveSmallIntegerField(_("current stage"), default=0)
    budget = models.DecimalField(
        _("budget (¥)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fund = models.ForeignKey(
        "funding.Fund",
        verbose_name=_("fund"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    showcase_public = models.BooleanField(
        _("showcase shown to the public"),
        default=False,
        help_text=_("Only when the estate's board is public too."),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [models.Index(fields=("estate", "status"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("project_detail", args=[self.estate.slug, self.pk])


class ProjectStage(models.Model):
    """One stage of a project's own road, copied from the estate's road when it started."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("position"))
    key = models.SlugField(_("key"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    requirement = models.CharField(_("needed to move on"), max_length=40, blank=True)
    owner_role = models.CharField(
        _("carried by"), max_length=20, choices=StageOwner.choices, default=StageOwner.LEADER
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ("project", "position")
        verbose_name = _("project stage")
        verbose_name_plural = _("project stages")
        constraints = [
            models.UniqueConstraint(fields=("project", "position"), name="project_stage_position")
        ]

    def __str__(self) -> str:
        return self.name


class StageMove(models.Model):
    """Who moved a project from one stage to another, when, and why (append-only)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="moves")
    from_position = models.PositiveSmallIntegerField()
    to_position = models.PositiveSmallIntegerField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)
    evidence = models.CharField(_("what was there"), max_length=500, blank=True)

    class Meta:
        ordering = ("project", "moved_at", "pk")
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_position} → {self.to_position}"


class ProjectMember(models.Model):
    """Someone invited into one project only: a designer (uploads plans and options) or a
    contractor. They see and act on that project and nothing else of the estate."""

    class Kind(models.TextChoices):
        DESIGNER = "designer", _("designer")
        CONTRACTOR = "contractor", _("contractor")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    kind = models.CharField(_("role"), max_length=12, choices=Kind.choices)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        constraints = [
            models.UniqueConstraint(
                fields=("project", "user", "kind"),
                condition=models.Q(ended_at__isnull=True),
                name="project_member_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.user_id}"


class ProjectPhoto(PhotoFields):
    """A photo of a project (its page's gallery): the before and after pairs, works, people."""

    permission_key = "project_photo"

    class Kind(models.TextChoices):
        GENERAL = "general", _("photo")
        BEFORE = "before", _("before")
        AFTER = "after", _("after")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GENERAL)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    pair = models.PositiveSmallIntegerField(
        _("pair"),
        null=True,
        blank=True,
        help_text=_("A 'before' and an 'after' photo with the same number are shown side by side."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("project", "-uploaded_at", "-pk")
        verbose_name = _("project photo")
        verbose_name_plural = _("project photos")
        indexes = [models.Index(fields=("project", "kind"))]

    def __str__(self) -> str:
        return self.caption or f"{self.project_id}/{self.pk}"
