"""Page timings and query counts: the estate home and a building page, anonymous and as staff.

Each page is compared with a trivial Django view (same middleware, no template, no queries),
and its query count on the demo estate (1,790 flats) with the same page of a 30-flat estate:
a page whose query count grows with the estate has an N+1 somewhere.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linju.community.demo import ESTATE_SLUG, demo_load
from linju.community.models import (
    Building,
    Entrance,
    Estate,
    Flat,
    Occupancy,
    Owner,
    OwnerMember,
    Person,
    Role,
    Street,
)

WARM_UP = 3
SMALL_SLUG = "bench-small"
WHO = (None, "staff")  # anonymous, then residents' committee staff


@dataclass
class Result:
    median_ms: float
    queries: int


def run(*, runs: int) -> None:
    _prepare()
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=hosts):
        clients = {who: _client(who) for who in WHO}
        trivial = _measure(clients[None], reverse("bench_trivial"), runs)
        print(
            f"trivial view (anonymous): {trivial.median_ms:.2f} ms median, "
            f"{trivial.queries} queries"
        )
        demo = _measure_pages(clients, ESTATE_SLUG, "17", runs, trivial)
        small = _measure_pages(clients, SMALL_SLUG, "1", runs, None)
    _print_scaling(demo, small)


def _prepare() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    started = time.perf_counter()
    summary = demo_load()
    print(
        f"demo estate: {summary.buildings} buildings, {summary.flats} flats, "
        f"{summary.people} people, loaded in {time.perf_counter() - started:.1f} s"
    )
    _small_estate()
    print("small estate: 3 buildings, 30 flats")


def _client(username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def _measure_pages(
    clients: dict, slug: str, building: str, runs: int, trivial: Result | None
) -> dict[str, Result]:
    urls = {
        "estate home": reverse("estate_home", args=[slug]),
        "building page": reverse("building_detail", args=[slug, building]),
    }
    results = {}
    for page, url in urls.items():
        for who in WHO:
            label = f"{page} ({who or 'anonymous'})"
            results[label] = result = _measure(clients[who], url, runs)
            if trivial is not None:
                ratio = result.median_ms / trivial.median_ms
                print(
                    f"{label}: {result.median_ms:.1f} ms median, {result.queries} queries, "
                    f"{ratio:.1f}× trivial view"
                )
    return results


def _measure(client: Client, url: str, runs: int) -> Result:
    for _ in range(WARM_UP):
        _get(client, url)
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    # Read now: the next request empties the connection's query log.
    queries = len(captured.captured_queries)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        _get(client, url)
        times.append(time.perf_counter() - started)
    return Result(statistics.median(times) * 1000, queries)


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}; nothing to measure.")


def _print_scaling(demo: dict[str, Result], small: dict[str, Result]) -> None:
    print("\nquery counts, demo estate (1,790 flats) vs small estate (30 flats):")
    for label, result in demo.items():
        other = small[label].queries
        verdict = "constant" if result.queries == other else "GROWS"
        print(f"  {label}: {result.queries} vs {other} — {verdict}")


# --- A small estate of the same shape ---------------------------------------------------------


def _small_estate() -> Estate:
    """3 buildings of 10 flats, each with an owner who lives there; some tenants; leaders."""
    street = Street.objects.get(slug="wanli")
    estate = Estate.objects.create(street=street, slug=SMALL_SLUG, name="小样花园", built_year=2015)
    buildings = Building.objects.bulk_create(
        Building(estate=estate, number=str(n), sort_key=n, floors=5) for n in (1, 2, 3)
    )
    entrances = Entrance.objects.bulk_create(
        Entrance(estate=estate, building=b, number="1") for b in buildings
    )
    flats = [
        Flat(
            estate=estate,
            building=entrance.building,
            entrance=entrance,
            floor=floor,
            number=f"{floor}0{pos}",
            area="88.50",
        )
        for entrance in entrances
        for floor in range(1, 6)
        for pos in (1, 2)
    ]
    _people_for(estate, flats)
    _roles_for(estate, buildings)
    return estate


def _people_for(estate: Estate, flats: list[Flat]) -> None:
    owners_people = Person.objects.bulk_create(
        Person(estate=estate, full_name=f"业主{i}", phone=f"+86174990{i:05d}")
        for i in range(len(flats))
    )
    owners = Owner.objects.bulk_create(
        Owner(estate=estate, name=p.full_name) for p in owners_people
    )
    OwnerMember.objects.bulk_create(
        OwnerMember(estate_id=o.estate_id, owner_id=o.pk, person_id=p.pk)
        for o, p in zip(owners, owners_people, strict=True)
    )
    for flat, owner in zip(flats, owners, strict=True):
        flat.owner = owner
    Flat.objects.bulk_create(flats)
    tenants = Person.objects.bulk_create(
        Person(estate=estate, full_name=f"租户{i}") for i in range(0, len(flats), 5)
    )
    occupancies = [
        Occupancy(estate=estate, person=p, flat=f, relation="owner", starts_on="2016-01-01")
        for p, f in zip(owners_people, flats, strict=True)
    ]
    occupancies += [
        Occupancy(estate=estate, person=p, flat=f, relation="tenant", starts_on="2024-01-01")
        for p, f in zip(tenants, flats[::5], strict=True)
    ]
    Occupancy.objects.bulk_create(occupancies)


def _roles_for(estate: Estate, buildings: list[Building]) -> None:
    user_model = get_user_model()
    leaders = user_model.objects.bulk_create(
        user_model(username=f"bench-leader-{b.number}", password=make_password(None))
        for b in buildings
    )
    roles = [
        Role(
            user=u,
            kind="group_leader",
            building=b,
            estate=estate,
            street=estate.street,
            starts_on="2024-01-01",
        )
        for u, b in zip(leaders, buildings, strict=True)
    ]
    staff = user_model.objects.get(username="staff")
    roles.append(
        Role(
            user=staff,
            kind="committee_staff",
            estate=estate,
            street=estate.street,
            starts_on="2024-01-01",
        )
    )
    Role.objects.bulk_create(roles)
