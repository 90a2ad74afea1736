"""Forms of grant review and decisions: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from linju.community.models import Estate
from linju.foundation.models import Criterion
from linju.grants.models import SCORE_MAX, SCORE_MIN
from linju.works.forms import PhotosField


class ReviewerForm(forms.Form):
    username = forms.CharField(
        label=_("Reviewer's account name"),
        max_length=150,
        help_text=_(
            "Someone of another estate, or without one: nobody reviews an application from "
            "their own estate."
        ),
    )

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active account has this name."))
        return user


class ConflictForm(forms.Form):
    estate = forms.ModelChoiceField(
        label=_("Estate"), queryset=Estate.objects.none(), empty_label=None
    )
    note = forms.CharField(
        label=_("Why (optional)"), required=False, max_length=500, widget=forms.Textarea
    )

    def __init__(self, *args: Any, street: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = Estate.objects.filter(street=street).order_by("name")  # type: ignore[attr-defined]


class ScoreForm(forms.Form):
    """One field per criterion (0–10) and a comment for each."""

    def __init__(
        self, *args: Any, criteria: list[Criterion], initial_scores: dict[int, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            given = initial_scores.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(criterion)s (weight %(weight)s)")
                % {"criterion": criterion.name, "weight": criterion.weight},
                help_text=criterion.description,
                choices=[(str(v), str(v)) for v in range(SCORE_MIN, SCORE_MAX + 1)],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "score-scale"}),
                initial=str(given.value) if given else None,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on %(criterion)s") % {"criterion": criterion.name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=given.comment if given else "",
            )

    def scores(self) -> dict[int, Any]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}

    def comments(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"comment_{c.pk}", "") for c in self.criteria}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[("award", _("Award a grant")), ("decline", _("Decline the application"))],
        widget=forms.RadioSelect,
        initial="award",
    )
    amount = forms.DecimalField(
        label=_("Amount granted (¥)"), required=False, max_digits=14, decimal_places=2
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E.g. residents supervise the works; receipts are published on the board."),
    )
    starts_on = forms.DateField(
        label=_("Project starts"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Project ends"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Projects longer than six months report quarterly; every project reports in full "
            "within three months of its end (Charity Law Art. 79)."
        ),
    )
    reason = forms.CharField(
        label=_("Reason (when declining)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "award" and data.get("amount") in (None, ""):
            self.add_error("amount", _("Give the amount granted."))
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the application is declined."))
        return data


class DisburseForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount to pay (¥)"), max_digits=14, decimal_places=2)
    reference = forms.CharField(
        label=_("Bank transfer reference (optional)"), required=False, max_length=64
    )


class PitchForm(forms.Form):
    estate = forms.ModelChoiceField(
        label=_("Estate"), queryset=Estate.objects.none(), empty_label=None
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200)

    def __init__(self, *args: Any, estates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("What the report says"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What was done, what was spent and what residents said."),
    )
    photos = PhotosField(label=_("Photos (optional)"))
