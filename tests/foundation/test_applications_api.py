"""The foundation's API: programmes are public once published; the leader applies and
submits with a token, staff endorse, the officer asks for a document, the leader uploads it.
Refusals are 422 with reasons and write nothing; others' applications are 404."""

from __future__ import annotations

import pytest

from linju.api.tokens import api_token_issue
from linju.foundation.models import Application, ApplicationDocument
from tests.foundation.factories import make_application, make_programme, make_project, pdf

pytestmark = pytest.mark.django_db


def _auth(world, role):
    token = api_token_issue(user=world.users[role], label="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_programmes_are_listed_and_read_without_signing_in(world, client):
    programme = make_programme(world)
    make_programme(world, published=False, name="草稿")
    listed = client.get("/api/foundation/programmes", {"street": world.here.street.slug}).json()
    assert [p["name"] for p in listed] == [programme.name]
    detail = client.get(f"/api/foundation/programmes/{programme.pk}").json()
    assert detail["budget"] == "100000.00" and detail["pb_rule"] == "mes-add1"
    assert [c["name"] for c in detail["criteria"]] == ["居民参与度", "方案可行性"]


def test_apply_submit_endorse_request_upload(world, client):
    programme, project = make_programme(world), make_project(world)
    leader = _auth(world, "leader")
    created = client.post(
        "/api/foundation/applications",
        {
            "programme": programme.pk,
            "project": project.pk,
            "title": "1号楼",
            "plan": "粉刷",
            "budget": "48000",
            "requested": "30000",
        },
        content_type="application/json",
        **leader,
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["problems"] == []
    submitted = client.post(f"/api/foundation/applications/{pk}/submit", **leader)
    assert submitted.json()["status"] == "submitted"
    endorsed = client.post(
        f"/api/foundation/applications/{pk}/endorse",
        {"message": "同意"},
        content_type="application/json",
        **_auth(world, "staff"),
    )
    assert endorsed.json()["status"] == "endorsed"
    from linju.foundation import services

    services.application_receive(
        actor=world.users["foundation"], application=Application.objects.get(pk=pk)
    )
    asked = client.post(
        f"/api/foundation/applications/{pk}/document-requests",
        {"message": "请上传报价单"},
        content_type="application/json",
        **_auth(world, "foundation"),
    )
    assert asked.status_code == 201
    uploaded = client.post(
        f"/api/foundation/applications/{pk}/documents",
        {"file": pdf(), "kind": "budget", "request": asked.json()["id"]},
        **leader,
    )
    assert uploaded.status_code == 201, uploaded.content
    detail = client.get(f"/api/foundation/applications/{pk}", **leader).json()
    assert detail["document_requests"][0]["answered_at"] is not None
    assert [e["kind"] for e in detail["timeline"]] == [
        "created",
        "submitted",
        "endorsed",
        "received",
        "doc_requested",
        "doc_uploaded",
    ]


def test_a_refused_submission_is_422_with_the_reason(world, client):
    application = make_application(world, project=make_project(world, raised="10.00"))
    response = client.post(
        f"/api/foundation/applications/{application.pk}/submit", **_auth(world, "leader")
    )
    assert response.status_code == 422
    assert "¥10.00" in response.json()["detail"]
    application.refresh_from_db()
    assert application.status == "draft"


def test_a_leader_of_another_building_cannot_endorse_or_see_a_draft(world, client):
    application = make_application(world)
    other = _auth(world, "leader_other_building")
    assert client.get(f"/api/foundation/applications/{application.pk}", **other).status_code == 404
    assert client.get(f"/api/foundation/applications/{application.pk}").status_code == 401


def test_staff_cannot_upload_a_fake_file(world, client):
    application = make_application(world, state="received")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/api/foundation/applications/{application.pk}/documents",
        {"file": SimpleUploadedFile("x.pdf", b"MZ\x90"), "kind": "other"},
        **_auth(world, "staff"),
    )
    assert response.status_code == 422
    assert ApplicationDocument.objects.count() == 0


@pytest.mark.parametrize("pk", [0, 2**63, 99999])
def test_missing_ids_are_404(world, client, pk):
    assert client.get(f"/api/foundation/programmes/{pk}").status_code == 404
    response = client.get(f"/api/foundation/applications/{pk}", **_auth(world, "staff"))
    assert response.status_code == 404
