"""The ideas demo on a small estate shaped like the demo one: buildings 2, 17 and 25 with their
group leaders, residents and projects."""

from __future__ import annotations

from linju.community.models import Role
from linju.ideas.demo import demo_ideas
from linju.ideas.models import Comment, Idea, IdeaSupport, Topic
from linju.projects.models import Project
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
    for number in ("2", "17", "25"):
        building = BuildingFactory(estate=estate, number=number)
        leader = UserFactory(username=f"leader{number}")
        RoleFactory(user=leader, estate=estate, kind=Role.Kind.GROUP_LEADER, building=building)
        for n in range(5):
            flat = FlatFactory(building=building, number=f"{n + 1}01")
            OccupancyFactory(flat=flat, person=PersonFactory(estate=estate))
        status = Project.Status.FINISHED if number == "17" else Project.Status.ACTIVE
        Project.objects.create(
            estate=estate, building=building, title=f"{number}号楼项目", status=status
        )
    resident17 = UserFactory(username="resident17")
    flat = FlatFactory(building=estate.buildings.get(number="17"), number="901")
    OccupancyFactory(flat=flat, person=PersonFactory(estate=estate, user=resident17))
    return estate


def test_demo_ideas(db):
    estate = _estate()
    made = demo_ideas(estate)
    assert len(made["ideas"]) == 9
    dark = Idea.objects.get(title__startswith="晚上大堂黑乎乎")
    light = dark.merged_into
    assert dark.status == Idea.Status.MERGED and light is not None
    # Two supported the lighting idea; of the duplicate's author and supporters, one had
    # supported it already and one wrote it: one new supporter, nobody counted twice.
    supporters = list(IdeaSupport.objects.filter(idea=light).values_list("user_id", flat=True))
    assert len(supporters) == len(set(supporters)) == 3
    assert light.author_id not in supporters
    project2 = Project.objects.get(estate=estate, building__number="2")
    assert Topic.objects.filter(project=project2, from_idea__isnull=False).count() == 3
    hidden = Comment.objects.get(hidden_at__isnull=False)
    assert hidden.project.building.number == "25" and "广告" in hidden.hidden_reason
    assert Comment.objects.filter(project__building__number="17").count() == 4
    assert demo_ideas(estate) == {}  # a second run adds nothing
