"""Forms parse what people send; the services decide whether it is allowed and within the
vote's limits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.budgeting.models import BudgetVote
from linju.community.models import Estate, Occupancy, Person
from linju.foundation.pb.rules import Rule

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VoteOpenForm(forms.Form):
    opens_at = forms.DateTimeField(
        label=_("Voting opens"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=_("Leave empty to open it now."),
    )
    closes_at = forms.DateTimeField(label=_("Voting closes"), widget=DATETIME_INPUT)


class BallotForm(forms.Form):
    """The applications ticked; the count and budget limits are the service's to check."""

    applications = forms.TypedMultipleChoiceField(
        label=_("Projects you support"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the projects on the ballot.")},
    )

    def __init__(self, *args: Any, vote: BudgetVote, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["applications"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(a.pk, a.title) for a in vote.eligible.order_by("pk")]


class PaperBallotForm(BallotForm):
    person = forms.ModelChoiceField(
        label=_("Voter (from the roster)"),
        queryset=Person.objects.none(),
        error_messages={"invalid_choice": _("Choose a resident of your estate.")},
    )

    field_order = ("person", "applications")

    def __init__(self, *args: Any, vote: BudgetVote, estates: list[Estate], **kwargs: Any):
        super().__init__(*args, vote=vote, **kwargs)
        living = Occupancy.objects.current().filter(estate__in=estates).values("person_id")
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Person.objects.filter(pk__in=living).select_related("estate").order_by("full_name")
        )
        field.label_from_instance = lambda p: f"{p.full_name} · {p.estate.name}"  # type: ignore[method-assign, assignment]


class PbFileForm(forms.Form):
    file = forms.FileField(
        label=_("A .pb file (Pabulib format)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pb,text/plain"}),
    )
    rule = forms.ChoiceField(
        label=_("Rule"),
        choices=[
            (Rule.GREEDY.value, _("Greedy by votes")),
            (Rule.MES.value, _("Method of Equal Shares")),
            (Rule.MES_ADD1.value, _("Method of Equal Shares, completed by Add1")),
            (Rule.MES_ADD1U.value, _("Method of Equal Shares, completed by Add1, then greedy")),
        ],
        initial=Rule.MES_ADD1.value,
    )
    exhaustive_stop = forms.BooleanField(
        label=_("Add1: stop at the first outcome to which no further project would fit"),
        required=False,
    )
    comparison = forms.BooleanField(
        label=_("Comparison step: keep equal shares unless more voters prefer greedy's outcome"),
        required=False,
    )
