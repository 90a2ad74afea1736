"""The confirmed import: one transaction that re-checks the roster against the estate as it is
now and writes everything, or nothing.

Idempotent by construction: the plan matches before it creates (flats by building, entrance and
room; people by name and phone; owners by who they are), so the same file a second time plans no
write at all. The writes are bulk operations in batches (an estate's roster is thousands of
rows); the audit log gets one ``roster.import`` event for the import and one event, with old and
new values, for every existing row the import changed. Phone numbers never enter the log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from linju.community.models import (
    Building,
    Entrance,
    Estate,
    Flat,
    Occupancy,
    Owner,
    OwnerMember,
    Person,
    RosterImport,
    RosterMapping,
)
from linju.community.roster import mapping as m
from linju.community.roster import plan as planning
from linju.community.roster.parse import RosterRefused, open_roster
from linju.community.services import _building_sort_key
from linju.core import audit, permissions
from linju.core.models import AuditEvent

BATCH = 2000


class RosterRejected(Exception):
    """The roster has errors: nothing was written. ``plan`` holds them."""

    def __init__(self, plan: planning.Plan) -> None:
        super().__init__("the roster has errors")
        self.plan = plan


@dataclass
class Outcome:
    plan: planning.Plan
    written: bool
    roster_import: RosterImport | None

    @property
    def report(self) -> dict[str, Any]:
        return self.plan.report(written=self.written)


def require_import(actor: Any, estate: Estate, *, as_operator: bool = False) -> None:
    """Committee staff of the estate import its roster; ``as_operator`` is the command line,
    whose user already holds the database."""
    if not as_operator:
        permissions.require(actor, "import_roster", estate)


def roster_apply(
    *,
    actor: Any,
    estate: Estate,
    entries: planning.Entries,
    roster_import: RosterImport | None = None,
    file_name: str = "",
    as_operator: bool = False,
    on_write: Callable[[], None] | None = None,
) -> Outcome:
    """Check ``entries`` against the estate inside one transaction and write the result.

    Raises ``RosterRejected`` (nothing written) if any row has an error. The estate row is
    locked first, so two imports into one estate run one after the other and the second plans
    against what the first wrote."""
    require_import(actor, estate, as_operator=as_operator)
    with transaction.atomic():
        locked = Estate.objects.select_for_update().get(pk=estate.pk)
        plan = planning.resolve(locked, entries)
        if not plan.ok:
            raise RosterRejected(plan)
        if on_write is not None:
            on_write()
        _Writer(plan, actor=actor, estate=locked).write()
        if roster_import is None:
            roster_import = RosterImport.objects.create(
                estate=locked,
                created_by=_user(actor),
                confirmed_by=_user(actor),
                original_name=file_name[:200],
                file_kind=_kind_of(file_name),
                status=RosterImport.Status.APPLYING,
            )
        roster_import.status = RosterImport.Status.DONE
        roster_import.report = plan.report(written=True)
        roster_import.progress = 100
        roster_import.finished_at = timezone.now()
        roster_import.save(update_fields=["status", "report", "progress", "finished_at"])
        audit.record(actor=actor, action="roster.import", target=roster_import, estate=locked)
        permissions.forget(actor)
    return Outcome(plan=plan, written=True, roster_import=roster_import)


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _kind_of(file_name: str) -> str:
    return (
        RosterImport.FileKind.CSV
        if file_name.lower().endswith((".csv", ".txt"))
        else RosterImport.FileKind.XLSX
    )


def roster_read_file(
    estate: Estate,
    source: str | Path | IO[bytes],
    *,
    sheet: int = 0,
    header_row: int | None = None,
    progress: planning.Progress | None = None,
) -> tuple[m.Layout, planning.Entries]:
    """Open a roster, find its layout (the estate's remembered columns first) and stream its
    rows into flats and people. Outside any transaction: it writes nothing. Refuses
    (``RosterRefused``) a file that cannot be read or whose flat columns cannot be found."""
    with open_roster(source) as roster:
        layout = m.detect(
            roster, sheet=sheet, header_row=header_row, remembered=remembered_columns(estate)
        )
        if not m.has_flat_columns(c.field for c in layout.columns):
            headers = "、".join(c.header for c in layout.columns if c.header) or "—"
            raise RosterRefused(m.NO_FLAT_COLUMNS, row=layout.header_row, headers=headers[:200])
        entries = planning.read_entries(
            roster,
            sheet=sheet,
            header_row=layout.header_row,
            mapping=layout.mapping,
            headers=layout.headers,
            progress=progress,
        )
    return layout, entries


def remembered_columns(estate: Estate) -> dict[str, str]:
    """The estate's remembered mapping: ``{normalised header: field or ""}``."""
    saved = RosterMapping.objects.filter(estate=estate).values_list("columns", flat=True).first()
    return dict(saved or {})


def _batches(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


class _Writer:
    """Carries out a plan. Refs below zero name rows the plan creates; they are resolved to
    primary keys as those rows are inserted."""

    def __init__(self, plan: planning.Plan, *, actor: Any, estate: Estate) -> None:
        self.plan = plan
        self.actor = actor
        self.estate = estate
        self.buildings: list[int] = []
        self.entrances: list[int] = []
        self.people: list[int] = []
        self.owners: list[int] = []
        self.flats: list[int] = []
        self.events: list[AuditEvent] = []
        user = _user(actor)
        self.event_defaults = {
            "actor": user,
            "actor_label": user.get_username() if user else "system",
            "estate_id": estate.pk,
            "request_id": audit.current_request_id.get(),
        }

    @staticmethod
    def _pk(ref: int, created: list[int]) -> int:
        return ref if ref > 0 else created[-ref - 1]

    @staticmethod
    def _insert(model: type[Model], rows: Iterable[dict[str, Any]]) -> list[int]:
        """Insert rows (``{attname: value}``; every other column gets its model default) and
        return their primary keys, in order.

        Plain batched INSERT … RETURNING: bulk_create would build and compile a model instance
        per row, which for a roster of 100,000 rows takes longer than reading the file."""
        ops, meta = connection.ops, model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        defaults = {f.attname: f.get_default() for f in fields}
        names = [f.attname for f in fields]
        table = ops.quote_name(meta.db_table)
        columns = ", ".join(ops.quote_name(f.column) for f in fields)
        marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
        insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - names from _meta
        returning = connection.features.can_return_rows_from_bulk_insert
        limit = connection.features.max_query_params or 65535
        per_statement = max(1, min(BATCH, limit // len(fields)))
        values = [tuple(row.get(n, defaults[n]) for n in names) for row in rows]
        pks: list[int] = []
        with connection.cursor() as cursor:
            if not returning:  # one by one, to learn each key
                for row in values:
                    cursor.execute(insert + marks, row)
                    pks.append(ops.last_insert_id(cursor, meta.db_table, meta.pk.column))
                return pks
            pk = ops.quote_name(meta.pk.column)
            for start in range(0, len(values), per_statement):
                chunk = values[start : start + per_statement]
                params = [value for row in chunk for value in row]
                cursor.execute(f"{insert}{', '.join([marks] * len(chunk))} RETURNING {pk}", params)
                pks += [row[0] for row in cursor.fetchall()]
        return pks

    def _event(self, action: str, target: Model, label: str, changes: dict[str, Any]) -> None:
        self.events.append(
            AuditEvent(
                action=action,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                target_label=label[:200],
                changes=changes,
                **self.event_defaults,
            )
        )

    def write(self) -> None:
        plan, estate = self.plan, self.estate
        estate_id = estate.pk
        self.buildings = self._insert(
            Building,
            (
                {"estate_id": estate_id, "number": n, "sort_key": _building_sort_key(n)}
                for n in plan.new_buildings
            ),
        )
        self.entrances = self._insert(
            Entrance,
            (
                {
                    "estate_id": estate_id,
                    "building_id": self._pk(b, self.buildings),
                    "number": number,
                }
                for b, number in plan.new_entrances
            ),
        )
        self.people = self._insert(
            Person,
            (
                {"estate_id": estate_id, "full_name": name, "phone": phone, "note": note}
                for name, phone, note in plan.new_people
            ),
        )
        self._update_people()
        self._write_owners()
        self.flats = self._insert(
            Flat,
            (
                {
                    "estate_id": estate_id,
                    "building_id": self._pk(f.building, self.buildings),
                    "entrance_id": (
                        self._pk(f.entrance, self.entrances) if f.entrance is not None else None
                    ),
                    "number": f.number,
                    "floor": f.floor,
                    "area": f.area,
                    "owner_id": self._pk(f.owner, self.owners) if f.owner is not None else None,
                }
                for f in plan.new_flats
            ),
        )
        self._update_flats()
        # An import does not know when someone moved in: the dates stay empty.
        self._insert(
            Occupancy,
            (
                {
                    "estate_id": estate_id,
                    "person_id": self._pk(person, self.people),
                    "flat_id": self._pk(flat, self.flats),
                    "relation": relation,
                }
                for person, flat, relation in plan.new_occupancies
            ),
        )
        self._update_occupancies()
        for batch in _batches(self.events):
            AuditEvent.objects.bulk_create(batch)

    def _update_people(self) -> None:
        updates = self.plan.person_updates
        if not updates:
            return
        people = Person.objects.in_bulk(list(updates))
        for pk, changes in updates.items():
            person = people[pk]
            for name, (_old, new) in changes.items():
                setattr(person, name, new)
            logged = {k: (["***", "***"] if k == "phone" else list(v)) for k, v in changes.items()}
            self._event("person.update", person, person.full_name, logged)
        for batch in _batches(list(people.values())):
            Person.objects.bulk_update(batch, ["phone", "note"])

    def _write_owners(self) -> None:
        plan, estate = self.plan, self.estate
        self.owners = self._insert(
            Owner,
            ({"estate_id": estate.pk, "kind": o.kind, "name": o.name} for o in plan.new_owners),
        )
        members = [
            {"estate_id": estate.pk, "owner_id": owner_pk, "person_id": self._pk(ref, self.people)}
            for owner_pk, new in zip(self.owners, plan.new_owners, strict=True)
            for ref in new.members
        ]
        if plan.owner_updates:
            owners = Owner.objects.in_bulk(list(plan.owner_updates))
            for pk, change in plan.owner_updates.items():
                owner = owners[pk]
                wanted = {self._pk(ref, self.people) for ref in change.members}
                before_kind, before_name, before_members = change.before
                OwnerMember.objects.filter(owner=owner).exclude(person_id__in=wanted).delete()
                members += [
                    {"estate_id": estate.pk, "owner_id": pk, "person_id": person}
                    for person in sorted(wanted - before_members)
                ]
                owner.kind, owner.name = change.kind, change.name
                if owner.voter_id not in wanted:
                    owner.voter = None
                diff = {}
                if before_kind != change.kind:
                    diff["kind"] = [before_kind, change.kind]
                if before_name != change.name:
                    diff["name"] = [before_name, change.name]
                self._event("owner.update", owner, change.name, diff)
            Owner.objects.bulk_update(list(owners.values()), ["kind", "name", "voter"])
        self._insert(OwnerMember, members)

    def _owner_names(self) -> dict[int, str]:
        """Owner names by ref, as they will be once the plan is written."""
        plan = self.plan
        refs = {changes["owner"] for changes in plan.flat_updates.values() if "owner" in changes}
        names = dict(
            Owner.objects.filter(pk__in=[r for r in refs if r > 0]).values_list("pk", "name")
        )
        names.update({pk: change.name for pk, change in plan.owner_updates.items()})
        names.update({-(i + 1): o.name for i, o in enumerate(plan.new_owners)})
        return names

    def _update_flats(self) -> None:
        updates = self.plan.flat_updates
        if not updates:
            return
        owner_names = self._owner_names()
        flats = Flat.objects.select_related("owner").in_bulk(list(updates))
        for pk, changes in updates.items():
            flat = flats[pk]
            values = {k: v for k, v in changes.items() if k != "owner"}
            diff = audit.changes(flat, values)
            for name, value in values.items():
                setattr(flat, name, value)
            if "owner" in changes:
                ref = changes["owner"]
                diff["owner"] = [str(flat.owner) if flat.owner else None, owner_names.get(ref)]
                flat.owner_id = self._pk(ref, self.owners)
            self._event("flat.update", flat, self.plan.flat_labels.get(pk, str(pk)), diff)
        for batch in _batches(list(flats.values())):
            Flat.objects.bulk_update(batch, ["area", "floor", "owner"])

    def _update_occupancies(self) -> None:
        updates = self.plan.occupancy_updates
        if not updates:
            return
        occupancies = Occupancy.objects.in_bulk(list(updates))
        for pk, (old, new, label) in updates.items():
            occupancy = occupancies[pk]
            occupancy.relation = new
            self._event("occupancy.update", occupancy, label, {"relation": [old, new]})
        for batch in _batches(list(occupancies.values())):
            Occupancy.objects.bulk_update(batch, ["relation"])
