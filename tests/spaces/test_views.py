"""Pages of shared spaces: the week of slots, booking in two taps, refusals shown with 422 and
nothing written, rules to accept, the waiting list, my bookings and the manager's console."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linju.spaces import services
from linju.spaces.models import Allocation, Booking, WaitingEntry
from tests.hostile import CORPUS, assert_no_live_markup
from tests.spaces.conftest import at


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail(place, space, **query):
    return reverse("space_detail", args=["here", space.pk])


class TestRoomPage:
    def test_members_see_the_week_with_free_slots_as_buttons(self, place):
        place.book(place.neighbours["102"], start=10, end=11)
        week = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        response = client_for(place.resident).get(detail(place, place.room) + f"?week={week}")
        assert response.status_code == 200
        html = response.content.decode()
        assert reverse("space_book", args=["here", place.room.pk]) + "?start=" in html
        assert html.count('class="flat occupied"') == 1

    def test_outsiders_get_404(self, place, world):
        response = client_for(world.users["outsider"]).get(detail(place, place.room))
        assert response.status_code == 404
        response = client_for(world.users["staff_other_estate"]).get(detail(place, place.room))
        assert response.status_code == 404

    def test_two_taps_book_a_slot(self, place):
        client = client_for(place.resident)
        start = at(1, 15)
        book = reverse("space_book", args=["here", place.room.pk])
        confirm = client.get(book, {"start": start.isoformat()})
        assert confirm.status_code == 200
        response = client.post(book, {"starts_at": start.isoformat(), "slots": "2"})
        assert response.status_code == 302
        booking = Booking.objects.get()
        assert (booking.starts_at, booking.ends_at) == (start, at(1, 17))
        mine = client.get(reverse("my_bookings", args=["here"]))
        assert mine.status_code == 200 and place.room.name in mine.content.decode()

    def test_an_overlapping_slot_is_refused_with_422_and_nothing_written(self, place):
        place.book(place.neighbours["102"], start=15, end=16)
        book = reverse("space_book", args=["here", place.room.pk])
        response = client_for(place.resident).post(
            book, {"starts_at": at(1, 15).isoformat(), "slots": "1"}
        )
        assert response.status_code == 422
        assert Booking.objects.count() == 1

    def test_rules_are_accepted_through_the_conventions_read_mark(self, place, world):
        from linju.conventions.models import ConventionVersion

        rules = place.with_rules(place.room)
        version = ConventionVersion.objects.create(
            estate=world.here, convention=rules, number=1, title=rules.title
        )
        rules.status, rules.current_version = "adopted", version
        rules.save()
        client = client_for(place.resident)
        page = client.get(detail(place, place.room)).content.decode()
        assert reverse("space_accept_rules", args=["here", place.room.pk]) in page
        assert "?start=" not in page  # no booking button before the rules are accepted
        response = client.post(reverse("space_accept_rules", args=["here", place.room.pk]))
        assert response.status_code == 302
        assert rules.reads.filter(user=place.resident).exists()

    def test_cancel_from_my_bookings(self, place):
        booking = place.book()
        response = client_for(place.resident).post(
            reverse("space_booking_cancel", args=["here", booking.pk]), {"next": "mine"}
        )
        assert response.status_code == 302
        booking.refresh_from_db()
        assert booking.status == "cancelled"

    def test_someone_else_cannot_cancel(self, place):
        booking = place.book()
        response = client_for(place.neighbours["102"]).post(
            reverse("space_booking_cancel", args=["here", booking.pk])
        )
        assert response.status_code == 404
        booking.refresh_from_db()
        assert booking.status == "confirmed"


class TestSpotsPages:
    def test_a_resident_joins_and_sees_their_place(self, place):
        client = client_for(place.resident)
        response = client.post(reverse("space_waiting_join", args=["here", place.parking.pk]))
        assert response.status_code == 302
        page = client.get(detail(place, place.parking)).content.decode()
        assert "1-101" in page
        assert WaitingEntry.objects.count() == 1

    def test_the_console_shows_spots_with_flat_numbers_and_no_phones(self, place, world):
        services.allocation_create(actor=place.manager, spot=place.spots[0], flat=place.flat("102"))
        services.waiting_join(actor=place.resident, space=place.parking)
        response = client_for(place.manager).get(
            reverse("space_console", args=["here", place.parking.pk])
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "1-102" in html and "1-101" in html
        assert "+861749" not in html

    def test_the_console_is_404_to_residents(self, place):
        response = client_for(place.resident).get(
            reverse("space_console", args=["here", place.parking.pk])
        )
        assert response.status_code == 404

    def test_allocating_a_household_that_has_a_spot_shows_the_reason(self, place):
        services.allocation_create(actor=place.manager, spot=place.spots[0], flat=place.flat("102"))
        response = client_for(place.manager).post(
            reverse("space_allocate", args=["here", place.parking.pk]),
            {"spot": place.spots[1].pk, "flat": place.flat("102").pk},
        )
        assert response.status_code == 422
        assert Allocation.objects.count() == 1

    def test_ending_gives_the_spot_to_the_first_waiting(self, place):
        allocation = services.allocation_create(
            actor=place.manager, spot=place.spots[0], flat=place.flat("102")
        )
        services.waiting_join(actor=place.resident, space=place.parking)
        response = client_for(place.manager).post(
            reverse("space_allocation_end", args=["here", place.parking.pk, allocation.pk])
        )
        assert response.status_code == 302
        assert Allocation.objects.get(ends_on__isnull=True).flat == place.w.flat1

    def test_spots_are_added_by_range(self, place):
        client_for(place.manager).post(
            reverse("space_spots_add", args=["here", place.parking.pk]), {"labels": "B-01~B-10"}
        )
        assert place.parking.spots.count() == 13


class TestConsoleForms:
    def test_staff_open_a_space(self, place):
        response = client_for(place.staff).post(
            reverse("space_create", args=["here"]),
            {
                "name": "二楼活动室",
                "kind": "room",
                "opens_at": "09:00",
                "closes_at": "18:00",
                "slot_minutes": "30",
                "max_booking_minutes": "120",
            },
        )
        assert response.status_code == 302

    def test_bad_hours_give_422(self, place):
        from linju.spaces.models import Space

        count = Space.objects.count()
        response = client_for(place.staff).post(
            reverse("space_create", args=["here"]),
            {
                "name": "二楼活动室",
                "kind": "room",
                "opens_at": "18:00",
                "closes_at": "09:00",
                "slot_minutes": "30",
                "max_booking_minutes": "120",
            },
        )
        assert response.status_code == 422
        assert Space.objects.count() == count


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_purpose_is_shown_harmlessly(place, name):
    """A purpose goes to the manager's console as text, never as markup; text the service
    refuses (NUL, too long) gets 422 and nothing is written."""
    text = CORPUS[name]
    response = client_for(place.resident).post(
        reverse("space_book", args=["here", place.room.pk]),
        {"starts_at": at(1, 10).isoformat(), "slots": "1", "purpose": text},
    )
    assert response.status_code in (302, 400, 422)  # 400: a NUL is refused before any view
    if response.status_code != 302:
        assert Booking.objects.count() == 0
    console = client_for(place.staff).get(reverse("space_console", args=["here", place.room.pk]))
    assert console.status_code == 200
    assert_no_live_markup(console.content.decode())
