"""Forms parse what people type; the services decide whether it is allowed and valid."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Flat
from linju.spaces import services
from linju.spaces.models import Space, Spot

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Building %(number)s") % {"number": obj.number})


class FlatChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.label


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class SpaceForm(forms.Form):
    """A space's name, kind, place, manager, hours and slots."""

    name = forms.CharField(label=_("Name"), max_length=services.NAME_MAX)
    kind = forms.ChoiceField(label=_("Kind"), choices=Space.Kind.choices, widget=forms.RadioSelect)
    building = BuildingChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("The whole estate"),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=services.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    manager = ManagerChoiceField(
        label=_("Manager"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("No manager yet"),
        help_text=_("A resident who looks after the space: allocations, the waiting list."),
    )
    opens_at = forms.TimeField(label=_("Opens at"), widget=TIME_INPUT, initial="08:00")
    closes_at = forms.TimeField(label=_("Closes at"), widget=TIME_INPUT, initial="21:00")
    slot_minutes = forms.IntegerField(
        label=_("Slot length (minutes)"), min_value=5, max_value=1440, initial=60
    )
    max_booking_minutes = forms.IntegerField(
        label=_("Longest booking (minutes)"), min_value=5, max_value=1440, initial=180
    )

    def __init__(self, *args: Any, estate: Estate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(estate=estate).order_by(  # type: ignore[attr-defined]
            "sort_key", "number"
        )
        self.fields["manager"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(people__estate=estate)
            .distinct()
            .order_by("display_name", "username")
        )

    @staticmethod
    def initial_for(space: Space) -> dict[str, Any]:
        return {
            "name": space.name,
            "kind": space.kind,
            "building": space.building_id,
            "description": space.description,
            "manager": space.manager_id,
            "opens_at": space.opens_at,
            "closes_at": space.closes_at,
            "slot_minutes": space.slot_minutes,
            "max_booking_minutes": space.max_booking_minutes,
        }


class BookForm(forms.Form):
    """A booking: its start (chosen by tapping a slot), how many slots, and what for."""

    starts_at = forms.DateTimeField(widget=forms.HiddenInput)
    slots = forms.TypedChoiceField(label=_("How long"), coerce=int, initial=1)
    purpose = forms.CharField(
        label=_("What for"),
        required=False,
        max_length=services.PURPOSE_MAX,
        help_text=_("Shown to the manager, e.g. “grandchildren's birthday”, “chess club”."),
    )

    def __init__(self, *args: Any, space: Space, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        most = max(1, space.max_booking_minutes // space.slot_minutes)
        self.fields["slots"].choices = [  # type: ignore[attr-defined]
            (n, _("%(minutes)s minutes") % {"minutes": n * space.slot_minutes})
            for n in range(1, most + 1)
        ]
        self.space = space

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        starts_at = self.cleaned_data["starts_at"]
        if timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at)
        minutes = self.cleaned_data["slots"] * self.space.slot_minutes
        return starts_at, starts_at + datetime.timedelta(minutes=minutes)


class AllocationForm(forms.Form):
    """The manager gives a free spot to a household."""

    spot = forms.ModelChoiceField(label=_("Spot"), queryset=Spot.objects.none())
    flat = FlatChoiceField(label=_("Household (flat)"), queryset=Flat.objects.none())

    def __init__(self, *args: Any, space: Space, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taken = space.allocations.filter(ends_on__isnull=True)
        self.fields["spot"].queryset = space.spots.exclude(  # type: ignore[attr-defined]
            pk__in=taken.values("spot_id")
        ).order_by("label")
        flats = Flat.objects.filter(estate_id=space.estate_id).exclude(
            pk__in=taken.values("flat_id")
        )
        if space.building_id is not None:
            flats = flats.filter(building_id=space.building_id)
        self.fields["flat"].queryset = flats.select_related(  # type: ignore[attr-defined]
            "building", "entrance"
        ).order_by("building__sort_key", "entrance__number", "number")


class SpotsForm(forms.Form):
    """Spots to add, e.g. "A-01 A-02 A-03" or a range "A-01…A-24"."""

    labels = forms.CharField(
        label=_("Spot labels"),
        max_length=4000,
        help_text=_("Separate labels with spaces or commas, or give a range like A-01~A-24."),
    )

    def labels_list(self) -> list[str]:
        return parse_labels(self.cleaned_data["labels"])


def parse_labels(text: str) -> list[str]:
    """ "A-01~A-03, B-1" → ["A-01", "A-02", "A-03", "B-1"]; a range keeps the digits' width."""
    found: list[str] = []
    for part in text.replace("，", ",").replace(",", " ").split():
        for sep in ("~", "…"):
            if sep in part:
                first, last = part.split(sep, 1)
                prefix = first.rstrip("0123456789")
                head, tail = first[len(prefix) :], last[len(prefix) :]
                if last.startswith(prefix) and head.isdigit() and tail.isdigit():
                    low, high = int(head), int(tail)
                    if 0 <= high - low < services.MAX_SPOTS:
                        found.extend(f"{prefix}{n:0{len(head)}d}" for n in range(low, high + 1))
                        break
        else:
            found.append(part)
    return found
