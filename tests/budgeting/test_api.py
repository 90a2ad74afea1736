"""The budgeting API: a vote's detail with its cards and the caller's ballot, casting (the same
limits, 422 and nothing written), and the published results explained."""

from __future__ import annotations

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.budgeting import services
from linju.budgeting.models import PBBallot
from tests.budgeting.factories import closed, ids, open_vote, programme_for, shortlist

pytestmark = pytest.mark.django_db


def api(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        token = api_token_issue(user=world.user(role), label="test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.fixture
def vote(world):
    programme = programme_for(world)
    shortlist(world, programme, {"甲": "60000", "乙": "30000", "丙": "25000"})
    return open_vote(world, programme)


def test_detail_cast_and_results(world, vote):
    resident = api(world, "resident")
    detail = resident.get(f"/api/budgeting/votes/{vote.pk}").json()
    assert (detail["min"], detail["max"], detail["budget"], detail["may_cast"]) == (
        1,
        3,
        "100000.00",
        True,
    )
    assert [c["requested"] for c in detail["cards"]] == ["60000.00", "30000.00", "25000.00"]
    apps = ids(list(vote.eligible.order_by("pk")))
    refused = resident.post(
        f"/api/budgeting/votes/{vote.pk}/ballots",
        {"applications": []},
        content_type="application/json",
    )
    assert refused.status_code == 422 and PBBallot.objects.count() == 0
    cast = resident.post(
        f"/api/budgeting/votes/{vote.pk}/ballots",
        {"applications": apps[:2]},
        content_type="application/json",
    )
    assert cast.status_code == 201 and cast.json()["applications"] == apps[:2]
    again = resident.post(
        f"/api/budgeting/votes/{vote.pk}/ballots",
        {"applications": apps[:1]},
        content_type="application/json",
    )
    assert again.status_code == 422 and PBBallot.objects.count() == 1
    assert resident.get(f"/api/budgeting/votes/{vote.pk}").json()["my_ballot"]["receipt"]

    assert resident.get(f"/api/budgeting/votes/{vote.pk}/results").status_code == 404
    closed(world, vote)
    services.outcome_compute(actor=world.users["foundation"], vote=vote)
    services.outcome_publish(actor=world.users["foundation"], vote=vote)
    results = resident.get(f"/api/budgeting/votes/{vote.pk}/results").json()
    assert results["rule"] == "mes-add1" and results["voters"] == 1
    by_id = {p["id"]: p for p in results["projects"]}
    assert by_id[apps[2]]["why"] and by_id[apps[2]]["explanation"]["reason"] == "no_supporters"


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 401), ("outsider", 404), ("staff_other_estate", 404)]
)
def test_others_see_nothing(world, vote, role, status):
    assert api(world, role).get(f"/api/budgeting/votes/{vote.pk}").status_code == status
    too_big = api(world, role).get("/api/budgeting/votes/99999999999999999999")
    assert too_big.status_code in ((401,) if role == "anonymous" else (404, 422))


def test_staff_may_see_but_not_cast(world, vote):
    response = api(world, "staff").post(
        f"/api/budgeting/votes/{vote.pk}/ballots",
        {"applications": ids(list(vote.eligible.all()))[:1]},
        content_type="application/json",
    )
    assert response.status_code == 403 and PBBallot.objects.count() == 0
