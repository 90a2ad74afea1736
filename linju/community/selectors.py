"""Reads of the estate directory. Each page's data comes from a fixed number of queries,
however many buildings, flats or people an estate has."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.community.models import (
    Building,
    Estate,
    Flat,
    Occupancy,
    Person,
    Role,
)
from linju.core import permissions
from linju.core.models import AuditEvent

PAGE_SIZE = 50


def public_name(name: str) -> str:
    """王小明 → 王** : how a person is named to those who may not see the roster."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _current_occupancy_q(prefix: str, on=None) -> Q:
    """Current occupancies across a join; a flat with none (a NULL row) does not match."""
    on = on or timezone.localdate()
    return (
        Q(**{f"{prefix}id__isnull": False})
        & (Q(**{f"{prefix}starts_on__lte": on}) | Q(**{f"{prefix}starts_on__isnull": True}))
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": on}))
    )


def estate_list() -> QuerySet[Estate]:
    """Every estate of the deployment, with its street and counts, for the front page."""
    return Estate.objects.select_related("street").annotate(
        building_count=Count("buildings", distinct=True),
        flat_count=Count("flats", distinct=True),
    )


def estate_get(*, slug: str) -> Estate:
    try:
        return Estate.objects.select_related("street").get(slug=slug)
    except Estate.DoesNotExist:
        raise Http404 from None


def _leaders_by_building(estate: Estate) -> dict[int, list[str]]:
    leaders: dict[int, list[str]] = defaultdict(list)
    for role in (
        Role.objects.current()
        .filter(estate=estate, kind=Role.Kind.GROUP_LEADER)
        .select_related("user")
        .order_by("starts_on")
    ):
        leaders[role.building_id].append(str(role.user))
    return leaders


@dataclass
class EstateOverview:
    estate: Estate
    buildings: Sequence[Building]
    households: int
    residents: int
    flats: int


def estate_overview(*, estate: Estate, full_names: bool = False) -> EstateOverview:
    """The estate home: each building with its flats, households and residents (3 queries).

    Group leaders are named by surname only unless ``full_names`` (the staff console)."""
    current = _current_occupancy_q("flats__occupancies__")
    buildings = list(
        Building.objects.filter(estate=estate)
        .select_related("estate")
        .annotate(
            flat_count=Count("flats", distinct=True),
            household_count=Count("flats", filter=current, distinct=True),
            resident_count=Count("flats__occupancies__person", filter=current, distinct=True),
        )
    )
    leaders = _leaders_by_building(estate)
    residents = (
        Occupancy.objects.current()
        .filter(estate=estate)
        .aggregate(n=Count("person", distinct=True))["n"]
    )
    for building in buildings:
        # Shown on a public page: leaders are named the way the notice board names them.
        names = leaders.get(building.pk, [])
        building.leader_names = (  # type: ignore[attr-defined]
            names if full_names else [public_name(n) for n in names]
        )
    return EstateOverview(
        estate=estate,
        buildings=buildings,
        households=sum(b.household_count for b in buildings),
        residents=residents,
        flats=sum(b.flat_count for b in buildings),
    )


def building_get(*, estate: Estate, number: str) -> Building:
    try:
        return Building.objects.select_related("estate__street").get(estate=estate, number=number)
    except Building.DoesNotExist:
        raise Http404 from None


@dataclass
class BuildingOverview:
    building: Building
    leader_names: list[str]
    flat_count: int
    household_count: int
    resident_count: int
    total_area: Any
    entrances: list[tuple[str, list[Flat]]] = field(default_factory=list)
    shows_flats: bool = False


def building_overview(*, actor: Any, building: Building) -> BuildingOverview:
    """A building's page: counts for everyone; flats (number, floor, area, occupied) for the
    estate's members. Names of occupants never appear here."""
    current = _current_occupancy_q("occupancies__")
    flats = Flat.objects.filter(building=building).select_related("entrance")
    flats = flats.annotate(
        resident_count=Count("occupancies__person", filter=current, distinct=True)
    )
    flat_list = list(flats)
    shows_flats = permissions.can(actor, "view_flats", building)
    by_entrance: dict[str, list[Flat]] = defaultdict(list)
    if shows_flats:
        for flat in flat_list:
            by_entrance[flat.entrance.number if flat.entrance is not None else ""].append(flat)
    leaders = _leaders_by_building(building.estate).get(building.pk, [])
    is_member = permissions.can(actor, "view_flats", building)
    return BuildingOverview(
        building=building,
        leader_names=leaders if is_member else [public_name(n) for n in leaders],
        flat_count=len(flat_list),
        household_count=sum(1 for f in flat_list if f.resident_count),
        resident_count=sum(f.resident_count for f in flat_list),
        total_area=sum((f.area for f in flat_list), start=Decimal(0)),
        entrances=sorted(by_entrance.items()),
        shows_flats=shows_flats,
    )


