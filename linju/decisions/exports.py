"""A decision's record as a download: the documented JSON that ``linju recount`` reads
(docs/decision-record.md), and the same record as .xlsx for people who open it in a spreadsheet.

The record names nobody: voters appear by voter number (``O-0001``), flats by number with their
areas. Organisers may download it once voting has closed; owners on the roll (and their
authorised agents) once results are published (``("decision", "export_record")``). Every
download is a security event. Text a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community.roster.export import neutralise
from linju.core import audit, permissions
from linju.decisions import selectors
from linju.decisions.models import Ballot, Decision, NoticeDelivery, Option, RollFlat

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _security_event(actor: Any, decision: Decision, what: str) -> None:
    audit.record_security(
        user=actor,
        event="decision.record_export",
        estate=decision.estate,
        detail=f"decision {decision.pk} {what}",
    )


def record_json(*, actor: Any, decision: Decision) -> bytes:
    """The decision record as UTF-8 JSON, indented (``selectors.decision_record``)."""
    permissions.require(actor, "export_record", decision)
    record = selectors.decision_record(decision=decision)
    _security_event(actor, decision, "json")
    return (json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


# --- .xlsx -----------------------------------------------------------------------------------


def _when(value: datetime.datetime | None) -> datetime.datetime | None:
    # Spreadsheets have no time zones: local (Beijing) time, as the notices print it.
    return timezone.localtime(value).replace(tzinfo=None) if value is not None else None


def _flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(``strict.participation.area``, ``"1234.50/1500.00"``) pairs of a nested result."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{path}[{index}]")
    elif isinstance(value, list):
        yield path, ", ".join(str(item) for item in value)
    elif value is None:
        yield path, ""
    else:
        yield path, value


def _summary(decision: Decision, record: dict[str, Any]) -> list[list[Any]]:
    scope = selectors.scope_buildings(decision=decision)
    rows: list[list[Any]] = [
        [_("Estate"), decision.estate.name],
        [_("Decision"), decision.pk],
        [_("Title"), decision.title],
        [_("Kind"), decision.get_kind_display()],
        [_("Matter (Civil Code Art. 278)"), decision.get_matter_display() or ""],
        [
            _("Scope"),
            ", ".join(b.number for b in scope) if scope else _("The whole estate"),
        ],
        [_("Status"), decision.get_status_display()],
        [_("Announced"), _when(decision.announced_at)],
        [_("Voting opened"), _when(decision.opened_at)],
        [_("Voting closed"), _when(decision.closed_at)],
        [_("Counted"), _when(decision.tallied_at)],
        [_("Published"), _when(decision.published_at)],
        [_("Roll fingerprint (SHA-256)"), decision.roll_fingerprint],
        [_("Record format"), record.get("format", "")],
    ]
    for key, value in _flatten(decision.rules or {}, "rules"):
        rows.append([key, value])
    return rows


def _roll(decision: Decision) -> list[list[Any]]:
    rows: list[list[Any]] = []
    flats = (
        RollFlat.objects.filter(decision=decision)
        .select_related("entry", "building")
        .order_by("entry__ref", "label")
    )
    listed = set()
    for flat in flats:
        listed.add(flat.entry_id)
        rows.append(
            [
                flat.entry.ref,
                flat.entry.get_kind_display(),
                flat.label,
                flat.building.number if flat.building else "",
                flat.area,
                flat.entry.active,
            ]
        )
    for entry in decision.roll.exclude(pk__in=listed).order_by("ref"):
        rows.append([entry.ref, entry.get_kind_display(), "", "", entry.area, entry.active])
    rows.sort(key=lambda row: (row[0], row[2]))
    return rows


def _ballots(decision: Decision) -> list[list[Any]]:
    labels = {o.key: o.label for o in Option.objects.filter(decision=decision)}
    rows: list[list[Any]] = []
    for ballot in (
        Ballot.objects.filter(decision=decision)
        .select_related("entry")
        .order_by("entry__ref", "cast_at", "pk")
    ):
        rows.append(
            [
                ballot.receipt,
                ballot.entry.ref,
                ballot.get_channel_display(),
                ballot.get_choice_display() if ballot.choice else "",
                " > ".join(labels.get(str(k), str(k)) for k in ballot.selections),
                _when(ballot.cast_at),
                ballot.counted,
                _when(ballot.superseded_at),
                ballot.superseded_reason,
                ballot.delegation_id is not None,
            ]
        )
    return rows


def _notices(decision: Decision) -> list[list[Any]]:
    return [
        [
            delivery.entry.ref,
            delivery.get_channel_display(),
            _when(delivery.delivered_at),
            delivery.reference,
            delivery.pk,
        ]
        for delivery in NoticeDelivery.objects.filter(decision=decision)
        .select_related("entry")
        .order_by("entry__ref", "delivered_at", "pk")
    ]


def _amendments(decision: Decision) -> list[list[Any]]:
    return [
        [
            a.flat_label,
            json.dumps(a.change, ensure_ascii=False, sort_keys=True),
            a.reason,
            _when(a.made_at),
            a.fingerprint_before,
            a.fingerprint_after,
        ]
        for a in selectors.amendments(decision=decision)
    ]


def _sheets(decision: Decision, record: dict[str, Any]) -> list[tuple[str, list[str], Any]]:
    """(sheet name, headers, rows) in the order the workbook shows them."""
    return [
        (_("Summary"), [_("Field"), _("Value")], _summary(decision, record)),
        (
            _("Roll"),
            [
                _("Voter number"),
                _("Kind"),
                _("Flat"),
                _("Building"),
                _("Area (m²)"),
                _("On the roll"),
            ],
            _roll(decision),
        ),
        (
            _("Ballots"),
            [
                _("Receipt code"),
                _("Voter number"),
                _("How"),
                _("Choice"),
                _("Options chosen"),
                _("Cast"),
                _("Counted"),
                _("Superseded"),
                _("Why superseded"),
                _("By an authorised agent"),
            ],
            _ballots(decision),
        ),
        (
            _("Notices served"),
            [_("Voter number"), _("How"), _("Delivered"), _("Record"), _("Delivery id")],
            _notices(decision),
        ),
        (
            _("Amendments"),
            [
                _("Flat"),
                _("Change"),
                _("Reason"),
                _("Made"),
                _("Fingerprint before"),
                _("Fingerprint after"),
            ],
            _amendments(decision),
        ),
        (
            _("Result"),
            [_("Field"), _("Value")],
            [list(pair) for pair in _flatten(decision.result or {})],
        ),
    ]


def record_xlsx(*, actor: Any, decision: Decision, out: IO[bytes]) -> None:
    """Write the decision record as .xlsx to ``out``: sheets Summary, Roll, Ballots (counted
    and superseded), Notices served, Amendments and Result."""
    permissions.require(actor, "export_record", decision)
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    record = selectors.decision_record(decision=decision)
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, headers, rows in _sheets(decision, record):
        sheet = workbook.create_sheet(name[:31])
        sheet.freeze_panes = "A2"
        header_cells = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            cells: list[Any] = []
            for value in row:
                if isinstance(value, Decimal):
                    # openpyxl writes a Decimal as the number it is (its stubs omit the type)
                    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                    cell.number_format = "0.00"
                    cells.append(cell)
                elif isinstance(value, datetime.datetime):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                    cells.append(cell)
                else:
                    cells.append(neutralise(value))
            sheet.append(cells)
    workbook.save(out)
    _security_event(actor, decision, "xlsx")
