"""Programmes, projects with funds and applications for the foundation's tests, made through
the services (so each is in a state the services could have reached)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.foundation import services
from linju.foundation.models import Application, Programme
from linju.projects.models import Project

CRITERIA = [
    {"name": "居民参与度", "weight": 3, "description": "多少居民参与"},
    {"name": "方案可行性", "weight": 2, "description": ""},
]


def programme_values(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "name": "2025 美丽楼组 微更新",
        "description": "街道基金会支持楼组微更新。",
        "budget": "100000.00",
        "applicants": "buildings",
        "eligibility": "居民自筹不少于预算的 20%。",
        "min_cofunding_share": "20",
        "max_amount": "40000.00",
        "matching_ratio": "1.00",
        "matching_cap": "15000.00",
        "call_opens": today - datetime.timedelta(days=5),
        "call_closes": today + datetime.timedelta(days=30),
        "review_ends": today + datetime.timedelta(days=45),
        "decision_on": today + datetime.timedelta(days=60),
        "selection": "both",
        "pb_rule": "mes-add1",
        "pb_ballot": "approval",
        "pb_min": 1,
        "pb_max": 3,
        "pb_unit": "resident",
    }
    values.update(overrides)
    return values


def make_programme(w: Any, *, published: bool = True, **overrides: Any) -> Programme:
    officer = w.users["foundation"]
    programme = services.programme_create(
        actor=officer, street=w.here.street, criteria=CRITERIA, **programme_values(**overrides)
    )
    if published:
        programme = services.programme_publish(actor=officer, programme=programme)
    return programme


def make_project(
    w: Any, *, building: Any = None, raised: str = "12000.00", budget: str = "48000.00"
) -> Project:
    """A project of building 1 (by default) with a fund its leader keeps, holding ``raised``."""
    from linju.funding import services as funding
    from linju.projects import services as projects

    building = building or w.b1
    actor = w.users["leader"] if building == w.b1 else w.users["staff"]
    project = projects.project_create(
        actor=actor, estate=w.here, building=building, title="1号楼 楼道焕新", summary="粉刷楼道"
    )
    fund = funding.fund_create(
        actor=actor,
        estate=w.here,
        building=building,
        title="1号楼 楼道焕新",
        target=budget,
        treasurer=actor,
    )
    if Decimal(raised) > 0:
        funding.contribution_record(actor=actor, fund=fund, amount=raised, method="cash")
    return projects.project_update(
        actor=actor,
        project=project,
        title=project.title,
        summary=project.summary,
        budget=budget,
        fund=fund,
    )


def make_application(
    w: Any,
    *,
    programme: Programme | None = None,
    project: Project | None = None,
    state: str = "draft",
    requested: str = "30000.00",
) -> Application:
    """An application of building 1's project, brought to ``state``: draft, submitted,
    endorsed, received or under_review."""
    programme = programme or make_programme(w)
    project = project or make_project(w)
    leader = w.users["leader"]
    application = services.application_create(
        actor=leader,
        programme=programme,
        project=project,
        title=project.title,
        plan="粉刷一至六层楼道，更换感应灯。",
        budget=project.budget,
        requested=requested,
        support="楼组会议 30 户同意。",
    )
    steps = ["submitted", "endorsed", "received", "under_review"]
    if state == "draft":
        return application
    services.application_submit(actor=leader, application=application)
    if state != "submitted":
        services.application_endorse(actor=w.users["staff"], application=application)
    if state in ("received", "under_review"):
        services.application_receive(actor=w.users["foundation"], application=application)
    if state == "under_review":
        services.application_move(
            actor=w.users["foundation"], application=application, status="under_review"
        )
    assert state in ["draft", *steps]
    application.refresh_from_db()
    return application


def pdf(name: str = "quote.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "#a4262c").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")
