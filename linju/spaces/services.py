"""Writes for shared spaces: spaces, bookings, spot allocations and the waiting list.

Every service checks permission, locks what racing would break, validates, writes and audits in
one transaction: a refused or invalid call writes nothing.

- Bookings are taken under a lock on the space (``select_for_update``), so two people asking for
  the same slot at once queue and the second is refused; touching bookings (one ends when the
  next starts) do not overlap.
- Using a space with rules (a usage convention, 使用公约) requires having accepted them
  (``linju.conventions.selectors.convention_accepted``). The space's manager and committee staff,
  who look after the rules, are not asked to.
- Ending an allocation gives the freed spot at once to the household first on the waiting list
  (the order is the time each joined), and tells that household and the manager. Allocating
  automatically keeps the list's order binding and leaves nothing waiting on someone's inbox.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.community.models import Building, Estate, Flat, Occupancy, Person
from linju.core import audit, permissions
from linju.spaces.models import Allocation, Booking, Space, Spot, WaitingEntry

NAME_MAX = 80
DESCRIPTION_MAX = 2000
PURPOSE_MAX = 200
LABEL_MAX = 20
MAX_SPOTS = 500
# How far ahead a room may be booked.
BOOK_AHEAD_DAYS = 60


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _clean_text(value: Any, *, limit: int, field: str, required: bool = False) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise _refuse(_("The text holds a character that is not allowed."), field=field)
    if required and not text:
        raise _refuse(_("This field is required."), field=field, code="required")
    if len(text) > limit:
        raise _refuse(
            _("Keep this to %(n)s characters or fewer.") % {"n": limit}, field=field, code="long"
        )
    return text


def _locked_space(space: Space) -> Space:
    return Space.objects.select_for_update(of=("self",)).select_related("estate").get(pk=space.pk)


def _is_caretaker(actor: Any, space: Space) -> bool:
    """The manager and committee staff look after the space (and its rules)."""
    return permissions.can(actor, "manage", space)


def rules_accepted(*, user: Any, space: Space) -> bool:
    """Whether ``user`` may use ``space`` as far as its rules go: it has none, or they were
    accepted (read and agreed through the conventions app)."""
    convention = getattr(space, "rules", None) if getattr(space, "rules_id", None) else None
    if convention is None:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from linju.conventions.selectors import convention_accepted

    return bool(convention_accepted(user=user, convention=convention))


def _require_rules(actor: Any, space: Space) -> None:
    if _is_caretaker(actor, space):
        return
    if not rules_accepted(user=actor, space=space):
        raise _refuse(
            _("Please read and accept the rules of this space first."), code="rules_not_accepted"
        )


def households_of(*, user: Any, space: Space) -> list[Flat]:
    """The flats ``user`` lives in today that may use ``space`` (its estate, or its building)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    flats = Flat.objects.filter(
        estate_id=space.estate_id,
        occupancies__in=Occupancy.objects.current().filter(person__user=user),
    )
    if space.building_id is not None:
        flats = flats.filter(building_id=space.building_id)
    return list(flats.select_related("building", "entrance").distinct().order_by("pk"))


def _person_of(user: Any, estate_id: int) -> Person | None:
    return Person.objects.filter(user=user, estate_id=estate_id).first()


def _household(actor: Any, space: Space, flat: Flat | None) -> Flat:
    mine = households_of(user=actor, space=space)
    if flat is None:
        if not mine:
            raise _refuse(
                _("Only households that live here can use this space."), code="no_household"
            )
        return mine[0]
    if flat.pk not in {f.pk for f in mine}:
        raise _refuse(_("Choose a household you live in."), field="flat")
    return flat


# --- Spaces ----------------------------------------------------------------------------------


