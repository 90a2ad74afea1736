"""Forms parse what people type; the services decide whether it is allowed and valid."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate
from linju.core import permissions
from linju.notices import services
from linju.notices.models import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS, Notice


def buildings_for(actor: Any, estate: Estate) -> list[Building]:
    """The buildings of ``estate`` whose board the actor may post on."""
    return [
        b
        for b in Building.objects.filter(estate=estate).order_by("sort_key", "number")
        if permissions.can(actor, "create", Notice(estate=estate, building=b))
    ]


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Building %(number)s") % {"number": obj.number})


class NoticeForm(forms.Form):
    """A notice's draft: where, which category, title and text."""

    building = BuildingChoiceField(
        label=_("Board"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("The whole estate"),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=Notice.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the six categories.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=services.TITLE_MAX,
        error_messages={"required": _("Give the notice a title.")},
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "As residents will read it. Leave out names and phone numbers unless they must be "
            "published."
        ),
    )

    def __init__(self, *args: Any, actor: Any, estate: Estate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        buildings = buildings_for(actor, estate)
        field = cast(forms.ModelChoiceField, self.fields["building"])
        field.queryset = Building.objects.filter(pk__in=[b.pk for b in buildings]).order_by(
            "sort_key", "number"
        )
        if not permissions.can(actor, "create", Notice(estate=estate)):
            field.required = True
            field.empty_label = None
            field.help_text = _("You post for the building you lead.")

    @staticmethod
    def initial_for(notice: Notice) -> dict[str, Any]:
        return {
            "building": notice.building_id,
            "category": notice.category,
            "title": notice.title,
            "body": notice.body,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "building": data.get("building"),
            "category": data["category"],
            "title": data["title"],
            "body": data.get("body") or "",
        }


class PublishForm(forms.Form):
    days = forms.IntegerField(
        label=_("On the board for (days)"),
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text=_(
            "Counted from the day after publishing. Audits are usually posted for 30 days, the "
            "owners' committee's disclosures for at least 15."
        ),
        error_messages={"required": _("Say for how many days (1 to 365).")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        max_length=services.REASON_MAX,
        help_text=_("Shown with the notice: it stays on the board, marked withdrawn."),
        error_messages={"required": _("Say why the notice is withdrawn.")},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Add a file"),
        help_text=_("PDF, JPEG, PNG or Excel (.xlsx), up to 10 MB."),
        error_messages={"required": _("Choose a file to attach.")},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            services.attachment_kind(upload)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return upload


class BoardSettingsForm(forms.Form):
    public = forms.BooleanField(
        label=_("Readable without signing in"),
        required=False,
        help_text=_(
            "Anyone with the link can read the notice board and its notices and files. The "
            "public view shows no personal data: no names of readers or of who posted."
        ),
    )
