"""Helpers for the works tests: a project of building 1, its designer, photos and PDFs, and a
design vote taken through the decisions services to any state."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.projects.models import Project, ProjectMember
from linju.works import services
from tests import factories as f
from tests.decisions.factories import advance as decision_advance
from tests.decisions.factories import move


def photo(name: str = "photo.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "plan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
    )


def project(world: Any, *, building: Any = None, status: str = "active", **values: Any):
    return Project.objects.create(
        estate=world.here,
        building=world.b1 if building is None else building,
        title=values.pop("title", "1号楼大堂改造"),
        status=status,
        **values,
    )


def designer(world: Any, of: Project, username: str = "designer") -> Any:
    user = f.UserFactory(username=username)
    ProjectMember.objects.create(project=of, user=user, kind=ProjectMember.Kind.DESIGNER)
    return user


def with_options(world: Any, of: Project, labels: tuple[str, ...] = ("温馨木色", "简约明亮")):
    staff = world.users["staff"]
    services.design_plan_add(actor=staff, project=of, title="平面图", photos=[photo()])
    return [
        services.design_option_add(actor=staff, project=of, label=label, photos=[photo()])
        for label in labels
    ]


def start_vote(world: Any, of: Project):
    now = timezone.now()
    return services.design_vote_start(
        actor=world.users["staff"],
        project=of,
        opens_at=now + datetime.timedelta(days=16),
        closes_at=now + datetime.timedelta(days=30),
    )


def run_vote(world: Any, vote: Any, ballots: dict[Any, str], to: str = "published") -> Any:
    """Open the announced design vote, cast ``ballots`` (user → option label), take it to
    ``to`` by the decisions services."""
    from linju.decisions import services as decisions
    from tests.decisions.factories import cast

    staff = world.users["staff"]
    decision = vote.decision
    move(decision, opens_at=-1)
    decision = decisions.decision_open(actor=staff, decision=decision)
    cast(decision, ballots)
    move(decision, closes_at=-1)
    decision = decisions.decision_close(actor=staff, decision=decision)
    if to in ("tallied", "published"):
        decision = decisions.decision_tally(actor=staff, decision=decision)
    if to == "published":
        decision = decisions.decision_publish(actor=staff, decision=decision)
    return decision


__all__ = ["decision_advance", "designer", "pdf", "photo", "project", "run_vote", "start_vote"]
