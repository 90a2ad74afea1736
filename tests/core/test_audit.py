"""The audit log: append-only, tied to the request that wrote it, and no back door to edit it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from linju.community import services
from linju.core import audit
from linju.core.models import AuditEvent, User


@pytest.fixture
def event(world):
    return audit.record(actor=world.user("staff"), action="flat.update", target=world.flat1)


class TestAppendOnly:
    def test_an_event_cannot_be_saved_again(self, event):
        event.action = "flat.create"
        with pytest.raises(PermissionError):
            event.save()
        event.refresh_from_db()
        assert event.action == "flat.update"

    def test_an_event_cannot_be_deleted(self, event):
        with pytest.raises(PermissionError):
            event.delete()
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_bulk_delete_is_refused(self, event):
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).delete()

    def test_deleting_an_account_keeps_its_events_and_their_label(self, world):
        outsider = world.user("outsider")
        audit.record(actor=outsider, action="flat.update", target=world.flat1)
        outsider.delete()
        kept = AuditEvent.objects.get(actor_label="outsider")
        assert kept.actor is None


class TestRecord:
    def test_records_actor_target_and_estate(self, world, event):
        assert (event.actor, event.actor_label) == (world.user("staff"), "staff")
        assert (event.target_type, event.target_id, event.target_label) == (
            "community.flat",
            str(world.flat1.pk),
            "1-101",
        )
        assert event.estate_id == world.here.pk
        assert event.changes == {}

    def test_an_estate_is_its_own_estate(self, world):
        event = audit.record(actor=world.user("admin"), action="estate.create", target=world.here)
        assert event.estate_id == world.here.pk

    def test_without_a_signed_in_actor_the_system_is_named(self, world):
        event = audit.record(actor=None, action="flat.update", target=world.flat1)
        assert (event.actor, event.actor_label) == (None, "system")

    def test_outside_a_request_there_is_no_request_id(self, event):
        assert event.request_id == ""

    def test_a_long_label_is_cut_to_fit_its_column(self, world):
        world.person1.full_name = "长" * 300  # longer than any name the forms let through
        event = audit.record(actor=None, action="person.update", target=world.person1)
        assert event.target_label == "长" * 200


class TestChanges:
    def test_only_fields_that_differ(self, world):
        assert audit.changes(world.flat1, {"floor": 3, "area": Decimal("89.50")}) == {}

    def test_values_are_stored_as_plain_json(self, world):
        diff = audit.changes(
            world.flat1,
            {"area": Decimal("92.30"), "floor": None, "building": world.b2},
        )
        assert diff == {
            "area": ["89.50", "92.30"],
            "floor": [3, None],
            "building": [str(world.b1), str(world.b2)],
        }

    def test_dates_become_iso_strings(self, world):
        diff = audit.changes(world.occupancy1, {"ends_on": datetime.date(2025, 1, 31)})
        assert diff == {"ends_on": [None, "2025-01-31"]}


class TestRequestId:
    def _edit_flat(self, world, **headers):
        client = Client()
        client.force_login(world.user("staff"))
        return client.post(
            reverse("console_flat", args=["here", world.flat1.pk]),
            {"floor": "3", "area": "92.30", "area_source": "registered"},
            **headers,
        )

    def test_a_write_through_a_request_records_the_given_request_id(self, world):
        response = self._edit_flat(world, HTTP_X_REQUEST_ID="proxy-7f3a9c")
        assert response.status_code == 302
        assert response["X-Request-Id"] == "proxy-7f3a9c"
        assert AuditEvent.objects.get(action="flat.update").request_id == "proxy-7f3a9c"

    def test_without_a_header_a_fresh_id_is_made_and_returned(self, world):
        response = self._edit_flat(world)
        request_id = response["X-Request-Id"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)
        assert AuditEvent.objects.get(action="flat.update").request_id == request_id

    def test_each_request_gets_its_own_id(self, world):
        client = Client()
        ids = {client.get("/")["X-Request-Id"] for _ in range(3)}
        assert len(ids) == 3

    @pytest.mark.parametrize("sent", ["x" * 41, "bad id", "id\r\nSet-Cookie: x=1", "<script>"])
    def test_an_id_that_is_not_plain_is_replaced_by_our_own(self, world, sent):
        response = self._edit_flat(world, HTTP_X_REQUEST_ID=sent)
        recorded = AuditEvent.objects.get(action="flat.update").request_id
        assert recorded != sent and len(recorded) == 32 and recorded.isalnum()
        assert response["X-Request-Id"] == recorded

    def test_the_id_does_not_leak_into_later_writes_outside_requests(self, world):
        self._edit_flat(world, HTTP_X_REQUEST_ID="proxy-7f3a9c")
        services.flat_update(actor=world.user("staff"), flat=world.flat1, floor=5)
        assert AuditEvent.objects.order_by("-id").first().request_id == ""


class TestNoBackDoor:
    def test_there_is_no_django_admin(self, db):
        assert "django.contrib.admin" not in settings.INSTALLED_APPS
        assert Client().get("/admin/").status_code == 404

    def test_not_even_for_a_superuser(self, db):
        client = Client()
        client.force_login(User.objects.create_superuser("root", password="x" * 12))
        assert client.get("/admin/").status_code == 404
        assert client.get("/admin/core/auditevent/").status_code == 404

    def test_the_audit_page_offers_no_edit_or_delete(self, world, event):
        client = Client()
        client.force_login(world.user("staff"))
        page = client.get(reverse("console_audit", args=["here"])).content.decode()
        assert "修改房屋" in page
        assert 'method="post"' not in page.split("<main", 1)[1]


class TestSecurityEvents:
    def test_a_refusal_is_kept_even_though_the_refused_write_rolled_back(self, world):
        from linju.core.models import SecurityEvent

        client = Client()
        client.force_login(world.user("owners_committee"))
        response = client.post(
            reverse("console_flat", args=["here", world.flat1.pk]),
            {"floor": "3", "area": "92.30", "area_source": "registered"},
            REMOTE_ADDR="203.0.113.9",
        )
        assert response.status_code == 403
        event = SecurityEvent.objects.get(event="permission.denied")
        assert (event.username, event.detail, event.ip) == (
            "owners_committee",
            "flat:change",
            "203.0.113.9",
        )
        assert not AuditEvent.objects.filter(action="flat.update").exists()


class TestClientAddress:
    def _refused_from(self, world, settings, remote, forwarded):
        from linju.core.models import SecurityEvent

        settings.LINJU_TRUSTED_PROXIES = ["127.0.0.1"]
        client = Client()
        client.force_login(world.user("owners_committee"))
        client.post(
            reverse("console_flat", args=["here", world.flat1.pk]),
            {"floor": "3", "area": "92.30", "area_source": "registered"},
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        return SecurityEvent.objects.get(event="permission.denied").ip

    def test_behind_a_trusted_proxy_the_client_address_is_used(self, world, settings):
        assert self._refused_from(world, settings, "127.0.0.1", "1.2.3.4, 198.51.100.7") == (
            "198.51.100.7"
        )

    def test_an_untrusted_sender_cannot_choose_its_address(self, world, settings):
        assert self._refused_from(world, settings, "203.0.113.5", "198.51.100.7") == "203.0.113.5"
