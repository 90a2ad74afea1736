"""Decisions: owners' joint decisions (Civil Code Art. 278), residents' votes and owners'
committee elections.

A decision carries, from its announcement on, a frozen copy of every rule that decides its result
(``rules``), so a later change to the estate's settings never rewrites a past result. Its roll
(who may vote, with which flats and areas) is frozen when voting opens and fingerprinted; a
correction after that is a ``RollAmendment`` everyone can see. A second *counted* ballot from one
voter is impossible (a partial unique index); superseded ballots are kept with the reason.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Flat, Owner, Person
from linju.membership.models import Delegation

MIN_NOTICE_DAYS = 7  # some cities allow 7 days for an extraordinary meeting; 15 is the default
DEFAULT_NOTICE_DAYS = 15
PUBLISH_WITHIN_DAYS = 3  # results are posted within 3 days of the count


class DecisionSettings(models.Model):
    """An estate's standing rules for decisions. Copied onto each decision when it is announced,
    so what the notice told owners is what counts."""

    estate = models.OneToOneField(
        Estate,
        verbose_name=_("estate"),
        on_delete=models.CASCADE,
        related_name="decision_settings",
    )
    deemed_consent = models.BooleanField(
        _("deemed consent"),
        default=False,
        help_text=_(
            "Only if the estate's management statute says so: owners who were served the "
            "notice and did not vote are counted with the majority of those who voted. The "
            "strict count is always shown beside it."
        ),
    )
    publish_voter_flats = models.BooleanField(
        _("publish which flats voted"),
        default=False,
        help_text=_(
            "After the count, list the flats that voted with their areas (flat numbers and "
            "areas only, never names or phone numbers). Notices say so before voting opens."
        ),
    )
    online_over_paper = models.BooleanField(
        _("an online vote stands over a paper one"),
        default=True,
        help_text=_(
            "If an owner votes both online and on paper, the online vote counts (Shenzhen's "
            "rule). Untick to let the paper ballot count instead."
        ),
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice period (days)"),
        default=DEFAULT_NOTICE_DAYS,
        validators=[MinValueValidator(MIN_NOTICE_DAYS), MaxValueValidator(90)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("decision settings")
        verbose_name_plural = _("decision settings")

    def __str__(self) -> str:
        return str(self.estate)


class Decision(models.Model):
    """One matter put to a vote, from draft to archive."""

    class Kind(models.TextChoices):
        OWNERS = "owners", _("owners' joint decision")
        RESIDENTS = "residents", _("residents' vote")
        ELECTION = "election", _("owners' committee election")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ANNOUNCED = "announced", _("announced")
        OPEN = "open", _("voting open")
        CLOSED = "closed", _("voting closed")
        TALLIED = "tallied", _("counted")
        PUBLISHED = "published", _("results published")
        ARCHIVED = "archived", _("archived")
        CANCELLED = "cancelled", _("cancelled")

    class Matter(models.IntegerChoices):
        # Civil Code Art. 278, items 1-9
        PROCEDURE = 1, _("1. the owners' assembly rules of procedure")
        STATUTE = 2, _("2. the management statute")
        COMMITTEE = 3, _("3. electing or replacing the owners' committee")
        MANAGER = 4, _("4. hiring or dismissing the property manager")
        FUND_USE = 5, _("5. using the maintenance fund")
        FUND_RAISE = 6, _("6. raising the maintenance fund")
        RENOVATE = 7, _("7. rebuilding or renovating buildings and facilities")
        COMMON_PARTS = 8, _("8. changing the use of common parts or running business on them")
        OTHER = 9, _("9. another major matter")

    class Unit(models.TextChoices):
        HOUSEHOLD = "household", _("one vote per household")
        ADULT = "adult", _("one vote per adult resident")

    class Method(models.TextChoices):
        SINGLE = "single", _("choose one")
        MULTIPLE = "multiple", _("choose several")
        RANKING = "ranking", _("rank the options")

    class Revote(models.TextChoices):
        LAST = "last", _("the last vote counts (a voter may change it until the close)")
        FIRST = "first", _("the first vote is final")

    ACTIVE = (Status.ANNOUNCED, Status.OPEN, Status.CLOSED, Status.TALLIED)
    CANCELLABLE = (Status.DRAFT, Status.ANNOUNCED, Status.OPEN, Status.CLOSED)
    RESULTS_PUBLIC = (Status.PUBLISHED, Status.ARCHIVED)

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OWNERS)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("proposal"), blank=True, help_text=_("What is proposed, as owners will read it.")
    )
    matter = models.PositiveSmallIntegerField(
        _("matter (Civil Code Art. 278)"), choices=Matter.choices, null=True, blank=True
    )
    buildings: models.ManyToManyField[Building, DecisionBuilding] = models.ManyToManyField(
        Building,
        verbose_name=_("buildings"),
        through="DecisionBuilding",
        blank=True,
        related_name="+",
        help_text=_("Leave empty for the whole estate."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice period (days)"),
        default=DEFAULT_NOTICE_DAYS,
        validators=[MinValueValidator(MIN_NOTICE_DAYS), MaxValueValidator(90)],
    )
    opens_at = models.DateTimeField(_("voting opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    revote = models.CharField(
        _("changing one's vote"), max_length=8, choices=Revote.choices, default=Revote.LAST
    )
    show_totals_while_open = models.BooleanField(
        _("show the running totals while voting is open"), default=False
    )
    # Residents' votes
    unit = models.CharField(
        _("who votes"), max_length=12, choices=Unit.choices, default=Unit.HOUSEHOLD
    )
    method = models.CharField(
        _("how to choose"), max_length=12, choices=Method.choices, default=Method.SINGLE
    )
    min_choices = models.PositiveSmallIntegerField(_("at least"), default=1)
    max_choices = models.PositiveSmallIntegerField(_("at most"), default=1)
    binding = models.BooleanField(
        _("binding"),
        default=True,
        help_text=_("A binding vote needs more than half of those entitled to take part."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("participation needed (%)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("More than this share of those entitled must take part."),
    )
    # Elections
    seats = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    # Frozen when announced: thresholds, counting rules, the estate's settings.
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    roll_fingerprint = models.CharField(_("roll fingerprint"), max_length=64, blank=True)
    roll_frozen_at = models.DateTimeField(_("roll frozen"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    tallied_at = models.DateTimeField(_("counted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    close_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    publish_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["estate", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(matter__isnull=True) | Q(matter__gte=1, matter__lte=9),
                name="decision_matter_1_to_9",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="decision_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decision_detail", args=[self.estate.slug, self.pk])

    @property
    def is_owners_vote(self) -> bool:
        """Owners' decisions and elections count owners by heads and area."""
        return self.kind in (self.Kind.OWNERS, self.Kind.ELECTION)

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.RESIDENTS, self.Kind.ELECTION)

    def is_open_at(self, moment) -> bool:
        """Ballots are accepted only while open, by the server's clock."""
        return (
            self.status == self.Status.OPEN
            and self.opened_at is not None
            and self.closes_at is not None
            and self.opened_at <= moment < self.closes_at
        )

    @property
    def results_public(self) -> bool:
        return self.status in self.RESULTS_PUBLIC


