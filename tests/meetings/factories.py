"""Meetings of the world's estate, in each state, made through the services.

meeting_for(world)                               # a hearing of building 1, yesterday, planned
meeting_for(world, kind="building", actor="leader")   # building 1's group meeting
held(meeting_for(world))                         # with minutes and two outcomes
published(meeting_for(world))                    # minutes on the board
project_of(world)                                # building 1's project (a bare row)
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from linju.meetings import services
from linju.meetings.models import Meeting
from linju.projects.models import Project


def project_of(world, building=None, title: str = "1号楼 大堂改造") -> Project:
    return Project.objects.create(
        estate=world.here, building=world.b1 if building is None else building, title=title
    )


def meeting_for(
    world,
    *,
    kind: str = Meeting.Kind.HEARING,
    actor: str = "staff",
    building: Any = "b1",
    project: Project | None = None,
    starts_at: datetime.datetime | None = None,
    title: str = "1号楼门厅改造听证会",
    **values: Any,
) -> Meeting:
    starts_at = starts_at or timezone.now() - datetime.timedelta(days=1)
    return services.meeting_create(
        actor=world.user(actor),
        estate=world.here,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
        place=values.pop("place", "1号楼门厅"),
        agenda=values.pop("agenda", "通报问题清单\n居民发言"),
        building=getattr(world, building) if isinstance(building, str) else building,
        project=project,
        **values,
    )


def held(meeting: Meeting, actor: Any = None) -> Meeting:
    actor = actor or meeting.created_by
    return services.minutes_write(
        actor=actor,
        meeting=meeting,
        minutes="居民逐条讨论了门厅问题清单。",
        outcomes=["问题清单定为四项。", "设计师一个月内出方案。"],
    )


def published(meeting: Meeting, actor: Any = None) -> Meeting:
    actor = actor or meeting.created_by
    return services.minutes_publish(actor=actor, meeting=held(meeting, actor))
