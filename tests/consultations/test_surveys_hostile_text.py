"""Hostile text in a survey's title, description, questions, options and answers is either
refused (nothing written) or shown escaped on the pages that show it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from linju.consultations.models import Answer, Consultation
from tests.consultations.surveys import form_data, lobby_survey
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped

pytestmark = pytest.mark.django_db


def _client(world, role):
    client = Client(raise_request_exception=False)
    client.force_login(world.user(role))
    return client


@pytest.mark.parametrize("key", list(CORPUS))
def test_hostile_survey_text_is_refused_or_shown_escaped(world, key):
    text = CORPUS[key]
    client = _client(world, "staff")
    response = client.post(
        reverse("console_consultation_create", args=["here"]),
        {
            "title": text[:200],
            "description": text,
            "scope": "buildings",
            "audience_buildings": [world.b1.pk],
            "unit": "household",
        },
    )
    assert response.status_code in (302, 400, 422)
    assert_no_live_markup(response.content.decode())
    survey = Consultation.objects.first()
    if response.status_code != 302:
        assert survey is None
        return
    assert survey is not None
    add = reverse("console_question_add", args=["here", survey.pk])
    added = client.post(add, {"kind": "single", "text": text[:500], "choices": f"{text[:200]}\n否"})
    assert added.status_code in (302, 422)
    page = client.get(reverse("console_consultation", args=["here", survey.pk]))
    assert_shown_escaped(page.content.decode(), text[:200])


@pytest.mark.parametrize("key", list(CORPUS))
def test_hostile_answers_are_refused_or_kept_as_typed(world, key):
    text = CORPUS[key]
    lobby = lobby_survey(world)
    client = _client(world, "resident")
    url = reverse("consultation_answer", args=["here", lobby.survey.pk])
    response = client.post(url, form_data(lobby, why=text))
    assert response.status_code in (302, 400, 422)
    assert_no_live_markup(response.content.decode())
    if response.status_code == 302:
        assert Answer.objects.get(question=lobby.why).text == text.strip()
    else:
        assert not Answer.objects.exists()
