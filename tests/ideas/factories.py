"""Ideas, comments and topics on the world's estate, and the small things tests need.

project_of(world)                   # building 1's project, under way
IdeaFactory(world=..., ...)         # use idea_of(world) for an open idea of building 1
neighbour(world)                    # a second resident of building 1 with an account
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from linju.community.models import Building
from linju.ideas.models import Comment, Idea, IdeaSupport, Topic
from linju.projects.models import Project
from tests.factories import FlatFactory, OccupancyFactory, PersonFactory, UserFactory


def project_of(world, building: Building | None = None, **values) -> Project:
    """A project under way of ``building`` (building 1 by default), written directly."""
    building = world.b1 if building is None else building
    return Project.objects.create(
        estate=building.estate,
        building=building,
        title=values.pop("title", f"{building.number}号楼 大堂改造"),
        created_by=world.user("leader"),
        **values,
    )


def idea_of(world, building: Building | None = None, author=None, **values) -> Idea:
    """An idea of ``building`` (building 1) by ``author`` (the resident), written directly."""
    building = world.b1 if building is None else building
    return Idea.objects.create(
        estate=building.estate,
        building=building,
        author=world.user("resident") if author is None else author,
        title=values.pop("title", "楼道里装感应灯"),
        body=values.pop("body", "晚上楼道太黑，老人上下楼不安全。"),
        **values,
    )


def supported_by(idea: Idea, *users) -> Idea:
    for user in users:
        IdeaSupport.objects.create(idea=idea, user=user)
    return idea


def comment_on(world, *, idea: Idea | None = None, project: Project | None = None, **values):
    target = idea if idea is not None else project
    assert target is not None
    return Comment.objects.create(
        estate=target.estate,
        building=target.building,
        idea=idea,
        project=project,
        author=values.pop("author", world.user("resident")),
        body=values.pop("body", "同意，早点装上。"),
        **values,
    )


def topic_of(project: Project, title: str = "楼道照明", position: int = 0) -> Topic:
    return Topic.objects.create(project=project, title=title, position=position)


_made = {"n": 0}


def neighbour(world, building: Building | None = None, username: str = ""):
    """Another resident (with an account) of ``building`` (building 1)."""
    building = world.b1 if building is None else building
    _made["n"] += 1
    name = username or f"neighbour{_made['n']}"
    user = UserFactory(username=name, display_name="赵阿姨")
    person = PersonFactory(estate=building.estate, full_name="赵阿姨", user=user)
    flat = FlatFactory(building=building, number=f"{300 + _made['n']}")
    OccupancyFactory(flat=flat, person=person)
    return user


def png(name: str = "lobby.png", size=(64, 48), colour=(180, 60, 40)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def not_a_photo(name: str = "lobby.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"this is text, not a picture", content_type="image/png")
