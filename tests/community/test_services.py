"""The directory's services: one class per service.

A success writes the row and an audit event with the actor and the old and new values. Every
failure (refused, invalid, duplicate, out of scope) raises and writes nothing at all: each
failure test runs inside ``nothing_written()``, which compares every row of every model of the
``core`` and ``community`` apps before and after.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community import services
from linju.community.models import (
    Entrance,
    Estate,
    Flat,
    Occupancy,
    Role,
    Street,
)
from linju.core import permissions
from linju.core.models import AuditEvent, User
from tests import factories as f

TODAY = timezone.localdate
PASSWORD = "a-long-enough-passphrase"


def _snapshot() -> dict[str, list[tuple]]:
    rows = {}
    for label in ("core", "community"):
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return rows


@contextmanager
def nothing_written() -> Iterator[None]:
    """No row of core or community is added, changed or removed inside the block."""
    before = _snapshot()
    yield
    after = _snapshot()
    changed = [label for label in before if before[label] != after[label]]
    assert changed == [], f"written although the call failed: {changed}"


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


def audit_text() -> str:
    """Everything the audit log holds, as one string, to search for what must not be there."""
    return json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)


def messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)


# --- Streets and estates --------------------------------------------------------------------


class TestStreetCreate:
    def test_admin_creates_a_street_and_it_is_audited(self, world):
        admin = world.user("admin")
        street = services.street_create(
            actor=admin, name=" 新华街道 ", slug="xinhua", district="长宁区", city="上海"
        )
        assert Street.objects.get(slug="xinhua").name == "新华街道"
        event = last_event()
        assert (event.action, event.actor, event.target_id) == (
            "street.create",
            admin,
            str(street.pk),
        )
        assert event.estate is None

    @pytest.mark.parametrize("role", ["staff", "foundation", "outsider", "anonymous"])
    def test_only_platform_admins_create_streets(self, world, role):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.street_create(actor=world.user(role), name="新华街道", slug="xinhua")

    @pytest.mark.parametrize(
        ("name", "slug"),
        [("", "ok"), ("新华街道", "not a slug"), ("新华街道", ""), ("长" * 101, "ok")],
    )
    def test_invalid_street_is_refused(self, world, name, slug):
        with nothing_written(), pytest.raises(ValidationError):
            services.street_create(actor=world.user("admin"), name=name, slug=slug)

    def test_duplicate_slug_or_name_is_refused(self, world):
        street = world.here.street
        with nothing_written(), pytest.raises(ValidationError):
            services.street_create(actor=world.user("admin"), name="另一个", slug=street.slug)
        with nothing_written(), pytest.raises(ValidationError):
            services.street_create(actor=world.user("admin"), name=street.name, slug="other")


class TestEstateCreate:
    def test_admin_creates_an_estate_and_it_is_audited(self, world):
        estate = services.estate_create(
            actor=world.user("admin"),
            street=world.here.street,
            name="新小区",
            slug="new",
            address="幸福路1号",
            built_year=1998,
        )
        assert Estate.objects.get(slug="new").built_year == 1998
        event = last_event()
        assert (event.action, event.estate_id, event.target_label) == (
            "estate.create",
            estate.pk,
            "新小区",
        )

    @pytest.mark.parametrize("role", ["staff", "foundation", "staff_other_estate"])
    def test_only_platform_admins_create_estates(self, world, role):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.estate_create(
                actor=world.user(role), street=world.here.street, name="新小区", slug="new"
            )

    def test_duplicate_slug_is_refused(self, world):
        with nothing_written(), pytest.raises(ValidationError):
            services.estate_create(
                actor=world.user("admin"), street=world.here.street, name="新小区", slug="here"
            )

    def test_duplicate_name_in_the_same_street_is_refused(self, world):
        with nothing_written(), pytest.raises(ValidationError):
            services.estate_create(
                actor=world.user("admin"),
                street=world.here.street,
                name=world.here.name,
                slug="again",
            )

    def test_same_name_in_another_street_is_fine(self, world):
        services.estate_create(
            actor=world.user("admin"), street=world.there.street, name=world.here.name, slug="x"
        )


class TestStaffAccountCreate:
    def test_admin_creates_the_first_staff_account(self, world):
        user = services.staff_account_create(
            actor=world.user("admin"),
            estate=world.here,
            username="zhang",
            password=PASSWORD,
            display_name=" 张老师 ",
            phone="+86 138-0013-8000",
        )
        user.refresh_from_db()
        assert (user.display_name, user.phone) == ("张老师", "+8613800138000")
        assert user.check_password(PASSWORD)
        role = Role.objects.get(user=user)
        assert (role.kind, role.estate, role.street) == (
            Role.Kind.COMMITTEE_STAFF,
            world.here,
            world.here.street,
        )
        assert permissions.can(user, "manage", world.here)
        actions = list(AuditEvent.objects.order_by("id").values_list("action", "estate_id"))
        assert actions == [("account.create", world.here.pk), ("role.assign", world.here.pk)]

    def test_the_phone_number_is_not_copied_into_the_audit_log(self, world):
        services.staff_account_create(
            actor=world.user("admin"),
            estate=world.here,
            username="zhang",
            password=PASSWORD,
            phone="13800138000",
        )
        assert "13800138000" not in audit_text()
        assert "0013" not in audit_text()

    def test_staff_add_a_colleague(self, world):
        services.staff_account_create(
            actor=world.user("staff"), estate=world.here, username="li", password=PASSWORD
        )
        assert Role.objects.filter(user__username="li", estate=world.here).exists()

    @pytest.mark.parametrize(
        "role", ["staff_other_estate", "owners_committee", "property", "leader", "foundation"]
    )
    def test_others_cannot_create_staff_accounts(self, world, role):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.staff_account_create(
                actor=world.user(role), estate=world.here, username="li", password=PASSWORD
            )

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"username": "staff"}, "username"),  # taken
            ({"username": "<b>li</b>"}, "username"),
            ({"username": ""}, "username"),
            ({"phone": "12345"}, "phone"),
            ({"phone": "020-12345678"}, "phone"),  # a landline is not a mobile
            ({"password": "12345678"}, None),  # numeric and common
            ({"password": "short"}, None),
            ({"password": "li-account"}, None),  # too like the sign-in name
        ],
    )
    def test_invalid_account_is_refused(self, world, changes, field):
        values = {"username": "li-account", "password": PASSWORD, "phone": ""} | changes
        with nothing_written(), pytest.raises(ValidationError) as exc:
            services.staff_account_create(actor=world.user("admin"), estate=world.here, **values)
        if field:
            assert field in exc.value.message_dict

    def test_a_phone_number_can_have_only_one_account(self, world):
        world.users["outsider"].phone = "+8613800138000"
        world.users["outsider"].save()
        with nothing_written(), pytest.raises(ValidationError) as exc:
            services.staff_account_create(
                actor=world.user("admin"),
                estate=world.here,
                username="li",
                password=PASSWORD,
                phone="138 0013 8000",
            )
        assert "phone" in exc.value.message_dict


class TestEstateSetup:
    def setup_values(self, **changes: str) -> dict[str, str]:
        values = {
            "street_name": "新华街道",
            "street_slug": "xinhua",
            "estate_name": "幸福小区",
            "estate_slug": "xingfu",
            "staff_username": "xingfu-staff",
            "staff_password": PASSWORD,
            "staff_display_name": "王老师",
        }
        return values | changes

    def test_creates_street_estate_and_first_staff_account(self, world):
        estate = services.estate_setup(actor=world.user("admin"), **self.setup_values())
        assert estate.street.slug == "xinhua"
        staff = User.objects.get(username="xingfu-staff")
        assert permissions.can(staff, "manage", estate)
        actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
        assert actions == ["street.create", "estate.create", "account.create", "role.assign"]

    def test_an_existing_street_is_reused(self, world):
        street = world.here.street
        services.estate_setup(
            actor=world.user("admin"),
            **self.setup_values(street_slug=street.slug, street_name=street.name),
        )
        assert Street.objects.filter(slug=street.slug).count() == 1
        assert Estate.objects.get(slug="xingfu").street == street

    def test_a_short_name_taken_by_another_street_is_refused(self, world):
        street = world.here.street
        with pytest.raises(ValidationError) as caught, nothing_written():
            services.estate_setup(
                actor=world.user("admin"),
                **self.setup_values(street_slug=street.slug, street_name="别的街道"),
            )
        assert "street_slug" in caught.value.message_dict

    @pytest.mark.parametrize(
        "changes",
        [
            {"staff_password": "12345678"},
            {"staff_password": "xingfu-staff"},
            {"staff_username": "staff"},
            {"staff_username": "not a name!"},
            {"staff_phone": "123"},
            {"estate_slug": "here"},
            {"street_name": "", "street_slug": "new-street"},
        ],
        ids=[
            "weak-password",
            "password-like-name",
            "taken-name",
            "bad-name",
            "bad-phone",
            "taken-estate-slug",
            "blank-street",
        ],
    )
    def test_all_or_nothing(self, world, changes):
        """Any refusal, even at the last step, leaves no street, estate or account behind."""
        with nothing_written(), pytest.raises(ValidationError):
            services.estate_setup(actor=world.user("admin"), **self.setup_values(**changes))

    @pytest.mark.parametrize("street_slug", ["xinhua", "existing"])
    def test_only_platform_admins_set_up_estates(self, world, street_slug):
        if street_slug == "existing":
            street_slug = world.here.street.slug
        with nothing_written(), pytest.raises(PermissionDenied):
            services.estate_setup(
                actor=world.user("staff"), **self.setup_values(street_slug=street_slug)
            )


# --- Buildings and flats --------------------------------------------------------------------


class TestBuildingCreate:
    def test_staff_add_a_building(self, world):
        building = services.building_create(
            actor=world.user("staff"), estate=world.here, number=" 12A ", name="", floors=6
        )
        building.refresh_from_db()
        assert (building.number, building.sort_key, building.floors) == ("12A", 12, 6)
        event = last_event()
        assert (event.action, event.actor, event.estate_id) == (
            "building.create",
            world.user("staff"),
            world.here.pk,
        )

    def test_a_number_without_digits_sorts_last(self, world):
        building = services.building_create(
            actor=world.user("staff"), estate=world.here, number="东"
        )
        assert building.sort_key == 999_999

    @pytest.mark.parametrize(
        ("role", "estate"),
        [
            ("owners_committee", "here"),
            ("property", "here"),
            ("leader", "here"),
            ("staff_other_estate", "here"),
            ("staff", "there"),
        ],
    )
    def test_refused_outside_ones_own_estate_console(self, world, role, estate):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.building_create(
                actor=world.user(role), estate=getattr(world, estate), number="9"
            )

    @pytest.mark.parametrize("number", ["1", "", "   ", "1" * 21])
    def test_invalid_or_duplicate_number_is_refused(self, world, number):
        with nothing_written(), pytest.raises(ValidationError):
            services.building_create(actor=world.user("staff"), estate=world.here, number=number)

    def test_same_number_in_another_estate_is_fine(self, world):
        services.building_create(actor=world.user("staff"), estate=world.here, number="3")
        services.building_create(
            actor=world.user("staff_other_estate"), estate=world.there, number="3"
        )

    @pytest.mark.parametrize("number", ["1/2", "<b>x</b>"])
    def test_a_number_that_cannot_be_part_of_an_address_is_refused(self, world, number):
        with nothing_written(), pytest.raises(ValidationError):
            services.building_create(actor=world.user("staff"), estate=world.here, number=number)


class TestBuildingUpdate:
    def test_changes_are_audited_with_old_and_new_values(self, world):
        services.building_update(
            actor=world.user("staff"),
            building=world.b1,
            name="一号楼",
            floors=7,
            description="电梯楼",
        )
        world.b1.refresh_from_db()
        assert (world.b1.name, world.b1.floors, world.b1.description) == ("一号楼", 7, "电梯楼")
        event = last_event()
        assert event.action == "building.update"
        assert event.changes == {
            "name": ["", "一号楼"],
            "floors": [None, 7],
            "description": ["", "电梯楼"],
        }

    def test_nothing_changed_means_no_audit_event(self, world):
        with nothing_written():
            services.building_update(actor=world.user("staff"), building=world.b1, name="")

    def test_the_number_is_not_editable(self, world):
        with nothing_written():
            services.building_update(actor=world.user("staff"), building=world.b1, number="99")

    @pytest.mark.parametrize(
        "role", ["owners_committee", "property", "leader", "staff_other_estate"]
    )
    def test_refused_to_others(self, world, role):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.building_update(actor=world.user(role), building=world.b1, name="x")

    @pytest.mark.parametrize("values", [{"floors": -1}, {"name": "长" * 61}])
    def test_invalid_values_are_refused(self, world, values):
        with nothing_written(), pytest.raises(ValidationError):
            services.building_update(actor=world.user("staff"), building=world.b1, **values)


BAD_AREAS = ["abc", "", "0", "0.00", "-5", "4.99", "2000.01", "1e5", "89.555", "NaN", "Infinity"]


class TestFlatCreate:
    def test_staff_add_a_flat_in_an_entrance(self, world):
        flat = services.flat_create(
            actor=world.user("staff"),
            building=world.b1,
            entrance="2",
            number="302",
            floor=3,
            area="  76.40 ",
            area_source=Flat.AreaSource.SURVEYED,
        )
        flat.refresh_from_db()
        assert (flat.label, flat.area, flat.estate) == ("1-2-302", Decimal("76.40"), world.here)
        assert Entrance.objects.get(building=world.b1, number="2").estate == world.here
        event = last_event()
        assert (event.action, event.target_label) == ("flat.create", "1-2-302")

    @pytest.mark.parametrize("area", BAD_AREAS)
    def test_an_invalid_area_is_refused(self, world, area):
        """Nothing is written, not even the entrance the flat would have been in."""
        with nothing_written(), pytest.raises(ValidationError) as exc:
            services.flat_create(
                actor=world.user("staff"), building=world.b1, entrance="9", number="9", area=area
            )
        assert "area" in exc.value.message_dict

    @pytest.mark.parametrize("area", ["5", "5.00", "2000", "92.3", "92.30"])
    def test_areas_at_the_limits_are_accepted(self, world, area):
        flat = services.flat_create(
            actor=world.user("staff"), building=world.b1, number="9", area=area
        )
        flat.refresh_from_db()
        assert flat.area == Decimal(area)

    def test_a_duplicate_number_is_refused_with_a_message_on_the_number(self, world):
        with nothing_written(), pytest.raises(ValidationError) as exc:
            services.flat_create(
                actor=world.user("staff"), building=world.b1, number="101", area="50"
            )
        assert "number" in exc.value.message_dict

    def test_a_duplicate_number_is_refused(self, world):
        with nothing_written(), pytest.raises(ValidationError):
            services.flat_create(
                actor=world.user("staff"), building=world.b1, number="101", area="50"
            )

    def test_a_duplicate_number_in_the_same_entrance_is_refused(self, world):
        services.flat_create(
            actor=world.user("staff"), building=world.b1, entrance="1", number="501", area="50"
        )
        with nothing_written(), pytest.raises(ValidationError):
            services.flat_create(
                actor=world.user("staff"), building=world.b1, entrance="1", number="501", area="60"
            )

    def test_the_same_number_in_another_entrance_or_building_is_fine(self, world):
        for building, entrance in ((world.b1, "1"), (world.b1, "2"), (world.b2, "")):
            services.flat_create(
                actor=world.user("staff"),
                building=building,
                entrance=entrance,
                number="501",
                area="50",
            )

    def test_a_blank_number_is_refused(self, world):
        with nothing_written(), pytest.raises(ValidationError):
            services.flat_create(
                actor=world.user("staff"), building=world.b1, number=" ", area="50"
            )

    @pytest.mark.parametrize(
        ("role", "building"),
        [("owners_committee", "b1"), ("leader", "b1"), ("staff", "b_there")],
    )
    def test_refused_outside_ones_own_estate_console(self, world, role, building):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.flat_create(
                actor=world.user(role),
                building=getattr(world, building),
                entrance="5",
                number="9",
                area="50",
            )


class TestFlatUpdate:
    def test_area_change_is_audited_as_exact_strings(self, world):
        services.flat_update(actor=world.user("staff"), flat=world.flat1, area="92.30")
        world.flat1.refresh_from_db()
        assert world.flat1.area == Decimal("92.30")
        event = last_event()
        assert (event.action, event.actor, event.target_id) == (
            "flat.update",
            world.user("staff"),
            str(world.flat1.pk),
        )
        assert event.changes == {"area": ["89.50", "92.30"]}

    def test_area_is_recorded_as_stored(self, world):
        services.flat_update(actor=world.user("staff"), flat=world.flat1, area="92.3")
        assert last_event().changes == {"area": ["89.50", "92.30"]}

    def test_floor_and_source_changes_are_audited(self, world):
        services.flat_update(
            actor=world.user("staff"),
            flat=world.flat1,
            floor=4,
            area="89.50",
            area_source=Flat.AreaSource.SURVEYED,
        )
        assert last_event().changes == {"floor": [3, 4], "area_source": ["registered", "surveyed"]}

    def test_nothing_changed_means_no_audit_event(self, world):
        with nothing_written():
            services.flat_update(actor=world.user("staff"), flat=world.flat1, area="89.5")

    def test_fields_outside_the_list_are_ignored(self, world):
        with nothing_written():
            services.flat_update(
                actor=world.user("staff"), flat=world.flat1, number="999", estate=world.there
            )

    @pytest.mark.parametrize("area", BAD_AREAS)
    def test_an_invalid_area_is_refused(self, world, area):
        with nothing_written(), pytest.raises(ValidationError):
            services.flat_update(actor=world.user("staff"), flat=world.flat1, area=area)

    @pytest.mark.parametrize(
        ("role", "flat"),
        [
            ("owners_committee", "flat1"),
            ("property", "flat1"),
            ("resident", "flat1"),
            ("leader", "flat1"),
            ("staff", "flat_there"),
            ("staff_other_estate", "flat1"),
        ],
    )
    def test_refused_to_others(self, world, role, flat):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.flat_update(actor=world.user(role), flat=getattr(world, flat), area="92.30")


# --- People, occupancies, roles -------------------------------------------------------------


class TestPersonCreate:
    def test_staff_add_a_person_with_a_normalised_phone(self, world):
        person = services.person_create(
            actor=world.user("staff"),
            estate=world.here,
            full_name=" 陈阿姨 ",
            phone="+86 139-1234-5678",
            note="独居",
        )
        person.refresh_from_db()
        assert (person.full_name, person.phone, person.note) == ("陈阿姨", "+8613912345678", "独居")
        event = last_event()
        assert (event.action, event.target_label, event.changes) == ("person.create", "陈阿姨", {})
        assert "5678" not in audit_text()

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"full_name": ""}, "full_name"),
            ({"full_name": "   "}, "full_name"),
            ({"full_name": "长" * 61}, "full_name"),
            ({"phone": "12345"}, "phone"),
            ({"phone": "1391234567x"}, "phone"),
            ({"phone": "11012345678"}, "phone"),  # mobiles start 13–19
            ({"note": "长" * 201}, "note"),
        ],
    )
    def test_invalid_person_is_refused(self, world, values, field):
        values = {"full_name": "陈阿姨"} | values
        with nothing_written(), pytest.raises(ValidationError) as exc:
            services.person_create(actor=world.user("staff"), estate=world.here, **values)
        assert field in exc.value.message_dict

    @pytest.mark.parametrize(
        ("role", "estate"),
        [
            ("owners_committee", "here"),
            ("leader", "here"),
            ("resident", "here"),
            ("staff_other_estate", "here"),
            ("staff", "there"),
        ],
    )
    def test_refused_to_others(self, world, role, estate):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.person_create(
                actor=world.user(role), estate=getattr(world, estate), full_name="陈阿姨"
            )


class TestPersonUpdate:
    def test_a_name_change_is_audited(self, world):
        services.person_update(actor=world.user("staff"), person=world.person1, full_name="李新名 ")
        world.person1.refresh_from_db()
        assert world.person1.full_name == "李新名"
        event = last_event()
        assert (event.action, event.changes) == (
            "person.update",
            {"full_name": ["李居民", "李新名"]},
        )

    def test_a_phone_change_is_recorded_without_the_numbers(self, world):
        old = world.person1.phone
        services.person_update(
            actor=world.user("staff"), person=world.person1, phone="138 0013 8000"
        )
        world.person1.refresh_from_db()
        assert world.person1.phone == "+8613800138000"
        assert last_event().changes == {"phone": ["***", "***"]}
        text = audit_text()
        assert "13800138000" not in text and old not in text

    def test_the_same_phone_written_differently_is_no_change(self, world):
        world.person1.phone = "+8613800138000"
        world.person1.save()
        with nothing_written():
            services.person_update(
                actor=world.user("staff"), person=world.person1, phone="+86 138-0013-8000"
            )

    def test_fields_outside_the_list_are_ignored(self, world):
        with nothing_written():
            services.person_update(
                actor=world.user("staff"), person=world.person1, estate=world.there, user=None
            )

    @pytest.mark.parametrize(
        "values", [{"full_name": ""}, {"phone": "12345"}, {"note": "长" * 201}]
    )
    def test_invalid_values_are_refused(self, world, values):
        with nothing_written(), pytest.raises(ValidationError):
            services.person_update(actor=world.user("staff"), person=world.person1, **values)

    @pytest.mark.parametrize(
        ("role", "person"),
        [
            ("owners_committee", "person1"),
            ("property", "person1"),
            ("leader", "person1"),
            ("resident", "person1"),  # not even themselves: the committee keeps the roster
            ("staff", "person_there"),
        ],
    )
    def test_refused_to_others(self, world, role, person):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.person_update(
                actor=world.user(role), person=getattr(world, person), full_name="x"
            )


class TestOccupancyCreate:
    def test_staff_record_a_family_member_from_today(self, world):
        occupancy = services.occupancy_create(
            actor=world.user("staff"),
            person=world.person2,
            flat=world.flat1,
            relation=Occupancy.Relation.FAMILY,
        )
        assert (occupancy.estate, occupancy.starts_on, occupancy.ends_on) == (
            world.here,
            TODAY(),
            None,
        )
        event = last_event()
        assert (event.action, event.estate_id) == ("occupancy.create", world.here.pk)

    def test_a_new_occupancy_gives_access_at_once(self, world):
        """The account behind the person sees the new building's people without signing in
        again (the cached permissions are dropped)."""
        resident = world.user("resident")
        assert not permissions.can(resident, "view_flats", world.there.buildings.first())
        person = f.PersonFactory(estate=world.there, user=resident)
        services.occupancy_create(
            actor=world.user("staff_other_estate"),
            person=person,
            flat=world.flat_there,
            relation=Occupancy.Relation.TENANT,
        )
        assert permissions.can(person.user, "view_flats", world.b_there)

    def test_person_and_flat_of_different_estates_are_refused(self, world):
        with nothing_written(), pytest.raises(ValidationError) as exc:
            services.occupancy_create(
                actor=world.user("staff_other_estate"),
                person=world.person1,
                flat=world.flat_there,
                relation=Occupancy.Relation.OWNER,
            )
        assert messages(exc) == _("The person and the flat belong to different estates.")

    def test_a_flat_of_another_estate_is_refused_to_staff(self, world):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.occupancy_create(
                actor=world.user("staff"),
                person=world.person1,
                flat=world.flat_there,
                relation=Occupancy.Relation.OWNER,
            )

    def test_recording_the_same_person_twice_is_refused(self, world):
        with nothing_written(), pytest.raises(ValidationError):
            services.occupancy_create(
                actor=world.user("staff"),
                person=world.person1,
                flat=world.flat1,
                relation=Occupancy.Relation.FAMILY,
            )

    def test_after_moving_out_a_person_can_be_recorded_again(self, world):
        services.occupancy_end(
            actor=world.user("staff"), occupancy=world.occupancy1, ends_on=TODAY()
        )
        services.occupancy_create(
            actor=world.user("staff"),
            person=world.person1,
            flat=world.flat1,
            relation=Occupancy.Relation.TENANT,
        )

    def test_an_unknown_relation_is_refused(self, world):
        with nothing_written(), pytest.raises(ValidationError):
            services.occupancy_create(
                actor=world.user("staff"),
                person=world.person2,
                flat=world.flat1,
                relation="landlord",
            )

    @pytest.mark.parametrize("role", ["owners_committee", "property", "leader", "resident"])
    def test_refused_to_others(self, world, role):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.occupancy_create(
                actor=world.user(role),
                person=world.person2,
                flat=world.flat1,
                relation=Occupancy.Relation.FAMILY,
            )


class TestOccupancyEnd:
    def test_ends_today_by_default_and_keeps_the_history(self, world):
        services.occupancy_end(actor=world.user("staff"), occupancy=world.occupancy1)
        world.occupancy1.refresh_from_db()
        assert world.occupancy1.ends_on == TODAY()
        event = last_event()
        assert (event.action, event.changes) == (
            "occupancy.end",
            {"ends_on": [None, TODAY().isoformat()]},
        )

    def test_ends_on_a_given_date(self, world):
        day = datetime.date(2024, 6, 30)
        services.occupancy_end(actor=world.user("staff"), occupancy=world.occupancy1, ends_on=day)
        world.occupancy1.refresh_from_db()
        assert world.occupancy1.ends_on == day
        assert world.occupancy1.is_current is False

    def test_ending_an_ended_occupancy_is_refused(self, world):
        ended = f.OccupancyFactory(flat=world.flat1, ended=True)
        with nothing_written(), pytest.raises(ValidationError) as exc:
            services.occupancy_end(actor=world.user("staff"), occupancy=ended)
        assert messages(exc) == _("This occupancy has already ended.")

    def test_an_end_before_the_start_is_refused(self, world):
        before_start = world.occupancy1.starts_on - datetime.timedelta(days=1)
        with nothing_written(), pytest.raises(ValidationError) as exc:
            services.occupancy_end(
                actor=world.user("staff"), occupancy=world.occupancy1, ends_on=before_start
            )
        assert "ends_on" in exc.value.message_dict

    @pytest.mark.parametrize(
        ("role", "occupancy"),
        [
            ("owners_committee", "occupancy1"),
            ("leader", "occupancy1"),
            ("resident", "occupancy1"),
            ("staff", "occupancy_there"),
            ("staff_other_estate", "occupancy1"),
        ],
    )
    def test_refused_to_others(self, world, role, occupancy):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.occupancy_end(actor=world.user(role), occupancy=getattr(world, occupancy))


class TestRoleAssign:
    def test_staff_make_an_account_group_leader_of_a_building(self, world):
        outsider = world.user("outsider")
        assert not permissions.can(outsider, "view_flats", world.b2)
        role = services.role_assign(
            actor=world.user("staff"),
            user=outsider,
            kind=Role.Kind.GROUP_LEADER,
            building=world.b2,
        )
        assert (role.estate, role.street, role.building, role.starts_on) == (
            world.here,
            world.here.street,
            world.b2,
            TODAY(),
        )
        assert permissions.can(outsider, "view_flats", world.b2)
        event = last_event()
        assert (event.action, event.actor, event.estate_id) == (
            "role.assign",
            world.user("staff"),
            world.here.pk,
        )

    def test_estate_roles_take_their_street_from_the_estate(self, world):
        role = services.role_assign(
            actor=world.user("staff"),
            user=world.user("outsider"),
            kind=Role.Kind.PROPERTY_STAFF,
            estate=world.here,
            building=world.b1,  # not part of an estate role's scope: dropped
        )
        assert (role.street, role.building) == (world.here.street, None)

    def test_admin_appoints_a_foundation_officer_for_a_street(self, world):
        role = services.role_assign(
            actor=world.user("admin"),
            user=world.user("outsider"),
            kind=Role.Kind.FOUNDATION_OFFICER,
            street=world.there.street,
        )
        assert (role.street, role.estate) == (world.there.street, None)

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"kind": "king", "estate": "here"}, "kind"),
            ({"kind": Role.Kind.GROUP_LEADER, "estate": "here"}, "building"),
            ({"kind": Role.Kind.COMMITTEE_STAFF}, "estate"),
            ({"kind": Role.Kind.OWNERS_COMMITTEE}, "estate"),
            ({"kind": Role.Kind.FOUNDATION_OFFICER}, "street"),
        ],
    )
    def test_a_place_that_does_not_fit_the_role_is_refused(self, world, values, field):
        if "estate" in values:
            values["estate"] = world.here
        with nothing_written(), pytest.raises(ValidationError) as exc:
            services.role_assign(actor=world.user("admin"), user=world.user("outsider"), **values)
        assert field in exc.value.message_dict

    def test_an_end_before_the_start_is_refused(self, world):
        with nothing_written(), pytest.raises(ValidationError):
            services.role_assign(
                actor=world.user("staff"),
                user=world.user("outsider"),
                kind=Role.Kind.PROPERTY_STAFF,
                estate=world.here,
                starts_on=datetime.date(2025, 3, 1),
                ends_on=datetime.date(2025, 2, 1),
            )

    @pytest.mark.parametrize(
        ("role", "values"),
        [
            ("staff", {"kind": Role.Kind.FOUNDATION_OFFICER, "street": "street"}),
            ("staff", {"kind": Role.Kind.PLATFORM_ADMIN}),
            ("staff", {"kind": Role.Kind.COMMITTEE_STAFF, "estate": "there"}),
            ("staff", {"kind": Role.Kind.GROUP_LEADER, "building": "b_there"}),
            ("owners_committee", {"kind": Role.Kind.PROPERTY_STAFF, "estate": "here"}),
            ("leader", {"kind": Role.Kind.GROUP_LEADER, "building": "b1"}),
            ("foundation", {"kind": Role.Kind.COMMITTEE_STAFF, "estate": "here"}),
            ("staff_other_estate", {"kind": Role.Kind.COMMITTEE_STAFF, "estate": "here"}),
        ],
    )
    def test_refused_beyond_ones_powers(self, world, role, values):
        places = {"street": world.here.street, "here": world.here, "there": world.there}
        places |= {"b1": world.b1, "b_there": world.b_there}
        values = {k: places.get(v, v) if k != "kind" else v for k, v in values.items()}
        with nothing_written(), pytest.raises(PermissionDenied):
            services.role_assign(actor=world.user(role), user=world.user("outsider"), **values)


class TestRoleEnd:
    def test_staff_end_a_role_and_access_goes_with_it(self, world):
        member = User.objects.get(username="owners_committee")
        assert permissions.can(member, "view_directory", world.here)
        services.role_end(actor=world.user("staff"), role=world.role_here)
        world.role_here.refresh_from_db()
        assert world.role_here.ends_on == TODAY()
        event = last_event()
        assert (event.action, event.changes) == (
            "role.end",
            {"ends_on": [None, TODAY().isoformat()]},
        )
        fresh = User.objects.get(username="owners_committee")
        assert not permissions.can(fresh, "view_directory", world.here)

    def test_a_role_can_be_ended_on_a_future_date(self, world):
        day = TODAY() + datetime.timedelta(days=30)
        services.role_end(actor=world.user("staff"), role=world.role_here, ends_on=day)
        assert permissions.can(
            User.objects.get(username="owners_committee"), "view_directory", world.here
        )

    def test_ending_an_ended_role_is_refused(self, world):
        ended = f.RoleFactory(estate=world.here, kind=Role.Kind.PROPERTY_STAFF, ended=True)
        with nothing_written(), pytest.raises(ValidationError):
            services.role_end(actor=world.user("staff"), role=ended)

    def test_an_end_before_the_start_is_refused(self, world):
        with nothing_written(), pytest.raises(ValidationError):
            services.role_end(
                actor=world.user("staff"),
                role=world.role_here,
                ends_on=world.role_here.starts_on - datetime.timedelta(days=1),
            )

    @pytest.mark.parametrize(
        ("role", "target"),
        [
            ("owners_committee", "role_here"),
            ("property", "role_here"),
            ("staff_other_estate", "role_here"),
            ("staff", "role_there"),
        ],
    )
    def test_refused_to_others(self, world, role, target):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.role_end(actor=world.user(role), role=getattr(world, target))

    def test_staff_cannot_end_a_platform_admins_role(self, world):
        admin_role = Role.objects.get(user=world.user("admin"))
        with nothing_written(), pytest.raises(PermissionDenied):
            services.role_end(actor=world.user("staff"), role=admin_role)


class TestPreferencesSet:
    def test_saves_large_text_and_language_on_the_account(self, world):
        user = world.user("resident")
        services.preferences_set(user=user, large_text=True, language="en")
        user.refresh_from_db()
        assert (user.large_text, user.language) == (True, "en")

    def test_leaves_unnamed_preferences_alone(self, world):
        user = world.user("resident")
        services.preferences_set(user=user, large_text=True, language="en")
        services.preferences_set(user=user, large_text=False)
        user.refresh_from_db()
        assert (user.large_text, user.language) == (False, "en")

    def test_nothing_given_writes_nothing(self, world):
        with nothing_written():
            services.preferences_set(user=world.user("resident"))

    def test_a_personal_preference_is_not_audited(self, world):
        services.preferences_set(user=world.user("resident"), large_text=True)
        assert AuditEvent.objects.count() == 0


class TestPhonesNeverReachTheAuditLog:
    def test_after_every_service_that_takes_a_phone(self, world):
        admin, staff = world.user("admin"), world.user("staff")
        services.estate_setup(
            actor=admin,
            street_name="新华街道",
            street_slug="xinhua",
            estate_name="幸福小区",
            estate_slug="xingfu",
            staff_username="xingfu-staff",
            staff_password=PASSWORD,
            staff_phone="13700001111",
        )
        person = services.person_create(
            actor=staff, estate=world.here, full_name="陈阿姨", phone="13600002222"
        )
        services.person_update(actor=staff, person=person, phone="13500003333")
        text = audit_text()
        for digits in ("13700001111", "13600002222", "13500003333", "1111", "2222", "3333"):
            assert digits not in text