@dataclass
class HomeFlat:
    occupancy: Occupancy
    household: list[Occupancy]


@dataclass
class MyHome:
    people: list[Person]
    flats: list[HomeFlat]
    roles: list[Role]


def my_home(*, user: Any) -> MyHome:
    """A signed-in person's flats, the people of each household, and their current roles."""
    people = list(Person.objects.filter(user=user).select_related("estate"))
    mine = list(
        Occupancy.objects.current()
        .filter(person__in=people)
        .select_related("flat__building__estate", "flat__entrance", "flat__owner")
    )
    flat_ids = [o.flat_id for o in mine]
    household: dict[int, list[Occupancy]] = defaultdict(list)
    for occ in (
        Occupancy.objects.current()
        .filter(flat_id__in=flat_ids)
        .select_related("person")
        .order_by("relation", "person__full_name")
    ):
        household[occ.flat_id].append(occ)
    roles = list(
        Role.objects.current()
        .filter(user=user)
        .select_related("estate", "building__estate", "street")
    )
    return MyHome(
        people=people,
        flats=[HomeFlat(occupancy=o, household=household[o.flat_id]) for o in mine],
        roles=roles,
    )


# --- The staff console -----------------------------------------------------------------------


def _page(queryset: QuerySet, page_number: Any) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(page_number)


def flat_search(
    *, actor: Any, estate: Estate, query: str = "", building: str = "", page: Any = 1
) -> Page:
    """Flats of the estate, filtered by building and by a search on the room number."""
    flats = permissions.visible(actor, Flat.objects.filter(estate=estate))
    if building:
        flats = flats.filter(building__number=building)
    query = query.strip()
    if query:
        # "17-1-302" or "302": search the label the way people write it.
        parts = [p for p in query.replace("号楼", "-").replace("室", "").split("-") if p]
        if len(parts) >= 2:
            flats = flats.filter(building__number=parts[0], number=parts[-1])
        else:
            flats = flats.filter(number__icontains=query)
    flats = flats.select_related("building", "entrance", "owner").annotate(
        resident_count=Count(
            "occupancies__person", filter=_current_occupancy_q("occupancies__"), distinct=True
        )
    )
    return _page(flats.order_by("building__sort_key", "entrance__number", "number"), page)


def flat_get(*, actor: Any, estate: Estate, flat_id: Any) -> Flat:
    flat = permissions.get_visible_or_404(
        actor,
        Flat.objects.filter(estate=estate).select_related("building", "entrance", "owner"),
        pk=flat_id,
    )
    assert isinstance(flat, Flat)
    return flat


def flat_occupancies(*, flat: Flat) -> list[Occupancy]:
    return list(
        flat.occupancies.select_related("person").order_by("ends_on", "relation", "starts_on")
    )


def person_search(
    *, actor: Any, estate: Estate, query: str = "", relation: str = "", page: Any = 1
) -> Page:
    """People of the estate, searched by name or phone, filtered by their relation to a flat."""
    people = permissions.visible(actor, Person.objects.filter(estate=estate))
    query = query.strip()
    if query:
        # Searching by phone would let those who see masked numbers recover the hidden digits.
        if permissions.can(actor, "manage", estate):
            digits = "".join(ch for ch in query if ch.isdigit())
            by_phone = Q(phone__contains=digits) if len(digits) >= 4 else Q(pk__in=[])
            people = people.filter(Q(full_name__icontains=query) | by_phone)
        else:
            people = people.filter(full_name__icontains=query)
    if relation:
        people = people.filter(
            Exists(Occupancy.objects.current().filter(person=OuterRef("pk"), relation=relation))
        )
    people = people.prefetch_related(
        Prefetch(
            "occupancies",
            queryset=Occupancy.objects.current().select_related("flat__building", "flat__entrance"),
            to_attr="current_occupancies",
        )
    )
    return _page(people.order_by("full_name", "pk"), page)


