"""Surveys (意见征询): a consultation, its questions and choices, the responses and who answered.

Counting is done in SQL: a chosen option is one ``AnswerChoice`` row (single, multiple and
ranking questions; ``rank`` orders a ranking), and a number, a text or a rating is one ``Answer``
row. Results by building, floor and owner/tenant read the columns copied onto ``Response`` when
it is written, so they work for anonymous surveys too.

Anonymous surveys. Who has answered (``Participation``) and what was answered (``Response``) are
two tables with no key between them: a response of an anonymous survey has no respondent and no
household, a participation names no response and keeps no time at all (``answered_on`` is
empty), a response keeps the hour only (``Response.submitted_at``), and both tables take random
ids (``random_id``), so neither the ids nor the order of rows pairs them up. What remains is
what the response says about its respondent's home (building, floor, owner or tenant), kept for
results by building: organisers see counts, never one response's home next to its answers. An
anonymous survey keeps no draft on the server: unfinished answers live in the browser.

Whether a consultation is anonymous is fixed when it is created and never changed.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Flat, Person
from linju.core.models import PhotoFields

TITLE_MAX = 200
DESCRIPTION_MAX = 4000
QUESTION_MAX = 500
HELP_MAX = 1000
CHOICE_MAX = 200
TEXT_ANSWER_MAX = 2000
DECIDED_MAX = 4000
MAX_QUESTIONS = 50
MAX_CHOICES = 30


def random_id() -> int:
    """A primary key that says nothing about when a row was written (responses and
    participations: sequential ids would pair an anonymous response with its participant)."""
    return secrets.randbelow(2**62) + 1


class Consultation(models.Model):
    """A survey put to an audience: buildings, the whole estate, owners only, or a list."""

    permission_key = "consultation"

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("results published")

    class Scope(models.TextChoices):
        BUILDINGS = "buildings", _("residents of some buildings")
        ESTATE = "estate", _("the whole estate")
        LIST = "list", _("a list of people")

    class Unit(models.TextChoices):
        PERSON = "person", _("one answer per person")
        HOUSEHOLD = "household", _("one answer per household")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+"
    )
    # The building group that runs it (its group leader may manage it); None: run by the
    # committee for the estate.
    building = models.ForeignKey(
        Building,
        verbose_name=_("run by the group of building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    scope = models.CharField(
        _("audience"), max_length=10, choices=Scope.choices, default=Scope.BUILDINGS
    )
    audience_buildings = models.ManyToManyField(
        Building, verbose_name=_("buildings asked"), blank=True, related_name="+"
    )
    owners_only = models.BooleanField(_("owners only"), default=False)
    audience_people = models.ManyToManyField(
        Person, verbose_name=_("people asked"), blank=True, related_name="+"
    )
    unit = models.CharField(
        _("who answers"), max_length=10, choices=Unit.choices, default=Unit.HOUSEHOLD
    )
    anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_("Fixed when the survey is created: it cannot be changed afterwards."),
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    decided = models.TextField(
        _("what was decided because of it"), max_length=DECIDED_MAX, blank=True
    )
    notice = models.ForeignKey(
        "notices.Notice",
        verbose_name=_("notice on the board"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [models.Index(fields=("estate", "status", "-created_at"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="consultation_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultation_detail", args=[self.estate.slug, self.pk])

    @property
    def per_household(self) -> bool:
        return self.unit == self.Unit.HOUSEHOLD

    def is_accepting(self, now=None) -> bool:
        """Open, and within its dates."""
        now = now or timezone.now()
        if self.status != self.Status.OPEN:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at


class Question(models.Model):
    """One question of a consultation, in its place; may be shown only after another's answer."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        RATING = "rating", _("rating scale")
        RANKING = "ranking", _("ranking")
        NUMBER = "number", _("number")
        TEXT = "text", _("free text")
        PHOTO = "photo", _("photo")

    CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING})

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=QUESTION_MAX)
    help = models.TextField(_("explanation"), max_length=HELP_MAX, blank=True)
    required = models.BooleanField(_("required"), default=True)
    min_choices = models.PositiveSmallIntegerField(_("at least (choices)"), null=True, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("at most (choices)"), null=True, blank=True)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    number_min = models.DecimalField(
        _("smallest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    number_max = models.DecimalField(
        _("largest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Branching: shown only when the answer to ``show_if_question`` includes ``show_if_choice``
    # (single / multiple choice) or equals ``show_if_value`` (rating, number).
    show_if_question = models.ForeignKey(
        "self",
        verbose_name=_("shown only if the answer to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependents",
    )
    show_if_choice = models.ForeignKey(
        "Choice",
        verbose_name=_("includes"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    show_if_value = models.CharField(_("equals"), max_length=40, blank=True)

    class Meta:
        ordering = ("consultation", "position", "pk")
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="question_scale_in_order"
            ),
            models.CheckConstraint(
                condition=Q(min_choices__isnull=True)
                | Q(max_choices__isnull=True)
                | Q(max_choices__gte=models.F("min_choices")),
                name="question_choices_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in self.CHOICE_KINDS


class Choice(models.Model):
    """One option of a single-choice, multiple-choice or ranking question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("option"), max_length=CHOICE_MAX)

    class Meta:
        ordering = ("question", "position", "pk")
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.label


class Response(models.Model):
    """One filled-in questionnaire, online or on paper.

    ``building``, ``floor`` and ``relation`` are copied from the respondent's home when the
    response is written, for results by building, floor and owner/tenant. In an anonymous
    survey ``respondent`` and ``household`` stay empty and ``submitted_at`` keeps the hour only.
    """

    permission_key = "consultation_response"

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        PAPER = "paper", _("on paper")

    class Relation(models.TextChoices):
        OWNER = "owner", _("owner")
        TENANT = "tenant", _("tenant")
        FAMILY = "family", _("family member")
        OTHER = "other", _("other")

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    relation = models.CharField(
        _("relation"), max_length=10, choices=Relation.choices, default=Relation.OTHER
    )
    respondent = models.ForeignKey(
        Person,
        verbose_name=_("respondent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        Flat,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("consultation", "submitted_at", "pk")
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=("consultation", "building"), name="cons_response_building"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.pk}"


class Answer(models.Model):
    """The answer to a rating, number or text question (choices are ``AnswerChoice`` rows)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.DecimalField(_("number"), max_digits=12, decimal_places=2, null=True)
    text = models.TextField(_("text"), max_length=TEXT_ANSWER_MAX, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=("response", "question"), name="answer_once"),
        ]
        indexes = [models.Index(fields=("question", "number"), name="cons_answer_number")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class AnswerChoice(models.Model):
    """One option chosen in a response; ``rank`` (1 = first) for a ranking question."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="choices")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("chosen option")
        verbose_name_plural = _("chosen options")
        constraints = [
            models.UniqueConstraint(
                fields=("response", "choice"), name="answer_choice_once_per_response"
            ),
        ]
        indexes = [models.Index(fields=("question", "choice"), name="cons_answer_choice")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.choice_id}"


class AnswerPhoto(PhotoFields):
    """A photo given as the answer to a photo question, cleaned by ``photo_store``."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="photos")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("photo answer")
        verbose_name_plural = _("photo answers")
        constraints = [
            models.UniqueConstraint(fields=("response", "question"), name="answer_photo_once"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class Participation(models.Model):
    """Who has answered (per person, or per household: the household's first answer counts).

    No link to the response. ``answered_on`` is a date, never a time, and stays empty in an
    anonymous survey, so that it cannot be matched to an anonymous response; ids are random.
    """

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="+")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="participations"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set for a survey answered per household (one row per household); None per person.
    household = models.ForeignKey(
        Flat,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The day only, and None in an anonymous survey.
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=Response.Channel.choices,
        default=Response.Channel.ONLINE,
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=("consultation", "person"),
                condition=Q(person__isnull=False, household__isnull=True),
                name="participation_once_per_person",
            ),
            models.UniqueConstraint(
                fields=("consultation", "household"),
                condition=Q(household__isnull=False),
                name="participation_once_per_household",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(household__isnull=False),
                name="participation_names_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.person_id or self.household_id}"


class Draft(models.Model):
    """A named survey's unfinished answers, saved as the resident types (never for anonymous)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey draft")
        verbose_name_plural = _("survey drafts")
        constraints = [
            models.UniqueConstraint(fields=("consultation", "person"), name="survey_draft_once"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.person_id}"
