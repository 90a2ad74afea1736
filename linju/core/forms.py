from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Sign-in name or phone number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _(
            "That sign-in name or phone number and password do not match. Check them and try again."
        ),
        "inactive": _("This account is switched off. Ask your residents' committee."),
    }
