"""Shared test setup: a throw-away data folder, a fast password hasher, hypothesis profiles."""

import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", max_examples=200, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Static files come straight from the package. Parallel workers share one data folder,
    # and a `collectstatic` run by one of them (the demo command does) must not make the
    # others' pages ask the live server for hashed names it cannot serve.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _plain_language():
    """Each test starts in Chinese, as a new visitor would."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


class World:
    """Two estates in two streets and one account for every role, named as tests say them.

    Estate ``here`` (buildings 1 and 2) is where the actors work; estate ``there`` is another
    estate whose staff must see nothing of ``here``.
    """

    ROLES = (
        "anonymous",
        "outsider",
        "resident",
        "leader",
        "leader_other_building",
        "staff",
        "owners_committee",
        "property",
        "foundation",
        "admin",
        "staff_other_estate",
    )

    def __init__(self):
        from linju.community.models import Occupancy, Role
        from tests import factories as f

        self.here = f.EstateFactory(slug="here", name="这里小区")
        self.there = f.EstateFactory(slug="there", name="那里小区")
        self.b1 = f.BuildingFactory(estate=self.here, number="1", sort_key=1)
        self.b2 = f.BuildingFactory(estate=self.here, number="2", sort_key=2)
        self.b_there = f.BuildingFactory(estate=self.there, number="1", sort_key=1)
        self.flat1 = f.FlatFactory(building=self.b1, number="101")
        self.flat2 = f.FlatFactory(building=self.b2, number="201")
        self.flat_there = f.FlatFactory(building=self.b_there, number="101")
        self.users = {}
        self.users["outsider"] = f.UserFactory(username="outsider")
        self.users["resident"] = f.UserFactory(username="resident")
        self.person1 = f.PersonFactory(
            estate=self.here, full_name="李居民", user=self.users["resident"]
        )
        self.occupancy1 = f.OccupancyFactory(flat=self.flat1, person=self.person1)
        self.person2 = f.PersonFactory(estate=self.here, full_name="王邻居")
        self.occupancy2 = f.OccupancyFactory(flat=self.flat2, person=self.person2, tenant=True)
        self.person_there = f.PersonFactory(estate=self.there, full_name="赵外人")
        self.occupancy_there = f.OccupancyFactory(flat=self.flat_there, person=self.person_there)
        for name, kind, building in (
            ("leader", Role.Kind.GROUP_LEADER, self.b1),
            ("leader_other_building", Role.Kind.GROUP_LEADER, self.b2),
        ):
            user = f.UserFactory(username=name)
            f.RoleFactory(user=user, kind=kind, estate=self.here, building=building)
            self.users[name] = user
        for name, kind in (
            ("staff", Role.Kind.COMMITTEE_STAFF),
            ("owners_committee", Role.Kind.OWNERS_COMMITTEE),
            ("property", Role.Kind.PROPERTY_STAFF),
        ):
            user = f.UserFactory(username=name)
            f.RoleFactory(user=user, kind=kind, estate=self.here)
            self.users[name] = user
        self.users["foundation"] = f.UserFactory(username="foundation")
        f.RoleFactory(
            user=self.users["foundation"],
            kind=Role.Kind.FOUNDATION_OFFICER,
            estate=None,
            street=self.here.street,
        )
        self.users["admin"] = f.UserFactory(username="admin")
        f.RoleFactory(
            user=self.users["admin"], kind=Role.Kind.PLATFORM_ADMIN, estate=None, street=None
        )
        self.users["staff_other_estate"] = f.UserFactory(username="staff_other_estate")
        self.role_there = f.RoleFactory(user=self.users["staff_other_estate"], estate=self.there)
        self.role_here = Role.objects.get(user=self.users["owners_committee"])
        assert Occupancy.objects.count() == 3

    def user(self, role: str):
        return None if role == "anonymous" else self.users[role]


@pytest.fixture
def world(db):
    return World()
