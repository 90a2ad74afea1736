"""Forms parse what people type; the services decide whether it is allowed and valid."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate, Occupancy, Person
from linju.core import permissions
from linju.meetings import services
from linju.meetings.models import Attendance, Invitation, Meeting

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
MAX_FLATS = 200


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Building %(number)s") % {"number": obj.number})


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _rooms(estate: Estate) -> Any:
    if not apps.is_installed("linju.spaces"):
        return None
    from linju.spaces.models import Space

    return Space.objects.filter(estate=estate, kind=Space.Kind.ROOM).order_by("name", "pk")


class MeetingForm(forms.Form):
    """A meeting's plan: what kind, where, when, about which project, and its agenda."""

    kind = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=Meeting.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of meeting it is.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=services.TITLE_MAX,
        error_messages={"required": _("Give the meeting a title.")},
    )
    building = BuildingChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("The whole estate"),
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("No project"),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=DATETIME_FORMATS,
        widget=LocalDateTimeInput(),
        error_messages={
            "required": _("Give the day and time the meeting starts."),
            "invalid": _("Give the day and time the meeting starts."),
        },
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=LocalDateTimeInput(),
        error_messages={"invalid": _("Give the time the meeting ends, or leave it empty.")},
    )
    place = forms.CharField(label=_("Place"), max_length=services.PLACE_MAX, required=False)
    space = forms.ModelChoiceField(
        label=_("Book a room for it"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("No booking"),
        help_text=_("The room is booked for the meeting's time; give the time it ends too."),
    )
    online_link = forms.CharField(
        label=_("Online meeting link"),
        max_length=services.LINK_MAX,
        required=False,
        help_text=_("For those who take part from home (Tencent Meeting, WeChat…)."),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=services.AGENDA_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item per line, in the order they are taken."),
    )

    def __init__(
        self, *args: Any, actor: Any, estate: Estate, booking: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        organiser = permissions.can(actor, "create", Meeting(estate=estate, kind="hearing"))
        buildings = [
            b
            for b in Building.objects.filter(estate=estate).order_by("sort_key", "number")
            if organiser
            or permissions.can(actor, "create", Meeting(estate=estate, building=b, kind="building"))
        ]
        building_field = cast(forms.ModelChoiceField, self.fields["building"])
        building_field.queryset = Building.objects.filter(
            pk__in=[b.pk for b in buildings]
        ).order_by("sort_key", "number")
        kind_field = cast(forms.ChoiceField, self.fields["kind"])
        if not organiser:
            kind_field.choices = [(Meeting.Kind.BUILDING, Meeting.Kind.BUILDING.label)]
            building_field.required = True
            building_field.empty_label = None
            building_field.help_text = _("You organise meetings of the building you lead.")
        from linju.projects.models import Project

        project_field = cast(forms.ModelChoiceField, self.fields["project"])
        projects = Project.objects.filter(estate=estate).exclude(status="cancelled")
        if not organiser:
            projects = projects.filter(building__in=buildings)
        project_field.queryset = projects.select_related("building").order_by("-created_at")
        rooms = _rooms(estate) if booking else None
        space_field = cast(forms.ModelChoiceField, self.fields["space"])
        if rooms is None or not rooms.exists():
            del self.fields["space"]
        else:
            space_field.queryset = rooms

    @staticmethod
    def initial_for(meeting: Meeting) -> dict[str, Any]:
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "building": meeting.building_id,
            "project": meeting.project_id,
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "place": meeting.place,
            "online_link": meeting.online_link,
            "agenda": meeting.agenda,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments = {
            name: data.get(name)
            for name in (
                "kind",
                "title",
                "building",
                "project",
                "starts_at",
                "ends_at",
                "place",
                "online_link",
                "agenda",
            )
        }
        if "space" in self.fields:
            arguments["space"] = data.get("space")
        return arguments


class InviteForm(forms.Form):
    building_residents = forms.BooleanField(
        label=_("Invite everyone living in the building"),
        required=False,
        help_text=_("The adults of every household there today."),
    )
    flats = forms.CharField(
        label=_("Or these households"),
        required=False,
        max_length=4000,
        help_text=_("Flat numbers as residents write them, separated by spaces: 17-302 17-1101"),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        if meeting.building_id is None:
            del self.fields["building_residents"]

    def clean_flats(self) -> list[Person]:
        tokens = str(self.cleaned_data.get("flats") or "").replace(",", " ").replace("，", " ")
        labels = [t for t in tokens.split() if t]
        if len(labels) > MAX_FLATS:
            raise ValidationError(_("Give at most %(n)s flats at a time.") % {"n": MAX_FLATS})
        people: dict[int, Person] = {}
        missing = []
        occupancies = (
            Occupancy.objects.current()
            .filter(estate_id=self.meeting.estate_id, person__is_minor=False)
            .select_related("person", "flat__building", "flat__entrance")
        )
        for label in labels:
            parts = label.split("-")
            found = occupancies.filter(flat__number=parts[-1])
            if len(parts) >= 2:
                found = found.filter(flat__building__number=parts[0])
            if len(parts) == 3:
                found = found.filter(flat__entrance__number=parts[1])
            rows = list(found)
            if not rows:
                missing.append(label)
            for occupancy in rows:
                people[occupancy.person_id] = occupancy.person
        if missing:
            raise ValidationError(
                _("No one lives at: %(flats)s") % {"flats": " ".join(missing[:10])}
            )
        return list(people.values())


class RespondForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Will you come?"),
        choices=Invitation.Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes, no or maybe.")},
    )


class AttendanceForm(forms.Form):
    person = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label=_("Guest's name"), max_length=services.NAME_MAX, required=False)
    mode = forms.ChoiceField(
        label=_("Took part"),
        choices=Attendance.Mode.choices,
        widget=forms.RadioSelect,
        initial=Attendance.Mode.IN_PERSON,
        error_messages={"required": _("Choose in person or online.")},
    )
    signed_on_paper = forms.BooleanField(label=_("Signed the paper sheet"), required=False)

    def __init__(self, *args: Any, actor: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.meeting = meeting

    def clean_person(self) -> Person | None:
        pk = self.cleaned_data.get("person")
        if pk is None:
            return None
        person = (
            permissions.visible(self.actor, Person.objects.filter(estate_id=self.meeting.estate_id))
            .filter(pk=pk)
            .first()
        )
        if person is None:
            raise ValidationError(_("Choose someone of this estate's roster."))
        return person


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=services.MINUTES_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": _("Write the minutes.")},
        help_text=_(
            "What was said and agreed, as residents will read it on the board. Leave out names "
            "and phone numbers unless they must be published."
        ),
    )
    outcomes = forms.CharField(
        label=_("Outcomes"),
        required=False,
        max_length=services.OUTCOMES_MAX * (services.OUTCOME_MAX + 2),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One outcome per line: what was decided, and who does what next."),
    )

    def outcome_list(self) -> list[str]:
        return [line for line in str(self.cleaned_data.get("outcomes") or "").splitlines()]


class PublishForm(forms.Form):
    to_board = forms.BooleanField(
        label=_("Also put the minutes on the notice board"), required=False, initial=True
    )
    days = forms.IntegerField(
        label=_("Days on the board"),
        min_value=1,
        max_value=365,
        initial=services.BOARD_DAYS,
        error_messages={"required": _("Publish for 1 to 365 days.")},
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meeting.minutes_go_to_board:
            del self.fields["to_board"]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=services.REASON_MAX,
        error_messages={
            "required": _("Say why the meeting is cancelled; the reason is shown with it.")
        },
    )


class SheetForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo of the signed sheet"),
        error_messages={"required": _("Choose the photo of the sheet.")},
    )
