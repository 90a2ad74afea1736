"""The demo estate loader: the estate the customer story describes, the same on every load."""

import hashlib
import io
import random
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import override_settings

from linju.community.demo import (
    BUILDINGS,
    DEMO_PASSWORD,
    DEVELOPER_NAME,
    SEED,
    EstatePlan,
    demo_accounts,
    demo_load,
)
from linju.community.models import (
    Building,
    Entrance,
    Estate,
    Flat,
    Occupancy,
    Owner,
    Person,
    Role,
    Street,
)
from linju.core.models import AuditEvent
from linju.core.phones import normalise_phone

# Change this only when the demo data is changed on purpose.
FINGERPRINT = "da4e30134cf45923eb84065a20ddcc3a985d02f84a753113fd217bb142af8495"

# The shared fast-hasher fixture is per test; the module-wide load must hash the same way.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """Load once for the module, inside a transaction that is rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        summary = demo_load()
        if connection.vendor == "postgresql":
            # The estate was written inside this transaction, which autovacuum cannot see:
            # give the planner its statistics, or large joins get plans for empty tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def estate():
    return Estate.objects.get(slug="zhonghao")


def test_one_street_and_one_estate(demo, estate):
    assert demo.created
    street = Street.objects.get()
    assert (street.slug, street.name, street.district, street.city) == (
        "wanli",
        "万里街道",
        "普陀区",
        "上海",
    )
    assert Estate.objects.get() == estate
    assert (estate.name, estate.built_year, estate.street) == ("中浩云花园", 2009, street)


def test_21_buildings_numbered_up_to_26(estate):
    numbers = set(Building.objects.filter(estate=estate).values_list("number", flat=True))
    assert len(numbers) == 21
    assert {"2", "15", "16", "17", "19", "25", "26"} <= numbers
    assert max(int(n) for n in numbers) == 26
    entrances = Building.objects.annotate(n=Count("entrances")).values_list("n", flat=True)
    assert set(entrances) <= {1, 2}


def test_1790_flats_with_plausible_areas(estate):
    flats = list(Flat.objects.filter(estate=estate).select_related("building"))
    assert len(flats) == 1790 == sum(plan.flat_count for plan in BUILDINGS)
    assert all(Decimal("60") <= f.area <= Decimal("140") for f in flats)
    assert all(f.area == f.area.quantize(Decimal("0.01")) for f in flats)
    assert all(f.number.startswith(str(f.floor)) and len(f.number) in (3, 4) for f in flats)
    assert all(f.floor <= f.building.floors for f in flats)
    sources = [f.area_source for f in flats]
    assert sources.count(Flat.AreaSource.REGISTERED) > 0.9 * len(flats)
    assert Flat.AreaSource.SURVEYED in sources
    assert Flat.AreaSource.CONTRACT in sources


def test_about_4400_people_and_every_row_in_the_estate(estate):
    assert 4300 <= Person.objects.count() <= 4500
    for model in (Building, Entrance, Flat, Owner, Person, Occupancy):
        assert model.objects.exclude(estate=estate).count() == 0, model.__name__
    estate_roles = Role.objects.exclude(kind__in=["foundation_officer", "platform_admin"])
    assert not estate_roles.exclude(estate=estate).exists()


def test_owners_of_every_kind(estate):
    owners = Owner.objects.filter(estate=estate).annotate(
        n_flats=Count("flats", distinct=True), n_members=Count("members", distinct=True)
    )
    assert owners.filter(kind="person", n_flats=2, n_members=1).exists()
    joint = owners.filter(kind="joint")
    assert joint.exists()
    for owner in joint:
        members = set(owner.members.all())
        assert len(members) == 2 and owner.voter in members
        relations = Occupancy.objects.filter(person__in=members, flat__owner=owner)
        assert set(relations.values_list("relation", flat=True)) == {"co_owner"}
    assert not owners.filter(kind="joint", voter__isnull=True).exists()
    assert owners.filter(flats__isnull=True).count() == 0


