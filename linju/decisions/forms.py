"""Forms parse what people type; the services decide whether it is allowed and valid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Owner
from linju.decisions.models import MIN_NOTICE_DAYS, Ballot, Decision, RollEntry

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
OPTION_MAX_LENGTH = 120


class KindForm(forms.Form):
    """The first step of a new decision: which kind of vote it is."""

    kind = forms.ChoiceField(
        label=_("What kind of vote?"),
        choices=Decision.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of vote.")},
    )


class DecisionForm(forms.Form):
    """A decision's fields; only those that matter for its kind are on the form."""

    kind = forms.ChoiceField(choices=Decision.Kind.choices, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Proposal"),
        required=False,
        max_length=10000,
        help_text=_("What is proposed, as owners will read it."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    matter = forms.TypedChoiceField(
        label=_("Matter (Civil Code Art. 278)"),
        coerce=int,
        choices=Decision.Matter.choices,
        help_text=_("Items 6 to 8 need at least 3/4 of the area and of the owners who vote."),
    )
    buildings = forms.ModelMultipleChoiceField(
        label=_("Buildings"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for the whole estate."),
    )
    options = forms.CharField(
        label=_("Options"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line, in the order they appear on the ballot."),
    )
    method = forms.ChoiceField(label=_("How to choose"), choices=Decision.Method.choices)
    min_choices = forms.IntegerField(label=_("At least"), min_value=1, max_value=50, initial=1)
    max_choices = forms.IntegerField(label=_("At most"), min_value=1, max_value=50, initial=1)
    unit = forms.ChoiceField(label=_("Who votes"), choices=Decision.Unit.choices)
    binding = forms.BooleanField(
        label=_("Binding"),
        required=False,
        initial=True,
        help_text=_("A binding vote needs more than half of those entitled to take part."),
    )
    quorum_percent = forms.IntegerField(
        label=_("Participation needed (%)"),
        min_value=1,
        max_value=100,
        initial=50,
        help_text=_(
            "More than this share of those entitled must take part. Only a vote that is not "
            "binding may need less than half."
        ),
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=50)
    notice_days = forms.IntegerField(
        label=_("Notice period (days)"),
        min_value=MIN_NOTICE_DAYS,
        max_value=90,
        required=False,
        help_text=_("Leave empty for the estate's standing rule (15 days unless changed)."),
    )
    opens_at = forms.DateTimeField(label=_("Voting opens"), required=False, widget=DATETIME_INPUT)
    closes_at = forms.DateTimeField(label=_("Voting closes"), required=False, widget=DATETIME_INPUT)
    revote = forms.ChoiceField(
        label=_("Changing one's vote"),
        choices=Decision.Revote.choices,
        widget=forms.RadioSelect,
        initial=Decision.Revote.LAST,
    )
    show_totals_while_open = forms.BooleanField(
        label=_("Show the running totals while voting is open"), required=False
    )

    FIELDS_BY_KIND = {
        Decision.Kind.OWNERS: ("matter", "buildings"),
        Decision.Kind.RESIDENTS: (
            "buildings",
            "options",
            "method",
            "min_choices",
            "max_choices",
            "unit",
            "binding",
            "quorum_percent",
        ),
        Decision.Kind.ELECTION: ("options", "seats"),
    }
    KIND_FIELDS = {"matter", "buildings", "options", "method", "min_choices", "max_choices"} | {
        "unit",
        "binding",
        "quorum_percent",
        "seats",
    }

    def __init__(self, *args: Any, estate: Estate, kind: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.decision_kind = kind
        self.fields["kind"].initial = kind
        keep = set(self.FIELDS_BY_KIND.get(cast(Decision.Kind, kind), ()))
        for name in self.KIND_FIELDS - keep:
            del self.fields[name]
        if "buildings" in self.fields:
            cast(
                forms.ModelMultipleChoiceField, self.fields["buildings"]
            ).queryset = Building.objects.filter(estate=estate).order_by("sort_key", "number")
        if kind == Decision.Kind.ELECTION:
            self.fields["options"].label = _("Candidates")
            self.fields["options"].help_text = _("One name per line.")

    def clean_options(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        options = [line for line in lines if line]
        if len(options) < 2:
            raise forms.ValidationError(_("Give at least two, one per line."))
        if len(set(options)) != len(options):
            raise forms.ValidationError(_("Each line must be different."))
        if any(len(option) > OPTION_MAX_LENGTH for option in options):
            raise forms.ValidationError(
                _("Keep each line to %(n)s characters or fewer.") % {"n": OPTION_MAX_LENGTH}
            )
        return options

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned data as the services take it."""
        data = dict(self.cleaned_data)
        data["buildings"] = list(data.get("buildings") or [])
        data["options"] = data.get("options") or []
        if data.get("notice_days") is None:
            data.pop("notice_days", None)  # the estate's standing rule
        return data

    @classmethod
    def initial_for(cls, decision: Decision) -> dict[str, Any]:
        """A draft's values, to edit it."""
        return {
            "kind": decision.kind,
            "title": decision.title,
            "body": decision.body,
            "matter": decision.matter,
            "buildings": list(decision.buildings.all()),
            "options": "\n".join(option.label for option in decision.options.all()),
            "method": decision.method,
            "min_choices": decision.min_choices,
            "max_choices": decision.max_choices,
            "unit": decision.unit,
            "binding": decision.binding,
            "quorum_percent": decision.quorum_percent,
            "seats": decision.seats,
            "notice_days": decision.notice_days,
            "opens_at": decision.opens_at,
            "closes_at": decision.closes_at,
            "revote": decision.revote,
            "show_totals_while_open": decision.show_totals_while_open,
        }


class SettingsForm(forms.Form):
    deemed_consent = forms.BooleanField(
        label=_("Deemed consent"),
        required=False,
        help_text=_(
            "Only if the estate's management statute says so: owners who were served the "
            "notice and did not vote are counted with the majority of those who voted. The "
            "strict count is always shown beside it."
        ),
    )
    publish_voter_flats = forms.BooleanField(
        label=_("Publish which flats voted"),
        required=False,
        help_text=_(
            "After the count, list the flats that voted with their areas (flat numbers and "
            "areas only, never names or phone numbers). Notices say so before voting opens."
        ),
    )
    online_over_paper = forms.BooleanField(
        label=_("An online vote stands over a paper one"),
        required=False,
        help_text=_(
            "If an owner votes both online and on paper, the online vote counts (Shenzhen's "
            "rule). Untick to let the paper ballot count instead."
        ),
    )
    notice_days = forms.IntegerField(
        label=_("Notice period (days)"), min_value=MIN_NOTICE_DAYS, max_value=90
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=300,
        help_text=_("Everyone will see it on the decision's page."),
        error_messages={"required": _("Say why the vote is cancelled.")},
    )


class AmendForm(forms.Form):
    """A correction to the frozen roll: a flat's area, or who owns it, with the reason."""

    flat_label = forms.CharField(
        label=_("Flat"), max_length=70, help_text=_("As on the roll, e.g. 17-1-302")
    )
    area = forms.DecimalField(
        label=_("Correct area (m²)"),
        required=False,
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"max_decimal_places": _("Give the area with at most two decimal places.")},
    )
    owner = forms.ModelChoiceField(
        label=_("Correct owner"), queryset=Owner.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Everyone will see it with the roll, e.g. which certificate shows it."),
    )

    def __init__(self, *args: Any, estate: Estate, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = Owner.objects.filter(
            estate=estate
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and data.get("area") is None and data.get("owner") is None:
            raise forms.ValidationError(_("Give the correct area, the correct owner, or both."))
        return data


class ServedForm(forms.Form):
    """Staff record that they handed the notice to these voters on paper."""

    entries = forms.ModelMultipleChoiceField(
        label=_("Voters served"),
        queryset=RollEntry.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one voter.")},
    )
    note = forms.CharField(
        label=_("How it was delivered"),
        max_length=120,
        help_text=_("E.g. handed over at the door, or signed for; kept as the proof of service."),
    )

    def __init__(self, *args: Any, entries: Any, labels: dict[int, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["entries"])
        field.queryset = entries
        field.label_from_instance = lambda entry: labels.get(entry.pk, entry.ref)  # type: ignore[method-assign,assignment]


class BallotForm(forms.Form):
    """One voter's ballot: agree / disagree / abstain for owners; options for residents' votes
    and elections (ranking as numbered selects, so no script is needed)."""

    entry = forms.IntegerField(widget=forms.HiddenInput, required=False)
    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=Ballot.Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose agree, disagree or abstain.")},
    )
    selections = forms.MultipleChoiceField(
        label=_("Your choice"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one.")},
    )

    def __init__(self, *args: Any, decision: Decision, options: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.decision = decision
        self.option_keys = [option.key for option in options]
        choices = [(option.key, option.label) for option in options]
        self.ranking = decision.kind == Decision.Kind.RESIDENTS and (
            decision.method == Decision.Method.RANKING
        )
        if decision.kind == Decision.Kind.OWNERS:
            del self.fields["selections"]
            return
        del self.fields["choice"]
        field = cast(forms.MultipleChoiceField, self.fields["selections"])
        field.choices = choices
        if self.ranking:
            del self.fields["selections"]
            places = min(decision.max_choices or len(options), len(options))
            for place in range(1, places + 1):
                self.fields[f"rank_{place}"] = forms.ChoiceField(
                    label=_("Choice %(n)s") % {"n": place},
                    choices=[("", "—"), *choices],
                    required=False,
                )
        elif decision.kind == Decision.Kind.ELECTION:
            field.label = _("Candidates you approve")
            field.required = False  # approving nobody is still taking part
        elif decision.method == Decision.Method.SINGLE:
            self.fields["selections"] = forms.ChoiceField(
                label=_("Your choice"),
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose one.")},
            )

    @property
    def rank_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("rank_")]

    @property
    def limit(self) -> int | None:
        """How many may be chosen, where more than one may."""
        if self.decision.kind == Decision.Kind.ELECTION:
            return self.decision.max_choices or self.decision.seats
        if self.decision.method == Decision.Method.MULTIPLE:
            return self.decision.max_choices
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.ranking:
            ranked = [data.get(field.name) or "" for field in self.rank_fields]
            chosen = [key for key in ranked if key]
            if not chosen:
                raise forms.ValidationError(_("Put at least one option in first place."))
            if ranked[: len(chosen)] != chosen:
                raise forms.ValidationError(_("Fill the places in order, without gaps."))
            if len(set(chosen)) != len(chosen):
                raise forms.ValidationError(_("Each option may have only one place."))
            data["selections"] = chosen
        selections = data.get("selections")
        if isinstance(selections, str):
            data["selections"] = [selections]
        if (limit := self.limit) and len(data.get("selections") or []) > limit:
            self.add_error("selections", _("Choose at most %(n)s.") % {"n": limit})
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.decision.kind == Decision.Kind.OWNERS:
            return {"choice": data["choice"]}
        return {"selections": list(data.get("selections") or [])}
