"""A street's community foundation keeps its own money on the ledger: ``FoundationAccount``
names the foundation (as its receipts print it) and the street's fund that holds its money;
each ``Donation`` is one ledger entry of that fund, with its receipt number.

Receipt numbers run 1, 2, 3… per foundation and year with no gap and no repeat: they are taken
from ``ReceiptCounter`` under a row lock in the transaction that writes the donation, so a
refused or failed donation takes no number. Donations are never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Street
from linju.funding.models import Fund, LedgerEntry


class FoundationAccount(models.Model):
    """The community foundation of a street on the platform: its name and registration as
    printed on receipts, and the street's fund that holds its own money."""

    permission_key = "foundation_account"

    street = models.OneToOneField(
        Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="foundation"
    )
    name = models.CharField(_("foundation's name"), max_length=120)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        help_text=_("Printed on donation receipts (统一社会信用代码)."),
    )
    fund = models.OneToOneField(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="foundation"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("foundation's account")
        verbose_name_plural = _("foundations' accounts")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("foundation_dashboard", args=[self.street.slug])


class ReceiptCounter(models.Model):
    """The last receipt number given by a street's foundation in a year."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["street", "year"], name="donations_one_counter_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Donation(models.Model):
    """Money given to the foundation: one contribution entry on the street's chain and one
    receipt. The donor's name is published only with their consent (Charity Law Art. 82)."""

    permission_key = "donation"

    class DonorKind(models.TextChoices):
        PERSON = "person", _("a person")
        ORGANISATION = "organisation", _("an organisation")

    class Method(models.TextChoices):
        CASH = "cash", _("cash")
        BANK = "bank", _("bank transfer")
        WECHAT = "wechat", _("WeChat transfer")
        ALIPAY = "alipay", _("Alipay transfer")

    street = models.ForeignKey(
        Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="donations"
    )
    account = models.ForeignKey(
        FoundationAccount,
        verbose_name=_("foundation"),
        on_delete=models.PROTECT,
        related_name="donations",
    )
    donor_name = models.CharField(_("donor"), max_length=100)
    donor_kind = models.CharField(
        _("the donor is"), max_length=12, choices=DonorKind.choices, default=DonorKind.PERSON
    )
    donor_email = models.EmailField(
        _("donor's email"), blank=True, help_text=_("To send the receipt to the donor.")
    )
    amount = models.DecimalField(_("amount (¥)"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("transfer reference"), max_length=64, blank=True)
    purpose = models.CharField(
        _("purpose"),
        max_length=120,
        blank=True,
        help_text=_("What the donor gives for; empty for the foundation's general work."),
    )
    publish_name = models.BooleanField(
        _("the donor agrees to have their name published"), default=False
    )
    receipt_year = models.PositiveSmallIntegerField(_("receipt year"))
    receipt_seq = models.PositiveIntegerField(_("receipt number in the year"))
    # Unique per foundation: (street, receipt_year, receipt_seq) below.
    receipt_number = models.CharField(_("receipt number"), max_length=20)
    # In the receipt's QR code: whoever holds the receipt can check it on the platform.
    token = models.CharField(max_length=32, unique=True, editable=False)
    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="donation", editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    receipt_sent_at = models.DateTimeField(_("receipt sent"), null=True, blank=True)
    receipt_sent_to = models.EmailField(_("receipt sent to"), blank=True)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-receipt_year", "-receipt_seq"]
        indexes = [models.Index(fields=["street", "received_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "receipt_year", "receipt_seq"],
                name="donations_one_receipt_number",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="donations_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    def get_absolute_url(self) -> str:
        return reverse("foundation_donations", args=[self.street.slug])

    @property
    def public_name(self) -> str:
        """The donor's name where donors are listed: only with their consent."""
        return self.donor_name if self.publish_name else ""
