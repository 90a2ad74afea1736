"""The roster import as staff run it in the console: upload, choose the columns, check, confirm.

Each step is a service (permission first, then validation, then the write and its audit event).
Checking and importing read the whole file: for a small file they run at once, inside the
request; a big one goes to the background worker (``linju worker``) after the transaction
commits, and the import row carries its progress for the page to poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from linju.community.models import Estate, RosterImport, RosterMapping
from linju.community.roster import mapping as m
from linju.community.roster import parse as p
from linju.community.roster import plan as planning
from linju.community.roster.apply import (
    RosterRejected,
    remembered_columns,
    require_import,
    roster_apply,
)
from linju.core import audit, permissions

log = logging.getLogger(__name__)

INLINE_BYTES = 512 * 1024
CHANGED_SINCE_CHECK = gettext_noop(
    "The estate changed after this roster was checked, and the roster now has problems. Nothing "
    "was imported; see the rows below."
)
IMPORT_FAILED = gettext_noop(
    "The import stopped because of an unexpected problem. Nothing was imported. Try again, or "
    "ask your platform administrator."
)
NOT_ALLOWED = gettext_noop("The account that confirmed this import may no longer import rosters.")


def inline_bytes() -> int:
    """Files up to this size are checked and imported at once; bigger ones in the background."""
    return int(getattr(settings, "LINJU_ROSTER_INLINE_BYTES", INLINE_BYTES))


remembered_for = remembered_columns


def _open(roster_import: RosterImport) -> p.RosterFile:
    if not roster_import.file:
        raise p.RosterRefused(p.EMPTY_FILE)
    return p.open_roster(roster_import.file.path)


# --- Upload ----------------------------------------------------------------------------------


@transaction.atomic
def roster_upload(*, actor: Any, estate: Estate, upload: UploadedFile) -> RosterImport:
    """Keep an uploaded roster and guess its layout. Refuses (``RosterRefused``, nothing
    written) anything that is not a spreadsheet of a sane size, before reading its rows."""
    require_import(actor, estate)
    limits = p.limits()
    size = upload.size or 0
    if size > limits.max_bytes:
        raise p.RosterRefused(
            p.TOO_BIG, size=p.megabytes(size), limit=p.megabytes(limits.max_bytes)
        )
    with p.open_roster(upload, limits) as roster:
        layout = m.detect(roster, remembered=remembered_for(estate))
        kind = roster.kind
    roster_import = RosterImport(
        estate=estate,
        created_by=actor,
        original_name=(upload.name or "")[:200],
        file_kind=kind,
        file_size=size,
        header_row=layout.header_row,
        mapping=layout.mapping,
    )
    upload.seek(0)
    roster_import.file.save("roster", upload, save=False)
    roster_import.save()
    audit.record(actor=actor, action="roster.upload", target=roster_import)
    return roster_import


def roster_layout(
    *, roster_import: RosterImport, sheet: int | None = None, header_row: int | None = None
) -> m.Layout:
    """The columns of the uploaded file, with the fields chosen so far (reads the first rows
    only)."""
    same = sheet in (None, roster_import.sheet) and header_row in (None, roster_import.header_row)
    with _open(roster_import) as roster:
        layout = m.detect(
            roster,
            sheet=roster_import.sheet if sheet is None else sheet,
            header_row=header_row or roster_import.header_row,
            remembered=remembered_for(roster_import.estate),
        )
    if same:
        for column in layout.columns:
            column.field = roster_import.mapping.get(str(column.index), "")
    return layout


# --- Columns and the check -------------------------------------------------------------------

MAPPING_TWICE = gettext_noop("“%(field)s” is chosen for more than one column (%(columns)s).")
MAPPING_NO_FLAT = gettext_noop(
    "Choose the column that holds the flat: either the whole address (17-1-302), or the building "
    "and the room number."
)
NOT_NOW = gettext_noop("This import can no longer be changed.")


def validate_mapping(mapping: dict[str, str], letters: dict[str, str]) -> None:
    """Each field in one column at most; the flat must be findable."""
    by_field: dict[str, list[str]] = {}
    for index, name in mapping.items():
        if name not in m.FIELDS:
            raise ValidationError(_("Choose a field from the list."))
        by_field.setdefault(name, []).append(letters.get(index, index))
    for name, columns in by_field.items():
        if len(columns) > 1:
            raise ValidationError(
                _(MAPPING_TWICE) % {"field": m.FIELD_LABELS[name], "columns": ", ".join(columns)}
            )
    if not m.has_flat_columns(by_field):
        raise ValidationError(_(MAPPING_NO_FLAT))


@transaction.atomic
def roster_columns_set(
    *,
    actor: Any,
    roster_import: RosterImport,
    sheet: int,
    header_row: int,
    mapping: dict[str, str],
    layout: m.Layout,
) -> RosterImport:
    """Record which column holds what (remembered for the estate's next roster) and check the
    roster: at once for a small file, in the background for a big one."""
    require_import(actor, roster_import.estate)
    roster_import = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if roster_import.status not in (
        RosterImport.Status.UPLOADED,
        RosterImport.Status.CHECKED,
    ):
        raise ValidationError(_(NOT_NOW))
    mapping = {k: v for k, v in mapping.items() if v}
    validate_mapping(mapping, {str(c.index): c.letter for c in layout.columns})
    roster_import.sheet = sheet
    roster_import.header_row = header_row
    roster_import.mapping = mapping
    roster_import.status = RosterImport.Status.CHECKING
    roster_import.progress = 0
    roster_import.rows_done = 0
    roster_import.report = {}
    roster_import.message = {}
    roster_import.save()
    remembered = remembered_for(roster_import.estate)
    remembered.update(m.remembered_columns(layout, mapping))
    RosterMapping.objects.update_or_create(
        estate=roster_import.estate, defaults={"columns": remembered}
    )
    audit.record(actor=actor, action="roster.columns", target=roster_import)
    _schedule(roster_import, "check")
    return roster_import


def _schedule(roster_import: RosterImport, step: str) -> None:
    from linju.community.roster import tasks

    if roster_import.file_size <= inline_bytes():
        (run_check if step == "check" else run_apply)(roster_import.pk)
        roster_import.refresh_from_db()
        return
    task = tasks.roster_check_task if step == "check" else tasks.roster_apply_task
    pk = roster_import.pk
    transaction.on_commit(lambda: task.enqueue(pk))


def _progress(roster_import: RosterImport, roster: p.RosterFile, share: int) -> Callable:
    """A callback for the reader: the share of the bar that reading takes, filled as rows come."""

    def report(rows: int) -> None:
        fraction = roster.fraction_read()
        percent = int(share * fraction) if fraction is not None else 0
        RosterImport.objects.filter(pk=roster_import.pk).update(
            progress=min(percent, share), rows_done=rows
        )

    return report


def _headers(roster: p.RosterFile, roster_import: RosterImport) -> dict[int, str]:
    layout = m.detect(roster, sheet=roster_import.sheet, header_row=roster_import.header_row)
    return layout.headers


def _finish(roster_import: RosterImport, **values: Any) -> None:
    for name, value in values.items():
        setattr(roster_import, name, value)
    if values.get("status") in (RosterImport.Status.DONE, RosterImport.Status.REFUSED):
        _forget_file(roster_import)
    roster_import.save()


def _forget_file(roster_import: RosterImport) -> None:
    """The file holds personal data: once imported or refused it is deleted (after commit, so
    a rolled-back import keeps it)."""
    if roster_import.file:
        name, storage = roster_import.file.name, roster_import.file.storage
        transaction.on_commit(lambda: storage.delete(name))
        roster_import.file = None  # type: ignore[assignment]


def run_check(import_id: int) -> None:
    """Check a roster (the preview): store what it would do, or why it is refused."""
    roster_import = RosterImport.objects.select_related("estate").get(pk=import_id)
    if roster_import.status != RosterImport.Status.CHECKING:
        return
    try:
        with _open(roster_import) as roster:
            headers = _headers(roster, roster_import)
            plan = planning.check(
                roster_import.estate,
                roster,
                sheet=roster_import.sheet,
                header_row=roster_import.header_row,
                mapping=roster_import.mapping,
                headers=headers,
                progress=_progress(roster_import, roster, 90),
            )
    except p.RosterRefused as exc:
        _finish(roster_import, status=RosterImport.Status.REFUSED, message=exc.as_json())
        return
    except Exception:
        log.exception("roster check %s failed", import_id)
        _finish(roster_import, status=RosterImport.Status.FAILED, message={"text": IMPORT_FAILED})
        return
    _finish(
        roster_import,
        status=RosterImport.Status.CHECKED,
        report=plan.report(written=False),
        progress=100,
        rows_done=roster.rows_read,
    )


# --- Confirm and import ----------------------------------------------------------------------

HAS_ERRORS = gettext_noop(
    "Fix the rows with problems first: nothing can be imported while there are any."
)


@transaction.atomic
def roster_confirm(*, actor: Any, roster_import: RosterImport) -> RosterImport:
    """Import a checked roster: at once for a small file, in the background for a big one. The
    import checks the roster again against the estate as it is then, and writes all or nothing."""
    require_import(actor, roster_import.estate)
    roster_import = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if roster_import.status != RosterImport.Status.CHECKED:
        raise ValidationError(_(NOT_NOW))
    if roster_import.report.get("error_count"):
        raise ValidationError(_(HAS_ERRORS))
    roster_import.status = RosterImport.Status.APPLYING
    roster_import.confirmed_by = actor
    roster_import.progress = 0
    roster_import.message = {}
    roster_import.save()
    _schedule(roster_import, "apply")
    return roster_import


def run_apply(import_id: int) -> None:
    """Import a confirmed roster as the account that confirmed it."""
    roster_import = RosterImport.objects.select_related("estate", "confirmed_by").get(pk=import_id)
    if roster_import.status != RosterImport.Status.APPLYING:
        return
    actor = roster_import.confirmed_by
    try:
        with _open(roster_import) as roster:
            headers = _headers(roster, roster_import)
            entries = planning.read_entries(
                roster,
                sheet=roster_import.sheet,
                header_row=roster_import.header_row,
                mapping=roster_import.mapping,
                headers=headers,
                progress=_progress(roster_import, roster, 60),
            )

        def writing() -> None:
            RosterImport.objects.filter(pk=import_id).update(progress=70)

        roster_apply(
            actor=actor,
            estate=roster_import.estate,
            entries=entries,
            roster_import=roster_import,
            on_write=writing,
        )
    except RosterRejected as exc:
        _finish(
            roster_import,
            status=RosterImport.Status.CHECKED,
            report=exc.plan.report(written=False),
            message={"text": CHANGED_SINCE_CHECK},
            progress=100,
        )
        return
    except p.RosterRefused as exc:
        _finish(roster_import, status=RosterImport.Status.REFUSED, message=exc.as_json())
        return
    except PermissionDenied:
        _finish(roster_import, status=RosterImport.Status.FAILED, message={"text": NOT_ALLOWED})
        return
    except Exception:
        log.exception("roster import %s failed", import_id)
        _finish(roster_import, status=RosterImport.Status.FAILED, message={"text": IMPORT_FAILED})
        return
    _forget_file(roster_import)
    roster_import.save(update_fields=["file"])


# --- The estate's building list, and old files -----------------------------------------------


@transaction.atomic
def roster_buildings_lock(*, actor: Any, estate: Estate, locked: bool) -> Estate:
    """Lock (or open) the estate's building list: locked, an import refuses buildings the
    estate does not have instead of creating them."""
    permissions.require(actor, "manage", estate)
    estate = Estate.objects.select_for_update().get(pk=estate.pk)
    diff = audit.changes(estate, {"building_list_locked": locked})
    if diff:
        estate.building_list_locked = locked
        estate.save(update_fields=["building_list_locked"])
        audit.record(actor=actor, action="estate.update", target=estate, changes=diff)
    return estate
