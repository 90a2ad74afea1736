"""The estate directory: street → estate → building → entrance → flat, owners, people, roles.

Every table that belongs to an estate carries ``estate`` (indexed), so the data can later be
distributed by estate without a redesign.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Building, entrance and room numbers are parts of an address ("17-1-302") and of page
# addresses, so they hold letters, digits and Chinese characters only: no "-", "/" or spaces.
address_part = RegexValidator(
    r"^[0-9A-Za-z\u3400-\u9fff]+$",
    _("Use only digits, letters and Chinese characters (no spaces, “-” or “/”)."),
    code="address_part",
)


class Street(models.Model):
    """A sub-district (街道): the level at which a community foundation works."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Estate(models.Model):
    """An estate / residents' district (小区/居民区), served by one residents' committee."""

    street = models.ForeignKey(
        Street, verbose_name=_("street"), on_delete=models.PROTECT, related_name="estates"
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    building_list_locked = models.BooleanField(
        _("building list locked"),
        default=False,
        help_text=_(
            "When locked, a roster import refuses buildings the estate does not have instead "
            "of creating them."
        ),
    )

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="estate_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("estate_home", args=[self.slug])


class Building(models.Model):
    """A building (楼栋). Its number is a label ("17", "3A"), not a position in a sequence."""

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="buildings"
    )
    number = models.CharField(_("number"), max_length=20, validators=[address_part])
    name = models.CharField(_("name"), max_length=60, blank=True)
    sort_key = models.PositiveIntegerField(_("sort order"), default=0)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["estate", "sort_key", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "number"],
                name="building_unique_number",
                violation_error_message=_("This estate already has a building with that number."),
            )
        ]

    def __str__(self) -> str:
        return self.name or _("Building %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("building_detail", args=[self.estate.slug, self.number])


class Entrance(models.Model):
    """An entrance / unit (单元) of a building; optional."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="entrances"
    )
    number = models.CharField(_("number"), max_length=20, validators=[address_part])

    class Meta:
        verbose_name = _("entrance")
        verbose_name_plural = _("entrances")
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="entrance_unique_number")
        ]

    def __str__(self) -> str:
        return _("Entrance %(number)s") % {"number": self.number}


class Owner(models.Model):
    """Who owns one or more flats, as a voter under the Civil Code.

    One person; co-owners, who name one of themselves to vote; or the developer, whose unsold
    flats together count as one head (SPC interpretation on building divided ownership, Art. 9).
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("individual owner")
        JOINT = "joint", _("co-owners")
        DEVELOPER = "developer", _("developer (unsold flats)")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="owners"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=120)
    voter = models.ForeignKey(
        "Person",
        verbose_name=_("voter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voting_for",
        help_text=_("For co-owners: the co-owner the others have named to vote."),
    )
    members: "models.ManyToManyField[Person, OwnerMember]" = models.ManyToManyField(
        "Person",
        verbose_name=_("members"),
        related_name="ownerships",
        blank=True,
        through="OwnerMember",
    )

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["estate", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"], condition=Q(kind="developer"), name="owner_one_developer"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OwnerMember(models.Model):
    """A person who is (one of) an owner entity; carries the estate like every estate table."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(Owner, verbose_name=_("owner"), on_delete=models.CASCADE)
    person = models.ForeignKey("Person", verbose_name=_("person"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("owner member")
        verbose_name_plural = _("owner members")
        constraints = [
            models.UniqueConstraint(fields=["owner", "person"], name="owner_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.owner}"


class Flat(models.Model):
    """A flat (户). Its exclusive area is what owners' votes are weighed by."""

    class AreaSource(models.TextChoices):
        REGISTERED = "registered", _("registered (property certificate)")
        SURVEYED = "surveyed", _("surveyed")
        CONTRACT = "contract", _("sale contract")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="flats"
    )
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="flats"
    )
    entrance = models.ForeignKey(
        Entrance,
        verbose_name=_("entrance"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flats",
    )
    number = models.CharField(_("room number"), max_length=20, validators=[address_part])
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    area = models.DecimalField(
        _("exclusive area (m²)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    area_source = models.CharField(
        _("area source"),
        max_length=12,
        choices=AreaSource.choices,
        default=AreaSource.REGISTERED,
    )
    owner = models.ForeignKey(
        Owner,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flats",
    )

    class Meta:
        verbose_name = _("flat")
        verbose_name_plural = _("flats")
        ordering = ["building__sort_key", "entrance__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "entrance", "number"],
                condition=Q(entrance__isnull=False),
                name="flat_unique_number_in_entrance",
                violation_error_message=_("This building already has a flat with that number."),
            ),
            models.UniqueConstraint(
                fields=["building", "number"],
                condition=Q(entrance__isnull=True),
                name="flat_unique_number_no_entrance",
                violation_error_message=_("This building already has a flat with that number."),
            ),
            models.CheckConstraint(condition=Q(area__gt=0), name="flat_area_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The address residents write: 17-1-302, or 17-302 without an entrance."""
        parts = [self.building.number]
        if self.entrance is not None:
            parts.append(self.entrance.number)
        parts.append(self.number)
        return "-".join(parts)


class Person(models.Model):
    """A natural person known to the estate; may or may not have a sign-in account."""

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="people"
    )
    full_name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_minor = models.BooleanField(
        _("under 18"),
        default=False,
        help_text=_("Residents' votes by adult resident leave out people under 18."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["estate", "full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "user"],
                condition=Q(user__isnull=False),
                name="person_one_per_account_per_estate",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class OccupancyQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(starts_on__lte=on) | Q(starts_on__isnull=True)).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=on)
        )


class Occupancy(models.Model):
    """A person's tie to a flat (owner, co-owner, tenant, family member), with its dates."""

    class Relation(models.TextChoices):
        OWNER = "owner", _("owner")
        CO_OWNER = "co_owner", _("co-owner")
        TENANT = "tenant", _("tenant")
        FAMILY = "family", _("family member")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="occupancies"
    )
    flat = models.ForeignKey(
        Flat, verbose_name=_("flat"), on_delete=models.PROTECT, related_name="occupancies"
    )
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = OccupancyQuerySet.as_manager()

    class Meta:
        verbose_name = _("occupancy")
        verbose_name_plural = _("occupancies")
        ordering = ["flat", "relation", "person__full_name"]
        indexes = [models.Index(fields=["estate", "flat"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="occupancy_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.flat} · {self.get_relation_display()}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (self.starts_on is None or self.starts_on <= today) and (
            self.ends_on is None or self.ends_on > today
        )


class RoleQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))


class Role(models.Model):
    """A role held by an account in one place, for a time.

    The scope is a building (group leader), an estate (committee staff, owners' committee,
    property company) or a street (foundation officer); a platform admin has no scope.
    """

    class Kind(models.TextChoices):
        GROUP_LEADER = "group_leader", _("building-group leader")
        COMMITTEE_STAFF = "committee_staff", _("residents' committee staff")
        OWNERS_COMMITTEE = "owners_committee", _("owners' committee member")
        PROPERTY_STAFF = "property_staff", _("property company staff")
        FOUNDATION_OFFICER = "foundation_officer", _("foundation officer")
        PLATFORM_ADMIN = "platform_admin", _("platform admin")

    SCOPE_OF = {
        Kind.GROUP_LEADER: "building",
        Kind.COMMITTEE_STAFF: "estate",
        Kind.OWNERS_COMMITTEE: "estate",
        Kind.PROPERTY_STAFF: "estate",
        Kind.FOUNDATION_OFFICER: "street",
        Kind.PLATFORM_ADMIN: "platform",
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    kind = models.CharField(_("role"), max_length=24, choices=Kind.choices)
    street = models.ForeignKey(
        Street,
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    estate = models.ForeignKey(
        Estate,
        verbose_name=_("estate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roles",
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["kind", "starts_on"]
        indexes = [models.Index(fields=["estate", "kind"])]

    def __str__(self) -> str:
        place = self.building or self.estate or self.street
        return f"{self.get_kind_display()} · {place}" if place else self.get_kind_display()

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.starts_on <= today and (self.ends_on is None or self.ends_on > today)


def _roster_upload_to(instance: "RosterImport", filename: str) -> str:
    # The stored name never carries the uploaded name: that one is kept, as text, on the row.
    suffix = ".xlsx" if instance.file_kind == RosterImport.FileKind.XLSX else ".csv"
    return f"roster/{instance.estate_id}/{uuid.uuid4().hex}{suffix}"


class RosterImport(models.Model):
    """One roster file a staff member uploaded: its column mapping, the preview of what it would
    change, its progress, and the report of what it did.

    The uploaded file holds personal data; it is deleted once the import is done or refused.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("columns to check")
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("ready to confirm")
        APPLYING = "applying", _("importing")
        DONE = "done", _("imported")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("failed")

    class FileKind(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    RUNNING = (Status.CHECKING, Status.APPLYING)

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="roster_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=_roster_upload_to, blank=True)
    file_kind = models.CharField(_("file type"), max_length=8, choices=FileKind.choices)
    file_size = models.PositiveIntegerField(_("file size"), default=0)
    sheet = models.PositiveSmallIntegerField(_("sheet"), default=0)
    header_row = models.PositiveIntegerField(_("header row"), default=1)
    mapping = models.JSONField(_("columns"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    # A refusal or failure, as a message id and its values, so it shows in each reader's language.
    message = models.JSONField(_("message"), default=dict, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name or _("Roster import %(n)s") % {"n": self.pk}

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def status_label(self) -> str:
        """The status in words; a checked roster with problems says so."""
        if self.status == self.Status.CHECKED and (self.report or {}).get("error_count"):
            return str(_("rows to correct"))
        return str(self.get_status_display())


class RosterMapping(models.Model):
    """The columns an estate's roster uses, remembered from its last confirmed mapping:
    ``{header as written: field}``, so the next upload of the same layout maps itself."""

    estate = models.OneToOneField(
        Estate, verbose_name=_("estate"), on_delete=models.CASCADE, related_name="roster_mapping"
    )
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("roster column mapping")
        verbose_name_plural = _("roster column mappings")

    def __str__(self) -> str:
        return str(self.estate)
