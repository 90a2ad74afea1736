"""The preview: every row's errors and warnings, numbered as the spreadsheet shows them, and
what the import would create, update and leave alone. A preview writes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linju.community.models import Occupancy, Owner
from linju.community.roster import cells, plan, rows
from tests import factories as f
from tests.community.roster import workbooks as wb
from tests.community.roster.helpers import preview, snapshot

HEADER = ["房号", "面积", "姓名", "手机", "关系"]


def messages(messages: plan.Messages) -> list[tuple[int, str]]:
    return sorted((m["row"], m["text"]) for m in messages.items)


def test_messy_roster_preview_flags_each_row(e17, write):
    before = snapshot()
    result = preview(e17.estate, write("messy.xlsx", wb.messy(bad=True)))
    assert messages(result.errors) == [
        (14, cells.AREA_IMPOSSIBLE),
        (15, cells.BAD_PHONE),
        (16, rows.FLAT_TWICE_AREA),
        (17, cells.AREA_NOT_A_NUMBER),
    ]
    assert messages(result.warnings) == sorted(
        [
            (11, plan.BUILDING_NEW),
            (11, plan.AREA_UNUSUAL),
            (12, rows.DUPLICATE_ROW),
            (13, rows.TOTAL_LINE),
        ]
    )
    assert not result.ok
    assert snapshot() == before


def test_messy_roster_preview_counts(e17, write):
    result = preview(e17.estate, write("messy.xlsx", wb.messy()))
    assert result.ok
    report = result.report(written=False)
    assert report["created"] == {
        "buildings": 1,  # 18
        "entrances": 1,  # 18-2 (17-1 exists)
        "flats": 4,  # 17-1-302, 17-1-303, 17-1-304, 18-2-101
        "people": 6,  # 张三 李四 张小三 王五 赵六 钱七
        "occupancies": 6,
        "owners": 3,  # 张三、李四 jointly; 王五; 钱七
    }
    assert report["unchanged"]["buildings"] == 1
    assert report["unchanged"]["entrances"] == 1
    assert report["rows"] == 7  # rows 6, 7, 8, 10, 11, 12, 13
    assert report["skipped"] == 2  # the repeat and the total line


def test_names_and_phones_in_one_cell_are_paired_and_owners_become_co_owners(e17, write):
    result = preview(e17.estate, write("messy.xlsx", wb.messy()))
    people = {name: phone for name, phone, _note in result.new_people}
    assert people["张三"] == "+8613800138000"
    assert people["李四"] == "+8613900139000"
    assert people["张小三"] == ""
    relations = {result.new_people[-ref - 1][0]: rel for ref, _flat, rel in result.new_occupancies}
    assert relations == {
        "张三": Occupancy.Relation.CO_OWNER,
        "李四": Occupancy.Relation.CO_OWNER,
        "张小三": Occupancy.Relation.FAMILY,
        "王五": Occupancy.Relation.OWNER,
        "赵六": Occupancy.Relation.TENANT,
        "钱七": Occupancy.Relation.OWNER,
    }
    joint = next(o for o in result.new_owners if o.kind == Owner.Kind.JOINT)
    assert joint.name == "张三、李四"


def test_locked_building_list_makes_an_unknown_building_an_error(e17, write):
    e17.estate.building_list_locked = True
    e17.estate.save()
    result = preview(e17.estate, write("messy.xlsx", wb.messy()))
    assert (11, plan.BUILDING_LOCKED) in messages(result.errors)
    assert plan.BUILDING_NEW not in [m["text"] for m in result.warnings.items]
    assert result.created["buildings"] == 0


def test_a_flat_listed_twice_with_different_data_is_an_error(e17, write):
    data = wb.xlsx(
        [
            HEADER,
            ["17-1-302", "89.5", "张三", None, None],
            ["17-1-302", "89.5", "李四", None, "家属"],  # same flat, same area: fine
            ["17-1-302", "90", "王五", None, "家属"],  # other area
            ["17-1-302", None, "张三", "13800138000", "业主"],
            ["17-1-302", None, "张三", "13800138000", "租户"],  # the same 张三, other relation
            ["17-1-302", None, "李四", None, "租户"],  # another 李四 (no phone says otherwise)
        ]
    )
    result = preview(e17.estate, write("twice.xlsx", data))
    assert messages(result.errors) == [(4, rows.FLAT_TWICE_AREA), (6, rows.PERSON_TWICE)]
    assert sorted(name for name, _phone, _note in result.new_people) == [
        "张三",
        "张三",
        "李四",
        "李四",
    ]


def test_duplicate_identical_rows_are_a_warning(e17, write):
    data = wb.xlsx(
        [HEADER, ["17-1-302", "89.5", "张三", None, None]] * 1
        + [["17-1-302", "89.5", "张三", None, None]]
    )
    result = preview(e17.estate, write("dup.xlsx", data))
    assert messages(result.warnings) == [(3, rows.DUPLICATE_ROW)]
    assert result.ok
    assert result.created["people"] == 1


def test_an_entrance_left_out_matches_the_one_flat_it_can_be(e17, write):
    f.FlatFactory(building=e17.b17, entrance=e17.e1, number="302")
    f.FlatFactory(building=e17.b17, entrance=e17.e1, number="401")
    f.FlatFactory(building=e17.b17, entrance=e17.e2, number="401")
    data = wb.xlsx(
        [HEADER, ["17-302", "89.5", None, None, None], ["17-401", "89.5", None, None, None]]
    )
    result = preview(e17.estate, write("short.xlsx", data))
    assert result.created["flats"] == 0
    assert result.unchanged["flats"] == 1
    assert messages(result.errors) == [(3, plan.FLAT_AMBIGUOUS)]


def test_a_new_flat_needs_an_area(e17, write):
    data = wb.xlsx([HEADER, ["17-1-999", None, "张三", None, None]])
    result = preview(e17.estate, write("noarea.xlsx", data))
    assert messages(result.errors) == [(2, plan.FLAT_NEEDS_AREA)]


def test_more_phones_than_names_is_an_error(e17, write):
    data = wb.xlsx([HEADER, ["17-1-302", "89", "张三", "13800138000、13900139000", None]])
    result = preview(e17.estate, write("phones.xlsx", data))
    assert messages(result.errors) == [(2, rows.TOO_MANY_PHONES)]


def test_unknown_relation_is_an_error(e17, write):
    data = wb.xlsx([HEADER, ["17-1-302", "89", "张三", None, "朋友"]])
    assert messages(preview(e17.estate, write("rel.xlsx", data)).errors) == [
        (2, cells.BAD_RELATION)
    ]


def test_a_row_without_a_flat_before_any_flat_is_an_error(e17, write):
    data = wb.xlsx([HEADER, [None, "89", "张三", None, None]])
    assert messages(preview(e17.estate, write("noflat.xlsx", data)).errors) == [(2, rows.NO_FLAT)]


def test_developer_rows_own_unsold_flats(e17, write):
    data = wb.xlsx(
        [
            HEADER,
            ["17-1-1101", "120", "上海中浩房地产开发有限公司", None, "开发商"],
            ["17-1-1102", "120", "上海中浩房地产开发有限公司", None, "开发商"],
        ]
    )
    result = preview(e17.estate, write("dev.xlsx", data))
    assert result.ok
    assert result.created["owners"] == 1
    assert result.created["people"] == 0
    assert [o.kind for o in result.new_owners] == [Owner.Kind.DEVELOPER]
    assert {fl.owner for fl in result.new_flats} == {-1}


def test_areas_are_decimals_with_two_places(e17, write):
    data = wb.xlsx([HEADER, ["17-1-302", 89.5, None, None, None]])
    (flat,) = preview(e17.estate, write("area.xlsx", data)).new_flats
    assert flat.area == Decimal("89.50")
    assert str(flat.area) == "89.50"


@pytest.mark.parametrize("value", ["=1+1", '=HYPERLINK("http://x","张三")', "＝1+1"])
def test_a_cell_starting_with_equals_makes_its_row_an_error(e17, write, value):
    data = wb.csv_bytes(
        [HEADER, ["17-1-302", "89", value, None, None], ["17-1-303", "89", "王五", None, None]]
    )
    result = preview(e17.estate, write("eq.csv", data))
    assert messages(result.errors) == [(2, rows.FORMULA)]
    assert result.errors.items[0]["params"]["column"] == "姓名"
