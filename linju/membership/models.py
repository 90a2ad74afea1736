"""Joining a flat and acting for someone else.

A flat's join code (printed on a slip for the door or the lobby) lets a resident ask to join
it; staff or the building-group leader approve the request. An owner can authorise someone
(a family member, a neighbour) to act for them, for a limited time and for named actions.
Every table carries ``estate`` (indexed), like every estate table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from linju.community.models import Estate, Flat, Occupancy, Person

# Join codes use capitals and digits that cannot be mistaken for one another when read aloud
# or copied from paper: no 0/O, 1/I/L.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


class JoinCode(models.Model):
    """The code on a flat's join slip. One active code per flat; a rotated code is kept,
    inactive, so it is never issued again."""

    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.PROTECT)
    flat = models.ForeignKey(
        Flat, verbose_name=_("flat"), on_delete=models.CASCADE, related_name="join_codes"
    )
    code = models.CharField(_("join code"), max_length=JOIN_CODE_LENGTH, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("join code")
        verbose_name_plural = _("join codes")
        ordering = ["flat", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["flat"], condition=Q(is_active=True), name="join_code_one_active_per_flat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.flat} · {self.code}"

    @property
    def grouped(self) -> str:
        """``ABCD EFGH``: easier to read off a slip and to type."""
        return f"{self.code[:4]} {self.code[4:]}"


class JoinRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=JoinRequest.Status.PENDING)


class JoinRequest(models.Model):
    """A signed-in person asks to be recorded at a flat, saying who they are there."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("not approved")
        WITHDRAWN = "withdrawn", _("withdrawn")

    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.PROTECT)
    flat = models.ForeignKey(
        Flat, verbose_name=_("flat"), on_delete=models.PROTECT, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="join_requests",
    )
    join_code = models.ForeignKey(
        JoinCode,
        verbose_name=_("join code"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    relation = models.CharField(_("relation"), max_length=12, choices=Occupancy.Relation.choices)
    full_name = models.CharField(_("name"), max_length=60)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked on"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    roster_match = models.ForeignKey(
        Person,
        verbose_name=_("roster match"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Someone already on the roster at this flat with the same phone number."),
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="join_requests",
        help_text=_("The person on the roster this account was linked to when approved."),
    )

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["estate", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["flat", "user"],
                condition=Q(status="pending"),
                name="join_request_one_pending_per_flat",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} → {self.flat}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class DelegationQuerySet(models.QuerySet):
    def active(self, on=None):
        """Not revoked, and ``on`` (default today) lies between its first and last day."""
        on = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, starts_on__lte=on, ends_on__gte=on)

    def current_or_future(self, on=None):
        on = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, ends_on__gte=on)


class Delegation(models.Model):
    """An owner authorises an agent to act for them (e.g. a son for an elderly mother).

    Limited in time (``ends_on`` is required, at most a year after ``starts_on``) and in scope
    (named actions, or all); revocable at any time by the owner, the agent or staff."""

    class Action(models.TextChoices):
        VOTE = "vote", _("vote in owners' decisions")
        PLEDGE = "pledge", _("pledge and pay for projects")
        SURVEY = "survey", _("answer surveys")
        ALL = "all", _("everything an owner can do")

    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.PROTECT)
    principal = models.ForeignKey(
        Person,
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        related_name="delegations_given",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="delegations_received",
    )
    scope = models.JSONField(_("may"), default=list)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(
        _("basis"),
        max_length=200,
        blank=True,
        help_text=_("For staff: the owner's written request this is based on."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded on"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("authorisation")
        verbose_name_plural = _("authorisations")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["agent", "principal"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} → {self.principal}"

    def allows(self, action: str) -> bool:
        return self.Action.ALL in self.scope or action in self.scope

    @property
    def scope_labels(self) -> list[str]:
        labels = dict(self.Action.choices)
        return [str(labels[a]) for a in self.scope if a in labels]

    @property
    def scope_text(self) -> str:
        """The actions in words, listed the way the reader's language lists things."""
        return pgettext("list separator", ", ").join(self.scope_labels)

    @property
    def state(self) -> str:
        today = timezone.localdate()
        if self.revoked_at is not None:
            return "revoked"
        if self.ends_on < today:
            return "expired"
        if self.starts_on > today:
            return "future"
        return "active"


class SlipPrint(models.Model):
    """A PDF of join slips made by the background worker: a whole estate (1,790 flats) takes
    longer than a page may wait. Kept a week for staff to download, then deleted."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.CASCADE)
    building = models.ForeignKey(
        "community.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the whole estate."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked on"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    slip_count = models.PositiveIntegerField(_("slips"), default=0)
    # The site's address when it was asked for: the QR codes point there.
    site_url = models.CharField(_("site address"), max_length=200)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("join slip print")
        verbose_name_plural = _("join slip prints")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.building or self.estate} · {self.created_at:%Y-%m-%d %H:%M}"
