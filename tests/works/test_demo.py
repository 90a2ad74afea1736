"""The demo's design, works and acceptance, on a small stand-in of the demo estate."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from linju.community.models import Role
from linju.decisions.models import Ballot, Decision
from linju.projects.models import Project, ProjectMember
from linju.works import requirements
from linju.works.demo import demo_works
from linju.works.models import AcceptanceSigner, DesignOption, Evaluation, Quote
from tests import factories as f


def _building(world, number: str, households: int):
    building = f.BuildingFactory(estate=world.here, number=number, sort_key=int(number))
    for n in range(households):
        flat = f.FlatFactory(building=building, number=f"{n + 1:02d}01")
        f.OccupancyFactory(flat=flat, person=f.PersonFactory(estate=world.here))
    return building


@pytest.mark.django_db
def test_demo_works(world, django_capture_on_commit_callbacks):
    b17, b25 = _building(world, "17", 26), _building(world, "25", 20)
    f.RoleFactory(
        user=f.UserFactory(username="leader17"),
        kind=Role.Kind.GROUP_LEADER,
        estate=world.here,
        building=b17,
    )
    Project.objects.create(estate=world.here, building=b25, title="25号楼 大堂改造")
    finished_at = timezone.now() - datetime.timedelta(days=30)
    p17 = Project.objects.create(
        estate=world.here,
        building=b17,
        title="17号楼 大堂微更新",
        status="finished",
        finished_at=finished_at,
    )
    demo_works(world.here)

    p25 = Project.objects.get(building=b25)
    assert ProjectMember.objects.get(project=p25).user.username == "designer25"
    assert list(DesignOption.objects.filter(project=p25).values_list("label", flat=True)) == [
        "温馨木色",
        "简约明亮",
    ]
    decision = p25.design_votes.get().decision
    assert decision.status == Decision.Status.OPEN and decision.is_open_at(timezone.now())
    assert Ballot.objects.filter(decision=decision, counted=True).count() >= 5
    assert requirements.design_options(p25) is None

    p17.refresh_from_db()
    assert (p17.status, p17.finished_at) == ("finished", finished_at)
    assert Quote.objects.filter(project=p17).count() == 3
    assert Quote.objects.filter(project=p17, chosen=True).count() == 1
    assert requirements.works_done(p17) is None
    assert requirements.acceptance_signed(p17) is None
    assert AcceptanceSigner.objects.filter(project=p17, mode="paper").count() == 1
    assert 18 <= Evaluation.objects.filter(project=p17).count() <= 22
