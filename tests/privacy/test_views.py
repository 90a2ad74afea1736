"""Pages of My data, and the audit of full phone numbers shown to staff."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from linju.core.models import SecurityEvent
from tests.factories import OccupancyFactory, PersonFactory


def _phone_views():
    return list(
        SecurityEvent.objects.filter(event="phone.view_full").values_list(
            "user__username", "detail"
        )
    )


class TestFullPhoneAudit:
    def test_person_page_records_one_event_for_staff(self, world, client):
        client.force_login(world.users["staff"])
        client.get(reverse("console_person", args=["here", world.person2.pk]))
        event = SecurityEvent.objects.get(event="phone.view_full")
        assert (event.user, event.detail, event.estate) == (
            world.users["staff"],
            f"person {world.person2.pk}",
            world.here,
        )

    def test_people_list_records_one_event_with_the_count(self, world, client):
        for _i in range(20):
            OccupancyFactory(flat=world.flat2, person=PersonFactory(estate=world.here))
        client.force_login(world.users["staff"])
        client.get(reverse("console_people", args=["here"]))
        assert _phone_views() == [("staff", "people list: 22 numbers")]

    def test_masked_numbers_are_not_recorded(self, world, client):
        client.force_login(world.users["owners_committee"])
        response = client.get(reverse("console_person", args=["here", world.person2.pk]))
        assert response.status_code in (200, 404)
        assert _phone_views() == []


class TestMyDataPages:
    def test_page_links_both_downloads_and_deletion(self, world, client):
        client.force_login(world.users["resident"])
        html = client.get(reverse("my_data")).content.decode()
        for name, args in (("my_data_download", ["json"]), ("my_data_download", ["xlsx"])):
            assert reverse(name, args=args) in html
        assert reverse("account_delete") in html

    def test_download_is_an_attachment(self, world, client):
        client.force_login(world.users["resident"])
        response = client.get(reverse("my_data_download", args=["json"]))
        assert response["Content-Disposition"].startswith("attachment;")
        assert json.loads(response.content)["people"][0]["full_name"] == "李居民"

    def test_unknown_format_is_404_and_records_nothing(self, world, client):
        client.force_login(world.users["resident"])
        response = client.get(reverse("my_data_download", args=["pdf"]))
        assert response.status_code == 404
        assert not SecurityEvent.objects.filter(event="my_data.export").exists()

    def test_delete_without_the_tick_is_422_and_keeps_the_account(self, world, client):
        client.force_login(world.users["resident"])
        response = client.post(reverse("account_delete"), {})
        assert response.status_code == 422
        assert get_user_model().objects.filter(username="resident", is_active=True).exists()

    def test_delete_signs_out_and_confirms(self, world, client):
        client.force_login(world.users["resident"])
        response = client.post(reverse("account_delete"), {"confirm": "on"}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("account_deleted")
        assert not response.context["user"].is_authenticated
        assert not get_user_model().objects.filter(username="resident").exists()
        assert client.get(reverse("my_home")).status_code == 302


@pytest.mark.parametrize("name", ["my_home", "account_settings"])
def test_my_data_is_linked_from(world, client, name):
    client.force_login(world.users["resident"])
    assert reverse("my_data") in client.get(reverse(name)).content.decode()
