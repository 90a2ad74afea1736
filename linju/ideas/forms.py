"""Forms parse what people type; the services decide whether it is allowed and valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.ideas.models import (
    COMMENT_MAX,
    IDEA_BODY_MAX,
    IDEA_TITLE_MAX,
    MAX_PHOTOS,
    REASON_MAX,
    TOPIC_TITLE_MAX,
)


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one file input (the phone's camera or its album)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            PhotosInput(attrs={"accept": "image/*", "multiple": True, "class": "big-input"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class IdeaForm(forms.Form):
    """A new idea: what, the details, photos (three big steps on one page)."""

    title = forms.CharField(
        label=_("1. Your idea in a few words"),
        max_length=IDEA_TITLE_MAX,
        error_messages={"required": _("Say in a few words what your idea is.")},
        widget=forms.TextInput(attrs={"class": "big-input", "autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("2. Tell your neighbours more"),
        required=False,
        max_length=IDEA_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What is the problem, where is it, what would make it better?"),
    )
    photos = PhotosField(
        label=_("3. Photos"),
        required=False,
        help_text=_("Up to 6 photos. Take them with your phone's camera or choose them."),
    )

    def clean_photos(self) -> list[Any]:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(_("Add at most %(n)s photos.") % {"n": MAX_PHOTOS})
        return photos


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX,
        error_messages={"required": _("Write your comment.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("Why? (optional)"), required=False, max_length=REASON_MAX)


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it hidden? Residents will read this."),
        max_length=REASON_MAX,
        error_messages={"required": _("Say why the comment is hidden: residents will read it.")},
    )


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(
        label=_("It repeats this idea"),
        coerce=int,
        error_messages={"required": _("Choose the idea it repeats.")},
    )

    def __init__(self, *args: Any, targets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [("", "—")] + [(i.pk, i.title) for i in targets]  # type: ignore[attr-defined]


class ToTopicForm(forms.Form):
    project = forms.TypedChoiceField(
        label=_("Project"),
        coerce=int,
        error_messages={"required": _("Choose the project.")},
    )
    title = forms.CharField(
        label=_("Topic (leave empty to use the idea's title)"),
        required=False,
        max_length=TOPIC_TITLE_MAX,
    )

    def __init__(self, *args: Any, projects: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [(p.pk, p.title) for p in projects]  # type: ignore[attr-defined]


class TopicForm(forms.Form):
    title = forms.CharField(
        label=_("New topic"),
        max_length=TOPIC_TITLE_MAX,
        error_messages={"required": _("Give the topic a title.")},
    )
