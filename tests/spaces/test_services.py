"""Services of shared spaces: bookings (hours, slots, overlap incl. touching boundaries, rules),
cancelling, allocations (one per spot, one per household), the waiting list (order, duplicates,
a freed spot goes to the first household). Each refusal writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linju.core.models import AuditEvent
from linju.notifications.models import Notification
from linju.spaces import services
from linju.spaces.models import Allocation, Booking, Space, WaitingEntry
from tests.spaces.conftest import at


def _state():
    return (
        list(Booking.objects.values_list("pk", "status")),
        list(Allocation.objects.values_list("pk", "ends_on")),
        list(WaitingEntry.objects.values_list("pk", "left_at", "served_at")),
        AuditEvent.objects.count(),
    )


def refused(call, *, code=None, exc=ValidationError):
    before = _state()
    with pytest.raises(exc) as info:
        call()
    assert _state() == before, "a refused call wrote something"
    if code is not None:
        codes = [
            e.code for errors in getattr(info.value, "error_dict", {}).values() for e in errors
        ]
        codes += [getattr(info.value, "code", None)]
        assert code in codes, codes
    return info.value


class TestBookingCreate:
    def test_a_resident_books_a_free_slot_and_it_is_audited(self, place):
        booking = place.book(start=10, end=12, purpose="孙子生日")
        assert booking.is_confirmed
        assert booking.flat == place.w.flat1
        assert (booking.starts_at, booking.ends_at) == (at(1, 10), at(1, 12))
        assert AuditEvent.objects.filter(action="booking.create").count() == 1

    def test_an_overlapping_booking_is_refused(self, place):
        place.book(start=10, end=12)
        for start, end in ((10, 11), (11, 12), (9, 11), (11, 13), (9, 12), (10, 12)):
            refused(
                lambda s=start, e=end: place.book(place.neighbours["102"], start=s, end=e),
                code="overlap",
            )

    def test_touching_bookings_do_not_overlap(self, place):
        """One ends when the next starts: both stand."""
        place.book(start=10, end=11)
        place.book(place.neighbours["102"], start=11, end=12)
        place.book(place.neighbours["103"], start=9, end=10)
        assert Booking.objects.filter(status="confirmed").count() == 3

    def test_a_cancelled_booking_frees_its_slot(self, place):
        booking = place.book(start=10, end=11)
        services.booking_cancel(actor=place.resident, booking=booking)
        place.book(place.neighbours["102"], start=10, end=11)

    def test_outside_opening_hours_is_refused(self, place):
        refused(lambda: place.book(start=7, end=8), code="closed")
        refused(lambda: place.book(start=20, end=22), code="closed")

    def test_a_time_not_on_a_slot_is_refused(self, place):
        refused(
            lambda: services.booking_create(
                actor=place.resident,
                space=place.room,
                starts_at=at(1, 10, 30),
                ends_at=at(1, 11, 30),
                purpose="",
            ),
            code="slot",
        )

    def test_longer_than_the_longest_booking_is_refused(self, place):
        refused(lambda: place.book(start=9, end=13), code="too_long")

    def test_the_past_is_refused(self, place):
        refused(lambda: place.book(days=-1, start=10, end=11))

    def test_an_end_before_the_start_is_refused(self, place):
        refused(lambda: place.book(start=11, end=10))

    def test_a_space_of_spots_is_not_booked(self, place):
        refused(
            lambda: services.booking_create(
                actor=place.resident,
                space=place.parking,
                starts_at=at(1, 10),
                ends_at=at(1, 11),
                purpose="",
            )
        )

    def test_outsiders_and_other_estates_may_not_book(self, place):
        for role in ("outsider", "staff_other_estate", "foundation"):
            refused(lambda r=role: place.book(place.w.users[r]), exc=PermissionDenied)

    def test_a_building_space_is_booked_by_that_building_only(self, place):
        place.room.building = place.w.b2
        place.room.save()
        refused(lambda: place.book(place.resident), exc=PermissionDenied)
        place.book(place.w.users["leader_other_building"])

    def test_rules_must_be_accepted_first(self, place, accepted):
        rules = place.with_rules(place.room)
        refused(lambda: place.book(), code="rules_not_accepted")
        accepted.add((place.resident.pk, rules.pk))
        place.book()

    def test_the_manager_and_staff_are_not_asked_to_accept(self, place, accepted):
        place.with_rules(place.room)
        place.book(place.staff, start=10, end=11)

    def test_hostile_purpose_is_kept_as_text_and_nul_refused(self, place):
        booking = place.book(purpose="<script>alert(1)</script>")
        assert booking.purpose == "<script>alert(1)</script>"
        refused(lambda: place.book(start=12, end=13, purpose="a\x00b"))
        refused(lambda: place.book(start=12, end=13, purpose="长" * 201))


class TestBookingCancel:
    def test_the_booker_cancels(self, place):
        booking = place.book()
        services.booking_cancel(actor=place.resident, booking=booking)
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED

    def test_staff_cancel_and_the_booker_is_told(self, place):
        booking = place.book()
        services.booking_cancel(actor=place.staff, booking=booking)
        assert Notification.objects.filter(
            recipient=place.resident, kind="space.booking_cancelled"
        ).exists()

    def test_a_neighbour_may_not_cancel(self, place):
        booking = place.book()
        refused(
            lambda: services.booking_cancel(actor=place.neighbours["102"], booking=booking),
            exc=PermissionDenied,
        )

    def test_twice_is_refused(self, place):
        booking = place.book()
        services.booking_cancel(actor=place.resident, booking=booking)
        refused(lambda: services.booking_cancel(actor=place.resident, booking=booking))


class TestAllocations:
    def test_the_manager_allocates_a_free_spot(self, place):
        allocation = services.allocation_create(
            actor=place.manager, spot=place.spots[0], flat=place.flat("102")
        )
        assert allocation.ends_on is None
        assert AuditEvent.objects.filter(action="allocation.create").count() == 1

    def test_a_taken_spot_is_refused(self, place):
        services.allocation_create(actor=place.manager, spot=place.spots[0], flat=place.flat("102"))
        error = refused(
            lambda: services.allocation_create(
                actor=place.manager, spot=place.spots[0], flat=place.flat("103")
            )
        )
        assert "A-01" in " ".join(error.messages)

    def test_a_household_with_a_spot_is_refused_another(self, place):
        services.allocation_create(actor=place.manager, spot=place.spots[0], flat=place.flat("102"))
        error = refused(
            lambda: services.allocation_create(
                actor=place.manager, spot=place.spots[1], flat=place.flat("102")
            )
        )
        assert "1-102" in " ".join(error.messages)

    def test_a_household_of_another_building_is_refused(self, place):
        refused(
            lambda: services.allocation_create(
                actor=place.manager, spot=place.spots[0], flat=place.w.flat2
            )
        )

    def test_residents_may_not_allocate(self, place):
        refused(
            lambda: services.allocation_create(
                actor=place.resident, spot=place.spots[0], flat=place.w.flat1
            ),
            exc=PermissionDenied,
        )

    def test_a_room_has_no_spots_to_allocate(self, place):
        from linju.spaces.models import Spot

        spot = Spot.objects.create(space=place.room, label="X")
        refused(
            lambda: services.allocation_create(actor=place.staff, spot=spot, flat=place.w.flat1)
        )

    def test_ending_frees_the_spot_for_a_new_allocation(self, place):
        allocation = services.allocation_create(
            actor=place.manager, spot=place.spots[0], flat=place.flat("102")
        )
        assert services.allocation_end(actor=place.manager, allocation=allocation) is None
        services.allocation_create(actor=place.manager, spot=place.spots[0], flat=place.flat("103"))

    def test_ending_twice_is_refused(self, place):
        allocation = services.allocation_create(
            actor=place.manager, spot=place.spots[0], flat=place.flat("102")
        )
        services.allocation_end(actor=place.manager, allocation=allocation)
        refused(lambda: services.allocation_end(actor=place.manager, allocation=allocation))


class TestWaitingList:
    def _fill(self, place):
        for spot, number in zip(place.spots, ("102", "103", "104"), strict=True):
            services.allocation_create(actor=place.manager, spot=spot, flat=place.flat(number))

    def test_residents_join_in_order_and_the_first_gets_the_freed_spot(self, place):
        self._fill(place)
        first = services.waiting_join(actor=place.resident, space=place.parking)
        from tests import factories as f

        later_user = f.UserFactory(username="later")
        person = f.PersonFactory(estate=place.w.here, user=later_user)
        later_flat = f.FlatFactory(building=place.w.b1, number="105")
        f.OccupancyFactory(flat=later_flat, person=person)
        second = services.waiting_join(actor=later_user, space=place.parking)
        assert first.created_at <= second.created_at
        freed = Allocation.objects.get(spot=place.spots[1], ends_on__isnull=True)
        given = services.allocation_end(actor=place.manager, allocation=freed)
        assert given is not None
        assert (given.spot, given.flat) == (place.spots[1], place.w.flat1)
        first.refresh_from_db()
        assert first.served_at is not None
        assert Notification.objects.filter(
            recipient=place.resident, kind="space.spot_allocated"
        ).exists()
        assert Notification.objects.filter(
            recipient=place.manager, kind="space.spot_allocated"
        ).exists()
        freed = Allocation.objects.get(spot=place.spots[2], ends_on__isnull=True)
        given = services.allocation_end(actor=place.manager, allocation=freed)
        assert given is not None and given.flat == later_flat

    def test_a_household_with_a_spot_may_not_wait(self, place):
        services.allocation_create(actor=place.manager, spot=place.spots[0], flat=place.w.flat1)
        refused(
            lambda: services.waiting_join(actor=place.resident, space=place.parking),
            code="has_spot",
        )

    def test_waiting_twice_is_refused(self, place):
        services.waiting_join(actor=place.resident, space=place.parking)
        refused(
            lambda: services.waiting_join(actor=place.resident, space=place.parking),
            code="waiting",
        )

    def test_rules_must_be_accepted_to_wait(self, place, accepted):
        rules = place.with_rules(place.parking)
        refused(
            lambda: services.waiting_join(actor=place.resident, space=place.parking),
            code="rules_not_accepted",
        )
        accepted.add((place.resident.pk, rules.pk))
        services.waiting_join(actor=place.resident, space=place.parking)

    def test_other_buildings_may_not_wait(self, place):
        refused(
            lambda: services.waiting_join(
                actor=place.w.users["leader_other_building"], space=place.parking
            ),
            exc=PermissionDenied,
        )

    def test_leaving_and_joining_again_goes_to_the_end(self, place):
        entry = services.waiting_join(actor=place.resident, space=place.parking)
        other = services.waiting_join(actor=place.neighbours["102"], space=place.parking)
        services.waiting_leave(actor=place.resident, entry=entry)
        again = services.waiting_join(actor=place.resident, space=place.parking)
        from linju.spaces.selectors import waiting_list

        assert waiting_list(space=place.parking) == [other, again]
        refused(lambda: services.waiting_leave(actor=place.resident, entry=entry))

    def test_a_neighbour_may_not_take_someone_off_but_the_manager_may(self, place):
        entry = services.waiting_join(actor=place.resident, space=place.parking)
        refused(
            lambda: services.waiting_leave(actor=place.neighbours["102"], entry=entry),
            exc=PermissionDenied,
        )
        services.waiting_leave(actor=place.manager, entry=entry)


class TestSpaces:
    def test_staff_open_a_space(self, place):
        space = services.space_create(
            actor=place.staff,
            estate=place.w.here,
            name="活动室",
            opens_at=datetime.time(9),
            closes_at=datetime.time(17),
            slot_minutes=30,
            max_booking_minutes=120,
        )
        assert space.slot_minutes == 30

    def test_bad_hours_and_slots_are_refused(self, place):
        count = Space.objects.count()
        for kwargs in (
            {"opens_at": datetime.time(17), "closes_at": datetime.time(9)},
            {"slot_minutes": 60, "max_booking_minutes": 90},
            {"slot_minutes": 2},
            {"name": ""},
            {"kind": "castle"},
            {"building": place.w.b_there},
        ):
            with pytest.raises(ValidationError):
                services.space_create(
                    actor=place.staff, estate=place.w.here, **{"name": "活动室", **kwargs}
                )
        assert Space.objects.count() == count

    def test_residents_may_not_open_a_space(self, place):
        with pytest.raises(PermissionDenied):
            services.space_create(actor=place.resident, estate=place.w.here, name="我的房间")

    def test_the_manager_edits_but_does_not_hand_the_space_over(self, place):
        services.space_update(actor=place.manager, space=place.parking, name="1号楼 车棚")
        with pytest.raises(PermissionDenied):
            services.space_update(actor=place.manager, space=place.parking, manager=place.resident)
        place.parking.refresh_from_db()
        assert (place.parking.name, place.parking.manager) == ("1号楼 车棚", place.manager)

    def test_spots_are_added_with_unique_labels(self, place):
        services.spots_add(actor=place.manager, space=place.parking, labels=["A-04", "A-05"])
        with pytest.raises(ValidationError):
            services.spots_add(actor=place.manager, space=place.parking, labels=["A-05", "A-06"])
        assert place.parking.spots.count() == 5


def test_parse_labels_expands_ranges():
    from linju.spaces.forms import parse_labels

    assert parse_labels("A-01~A-03, B-1") == ["A-01", "A-02", "A-03", "B-1"]
    assert parse_labels("A-09…A-11") == ["A-09", "A-10", "A-11"]