def test_developer_owns_unsold_flats_with_no_one_in_them(estate):
    developer = Owner.objects.get(estate=estate, kind="developer")
    assert developer.name == DEVELOPER_NAME
    assert developer.flats.count() == 12
    assert not developer.members.exists()
    assert not Occupancy.objects.filter(flat__owner=developer).exists()


def test_most_flats_have_a_resident_owner_and_others_tenants_and_family(estate):
    relations = dict(Occupancy.objects.values_list("relation").annotate(n=Count("id")).order_by())
    assert relations["owner"] > 1000
    assert relations["family"] > 1000
    assert relations["tenant"] > 100
    rented = Flat.objects.filter(occupancies__relation="tenant").distinct()
    for flat in rented[:20]:
        owner_people = set(flat.owner.members.all())
        tenants = {o.person for o in flat.occupancies.filter(relation="tenant")}
        assert owner_people and not owner_people & tenants
    dates = Occupancy.objects.values_list("starts_on", flat=True)
    assert all(2009 <= d.year <= 2026 for d in dates)


def test_phones_cannot_be_real_and_pass_the_normaliser():
    people_phones = list(Person.objects.exclude(phone="").values_list("phone", flat=True))
    account_phones = list(get_user_model().objects.values_list("phone", flat=True))
    assert len(people_phones) > 3000
    assert len(set(people_phones)) == len(people_phones)
    for phone in people_phones + account_phones:
        if phone:  # neighbours the demo made accounts for (to vote, comment) have no phone
            assert normalise_phone(phone) == phone and phone.startswith("+861749"), phone


