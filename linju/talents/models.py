"""Residents' talents (社区达人): an opt-in directory of residents' skills, their galleries of
works, and credits on projects they helped.

Nothing of a profile is shown to anyone but its person unless they consented to show it
(``consent_shown_at`` set and not withdrawn since); withdrawing hides the profile, its works and
its project credits at once. A credit shows on a project only once the talent accepted it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Estate, Person
from linju.core.models import PhotoFields


class Skill(models.TextChoices):
    PAINTING = "painting", _("painting")
    PHOTOGRAPHY = "photography", _("photography")
    CALLIGRAPHY = "calligraphy", _("calligraphy")
    REPAIR = "repair", _("repairs")
    LAW = "law", _("law")
    MEDICINE = "medicine", _("medicine")
    CHILDCARE = "childcare", _("childcare")
    MUSIC = "music", _("music")
    COOKING = "cooking", _("cooking")
    OTHER = "other", _("other")


def shown_q(prefix: str = "") -> Q:
    """Profiles whose person consented to show them and has not withdrawn since."""
    return Q(**{f"{prefix}consent_shown_at__isnull": False, f"{prefix}withdrawn_at__isnull": True})


class TalentProfile(models.Model):
    """A resident's entry in the talents directory."""

    permission_key = "talent_profile"

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="talent_profile"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="talent_profiles",
    )
    display_name = models.CharField(_("name shown"), max_length=40)
    profile = models.TextField(_("short profile"), max_length=600, blank=True)
    consent_shown_at = models.DateTimeField(_("agreed to be shown"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("consent withdrawn"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ("estate", "display_name", "pk")
        verbose_name = _("talent profile")
        verbose_name_plural = _("talent profiles")

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("talent_detail", args=[self.estate.slug, self.pk])

    @property
    def is_shown(self) -> bool:
        return self.consent_shown_at is not None and self.withdrawn_at is None


class TalentSkill(models.Model):
    """One skill of a profile (a row each, so the directory filters by skill in SQL)."""

    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="skills")
    skill = models.CharField(_("skill"), max_length=20, choices=Skill.choices)

    class Meta:
        ordering = ("profile", "skill")
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint(fields=("profile", "skill"), name="talent_skill_once")
        ]

    def __str__(self) -> str:
        return self.get_skill_display()


class TalentWork(PhotoFields):
    """A photo of one of the talent's works, in their gallery."""

    permission_key = "talent_work"

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    profile = models.ForeignKey(TalentProfile, on_delete=models.CASCADE, related_name="works")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ("profile", "-added_at", "-pk")
        verbose_name = _("work")
        verbose_name_plural = _("works")

    def __str__(self) -> str:
        return self.caption or str(self.pk)


class ProjectCredit(models.Model):
    """A project's invitation to a talent, and, once accepted, the credit on its showcase."""

    permission_key = "project_credit"

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="talent_credits",
    )
    profile = models.ForeignKey(
        TalentProfile, verbose_name=_("talent"), on_delete=models.CASCADE, related_name="credits"
    )
    role = models.CharField(_("what they did"), max_length=60)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)

    class Meta:
        ordering = ("project", "invited_at", "pk")
        verbose_name = _("project credit")
        verbose_name_plural = _("project credits")
        constraints = [
            models.UniqueConstraint(
                fields=("project", "profile"),
                condition=Q(declined_at__isnull=True),
                name="project_credit_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile} · {self.role}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.declined_at is None
