"""The preferences form: taps only (switches and lists of hours), no typing."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.notifications.models import KindGroup

HOURS = [(f"{h:02d}:00", f"{h:02d}:00") for h in range(24)]


def _time(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


class PreferencesForm(forms.Form):
    sms_groups = forms.MultipleChoiceField(
        label=_("Text messages"), choices=KindGroup.choices, required=False
    )
    wechat_groups = forms.MultipleChoiceField(
        label=_("WeChat messages"), choices=KindGroup.choices, required=False
    )
    quiet_hours = forms.BooleanField(label=_("Quiet at night"), required=False)
    quiet_start = forms.TypedChoiceField(
        label=_("Quiet from"), choices=HOURS, coerce=_time, initial="22:00"
    )
    quiet_end = forms.TypedChoiceField(
        label=_("Quiet until"), choices=HOURS, coerce=_time, initial="07:00"
    )
    digest = forms.BooleanField(label=_("Put many messages together"), required=False)

    @classmethod
    def initial_from(cls, preferences) -> dict:
        return {
            "sms_groups": list(preferences.sms_groups or []),
            "wechat_groups": list(preferences.wechat_groups or []),
            "quiet_hours": preferences.quiet_hours,
            "quiet_start": preferences.quiet_start.strftime("%H:00"),
            "quiet_end": preferences.quiet_end.strftime("%H:00"),
            "digest": preferences.digest,
        }
