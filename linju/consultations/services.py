"""Writes for surveys: creating and editing a survey and its questions, opening and closing it,
answering it online and entering paper questionnaires, drafts, and reminders.

Each service checks permission, locks the survey, validates, writes and audits in one
transaction: a refused or invalid call writes nothing.

Answers arrive as ``{question id: value}``, the value shaped by the question's kind: a choice id
(single), a list of choice ids (multiple; ranking, in order of preference), an integer (rating),
a number (number), text (text) or an uploaded file (photo). ``answers_clean`` checks them against
the questions: only the questions shown count (a question that branches from another is shown
only when that answer includes the chosen option or equals the value), required ones must be
answered, and every constraint holds — or a ValidationError names each question to correct.

Anonymous surveys: see ``models``. The response and the participation are written with random
ids and no shared time; no audit event names who answered what, and no draft is kept here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.community.models import Building, Estate, Flat, Occupancy, Person
from linju.consultations import selectors
from linju.consultations.models import (
    CHOICE_MAX,
    DESCRIPTION_MAX,
    HELP_MAX,
    MAX_CHOICES,
    MAX_QUESTIONS,
    QUESTION_MAX,
    TEXT_ANSWER_MAX,
    TITLE_MAX,
    Answer,
    AnswerChoice,
    AnswerPhoto,
    Choice,
    Consultation,
    Draft,
    Participation,
    Question,
    Response,
)
from linju.core import audit, permissions
from linju.core.images import photo_store

RATING_WIDEST = 10
NUMBER_LIMIT = Decimal("9999999999")
DRAFT_MAX_CHARS = 20_000
REMIND_BEFORE = datetime.timedelta(days=1)

RELATION_OF: dict[str, str] = {
    Occupancy.Relation.OWNER: Response.Relation.OWNER,
    Occupancy.Relation.CO_OWNER: Response.Relation.OWNER,
    Occupancy.Relation.TENANT: Response.Relation.TENANT,
    Occupancy.Relation.FAMILY: Response.Relation.FAMILY,
}


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _has_nul(*texts: str) -> bool:
    return any("\x00" in text for text in texts)


def _locked(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("estate", "building")
        .get(pk=consultation.pk)
    )


def _user_of(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def field_key(question: Question | int) -> str:
    """The name of a question's field in forms, drafts and error messages."""
    return f"q{question if isinstance(question, int) else question.pk}"


# --- Creating and editing a survey -------------------------------------------------------------


def _clean_consultation(
    estate: Estate,
    *,
    title: Any,
    description: Any,
    building: Building | None,
    scope: Any,
    audience_buildings: Iterable[Building],
    audience_people: Iterable[Person],
    owners_only: bool,
    unit: Any,
    opens_at: Any,
    closes_at: Any,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = str(title or "").strip()
    description = str(description or "").strip()
    buildings = list(audience_buildings)
    people = list(audience_people)
    if not title:
        add("title", _("Give the survey a title."))
    elif len(title) > TITLE_MAX:
        add("title", _("Keep the title to %(n)s characters or fewer.") % {"n": TITLE_MAX})
    if len(description) > DESCRIPTION_MAX:
        add(
            "description",
            _("Keep the description to %(n)s characters or fewer.") % {"n": DESCRIPTION_MAX},
        )
    if _has_nul(title, description):
        add("__all__", _("The text holds a character that is not allowed."))
    if scope not in Consultation.Scope.values:
        add("scope", _("Choose whom the survey asks."))
    if unit not in Consultation.Unit.values:
        add("unit", _("Choose whether each person or each household answers."))
    if building is not None and building.estate_id != estate.pk:
        add("building", _("Choose a building of this estate."))
    if any(b.estate_id != estate.pk for b in buildings):
        add("audience_buildings", _("Choose buildings of this estate."))
    if any(p.estate_id != estate.pk for p in people):
        add("audience_people", _("Choose people of this estate's roster."))
    if scope == Consultation.Scope.BUILDINGS and not buildings:
        add("audience_buildings", _("Choose at least one building."))
    if scope == Consultation.Scope.LIST and not people:
        add("audience_people", _("Choose at least one person for the list."))
    if building is not None:
        if scope == Consultation.Scope.ESTATE:
            add("scope", _("A building group's survey asks its own building, not the estate."))
        elif scope == Consultation.Scope.BUILDINGS and any(b.pk != building.pk for b in buildings):
            add("audience_buildings", _("A building group's survey asks its own building only."))
        elif scope == Consultation.Scope.LIST and people:
            living_there = set(
                Occupancy.objects.current()
                .filter(flat__building=building, person__in=people)
                .values_list("person_id", flat=True)
            )
            if any(p.pk not in living_there for p in people):
                add("audience_people", _("Choose people who live in the building."))
    for name, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if value is not None and (
            not isinstance(value, datetime.datetime) or timezone.is_naive(value)
        ):
            add(name, _("Give a day and a time."))
    if (
        isinstance(opens_at, datetime.datetime)
        and isinstance(closes_at, datetime.datetime)
        and closes_at <= opens_at
    ):
        add("closes_at", _("The survey must close after it opens."))
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": description,
        "building": building,
        "scope": scope,
        "owners_only": bool(owners_only),
        "unit": unit,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "_buildings": buildings if scope == Consultation.Scope.BUILDINGS else [],
        "_people": people if scope == Consultation.Scope.LIST else [],
    }


