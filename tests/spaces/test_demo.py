"""The demo spaces and talents on a small estate with buildings 2, 9 and 17."""

from __future__ import annotations

from linju.community.models import Building
from linju.projects.models import Project
from linju.spaces.demo import demo_spaces
from linju.spaces.models import Allocation, Booking, WaitingEntry
from linju.talents import selectors
from linju.talents.demo import demo_talents
from linju.talents.models import ProjectCredit
from tests import factories as f


def _estate():
    estate = f.EstateFactory(slug="demo", name="中浩云花园")
    for number in ("2", "9", "12", "17"):
        building = f.BuildingFactory(estate=estate, number=number)
        for i in range(30 if number == "17" else 3):
            flat = f.FlatFactory(building=building, number=f"{1 + i // 4}0{1 + i % 4}")
            f.OccupancyFactory(flat=flat, person=f.PersonFactory(estate=estate))
    f.RoleFactory(estate=estate)
    return estate


def test_demo_spaces_and_talents(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    estate = _estate()
    project = Project.objects.create(
        estate=estate,
        building=Building.objects.get(number="17"),
        title="17号楼 楼道美化",
        status="finished",
    )
    parking, lounge = demo_spaces(estate)
    assert parking.spots.count() == 24
    assert Allocation.objects.filter(space=parking, ends_on__isnull=True).count() == 24  # all taken
    assert WaitingEntry.objects.filter(space=parking).count() == 3
    assert parking.manager is not None and parking.rules is None  # no conventions demo here
    assert Booking.objects.filter(space=lounge).exists()
    profiles = demo_talents(estate)
    assert {p.display_name for p in profiles} >= {"17号楼 周老师", "12号楼 老吴"}
    shown = {
        p.display_name for p in selectors.directory(actor=estate.roles.first().user, estate=estate)
    }
    assert "17号楼 周老师" in shown and "12号楼 老吴" not in shown
    credits = selectors.project_credits(project=project)
    assert [c.role for c in credits] == ["书写楼道公约", "拍摄改造前后对比照片"]
    assert ProjectCredit.objects.count() == 2
