"""Fixtures for the roster import: an estate with building 17, its staff, files on disk, and
background tasks that run at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from linju.community.models import Building, Entrance, Estate
from tests import factories as f


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded rosters land in this test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def immediate_tasks(settings):
    """django-tasks' ImmediateBackend: a task runs inside ``enqueue()``, in the test."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def background(settings, immediate_tasks):
    """Every roster goes the background way, however small."""
    settings.LINJU_ROSTER_INLINE_BYTES = 0


class Estate17:
    """中浩云花园 with building 17 (entrances 1 and 2), and its residents' committee staff."""

    def __init__(self) -> None:
        self.estate: Estate = f.EstateFactory(slug="zhonghao", name="中浩云花园")
        self.b17: Building = f.BuildingFactory(estate=self.estate, number="17", sort_key=17)
        self.e1 = Entrance.objects.create(estate=self.estate, building=self.b17, number="1")
        self.e2 = Entrance.objects.create(estate=self.estate, building=self.b17, number="2")
        self.staff = f.UserFactory(username="su")
        f.RoleFactory(user=self.staff, estate=self.estate)
        self.other_staff = f.UserFactory(username="elsewhere")
        f.RoleFactory(user=self.other_staff, estate=f.EstateFactory(slug="elsewhere"))


@pytest.fixture
def e17(db):
    return Estate17()


@pytest.fixture
def write(tmp_path):
    """``write("name.xlsx", data)`` → the path of a file holding ``data``."""

    def make(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return make
