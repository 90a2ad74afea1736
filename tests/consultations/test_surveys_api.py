"""The surveys API: list and detail with questions (401 without a token, 404 for outsiders),
answering (201; refusals 403/422 by question, nothing written), a named survey's draft."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.consultations.models import Draft, Response
from tests.consultations.surveys import lobby_survey

pytestmark = pytest.mark.django_db


def bearer(world, role: str) -> dict[str, str]:
    token = api_token_issue(user=world.user(role), label="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _post(client, url, body, auth, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **auth)


def test_members_list_and_read_a_survey(world):
    lobby = lobby_survey(world)
    client = Client()
    rows = client.get("/api/surveys?estate=here", **bearer(world, "resident")).json()
    assert [r["title"] for r in rows] == [lobby.survey.title] and rows[0]["accepting"]
    body = client.get(f"/api/surveys/{lobby.survey.pk}", **bearer(world, "resident")).json()
    assert [q["kind"] for q in body["questions"]] == [
        "single",
        "multiple",
        "rating",
        "ranking",
        "number",
        "text",
    ]
    assert body["questions"][1]["show_if_question"] == lobby.use.pk
    assert body["me"] == {
        "asked": True,
        "answered": False,
        "answered_by_household": False,
        "flat": "1-101",
    }


def test_without_a_token_401_and_outsiders_404(world):
    lobby = lobby_survey(world)
    client = Client()
    assert client.get("/api/surveys?estate=here").status_code == 401
    assert client.get(f"/api/surveys/{lobby.survey.pk}").status_code == 401
    outsider = bearer(world, "outsider")
    assert client.get(f"/api/surveys/{lobby.survey.pk}", **outsider).status_code == 404
    assert client.get("/api/surveys/99999999", **outsider).status_code == 404


def test_answering_through_the_api(world):
    lobby = lobby_survey(world)
    client = Client()
    url = f"/api/surveys/{lobby.survey.pk}/answers"
    answers = {str(k): v for k, v in lobby.answers().items()}
    bad = _post(
        client, url, {"answers": {**answers, str(lobby.rating.pk): 0}}, bearer(world, "resident")
    )
    assert bad.status_code == 422 and f"q{lobby.rating.pk}" in bad.json()["errors"]
    assert _post(client, url, {"answers": answers}, bearer(world, "staff")).status_code == 403
    assert Response.objects.count() == 0
    done = _post(client, url, {"answers": answers}, bearer(world, "resident"))
    assert done.status_code == 201 and done.json() == {"survey": lobby.survey.pk, "answered": True}
    again = _post(client, url, {"answers": answers}, bearer(world, "resident"))
    assert again.status_code == 422 and Response.objects.count() == 1


def test_a_named_surveys_draft_through_the_api(world):
    lobby = lobby_survey(world)
    client = Client()
    url = f"/api/surveys/{lobby.survey.pk}/draft"
    auth = bearer(world, "resident")
    put = _post(client, url, {"data": {f"q{lobby.why.pk}": "一半"}}, auth, method="put")
    assert put.status_code == 200 and put.json()["data"] == {f"q{lobby.why.pk}": ["一半"]}
    assert client.get(url, **auth).json()["data"] == {f"q{lobby.why.pk}": ["一半"]}
    hidden = lobby_survey(world, anonymous=True, title="匿名")
    refused = _post(
        client, f"/api/surveys/{hidden.survey.pk}/draft", {"data": {}}, auth, method="put"
    )
    assert refused.status_code == 422 and Draft.objects.count() == 1