def _clean_space(
    *,
    estate: Estate,
    building: Building | None,
    name: Any,
    kind: Any,
    description: Any,
    opens_at: Any,
    closes_at: Any,
    slot_minutes: Any,
    max_booking_minutes: Any,
    manager: Any,
) -> dict[str, Any]:
    if building is not None and building.estate_id != estate.pk:
        raise _refuse(_("Choose a building of this estate."), field="building")
    if kind not in Space.Kind.values:
        raise _refuse(_("Choose a bookable room or allocated spots."), field="kind")
    values: dict[str, Any] = {
        "building": building,
        "name": _clean_text(name, limit=NAME_MAX, field="name", required=True),
        "kind": kind,
        "description": _clean_text(description, limit=DESCRIPTION_MAX, field="description"),
        "manager": manager,
    }
    if not isinstance(opens_at, datetime.time) or not isinstance(closes_at, datetime.time):
        raise _refuse(_("Give the opening hours."), field="opens_at")
    if closes_at <= opens_at:
        raise _refuse(_("The space must close after it opens."), field="closes_at")
    try:
        slot = int(slot_minutes)
        longest = int(max_booking_minutes)
    except (TypeError, ValueError):
        raise _refuse(_("Give the slot length in minutes."), field="slot_minutes") from None
    if not 5 <= slot <= 24 * 60:
        raise _refuse(_("A slot lasts from 5 minutes to a day."), field="slot_minutes")
    if longest < slot or longest % slot:
        raise _refuse(
            _("The longest booking must be a whole number of slots."),
            field="max_booking_minutes",
        )
    values.update(opens_at=opens_at, closes_at=closes_at, slot_minutes=slot)
    values["max_booking_minutes"] = longest
    if manager is not None and not Person.objects.filter(estate=estate, user=manager).exists():
        raise _refuse(_("The manager must be a person of this estate."), field="manager")
    return values


@transaction.atomic
def space_create(
    *,
    actor: Any,
    estate: Estate,
    name: str,
    kind: str = Space.Kind.ROOM,
    building: Building | None = None,
    description: str = "",
    manager: Any = None,
    opens_at: datetime.time = datetime.time(8, 0),
    closes_at: datetime.time = datetime.time(21, 0),
    slot_minutes: int = 60,
    max_booking_minutes: int = 180,
    rules: Any = None,
) -> Space:
    """A new shared space of ``estate`` (committee staff)."""
    permissions.require(actor, "create", Space(estate=estate))
    values = _clean_space(
        estate=estate,
        building=building,
        name=name,
        kind=kind,
        description=description,
        opens_at=opens_at,
        closes_at=closes_at,
        slot_minutes=slot_minutes,
        max_booking_minutes=max_booking_minutes,
        manager=manager,
    )
    space = Space(estate=estate, **values)
    if rules is not None:
        _check_rules(estate, rules)
        space.rules = rules
    space.save()
    audit.record(actor=actor, action="space.create", target=space)
    return space


def _check_rules(estate: Estate, rules: Any) -> None:
    if getattr(rules, "estate_id", estate.pk) != estate.pk:
        raise _refuse(_("Choose a convention of this estate."), field="rules")


@transaction.atomic
def space_update(*, actor: Any, space: Space, **fields: Any) -> Space:
    """Change a space's name, hours, manager or rules (committee staff; the manager changes
    everything but who manages it)."""
    permissions.require(actor, "change", space)
    space = _locked_space(space)
    current = {
        "building": space.building,
        "name": space.name,
        "kind": space.kind,
        "description": space.description,
        "opens_at": space.opens_at,
        "closes_at": space.closes_at,
        "slot_minutes": space.slot_minutes,
        "max_booking_minutes": space.max_booking_minutes,
        "manager": space.manager,
    }
    unknown = set(fields) - set(current) - {"rules"}
    if unknown:
        raise TypeError(f"space_update() got unexpected fields {sorted(unknown)!r}")
    if "manager" in fields and fields["manager"] != space.manager:
        permissions.require(actor, "create", space)  # only staff hand the space to someone
    changes_kind = "kind" in fields and fields["kind"] != space.kind
    if changes_kind and space.allocations.filter(ends_on__isnull=True).exists():
        raise _refuse(_("End every allocation before changing the kind."), field="kind")
    asked = {k: v for k, v in fields.items() if k != "rules"}
    values = _clean_space(estate=space.estate, **{**current, **asked})
    if "rules" in fields:
        if fields["rules"] is not None:
            _check_rules(space.estate, fields["rules"])
        values["rules"] = fields["rules"]
    diff = audit.changes(space, values)
    for name, value in values.items():
        setattr(space, name, value)
    space.save()
    if diff:
        audit.record(actor=actor, action="space.update", target=space, changes=diff)
    return space


