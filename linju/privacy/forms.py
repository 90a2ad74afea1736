from django import forms
from django.utils.translation import gettext_lazy as _


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: my account and my name and phone number will be deleted."),
        required=False,
    )
