"""The board's tables carry the estate like every estate table, and ``permissions.visible()``
gives each role exactly the notices it may read."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from linju.core import permissions
from linju.notices.models import Notice
from tests.conftest import World
from tests.notices.factories import NoticeFactory, public_board


def test_every_table_has_an_indexed_estate_key():
    missing = []
    for model in apps.get_app_config("notices").get_models(include_auto_created=True):
        field = next((f for f in model._meta.local_fields if f.name == "estate"), None)
        if field is None or not field.db_index:
            missing.append(model._meta.label)
    assert missing == []


def test_no_hidden_many_to_many_tables():
    auto = [
        m._meta.label
        for m in apps.get_app_config("notices").get_models(include_auto_created=True)
        if m._meta.auto_created
        or any(isinstance(f, models.ManyToManyField) for f in m._meta.get_fields())
    ]
    assert auto == []


ALL_HERE = frozenset({"published", "withdrawn", "expired", "b1_published"})
POSTERS_HERE = ALL_HERE | {"draft", "b1_draft"}

# role → the notices of ``rows`` it sees while the board of ``here`` is not public.
VISIBLE: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "outsider": frozenset(),
    "resident": ALL_HERE,
    "leader": ALL_HERE | {"b1_draft"},
    "leader_other_building": ALL_HERE,
    "staff": POSTERS_HERE,
    "owners_committee": POSTERS_HERE,
    "property": ALL_HERE,
    "foundation": frozenset(),
    "admin": POSTERS_HERE | {"there_published"},
    "staff_other_estate": frozenset({"there_published"}),
}


def rows(w: World) -> dict[str, Notice]:
    return {
        "draft": NoticeFactory(estate=w.here),
        "published": NoticeFactory(estate=w.here, published=True),
        "withdrawn": NoticeFactory(estate=w.here, withdrawn=True),
        "expired": NoticeFactory(estate=w.here, expired=True),
        "b1_draft": NoticeFactory(estate=w.here, building=w.b1),
        "b1_published": NoticeFactory(estate=w.here, building=w.b1, published=True),
        "there_published": NoticeFactory(estate=w.there, published=True),
    }


def seen(world: World, role: str, notices: dict[str, Notice]) -> set[str]:
    pks = set(
        permissions.visible(world.user(role), Notice.objects.all()).values_list("pk", flat=True)
    )
    return {name for name, notice in notices.items() if notice.pk in pks}


@pytest.mark.parametrize("role", World.ROLES)
def test_visible_notices(world, role):
    """Members read their estate's board; drafts are their posters' (a leader: their
    building's); nothing of an estate one has no part in."""
    notices = rows(world)
    assert seen(world, role, notices) == VISIBLE[role]


@pytest.mark.parametrize("role", ["anonymous", "outsider", "foundation", "staff_other_estate"])
def test_a_public_board_opens_its_published_notices_to_everyone(world, role):
    notices = rows(world)
    public_board(world.here)
    assert seen(world, role, notices) == VISIBLE[role] | ALL_HERE
