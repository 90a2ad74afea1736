"""The demo estate's building-group projects (美丽楼组, "一楼一品").

Six buildings have finished their projects, moved through every stage of the estate's road by
their group leaders between 2023 and 2025: building 17 first (with its fund "17号楼 楼道微更新"
and before/after photos of its lobby and stairwell), then 3, 5, 8, 11 and 22. Of the buildings
that asked to join later, building 25 is at the design stage of "25号楼 大堂改造" and building 2
is collecting topics for "2号楼 楼道文明公约与微更新".

Projects are started through the service; their past is written as rows (stage times, moves
dated in the past) because the requirements of the past stages belong to other apps' data,
which their own demos add afterwards to these same projects (find them by building number).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from linju.community.models import Building, Estate
from linju.projects import requirements, services
from linju.projects.models import (
    Project,
    ProjectPhoto,
    ProjectStage,
    StageMove,
    StageOwner,
    StageTemplate,
)


@dataclass(frozen=True)
class DemoProject:
    building: str
    title: str
    summary: str
    start: datetime.date | None  # None: under way, started a few months ago
    end: datetime.date | None  # finished on this day; None: still under way
    stage: str  # the stage it has reached


FINISHED_BUILDINGS = ("17", "3", "5", "8", "11", "22")

PROJECTS = (
    DemoProject(
        "17",
        "17号楼 楼道微更新",
        "小区第一个居民自筹的微更新项目：“有钱筹钱、有物集物”。粉刷楼道墙面、加装扶手、"
        "更换感应灯，地下室入口铺上居民捐出的防滑地砖；一楼闲置空间改成非机动车停放区。",
        datetime.date(2023, 3, 20),
        datetime.date(2023, 12, 16),
        "showcase",
    ),
    DemoProject(
        "3",
        "3号楼 大堂公共会客厅",
        "把闲置的一楼大堂布置成邻里聊天、征询意见的“公共会客厅”：沙发、书架和留言板。",
        datetime.date(2024, 2, 26),
        datetime.date(2024, 9, 28),
        "showcase",
    ),
    DemoProject(
        "5",
        "5号楼 书画长廊",
        "楼里的书画爱好者把作品挂进楼道，配上统一的画框和灯光，每季度换一次展。",
        datetime.date(2024, 4, 8),
        datetime.date(2024, 11, 9),
        "showcase",
    ),
    DemoProject(
        "8",
        "8号楼 非机动车停放区",
        "学17号楼的做法，划出电动车、自行车分区和充电位，定好使用公约，电动车不再上楼。",
        datetime.date(2024, 6, 3),
        datetime.date(2025, 1, 18),
        "showcase",
    ),
    DemoProject(
        "11",
        "11号楼 扶手与感应灯",
        "老人多的楼栋：每层加装扶手、换声光感应灯，楼梯踏步贴防滑条。",
        datetime.date(2024, 9, 9),
        datetime.date(2025, 4, 19),
        "showcase",
    ),
    DemoProject(
        "22",
        "22号楼 门厅摄影墙",
        "楼里的摄影达人拍下邻居们的日常，门厅做成一面会更新的照片墙。",
        datetime.date(2025, 1, 6),
        datetime.date(2025, 8, 23),
        "showcase",
    ),
    DemoProject(
        "25",
        "25号楼 大堂改造",
        "大堂墙面斑驳、信报箱破损、灯光昏暗。居民希望统一风格翻新大堂，留出休息角。",
        None,
        None,
        "design",
    ),
    DemoProject(
        "2",
        "2号楼 楼道文明公约与微更新",
        "先由居民一起商量楼道文明公约（堆物、宠物、电动车），再按大家提的议题做微更新。",
        None,
        None,
        "topics",
    ),
)

NOTES = {
    "idea": "楼组微信群里大家提了二十多条想法，楼组长汇总。",
    "topics": "议题清单已整理，楼组议事会讨论通过。",
    "hearing": "听证会开完，纪要已在公示栏张贴。",
    "design": "设计师出了两个方案，居民投票选定。",
    "budget": "预算和筹资方案定了，基金已开设。",
    "decision": "居民表决通过。",
    "funding": "筹款到位，街道配捐已到账。",
    "works": "施工完成，志愿者全程监督。",
    "acceptance": "居民代表验收签字。",
    "review": "评议会开完，居民打分。",
}

# Before/after scenes of building 17's lobby and stairwell: (wall, floor) colours.
SCENES = (
    ("一楼大堂", ("#8d8778", "#5f5a50"), ("#f3efe4", "#b7a58a")),
    ("二楼楼道", ("#7f7a70", "#55524b"), ("#e9f0ea", "#9aa59a")),
    ("地下室入口", ("#6f6a62", "#4a4741"), ("#efe8dc", "#8f8a80")),
)


def _scene(wall: str, floor: str, *, after: bool, seed: int) -> bytes:
    """A drawn lobby: wall, tiled floor, a door, a lamp; before with stains and clutter,
    after with a handrail, a plant and bright light."""
    from PIL import Image, ImageDraw

    width, height = 640, 480
    image = Image.new("RGB", (width, height), wall)
    draw = ImageDraw.Draw(image)
    horizon = int(height * 0.68)
    draw.rectangle([0, horizon, width, height], fill=floor)
    tile = 40 if after else 56
    for x in range(0, width, tile):
        draw.line([(x, horizon), (x - 60, height)], fill="#ffffff" if after else "#3c3a35")
    for y in range(horizon, height, tile // 2):
        draw.line([(0, y), (width, y)], fill="#ffffff" if after else "#3c3a35")
    door = [420 + seed * 10, 150, 540 + seed * 10, horizon]
    draw.rectangle(door, fill="#a0703c" if after else "#4b3b2a", outline="#2b2b2b", width=3)
    draw.ellipse([door[2] - 24, 300, door[2] - 12, 312], fill="#d9c27a")
    lamp = "#fff6c9" if after else "#77746b"
    draw.ellipse([280, 20, 360, 60], fill=lamp, outline="#2b2b2b")
    if after:
        draw.line([(30, 250), (380, 250)], fill="#6b4423", width=8)  # handrail
        draw.rectangle([60, horizon - 70, 110, horizon], fill="#6b4423")
        draw.ellipse([40, horizon - 150, 130, horizon - 60], fill="#3f7f4a")
        draw.rectangle([170, 90, 330, 200], fill="#ffffff", outline="#6b4423", width=6)
        draw.line([(185, 180), (230, 130), (260, 160), (315, 110)], fill="#a4262c", width=5)
    else:
        for i in range(6):
            x, y = 40 + i * 70 + seed * 7, 80 + (i * 37) % 140
            draw.ellipse([x, y, x + 50, y + 30], fill="#6a655b")
        for i in range(3):  # bikes left in the lobby
            x = 60 + i * 110
            draw.ellipse([x, horizon - 40, x + 60, horizon + 20], outline="#222222", width=5)
            draw.ellipse([x + 70, horizon - 40, x + 130, horizon + 20], outline="#222222", width=5)
        draw.line([(20, 120), (90, 210), (70, 300)], fill="#3c3a35", width=3)  # a crack
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _at(day: datetime.date, hour: int = 19) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))


def _walk(project: Project, plan: DemoProject, leader: Any, staff: Any) -> None:
    """Write the project's past: each stage started and completed on dates spread over the
    project's months, one move per stage by its leader, due dates from the usual lengths."""
    stages = list(ProjectStage.objects.filter(project=project).order_by("position"))
    reached = next(s.position for s in stages if s.key == plan.stage)
    finished = plan.end is not None
    start = plan.start or timezone.localdate()
    end = plan.end
    if end is None:  # under way: its current stage started a couple of weeks ago
        end = timezone.localdate() - datetime.timedelta(days=12)
        start = end - datetime.timedelta(days=35 * reached)
    span = max((end - start).days, reached)
    days = [
        start + datetime.timedelta(days=span * i // max(reached, 1)) for i in range(reached + 1)
    ]
    lengths = dict(
        StageTemplate.objects.filter(estate=project.estate_id).values_list("key", "days")
    )
    due = start
    for stage in stages:
        stage.owner = staff if stage.owner_role == StageOwner.STAFF else leader
        if stage.owner_role in (StageOwner.DESIGNER, StageOwner.FOUNDATION):
            stage.owner = None
        if stage.position < reached:
            stage.started_at = _at(days[stage.position])
            stage.completed_at = _at(days[stage.position + 1])
        elif stage.position == reached:
            stage.started_at = _at(days[reached])
            stage.completed_at = _at(days[reached]) if finished else None
        else:
            stage.started_at = stage.completed_at = None
        if stage.position <= reached:
            due = days[stage.position]
        length = lengths.get(stage.key)
        if length:
            due = due + datetime.timedelta(days=length)
            stage.due_on = due
        else:
            stage.due_on = None
    ProjectStage.objects.bulk_update(stages, ["owner", "started_at", "completed_at", "due_on"])
    StageMove.objects.bulk_create(
        StageMove(
            project=project,
            from_position=stage.position,
            to_position=stage.position + 1,
            moved_by=staff if stage.owner_role == StageOwner.STAFF else leader,
            moved_at=_at(days[stage.position + 1]),
            note=NOTES.get(stage.key, ""),
            evidence=str(requirements.label(stage.requirement)) if stage.requirement else "",
        )
        for stage in stages
        if stage.position < reached
    )
    Project.objects.filter(pk=project.pk).update(
        created_at=_at(start, 10),
        stage_position=reached,
        status=Project.Status.FINISHED if finished else Project.Status.ACTIVE,
        finished_at=_at(end) if finished else None,
        showcase_public=finished,
    )


def _photos_17(project: Project, leader: Any, finished_on: datetime.date) -> None:
    for pair, (place, before, after) in enumerate(SCENES, start=1):
        for kind, (wall, floor) in (("before", before), ("after", after)):
            upload = SimpleUploadedFile(
                f"17-{pair}-{kind}.jpg",
                _scene(wall, floor, after=kind == "after", seed=pair),
                content_type="image/jpeg",
            )
            services.photo_add(
                actor=leader,
                project=project,
                upload=upload,
                kind=kind,
                caption=f"{place}（{'改造前' if kind == 'before' else '改造后'}）",
                pair=pair,
            )
    ProjectPhoto.objects.filter(project=project, kind="before").update(
        uploaded_at=_at(datetime.date(2023, 3, 25))
    )
    ProjectPhoto.objects.filter(project=project, kind="after").update(uploaded_at=_at(finished_on))


@transaction.atomic
def demo_projects(estate: Estate) -> list[Project]:
    """The eight demo projects (nothing is added if the estate has projects already)."""
    existing = list(Project.objects.filter(estate=estate))
    if existing:
        return existing
    users = get_user_model().objects
    staff = users.get(username="staff")
    services.road_ensure(estate=estate)
    made = []
    for plan in PROJECTS:
        building = Building.objects.get(estate=estate, number=plan.building)
        leader = users.get(username=f"leader{plan.building}")
        project = services.project_create(
            actor=leader, estate=estate, building=building, title=plan.title, summary=plan.summary
        )
        if plan.building == "17":
            from linju.funding.models import Fund

            fund = Fund.objects.filter(estate=estate, building=building).order_by("pk").first()
            if fund is not None:
                services.project_update(
                    actor=leader,
                    project=project,
                    title=project.title,
                    summary=project.summary,
                    budget=fund.target,
                    fund=fund,
                    showcase_public=True,
                )
            _photos_17(project, leader, plan.end or timezone.localdate())
        _walk(project, plan, leader, staff)
        project.refresh_from_db()
        made.append(project)
    return made
