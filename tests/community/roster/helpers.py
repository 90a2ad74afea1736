"""Running an import the way the console and the command line do, for the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from linju.community.models import Estate, RosterImport
from linju.community.roster import plan as planning
from linju.community.roster import services
from linju.community.roster.apply import Outcome, roster_apply, roster_read_file


def preview(estate: Estate, path: Path, **options: Any) -> planning.Plan:
    _layout, entries = roster_read_file(estate, path, **options)
    return planning.resolve(estate, entries)


def run(estate: Estate, path: Path, actor: Any) -> Outcome:
    _layout, entries = roster_read_file(estate, path)
    return roster_apply(actor=actor, estate=estate, entries=entries, file_name=path.name)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of core and community."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for label in ("core", "community")
        for model in apps.get_app_config(label).get_models()
    }


def directory() -> dict[str, list[tuple]]:
    """The estate directory's rows (not the audit log or the imports themselves)."""
    return {
        label: rows
        for label, rows in snapshot().items()
        if label.split(".")[1]
        in {"Building", "Entrance", "Flat", "Person", "Occupancy", "Owner", "OwnerMember"}
    }


# --- Imports in a given state, for the permission matrix and page tests ----------------------

SMALL_ROSTER = (
    "楼号,室号,面积,姓名,关系\r\n"  # a new flat 1-102 in the ``world`` estates, with its owner
    "1,102,88,新住户,业主\r\n"
).encode()


def uploaded(
    estate: Estate, actor: Any, data: bytes = SMALL_ROSTER, name: str = "名册.csv"
) -> RosterImport:
    """A roster uploaded by ``actor``, its columns not yet confirmed."""
    upload = SimpleUploadedFile(name, data)
    return services.roster_upload(actor=actor, estate=estate, upload=upload)


def checked(
    estate: Estate, actor: Any, data: bytes = SMALL_ROSTER, name: str = "名册.csv"
) -> RosterImport:
    """A roster uploaded and checked (ready to confirm, unless its rows have errors)."""
    roster_import = uploaded(estate, actor, data, name)
    layout = services.roster_layout(roster_import=roster_import)
    return services.roster_columns_set(
        actor=actor,
        roster_import=roster_import,
        sheet=0,
        header_row=layout.header_row,
        mapping=layout.mapping,
        layout=layout,
    )
