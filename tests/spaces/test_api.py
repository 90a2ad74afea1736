"""The spaces API: members list spaces and see a room's week; booking and cancelling; the
waiting list; the manager's allocations. Refusals are 422/403/404 and write nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.spaces import services
from linju.spaces.models import Allocation, Booking, WaitingEntry
from tests.spaces.conftest import at


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, label='test')}"}


@pytest.fixture
def client():
    return Client()


def test_members_list_spaces_and_outsiders_get_404(place, client):
    rows = client.get("/api/spaces?estate=here", **bearer(place.resident)).json()
    assert {r["name"] for r in rows} == {"大堂公共会客厅", "1号楼 非机动车停放区"}
    outsider = client.get("/api/spaces?estate=here", **bearer(place.w.users["outsider"]))
    assert outsider.status_code == 404
    assert client.get("/api/spaces?estate=here").status_code == 401


def test_a_room_shows_its_week_with_taken_and_own_slots(place, client):
    place.book(place.neighbours["102"], days=1, start=10, end=11)
    mine = place.book(days=1, start=11, end=12)
    week = at(1, 0).date().isoformat()
    body = client.get(f"/api/spaces/{place.room.pk}?week={week}", **bearer(place.resident)).json()
    slots = {s["starts_at"]: s["state"] for d in body["week"] for s in d["slots"]}
    assert slots[at(1, 10).isoformat()] == "taken"
    assert slots[mine.starts_at.isoformat()] == "mine"
    assert slots[at(1, 12).isoformat()] == "free"
    assert body["can_book"] is True and body["can_manage"] is False


def test_booking_and_an_overlap_refused_with_422(place, client):
    url = f"/api/spaces/{place.room.pk}/bookings"
    body = {"starts_at": at(1, 10).isoformat(), "ends_at": at(1, 12).isoformat()}
    created = client.post(url, body, content_type="application/json", **bearer(place.resident))
    assert created.status_code == 201
    clash = {"starts_at": at(1, 11).isoformat(), "ends_at": at(1, 12).isoformat()}
    refused = client.post(
        url, clash, content_type="application/json", **bearer(place.neighbours["102"])
    )
    assert refused.status_code == 422
    assert "starts_at" in refused.json()["errors"]
    assert Booking.objects.count() == 1
    mine = client.get("/api/spaces/bookings/mine?estate=here", **bearer(place.resident)).json()
    assert [b["id"] for b in mine] == [created.json()["id"]]


def test_cancel_by_the_booker_only(place, client):
    booking = place.book()
    url = f"/api/spaces/bookings/{booking.pk}/cancel"
    assert client.post(url, **bearer(place.neighbours["102"])).status_code == 403
    assert Booking.objects.get().status == "confirmed"
    assert client.post(url, **bearer(place.resident)).json()["status"] == "cancelled"


def test_waiting_list_join_and_leave(place, client):
    url = f"/api/spaces/{place.parking.pk}/waiting"
    joined = client.post(url, **bearer(place.resident))
    assert joined.status_code == 201 and joined.json()["position"] == 1
    again = client.post(url, **bearer(place.resident))
    assert again.status_code == 422
    assert WaitingEntry.objects.count() == 1
    left = client.delete(f"{url}/{joined.json()['id']}", **bearer(place.resident))
    assert left.status_code == 204
    assert WaitingEntry.objects.get().left_at is not None


def test_the_manager_allocates_and_ends(place, client):
    url = f"/api/spaces/{place.parking.pk}/allocations"
    body = {"spot": place.spots[0].pk, "flat": place.flat("102").pk}
    assert (
        client.post(url, body, content_type="application/json", **bearer(place.resident))
    ).status_code == 403
    created = client.post(url, body, content_type="application/json", **bearer(place.manager))
    assert created.status_code == 201 and created.json()["flat"] == "1-102"
    same_flat = {"spot": place.spots[1].pk, "flat": place.flat("102").pk}
    assert (
        client.post(url, same_flat, content_type="application/json", **bearer(place.manager))
    ).status_code == 422
    services.waiting_join(actor=place.resident, space=place.parking)
    grid = client.get(url, **bearer(place.manager)).json()
    assert [w["flat"] for w in grid["waiting"]] == ["1-101"]
    ended = client.post(f"{url}/{created.json()['id']}/end", **bearer(place.manager))
    assert ended.json()["given"]["flat"] == "1-101"
    assert Allocation.objects.filter(ends_on__isnull=True).count() == 1


def test_other_estates_ids_are_404(place, client):
    token = bearer(place.w.users["staff_other_estate"])
    assert client.get(f"/api/spaces/{place.room.pk}", **token).status_code == 404
    assert client.get(f"/api/spaces/{2**70}", **token).status_code in (404, 422)