@transaction.atomic
def consultation_create(
    *,
    actor: Any,
    estate: Estate,
    title: str,
    description: str = "",
    building: Building | None = None,
    scope: str = Consultation.Scope.BUILDINGS,
    audience_buildings: Iterable[Building] = (),
    audience_people: Iterable[Person] = (),
    owners_only: bool = False,
    unit: str = Consultation.Unit.HOUSEHOLD,
    anonymous: bool = False,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
) -> Consultation:
    """Draft a survey. Committee staff and the owners' committee ask any audience of the estate;
    a building-group leader runs it for the building they lead (``building``) and asks that
    building or people living there. Whether it is anonymous is fixed here for good."""
    permissions.require(actor, "create", Consultation(estate=estate, building=building))
    values = _clean_consultation(
        estate,
        title=title,
        description=description,
        building=building,
        scope=scope,
        audience_buildings=audience_buildings,
        audience_people=audience_people,
        owners_only=owners_only,
        unit=unit,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    buildings, people = values.pop("_buildings"), values.pop("_people")
    consultation = Consultation.objects.create(
        estate=estate, created_by=_user_of(actor), anonymous=bool(anonymous), **values
    )
    consultation.audience_buildings.set(buildings)
    consultation.audience_people.set(people)
    audit.record(
        actor=actor,
        action="consultation.create",
        target=consultation,
        changes={"anonymous": [None, consultation.anonymous], "scope": [None, scope]},
    )
    return consultation


def _require_draft(consultation: Consultation) -> None:
    if consultation.status != Consultation.Status.DRAFT:
        raise _refuse(_("Only a draft survey can be changed."))


@transaction.atomic
def consultation_update(
    *,
    actor: Any,
    consultation: Consultation,
    title: str,
    description: str = "",
    scope: str = Consultation.Scope.BUILDINGS,
    audience_buildings: Iterable[Building] = (),
    audience_people: Iterable[Person] = (),
    owners_only: bool = False,
    unit: str = Consultation.Unit.HOUSEHOLD,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
) -> Consultation:
    """Change a draft survey. Whether it is anonymous is never changed."""
    permissions.require(actor, "manage", consultation)
    consultation = _locked(consultation)
    _require_draft(consultation)
    values = _clean_consultation(
        consultation.estate,
        title=title,
        description=description,
        building=consultation.building,
        scope=scope,
        audience_buildings=audience_buildings,
        audience_people=audience_people,
        owners_only=owners_only,
        unit=unit,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    buildings, people = values.pop("_buildings"), values.pop("_people")
    diff = audit.changes(consultation, values)
    for name, value in values.items():
        setattr(consultation, name, value)
    consultation.save()
    consultation.audience_buildings.set(buildings)
    consultation.audience_people.set(people)
    audit.record(actor=actor, action="consultation.update", target=consultation, changes=diff)
    return consultation


# --- Questions ---------------------------------------------------------------------------------


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError("not a whole number") from None


def _decimal_or_none(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError("not a number") from None
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        raise ValidationError("out of range")
    return number


def _clean_question(
    consultation: Consultation,
    question: Question | None,
    *,
    kind: Any,
    text: Any,
    help: Any,
    required: bool,
    choices: Iterable[Any],
    min_choices: Any,
    max_choices: Any,
    scale_min: Any,
    scale_max: Any,
    number_min: Any,
    number_max: Any,
    show_if_question: Question | None,
    show_if_choice: Any,
    show_if_value: Any,
) -> tuple[dict[str, Any], list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    text = str(text or "").strip()
    help_text = str(help or "").strip()
    labels = [str(c or "").strip() for c in choices]
    labels = [label for label in labels if label]
    if kind not in Question.Kind.values:
        add("kind", _("Choose what kind of question it is."))
    if not text:
        add("text", _("Write the question."))
    elif len(text) > QUESTION_MAX:
        add("text", _("Keep the question to %(n)s characters or fewer.") % {"n": QUESTION_MAX})
    if len(help_text) > HELP_MAX:
        add("help", _("Keep the explanation to %(n)s characters or fewer.") % {"n": HELP_MAX})
    if _has_nul(text, help_text, *labels):
        add("__all__", _("The text holds a character that is not allowed."))
    values: dict[str, Any] = {
        "kind": kind,
        "text": text,
        "help": help_text,
        "required": bool(required),
        "min_choices": None,
        "max_choices": None,
        "scale_min": 1,
        "scale_max": 5,
        "number_min": None,
        "number_max": None,
        "show_if_question": None,
        "show_if_choice": None,
        "show_if_value": "",
    }
    if kind in Question.CHOICE_KINDS:
        if len(labels) < 2:
            add("choices", _("Give at least two options, one per line."))
        elif len(labels) > MAX_CHOICES:
            add("choices", _("Give at most %(n)s options.") % {"n": MAX_CHOICES})
        elif any(len(label) > CHOICE_MAX for label in labels):
            add("choices", _("Keep each option to %(n)s characters or fewer.") % {"n": CHOICE_MAX})
        elif len(set(labels)) != len(labels):
            add("choices", _("Each option must be different."))
    else:
        labels = []
    if kind in (Question.Kind.MULTIPLE, Question.Kind.RANKING):
        try:
            low, high = _int_or_none(min_choices), _int_or_none(max_choices)
        except ValidationError:
            add("min_choices", _("Give whole numbers of options."))
        else:
            if (low is not None and low < 0) or (high is not None and high < 1):
                add("min_choices", _("Give whole numbers of options."))
            elif low is not None and high is not None and high < low:
                add("max_choices", _("The most options must not be fewer than the least."))
            elif labels and ((low or 0) > len(labels) or (high or 0) > len(labels)):
                add("max_choices", _("There are not that many options."))
            values["min_choices"], values["max_choices"] = low, high
    if kind == Question.Kind.RATING:
        try:
            low, high = _int_or_none(scale_min), _int_or_none(scale_max)
        except ValidationError:
            add("scale_min", _("Give whole numbers for the scale."))
        else:
            low = 1 if low is None else low
            high = 5 if high is None else high
            if low < 0 or high <= low or high - low > RATING_WIDEST:
                add(
                    "scale_max",
                    _("The scale goes from 0 or more up to at most %(n)s steps higher.")
                    % {"n": RATING_WIDEST},
                )
            values["scale_min"], values["scale_max"] = low, high
    if kind == Question.Kind.NUMBER:
        try:
            low_d, high_d = _decimal_or_none(number_min), _decimal_or_none(number_max)
        except ValidationError:
            add("number_min", _("Give the smallest and largest numbers as numbers."))
        else:
            if low_d is not None and high_d is not None and high_d <= low_d:
                add("number_max", _("The largest number must be more than the smallest."))
            values["number_min"], values["number_max"] = low_d, high_d
    if show_if_question is not None:
        parent = show_if_question
        earlier = question is None or (parent.position, parent.pk) < (
            question.position,
            question.pk,
        )
        if parent.consultation_id != consultation.pk or not earlier:
            add("show_if_question", _("Choose an earlier question of this survey."))
        elif parent.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            choice_id = _int_or_none_safe(show_if_choice)
            choice = parent.choices.filter(pk=choice_id).first() if choice_id else None
            if choice is None:
                add("show_if_choice", _("Choose the option that shows this question."))
            values["show_if_question"], values["show_if_choice"] = parent, choice
        elif parent.kind in (Question.Kind.RATING, Question.Kind.NUMBER):
            try:
                wanted = _decimal_or_none(show_if_value)
            except ValidationError:
                wanted = None
            if wanted is None:
                add("show_if_value", _("Give the answer that shows this question."))
            values["show_if_question"] = parent
            values["show_if_value"] = str(show_if_value or "").strip()[:40]
        else:
            add(
                "show_if_question",
                _("Only a choice, rating or number question can show another question."),
            )
    if errors:
        raise ValidationError(errors)
    return values, labels


def _int_or_none_safe(value: Any) -> int | None:
    try:
        return _int_or_none(value)
    except ValidationError:
        return None


def _set_choices(question: Question, labels: list[str]) -> None:
    """Keep the options in place by position (so a branch on option 2 stays on option 2)."""
    existing = list(question.choices.order_by("position", "pk"))
    for position, label in enumerate(labels):
        if position < len(existing):
            choice = existing[position]
            if choice.label != label or choice.position != position:
                choice.label, choice.position = label, position
                choice.save(update_fields=["label", "position"])
        else:
            Choice.objects.create(question=question, position=position, label=label)
    for choice in existing[len(labels) :]:
        choice.delete()


@transaction.atomic
def question_add(
    *,
    actor: Any,
    consultation: Consultation,
    kind: str,
    text: str,
    help: str = "",
    required: bool = True,
    choices: Iterable[str] = (),
    min_choices: int | None = None,
    max_choices: int | None = None,
    scale_min: int | None = None,
    scale_max: int | None = None,
    number_min: Any = None,
    number_max: Any = None,
    show_if_question: Question | None = None,
    show_if_choice: Any = None,
    show_if_value: Any = "",
) -> Question:
    """Add a question at the end of a draft survey."""
    permissions.require(actor, "manage", consultation)
    consultation = _locked(consultation)
    _require_draft(consultation)
    count = Question.objects.filter(consultation=consultation).count()
    if count >= MAX_QUESTIONS:
        raise _refuse(_("A survey has at most %(n)s questions.") % {"n": MAX_QUESTIONS})
    values, labels = _clean_question(
        consultation,
        None,
        kind=kind,
        text=text,
        help=help,
        required=required,
        choices=choices,
        min_choices=min_choices,
        max_choices=max_choices,
        scale_min=scale_min,
        scale_max=scale_max,
        number_min=number_min,
        number_max=number_max,
        show_if_question=show_if_question,
        show_if_choice=show_if_choice,
        show_if_value=show_if_value,
    )
    last = (
        Question.objects.filter(consultation=consultation)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    question = Question.objects.create(
        consultation=consultation, position=(last or 0) + 1 if count else 0, **values
    )
    _set_choices(question, labels)
    audit.record(
        actor=actor,
        action="consultation.question_add",
        target=consultation,
        changes={"question": [None, question.text], "kind": [None, question.kind]},
    )
    return question


@transaction.atomic
def question_update(
    *,
    actor: Any,
    question: Question,
    kind: str,
    text: str,
    help: str = "",
    required: bool = True,
    choices: Iterable[str] = (),
    min_choices: int | None = None,
    max_choices: int | None = None,
    scale_min: int | None = None,
    scale_max: int | None = None,
    number_min: Any = None,
    number_max: Any = None,
    show_if_question: Question | None = None,
    show_if_choice: Any = None,
    show_if_value: Any = "",
) -> Question:
    """Change a question of a draft survey (its options keep their places)."""
    consultation = question.consultation
    permissions.require(actor, "manage", consultation)
    consultation = _locked(consultation)
    _require_draft(consultation)
    question = Question.objects.get(pk=question.pk, consultation=consultation)
    values, labels = _clean_question(
        consultation,
        question,
        kind=kind,
        text=text,
        help=help,
        required=required,
        choices=choices,
        min_choices=min_choices,
        max_choices=max_choices,
        scale_min=scale_min,
        scale_max=scale_max,
        number_min=number_min,
        number_max=number_max,
        show_if_question=show_if_question,
        show_if_choice=show_if_choice,
        show_if_value=show_if_value,
    )
    diff = audit.changes(question, {"text": values["text"], "kind": values["kind"]})
    for name, value in values.items():
        setattr(question, name, value)
    question.save()
    _set_choices(question, labels)
    audit.record(
        actor=actor,
        action="consultation.question_update",
        target=consultation,
        changes=diff or {"question": [question.text, question.text]},
    )
    return question


@transaction.atomic
def question_delete(*, actor: Any, question: Question) -> None:
    """Remove a question from a draft survey; questions shown only after it are shown always."""
    consultation = question.consultation
    permissions.require(actor, "manage", consultation)
    consultation = _locked(consultation)
    _require_draft(consultation)
    Question.objects.filter(show_if_question=question).update(
        show_if_question=None, show_if_choice=None, show_if_value=""
    )
    text = question.text
    question.delete()
    audit.record(
        actor=actor,
        action="consultation.question_delete",
        target=consultation,
        changes={"question": [text, None]},
    )


@transaction.atomic
def question_move(*, actor: Any, question: Question, up: bool) -> None:
    """Move a question one place up or down. A question never moves above the one it
    branches from (nor that one below it)."""
    consultation = question.consultation
    permissions.require(actor, "manage", consultation)
    consultation = _locked(consultation)
    _require_draft(consultation)
    ordered = list(Question.objects.filter(consultation=consultation).order_by("position", "pk"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    first, second = ordered[min(index, other)], ordered[max(index, other)]
    if second.show_if_question_id == first.pk:
        raise _refuse(_("A question that depends on another must stay after it."))
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, q in enumerate(ordered):
        if q.position != position:
            Question.objects.filter(pk=q.pk).update(position=position)
    audit.record(
        actor=actor,
        action="consultation.question_move",
        target=consultation,
        changes={"question": [question.text, "up" if up else "down"]},
    )


# --- Opening, closing, reminding ---------------------------------------------------------------


@transaction.atomic
def consultation_open(
    *,
    actor: Any,
    consultation: Consultation,
    now: datetime.datetime | None = None,
    notify: bool = True,
) -> Consultation:
    """Open a draft survey: it needs at least one question, a closing time in the future and
    someone to ask. Everyone asked who has an account is told."""
    permissions.require(actor, "manage", consultation)
    consultation = _locked(consultation)
    _require_draft(consultation)
    now = now or timezone.now()
    errors: list[str] = []
    if not Question.objects.filter(consultation=consultation).exists():
        errors.append(_("Add at least one question before opening the survey."))
    if consultation.closes_at is None:
        errors.append(_("Set when the survey closes before opening it."))
    elif consultation.closes_at <= now:
        errors.append(_("The closing time has passed: set a later one."))
    if selectors.invited_count(consultation) == 0:
        errors.append(_("Nobody is asked: nobody lives in the audience chosen."))
    if errors:
        raise ValidationError(errors)
    consultation.status = Consultation.Status.OPEN
    consultation.opened_at = now
    if consultation.opens_at is None:
        consultation.opens_at = now
    consultation.save()
    audit.record(
        actor=actor,
        action="consultation.open",
        target=consultation,
        changes={"status": ["draft", "open"]},
    )
    if notify:
        _tell(
            consultation,
            kind="consultation.opened",
            title=gettext_lazy("New survey: %(title)s") % {"title": consultation.title},
            body=_closes_text(consultation),
            users=selectors.pending_users(consultation),
        )
    from linju.consultations import tasks

    assert consultation.closes_at is not None
    pk, closes_at = consultation.pk, consultation.closes_at

    def schedule() -> None:
        tasks.consultation_close_due.using(run_after=closes_at).enqueue(pk)
        if closes_at - REMIND_BEFORE > now:
            tasks.consultation_remind_due.using(run_after=closes_at - REMIND_BEFORE).enqueue(pk)

    transaction.on_commit(schedule, robust=True)
    return consultation


def _closes_text(consultation: Consultation) -> Any:
    closes = (
        timezone.localtime(consultation.closes_at).strftime("%Y-%m-%d %H:%M")
        if consultation.closes_at
        else ""
    )
    return gettext_lazy("Please answer before %(closes)s.") % {"closes": closes}


def _tell(consultation: Consultation, *, kind: str, title: Any, body: Any, users: list[Any]) -> int:
    from linju.notifications.services import notify

    url = consultation.get_absolute_url()
    for user in users:
        notify(
            recipient=user,
            kind=kind,
            title=title,
            body=body,
            url=url,
            estate=consultation.estate,
        )
    return len(users)


@transaction.atomic
def consultation_close(
    *, actor: Any, consultation: Consultation, now: datetime.datetime | None = None
) -> Consultation:
    """Close an open survey (by hand, or by the worker at its closing time). Paper
    questionnaires collected before may still be entered."""
    if actor is not None:
        permissions.require(actor, "manage", consultation)
    consultation = _locked(consultation)
    if consultation.status != Consultation.Status.OPEN:
        raise _refuse(_("Only an open survey can be closed."))
    now = now or timezone.now()
    consultation.status = Consultation.Status.CLOSED
    consultation.closed_at = now
    if consultation.closes_at is None or consultation.closes_at > now:
        consultation.closes_at = now
    if consultation.opens_at is not None and consultation.opens_at >= consultation.closes_at:
        # Closed before it opened: it was never open for answers.
        consultation.opens_at = consultation.closes_at - datetime.timedelta(seconds=1)
    consultation.save()
    audit.record(
        actor=actor,
        action="consultation.close",
        target=consultation,
        changes={"status": ["open", "closed"]},
    )
    return consultation


@transaction.atomic
def consultation_remind(*, actor: Any, consultation: Consultation) -> int:
    """Remind everyone asked who has not answered (nor their household), in the app and by
    their chosen channels. Returns how many were reminded."""
    if actor is not None:
        permissions.require(actor, "manage", consultation)
    consultation = _locked(consultation)
    if not consultation.is_accepting():
        raise _refuse(_("Only an open survey sends reminders."))
    users = selectors.pending_users(consultation)
    told = _tell(
        consultation,
        kind="consultation.reminder",
        title=gettext_lazy("Reminder: %(title)s") % {"title": consultation.title},
        body=_closes_text(consultation),
        users=users,
    )
    consultation.reminded_at = timezone.now()
    consultation.save(update_fields=["reminded_at"])
    audit.record(
        actor=actor,
        action="consultation.remind",
        target=consultation,
        changes={"reminded": [None, told]},
    )
    return told


# --- Answers -----------------------------------------------------------------------------------


def plain(number: Decimal) -> str:
    """A number as people write it: 50, 2.5 (never 5E+1)."""
    return f"{number.normalize():f}"


def _as_list(raw: Any) -> list[Any]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, list | tuple):
        return [item for item in raw if item not in (None, "")]
    return [raw]


def _choice_ids(question: Question, raw: Any) -> list[int]:
    valid = {c.pk for c in question.choices.all()}
    ids: list[int] = []
    for item in _as_list(raw):
        try:
            choice_id = int(item)
        except (TypeError, ValueError):
            raise ValidationError(_("Choose among the options given.")) from None
        if choice_id not in valid:
            raise ValidationError(_("Choose among the options given."))
        if choice_id in ids:
            if question.kind == Question.Kind.RANKING:
                raise ValidationError(_("Give each option a different place."))
            raise ValidationError(_("Choose each option once."))
        ids.append(choice_id)
    return ids


def _count_limits(question: Question, count: int) -> None:
    low, high = question.min_choices, question.max_choices
    if low is not None and count < low:
        raise ValidationError(_("Choose at least %(n)s options.") % {"n": low})
    if high is not None and count > high:
        raise ValidationError(_("Choose at most %(n)s options.") % {"n": high})


def clean_one(question: Question, raw: Any) -> Any:
    """The answer to one question as stored, None when unanswered, or a ValidationError."""
    kind = question.kind
    if kind == Question.Kind.SINGLE:
        ids = _choice_ids(question, raw)
        if len(ids) > 1:
            raise ValidationError(_("Choose one option."))
        return ids[0] if ids else None
    if kind in (Question.Kind.MULTIPLE, Question.Kind.RANKING):
        ids = _choice_ids(question, raw)
        if not ids:
            return None
        _count_limits(question, len(ids))
        return ids
    if kind == Question.Kind.RATING:
        items = _as_list(raw)
        if not items:
            return None
        try:
            value = int(str(items[0]).strip())
        except (TypeError, ValueError):
            raise ValidationError(_("Choose a point on the scale.")) from None
        if len(items) > 1 or not question.scale_min <= value <= question.scale_max:
            raise ValidationError(
                _("Choose a point on the scale from %(low)s to %(high)s.")
                % {"low": question.scale_min, "high": question.scale_max}
            )
        return value
    if kind == Question.Kind.NUMBER:
        items = _as_list(raw)
        if not items:
            return None
        try:
            number = Decimal(str(items[0]).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Give a number.")) from None
        if not number.is_finite() or abs(number) > NUMBER_LIMIT or number != round(number, 2):
            raise ValidationError(_("Give a number with at most two decimal places."))
        if question.number_min is not None and number < question.number_min:
            raise ValidationError(
                _("Give a number of at least %(n)s.") % {"n": plain(question.number_min)}
            )
        if question.number_max is not None and number > question.number_max:
            raise ValidationError(
                _("Give a number of at most %(n)s.") % {"n": plain(question.number_max)}
            )
        return number
    if kind == Question.Kind.TEXT:
        items = _as_list(raw)
        text = str(items[0]).strip() if items else ""
        if len(items) > 1:
            raise ValidationError(_("Give one answer."))
        if len(text) > TEXT_ANSWER_MAX:
            raise ValidationError(
                _("Keep your answer to %(n)s characters or fewer.") % {"n": TEXT_ANSWER_MAX}
            )
        if _has_nul(text):
            raise ValidationError(_("The text holds a character that is not allowed."))
        return text or None
    if kind == Question.Kind.PHOTO:
        items = _as_list(raw)
        if not items:
            return None
        if not hasattr(items[0], "read"):
            raise ValidationError(_("Choose a photo."))
        return items[0]
    raise ValidationError(_("This question cannot be answered."))


def is_shown(question: Question, clean: dict[int, Any]) -> bool:
    """Is ``question`` shown, given the (clean) answers to the questions before it?"""
    parent_id = question.show_if_question_id
    if parent_id is None:
        return True
    if parent_id not in clean:
        return False
    value = clean[parent_id]
    if question.show_if_choice_id is not None:
        return (
            value == question.show_if_choice_id
            if isinstance(value, int)
            else question.show_if_choice_id in (value or [])
        )
    try:
        return Decimal(str(value)) == Decimal(question.show_if_value.strip())
    except (InvalidOperation, ValueError):
        return False


def answers_clean(*, questions: list[Question], answers: dict[Any, Any]) -> dict[int, Any]:
    """The answers to keep, keyed by question id; hidden questions' answers are dropped. A
    ValidationError names each question (``q<id>``) whose answer must be corrected."""
    by_id: dict[int, Any] = {}
    for key, value in (answers or {}).items():
        try:
            by_id[int(str(key).lstrip("q"))] = value
        except ValueError:
            continue
    clean: dict[int, Any] = {}
    errors: dict[str, list[str]] = {}
    for question in questions:
        if not is_shown(question, clean):
            continue
        try:
            value = clean_one(question, by_id.get(question.pk))
        except ValidationError as exc:
            errors[field_key(question)] = exc.messages
            continue
        if value is None:
            if question.required:
                errors[field_key(question)] = [_("Please answer this question.")]
            continue
        clean[question.pk] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _write_answers(response: Response, questions: list[Question], clean: dict[int, Any]) -> None:
    answers: list[Answer] = []
    chosen: list[AnswerChoice] = []
    for question in questions:
        if question.pk not in clean:
            continue
        value = clean[question.pk]
        kind = question.kind
        if kind == Question.Kind.SINGLE:
            chosen.append(AnswerChoice(response=response, question=question, choice_id=value))
        elif kind == Question.Kind.MULTIPLE:
            chosen += [
                AnswerChoice(response=response, question=question, choice_id=c) for c in value
            ]
        elif kind == Question.Kind.RANKING:
            chosen += [
                AnswerChoice(response=response, question=question, choice_id=c, rank=rank)
                for rank, c in enumerate(value, start=1)
            ]
        elif kind in (Question.Kind.RATING, Question.Kind.NUMBER):
            answers.append(Answer(response=response, question=question, number=Decimal(value)))
        elif kind == Question.Kind.TEXT:
            answers.append(Answer(response=response, question=question, text=value))
        elif kind == Question.Kind.PHOTO:
            photo_store(AnswerPhoto(response=response, question=question), value)
    Answer.objects.bulk_create(answers)
    AnswerChoice.objects.bulk_create(chosen)


def _already_answered_message(consultation: Consultation, by_other: bool) -> str:
    if consultation.per_household:
        if by_other:
            return _(
                "Someone of your household has already answered this survey: each household "
                "answers once, and the first answer counts."
            )
        return _("Your household has already answered this survey.")
    return _("You have already answered this survey.")


def _record(
    consultation: Consultation,
    *,
    questions: list[Question],
    clean: dict[int, Any],
    channel: str,
    person: Person | None,
    flat: Flat | None,
    relation: str,
    entered_by: Any = None,
) -> Response:
    now = timezone.now()
    anonymous = consultation.anonymous
    # One answer per household (or person) is enforced by the participation's unique
    # constraints; it is written first so that a second answer fails before anything else.
    try:
        with transaction.atomic():
            Participation.objects.create(
                estate_id=consultation.estate_id,
                consultation=consultation,
                person=person,
                household=flat if consultation.per_household else None,
                answered_on=None if anonymous else timezone.localdate(now),
                channel=channel,
            )
    except IntegrityError:
        raise _refuse(_already_answered_message(consultation, by_other=True)) from None
    response = Response.objects.create(
        estate_id=consultation.estate_id,
        consultation=consultation,
        submitted_at=now.replace(minute=0, second=0, microsecond=0) if anonymous else now,
        channel=channel,
        building_id=flat.building_id if flat is not None else None,
        floor=flat.floor if flat is not None else None,
        relation=relation,
        respondent=None if anonymous else person,
        household=None if anonymous else flat,
        entered_by=_user_of(entered_by),
    )
    _write_answers(response, questions, clean)
    return response


@transaction.atomic
def response_record(
    *,
    consultation: Consultation,
    person: Person,
    flat: Flat | None,
    relation: str,
    answers: dict[Any, Any],
    channel: str = Response.Channel.ONLINE,
) -> Response:
    """Record an answer for ``person`` without a request (the demo; imports): the same rules,
    one answer per household or person, no permission check (system-initiated)."""
    consultation = _locked(consultation)
    questions = selectors.questions_of(consultation)
    clean = answers_clean(questions=questions, answers=answers)
    return _record(
        consultation,
        questions=questions,
        clean=clean,
        channel=channel,
        person=person,
        flat=flat,
        relation=relation,
    )


@transaction.atomic
def response_submit(*, actor: Any, consultation: Consultation, answers: dict[Any, Any]) -> Response:
    """Answer an open survey online, once per person or per household (the household's first
    answer counts). Refused with a clear message, writing nothing, when the survey is not open,
    the actor is not asked, their household (or they) already answered, or an answer breaks a
    question's rules. A named survey's server draft is removed; an anonymous survey records
    who answered apart from what they answered."""
    permissions.require(actor, "answer", consultation)
    consultation = _locked(consultation)
    if not consultation.is_accepting():
        raise _refuse(_("This survey is not open for answers."), code="closed")
    person = selectors.person_of(actor, consultation.estate_id)
    if person is None or not selectors.may_answer(consultation, person):
        raise _refuse(_("This survey does not ask you."), code="not_asked")
    home = selectors.home_of(consultation, person)
    if consultation.per_household and home is None:
        raise _refuse(_("This survey does not ask you."), code="not_asked")
    answered = selectors.participation_of(consultation, person, home)
    if answered is not None:
        raise _refuse(
            _already_answered_message(consultation, by_other=answered.person_id != person.pk),
            code="answered",
        )
    questions = selectors.questions_of(consultation)
    clean = answers_clean(questions=questions, answers=answers)
    response = _record(
        consultation,
        questions=questions,
        clean=clean,
        channel=Response.Channel.ONLINE,
        person=person,
        flat=home.flat if home is not None else None,
        relation=RELATION_OF.get(home.relation, Response.Relation.OTHER)
        if home is not None
        else Response.Relation.OTHER,
    )
    Draft.objects.filter(consultation=consultation, person=person).delete()
    if not consultation.anonymous:
        audit.record(
            actor=actor,
            action="consultation.answer",
            target=consultation,
            changes={"response": [None, str(response.pk)]},
        )
    return response


@transaction.atomic
def paper_response_enter(
    *,
    actor: Any,
    consultation: Consultation,
    household: Flat,
    answers: dict[Any, Any],
    person: Person | None = None,
    relation: str = "",
) -> Response:
    """Enter a paper questionnaire handed in by ``household`` (and ``person``, who must be
    named when each person answers). Allowed while the survey is open and after it closes
    (questionnaires collected before the close), with the same rules as online answers."""
    permissions.require(actor, "manage", consultation)
    consultation = _locked(consultation)
    if consultation.status not in (Consultation.Status.OPEN, Consultation.Status.CLOSED):
        raise _refuse(_("Paper answers are entered while the survey is open or just closed."))
    if household.estate_id != consultation.estate_id:
        raise _refuse(_("Choose a household the survey asks."), "household")
    homes = selectors.answering_occupancies(consultation).filter(flat=household)
    if not homes.exists():
        raise _refuse(_("Choose a household the survey asks."), "household")
    if person is not None and not homes.filter(person=person).exists():
        raise _refuse(_("Choose someone of this household the survey asks."), "person")
    if not consultation.per_household and person is None:
        raise _refuse(_("Each person answers this survey: say who filled it in."), "person")
    if relation not in Response.Relation.values:
        home = homes.filter(person=person).first() if person is not None else homes.first()
        relation = RELATION_OF.get(home.relation, Response.Relation.OTHER) if home else "other"
    questions = selectors.questions_of(consultation)
    clean = answers_clean(questions=questions, answers=answers)
    response = _record(
        consultation,
        questions=questions,
        clean=clean,
        channel=Response.Channel.PAPER,
        person=person,
        flat=household,
        relation=relation,
        entered_by=actor,
    )
    audit.record(
        actor=actor,
        action="consultation.paper_enter",
        target=consultation,
        changes={"household": [None, household.label]},
    )
    return response


# --- Drafts ------------------------------------------------------------------------------------


def _clean_draft(data: Any) -> dict[str, list[str]]:
    if not isinstance(data, dict):
        raise _refuse(_("The draft could not be read."))
    clean: dict[str, list[str]] = {}
    for key, value in data.items():
        key = str(key)[:40]
        if not key.startswith("q"):
            continue
        values = value if isinstance(value, list) else [value]
        clean[key] = [str(v).replace("\x00", "")[:TEXT_ANSWER_MAX] for v in values[:MAX_CHOICES]]
    if len(str(clean)) > DRAFT_MAX_CHARS:
        raise _refuse(_("The draft is too long to keep."))
    return clean


@transaction.atomic
def draft_save(*, actor: Any, consultation: Consultation, data: Any) -> Draft:
    """Keep a resident's unfinished answers to a named survey (the last save wins). An
    anonymous survey keeps drafts on the resident's device only."""
    permissions.require(actor, "answer", consultation)
    if consultation.anonymous:
        raise _refuse(
            _("This survey is anonymous: your draft is kept on your device only."),
            code="anonymous",
        )
    if not consultation.is_accepting():
        raise _refuse(_("This survey is not open for answers."), code="closed")
    person = selectors.person_of(actor, consultation.estate_id)
    if person is None or not selectors.may_answer(consultation, person):
        raise _refuse(_("This survey does not ask you."), code="not_asked")
    clean = _clean_draft(data)
    draft, _created = Draft.objects.update_or_create(
        consultation=consultation,
        person=person,
        defaults={"data": clean, "updated_at": timezone.now()},
    )
    return draft
