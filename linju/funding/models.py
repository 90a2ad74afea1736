"""Money and materials in the open: funds, pledges, expenses and the append-only ledger.

Every movement of money or materials is one ``LedgerEntry``. Entries are never changed or
deleted: a mistake is corrected by a reversing entry with its reason. Each entry carries the
hash of the previous entry of its estate's chain (``prev_hash``) and its own hash over a
canonical serialisation (``linju.funding.chain``), so changing, deleting or reordering a past
row is detectable (``linju verify-ledger``). On PostgreSQL a trigger refuses UPDATE and DELETE
on the ledger table outright. Balances are always derived from entries.

A street's community foundation keeps its own money on the same ledger: its fund has a street
and no estate, and its entries form the street's own chain (numbered from 1, with its own
``LedgerHead``), checked by ``linju verify-ledger`` like every estate's.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Flat, Person, Street

CURRENCY = "CNY"
# A fund and a ledger entry belong to an estate's chain or to a street's (its foundation's).
STREET_XOR_ESTATE = Q(estate__isnull=False, street__isnull=True) | Q(
    estate__isnull=True, street__isnull=False
)


def _upload_to(instance: models.Model, filename: str) -> str:
    suffix = "." + filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else ""
    return f"funding/{instance.estate_id}/{uuid.uuid4().hex}{suffix}"  # type: ignore[attr-defined]


class Fund(models.Model):
    """Money and materials raised for one purpose in one place (a building group or the
    estate), e.g. "17号楼 楼道微更新"; or the money of a street's community foundation (a
    street and no estate)."""

    class Status(models.TextChoices):
        OPEN = "open", _("raising")
        CLOSED = "closed", _("closed")

    # Empty for a street's foundation fund (``street`` set instead).
    estate = models.ForeignKey(
        Estate,
        verbose_name=_("estate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funds",
    )
    # Set (and the estate left empty) for the fund of a street's community foundation.
    street = models.ForeignKey(
        Street,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funds",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funds",
        help_text=_("Leave empty for an estate-wide fund."),
    )
    title = models.CharField(_("title"), max_length=120)
    purpose = models.TextField(_("purpose"), blank=True)
    target = models.DecimalField(
        _("target (¥)"),
        validators=[MinValueValidator(Decimal("0.01"))],
        max_digits=14,
        decimal_places=2,
    )
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY, editable=False)
    treasurer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("treasurer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    # Matching: e.g. the street adds ¥1 for every ¥1 residents give, up to ¥10,000, once
    # residents have raised ¥500. The matching entries are generated, never typed.
    match_source = models.CharField(_("matched by"), max_length=80, blank=True)
    match_ratio = models.DecimalField(
        _("matching per ¥1 given"), max_digits=6, decimal_places=2, default=Decimal("0.00")
    )
    match_cap = models.DecimalField(
        _("matching up to (¥)"), default=Decimal("0.00"), max_digits=14, decimal_places=2
    )
    match_after = models.DecimalField(
        _("matching starts once residents have given (¥)"),
        default=Decimal("0.00"),
        max_digits=14,
        decimal_places=2,
    )
    leader_approval_over = models.DecimalField(
        _("expenses above this also need the group leader (¥)"),
        default=Decimal("2000.00"),
        max_digits=14,
        decimal_places=2,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["estate", "building"])]
        constraints = [
            models.CheckConstraint(
                condition=STREET_XOR_ESTATE & (Q(street__isnull=True) | Q(building__isnull=True)),
                name="fund_estate_or_street",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.street is not None:
            return reverse("foundation_fund", args=[self.street.slug])
        assert self.estate is not None  # the constraint: an estate's fund, or a street's
        return reverse("fund_detail", args=[self.estate.slug, self.pk])

    @property
    def home(self) -> Estate:
        """The estate of an estate's fund. The estate's pages, API and services load funds
        through their estate, so a foundation's fund (no estate) never reaches them."""
        if self.estate is None:
            raise Fund.DoesNotExist("a street's foundation fund has no estate")
        return self.estate

    @property
    def has_matching(self) -> bool:
        return self.match_ratio > 0 and self.match_cap > 0


