"""The demo's conventions, loaded into a small estate with the demo's accounts: building 2's
draft with two versions and comments, building 17's civility convention and its parking
area's rules adopted by published residents' votes, with read marks."""

from __future__ import annotations

import pytest

from linju.community.models import Role
from linju.conventions import selectors
from linju.conventions.demo import PARKING_RULES_TITLE, demo_conventions
from linju.conventions.models import ClauseComment, Convention
from linju.decisions.models import Decision
from linju.notices.models import Notice
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate():
    estate = f.EstateFactory(slug="zhonghao", name="中浩云花园")
    for number in ("2", "17"):
        building = f.BuildingFactory(estate=estate, number=number)
        for floor in range(1, 7):
            for unit in ("01", "02"):
                flat = f.FlatFactory(building=building, number=f"{floor}{unit}")
                person = f.PersonFactory(estate=estate, full_name=f"住户{number}-{floor}{unit}")
                f.OccupancyFactory(flat=flat, person=person)
        leader = f.UserFactory(username=f"leader{number}")
        person = building.flats.first().occupancies.first().person
        person.user = leader
        person.save()
        f.RoleFactory(user=leader, kind=Role.Kind.GROUP_LEADER, estate=estate, building=building)
    resident = f.UserFactory(username="resident17")
    person = estate.buildings.get(number="17").flats.last().occupancies.first().person
    person.user = resident
    person.save()
    f.RoleFactory(
        user=f.UserFactory(username="staff"), kind=Role.Kind.COMMITTEE_STAFF, estate=estate
    )
    f.RoleFactory(
        user=f.UserFactory(username="owners"), kind=Role.Kind.OWNERS_COMMITTEE, estate=estate
    )
    return estate


def test_demo_conventions(estate):
    draft, civility, parking = demo_conventions(estate)
    assert (draft.title, draft.status, draft.building.number) == ("2号楼 文明公约", "drafting", "2")
    versions = selectors.versions(convention=draft)
    assert [v.number for v in versions] == [2, 1]
    assert len(versions[0].clauses) == 10 and len(versions[1].clauses) == 8
    kinds = {row.kind for row in selectors.version_diff(versions[1], versions[0])}
    assert {"changed", "added", "same"} <= kinds
    comments = ClauseComment.objects.filter(convention=draft)
    assert comments.count() == 9 and comments.filter(hidden_at__isnull=False).count() == 1
    assert len({c.clause_id for c in comments}) >= 4

    for convention in (civility, parking):
        assert convention.status == Convention.Status.ADOPTED
        assert convention.decision.status == Decision.Status.PUBLISHED
        assert convention.notice.status == Notice.Status.PUBLISHED
        assert selectors.read_count(convention=convention) >= 5
    assert parking.title == PARKING_RULES_TITLE
    assert parking.kind == Convention.Kind.SPACE_RULES
    resident = estate.people.get(user__username="resident17").user
    assert selectors.convention_accepted(user=resident, convention=parking)
