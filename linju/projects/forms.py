"""Forms of the project pages. They parse what was typed; the services judge it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate
from linju.core.phones import normalise_phone
from linju.projects import requirements
from linju.projects.models import ProjectMember, ProjectPhoto, StageOwner
from linju.projects.services import (
    CAPTION_MAX,
    NOTE_MAX,
    ORGANISATION_MAX,
    STAGE_NAME_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
)


def find_account(value: str) -> Any:
    """The account with this sign-in name or phone number (as the roles console finds it)."""
    value = (value or "").strip()
    users = get_user_model().objects
    user = users.filter(username=value, is_active=True).first()
    if user is None and (phone := normalise_phone(value)):
        user = users.filter(phone=phone, is_active=True).first()
    return user


class AccountField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Account"))
        kwargs.setdefault("help_text", _("Sign-in name or phone number"))
        super().__init__(max_length=150, **kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if not value:
            return None
        user = find_account(value)
        if user is None:
            raise forms.ValidationError(_("No account with that sign-in name or phone number."))
        return user


class ProjectCreateForm(forms.Form):
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("The whole estate"),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    summary = forms.CharField(
        label=_("What the building wants to do"),
        max_length=SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, buildings: Any, whole_estate: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["building"])
        field.queryset = buildings
        field.required = not whole_estate
        if not whole_estate:
            field.empty_label = None


class ProjectEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    budget = forms.CharField(
        label=_("Budget (¥)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    fund = forms.ModelChoiceField(
        label=_("Fund that pays for it"), queryset=Estate.objects.none(), required=False
    )
    showcase_public = forms.BooleanField(
        label=_("Show the finished project's showcase to the public"),
        help_text=_("Only when the estate's notice board is public too."),
        required=False,
    )

    def __init__(self, *args: Any, funds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["fund"]).queryset = funds


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.TextInput(),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=NOTE_MAX)


class AssignForm(forms.Form):
    owner = AccountField(label=_("Person in charge"), required=False)
    due_on = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PhotoForm(forms.Form):
    upload = forms.FileField(label=_("Photo"))
    kind = forms.ChoiceField(
        label=_("What it shows"),
        choices=ProjectPhoto.Kind.choices,
        initial=ProjectPhoto.Kind.GENERAL,
        widget=forms.RadioSelect,
    )
    pair = forms.IntegerField(
        label=_("Pair number"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=_("For a 'before' or 'after' photo: the same number for the same spot."),
    )
    caption = forms.CharField(label=_("Caption"), max_length=CAPTION_MAX, required=False)


class InviteForm(forms.Form):
    account = AccountField()
    kind = forms.ChoiceField(
        label=_("Role"),
        choices=ProjectMember.Kind.choices,
        initial=ProjectMember.Kind.DESIGNER,
        widget=forms.RadioSelect,
    )
    organisation = forms.CharField(
        label=_("Organisation"), max_length=ORGANISATION_MAX, required=False
    )


class StageForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    name = forms.CharField(label=_("Stage"), max_length=STAGE_NAME_MAX, required=False)
    requirement = forms.ChoiceField(label=_("Needed to move on"), choices=[], required=False)
    owner_role = forms.ChoiceField(
        label=_("Carried by"), choices=StageOwner.choices, initial=StageOwner.LEADER
    )
    days = forms.IntegerField(
        label=_("Usual length (days)"), required=False, min_value=1, max_value=3650
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["requirement"]).choices = requirements.choices()


RoadFormSet = forms.formset_factory(
    StageForm, extra=2, can_delete=True, can_order=True, max_num=30, absolute_max=40
)
