"""factory_boy factories for the directory, with traits for the states tests need."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from linju.community.models import (
    Building,
    Estate,
    Flat,
    Occupancy,
    Owner,
    Person,
    Role,
    Street,
)
from linju.core.models import User

PASSWORD = "correct-horse-battery-staple"


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"测试街道{n}")
    slug = factory.Sequence(lambda n: f"street-{n}")


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"测试小区{n}")
    slug = factory.Sequence(lambda n: f"estate-{n}")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    estate = factory.SubFactory(EstateFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    sort_key = factory.LazyAttribute(lambda o: int(o.number) if o.number.isdigit() else 0)


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner

    estate = factory.SubFactory(EstateFactory)
    name = factory.Sequence(lambda n: f"业主{n}")

    class Params:
        developer = factory.Trait(kind=Owner.Kind.DEVELOPER, name="开发商")
        joint = factory.Trait(kind=Owner.Kind.JOINT)


class FlatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flat

    building = factory.SubFactory(BuildingFactory)
    estate = factory.SelfAttribute("building.estate")
    number = factory.Sequence(lambda n: f"{(n % 30) + 1}{(n // 30) % 4 + 1:02d}")
    floor = 3
    area = Decimal("89.50")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    estate = factory.SubFactory(EstateFactory)
    full_name = factory.Sequence(lambda n: f"张{n}")
    phone = factory.Sequence(lambda n: f"+861749{n:07d}")


class OccupancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occupancy

    flat = factory.SubFactory(FlatFactory)
    estate = factory.SelfAttribute("flat.estate")
    person = factory.SubFactory(PersonFactory, estate=factory.SelfAttribute("..flat.estate"))
    relation = Occupancy.Relation.OWNER
    starts_on = factory.LazyFunction(lambda: timezone.localdate().replace(year=2015))

    class Params:
        tenant = factory.Trait(relation=Occupancy.Relation.TENANT)
        ended = factory.Trait(ends_on=factory.LazyFunction(timezone.localdate))


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = Role.Kind.COMMITTEE_STAFF
    estate = factory.SubFactory(EstateFactory)
    street = factory.SelfAttribute("estate.street")
    starts_on = factory.LazyFunction(lambda: timezone.localdate().replace(year=2020))

    class Params:
        ended = factory.Trait(ends_on=factory.LazyFunction(timezone.localdate))


# --- Joining flats and authorised agents ------------------------------------------------------


class JoinCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "membership.JoinCode"

    flat = factory.SubFactory(FlatFactory)
    estate = factory.SelfAttribute("flat.estate")
    code = factory.Sequence(lambda n: "TEST" + "".join("ABCDEFGHJK"[int(d)] for d in f"{n:04d}"))

    class Params:
        retired = factory.Trait(is_active=False, retired_at=factory.LazyFunction(timezone.now))


class JoinRequestFactory(factory.django.DjangoModelFactory):
    """A request waiting for approval; traits ``approved``, ``rejected``, ``withdrawn``."""

    class Meta:
        model = "membership.JoinRequest"

    flat = factory.SubFactory(FlatFactory)
    estate = factory.SelfAttribute("flat.estate")
    user = factory.SubFactory(UserFactory)
    relation = Occupancy.Relation.FAMILY
    full_name = factory.Sequence(lambda n: f"申请人{n}")

    class Params:
        approved = factory.Trait(
            status="approved",
            decided_at=factory.LazyFunction(timezone.now),
            decided_by=factory.SubFactory(UserFactory),
        )
        rejected = factory.Trait(
            status="rejected",
            decided_at=factory.LazyFunction(timezone.now),
            decided_by=factory.SubFactory(UserFactory),
            reason="不是本户",
        )
        withdrawn = factory.Trait(status="withdrawn")


class DelegationFactory(factory.django.DjangoModelFactory):
    """An owner's authorisation, active from today for 90 days, to vote; traits ``expired``,
    ``revoked``, ``future`` and ``everything`` (scope "all")."""

    class Meta:
        model = "membership.Delegation"

    principal = factory.SubFactory(PersonFactory)
    estate = factory.SelfAttribute("principal.estate")
    agent = factory.SubFactory(UserFactory)
    scope = factory.LazyFunction(lambda: ["vote"])
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timedelta(days=90))
    created_by = factory.LazyAttribute(lambda o: o.principal.user)

    class Params:
        expired = factory.Trait(
            starts_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100)),
            ends_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1)),
        )
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now))
        future = factory.Trait(
            starts_on=factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
        )
        everything = factory.Trait(scope=factory.LazyFunction(lambda: ["all"]))
