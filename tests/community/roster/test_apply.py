"""The confirmed import: all or nothing, idempotent, a changed file updates and never
duplicates, every change audited (phone numbers never in the log)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from linju.community.models import (
    Building,
    Flat,
    Occupancy,
    Owner,
    OwnerMember,
    Person,
    RosterImport,
)
from linju.community.roster.apply import RosterRejected
from linju.core.models import AuditEvent
from tests import factories as f
from tests.community.roster import workbooks as wb
from tests.community.roster.helpers import directory, run, snapshot

HEADER = ["楼号", "单元", "室号", "面积", "姓名", "手机", "关系", "备注"]


def roster(*rows) -> bytes:
    return wb.xlsx([HEADER, *rows])


class TestApply:
    def test_writes_what_the_preview_said(self, e17, write):
        outcome = run(e17.estate, write("messy.xlsx", wb.messy()), e17.staff)
        assert outcome.written
        flats = Flat.objects.filter(estate=e17.estate)
        assert sorted(fl.label for fl in flats) == ["17-1-302", "17-1-303", "17-1-304", "18-2-101"]
        assert Building.objects.get(estate=e17.estate, number="18").sort_key == 18
        flat = flats.get(number="302")
        assert flat.area == Decimal("89.50")
        assert flat.floor == 3
        assert flat.owner.kind == Owner.Kind.JOINT
        assert sorted(flat.owner.members.values_list("full_name", flat=True)) == ["张三", "李四"]
        household = {
            o.person.full_name: (o.relation, o.person.phone, o.person.note)
            for o in Occupancy.objects.filter(flat=flat).select_related("person")
        }
        assert household == {
            "张三": ("co_owner", "+8613800138000", ""),
            "李四": ("co_owner", "+8613900139000", ""),
            "张小三": ("family", "", "在读大学生"),
        }
        assert flats.get(number="304").owner is None  # 赵六 is a tenant

    def test_records_the_import_and_its_report(self, e17, write):
        outcome = run(e17.estate, write("messy.xlsx", wb.messy()), e17.staff)
        record = RosterImport.objects.get(estate=e17.estate)
        assert outcome.roster_import == record
        assert record.status == RosterImport.Status.DONE
        assert record.report["created"]["flats"] == 4
        assert record.report["written"] is True
        events = AuditEvent.objects.filter(estate=e17.estate)
        assert list(events.values_list("action", "actor")) == [("roster.import", e17.staff.pk)]

    def test_an_error_row_writes_nothing(self, e17, write):
        before = snapshot()
        with pytest.raises(RosterRejected) as rejected:
            run(e17.estate, write("messy.xlsx", wb.messy(bad=True)), e17.staff)
        assert rejected.value.plan.errors.count == 4
        assert snapshot() == before

    def test_a_failure_while_writing_writes_nothing(self, e17, write, monkeypatch):
        """The transaction holds: the last step fails after every insert was made."""
        from linju.community.roster import apply

        before = snapshot()

        def broken(self):
            raise RuntimeError("disk full")

        monkeypatch.setattr(apply._Writer, "_update_occupancies", broken)
        with pytest.raises(RuntimeError):
            run(e17.estate, write("messy.xlsx", wb.messy()), e17.staff)
        assert snapshot() == before

    @pytest.mark.parametrize("who", ["other_staff", "outsider"])
    def test_refused_to_others_and_nothing_written(self, e17, write, who):
        actor = e17.other_staff if who == "other_staff" else f.UserFactory(username="x")
        before = snapshot()
        with pytest.raises(PermissionDenied):
            run(e17.estate, write("messy.xlsx", wb.messy()), actor)
        assert snapshot() == before

    def test_locked_building_list_refuses_the_whole_file(self, e17, write):
        e17.estate.building_list_locked = True
        e17.estate.save()
        before = snapshot()
        with pytest.raises(RosterRejected):
            run(e17.estate, write("messy.xlsx", wb.messy()), e17.staff)
        assert snapshot() == before


class TestIdempotency:
    def test_the_same_file_twice_changes_nothing(self, e17, write):
        path = write("messy.xlsx", wb.messy())
        run(e17.estate, path, e17.staff)
        before = directory()
        events = AuditEvent.objects.exclude(action="roster.import").count()
        again = run(e17.estate, path, e17.staff).report
        assert set(again["created"].values()) == {0}
        assert set(again["updated"].values()) == {0}
        assert again["unchanged"] == {
            "buildings": 2,
            "entrances": 2,
            "flats": 4,
            "people": 6,
            "occupancies": 6,
            "owners": 3,
        }
        assert again["skipped"] == again["rows"]
        assert directory() == before
        assert AuditEvent.objects.exclude(action="roster.import").count() == events

    def test_a_changed_file_updates_and_never_duplicates(self, e17, write):
        run(
            e17.estate,
            write(
                "v1.xlsx",
                roster(
                    ["17", "1", "302", "89.5", "张三", "13800138000", "业主", None],
                    ["17", "1", "302", None, "张小三", None, "家属", None],
                    ["17", "1", "303", "70", "王五", "13700137000", "租户", None],
                ),
            ),
            e17.staff,
        )
        flats, people = Flat.objects.count(), Person.objects.count()
        outcome = run(
            e17.estate,
            write(
                "v2.xlsx",
                roster(
                    ["17", "1", "302", "92", "张三", "13900139000", "业主", "行动不便"],
                    ["17", "1", "302", None, "张小三", None, "家属", None],
                    ["17", "1", "303", "70", "王五", "13700137000", "业主", None],
                    ["17", "1", "303", None, "赵六", None, "家属", None],
                ),
            ),
            e17.staff,
        )
        report = outcome.report
        assert report["created"] == {
            "buildings": 0,
            "entrances": 0,
            "flats": 0,
            "people": 1,  # 赵六
            "occupancies": 1,
            "owners": 1,  # 王五 now owns 303
        }
        assert report["updated"]["flats"] == 2  # 302's area, 303's owner
        assert report["updated"]["people"] == 1  # 张三's phone and note
        assert report["updated"]["occupancies"] == 1  # 王五: tenant → owner
        assert (Flat.objects.count(), Person.objects.count()) == (flats, people + 1)
        zhang = Person.objects.get(full_name="张三")
        assert (zhang.phone, zhang.note) == ("+8613900139000", "行动不便")
        assert Flat.objects.get(number="302").area == Decimal("92.00")
        assert Occupancy.objects.get(person__full_name="王五").relation == "owner"

        logged = sorted(
            (e.action, e.target_label, e.changes)
            for e in AuditEvent.objects.exclude(action="roster.import")
        )
        assert logged == [
            ("flat.update", "17-1-302", {"area": ["89.50", "92.00"]}),
            ("flat.update", "17-1-303", {"owner": [None, "王五"]}),
            ("occupancy.update", "王五 · 17-1-303", {"relation": ["tenant", "owner"]}),
            ("person.update", "张三", {"phone": ["***", "***"], "note": ["", "行动不便"]}),
        ]
        assert not AuditEvent.objects.filter(changes__icontains="13900139000").exists()

    def test_a_blank_cell_never_erases(self, e17, write):
        run(
            e17.estate,
            write(
                "v1.xlsx", roster(["17", "1", "302", "89.5", "张三", "13800138000", None, "备注"])
            ),
            e17.staff,
        )
        report = run(
            e17.estate,
            write("v2.xlsx", roster(["17", "1", "302", None, "张三", None, None, None])),
            e17.staff,
        ).report
        assert set(report["updated"].values()) == {0}
        zhang = Person.objects.get(full_name="张三")
        assert (zhang.phone, zhang.note) == ("+8613800138000", "备注")

    def test_an_owner_of_two_flats_is_one_owner(self, e17, write):
        run(
            e17.estate,
            write(
                "two.xlsx",
                roster(
                    ["17", "1", "302", "89.5", "张三", "13800138000", "业主", None],
                    ["17", "2", "302", "89.5", "张三", "13800138000", "业主", None],
                ),
            ),
            e17.staff,
        )
        assert Person.objects.filter(full_name="张三").count() == 1
        assert Owner.objects.filter(estate=e17.estate).count() == 1
        assert Occupancy.objects.filter(person__full_name="张三").count() == 2

    def test_people_already_known_are_matched_at_their_flat(self, e17, write):
        flat = f.FlatFactory(building=e17.b17, entrance=e17.e1, number="302")
        person = f.PersonFactory(estate=e17.estate, full_name="张三", phone="")
        f.OccupancyFactory(flat=flat, person=person)
        owner = f.OwnerFactory(estate=e17.estate, name="张三")
        OwnerMember.objects.create(estate=e17.estate, owner=owner, person=person)
        Flat.objects.filter(pk=flat.pk).update(owner=owner)
        report = run(
            e17.estate,
            write(
                "known.xlsx",
                roster(["17", "1", "302", "89.50", "张三", "138 0013 8000", "业主", None]),
            ),
            e17.staff,
        ).report
        assert set(report["created"].values()) == {0}
        assert report["updated"]["people"] == 1  # the phone is added
        assert report["unchanged"]["owners"] == 1
        person.refresh_from_db()
        assert person.phone == "+8613800138000"

    def test_co_owners_replace_a_single_owner_in_place(self, e17, write):
        run(
            e17.estate,
            write("v1.xlsx", roster(["17", "1", "302", "89.5", "张三", None, "业主", None])),
            e17.staff,
        )
        owner = Owner.objects.get()
        report = run(
            e17.estate,
            write(
                "v2.xlsx",
                roster(
                    ["17", "1", "302", "89.5", "张三、李四", None, "业主", None],
                ),
            ),
            e17.staff,
        ).report
        assert report["updated"]["owners"] == 1
        assert report["created"]["owners"] == 0
        owner.refresh_from_db()
        assert (owner.kind, owner.name) == (Owner.Kind.JOINT, "张三、李四")
        assert Occupancy.objects.get(person__full_name="张三").relation == "co_owner"
