"""Shared spaces of an estate: rooms residents book by the slot, and allocated spots
(non-motor-vehicle parking) with a waiting list.

A space may have a usage convention (使用公约, a ``conventions.Convention``); booking a slot or
joining the waiting list requires that the resident has accepted it. Overlapping confirmed
bookings are refused by ``services.booking_create`` under a lock on the space.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Flat, Person


class Space(models.Model):
    """A shared space of an estate or one building: a bookable room or a set of spots."""

    permission_key = "space"

    class Kind(models.TextChoices):
        ROOM = "room", _("bookable room")
        SPOTS = "spots", _("allocated spots")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="spaces"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spaces",
        help_text=_("Leave empty for a space of the whole estate."),
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ROOM)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    rules = models.ForeignKey(
        "conventions.Convention",
        verbose_name=_("rules (usage convention)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Residents accept these rules before they book or join the waiting list."),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opens_at = models.TimeField(_("opens at"), default=datetime.time(8, 0))
    closes_at = models.TimeField(_("closes at"), default=datetime.time(21, 0))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=60)
    max_booking_minutes = models.PositiveSmallIntegerField(
        _("longest booking (minutes)"), default=180
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ("estate", "name", "pk")
        verbose_name = _("shared space")
        verbose_name_plural = _("shared spaces")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="space_hours_in_order"
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="space_slot_min"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("space_detail", args=[self.estate.slug, self.pk])

    @property
    def is_room(self) -> bool:
        return self.kind == self.Kind.ROOM


class Booking(models.Model):
    """A confirmed (or cancelled) booking of a room from ``starts_at`` to ``ends_at``."""

    permission_key = "booking"

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")

    space = models.ForeignKey(
        Space, verbose_name=_("space"), on_delete=models.CASCADE, related_name="bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        related_name="space_bookings",
    )
    flat = models.ForeignKey(
        Flat,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    created_at = models.DateTimeField(_("booked"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ("starts_at", "pk")
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [models.Index(fields=("space", "status", "starts_at"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_times_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.space} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class Spot(models.Model):
    """One allocated place in a space of spots (A-01, A-02…)."""

    space = models.ForeignKey(
        Space, verbose_name=_("space"), on_delete=models.CASCADE, related_name="spots"
    )
    label = models.CharField(_("label"), max_length=20)

    class Meta:
        ordering = ("space", "label")
        verbose_name = _("spot")
        verbose_name_plural = _("spots")
        constraints = [models.UniqueConstraint(fields=("space", "label"), name="spot_label")]

    def __str__(self) -> str:
        return self.label


class Allocation(models.Model):
    """A household's use of a spot from ``starts_on``; ``ends_on`` set when it ends."""

    permission_key = "allocation"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="allocations")
    spot = models.ForeignKey(
        Spot, verbose_name=_("spot"), on_delete=models.CASCADE, related_name="allocations"
    )
    flat = models.ForeignKey(
        Flat, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ("spot__label", "-starts_on", "pk")
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=("spot",), condition=Q(ends_on__isnull=True), name="allocation_one_per_spot"
            ),
            models.UniqueConstraint(
                fields=("space", "flat"),
                condition=Q(ends_on__isnull=True),
                name="allocation_one_per_flat",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spot} · {self.flat}"


class WaitingEntry(models.Model):
    """A household waiting for a spot; the order is the time it joined."""

    permission_key = "waiting_entry"

    space = models.ForeignKey(
        Space, verbose_name=_("space"), on_delete=models.CASCADE, related_name="waiting"
    )
    flat = models.ForeignKey(
        Flat, verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    served_at = models.DateTimeField(_("given a spot"), null=True, blank=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        constraints = [
            models.UniqueConstraint(
                fields=("space", "flat"),
                condition=Q(left_at__isnull=True, served_at__isnull=True),
                name="waiting_one_current_per_flat",
            )
        ]

    def __str__(self) -> str:
        return f"{self.space} · {self.flat}"

    @property
    def is_current(self) -> bool:
        return self.left_at is None and self.served_at is None
