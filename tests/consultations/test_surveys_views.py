"""Survey pages: a resident answers on the survey's page (refusals 422 with the answers kept,
nothing written), the draft is kept and shown again, a household's second answer is refused
with a clear message; the console drafts, opens, prints and enters paper answers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from linju.consultations.models import Consultation, Draft, Question, Response
from tests.consultations.surveys import form_data, lobby_survey

pytestmark = pytest.mark.django_db


def _client(world, role):
    client = Client(raise_request_exception=False)
    client.force_login(world.user(role))
    return client


def test_a_resident_sees_the_survey_and_answers_it(world):
    lobby = lobby_survey(world)
    client = _client(world, "resident")
    page = client.get(lobby.survey.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert lobby.use.text in html and f'data-show-if="q{lobby.use.pk}"' in html
    assert f'id="sec-q{lobby.features.pk}"' in html
    listing = client.get(reverse("consultations", args=["here"])).content.decode()
    assert lobby.survey.title in listing
    answer = reverse("consultation_answer", args=["here", lobby.survey.pk])
    response = client.post(answer, form_data(lobby))
    assert response.status_code == 302
    assert Response.objects.count() == 1
    done = client.get(lobby.survey.get_absolute_url()).content.decode()
    assert "data-survey-done" in done and "<form" not in done.split('id="survey"')[1]


def test_a_bad_answer_is_422_with_the_answers_kept_and_nothing_written(world):
    lobby = lobby_survey(world)
    client = _client(world, "resident")
    data = form_data(lobby, rating=9, why="我的意见")
    response = client.post(reverse("consultation_answer", args=["here", lobby.survey.pk]), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert "我的意见" in html and 'class="field-error"' in html
    assert Response.objects.count() == 0


def test_a_households_second_answer_is_refused_with_a_clear_message(world):
    lobby = lobby_survey(world)
    client = _client(world, "resident")
    url = reverse("consultation_answer", args=["here", lobby.survey.pk])
    assert client.post(url, form_data(lobby)).status_code == 302
    again = client.post(url, form_data(lobby))
    assert again.status_code == 422
    assert "已经" in again.content.decode() or "already" in again.content.decode()
    assert Response.objects.count() == 1


def test_a_closed_survey_refuses_an_answer(world):
    lobby = lobby_survey(world)
    Consultation.objects.filter(pk=lobby.survey.pk).update(status="closed")
    client = _client(world, "resident")
    url = reverse("consultation_answer", args=["here", lobby.survey.pk])
    assert client.post(url, form_data(lobby)).status_code == 422
    assert Response.objects.count() == 0


def test_the_draft_is_kept_as_typed_and_shown_again(world):
    lobby = lobby_survey(world)
    client = _client(world, "resident")
    url = reverse("consultation_draft", args=["here", lobby.survey.pk])
    saved = client.post(url, {f"q{lobby.why.pk}": "写了一半"}, HTTP_X_REQUESTED_WITH="fetch")
    assert saved.status_code == 200
    assert Draft.objects.get().data == {f"q{lobby.why.pk}": ["写了一半"]}
    page = client.get(lobby.survey.get_absolute_url()).content.decode()
    assert "写了一半" in page


def test_an_anonymous_survey_keeps_its_draft_on_the_device(world):
    lobby = lobby_survey(world, anonymous=True)
    client = _client(world, "resident")
    page = client.get(lobby.survey.get_absolute_url()).content.decode()
    assert f'data-local-draft="linju-survey-{lobby.survey.pk}"' in page
    url = reverse("consultation_draft", args=["here", lobby.survey.pk])
    assert client.post(url, {"q1": "x"}, HTTP_X_REQUESTED_WITH="fetch").status_code == 422
    assert not Draft.objects.exists()


def test_the_console_drafts_a_survey_with_questions_and_opens_it(world):
    client = _client(world, "staff")
    created = client.post(
        reverse("console_consultation_create", args=["here"]),
        {
            "title": "2号楼绿化",
            "scope": "buildings",
            "audience_buildings": [world.b2.pk],
            "unit": "person",
            "anonymous": "on",
            "closes_at": "2099-01-01T10:00",
        },
    )
    assert created.status_code == 302
    survey = Consultation.objects.get()
    assert survey.anonymous and survey.unit == "person"
    add = reverse("console_question_add", args=["here", survey.pk])
    bad = client.post(add, {"kind": "single", "text": "种什么？", "choices": "只有一个"})
    assert bad.status_code == 422 and not Question.objects.exists()
    good = client.post(add, {"kind": "single", "text": "种什么？", "choices": "月季\n绣球"})
    assert good.status_code == 302 and Question.objects.get().choices.count() == 2
    opened = client.post(reverse("console_consultation_open", args=["here", survey.pk]))
    assert opened.status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open"
    page = client.get(reverse("console_consultation", args=["here", survey.pk])).content.decode()
    assert "种什么？" in page and "0 / 1" not in page


def test_opening_without_questions_is_refused_on_the_page(world):
    lobby = lobby_survey(world, opened=False)
    Question.objects.filter(consultation=lobby.survey).delete()
    client = _client(world, "staff")
    response = client.post(reverse("console_consultation_open", args=["here", lobby.survey.pk]))
    assert response.status_code == 422
    lobby.survey.refresh_from_db()
    assert lobby.survey.status == "draft"


def test_staff_print_the_paper_questionnaire_and_enter_it(world):
    lobby = lobby_survey(world)
    client = _client(world, "staff")
    pdf = client.get(reverse("console_consultation_pdf", args=["here", lobby.survey.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    url = reverse("console_consultation_paper", args=["here", lobby.survey.pk])
    assert client.get(url).status_code == 200
    entered = client.post(url, {"household": world.flat1.pk, **form_data(lobby)})
    assert entered.status_code == 302
    response = Response.objects.get()
    assert response.channel == "paper" and response.entered_by == world.user("staff")
    again = client.post(url, {"household": world.flat1.pk, **form_data(lobby)})
    assert again.status_code == 422 and Response.objects.count() == 1


def test_the_organiser_sees_who_has_not_answered_only_when_named(world):
    named = lobby_survey(world, building=world.b1)
    client = _client(world, "staff")
    page = client.get(reverse("console_consultation", args=["here", named.survey.pk]))
    assert "1-101" in page.content.decode()
    hidden = lobby_survey(world, anonymous=True, title="匿名问卷")
    page = client.get(reverse("console_consultation", args=["here", hidden.survey.pk]))
    assert "1-101" not in page.content.decode()
