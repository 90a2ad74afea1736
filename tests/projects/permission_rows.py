"""Rows of the permission matrix (tests/core/test_permissions.py) for projects: the rules on
projects of buildings 1 and 2, of the whole estate and of the other estate, a finished project
whose showcase is public, photos, the road's settings; every page and API URL of the app; and
which projects each role sees through ``permissions.visible()``.

Building 1's project is started by committee staff; the leader of building 1 leads it. Those
who may not act on a project get the same 404 as for a missing one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.projects import services
from linju.projects.models import Project, ProjectMember, ProjectPhoto, StageTemplate
from tests.notices.factories import public_board
from tests.projects.factories import at_stage, photo_png


def _finished_public(w: Any) -> Project:
    return Project(
        estate=public_board(w.here).estate,
        building=w.b1,
        status="finished",
        showcase_public=True,
        finished_at=timezone.now(),
    )


OBJECTS: dict[str, Callable[[Any], Any]] = {
    "project_b1": lambda w: Project(estate=w.here, building=w.b1),
    "project_b2": lambda w: Project(estate=w.here, building=w.b2),
    "project_estate": lambda w: Project(estate=w.here),
    "project_there": lambda w: Project(estate=w.there, building=w.b_there),
    "project_public_finished": _finished_public,
    "project_photo_b1_by_outsider": lambda w: ProjectPhoto(
        project=Project(estate=w.here, building=w.b1), uploaded_by=w.users["outsider"]
    ),
    "project_photo_there": lambda w: ProjectPhoto(
        project=Project(estate=w.there, building=w.b_there)
    ),
}


def rule_rows(roles: dict[str, frozenset[str]]) -> list[tuple[str, str, str, frozenset[str]]]:
    everyone, members = roles["everyone"], roles["members"]
    managers, organisers, there = roles["managers"], roles["organisers"], roles["managers_there"]
    return [
        ("project", "view", "project_b1", members),
        ("project", "view", "project_there", there),
        ("project", "view_showcase", "project_b1", members),
        ("project", "view_showcase", "project_there", there),
        ("project", "view_showcase", "project_public_finished", everyone),
        ("project", "create", "project_b1", managers | {"leader"}),
        ("project", "create", "project_b2", managers | {"leader_other_building"}),
        ("project", "create", "project_estate", managers),
        ("project", "create", "project_there", there),
        ("project", "manage", "project_b1", organisers | {"leader"}),
        ("project", "manage", "project_estate", organisers),
        ("project", "manage", "project_there", there),
        ("project", "move", "project_b1", organisers | {"leader"}),
        ("project", "move", "project_b2", organisers | {"leader_other_building"}),
        ("project", "move", "project_there", there),
        ("project", "move_back", "project_b1", managers),
        ("project", "move_back", "project_there", there),
        ("project", "cancel", "project_b1", managers),
        ("project", "cancel", "project_there", there),
        ("project", "invite", "project_b1", managers | {"leader"}),
        ("project", "invite", "project_estate", managers),
        ("project", "invite", "project_there", there),
        ("project", "add_photo", "project_b1", managers | {"leader"}),
        ("project", "add_photo", "project_there", there),
        (
            "project_photo",
            "remove",
            "project_photo_b1_by_outsider",
            managers | {"leader", "outsider"},
        ),
        ("project_photo", "remove", "project_photo_there", there),
        ("road", "change", "here", managers),
        ("road", "change", "there", there),
    ]


# --- URLs --------------------------------------------------------------------------------------


def _project(w: Any, position: int = 0) -> Project:
    project = Project.objects.filter(estate=w.here, building=w.b1).first()
    if project is None:
        project = services.project_create(
            actor=w.users["staff"], estate=w.here, building=w.b1, title="1号楼 大堂改造"
        )
    if position:
        at_stage(project, position)
    return project


def _args(w: Any, position: int = 0) -> list[Any]:
    return ["here", _project(w, position).pk]


def _photo(w: Any) -> ProjectPhoto:
    project = _project(w)
    return ProjectPhoto.objects.filter(project=project).first() or services.photo_add(
        actor=w.users["leader"], project=project, upload=photo_png()
    )


def _member(w: Any) -> ProjectMember:
    from tests.factories import UserFactory

    project = _project(w)
    return ProjectMember.objects.filter(project=project).first() or (
        services.project_member_invite(
            actor=w.users["staff"],
            project=project,
            user=UserFactory(username="designer"),
            kind="designer",
        )
    )


def url_rows(expect: Callable[..., dict[str, Any]], roles: dict[str, frozenset[str]]):
    everyone, members = roles["everyone"], roles["members"]
    managers, organisers = roles["managers"], roles["organisers"]
    leads_b1 = organisers | {"leader"}
    staff_and_leader = managers | {"leader"}
    post_only = expect(405, everyone - {"anonymous"})
    page = expect(200, members)
    api_read = expect(200, members, anonymous=401)
    api_write = expect(401, everyone)

    def post(data: Any, allowed: frozenset[str], state: Any, status: int = 302) -> dict[str, Any]:
        return {"data": data, "expect": expect(status, allowed), "state": state, "writes": allowed}

    creators = managers | {"leader", "leader_other_building"}
    return {
        "projects": {"args": lambda w: ["here"], "GET": page},
        # A leader picks from their own buildings only: building 1 is not on the other
        # leader's form (422, nothing written).
        "project_create": {
            "args": lambda w: ["here"],
            "GET": expect(200, creators),
            "POST": {
                "data": lambda w: {"building": w.b1.pk, "title": "1号楼 大堂", "summary": ""},
                "expect": {
                    **expect(302, managers | {"leader"}),
                    "leader_other_building": 422,
                },
                "state": lambda w: Project.objects.count(),
                "writes": managers | {"leader"},
            },
        },
        "project_detail": {"args": _args, "GET": page},
        "project_showcase": {"args": _args, "GET": page},
        "project_photos": {"args": _args, "GET": page},
        "project_photo": {
            "args": lambda w: ["here", _project(w).pk, _photo(w).pk, "thumb"],
            "GET": page,
        },
        "project_edit": {
            "args": _args,
            "GET": expect(200, leads_b1),
            "POST": post(
                lambda w: {"title": "1号楼 大堂改造（二期）", "summary": "", "budget": "8000"},
                leads_b1,
                lambda w: list(Project.objects.values_list("title", "budget")),
            ),
        },
        "project_move": {
            "args": _args,
            "GET": post_only,
            "POST": post(
                lambda w: {"note": ""},
                leads_b1,
                lambda w: list(Project.objects.values_list("stage_position", flat=True)),
            ),
        },
        "project_move_back": {
            "args": lambda w: _args(w, 2),
            "GET": expect(200, managers),
            "POST": post(
                lambda w: {"reason": "听证会要重开"},
                managers,
                lambda w: list(Project.objects.values_list("stage_position", flat=True)),
            ),
        },
        "project_cancel": {
            "args": _args,
            "GET": expect(200, managers),
            "POST": post(
                lambda w: {"reason": "楼里意见不一"},
                managers,
                lambda w: list(Project.objects.values_list("status", flat=True)),
            ),
        },
        "stage_assign": {
            "args": lambda w: [*_args(w), 2],
            "GET": expect(200, leads_b1),
            "POST": post(
                lambda w: {"owner": "resident", "due_on": ""},
                leads_b1,
                lambda w: list(
                    _project(w).stages.order_by("position").values_list("owner_id", flat=True)
                ),
            ),
        },
        "project_photo_add": {
            "args": _args,
            "GET": expect(200, staff_and_leader),
            "POST": post(
                lambda w: {"upload": photo_png(), "kind": "general", "caption": "大堂"},
                staff_and_leader,
                lambda w: ProjectPhoto.objects.count(),
            ),
        },
        "project_photo_remove": {
            "args": lambda w: [*_args(w), _photo(w).pk],
            "GET": post_only,
            "POST": post(lambda w: {}, staff_and_leader, lambda w: ProjectPhoto.objects.count()),
        },
        "project_members": {
            "args": _args,
            "GET": expect(200, staff_and_leader),
            "POST": post(
                lambda w: {"account": "outsider", "kind": "designer", "organisation": ""},
                staff_and_leader,
                lambda w: ProjectMember.objects.count(),
            ),
        },
        "project_member_end": {
            "args": lambda w: [*_args(w), _member(w).pk],
            "GET": post_only,
            "POST": post(
                lambda w: {},
                staff_and_leader,
                lambda w: list(ProjectMember.objects.values_list("ended_at", flat=True)),
            ),
        },
        # An empty road is refused (422) for staff; nothing is written.
        "console_project_road": {
            "args": lambda w: ["here"],
            "GET": expect(200, managers),
            "POST": {
                "data": lambda w: {
                    "stages-TOTAL_FORMS": "0",
                    "stages-INITIAL_FORMS": "0",
                    "stages-MIN_NUM_FORMS": "0",
                    "stages-MAX_NUM_FORMS": "30",
                },
                "expect": expect(422, managers),
                "state": lambda w: StageTemplate.objects.count(),
            },
        },
        "api:project_list": {"args": lambda w: [], "GET": expect(422, everyone)},
        "api:project_create": {
            "args": lambda w: [],
            "POST": {
                "data": lambda w: {"estate": "here", "title": "x"},
                "expect": api_write,
                "state": lambda w: Project.objects.count(),
            },
        },
        "api:project_detail": {"args": lambda w: _args(w)[1:], "GET": api_read},
        "api:project_move": {
            "args": lambda w: _args(w)[1:],
            "POST": {
                "data": lambda w: {},
                "expect": api_write,
                "state": lambda w: list(Project.objects.values_list("stage_position", flat=True)),
            },
        },
        "api:project_photos": {"args": lambda w: _args(w)[1:], "GET": api_read},
        "api:project_photo_upload": {
            "args": lambda w: _args(w)[1:],
            "POST": {
                "data": lambda w: {"photo": SimpleUploadedFile("x.png", b"x"), "kind": "general"},
                "expect": api_write,
                "state": lambda w: ProjectPhoto.objects.count(),
            },
        },
    }


# --- visible() ---------------------------------------------------------------------------------


def visible_rows(w: Any) -> dict[str, Any]:
    """Building 1's project, a finished one of building 2 whose showcase is public on a board
    that is not public (so it stays the members'), and one of the other estate."""
    return {
        "project_b1": services.project_create(
            actor=w.users["staff"], estate=w.here, building=w.b1, title="1号楼"
        ),
        "project_b2_finished": Project.objects.create(
            estate=w.here, building=w.b2, title="2号楼", status="finished", showcase_public=True
        ),
        "project_there": Project.objects.create(estate=w.there, building=w.b_there, title="那里"),
    }


def visible(roles: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """role → the projects of ``visible_rows`` it sees."""
    here = frozenset({"project_b1", "project_b2_finished"})
    seen = {role: frozenset() for role in roles["everyone"]}
    for role in roles["members"]:
        seen[role] = here
    for role in roles["managers_there"]:
        seen[role] = seen[role] | {"project_there"}
    return seen
