"""Forms parse what people type; the services decide whether it is allowed and valid."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Occupancy, Person
from linju.core.phones import normalise_phone
from linju.membership.models import Delegation
from linju.membership.selectors import AgentChoice
from linju.membership.services import DELEGATION_MAX_DAYS


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=40,
        help_text=_("8 letters and digits, printed on the slip from the residents' committee."),
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "characters",
                "autocomplete": "off",
                "autocorrect": "off",
                "spellcheck": "false",
                "class": "code-input",
                "aria-describedby": "id_code_help",
            }
        ),
    )


class JoinForm(forms.Form):
    relation = forms.ChoiceField(
        label=_("Who are you at this flat?"),
        choices=Occupancy.Relation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who you are at this flat.")},
    )
    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=60,
        help_text=_("As the residents' committee knows you, e.g. 王小明."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("The person who asked will see it."),
        error_messages={"required": _("Say why, so the person knows what to do next.")},
    )


def _default_end() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=DELEGATION_MAX_DAYS)


class _ScopeMixin(forms.Form):
    scope = forms.MultipleChoiceField(
        label=_("They may"),
        choices=Delegation.Action.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose what they may do for you.")},
    )
    ends_on = forms.DateField(
        label=_("Until (at most one year)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=_default_end,
    )


class DelegationForm(_ScopeMixin):
    """An owner picks someone of their household; nobody has to type a phone number."""

    principal = forms.TypedChoiceField(label=_("For"), coerce=int, choices=[])
    agent = forms.TypedChoiceField(
        label=_("Who may act for you?"),
        coerce=int,
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who will act for you.")},
    )

    field_order = ["principal", "agent", "scope", "ends_on"]

    def __init__(self, *args: Any, principals: list[Person], agents: list[AgentChoice], **kw):
        super().__init__(*args, **kw)
        self.principals = {p.pk: p for p in principals}
        self.agents = {a.user.pk: a.user for a in agents}
        principal = cast(forms.TypedChoiceField, self.fields["principal"])
        principal.choices = [(p.pk, f"{p.full_name} · {p.estate.name}") for p in principals]
        if len(principals) == 1:
            principal.widget = forms.HiddenInput()
            principal.initial = principals[0].pk
        cast(forms.TypedChoiceField, self.fields["agent"]).choices = [
            (a.user.pk, f"{a.person.full_name} · {a.flat_label}") for a in agents
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "principal" in data:
            data["principal"] = self.principals[data["principal"]]
        if "agent" in data:
            data["agent"] = self.agents[data["agent"]]
        return data


class StaffDelegationForm(_ScopeMixin):
    """Staff record an authorisation on an owner's written request: the agent may be anyone
    with an account, found by sign-in name or phone number."""

    agent = forms.CharField(
        label=_("Agent's account"), max_length=150, help_text=_("Sign-in name or phone number")
    )
    starts_on = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Written request"),
        max_length=200,
        help_text=_("Which letter or form from the owner, and its date."),
    )

    field_order = ["agent", "scope", "starts_on", "ends_on", "note"]

    def clean_agent(self) -> Any:
        value = self.cleaned_data["agent"].strip()
        user_model = get_user_model()
        user = user_model.objects.filter(username=value).first()
        if user is None and (phone := normalise_phone(value)):
            user = user_model.objects.filter(phone=phone).first()
        if user is None:
            raise forms.ValidationError(_("No account with that sign-in name or phone number."))
        return user
