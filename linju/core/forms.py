from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Sign-in name or phone, and password: judged by ``accounts.services.password_sign_in``
    (the same service the API calls), which also locks out repeated failures."""

    username = forms.CharField(
        label=_("Sign-in name or phone number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "That sign-in name or phone number and password do not match. Check them and try again."
        ),
        "inactive": _("This account is switched off. Ask your residents' committee."),
    }
    # The refusal when the account or network is locked out (the page answers 429).
    locked_out: ValidationError | None = None

    def clean(self):
        from linju.accounts.services import Throttled, password_sign_in

        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = password_sign_in(
                    request=self.request, login=username, password=password
                )
            except Throttled as exc:
                self.locked_out = exc
                raise ValidationError(exc.messages, code="locked_out") from None
            except ValidationError:
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