def person_get(*, actor: Any, estate: Estate, person_id: Any) -> Person:
    person = permissions.get_visible_or_404(
        actor, Person.objects.filter(estate=estate).select_related("user"), pk=person_id
    )
    assert isinstance(person, Person)
    return person


def person_occupancies(*, person: Person) -> list[Occupancy]:
    return list(
        person.occupancies.select_related("flat__building", "flat__entrance").order_by(
            "ends_on", "starts_on"
        )
    )


def occupancy_get(*, actor: Any, estate: Estate, occupancy_id: Any) -> Occupancy:
    occupancy = permissions.get_visible_or_404(
        actor,
        Occupancy.objects.filter(estate=estate).select_related("person", "flat__building"),
        pk=occupancy_id,
    )
    assert isinstance(occupancy, Occupancy)
    return occupancy


def role_list(*, actor: Any, estate: Estate, include_ended: bool = False) -> list[Role]:
    roles = Role.objects.filter(estate=estate)
    if not include_ended:
        roles = roles.current()
    visible_roles = permissions.visible(actor, roles).select_related("user", "building")
    return list(visible_roles.order_by("kind", "building__sort_key"))


def role_get(*, actor: Any, estate: Estate, role_id: Any) -> Role:
    role = permissions.get_visible_or_404(
        actor, Role.objects.filter(estate=estate).select_related("user", "building"), pk=role_id
    )
    assert isinstance(role, Role)
    return role


AUDIT_ACTION_KINDS = [
    ("building.", _("Buildings")),
    ("flat.", _("Flats")),
    ("person.", _("People")),
    ("occupancy.", _("Occupancies")),
    ("role.", _("Roles")),
    ("estate.", _("Estates")),
    ("roster.", _("Roster imports")),
]


AUDIT_ACTION_LABELS = {
    "street.create": _("Street created"),
    "estate.create": _("Estate created"),
    "account.create": _("Account created"),
    "building.create": _("Building added"),
    "building.update": _("Building edited"),
    "flat.create": _("Flat added"),
    "flat.update": _("Flat edited"),
    "person.create": _("Person added"),
    "person.update": _("Person edited"),
    "occupancy.create": _("Recorded at a flat"),
    "occupancy.end": _("Occupancy ended"),
    "role.assign": _("Role assigned"),
    "role.end": _("Role ended"),
    "demo.load": _("Demo data loaded"),
    "estate.update": _("Estate settings changed"),
    "owner.update": _("Owner changed"),
    "occupancy.update": _("Relation to a flat changed"),
    "roster.upload": _("Roster uploaded"),
    "roster.columns": _("Roster columns chosen"),
    "roster.import": _("Roster imported"),
}


def _field_label(target_type: str, name: str) -> str:
    try:
        model = apps.get_model(target_type)
        return str(model._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name


def audit_search(*, actor: Any, estate: Estate, action: str = "", page: Any = 1) -> Page:
    """The estate's audit log, newest first; each event's changes as (field label, old, new)."""
    events = permissions.visible(actor, AuditEvent.objects.filter(estate=estate))
    if action:
        events = events.filter(action__startswith=action)
    result = _page(events.order_by("-occurred_at", "-id"), page)
    for event in result:
        event.action_label = AUDIT_ACTION_LABELS.get(event.action, event.action)
        event.change_rows = [
            (_field_label(event.target_type, name), *pair) for name, pair in event.changes.items()
        ]
    return result


def estate_totals(*, estate: Estate) -> dict[str, Any]:
    """Headline numbers for the console."""
    return {
        "buildings": Building.objects.filter(estate=estate).count(),
        "flats": Flat.objects.filter(estate=estate).count(),
        # Summed as Decimal in Python: SQLite's SUM() would go through floating point.
        "area": sum(
            Flat.objects.filter(estate=estate).values_list("area", flat=True), start=Decimal(0)
        ),
        "people": Person.objects.filter(estate=estate).count(),
    }