class Pledge(models.Model):
    """A promise of money or materials. What actually arrives is recorded by the treasurer as
    ledger entries linked to the pledge."""

    class Kind(models.TextChoices):
        MONEY = "money", _("money")
        MATERIAL = "material", _("materials")

    class Shown(models.TextChoices):
        NAME = "name", _("my name")
        FLAT = "flat", _("my flat number")
        ANONYMOUS = "anonymous", _("anonymous")

    class Status(models.TextChoices):
        PLEDGED = "pledged", _("pledged")
        PART = "part", _("partly received")
        RECEIVED = "received", _("received")
        WITHDRAWN = "withdrawn", _("withdrawn")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="pledges"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    flat = models.ForeignKey(
        Flat,
        verbose_name=_("flat"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount (¥)"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    description = models.CharField(_("what"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    estimated_value = models.DecimalField(
        _("estimated value (¥)"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    photo = models.FileField(_("photo"), upload_to=_upload_to, blank=True)
    shown_as = models.CharField(
        _("shown on the board as"), max_length=10, choices=Shown.choices, default=Shown.FLAT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLEDGED
    )
    created_at = models.DateTimeField(_("pledged"), default=timezone.now)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["estate", "fund"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="material") | Q(amount__gt=0), name="pledge_money_has_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.description or str(self.amount)


class Expense(models.Model):
    """A payment out of a fund: recorded by the treasurer, approved by a second person (a
    different role holder), and by the building-group leader above the fund's limit; only then
    posted to the ledger."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting for approval")
        POSTED = "posted", _("approved and posted")
        REJECTED = "rejected", _("rejected")

    class Category(models.TextChoices):
        MATERIALS = "materials", _("materials")
        LABOUR = "labour", _("labour")
        DESIGN = "design", _("design")
        EQUIPMENT = "equipment", _("equipment")
        EVENTS = "events", _("meetings and events")
        OTHER = "other", _("other")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="expenses"
    )
    payee = models.CharField(_("paid to"), max_length=120)
    amount = models.DecimalField(
        _("amount (¥)"),
        validators=[MinValueValidator(Decimal("0.01"))],
        max_digits=14,
        decimal_places=2,
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    note = models.CharField(_("what for"), max_length=200, blank=True)
    method = models.CharField(
        _("paid by"),
        max_length=10,
        choices=[
            ("cash", _("cash")),
            ("bank", _("bank transfer")),
            ("wechat", _("WeChat transfer")),
            ("alipay", _("Alipay transfer")),
        ],
        default="bank",
    )
    receipt = models.FileField(_("receipt or invoice photo"), upload_to=_upload_to)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    overdraft_reason = models.CharField(
        _("why it may exceed the balance"), max_length=200, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    leader_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reject_reason = models.CharField(_("why rejected"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["estate", "fund", "status"])]

    def __str__(self) -> str:
        return f"{self.payee} ¥{self.amount}"


class LedgerEntry(models.Model):
    """One movement of money or materials, in its estate's hash chain. Never changed, never
    deleted: a correction is a reversing entry naming the entry it reverses and why."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("money received")
        MATERIAL = "material", _("materials received")
        MATCH = "match", _("matching grant")
        EXPENSE = "expense", _("expense")
        MATERIAL_USE = "material_use", _("materials used")
        REVERSAL = "reversal", _("reversal")

    class Method(models.TextChoices):
        CASH = "cash", _("cash")
        BANK = "bank", _("bank transfer")
        WECHAT = "wechat", _("WeChat transfer")
        ALIPAY = "alipay", _("Alipay transfer")
        IN_KIND = "in_kind", _("in kind")
        GENERATED = "generated", _("by the matching rule")

    # The chain the entry belongs to: its estate's, or for a foundation's fund its street's.
    estate = models.ForeignKey(Estate, null=True, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Street, null=True, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField(_("entry number"))
    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    # Signed: money or value in is positive, out is negative.
    amount = models.DecimalField(_("amount (¥)"), max_digits=14, decimal_places=2)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    reference = models.CharField(_("transfer reference"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    donor = models.CharField(_("shown as"), max_length=60, blank=True)
    pledge = models.ForeignKey(
        Pledge, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    expense = models.ForeignKey(
        Expense, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # PROTECT, never SET_NULL: a ledger row is never rewritten (accounts are de-identified,
    # not deleted).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["estate", "seq"]
        indexes = [
            models.Index(fields=["estate", "fund", "seq"]),
            models.Index(fields=["fund", "kind"]),
            models.Index(fields=["street", "fund", "seq"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["estate", "seq"], name="ledger_one_seq_per_estate"),
            models.UniqueConstraint(fields=["street", "seq"], name="ledger_one_seq_per_street"),
            models.UniqueConstraint(
                fields=["estate", "reference"],
                condition=~Q(reference=""),
                name="ledger_unique_transfer_reference",
                violation_error_message=_("This transfer reference is already recorded."),
            ),
            models.UniqueConstraint(
                fields=["street", "reference"],
                condition=~Q(reference=""),
                name="ledger_unique_street_transfer_reference",
                violation_error_message=_("This transfer reference is already recorded."),
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(condition=STREET_XOR_ESTATE, name="ledger_estate_or_street"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.amount}"


class LedgerHead(models.Model):
    """The end of an estate's chain (or of a street's, for its foundation's money): how many
    entries and the last hash. Printed on every disclosure report, so anyone who kept one can
    check that history was not rewritten."""

    estate = models.OneToOneField(
        Estate, null=True, on_delete=models.PROTECT, related_name="ledger_head"
    )
    street = models.OneToOneField(
        Street, null=True, on_delete=models.PROTECT, related_name="ledger_head"
    )
    count = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ledger head")
        verbose_name_plural = _("ledger heads")
        constraints = [
            models.CheckConstraint(condition=STREET_XOR_ESTATE, name="ledger_head_estate_or_street")
        ]

    def __str__(self) -> str:
        return f"{self.count} · {self.hash[:12]}"


class IdempotentRequest(models.Model):
    """A money-writing API call already answered: the same key from the same account gets the
    same answer again instead of a second write."""

    estate = models.ForeignKey(Estate, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    endpoint = models.CharField(max_length=80)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotent_one_key_per_user")
        ]

    def __str__(self) -> str:
        return self.key


def _report_upload_to(instance: models.Model, filename: str) -> str:
    suffix = "." + filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else ""
    return f"funding/reports/{instance.estate_id}/{uuid.uuid4().hex}{suffix}"  # type: ignore[attr-defined]


class DisclosureReport(models.Model):
    """A monthly or quarterly disclosure report of an estate's funds, as PDF and .xlsx (for
    members, and without personal data for the public), with the chain head at the end of the
    period and when it was made: anyone who kept a copy can check later that the ledger's
    history was not rewritten."""

    class Period(models.TextChoices):
        MONTH = "month", _("monthly")
        QUARTER = "quarter", _("quarterly")

    estate = models.ForeignKey(
        Estate,
        verbose_name=_("estate"),
        on_delete=models.PROTECT,
        related_name="disclosure_reports",
        db_index=True,
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), help_text=_("The last day of the period."))
    pdf = models.FileField(_("PDF"), upload_to=_report_upload_to)
    xlsx = models.FileField(_("spreadsheet"), upload_to=_report_upload_to)
    # The same without donors' flat numbers or names and without transfer references, for
    # visitors of a public board who are not members of the estate.
    public_pdf = models.FileField(_("PDF for the public"), upload_to=_report_upload_to)
    public_xlsx = models.FileField(_("spreadsheet for the public"), upload_to=_report_upload_to)
    # The chain at the end of the period, and when the report was made.
    period_count = models.PositiveBigIntegerField(_("entries at the end of the period"))
    period_hash = models.CharField(_("last hash at the end of the period"), max_length=64)
    chain_count = models.PositiveBigIntegerField(_("entries when made"))
    chain_hash = models.CharField(_("last hash when made"), max_length=64)
    chain_verified = models.BooleanField(_("the chain verified when made"), default=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        verbose_name = _("disclosure report")
        verbose_name_plural = _("disclosure reports")
        ordering = ["-starts_on", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "period", "starts_on"], name="disclosure_report_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_period_display()} {self.starts_on:%Y-%m}"
