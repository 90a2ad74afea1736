"""The preview: what a roster would create, update and leave alone, and each row's errors and
warnings. Nothing here writes.

Two steps. ``read_entries`` (rows.py) streams the rows into flats and the people listed at each.
``resolve`` matches those against the estate — flats by building, entrance and room; people by
name (and phone) among a flat's current occupants, else by name and phone anywhere in the
estate; owners by who they are — and lists every write the import would make.

A blank cell never erases what the estate already knows (a phone, a note, an area), and an
import creates and updates: it never ends an occupancy or deletes anything.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, gettext_noop

from linju.community.models import (
    Building,
    Entrance,
    Estate,
    Flat,
    Occupancy,
    Owner,
    OwnerMember,
    Person,
)
from linju.community.roster import cells as c
from linju.community.roster import parse as p
from linju.community.roster.rows import (
    MAX_LISTED,
    Entries,
    FlatEntry,
    Messages,
    PersonEntry,
    Progress,
    paused_gc,
    read_entries,
)

__all__ = ["MAX_LISTED", "Entries", "Messages", "Progress", "read_entries", "resolve"]

KINDS = ("buildings", "entrances", "flats", "people", "occupancies", "owners")
UNUSUAL_AREA_BELOW, UNUSUAL_AREA_ABOVE = Decimal("20"), Decimal("300")

BUILDING_LOCKED = gettext_noop(
    "Building %(building)s is not in this estate, and the estate's building list is locked."
)
FLAT_NEEDS_AREA = gettext_noop("Flat %(flat)s is new and needs an area.")
FLAT_AMBIGUOUS = gettext_noop(
    "Building %(building)s has a room %(room)s in more than one entrance; write the entrance."
)
PERSON_TWO_PHONES = gettext_noop("%(name)s has a different mobile number on row %(other)s.")

BUILDING_NEW = gettext_noop("Building %(building)s is not in the estate yet; it will be created.")
AREA_UNUSUAL = gettext_noop("An area of %(area)s m² is unusual for a flat; check it.")

AREA_CHANGED = gettext_noop("Flat %(flat)s: area %(old)s m² → %(new)s m².")
FLOOR_CHANGED = gettext_noop("Flat %(flat)s: floor %(old)s → %(new)s.")
PHONE_CHANGED = gettext_noop("%(name)s (flat %(flat)s): new mobile number.")
NOTE_CHANGED = gettext_noop("%(name)s (flat %(flat)s): note changed.")
RELATION_CHANGED = gettext_noop("%(name)s at flat %(flat)s: %(old_relation)s → %(new_relation)s.")
OWNER_CHANGED = gettext_noop("Flat %(flat)s: owner %(old)s → %(new)s.")
OWNER_NONE = gettext_noop("none")

DEVELOPER_LABEL = gettext_noop("developer")
_RELATION_PARAMS = ("old_relation", "new_relation")


def relation_label(relation: str) -> str:
    if relation == c.DEVELOPER:
        return gettext(DEVELOPER_LABEL)
    return str(Occupancy.Relation(relation).label)


def render(message: dict[str, Any]) -> str:
    """A stored message (``{"row", "text", "params"}``) in the active language."""
    params = dict(message.get("params") or {})
    for key in _RELATION_PARAMS:
        if key in params:
            params[key] = relation_label(params[key])
    if params.get("old") == OWNER_NONE:
        params["old"] = gettext(OWNER_NONE)
    return p.render(message["text"], params)


# --- Step 2: against the estate --------------------------------------------------------------


def number_key(number: str) -> str:
    """How building, entrance and room numbers are compared: 0302 and 302, 3a and 3A match."""
    n = number.upper()
    return str(int(n)) if n.isdigit() else n


@dataclass(slots=True)
class NewFlat:
    building: int  # a ref: > 0 an existing row, < 0 a row this plan creates
    entrance: int | None
    number: str
    floor: int | None
    area: Decimal
    owner: int | None
    label: str


@dataclass(slots=True)
class NewOwner:
    kind: str
    name: str
    members: list[int]


@dataclass(slots=True)
class OwnerChange:
    kind: str
    name: str
    members: list[int]
    before: tuple[str, str, frozenset[int]]


@dataclass
class Plan:
    """Every write the import would make, and the report of it."""

    estate_id: int
    rows: int = 0
    errors: Messages = field(default_factory=Messages)
    warnings: Messages = field(default_factory=Messages)
    changes: Messages = field(default_factory=Messages)
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    changed_rows: set[int] = field(default_factory=set)

    new_buildings: list[str] = field(default_factory=list)
    new_entrances: list[tuple[int, str]] = field(default_factory=list)
    new_flats: list[NewFlat] = field(default_factory=list)
    flat_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    flat_labels: dict[int, str] = field(default_factory=dict)
    new_people: list[tuple[str, str, str]] = field(default_factory=list)
    person_updates: dict[int, dict[str, tuple[str, str]]] = field(default_factory=dict)
    person_names: dict[int, str] = field(default_factory=dict)
    new_owners: list[NewOwner] = field(default_factory=list)
    owner_updates: dict[int, OwnerChange] = field(default_factory=dict)
    new_occupancies: list[tuple[int, int, str]] = field(default_factory=list)
    occupancy_updates: dict[int, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.errors.count == 0

    @property
    def skipped(self) -> int:
        return max(self.rows - len(self.changed_rows | self.errors.rows), 0)

    @property
    def has_writes(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def report(self, *, written: bool) -> dict[str, Any]:
        """What the import did (or would do), as stored and shown."""
        return {
            "written": written,
            "rows": self.rows,
            "created": {k: self.created[k] for k in KINDS},
            "updated": {k: self.updated[k] for k in KINDS},
            "unchanged": {k: self.unchanged[k] for k in KINDS},
            "skipped": self.skipped,
            "errors": self.errors.items,
            "error_count": self.errors.count,
            "warnings": self.warnings.items,
            "warning_count": self.warnings.count,
            "changes": self.changes.items,
            "change_count": self.changes.count,
        }


@dataclass(slots=True)
class _Flat:
    id: int
    building_id: int
    entrance_id: int | None
    number: str
    floor: int | None
    area: Decimal
    owner_id: int | None


class _Estate:
    """The estate's directory as the plan needs it, read in a fixed number of queries."""

    def __init__(self, estate: Estate) -> None:
        self.buildings = {
            number_key(number): (pk, number)
            for pk, number in Building.objects.filter(estate=estate).values_list("pk", "number")
        }
        self.entrances = {
            (building_id, number_key(number)): pk
            for pk, building_id, number in Entrance.objects.filter(estate=estate).values_list(
                "pk", "building_id", "number"
            )
        }
        self.flats: dict[tuple[int, int | None, str], _Flat] = {}
        self.flats_by_room: dict[tuple[int, str], list[_Flat]] = defaultdict(list)
        self.flats_of_owner: Counter[int] = Counter()
        for row in Flat.objects.filter(estate=estate).values_list(
            "pk", "building_id", "entrance_id", "number", "floor", "area", "owner_id"
        ):
            flat = _Flat(*row)
            key = number_key(flat.number)
            self.flats[(flat.building_id, flat.entrance_id, key)] = flat
            self.flats_by_room[(flat.building_id, key)].append(flat)
            if flat.owner_id:
                self.flats_of_owner[flat.owner_id] += 1
        self.occupants: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
        for pk, flat_id, person_id, relation in (
            Occupancy.objects.current()
            .filter(estate=estate)
            .order_by("pk")
            .values_list("pk", "flat_id", "person_id", "relation")
        ):
            self.occupants[flat_id].append((pk, person_id, relation))
        self.people: dict[int, tuple[str, str, str]] = {}
        self.by_name_phone: dict[tuple[str, str], int] = {}
        for pk, name, phone, note in (
            Person.objects.filter(estate=estate)
            .order_by("pk")
            .values_list("pk", "full_name", "phone", "note")
        ):
            self.people[pk] = (name, phone, note)
            if phone:
                self.by_name_phone.setdefault((name, phone), pk)
        self.owners: dict[int, tuple[str, str]] = {}
        self.developer: int | None = None
        for pk, kind, name in Owner.objects.filter(estate=estate).values_list("pk", "kind", "name"):
            self.owners[pk] = (kind, name)
            if kind == Owner.Kind.DEVELOPER:
                self.developer = pk
        members: dict[int, set[int]] = defaultdict(set)
        for owner_id, person_id in OwnerMember.objects.filter(estate=estate).values_list(
            "owner_id", "person_id"
        ):
            members[owner_id].add(person_id)
        self.members = {pk: frozenset(members.get(pk, ())) for pk in self.owners}
        self.owner_by_members: dict[frozenset[int], int] = {}
        for pk in sorted(self.owners):
            if pk != self.developer and self.members[pk]:
                self.owner_by_members.setdefault(self.members[pk], pk)


