"""Background work of the accounts app: sending sign-in codes by text message.

The request that asks for a code writes a row and enqueues this task after commit, for
registered and unregistered numbers alike; the task decides whether to send. So the request
does the same work whoever's number it is, and a slow or failing SMS provider shows in the
worker's log, not in the answer to the person asking.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from linju.accounts.codes import code_for
from linju.accounts.models import PhoneCode
from linju.accounts.sms import send_sms


def _message(row: PhoneCode, *, registered: bool) -> str:
    code = code_for(row.nonce)
    if row.purpose == PhoneCode.Purpose.SIGN_IN:
        return _(
            "Linju: your sign-in code is %(code)s. It is valid for 10 minutes. "
            "Never tell it to anyone, not even staff."
        ) % {"code": code}
    if registered:
        return _(
            "Linju: this number already has an account. The code %(code)s signs you in; it is "
            "valid for 10 minutes. Never tell it to anyone, not even staff."
        ) % {"code": code}
    return _(
        "Linju: your sign-up code is %(code)s. It is valid for 10 minutes. "
        "Never tell it to anyone, not even staff."
    ) % {"code": code}


@task()
def phone_code_send(code_id: int) -> bool:
    """Send the code of row ``code_id`` if it is still live and meant to be delivered.
    Returns whether a message was handed to the SMS backend."""
    row = PhoneCode.objects.filter(pk=code_id).first()
    if (
        row is None
        or not row.deliver
        or row.used_at is not None
        or row.superseded
        or row.expires_at <= timezone.now()
    ):
        return False
    user = get_user_model().objects.filter(phone=row.phone).first()
    language = settings.LANGUAGE_CODE
    if user is not None and user.language in dict(settings.LANGUAGES):
        language = user.language
    with translation.override(language):
        message = _message(row, registered=user is not None)
    return send_sms(phone=row.phone, message=message)
