"""Forms parse what people type; the services decide whether it is allowed and valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.talents import services
from linju.talents.models import Skill, TalentProfile


class ProfileForm(forms.Form):
    """One's own entry in the directory, with the explicit consent to show it."""

    display_name = forms.CharField(
        label=_("Name shown"),
        max_length=services.NAME_MAX,
        help_text=_("How neighbours will see you, e.g. “王阿姨” or “3号楼 老李”."),
    )
    skills = forms.MultipleChoiceField(
        label=_("Skills"), choices=Skill.choices, widget=forms.CheckboxSelectMultiple
    )
    profile = forms.CharField(
        label=_("A few words about you"),
        required=False,
        max_length=services.PROFILE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you can help with. Leave out your phone number and address."),
    )
    consent = forms.BooleanField(
        label=_("I agree that members of the estate see my name, skills, profile and works"),
        required=False,
        help_text=_("Without this nothing is shown. You can untick it at any time."),
    )

    @staticmethod
    def initial_for(profile: TalentProfile) -> dict[str, Any]:
        return {
            "display_name": profile.display_name,
            "skills": [s.skill for s in profile.skills.all()],
            "profile": profile.profile,
            "consent": profile.is_shown,
        }


class WorkForm(forms.Form):
    image = forms.FileField(label=_("Photo of a work"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=services.CAPTION_MAX)


class InviteForm(forms.Form):
    profile = forms.ModelChoiceField(label=_("Talent"), queryset=TalentProfile.objects.none())
    role = forms.CharField(
        label=_("What you ask them to do"),
        max_length=services.ROLE_MAX,
        help_text=_("e.g. “书写楼道公约”, “拍摄改造前后照片”."),
    )

    def __init__(self, *args: Any, profiles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = profiles  # type: ignore[attr-defined]
