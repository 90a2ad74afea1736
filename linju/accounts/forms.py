"""Forms of the sign-in and sign-up pages: they only carry what was typed; the services judge."""

from django import forms
from django.utils.translation import gettext_lazy as _

PHONE_ATTRS = {
    "inputmode": "tel",
    "autocomplete": "tel-national",
    "class": "big-input",
}
CODE_ATTRS = {
    "inputmode": "numeric",
    "autocomplete": "one-time-code",
    "pattern": "[0-9]*",
    "maxlength": "6",
    "class": "big-input code-input",
}


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=40,
        error_messages={"required": _("Enter your mobile number.")},
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CodeSignInForm(forms.Form):
    phone = forms.CharField(max_length=40, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=20,
        error_messages={"required": _("Enter the 6 digits from the text message.")},
        widget=forms.TextInput(attrs=CODE_ATTRS),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class SignUpForm(forms.Form):
    phone = forms.CharField(max_length=40, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=20,
        error_messages={"required": _("Enter the 6 digits from the text message.")},
        widget=forms.TextInput(attrs=CODE_ATTRS),
    )
    display_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=10_000,  # the service gives the message for a name that is too long
        help_text=_(
            "How the residents' committee and your building-group leader will know you, "
            "e.g. 王阿姨 or 张建国. You may leave it blank."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "big-input"}),
    )
    privacy_notice_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it."), required=False
    )
    publish_name_consent = forms.BooleanField(
        label=_(
            "Also show my name to neighbours in public lists (optional; otherwise only my "
            "flat number is shown)."
        ),
        required=False,
    )


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=10_000,
        help_text=_("Leave it blank to be shown by your masked phone number."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
