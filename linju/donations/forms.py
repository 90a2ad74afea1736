from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.donations.models import Donation


class AccountForm(forms.Form):
    name = forms.CharField(
        label=_("Foundation's name"),
        max_length=120,
        help_text=_("As printed on donation receipts, e.g. 万里社区基金会."),
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, required=False
    )


class DonationForm(forms.Form):
    donor_name = forms.CharField(label=_("Donor"), max_length=100)
    donor_kind = forms.ChoiceField(
        label=_("The donor is"),
        choices=Donation.DonorKind.choices,
        initial=Donation.DonorKind.PERSON,
        widget=forms.RadioSelect,
    )
    amount = forms.CharField(
        label=_("Amount (¥)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(
        label=_("How"), choices=Donation.Method.choices, widget=forms.RadioSelect
    )
    reference = forms.CharField(
        label=_("Transfer reference"),
        max_length=64,
        required=False,
        help_text=_("Needed for transfers; each reference is recorded once."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=120,
        required=False,
        help_text=_("What the donor gives for; empty for the foundation's general work."),
    )
    publish_name = forms.BooleanField(
        label=_("The donor agrees to have their name published"),
        required=False,
        help_text=_(
            "Without this consent the donor's name appears only on their receipt and to the "
            "foundation's officers (Charity Law Art. 82)."
        ),
    )
    donor_email = forms.EmailField(
        label=_("Donor's email"),
        required=False,
        help_text=_("To send the receipt to the donor."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class SendForm(forms.Form):
    email = forms.EmailField(label=_("Send the receipt to"))
