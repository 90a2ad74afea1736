"""The estate's directory back to .xlsx, in the layout the importer reads: one row per person at
a flat (building, entrance, room, floor, area, name, mobile, relation, note), a developer row for
the developer's unsold flats, and a bare row for a flat nobody is recorded at. Importing the
export changes nothing.

Text that a spreadsheet would run as a formula (a cell starting with ``= + - @``, a tab or a
carriage return) is written with a leading apostrophe; numbers (areas, floors) stay numbers.
Every export is a security event: it carries personal data.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community.models import Estate, Flat, Occupancy, Owner
from linju.community.roster import plan as planning
from linju.core import audit, permissions
from linju.core.phones import national

RISKY_START = ("=", "+", "-", "@", "\t", "\r")
RELATION_ORDER = {
    Occupancy.Relation.OWNER: 0,
    Occupancy.Relation.CO_OWNER: 1,
    Occupancy.Relation.TENANT: 2,
    Occupancy.Relation.FAMILY: 3,
}


def neutralise(value: Any) -> Any:
    """Text starting like a formula gets a leading apostrophe; anything else is kept as is."""
    if isinstance(value, str) and value.startswith(RISKY_START):
        return "'" + value
    return value


def headers() -> list[str]:
    return [
        _("Building"),
        _("Entrance"),
        _("Room number"),
        _("Floor"),
        _("Area (m²)"),
        _("Full name"),
        _("Mobile phone"),
        _("Relation"),
        _("Note"),
    ]


def _flats(estate: Estate) -> Iterator[Flat]:
    current = Occupancy.objects.current().select_related("person")
    return (
        Flat.objects.filter(estate=estate)
        .select_related("building", "entrance", "owner")
        .prefetch_related(Prefetch("occupancies", queryset=current, to_attr="current"))
        .order_by("building__sort_key", "building__number", "entrance__number", "number", "pk")
        .iterator(chunk_size=1000)
    )


def rows(estate: Estate) -> Iterator[list[Any]]:
    """The roster's data rows, flat by flat."""
    for flat in _flats(estate):
        place: list[Any] = [
            flat.building.number,
            flat.entrance.number if flat.entrance is not None else "",
            flat.number,
            flat.floor,
            flat.area,
        ]
        occupancies = sorted(
            flat.current,  # type: ignore[attr-defined]
            key=lambda o: (RELATION_ORDER.get(o.relation, 9), o.person.full_name, o.person.pk),
        )
        owner = flat.owner
        if owner is not None and owner.kind == Owner.Kind.DEVELOPER:
            yield [*place, owner.name, "", planning.relation_label("developer"), ""]
        elif not occupancies:
            yield [*place, "", "", "", ""]
        for o in occupancies:
            person = o.person
            yield [
                *place,
                person.full_name,
                national(person.phone) if person.phone else "",
                planning.relation_label(o.relation),
                person.note,
            ]


def roster_export(*, actor: Any, estate: Estate, out: IO[bytes]) -> int:
    """Write the estate's roster as .xlsx to ``out``; returns the number of data rows.
    Committee staff of the estate only; recorded as a security event."""
    permissions.require(actor, "export_roster", estate)
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Roster"))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text in headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows(estate):
        cells: list[Any] = []
        for value in row:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=float(value))  # Excel keeps doubles
                cell.number_format = "0.00"
                cells.append(cell)
            else:
                cells.append(neutralise(value))
        sheet.append(cells)
        count += 1
    workbook.save(out)
    audit.record_security(user=actor, event="roster.export", estate=estate, detail=f"{count} rows")
    return count


def file_name(estate: Estate) -> str:
    return _("%(estate)s roster %(date)s.xlsx") % {
        "estate": estate.name,
        "date": timezone.localdate().isoformat(),
    }
