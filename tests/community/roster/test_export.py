"""The export: the directory back to .xlsx in the layout the importer reads (export → import
changes nothing), formula-looking text neutralised, numbers kept as numbers, every export
recorded as a security event."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count

from linju.community.demo import ESTATE_SLUG, demo_load
from linju.community.models import Estate, Flat, Occupancy, Owner, Person, Street
from linju.community.roster import export, rows
from linju.core.models import SecurityEvent
from tests import factories as f
from tests.community.roster import workbooks as wb
from tests.community.roster.helpers import directory, run

# Names and notes as hostile text could store them (the forms strip leading spaces and tabs).
RISKY = ["=cmd|' /C calc'!A0", "+86 138", "-李", "@SUM(A1)", "=1+1"]


def exported(estate: Estate, actor) -> bytes:
    out = io.BytesIO()
    export.roster_export(actor=actor, estate=estate, out=out)
    return out.getvalue()


def sheet_rows(data: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+8613800138000", "'+8613800138000"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张三", "张三"),
        ("", ""),
        (Decimal("89.50"), Decimal("89.50")),
        (-5, -5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert export.neutralise(value) == expected


def test_export_is_the_layout_the_importer_reads(e17, write):
    run(e17.estate, write("messy.xlsx", wb.messy()), e17.staff)
    rows = sheet_rows(exported(e17.estate, e17.staff))
    assert list(rows[0]) == export.headers()
    assert rows[1] == ("17", "1", "302", 3, 89.5, "张三", "13800138000", "共有人", None)
    assert len(rows) == 1 + 6


def test_export_then_import_changes_nothing(e17, write):
    run(e17.estate, write("messy.xlsx", wb.messy()), e17.staff)
    developer = Owner.objects.create(estate=e17.estate, kind=Owner.Kind.DEVELOPER, name="开发商甲")
    f.FlatFactory(building=e17.b17, entrance=e17.e2, number="1101", owner=developer)
    f.FlatFactory(building=e17.b17, entrance=e17.e2, number="1102")  # nobody recorded
    flat = Flat.objects.get(number="303")
    for name in RISKY:
        f.OccupancyFactory(
            flat=flat,
            person=f.PersonFactory(estate=e17.estate, full_name=name, note=name),
            relation="family",
        )
    before = directory()
    again = run(e17.estate, write("export.xlsx", exported(e17.estate, e17.staff)), e17.staff).report
    assert set(again["created"].values()) == {0}, again
    assert set(again["updated"].values()) == {0}, again
    assert again["error_count"] == 0
    assert directory() == before


def test_formula_looking_text_is_neutralised_and_numbers_stay_numbers(e17):
    flat = f.FlatFactory(building=e17.b17, entrance=e17.e1, number="302", area=Decimal("89.50"))
    for name in RISKY:
        f.OccupancyFactory(
            flat=flat, person=f.PersonFactory(estate=e17.estate, full_name=name, note=name)
        )
    rows = sheet_rows(exported(e17.estate, e17.staff))[1:]
    names = {r[5] for r in rows}
    assert names == {"'" + name for name in RISKY}
    assert {r[8] for r in rows} == {"'" + name for name in RISKY}
    workbook = openpyxl.load_workbook(io.BytesIO(exported(e17.estate, e17.staff)))
    sheet = workbook.worksheets[0]
    assert sheet["E2"].data_type == "n" and sheet["E2"].value == 89.5
    assert sheet["D2"].data_type == "n"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_each_export_is_a_security_event(e17):
    exported(e17.estate, e17.staff)
    event = SecurityEvent.objects.get(event="roster.export")
    assert (event.user, event.estate) == (e17.staff, e17.estate)


@pytest.mark.parametrize("who", ["other_staff", "outsider"])
def test_only_the_estates_committee_staff_export(e17, who):
    actor = e17.other_staff if who == "other_staff" else f.UserFactory(username="x")
    with pytest.raises(PermissionDenied):
        exported(e17.estate, actor)
    assert not SecurityEvent.objects.filter(event="roster.export").exists()


@pytest.fixture
def demo(db):
    demo_load()
    return Estate.objects.get(slug=ESTATE_SLUG)


def test_the_demo_estate_round_trips(demo, write):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(username="staff")
    data = exported(demo, staff)
    before = directory()
    report = run(demo, write("demo.xlsx", data), staff).report
    assert set(report["created"].values()) == {0}, report["created"]
    assert set(report["updated"].values()) == {0}, report["updated"]
    assert directory() == before

    # Into an empty estate: the same flats, people, occupancies and owners, but for what a
    # roster cannot tell: a person without a phone listed at two flats reads as two namesakes
    # (and their two flats as two owners), and two people of one name without phones in one
    # household give two identical rows, the second read as a repeat.
    empty = Estate.objects.create(
        street=Street.objects.get(slug="wanli"), name="空小区", slug="empty"
    )
    f.RoleFactory(user=staff, estate=empty)
    report = run(empty, write("demo.xlsx", data), staff).report
    created = report["created"]
    repeats = sum(1 for w in report["warnings"] if w["text"] == rows.DUPLICATE_ROW)
    no_phone = Person.objects.filter(estate=demo, phone="").annotate(n=Count("occupancies"))
    split = sum(p.n - 1 for p in no_phone.filter(n__gt=1))
    owners = Owner.objects.filter(estate=demo).exclude(kind="developer")
    split_owners = sum(
        o.n - 1
        for o in owners.annotate(n=Count("flats")).filter(n__gt=1)
        if not any(m.phone for m in o.members.all())
    )
    assert repeats < 5 and split < 20
    assert created["flats"] == Flat.objects.filter(estate=demo).count() == 1790
    assert created["occupancies"] + repeats == Occupancy.objects.filter(estate=demo).count()
    assert created["people"] + repeats == Person.objects.filter(estate=demo).count() + split
    assert created["owners"] == Owner.objects.filter(estate=demo).count() + split_owners
