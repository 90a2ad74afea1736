"""The demo estate's projects: six finished (17 first, with its fund and before/after photos,
its showcase public), building 25 at the design stage and building 2 collecting topics; every
finished project moved through every stage by its leader, on dates in the past."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from linju.community.demo import demo_load
from linju.community.models import Estate
from linju.notices.models import BoardSettings
from linju.projects.demo import FINISHED_BUILDINGS, demo_projects
from linju.projects.models import Project, ProjectPhoto, StageMove
from linju.projects.selectors import building_project_status

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """Load once for the module, inside a transaction that is rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        demo_load()
        estate = Estate.objects.get(slug="zhonghao")
        yield demo_projects(estate)
        transaction.set_rollback(True)


def _project(number: str) -> Project:
    return Project.objects.get(estate__slug="zhonghao", building__number=number)


def test_six_buildings_finished_through_every_stage_by_their_leaders():
    finished = Project.objects.filter(status="finished")
    assert sorted(p.building.number for p in finished) == sorted(FINISHED_BUILDINGS)
    for project in finished:
        moves = list(StageMove.objects.filter(project=project).select_related("moved_by"))
        assert len(moves) == project.stages.count() - 1
        assert all(m.moved_at.year in (2023, 2024, 2025) for m in moves)
        leader_moves = [
            m for m in moves if m.moved_by.username == f"leader{project.building.number}"
        ]
        assert leader_moves
        assert project.finished_at is not None and project.showcase_public


def test_building_17_has_its_fund_and_before_after_pairs():
    project = _project("17")
    assert project.fund is not None and project.fund.title == "17号楼 楼道微更新"
    assert project.budget == project.fund.target
    pairs = ProjectPhoto.objects.filter(project=project).exclude(kind="general")
    assert sorted(pairs.values_list("pair", "kind")) == [
        (n, kind) for n in (1, 2, 3) for kind in ("after", "before")
    ]


def test_25_is_at_design_and_2_collects_topics():
    assert _project("25").stages.get(position=_project("25").stage_position).key == "design"
    assert _project("25").title == "25号楼 大堂改造"
    two = _project("2")
    assert two.stages.get(position=two.stage_position).key == "topics"
    assert two.title == "2号楼 楼道文明公约与微更新"


def test_loading_again_adds_nothing():
    before = Project.objects.count()
    demo_projects(Estate.objects.get(slug="zhonghao"))
    assert Project.objects.count() == before


def test_estate_home_status_and_public_showcase():
    estate = Estate.objects.get(slug="zhonghao")
    states = {r.building.number: r.state for r in building_project_status(estate=estate)}
    assert len(states) == 21
    assert [n for n, s in states.items() if s == "finished"].__len__() == 6
    assert states["25"] == "active" and states["1"] == "none"
    assert states["15"] == "active"  # applying to the foundation's programme
    BoardSettings.objects.update_or_create(estate=estate, defaults={"public": True})
    page = Client().get(reverse("project_showcase", args=["zhonghao", _project("17").pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "17号楼 楼道微更新" in text and "project-pair" in text
