"""Forms parse what people type; the services decide whether it is allowed and valid."""

from decimal import Decimal
from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Flat, Occupancy, Role
from linju.core.phones import normalise_phone


class BuildingForm(forms.Form):
    number = forms.CharField(label=_("Building number"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
    floors = forms.IntegerField(label=_("Floors"), min_value=1, max_value=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FlatForm(forms.Form):
    floor = forms.IntegerField(label=_("Floor"), min_value=-5, max_value=200, required=False)
    area = forms.DecimalField(
        label=_("Exclusive area (m²)"),
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"max_decimal_places": _("Give the area with at most two decimal places.")},
    )
    area_source = forms.ChoiceField(label=_("Area source"), choices=Flat.AreaSource.choices)


class FlatCreateForm(FlatForm):
    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.none())
    entrance = forms.CharField(label=_("Entrance"), max_length=20, required=False)
    number = forms.CharField(label=_("Room number"), max_length=20)

    field_order = ["building", "entrance", "number", "floor", "area", "area_source"]

    def __init__(self, *args, estate: Estate, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["building"]).queryset = Building.objects.filter(
            estate=estate
        )


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    is_minor = forms.BooleanField(label=_("Under 18"), required=False)

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if raw and normalise_phone(raw) is None:
            raise forms.ValidationError(
                _("Enter an 11-digit mainland mobile number, e.g. 138 0013 8000.")
            )
        return raw


class OccupancyForm(forms.Form):
    flat = forms.CharField(
        label=_("Flat"), max_length=40, help_text=_("Building-entrance-room, e.g. 17-1-302")
    )
    relation = forms.ChoiceField(label=_("Relation"), choices=Occupancy.Relation.choices)
    starts_on = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, estate: Estate, **kwargs):
        super().__init__(*args, **kwargs)
        self.estate = estate

    def clean_flat(self) -> Flat:
        label = self.cleaned_data["flat"].strip().replace("—", "-").replace("－", "-")
        parts = [p.strip() for p in label.split("-") if p.strip()]
        flats = Flat.objects.filter(estate=self.estate)
        if len(parts) == 3:
            flat = flats.filter(
                building__number=parts[0], entrance__number=parts[1], number=parts[2]
            ).first()
        elif len(parts) == 2:
            flat = flats.filter(building__number=parts[0], number=parts[1]).first()
        else:
            flat = None
        if flat is None:
            raise forms.ValidationError(
                _("No flat %(label)s in this estate. Write it as building-entrance-room.")
                % {"label": label}
            )
        return flat


class EndDateForm(forms.Form):
    ends_on = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RoleAssignForm(forms.Form):
    account = forms.CharField(
        label=_("Account"), max_length=150, help_text=_("Sign-in name or phone number")
    )
    kind = forms.ChoiceField(label=_("Role"), choices=[])
    building = forms.ModelChoiceField(
        label=_("Building (for a group leader)"), queryset=Building.objects.none(), required=False
    )

    ESTATE_KINDS = (
        Role.Kind.GROUP_LEADER,
        Role.Kind.COMMITTEE_STAFF,
        Role.Kind.OWNERS_COMMITTEE,
        Role.Kind.PROPERTY_STAFF,
    )

    def __init__(self, *args, estate: Estate, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["building"]).queryset = Building.objects.filter(
            estate=estate
        )
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k.value, k.label) for k in self.ESTATE_KINDS
        ]

    def clean_account(self):
        value = self.cleaned_data["account"].strip()
        user_model = get_user_model()
        user = user_model.objects.filter(username=value).first()
        if user is None and (phone := normalise_phone(value)):
            user = user_model.objects.filter(phone=phone).first()
        if user is None:
            raise forms.ValidationError(_("No account with that sign-in name or phone number."))
        return user


class EstateSetupForm(forms.Form):
    street_name = forms.CharField(label=_("Street (街道) name"), max_length=100)
    street_slug = forms.SlugField(
        label=_("Street short name (letters, for addresses)"), max_length=60
    )
    estate_name = forms.CharField(label=_("Estate name"), max_length=100)
    estate_slug = forms.SlugField(
        label=_("Estate short name (letters, for addresses)"), max_length=60
    )
    staff_username = forms.CharField(label=_("First staff member's sign-in name"), max_length=150)
    staff_display_name = forms.CharField(label=_("Their name"), max_length=60, required=False)
    staff_password = forms.CharField(
        label=_("Their first password"), widget=forms.PasswordInput, min_length=8
    )
