"""Rows of the permission matrix (``tests/core/test_permissions.py``) for the talents
directory: the objects rules are asked about, the rule table and each URL × role."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from linju.projects.models import Project
from linju.talents import services
from linju.talents.models import ProjectCredit, TalentProfile, TalentWork
from tests.notices.factories import png
from tests.spaces.matrix import (
    API_ONLY,
    MANAGERS_HERE,
    MANAGERS_THERE,
    MEMBERS_HERE,
    NOBODY,
    POST_ONLY,
    expect,
)

RESIDENT = frozenset({"resident"})
INVITERS_B1 = MANAGERS_HERE | {"leader"}


def _project(w: Any, building: Any = None) -> Project:
    return Project.objects.create(estate=w.here, building=building, title="楼道美化")


def _profile(w: Any, *, shown: bool = True) -> TalentProfile:
    profile = TalentProfile.objects.create(
        estate=w.here,
        person=w.person1,
        user=w.users["resident"],
        display_name="李老师",
        consent_shown_at=timezone.now() if shown else None,
    )
    profile.skills.create(skill="calligraphy")
    return profile


def _profile_there(w: Any) -> TalentProfile:
    from tests import factories as f

    user = f.UserFactory(username="talent_there")
    w.person_there.user = user
    w.person_there.save()
    return TalentProfile.objects.create(
        estate=w.there,
        person=w.person_there,
        user=user,
        display_name="赵师傅",
        consent_shown_at=timezone.now(),
    )


def _credit(w: Any) -> ProjectCredit:
    project = _project(w, w.b1)
    return ProjectCredit.objects.create(
        estate=w.here, project=project, profile=_profile(w), role="书写公约"
    )


def _work(w: Any) -> TalentWork:
    profile = _profile(w)
    return services.work_add(actor=w.users["resident"], profile=profile, upload=png())


OBJECTS: dict[str, Any] = {
    "talent_shown_here": _profile,
    "talent_hidden_here": lambda w: _profile(w, shown=False),
    "talent_shown_there": _profile_there,
    "new_talent_here": lambda w: TalentProfile(estate=w.here),
    "new_talent_there": lambda w: TalentProfile(estate=w.there),
    "new_credit_b1": lambda w: ProjectCredit(
        estate_id=w.here.pk, project=Project(estate=w.here, building=w.b1)
    ),
    "new_credit_here": lambda w: ProjectCredit(estate_id=w.here.pk, project=Project(estate=w.here)),
    "credit_to_resident": _credit,
}

RULE_ROWS = [
    ("talent_profile", "list", "here", MEMBERS_HERE),
    ("talent_profile", "list", "there", MANAGERS_THERE),
    ("talent_profile", "view", "talent_shown_here", MEMBERS_HERE),
    ("talent_profile", "view", "talent_hidden_here", RESIDENT),
    ("talent_profile", "view", "talent_shown_there", MANAGERS_THERE),
    ("talent_profile", "create", "new_talent_here", RESIDENT),
    ("talent_profile", "create", "new_talent_there", NOBODY),
    ("talent_profile", "change", "talent_shown_here", RESIDENT),
    ("talent_profile", "change", "talent_shown_there", NOBODY),
    ("project_credit", "create", "new_credit_b1", INVITERS_B1),
    ("project_credit", "create", "new_credit_here", MANAGERS_HERE),
    ("project_credit", "answer", "credit_to_resident", RESIDENT),
]

PROFILE_FORM = {"display_name": "李老师", "skills": ["calligraphy"], "consent": "on"}

URL_ROWS: dict[str, dict[str, Any]] = {
    "talents": {"args": lambda w: ["here"], "GET": expect(200, MEMBERS_HERE)},
    "my_talent": {
        "args": lambda w: ["here"],
        "GET": expect(200, RESIDENT),
        "POST": {
            "data": lambda w: PROFILE_FORM,
            "expect": expect(302, RESIDENT),
            "state": lambda w: TalentProfile.objects.count(),
            "writes": RESIDENT,
        },
    },
    "my_talent_withdraw": {
        "args": lambda w: [_profile(w).estate.slug],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, RESIDENT),
            "state": lambda w: TalentProfile.objects.filter(withdrawn_at__isnull=True).count(),
            "writes": RESIDENT,
        },
    },
    "my_talent_work_add": {
        "args": lambda w: [_profile(w).estate.slug],
        "GET": expect(404, NOBODY),
        "POST": {
            "data": lambda w: {"image": png()},
            "expect": expect(302, RESIDENT),
            "state": lambda w: TalentWork.objects.count(),
            "writes": RESIDENT,
        },
    },
    "my_talent_work_remove": {
        "args": lambda w: ["here", _work(w).pk],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, RESIDENT),
            "state": lambda w: TalentWork.objects.count(),
            "writes": RESIDENT,
        },
    },
    "talent_invitations": {"args": lambda w: ["here"], "GET": expect(200, MEMBERS_HERE)},
    "talent_invitation_answer": {
        "args": lambda w: ["here", _credit(w).pk, "accept"],
        "GET": POST_ONLY,
        "POST": {
            "data": lambda w: {},
            "expect": expect(302, RESIDENT),
            "state": lambda w: ProjectCredit.objects.filter(accepted_at__isnull=False).count(),
            "writes": RESIDENT,
        },
    },
    "talent_project_invite": {
        "args": lambda w: ["here", _project(w, w.b1).pk],
        "GET": expect(200, INVITERS_B1),
        "POST": {
            "data": lambda w: {"profile": _profile(w).pk, "role": "书写公约"},
            "expect": expect(302, INVITERS_B1),
            "state": lambda w: ProjectCredit.objects.count(),
            "writes": INVITERS_B1,
        },
    },
    "talent_detail": {
        "args": lambda w: ["here", _profile(w).pk],
        "GET": expect(200, MEMBERS_HERE),
    },
    "talent_work_photo": {
        "args": lambda w: ["here", _work(w).pk, "thumb"],
        "GET": expect(200, MEMBERS_HERE),
    },
    "api:talent_list": {"args": lambda w: [], "GET": API_ONLY},
    "api:talent_invitations": {"args": lambda w: [], "GET": API_ONLY},
    "api:talent_detail": {"args": lambda w: [1], "GET": API_ONLY},
    "api:talent_invitation_accept": {
        "args": lambda w: [1],
        "POST": {"data": lambda w: {}, "expect": API_ONLY},
    },
    "api:talent_invitation_decline": {
        "args": lambda w: [1],
        "POST": {"data": lambda w: {}, "expect": API_ONLY},
    },
}
