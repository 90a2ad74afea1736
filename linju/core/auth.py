"""Sign in with a username or a phone number, and a password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from linju.core.phones import normalise_phone


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None and (phone := normalise_phone(username)):
            user = user_model.objects.filter(phone=phone).first()
        if user is None:
            # Spend the same time as a real check, so timing does not tell who exists.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
