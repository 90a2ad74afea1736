"""Forms of the foundation's pages. They parse what was typed; the services judge it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.foundation.models import Application, ApplicationDocument, Programme
from linju.foundation.services import MESSAGE_MAX, NAME_MAX, PLAN_MAX, TEXT_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Programme name"), max_length=NAME_MAX)
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_MAX, required=False, widget=forms.Textarea
    )
    budget = forms.DecimalField(label=_("Budget (¥)"), min_value=0, **MONEY)
    applicants = forms.ChoiceField(label=_("Who may apply"), choices=Programme.Applicants.choices)
    eligibility = forms.CharField(
        label=_("Eligibility rules"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea,
        help_text=_("Shown to applicants and on the notice board."),
    )
    min_cofunding_share = forms.DecimalField(
        label=_("Residents must have raised at least (% of the project's budget)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=0,
    )
    max_amount = forms.DecimalField(
        label=_("Most one application may ask for (¥)"), required=False, min_value=0, **MONEY
    )
    matching_ratio = forms.DecimalField(
        label=_("Matching: foundation ¥ per ¥1 residents raise"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        initial="1.00",
    )
    matching_cap = forms.DecimalField(
        label=_("Matching cap per application (¥)"), required=False, min_value=0, **MONEY
    )
    call_opens = forms.DateField(label=_("Call opens"), widget=DATE)
    call_closes = forms.DateField(label=_("Call closes"), widget=DATE)
    review_ends = forms.DateField(label=_("Review ends"), required=False, widget=DATE)
    decision_on = forms.DateField(label=_("Decision on"), required=False, widget=DATE)
    selection = forms.ChoiceField(label=_("Winners chosen by"), choices=Programme.Selection.choices)
    pb_rule = forms.ChoiceField(
        label=_("Residents' vote: counting rule"),
        choices=Programme.PBRule.choices,
        initial=Programme.PBRule.MES_ADD1,
    )
    pb_exhaustive_stop = forms.BooleanField(
        label=_("Stop completing at the first outcome that spends the budget"), required=False
    )
    pb_comparison = forms.BooleanField(
        label=_("Keep equal shares only if most voters prefer it to greedy"), required=False
    )
    pb_ballot = forms.ChoiceField(
        label=_("Residents' vote: ballot"), choices=Programme.PBBallot.choices
    )
    pb_min = forms.IntegerField(
        label=_("Fewest projects on a ballot"), min_value=0, max_value=100, initial=1
    )
    pb_max = forms.IntegerField(
        label=_("Most projects on a ballot"), min_value=1, max_value=100, required=False
    )
    pb_unit = forms.ChoiceField(label=_("Who votes"), choices=Programme.PBUnit.choices)


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=NAME_MAX, required=False)
    weight = forms.IntegerField(
        label=_("Weight"), min_value=1, max_value=100, required=False, initial=1
    )
    description = forms.CharField(
        label=_("What reviewers look for"), max_length=MESSAGE_MAX, required=False
    )


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, max_num=20, absolute_max=20)


class ApplicationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=NAME_MAX)
    plan = forms.CharField(
        label=_("The plan: what will be done, by whom, when"),
        max_length=PLAN_MAX,
        widget=forms.Textarea,
    )
    budget = forms.DecimalField(label=_("The project's whole budget (¥)"), min_value=0, **MONEY)
    requested = forms.DecimalField(label=_("Asked from the foundation (¥)"), min_value=0, **MONEY)
    support = forms.CharField(
        label=_("How residents showed their support"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea,
        help_text=_("A vote, a meeting, signatures: say when and how many took part."),
    )
    support_decision: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("The vote that showed it"),
        queryset=None,
        required=False,
        empty_label=_("No vote"),
    )

    support_consultation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("The survey that showed it"),
        queryset=None,
        required=False,
        empty_label=_("No survey"),
    )

    def __init__(self, *args: Any, decisions: Any, consultations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("support_decision", decisions),
            ("support_consultation", consultations),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class MessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message"), max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class OptionalMessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MoveForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Application.Status.choices)
    message = forms.CharField(
        label=_("Message to the applicant"),
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AdvanceForm(forms.Form):
    status = forms.ChoiceField(label=_("Next stage"), choices=Programme.Status.choices)


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("A PDF, a photo (JPEG or PNG) or an Excel workbook (.xlsx).")
    )
    kind = forms.ChoiceField(label=_("What it is"), choices=ApplicationDocument.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=NAME_MAX, required=False)
    request: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Answers the foundation's request"),
        queryset=None,
        required=False,
        empty_label=_("No request"),
    )

    def __init__(self, *args: Any, requests: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["request"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = requests
        field.label_from_instance = lambda r: str(r.message[:80])  # type: ignore[method-assign,assignment]


class PhotoForm(forms.Form):
    upload = forms.FileField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
