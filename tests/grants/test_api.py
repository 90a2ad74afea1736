"""The JSON API: a reviewer's applications and score sheets, the officer's table, decisions
and payments, a grant with its reports."""

from __future__ import annotations

import json
from decimal import Decimal

from django.test import Client

from linju.api.tokens import api_token_issue
from linju.grants.models import Disbursement, Grant, Score
from tests import factories as f


def _api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user, label='test')}")


def _post(client: Client, url: str, body: dict) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_review_score_award_pay(setup):
    """A reviewer lists and scores; the officer reads the table, awards and pays."""
    assignment = setup.assign()
    street = setup.street.slug
    reviewer = _api(setup.reviewer)
    listed = reviewer.get(f"/api/grants/{street}/reviews").json()
    assert [a["id"] for a in listed[0]["applications"]] == [
        setup.app1.pk,
        setup.app2.pk,
        setup.app_nb.pk,
    ]
    url = f"/api/grants/{street}/reviews/{assignment.pk}/applications/{setup.app1.pk}/scores"
    bad = _post(reviewer, url, {"scores": {str(setup.criteria[0].pk): 12}})
    assert bad.status_code == 422
    assert Score.objects.count() == 0
    sheet = {str(c.pk): 8 for c in setup.criteria}
    assert _post(reviewer, url, {"scores": sheet}).status_code == 200
    assert Score.objects.count() == 2

    officer = _api(setup.officer)
    table = officer.get(f"/api/grants/{street}/programmes/{setup.programme.pk}/scores").json()
    assert table["normalisation"] == "min-max per reviewer"
    assert table["rows"][0]["application"] == setup.app1.pk
    assert table["rows"][0]["rank"] == 1
    assert (
        reviewer.get(f"/api/grants/{street}/programmes/{setup.programme.pk}/scores").status_code
        == 404
    )

    over = _post(
        officer, f"/api/grants/{street}/applications/{setup.app1.pk}/award", {"amount": "30000.01"}
    )
    assert over.status_code == 422
    assert Grant.objects.count() == 0
    made = _post(
        officer,
        f"/api/grants/{street}/applications/{setup.app1.pk}/award",
        {"amount": "30000", "conditions": "公示收支"},
    )
    assert made.status_code == 201
    grant = made.json()
    assert Decimal(grant["amount"]) == Decimal("30000")
    assert [r["kind"] for r in grant["reports"]] == ["final"]
    paid = _post(
        officer, f"/api/grants/{street}/grants/{grant['id']}/disbursements", {"amount": "30000"}
    )
    assert paid.status_code == 201
    assert Decimal(paid.json()["paid"]) == Decimal("30000")
    again = _post(
        officer, f"/api/grants/{street}/grants/{grant['id']}/disbursements", {"amount": "1"}
    )
    assert again.status_code == 422
    assert Disbursement.objects.count() == 1


def test_conflicted_application_is_404_and_others_cannot_decide(setup):
    resident = setup.world.users["resident"]
    assignment = setup.assign(resident)
    street = setup.street.slug
    url = f"/api/grants/{street}/reviews/{assignment.pk}/applications/{setup.app1.pk}/scores"
    assert _post(_api(resident), url, {"scores": {}}).status_code == 404
    staff = _api(setup.world.users["staff"])
    award = f"/api/grants/{street}/applications/{setup.app1.pk}/award"
    assert _post(staff, award, {"amount": "1"}).status_code == 404
    assert Client().get(f"/api/grants/{street}/reviews").status_code == 401
    assert Grant.objects.count() == 0
    stranger = _api(f.UserFactory())
    declined = _post(
        _api(setup.officer),
        f"/api/grants/{street}/applications/{setup.app1.pk}/decline",
        {"reason": "材料不全"},
    ).json()
    assert stranger.get(f"/api/grants/{street}/grants/{declined['id']}").status_code == 404
    member = _api(setup.world.users["resident"]).get(
        f"/api/grants/{street}/grants/{declined['id']}"
    )
    assert member.json()["status"] == "declined"
