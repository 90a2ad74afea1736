"""The opinion-map demo on a small estate shaped like the demo one: committee staff, sixty-odd
residents, ``resident17`` among them."""

from __future__ import annotations

from linju.community.models import Role
from linju.opinions import selectors
from linju.opinions.demo import QUESTION, demo_opinions
from linju.opinions.models import Discussion, Statement, StatementVote
from tests.factories import (
    BuildingFactory,
    EstateFactory,
    FlatFactory,
    OccupancyFactory,
    PersonFactory,
    RoleFactory,
    UserFactory,
)


def _estate():
    estate = EstateFactory(slug="zhonghao")
    RoleFactory(user=UserFactory(username="staff"), estate=estate, kind=Role.Kind.COMMITTEE_STAFF)
    building = BuildingFactory(estate=estate, number="17")
    for n in range(64):
        flat = FlatFactory(building=building, number=f"{n + 1:03d}")
        OccupancyFactory(flat=flat, person=PersonFactory(estate=estate))
    resident17 = UserFactory(username="resident17")
    flat = FlatFactory(building=building, number="901")
    OccupancyFactory(flat=flat, person=PersonFactory(estate=estate, user=resident17))
    return estate, resident17


def test_demo_opinions(db):
    estate, resident17 = _estate()
    made = demo_opinions(estate)
    discussion = Discussion.objects.get(estate=estate)
    assert discussion.question == QUESTION and discussion.is_open
    statements = Statement.objects.filter(discussion=discussion)
    assert statements.filter(status="accepted").count() == 20
    rejected = statements.filter(status="rejected")
    assert rejected.count() == 2 and all(s.reject_reason for s in rejected)
    participants = set(StatementVote.objects.values_list("participant", flat=True))
    assert len(participants) == 60
    view = selectors.map_view(discussion=discussion, user=resident17)
    assert view.shown and 2 <= len(view.groups) <= 5
    assert all(group.representative for group in view.groups)
    assert view.consensus, "the statements every group agrees with are found"
    assert view.you is not None and view.you.group is not None
    # resident17 voted on ten statements and has ten left.
    assert selectors.progress(discussion=discussion, user=resident17).remaining == 10
    assert selectors.next_statement(discussion=discussion, user=resident17) is not None
    assert made["snapshot"].participants == 60
    assert demo_opinions(estate) == {}  # a second run adds nothing
