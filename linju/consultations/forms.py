"""Forms parse what people type; the services decide whether it is allowed and valid.

The answering page is not a Django form: its fields are named after the questions (``q<id>``,
and ``q<id>_<choice id>`` for the place given to an option in a ranking), and
``answers_from_post`` turns them into the ``{question id: value}`` the services take.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Flat, Person
from linju.consultations.models import (
    DESCRIPTION_MAX,
    HELP_MAX,
    QUESTION_MAX,
    TITLE_MAX,
    Consultation,
    Question,
    Response,
)
from linju.core import permissions

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Building %(number)s") % {"number": obj.number})


class BuildingsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Building %(number)s") % {"number": obj.number})


class FlatChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ConsultationForm(forms.Form):
    """A survey's title, audience, who answers, anonymity (on creation only) and dates."""

    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Give the survey a title.")},
    )
    description = forms.CharField(
        label=_("What it is about"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    building = BuildingChoiceField(
        label=_("Run by the group of"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("The residents' committee (whole estate)"),
    )
    scope = forms.ChoiceField(
        label=_("Who is asked"),
        choices=Consultation.Scope.choices,
        widget=forms.RadioSelect,
        initial=Consultation.Scope.BUILDINGS,
    )
    audience_buildings = BuildingsChoiceField(
        label=_("Buildings asked"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience_people = forms.ModelMultipleChoiceField(
        label=_("People on the list"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("For a list: e.g. the households with children."),
    )
    owners_only = forms.BooleanField(label=_("Owners only"), required=False)
    unit = forms.ChoiceField(
        label=_("Who answers"),
        choices=Consultation.Unit.choices,
        widget=forms.RadioSelect,
        initial=Consultation.Unit.HOUSEHOLD,
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        help_text=_(
            "Nobody, not even the organisers, can see who answered what. Decided now for good."
        ),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=LocalDateTimeInput(),
        help_text=_("Leave empty to open it when you press “Open”."),
        error_messages={"invalid": _("Give a day and a time.")},
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=LocalDateTimeInput(),
        error_messages={"invalid": _("Give a day and a time.")},
    )

    def __init__(
        self, *args: Any, actor: Any, estate: Estate, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        organiser = permissions.can(actor, "create", Consultation(estate=estate))
        buildings = Building.objects.filter(estate=estate).order_by("sort_key", "number")
        led = [
            b.pk
            for b in buildings
            if permissions.can(actor, "create", Consultation(estate=estate, building=b))
        ]
        building_field = cast(forms.ModelChoiceField, self.fields["building"])
        building_field.queryset = buildings.filter(pk__in=led)
        if not organiser:
            building_field.required = True
            building_field.empty_label = None
        cast(forms.ModelMultipleChoiceField, self.fields["audience_buildings"]).queryset = (
            buildings if organiser else buildings.filter(pk__in=led)
        )
        cast(
            forms.ModelMultipleChoiceField, self.fields["audience_people"]
        ).queryset = Person.objects.filter(estate=estate).order_by("full_name", "pk")
        if editing:
            del self.fields["anonymous"]
            del self.fields["building"]

    @staticmethod
    def initial_for(consultation: Consultation) -> dict[str, Any]:
        return {
            "title": consultation.title,
            "description": consultation.description,
            "scope": consultation.scope,
            "audience_buildings": list(consultation.audience_buildings.all()),
            "audience_people": list(consultation.audience_people.all()),
            "owners_only": consultation.owners_only,
            "unit": consultation.unit,
            "opens_at": consultation.opens_at,
            "closes_at": consultation.closes_at,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["audience_buildings"] = list(data.get("audience_buildings") or [])
        data["audience_people"] = list(data.get("audience_people") or [])
        return data


class QuestionForm(forms.Form):
    """One question: its kind, wording, options (one per line) and limits, and a branch."""

    kind = forms.ChoiceField(
        label=_("Kind of question"),
        choices=Question.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of question it is.")},
    )
    text = forms.CharField(
        label=_("Question"),
        max_length=QUESTION_MAX,
        error_messages={"required": _("Write the question.")},
    )
    help = forms.CharField(
        label=_("Explanation"),
        max_length=HELP_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For choice and ranking questions: one option per line."),
    )
    min_choices = forms.CharField(label=_("Choose at least"), required=False)
    max_choices = forms.CharField(label=_("Choose at most"), required=False)
    scale_min = forms.CharField(label=_("Scale from"), required=False, initial="1")
    scale_max = forms.CharField(label=_("Scale to"), required=False, initial="5")
    number_min = forms.CharField(label=_("Smallest number"), required=False)
    number_max = forms.CharField(label=_("Largest number"), required=False)
    show_if_question = forms.ModelChoiceField(
        label=_("Show only if the answer to"),
        queryset=Question.objects.none(),
        required=False,
        empty_label=_("Always show this question"),
    )
    show_if_choice = forms.CharField(
        label=_("includes the option"),
        required=False,
        widget=forms.Select(),
    )
    show_if_value = forms.CharField(label=_("or equals (rating, number)"), required=False)

    def __init__(
        self, *args: Any, consultation: Consultation, question: Question | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        earlier = Question.objects.filter(
            consultation=consultation,
            kind__in=[
                Question.Kind.SINGLE,
                Question.Kind.MULTIPLE,
                Question.Kind.RATING,
                Question.Kind.NUMBER,
            ],
        ).order_by("position", "pk")
        if question is not None:
            earlier = earlier.exclude(pk=question.pk)
        cast(forms.ModelChoiceField, self.fields["show_if_question"]).queryset = earlier
        options: list[tuple[str, str]] = [("", "—")]
        for parent in earlier.prefetch_related("choices"):
            for choice in parent.choices.all():
                options.append((str(choice.pk), f"{parent.text[:30]} → {choice.label}"))
        cast(forms.Select, self.fields["show_if_choice"].widget).choices = options

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        return {
            "kind": question.kind,
            "text": question.text,
            "help": question.help,
            "required": question.required,
            "choices": "\n".join(c.label for c in question.choices.all()),
            "min_choices": question.min_choices if question.min_choices is not None else "",
            "max_choices": question.max_choices if question.max_choices is not None else "",
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "number_min": question.number_min if question.number_min is not None else "",
            "number_max": question.number_max if question.number_max is not None else "",
            "show_if_question": question.show_if_question,
            "show_if_choice": question.show_if_choice_id or "",
            "show_if_value": question.show_if_value,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["choices"] = (data.get("choices") or "").splitlines()
        return data


class PaperForm(forms.Form):
    """Whose paper questionnaire is entered; the answers are the page's question fields."""

    household = FlatChoiceField(
        label=_("Household"),
        queryset=Flat.objects.none(),
        error_messages={
            "required": _("Choose the household that handed it in."),
            "invalid_choice": _("Choose a household the survey asks."),
        },
    )
    person = forms.ModelChoiceField(
        label=_("Filled in by"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Not named"),
    )
    relation = forms.ChoiceField(
        label=_("Relation to the flat"),
        choices=[("", _("As in the roster")), *Response.Relation.choices],
        required=False,
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from linju.consultations import selectors

        flats = selectors.paper_households(consultation)
        household_field = cast(forms.ModelChoiceField, self.fields["household"])
        household_field.queryset = Flat.objects.filter(pk__in=[f.pk for f in flats]).order_by(
            "building__sort_key", "building__number", "entrance__number", "number"
        )
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = Person.objects.filter(
            pk__in=selectors.answering_occupancies(consultation).values("person_id")
        ).order_by("full_name", "pk")


def answers_from_post(
    questions: list[Question], data: QueryDict | dict[str, Any], files: Any = None
) -> dict[int, Any]:
    """The answers on a posted page (or an API body with the same field names)."""
    getlist = data.getlist if isinstance(data, QueryDict | MultiValueDict) else None
    answers: dict[int, Any] = {}
    for question in questions:
        key = f"q{question.pk}"
        if question.kind == Question.Kind.RANKING:
            answers[question.pk] = _ranking(question, data)
        elif question.kind == Question.Kind.MULTIPLE:
            answers[question.pk] = getlist(key) if getlist else data.get(key)
        elif question.kind == Question.Kind.PHOTO:
            answers[question.pk] = files.get(key) if files is not None else None
        else:
            answers[question.pk] = data.get(key)
    return answers


def _ranking(question: Question, data: Any) -> list[Any]:
    """Options in the order of the places given (``q<id>_<choice id>`` = 1, 2, …); options
    without a place are left out. Two options in one place are sent on, for the service to
    refuse as "each option once"."""
    placed: list[tuple[int, int, int]] = []
    for choice in question.choices.all():
        raw = str(data.get(f"q{question.pk}_{choice.pk}") or "").strip()
        if not raw:
            continue
        try:
            place = int(raw)
        except ValueError:
            return ["x"]
        placed.append((place, choice.position, choice.pk))
    places = [place for place, _position, _pk in placed]
    if len(set(places)) != len(places):
        twice = next(pk for place, _pos, pk in placed if places.count(place) > 1)
        return [twice, twice]
    return [pk for _place, _position, pk in sorted(placed)]


def draft_from_post(data: QueryDict) -> dict[str, list[str]]:
    """The page's answer fields as a draft (everything named ``q…``)."""
    return {key: data.getlist(key) for key in data if key.startswith("q")}