@transaction.atomic
def spots_add(*, actor: Any, space: Space, labels: list[str]) -> list[Spot]:
    """Add spots to a space of spots (manager or committee staff); labels are unique."""
    permissions.require(actor, "manage", space)
    space = _locked_space(space)
    if space.kind != Space.Kind.SPOTS:
        raise _refuse(_("Only a space of allocated spots has spots."))
    cleaned = [_clean_text(label, limit=LABEL_MAX, field="labels") for label in labels]
    cleaned = [label for label in cleaned if label]
    if not cleaned:
        raise _refuse(_("Give at least one label."), field="labels")
    if len(set(cleaned)) != len(cleaned):
        raise _refuse(_("Each label may appear once."), field="labels")
    taken = set(Spot.objects.filter(space=space, label__in=cleaned).values_list("label", flat=True))
    if taken:
        raise _refuse(
            _("These labels are taken: %(labels)s") % {"labels": "、".join(sorted(taken))},
            field="labels",
        )
    if space.spots.count() + len(cleaned) > MAX_SPOTS:
        raise _refuse(_("A space holds at most %(n)s spots.") % {"n": MAX_SPOTS}, field="labels")
    spots = Spot.objects.bulk_create(Spot(space=space, label=label) for label in cleaned)
    audit.record(
        actor=actor, action="space.spots_add", target=space, changes={"spots": [None, cleaned]}
    )
    return spots


# --- Bookings --------------------------------------------------------------------------------

OVERLAP = gettext_lazy("This time overlaps a booking already made; choose a free slot.")


def _check_times(space: Space, starts_at: Any, ends_at: Any) -> None:
    if not isinstance(starts_at, datetime.datetime) or not isinstance(ends_at, datetime.datetime):
        raise _refuse(_("Give the start and end time."), field="starts_at")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise _refuse(_("Give the start and end time."), field="starts_at")
    if ends_at <= starts_at:
        raise _refuse(_("The booking must end after it starts."), field="ends_at")
    now = timezone.now()
    if starts_at < now:
        raise _refuse(_("This time has passed; choose a later slot."), field="starts_at")
    if starts_at > now + datetime.timedelta(days=BOOK_AHEAD_DAYS):
        raise _refuse(
            _("Book at most %(n)s days ahead.") % {"n": BOOK_AHEAD_DAYS}, field="starts_at"
        )
    local_start = timezone.localtime(starts_at)
    local_end = timezone.localtime(ends_at)
    day = local_start.date()
    opens = timezone.make_aware(datetime.datetime.combine(day, space.opens_at))
    closes = timezone.make_aware(datetime.datetime.combine(day, space.closes_at))
    if local_start < opens or local_end > closes:
        hours = {"opens": f"{space.opens_at:%H:%M}", "closes": f"{space.closes_at:%H:%M}"}
        raise _refuse(
            _("The space is open from %(opens)s to %(closes)s.") % hours,
            field="starts_at",
            code="closed",
        )
    slot = datetime.timedelta(minutes=space.slot_minutes)
    if (local_start - opens) % slot or (local_end - local_start) % slot:
        raise _refuse(
            _("Book whole slots of %(n)s minutes, starting on the hour of a slot.")
            % {"n": space.slot_minutes},
            field="starts_at",
            code="slot",
        )
    if local_end - local_start > datetime.timedelta(minutes=space.max_booking_minutes):
        raise _refuse(
            _("A booking lasts at most %(n)s minutes.") % {"n": space.max_booking_minutes},
            field="ends_at",
            code="too_long",
        )


