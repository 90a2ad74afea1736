"""The works API: reads for whoever sees the project, writes through the same services."""

from __future__ import annotations

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.works import services
from linju.works.models import Evaluation, Quote
from tests.works.factories import with_options


def _api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user, label='test')}")


@pytest.mark.django_db
def test_design_options_and_quotes(world, project):
    with_options(world, project)
    body = _api(world.users["resident"]).get(f"/api/works/projects/{project.pk}/design").json()
    assert [o["label"] for o in body["options"]] == ["温馨木色", "简约明亮"]
    assert body["options"][0]["photos"][0]["thumb"].endswith("/thumb/")
    leader = _api(world.users["leader"])
    response = leader.post(
        f"/api/works/projects/{project.pk}/quotes",
        {"contractor": "甲", "amount": "18000.00"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["cheapest"] is True
    refused = _api(world.users["resident"]).post(
        f"/api/works/projects/{project.pk}/quotes",
        {"contractor": "乙", "amount": "1"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and Quote.objects.count() == 1


@pytest.mark.django_db
def test_other_estates_get_404_and_anonymous_401(world, project):
    assert (
        _api(world.users["staff_other_estate"])
        .get(f"/api/works/projects/{project.pk}/milestones")
        .status_code
        == 404
    )
    assert Client().get(f"/api/works/projects/{project.pk}/milestones").status_code == 401


@pytest.mark.django_db
def test_evaluation_and_acceptance_sign(world, project):
    resident = _api(world.users["resident"])
    bad = resident.post(
        f"/api/works/projects/{project.pk}/evaluation",
        {"result_rating": 7, "process_rating": 3},
        content_type="application/json",
    )
    assert bad.status_code == 422 and not Evaluation.objects.exists()
    good = resident.post(
        f"/api/works/projects/{project.pk}/evaluation",
        {"result_rating": 5, "process_rating": 4, "comment": "好"},
        content_type="application/json",
    )
    assert good.status_code == 200 and good.json()["mine"]["result_rating"] == 5
    staff = world.users["staff"]
    item = services.acceptance_item_add(actor=staff, project=project, text="地面")
    services.acceptance_item_check(actor=staff, item=item, result="pass")
    services.acceptance_representatives_set(actor=staff, project=project, people=[world.person1])
    assert _api(staff).post(f"/api/works/projects/{project.pk}/acceptance/sign").status_code == 403
    signed = resident.post(f"/api/works/projects/{project.pk}/acceptance/sign")
    assert signed.status_code == 200 and signed.json()["accepted"] is True
