"""Forms of the results pages: the cross-tabulation's choice and publishing the summary."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.consultations.models import DECIDED_MAX, Question
from linju.consultations.publish import SUMMARY_MAX
from linju.consultations.results import Dimension


class CrossTabForm(forms.Form):
    question = forms.TypedChoiceField(label=_("Question"), coerce=int)
    by = forms.ChoiceField(label=_("Broken down by"), choices=Dimension.choices)

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["question"].choices = [(q.pk, q.text) for q in questions]  # type: ignore[attr-defined]

    def clean_question(self) -> Question:
        wanted = self.cleaned_data["question"]
        return next(q for q in self.questions if q.pk == wanted)


class PublishForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the results"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown on the notice board, to everyone who may read it. No names."),
    )
    decided = forms.CharField(
        label=_("What was decided because of it"),
        max_length=DECIDED_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
