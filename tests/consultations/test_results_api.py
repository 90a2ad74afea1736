"""The results API: live results for organisers (exact shares as fractions), the totals for
members once published (no free text), a cross-tabulation, and publishing (one notice; a
refusal writes nothing)."""

from __future__ import annotations

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.consultations import services
from linju.notices.models import Notice
from tests.consultations.results_data import households, respond
from tests.consultations.surveys import lobby_survey

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, label='test')}"}


def _answered(world):
    lobby = lobby_survey(world)
    for person, use in zip(households(world, lobby, 3), ["同意", "同意", "不同意"], strict=True):
        respond(
            lobby, person=person, flat=person.occupancies.get().flat, use=use, rating=3, why="好"
        )
    return lobby


def _get(world, role, path, **params):
    return Client().get(f"/api/surveys/{path}", params, **bearer(world.users[role]))


class TestResults:
    def test_organisers_get_live_results_with_exact_shares(self, world):
        lobby = _answered(world)
        response = _get(world, "staff", f"{lobby.survey.pk}/results")
        assert response.status_code == 200
        body = response.json()
        assert body["total"] == {
            "label": body["total"]["label"],
            "answered": 3,
            "invited": 4,
            "share": "3/4",
            "percent": "75.0%",
        }
        use = next(q for q in body["questions"] if q["id"] == lobby.use.pk)
        assert [(b["label"], b["count"], b["share"]) for b in use["bars"]] == [
            ("同意", 2, "2/3"),
            ("不同意", 1, "1/3"),
        ]
        rating = next(q for q in body["questions"] if q["id"] == lobby.rating.pk)
        assert rating["mean"] == "3.00"
        why = next(q for q in body["questions"] if q["id"] == lobby.why.pk)
        assert why["text_groups"] == [{"text": "好", "count": 3}]

    def test_residents_get_404_until_published_then_totals_without_text(self, world):
        lobby = _answered(world)
        assert _get(world, "resident", f"{lobby.survey.pk}/results").status_code == 404
        staff = world.users["staff"]
        services.consultation_close(actor=staff, consultation=lobby.survey)
        from linju.consultations.publish import consultation_publish

        consultation_publish(
            actor=staff, consultation=lobby.survey, summary="多数同意", decided="改"
        )
        body = _get(world, "resident", f"{lobby.survey.pk}/results").json()
        assert body["decided"] == "改" and "多数同意" in body["notice_text"]
        why = next(q for q in body["questions"] if q["id"] == lobby.why.pk)
        assert why["text_groups"] == []

    def test_other_estates_missing_and_unsigned_in(self, world):
        lobby = _answered(world)
        assert _get(world, "staff_other_estate", f"{lobby.survey.pk}/results").status_code == 404
        assert _get(world, "staff", "999999/results").status_code == 404
        assert Client().get(f"/api/surveys/{lobby.survey.pk}/results").status_code == 401


class TestCrossTab:
    def test_by_floor(self, world):
        lobby = _answered(world)
        response = _get(
            world, "staff", f"{lobby.survey.pk}/results/crosstab", question=lobby.use.pk, by="floor"
        )
        assert response.status_code == 200
        body = response.json()
        assert body["columns"] == ["同意", "不同意"]
        assert [r["responses"] for r in body["rows"]] == [1, 1, 1]
        assert [c["share"] for c in body["rows"][0]["cells"]] == ["1", "0"]

    def test_bad_dimension_is_422_and_a_text_question_404(self, world):
        lobby = _answered(world)
        path = f"{lobby.survey.pk}/results/crosstab"
        assert _get(world, "staff", path, question=lobby.use.pk, by="age").status_code == 422
        assert _get(world, "staff", path, question=lobby.why.pk).status_code == 404
        assert _get(world, "resident", path, question=lobby.use.pk).status_code == 404


class TestPublish:
    def _post(self, world, role, lobby, data):
        return Client().post(
            f"/api/surveys/{lobby.survey.pk}/results/publish",
            data,
            content_type="application/json",
            **bearer(world.users[role]),
        )

    def test_publishes_one_notice(self, world):
        lobby = _answered(world)
        services.consultation_close(actor=world.users["staff"], consultation=lobby.survey)
        response = self._post(world, "staff", lobby, {"summary": "多数同意", "decided": "改"})
        assert response.status_code == 201
        assert Notice.objects.filter(pk=response.json()["notice"]).count() == 1
        assert Notice.objects.count() == 1

    def test_open_survey_or_missing_text_is_422_and_writes_nothing(self, world):
        lobby = _answered(world)
        response = self._post(world, "staff", lobby, {"summary": "s", "decided": "d"})
        assert response.status_code == 422
        services.consultation_close(actor=world.users["staff"], consultation=lobby.survey)
        response = self._post(world, "staff", lobby, {"summary": "", "decided": "d"})
        assert response.status_code == 422 and "summary" in response.json()["errors"]
        assert Notice.objects.count() == 0

    def test_residents_get_404_and_nothing_is_written(self, world):
        lobby = _answered(world)
        services.consultation_close(actor=world.users["staff"], consultation=lobby.survey)
        response = self._post(world, "resident", lobby, {"summary": "s", "decided": "d"})
        assert response.status_code == 404
        assert Notice.objects.count() == 0