class DecisionBuilding(models.Model):
    """A building in a decision's scope (Shanghai Art. 69: one building's owners decide works
    on its common parts)."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE)
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("building in scope")
        verbose_name_plural = _("buildings in scope")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "building"], name="decision_building_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision} · {self.building}"


class Option(models.Model):
    """An option of a residents' vote, or a candidate in an election."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="options"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("option"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["decision", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "label"], name="option_unique_label")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        return str(self.pk)


class RollEntry(models.Model):
    """One voter on a decision's frozen roll: an owner entity (with its flats' areas summed,
    one head), a household, or an adult resident. ``ref`` is the public, stable identifier used
    in the bulletin board and the exported record (``O-0001``); it carries no name."""

    class Kind(models.TextChoices):
        OWNER = "owner", _("owner")
        DEVELOPER = "developer", _("developer (unsold flats)")
        UNRECORDED = "unrecorded", _("owner not yet recorded")
        HOUSEHOLD = "household", _("household")
        ADULT = "adult", _("adult resident")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="roll"
    )
    ref = models.CharField(_("voter number"), max_length=24)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    owner = models.ForeignKey(
        Owner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    flat = models.ForeignKey(
        Flat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # a household's flat
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # an adult resident
    voter = models.ForeignKey(
        Person,
        verbose_name=_("votes online"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The person who casts this entry's vote online."),
    )
    area = models.DecimalField(_("area (m²)"), max_digits=14, decimal_places=2, default=0)
    active = models.BooleanField(_("on the roll"), default=True)

    class Meta:
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll entries")
        ordering = ["decision", "ref"]
        indexes = [models.Index(fields=["decision", "voter"])]
        constraints = [
            models.UniqueConstraint(fields=["decision", "ref"], name="roll_entry_unique_ref")
        ]

    def __str__(self) -> str:
        return self.ref


class RollFlat(models.Model):
    """A flat on the roll, with its area as frozen (registered, else surveyed, else contract)."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="roll_flats")
    entry = models.ForeignKey(
        RollEntry, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="flats"
    )
    flat = models.ForeignKey(
        Flat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(_("flat"), max_length=70)
    area = models.DecimalField(_("area (m²)"), max_digits=9, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("flat on the roll")
        verbose_name_plural = _("flats on the roll")
        ordering = ["decision", "label"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "label"], name="roll_flat_unique_label")
        ]

    def __str__(self) -> str:
        return self.label


class RollAmendment(models.Model):
    """A correction to a frozen roll, with its reason; public, like the roll."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="amendments"
    )
    flat_label = models.CharField(_("flat"), max_length=70)
    change = models.JSONField(_("change"), default=dict)
    reason = models.CharField(_("reason"), max_length=300)
    fingerprint_before = models.CharField(max_length=64)
    fingerprint_after = models.CharField(max_length=64)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        verbose_name = _("roll amendment")
        verbose_name_plural = _("roll amendments")
        ordering = ["decision", "made_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} · {self.flat_label}"


def _document_upload_to(instance: models.Model, filename: str) -> str:
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"decisions/{instance.estate_id}/{uuid.uuid4().hex}{suffix[:6]}"  # type: ignore[attr-defined]


class Ballot(models.Model):
    """A vote as it reached the count. At most one *counted* ballot per voter and decision; a
    ballot replaced (a changed vote, a paper ballot overridden by an online one) stays, marked
    superseded with the reason. The receipt code is random, never derived from voter or choice.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        PAPER = "paper", _("paper ballot")
        PROXY = "proxy", _("by written proxy")

    class Choice(models.TextChoices):
        AGREE = "agree", _("agree")
        DISAGREE = "disagree", _("disagree")
        ABSTAIN = "abstain", _("abstain")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="ballots"
    )
    entry = models.ForeignKey(
        RollEntry, verbose_name=_("voter"), on_delete=models.PROTECT, related_name="ballots"
    )
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices, blank=True)
    selections = models.JSONField(_("options chosen"), default=list, blank=True)
    channel = models.CharField(_("how"), max_length=8, choices=Channel.choices)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cast or entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("as authorised agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proxy_name = models.CharField(_("proxy named in the letter"), max_length=60, blank=True)
    document = models.FileField(
        _("photo of the ballot or proxy letter"), upload_to=_document_upload_to, blank=True
    )
    receipt = models.CharField(_("receipt code"), max_length=12, unique=True)
    cast_at = models.DateTimeField(_("cast"), default=timezone.now)
    counted = models.BooleanField(_("counted"), default=True)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    superseded_reason = models.CharField(_("why superseded"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["decision", "cast_at", "id"]
        indexes = [models.Index(fields=["decision", "counted", "choice"])]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "entry"],
                condition=Q(counted=True),
                name="ballot_one_counted_per_voter",
            ),
            models.CheckConstraint(
                condition=Q(counted=True) | Q(superseded_at__isnull=False),
                name="ballot_uncounted_is_superseded",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt


class PaperEntry(models.Model):
    """One staff member's reading of a paper ballot or proxy letter. A ballot counts only when
    two different staff members have entered the same thing; a mismatch is flagged instead."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting for a second entry")
        CONFIRMED = "confirmed", _("confirmed")
        MISMATCH = "mismatch", _("entries differ")
        DISCARDED = "discarded", _("discarded")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="paper"
    )
    entry = models.ForeignKey(
        RollEntry, verbose_name=_("voter"), on_delete=models.PROTECT, related_name="paper"
    )
    channel = models.CharField(
        _("how"),
        max_length=8,
        choices=[(Ballot.Channel.PAPER, _("paper ballot")), (Ballot.Channel.PROXY, _("proxy"))],
    )
    choice = models.CharField(_("choice"), max_length=10, choices=Ballot.Choice.choices, blank=True)
    selections = models.JSONField(_("options chosen"), default=list, blank=True)
    proxy_name = models.CharField(_("proxy named in the letter"), max_length=60, blank=True)
    document = models.FileField(
        _("photo of the ballot or proxy letter"), upload_to=_document_upload_to
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)
    ballot = models.ForeignKey(
        Ballot, null=True, blank=True, on_delete=models.SET_NULL, related_name="paper_entries"
    )

    class Meta:
        verbose_name = _("paper ballot entry")
        verbose_name_plural = _("paper ballot entries")
        ordering = ["decision", "entered_at", "id"]
        indexes = [models.Index(fields=["decision", "entry", "status"])]

    def __str__(self) -> str:
        return f"{self.decision} · {self.entry}"


class NoticeDelivery(models.Model):
    """Proof that a voter was served the decision's notice: in their inbox, by SMS or WeChat
    (logged by the notification system) or on paper (recorded by staff). Deemed consent counts
    a non-voter only with one of these."""

    class Channel(models.TextChoices):
        INBOX = "inbox", _("in the app")
        SMS = "sms", _("by SMS")
        WECHAT = "wechat", _("by WeChat")
        PAPER = "paper", _("on paper")

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="deliveries"
    )
    entry = models.ForeignKey(
        RollEntry, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("how"), max_length=8, choices=Channel.choices)
    delivered_at = models.DateTimeField(_("delivered"), default=timezone.now)
    reference = models.CharField(_("record"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        ordering = ["decision", "delivered_at", "id"]
        indexes = [models.Index(fields=["decision", "entry"])]

    def __str__(self) -> str:
        return f"{self.entry} · {self.get_channel_display()}"


class BallotLink(models.Model):
    """A one-tap link to a voter's ballot, sent with the reminders: signed, single-use, and
    valid until voting closes."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(RollEntry, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ballot link")
        verbose_name_plural = _("ballot links")

    def __str__(self) -> str:
        return f"{self.decision} · {self.entry}"