@transaction.atomic
def booking_create(
    *,
    actor: Any,
    space: Space,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    purpose: str = "",
) -> Booking:
    """Book a room from ``starts_at`` to ``ends_at``: whole slots within opening hours, not in
    the past, not overlapping a confirmed booking (touching is fine), with the space's rules
    accepted. Residents of the space's estate (or building), its group leader, its manager and
    committee staff book. The overlap check runs under a lock on the space, so two requests for
    the same slot cannot both succeed."""
    permissions.require(actor, "book", space)
    space = _locked_space(space)
    if space.kind != Space.Kind.ROOM:
        raise _refuse(_("Spots are allocated by the manager, not booked."))
    _require_rules(actor, space)
    purpose = _clean_text(purpose, limit=PURPOSE_MAX, field="purpose")
    _check_times(space, starts_at, ends_at)
    overlapping = Booking.objects.filter(
        space=space,
        status=Booking.Status.CONFIRMED,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if overlapping.exists():
        raise _refuse(str(OVERLAP), field="starts_at", code="overlap")
    flats = households_of(user=actor, space=space)
    booking = Booking.objects.create(
        space=space,
        booked_by=actor,
        flat=flats[0] if flats else None,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose,
    )
    audit.record(
        actor=actor,
        action="booking.create",
        target=booking,
        estate=space.estate,
        changes={
            "starts_at": [None, starts_at.isoformat()],
            "ends_at": [None, ends_at.isoformat()],
        },
    )
    return booking


@transaction.atomic
def booking_cancel(*, actor: Any, booking: Booking) -> Booking:
    """Cancel a booking (the person who booked, the manager or committee staff). Cancelling a
    booking that is already cancelled or over is refused."""
    permissions.require(actor, "cancel", booking)
    _locked_space(booking.space)
    booking = (
        Booking.objects.select_for_update(of=("self",)).select_related("space").get(pk=booking.pk)
    )
    if booking.status != Booking.Status.CONFIRMED:
        raise _refuse(_("This booking is already cancelled."))
    if booking.ends_at <= timezone.now():
        raise _refuse(_("This booking is over; it can no longer be cancelled."))
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    audit.record(
        actor=actor,
        action="booking.cancel",
        target=booking,
        estate=booking.space.estate,
        changes={"status": [Booking.Status.CONFIRMED, Booking.Status.CANCELLED]},
    )
    if booking.booked_by_id != getattr(actor, "pk", None):
        from linju.notifications.services import notify

        notify(
            recipient=booking.booked_by,
            kind="space.booking_cancelled",
            title=gettext_lazy("Your booking was cancelled"),
            body=f"{booking.space.name} {timezone.localtime(booking.starts_at):%m-%d %H:%M}",
            url=booking.space.get_absolute_url(),
            estate=booking.space.estate,
        )
    return booking


# --- Spots and the waiting list --------------------------------------------------------------


def _require_spots(space: Space) -> None:
    if space.kind != Space.Kind.SPOTS:
        raise _refuse(_("This space is booked by the slot; it has no spots to allocate."))


def _flat_in_scope(space: Space, flat: Flat) -> None:
    if flat.estate_id != space.estate_id or (
        space.building_id is not None and flat.building_id != space.building_id
    ):
        raise _refuse(_("Choose a household that may use this space."), field="flat")


@transaction.atomic
def allocation_create(
    *,
    actor: Any,
    spot: Spot,
    flat: Flat,
    person: Person | None = None,
    starts_on: datetime.date | None = None,
) -> Allocation:
    """Give ``spot`` to household ``flat`` (manager or committee staff). Refused when the spot
    is taken or the household already has a spot in this space. A household waiting for a spot
    leaves the waiting list when it gets one."""
    space = spot.space
    permissions.require(actor, "manage", space)
    space = _locked_space(space)
    _require_spots(space)
    if spot.space_id != space.pk:
        raise _refuse(_("Choose a spot of this space."), field="spot")
    _flat_in_scope(space, flat)
    if person is not None and person.estate_id != space.estate_id:
        raise _refuse(_("Choose a person of this estate."), field="person")
    current = Allocation.objects.filter(space=space, ends_on__isnull=True)
    if current.filter(spot=spot).exists():
        raise _refuse(_("Spot %(label)s is taken.") % {"label": spot.label}, field="spot")
    if current.filter(flat=flat).exists():
        raise _refuse(
            _("Household %(flat)s already has a spot here.") % {"flat": flat.label}, field="flat"
        )
    return _allocate(actor=actor, space=space, spot=spot, flat=flat, person=person, on=starts_on)


def _allocate(
    *,
    actor: Any,
    space: Space,
    spot: Spot,
    flat: Flat,
    person: Person | None,
    on: datetime.date | None,
) -> Allocation:
    allocation = Allocation.objects.create(
        space=space,
        spot=spot,
        flat=flat,
        person=person,
        starts_on=on or timezone.localdate(),
    )
    WaitingEntry.objects.filter(
        space=space, flat=flat, left_at__isnull=True, served_at__isnull=True
    ).update(served_at=timezone.now())
    audit.record(
        actor=actor,
        action="allocation.create",
        target=allocation,
        estate=space.estate,
        changes={"spot": [None, spot.label], "flat": [None, flat.label]},
    )
    return allocation


@transaction.atomic
def allocation_end(
    *, actor: Any, allocation: Allocation, ends_on: datetime.date | None = None
) -> Allocation | None:
    """End an allocation (manager or committee staff) and give the freed spot to the first
    household on the waiting list, telling it and the manager. Returns the new allocation, or
    None when nobody was waiting."""
    space = allocation.space
    permissions.require(actor, "manage", space)
    space = _locked_space(space)
    allocation = Allocation.objects.select_for_update(of=("self",)).get(pk=allocation.pk)
    if allocation.ends_on is not None:
        raise _refuse(_("This allocation has already ended."))
    today = timezone.localdate()
    ends_on = ends_on or today
    if ends_on < allocation.starts_on:
        raise _refuse(_("An allocation cannot end before it started."), field="ends_on")
    allocation.ends_on = ends_on
    allocation.save(update_fields=["ends_on"])
    spot = allocation.spot
    audit.record(
        actor=actor,
        action="allocation.end",
        target=allocation,
        estate=space.estate,
        changes={"ends_on": [None, ends_on.isoformat()]},
    )
    first = (
        WaitingEntry.objects.select_for_update(of=("self",))
        .filter(space=space, left_at__isnull=True, served_at__isnull=True)
        .select_related("flat__building", "flat__entrance", "person__user")
        .order_by("created_at", "pk")
        .first()
    )
    if first is None:
        return None
    given = _allocate(
        actor=actor, space=space, spot=spot, flat=first.flat, person=first.person, on=today
    )
    _tell_allocated(space, given, first)
    return given


def _tell_allocated(space: Space, allocation: Allocation, entry: WaitingEntry) -> None:
    from linju.notifications.services import notify

    url = space.get_absolute_url()
    recipients = []
    if entry.person is not None and entry.person.user_id is not None:
        recipients.append(entry.person.user)
    if space.manager_id is not None and space.manager not in recipients:
        recipients.append(space.manager)
    for recipient in recipients:
        notify(
            recipient=recipient,
            kind="space.spot_allocated",
            title=gettext_lazy("A spot was allocated from the waiting list"),
            body=f"{space.name} {allocation.spot.label} · {allocation.flat.label}",
            url=url,
            estate=space.estate,
        )


@transaction.atomic
def waiting_join(*, actor: Any, space: Space, flat: Flat | None = None) -> WaitingEntry:
    """Put the actor's household on the space's waiting list (residents who may use it, with
    its rules accepted). Refused when the household has a spot here or is already waiting."""
    permissions.require(actor, "join_waiting", space)
    space = _locked_space(space)
    _require_spots(space)
    if not rules_accepted(user=actor, space=space):
        raise _refuse(
            _("Please read and accept the rules of this space first."), code="rules_not_accepted"
        )
    flat = _household(actor, space, flat)
    if Allocation.objects.filter(space=space, flat=flat, ends_on__isnull=True).exists():
        raise _refuse(_("Your household already has a spot here."), code="has_spot")
    if WaitingEntry.objects.filter(
        space=space, flat=flat, left_at__isnull=True, served_at__isnull=True
    ).exists():
        raise _refuse(_("Your household is already on the waiting list."), code="waiting")
    entry = WaitingEntry.objects.create(
        space=space, flat=flat, person=_person_of(actor, space.estate_id)
    )
    audit.record(
        actor=actor,
        action="waiting.join",
        target=entry,
        estate=space.estate,
        changes={"flat": [None, flat.label]},
    )
    return entry


@transaction.atomic
def waiting_leave(*, actor: Any, entry: WaitingEntry) -> WaitingEntry:
    """Take a household off the waiting list (someone of that household, the manager or
    committee staff)."""
    permissions.require(actor, "leave", entry)
    _locked_space(entry.space)
    entry = WaitingEntry.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    if not entry.is_current:
        raise _refuse(_("This household is no longer on the waiting list."))
    entry.left_at = timezone.now()
    entry.save(update_fields=["left_at"])
    audit.record(
        actor=actor,
        action="waiting.leave",
        target=entry,
        estate=entry.space.estate,
        changes={"left_at": [None, entry.left_at.isoformat()]},
    )
    return entry