def resolve(estate: Estate, entries: Entries) -> Plan:
    """Match the roster's flats and people against the estate and list every write."""
    with paused_gc():
        return _Resolver(estate, entries).run()


class _Resolver:
    def __init__(self, estate: Estate, entries: Entries) -> None:
        self.estate = estate
        self.entries = entries
        self.db = _Estate(estate)
        self.plan = Plan(estate_id=estate.pk, rows=entries.rows)
        self.plan.errors = entries.errors
        self.plan.warnings = entries.warnings
        self.new_buildings: dict[str, int] = {}
        self.new_entrances: dict[tuple[int, str], int] = {}
        self.seen_buildings: set[int] = set()
        self.seen_entrances: set[int] = set()
        self.new_by_name_phone: dict[tuple[str, str], int] = {}
        self.person_wish: dict[int, dict[str, tuple[str, int]]] = {}
        self.people_seen: set[int] = set()
        self.new_owner_by_members: dict[frozenset[int], int] = {}
        self.owners_seen: set[int] = set()
        self.developer_ref: int | None = self.db.developer

    def run(self) -> Plan:
        for flat in self.entries.flats.values():
            self._flat(flat)
        plan = self.plan
        plan.unchanged["people"] = len(self.people_seen - set(plan.person_updates))
        plan.unchanged["owners"] = len(self.owners_seen - set(plan.owner_updates))
        return plan

    # --- places ----------------------------------------------------------------------------

    def _building(self, flat: FlatEntry) -> int | None:
        key = number_key(flat.building)
        if key in self.db.buildings:
            pk = self.db.buildings[key][0]
            if pk not in self.seen_buildings:
                self.seen_buildings.add(pk)
                self.plan.unchanged["buildings"] += 1
            return pk
        if self.estate.building_list_locked:
            for row in flat.rows:
                self.plan.errors.add(row, BUILDING_LOCKED, building=flat.building)
            return None
        if key not in self.new_buildings:
            self.plan.new_buildings.append(flat.building)
            self.new_buildings[key] = -len(self.plan.new_buildings)
            self.plan.created["buildings"] += 1
            self.plan.warnings.add(flat.row, BUILDING_NEW, building=flat.building)
            self.plan.changed_rows.add(flat.row)
        return self.new_buildings[key]

    def _entrance(self, building: int, flat: FlatEntry) -> int | None:
        if not flat.entrance:
            return None
        key = (building, number_key(flat.entrance))
        if building > 0 and key in self.db.entrances:
            pk = self.db.entrances[key]
            if pk not in self.seen_entrances:
                self.seen_entrances.add(pk)
                self.plan.unchanged["entrances"] += 1
            return pk
        if key not in self.new_entrances:
            self.plan.new_entrances.append((building, flat.entrance))
            self.new_entrances[key] = -len(self.plan.new_entrances)
            self.plan.created["entrances"] += 1
            self.plan.changed_rows.add(flat.row)
        return self.new_entrances[key]

    def _existing_flat(self, building: int, entrance: int | None, flat: FlatEntry) -> Any:
        """The estate's flat at this address, None if there is none, False if ambiguous."""
        if building < 0 or (entrance is not None and entrance < 0):
            return None
        room = number_key(flat.room)
        found = self.db.flats.get((building, entrance, room))
        if found is None and entrance is None:
            # "17-302" for an estate that writes entrances: the one 302 of building 17.
            candidates = self.db.flats_by_room.get((building, room), [])
            if len(candidates) == 1:
                found = candidates[0]
            elif len(candidates) > 1:
                self.plan.errors.add(
                    flat.row, FLAT_AMBIGUOUS, building=flat.building, room=flat.room
                )
                return False
        return found

    def _flat(self, flat: FlatEntry) -> None:
        plan = self.plan
        building = self._building(flat)
        if building is None:
            return
        entrance = self._entrance(building, flat)
        existing = self._existing_flat(building, entrance, flat)
        if existing is False:
            return
        if flat.area is not None and not (UNUSUAL_AREA_BELOW <= flat.area <= UNUSUAL_AREA_ABOVE):
            plan.warnings.add(flat.area_row, AREA_UNUSUAL, area=flat.area)
        if existing is None:
            if flat.area is None:
                plan.errors.add(flat.row, FLAT_NEEDS_AREA, flat=flat.label)
                return
            new = NewFlat(building, entrance, flat.room, flat.floor, flat.area, None, flat.label)
            plan.new_flats.append(new)
            ref = -len(plan.new_flats)
            plan.created["flats"] += 1
            plan.changed_rows.add(flat.row)
            occupants: list[tuple[int, int, str]] = []
        else:
            ref = existing.id
            plan.flat_labels[ref] = flat.label
            self._flat_changes(existing, flat)
            occupants = self.db.occupants.get(existing.id, [])
        owners = self._people(flat, ref, occupants)
        self._owner(flat, ref, existing or None, owners)
        if existing is not None and ref not in plan.flat_updates:
            plan.unchanged["flats"] += 1

    def _flat_changes(self, existing: _Flat, flat: FlatEntry) -> None:
        changes: dict[str, Any] = {}
        if flat.area is not None and flat.area != existing.area:
            changes["area"] = flat.area
            self.plan.changes.add(
                flat.area_row, AREA_CHANGED, flat=flat.label, old=existing.area, new=flat.area
            )
            self.plan.changed_rows.add(flat.area_row)
        if flat.floor is not None and flat.floor != existing.floor:
            changes["floor"] = flat.floor
            self.plan.changes.add(
                flat.floor_row,
                FLOOR_CHANGED,
                flat=flat.label,
                old=existing.floor if existing.floor is not None else "—",
                new=flat.floor,
            )
            self.plan.changed_rows.add(flat.floor_row)
        if changes:
            self.plan.flat_updates[existing.id] = changes
            self.plan.updated["flats"] += 1

    # --- people ----------------------------------------------------------------------------

    def _people(
        self, flat: FlatEntry, flat_ref: int, occupants: list[tuple[int, int, str]]
    ) -> list[tuple[int, str]]:
        """Match or create each person listed at the flat; returns the owners (ref, name)."""
        plan = self.plan
        used: set[int] = set()
        owners = []
        for entry in flat.people:
            occupancy = self._occupant(entry, occupants, used)
            if occupancy is not None:
                person = occupancy[1]
                used.add(person)
            else:
                person = self._person(entry)
            if person > 0:
                self._person_changes(person, entry, flat)
            if occupancy is None:
                plan.new_occupancies.append((person, flat_ref, entry.relation))
                plan.created["occupancies"] += 1
                plan.changed_rows.add(entry.row)
            elif occupancy[2] != entry.relation:
                name = self.db.people[person][0]
                plan.occupancy_updates[occupancy[0]] = (
                    occupancy[2],
                    entry.relation,
                    f"{name} · {flat.label}",
                )
                plan.updated["occupancies"] += 1
                plan.changes.add(
                    entry.row,
                    RELATION_CHANGED,
                    name=name,
                    flat=flat.label,
                    old_relation=occupancy[2],
                    new_relation=entry.relation,
                )
                plan.changed_rows.add(entry.row)
            else:
                plan.unchanged["occupancies"] += 1
            if entry.relation in ("owner", "co_owner"):
                owners.append((person, entry.name))
        return owners

    def _occupant(
        self, entry: PersonEntry, occupants: list[tuple[int, int, str]], used: set[int]
    ) -> tuple[int, int, str] | None:
        same_name = [
            o for o in occupants if o[1] not in used and self.db.people[o[1]][0] == entry.name
        ]
        if not same_name:
            return None
        for occupancy in same_name:
            if self.db.people[occupancy[1]][1] == entry.phone:
                return occupancy
        for occupancy in same_name:
            if not self.db.people[occupancy[1]][1] or not entry.phone:
                return occupancy
        return same_name[0]

    def _person(self, entry: PersonEntry) -> int:
        if entry.phone:
            key = (entry.name, entry.phone)
            if key in self.db.by_name_phone:
                return self.db.by_name_phone[key]
            if key in self.new_by_name_phone:
                return self.new_by_name_phone[key]
        self.plan.new_people.append((entry.name, entry.phone, entry.note))
        ref = -len(self.plan.new_people)
        self.plan.created["people"] += 1
        self.plan.changed_rows.add(entry.row)
        if entry.phone:
            self.new_by_name_phone[(entry.name, entry.phone)] = ref
        return ref

    def _person_changes(self, person: int, entry: PersonEntry, flat: FlatEntry) -> None:
        plan = self.plan
        self.people_seen.add(person)
        name, phone, note = self.db.people[person]
        wishes = self.person_wish.setdefault(person, {})
        for key, value, current, message in (
            ("phone", entry.phone, phone, PHONE_CHANGED),
            ("note", entry.note, note, NOTE_CHANGED),
        ):
            if not value:
                continue
            if key in wishes and wishes[key][0] != value:
                if key == "phone":
                    plan.errors.add(entry.row, PERSON_TWO_PHONES, name=name, other=wishes[key][1])
                continue
            wishes[key] = (value, entry.row)
            if value != current and key not in plan.person_updates.get(person, {}):
                plan.person_updates.setdefault(person, {})[key] = (current, value)
                plan.person_names[person] = name
                plan.changes.add(entry.row, message, name=name, flat=flat.label)
                plan.changed_rows.add(entry.row)
                if len(plan.person_updates[person]) == 1:
                    plan.updated["people"] += 1

    # --- owners ----------------------------------------------------------------------------

    def _owner(
        self, flat: FlatEntry, flat_ref: int, existing: _Flat | None, owners: list[tuple[int, str]]
    ) -> None:
        if flat.developer is not None and not owners:
            target = self._developer(flat)
        elif owners:
            target = self._owner_of(flat, existing, owners)
        else:
            return
        if target is None:
            return
        if existing is None:
            self.plan.new_flats[-flat_ref - 1].owner = target
            return
        if existing.owner_id != target:
            self.plan.flat_updates.setdefault(existing.id, {})
            if len(self.plan.flat_updates[existing.id]) == 0:
                self.plan.updated["flats"] += 1
            self.plan.flat_updates[existing.id]["owner"] = target
            row = flat.developer_row or flat.people[0].row
            self.plan.changes.add(
                row,
                OWNER_CHANGED,
                flat=flat.label,
                old=self.db.owners[existing.owner_id][1] if existing.owner_id else OWNER_NONE,
                new=self._owner_name(target),
            )
            self.plan.changed_rows.add(row)

    def _owner_name(self, ref: int) -> str:
        if ref > 0:
            change = self.plan.owner_updates.get(ref)
            return change.name if change else self.db.owners[ref][1]
        return self.plan.new_owners[-ref - 1].name

    def _developer(self, flat: FlatEntry) -> int:
        if self.developer_ref is None:
            name = flat.developer or gettext(DEVELOPER_LABEL)
            self.plan.new_owners.append(NewOwner(Owner.Kind.DEVELOPER, name, []))
            self.developer_ref = -len(self.plan.new_owners)
            self.plan.created["owners"] += 1
            self.plan.changed_rows.add(flat.developer_row)
        elif self.developer_ref > 0:
            self.owners_seen.add(self.developer_ref)
        return self.developer_ref

    def _owner_of(
        self, flat: FlatEntry, existing: _Flat | None, owners: list[tuple[int, str]]
    ) -> int:
        plan = self.plan
        members = frozenset(ref for ref, _name in owners)
        kind = Owner.Kind.PERSON if len(members) == 1 else Owner.Kind.JOINT
        name = "、".join(dict.fromkeys(n for _ref, n in owners))[:120]
        first_row = flat.people[0].row
        current = existing.owner_id if existing is not None else None
        db = self.db
        if (
            current is not None
            and current != db.developer
            and self._members(current) == members
            and self._kind(current) == kind
        ):
            self.owners_seen.add(current)
            return current
        if all(ref > 0 for ref in members) and members in db.owner_by_members:
            found = db.owner_by_members[members]
            if found not in plan.owner_updates:
                self.owners_seen.add(found)
                return found
        if members in self.new_owner_by_members:
            return self.new_owner_by_members[members]
        if (
            current is not None
            and current != db.developer
            and db.flats_of_owner[current] == 1
            and current not in plan.owner_updates
        ):
            kind_before, name_before = db.owners[current]
            plan.owner_updates[current] = OwnerChange(
                kind, name, list(members), (kind_before, name_before, db.members[current])
            )
            plan.updated["owners"] += 1
            plan.changes.add(first_row, OWNER_CHANGED, flat=flat.label, old=name_before, new=name)
            plan.changed_rows.add(first_row)
            self.new_owner_by_members[members] = current
            return current
        plan.new_owners.append(NewOwner(kind, name, list(members)))
        ref = -len(plan.new_owners)
        plan.created["owners"] += 1
        plan.changed_rows.add(first_row)
        self.new_owner_by_members[members] = ref
        return ref

    def _members(self, owner: int) -> frozenset[int]:
        change = self.plan.owner_updates.get(owner)
        return frozenset(change.members) if change else self.db.members.get(owner, frozenset())

    def _kind(self, owner: int) -> str:
        change = self.plan.owner_updates.get(owner)
        return change.kind if change else self.db.owners[owner][0]


def check(
    estate: Estate,
    roster: p.RosterFile,
    *,
    sheet: int,
    header_row: int,
    mapping: dict[str, str],
    headers: dict[int, str] | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Read and resolve in one go: the preview."""
    entries = read_entries(
        roster,
        sheet=sheet,
        header_row=header_row,
        mapping=mapping,
        headers=headers,
        progress=progress,
    )
    return resolve(estate, entries)


def first_rows(messages: Iterable[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    return sorted(messages, key=lambda msg: msg["row"] or 0)[:limit]
