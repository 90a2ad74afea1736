"""Forms parse what people type; the services decide whether it is allowed and valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building
from linju.consultations.opinion.compute import MIN_PARTICIPANTS
from linju.opinions.models import QUESTION_MAX, REASON_MAX, STATEMENT_MAX

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Building %(number)s") % {"number": obj.number})


class StatementForm(forms.Form):
    """A statement: the service trims it and checks its length and that it is new."""

    text = forms.CharField(
        label=_("Your statement"),
        help_text=_(
            "One idea, %(n)s characters at most. A moderator reads it before neighbours see it."
        )
        % {"n": STATEMENT_MAX},
        error_messages={"required": _("Write your statement.")},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATEMENT_MAX}),
    )


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])
    reason = forms.CharField(
        label=_("Why is it not accepted? Its author will read this."),
        max_length=REASON_MAX,
        required=False,
    )


class DiscussionForm(forms.Form):
    """A new discussion: its question, whom it concerns and when it closes."""

    question = forms.CharField(
        label=_("Question"),
        max_length=QUESTION_MAX,
        error_messages={"required": _("Write the question residents will answer.")},
    )
    description = forms.CharField(
        label=_("Background"),
        help_text=_("What residents should know before they answer (optional)."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    building = BuildingChoiceField(
        label=_("Who takes part"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("The whole estate"),
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=LocalDateTimeInput(),
    )
    min_participants = forms.IntegerField(
        label=_("Participants needed before the map is shown"),
        initial=MIN_PARTICIPANTS,
        min_value=0,
        max_value=10_000,
    )

    def __init__(self, *args: Any, buildings: Any, estate_wide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["building"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = buildings
        if not estate_wide:
            field.required = True
            field.empty_label = None
