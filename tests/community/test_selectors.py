"""The directory's reads: counts that residents see on the estate and building pages."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from linju.community import selectors
from tests import factories as f


class TestEstateOverview:
    def test_households_count_only_flats_with_a_current_occupant(self, db):
        building = f.BuildingFactory()
        lived_in = f.FlatFactory(building=building)
        moved_out = f.FlatFactory(building=building)
        f.FlatFactory(building=building)  # never occupied: the developer's unsold flat
        f.OccupancyFactory(flat=lived_in)
        f.OccupancyFactory(flat=lived_in, relation="family")
        f.OccupancyFactory(flat=moved_out, ended=True)

        overview = selectors.estate_overview(estate=building.estate)

        (card,) = overview.buildings
        assert (card.flat_count, card.household_count, card.resident_count) == (3, 1, 2)
        assert (overview.flats, overview.households, overview.residents) == (3, 1, 2)

    def test_queries_do_not_grow_with_buildings(self, db):
        estate = f.EstateFactory()

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                selectors.estate_overview(estate=estate)
            return len(ctx.captured_queries)

        f.OccupancyFactory(flat__building__estate=estate)
        few = count_queries()
        for _ in range(5):
            f.OccupancyFactory(flat__building__estate=estate)
        assert count_queries() == few

    def test_leaders_are_named_by_surname_only(self, world):
        overview = selectors.estate_overview(estate=world.here)
        names = {b.number: b.leader_names for b in overview.buildings}
        assert names["1"] == [selectors.public_name(str(world.users["leader"]))]
        assert all("*" in n for n in names["1"])


class TestBuildingOverview:
    def test_members_see_flats_others_see_counts(self, world):
        for role, sees in (("resident", True), ("anonymous", False), ("staff_other_estate", False)):
            overview = selectors.building_overview(actor=world.user(role), building=world.b1)
            assert overview.shows_flats is sees, role
            assert overview.flat_count == 1
            assert bool(overview.entrances) is sees


def test_public_name_masks_all_but_the_surname():
    assert selectors.public_name("王小明") == "王**"
    assert selectors.public_name("李") == "李*"
    assert selectors.public_name("") == ""
