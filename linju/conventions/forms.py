"""Forms parse what people type; the services decide whether it is allowed and valid."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate
from linju.conventions import services
from linju.conventions.models import CLAUSE_MAX_LENGTH, COMMENT_MAX_LENGTH, Convention
from linju.core import permissions
from linju.decisions.models import Decision


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Building %(number)s") % {"number": obj.number})


class ConventionForm(forms.Form):
    """A new convention: whose, what kind, its title and first clauses (one per line)."""

    building = BuildingChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("The whole estate"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Convention.Kind.choices,
        initial=Convention.Kind.CIVILITY,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=services.TITLE_MAX,
        error_messages={"required": _("Give the convention a title.")},
    )
    clauses = forms.CharField(
        label=_("First clauses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One clause per line; you can add, edit and reorder them later."),
    )

    def __init__(self, *args: Any, actor: Any, estate: Estate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [
            b.pk
            for b in Building.objects.filter(estate=estate).order_by("sort_key", "number")
            if permissions.can(actor, "create", Convention(estate=estate, building=b))
        ]
        field = self.fields["building"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Building.objects.filter(pk__in=allowed).order_by("sort_key", "number")
        if not permissions.can(actor, "create", Convention(estate=estate)):
            field.required = True
            field.empty_label = None

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "building": data["building"],
            "kind": data["kind"],
            "title": data["title"],
            "clauses": [line for line in data["clauses"].splitlines() if line.strip()],
        }


class ClauseForm(forms.Form):
    text = forms.CharField(
        label=_("Clause"),
        max_length=CLAUSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the clause.")},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment on this clause"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write your comment first.")},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=services.REASON_MAX,
        error_messages={"required": _("Say why the comment is hidden.")},
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"), max_length=services.REASON_MAX, required=False
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=services.NOTE_MAX,
        error_messages={"required": _("Say why it is withdrawn.")},
    )


class VersionForm(forms.Form):
    note = forms.CharField(
        label=_("What changed (optional)"), max_length=services.NOTE_MAX, required=False
    )


def _in_days(days: int) -> datetime.datetime:
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=9, minute=0, second=0, microsecond=0)


class VoteForm(forms.Form):
    """When the adoption vote opens and closes, and who votes."""

    opens_at = forms.DateTimeField(
        label=_("Voting opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Set when voting opens.")},
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Set when voting closes.")},
    )
    unit = forms.ChoiceField(
        label=_("Who votes"),
        choices=Decision.Unit.choices,
        initial=Decision.Unit.HOUSEHOLD,
        widget=forms.RadioSelect,
    )

    @classmethod
    def initial_for(cls, notice_days: int) -> dict[str, Any]:
        return {
            "opens_at": _in_days(notice_days + 1),
            "closes_at": _in_days(notice_days + 8),
            "unit": Decision.Unit.HOUSEHOLD,
        }
