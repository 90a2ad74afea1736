"""Forms of the design, works and acceptance pages. They parse; the services validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.decisions.models import Decision
from linju.works.models import RATINGS, AcceptanceItem

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once (the service cleans each one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": PHOTO_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class DesignPlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=_area()
    )
    photos = PhotosField(label=_("Photos of the drawings"))
    pdf = forms.FileField(
        label=_("The plan as a PDF"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


class DesignOptionForm(forms.Form):
    label = forms.CharField(
        label=_("Name of the option"),
        max_length=60,
        help_text=_("Short: it is what residents tick on the ballot, e.g. “温馨木色”."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=_area()
    )
    estimated_cost = forms.CharField(
        label=_("Estimated cost (¥)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    photos = PhotosField(label=_("Renderings or photos"))


class DesignScopeForm(forms.Form):
    touches_structure = forms.BooleanField(label=_("The building's structure"), required=False)
    touches_facade = forms.BooleanField(label=_("The facade"), required=False)
    touches_lifts = forms.BooleanField(label=_("The lifts"), required=False)
    changes_common_use = forms.BooleanField(
        label=_("How common areas are used (e.g. the lobby becomes a living room)"),
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DesignVoteForm(forms.Form):
    opens_at = forms.DateTimeField(
        label=_("Voting opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("At least the notice period (usually 15 days) from today."),
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    unit = forms.ChoiceField(
        label=_("Who votes"),
        choices=Decision.Unit.choices,
        initial=Decision.Unit.HOUSEHOLD,
        widget=forms.RadioSelect,
    )


class QuoteForm(forms.Form):
    contractor = forms.CharField(label=_("Contractor"), max_length=120)
    amount = forms.CharField(
        label=_("Amount (¥)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    items = forms.CharField(
        label=_("What it covers"),
        max_length=4000,
        required=False,
        widget=_area(),
        help_text=_("One item per line: materials, labour, warranty…"),
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    photos = PhotosField(label=_("Photo of the quote"))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this one"),
        max_length=500,
        error_messages={"required": _("Say why this quote is chosen.")},
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=120)
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MilestoneDoneForm(forms.Form):
    photos = PhotosField(label=_("Photo of the work done"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class SupervisionForm(forms.Form):
    text = forms.CharField(label=_("What you saw"), max_length=2000, widget=_area())
    photos = PhotosField(label=_("Photos"))


class AcceptanceItemForm(forms.Form):
    text = forms.CharField(label=_("What to check"), max_length=300)


class AcceptanceCheckForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=AcceptanceItem.Result.choices)
    note = forms.CharField(label=_("Remark"), max_length=500, required=False)


class RepresentativesForm(forms.Form):
    people: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Representatives (1 to 5)"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one representative.")},
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = candidates  # type: ignore[attr-defined]


class PaperSignatureForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo of the signed paper"),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
        error_messages={"required": _("Add a photo of the signed paper.")},
    )


class EvaluationForm(forms.Form):
    result_rating = forms.TypedChoiceField(
        label=_("How do you rate the result?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    process_rating = forms.TypedChoiceField(
        label=_("How do you rate the process (being asked, informed, heard)?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=_area(3),
        help_text=_("Shown without your name."),
    )