def test_every_demo_account_signs_in_with_the_demo_password():
    usernames = [username for username, _who in demo_accounts()]
    assert len(usernames) == 21 + 7  # leaders, resident17, staff roles and designer25
    for username in usernames:
        user = authenticate(None, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert user.display_name and not user.is_superuser
    assert authenticate(None, username="staff", password="wrong") is None
    # One hash for all the loader makes, as it hashes once (the works demo adds designer25).
    loaders = [u for u in usernames if u != "designer25"]
    hashes = get_user_model().objects.filter(username__in=loaders).values_list("password")
    assert len(set(hashes)) == 1


def test_resident17_owns_and_lives_in_building_17():
    person = Person.objects.get(user__username="resident17")
    occupancy = Occupancy.objects.current().get(person=person, flat__building__number="17")
    assert occupancy.relation in ("owner", "co_owner")
    assert occupancy.flat.owner.members.filter(pk=person.pk).exists()
    assert person.user.phone == person.phone


def test_every_building_has_a_current_group_leader_living_there(estate):
    for building in Building.objects.filter(estate=estate):
        role = Role.objects.current().get(kind="group_leader", building=building)
        assert role.user.username == f"leader{building.number}"
        assert (role.estate, role.street) == (estate, estate.street)
        leader = Person.objects.get(user=role.user)
        assert Occupancy.objects.current().filter(person=leader, flat__building=building)


def test_staff_roles_have_their_scopes(estate):
    def role(username):
        return Role.objects.current().get(user__username=username)

    for username in ("staff", "owners", "property"):
        assert (role(username).estate, role(username).street) == (estate, estate.street)
        assert role(username).building is None
    assert role("staff").user.display_name == "苏华军"
    foundation = role("foundation")
    assert (foundation.kind, foundation.street, foundation.estate) == (
        "foundation_officer",
        estate.street,
        None,
    )
    admin = role("admin")
    assert (admin.kind, admin.street, admin.estate) == ("platform_admin", None, None)


def test_load_is_recorded_in_the_audit_log(estate):
    event = AuditEvent.objects.get(action="demo.load")
    assert (event.estate, event.target_type, event.actor) == (estate, "community.estate", None)


def test_second_load_changes_nothing():
    counts = [m.objects.count() for m in (Estate, Flat, Person, Occupancy, Owner, Role)]
    users = get_user_model().objects.count()
    summary = demo_load()
    assert not summary.created
    assert (summary.buildings, summary.flats) == (21, 1790)
    assert [m.objects.count() for m in (Estate, Flat, Person, Occupancy, Owner, Role)] == counts
    assert get_user_model().objects.count() == users
    assert AuditEvent.objects.filter(action="demo.load").count() == 1


def test_demo_command_without_serving_prints_every_kind_of_account():
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    for username in ("resident17", "leader17", "staff", "owners", "property", "foundation"):
        assert username in text
    assert DEMO_PASSWORD in text and "1790" in text
    assert Estate.objects.count() == 1


def _fingerprint() -> str:
    flats = Flat.objects.values_list(
        "building__number",
        "entrance__number",
        "number",
        "area",
        "area_source",
        "owner__kind",
        "owner__name",
    )
    lines = sorted("|".join(str(value) for value in flat) for flat in flats)
    lines += sorted(f"{p.full_name}|{p.phone}|{p.note}" for p in Person.objects.all())
    # Flat labels as Flat.label writes them; no joins beyond what the line needs and no
    # database ordering (the lines are sorted here).
    lines += sorted(
        f"{'-'.join(p for p in (building, entrance, number) if p)}|{name}|{relation}|{starts}"
        for building, entrance, number, name, relation, starts in Occupancy.objects.order_by()
        .values_list(
            "flat__building__number",
            "flat__entrance__number",
            "flat__number",
            "person__full_name",
            "relation",
            "starts_on",
        )
        .iterator()
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_same_data_on_every_load():
    assert _fingerprint() == FINGERPRINT


def test_a_new_plan_from_the_seed_matches_what_was_loaded(estate):
    plan = EstatePlan(estate, random.Random(SEED))
    plan.generate()
    loaded = list(Person.objects.order_by("pk").values_list("full_name", "phone"))
    assert [(p.full_name, p.phone) for p in plan.people] == loaded
    areas = list(Flat.objects.order_by("pk").values_list("area", flat=True))
    assert [f.area for f in plan.flats] == areas


def test_demo_has_a_published_and_an_open_owners_decision(estate):
    """Building 15's stairwell renovation was counted and published; building 17 votes now
    on its roof, and resident17 has not voted yet."""
    from linju.decisions import selectors
    from linju.decisions.models import Decision

    owners = Decision.objects.filter(estate=estate, kind=Decision.Kind.OWNERS)
    published = owners.get(status=Decision.Status.PUBLISHED)
    assert published.matter == Decision.Matter.RENOVATE
    assert published.result["strict"]["result"] == "passed"
    assert published.ballots.filter(channel="paper", counted=True).exists()
    assert published.ballots.filter(channel="proxy", counted=True).exists()
    roof = owners.get(status=Decision.Status.OPEN)
    resident = get_user_model().objects.get(username="resident17")
    mine = selectors.voter_entries(actor=resident, decision=roof)
    assert len(mine) == 1 and mine[0].ballot is None
    assert selectors.participation(decision=roof)["voted_heads"] > 0


def test_demo_board_has_notices_and_one_read_receipt(estate):
    """The disclosure board carries notices of the categories the demo's work produces (a
    result, meetings' minutes, money); building 17's leader opened the money notice, so staff
    see one receipt."""
    from linju.notices.models import Notice, NoticeRead

    notices = Notice.objects.filter(estate=estate, status=Notice.Status.PUBLISHED)
    assert set(notices.values_list("category", flat=True)) >= {
        Notice.Category.MEETING,
        Notice.Category.HEARINGS,
        Notice.Category.PUBLIC_MONEY,
        Notice.Category.WORKING_FUNDS,
    }
    assert notices.filter(pinned=True).count() == 1
    read = NoticeRead.objects.get(notice__estate=estate)
    assert read.user.username == "leader17"
