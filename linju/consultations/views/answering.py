"""The question fields as a page shows them: each question with its current values (what was
posted, or the draft), its errors, and whether its branch shows it now. Shared by the answering
page and the console's paper entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from linju.consultations import services
from linju.consultations.models import Question


@dataclass
class ChoiceView:
    pk: int
    label: str
    checked: bool
    place: str  # for a ranking: the place given, "" if none


@dataclass
class QuestionView:
    question: Question
    number: int
    key: str
    values: list[str]
    choices: list[ChoiceView]
    errors: list[str]
    shown: bool
    scale: list[int] = field(default_factory=list)
    places: list[int] = field(default_factory=list)

    @property
    def value(self) -> str:
        return self.values[0] if self.values else ""

    @property
    def number_range(self) -> str:
        low, high = self.question.number_min, self.question.number_max
        if low is None or high is None:
            return ""
        return f"{services.plain(low)}–{services.plain(high)}"

    @property
    def show_if_key(self) -> str:
        parent = self.question.show_if_question_id
        return f"q{parent}" if parent else ""


def _current(question: Question, values: dict[str, list[str]]) -> Any:
    key = services.field_key(question)
    if question.kind == Question.Kind.RANKING:
        placed = []
        for choice in question.choices.all():
            place = (values.get(f"{key}_{choice.pk}") or [""])[0]
            if place.isdigit():
                placed.append((int(place), choice.pk))
        return [pk for _place, pk in sorted(placed)]
    return values.get(key) or None


def question_views(
    questions: list[Question],
    values: dict[str, list[str]],
    errors: dict[str, list[str]] | None = None,
) -> list[QuestionView]:
    """Each question with its values and errors; ``shown`` follows the branches as the page's
    script does, from the answers given so far."""
    errors = errors or {}
    known: dict[int, Any] = {}
    views = []
    for number, question in enumerate(questions, start=1):
        key = services.field_key(question)
        shown = services.is_shown(question, known)
        if shown and question.kind != Question.Kind.PHOTO:
            try:
                value = services.clean_one(question, _current(question, values))
            except ValidationError:
                value = None
            if value is not None:
                known[question.pk] = value
        mine = [str(v) for v in values.get(key, [])]
        choices = [
            ChoiceView(
                pk=choice.pk,
                label=choice.label,
                checked=str(choice.pk) in mine,
                place=(values.get(f"{key}_{choice.pk}") or [""])[0],
            )
            for choice in question.choices.all()
        ]
        views.append(
            QuestionView(
                question=question,
                number=number,
                key=key,
                values=mine,
                choices=choices,
                errors=errors.get(key, []),
                shown=shown,
                scale=list(range(question.scale_min, question.scale_max + 1))
                if question.kind == Question.Kind.RATING
                else [],
                places=list(range(1, len(choices) + 1))
                if question.kind == Question.Kind.RANKING
                else [],
            )
        )
    return views


def errors_of(exc: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    """A service's refusal split into the questions' errors and the page's."""
    if hasattr(exc, "error_dict"):
        by_field = {name: ValidationError(errs).messages for name, errs in exc.error_dict.items()}
        general = by_field.pop("__all__", [])
        for name in [n for n in by_field if not n.startswith("q")]:
            general += by_field.pop(name)
        return by_field, general
    return {}, exc.messages
