"""The results pages: the organiser's live results (rates, charts, cross-tabulation and text
search through htmx, photos), who has not answered (named surveys only, never phones), and the
residents' published summary."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from linju.consultations import services
from linju.consultations.models import AnswerPhoto, Consultation
from linju.core.images import photo_store
from tests.consultations.results_data import households, respond
from tests.consultations.surveys import lobby_survey
from tests.notices.factories import png

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _answered(world, *, anonymous=False):
    lobby = lobby_survey(world, anonymous=anonymous)
    people = households(world, lobby, 3)
    for person, use, why in zip(
        people, ["同意", "同意", "不同意"], ["<b>方便</b>聊天", "方便聊天", "太吵"], strict=True
    ):
        respond(
            lobby,
            person=person,
            flat=person.occupancies.get().flat,
            use=use,
            rating=4,
            ranking=["周末", "晚上", "白天"],
            times=2,
            why=why,
        )
    return lobby


def _url(name, lobby, *extra):
    return reverse(name, args=["here", lobby.survey.pk, *extra])


class TestOrganiserPage:
    def test_staff_see_rates_charts_text_and_crosstab(self, world):
        lobby = _answered(world)
        response = client_for(world.users["staff"]).get(_url("console_consultation_results", lobby))
        assert response.status_code == 200
        page = response.content.decode()
        assert "<svg" in page and 'role="img"' in page
        assert "75.0%" in page  # 3 of 4 households of building 1
        assert "66.7%" in page  # 同意
        assert "&lt;b&gt;方便&lt;/b&gt;聊天" in page and "<b>方便</b>" not in page
        assert 'id="crosstab"' in page
        assert _url("console_consultation_results_waiting", lobby) in page

    def test_group_leader_of_the_building_sees_the_results_of_their_survey(self, world):
        lobby = lobby_survey(world, role="leader", building=world.b1)
        response = client_for(world.users["leader"]).get(
            _url("console_consultation_results", lobby)
        )
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "role", ["resident", "leader_other_building", "property", "staff_other_estate"]
    )
    def test_others_get_404(self, world, role):
        lobby = _answered(world)
        response = client_for(world.users[role]).get(_url("console_consultation_results", lobby))
        assert response.status_code == 404

    def test_crosstab_by_relation_through_htmx(self, world):
        lobby = _answered(world)
        response = client_for(world.users["staff"]).get(
            _url("console_consultation_results", lobby),
            {"question": lobby.use.pk, "by": "relation"},
            HTTP_HX_REQUEST="true",
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert page.startswith('<div id="crosstab"') and "<html" not in page
        assert "业主" in page and "66.7%" in page

    def test_a_bad_crosstab_choice_falls_back_to_the_first_question(self, world):
        lobby = _answered(world)
        response = client_for(world.users["staff"]).get(
            _url("console_consultation_results", lobby), {"question": "x", "by": "nonsense"}
        )
        assert response.status_code == 200

    def test_text_search_through_htmx_and_as_a_page(self, world):
        lobby = _answered(world)
        client = client_for(world.users["staff"])
        url = _url("console_consultation_results_text", lobby, lobby.why.pk)
        partial = client.get(url, {"q": "方便"}, HTTP_HX_REQUEST="true").content.decode()
        assert "方便聊天" in partial and "太吵" not in partial
        assert "<html" not in partial
        page = client.get(url, {"q": "吵"})
        assert page.status_code == 200 and "太吵" in page.content.decode()

    def test_text_search_of_a_question_that_is_not_text_is_404(self, world):
        lobby = _answered(world)
        url = _url("console_consultation_results_text", lobby, lobby.use.pk)
        assert client_for(world.users["staff"]).get(url).status_code == 404

    def test_photo_answers_are_shown_to_organisers_only(self, world):
        lobby = lobby_survey(world, opened=False)
        staff = world.users["staff"]
        question = services.question_add(
            actor=staff, consultation=lobby.survey, kind="photo", text="拍一张大堂", required=False
        )
        services.consultation_open(actor=staff, consultation=lobby.survey)
        response = respond(lobby, building=world.b1, floor=1, use="同意")
        photo = AnswerPhoto(response=response, question=question)
        photo_store(photo, png())
        page = client_for(staff).get(_url("console_consultation_results", lobby)).content.decode()
        thumb = _url("console_consultation_results_photo", lobby, photo.pk, "thumb")
        assert thumb in page
        assert client_for(staff).get(thumb).status_code == 200
        assert client_for(world.users["resident"]).get(thumb).status_code == 404
        assert client_for(staff).get(thumb.replace("thumb", "full")).status_code == 404


class TestNotAnswered:
    def test_named_survey_lists_names_and_flats_never_phones(self, world):
        lobby = _answered(world)
        response = client_for(world.users["staff"]).get(
            _url("console_consultation_results_waiting", lobby)
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "李居民" in page and "1-101" in page
        assert world.person1.phone not in page and "1390000" not in page

    def test_anonymous_survey_never_lists_anyone(self, world):
        lobby = _answered(world, anonymous=True)
        client = client_for(world.users["staff"])
        results_page = client.get(_url("console_consultation_results", lobby)).content.decode()
        assert _url("console_consultation_results_waiting", lobby) not in results_page
        assert "李居民" not in results_page and "住户" not in results_page
        response = client.get(_url("console_consultation_results_waiting", lobby))
        assert response.status_code == 403
        assert "李居民" not in response.content.decode()


class TestSummaryPage:
    def _published(self, world):
        lobby = _answered(world)
        staff = world.users["staff"]
        services.consultation_close(actor=staff, consultation=lobby.survey)
        from linju.consultations.publish import consultation_publish

        consultation_publish(
            actor=staff, consultation=lobby.survey, summary="多数同意。", decided="改为会客厅"
        )
        return lobby

    def test_residents_see_the_published_summary_and_totals_without_free_text(self, world):
        lobby = self._published(world)
        response = client_for(world.users["resident"]).get(_url("consultation_results", lobby))
        page = response.content.decode()
        assert response.status_code == 200
        assert "多数同意。" in page and "改为会客厅" in page and "<svg" in page
        assert "太吵" not in page and "方便聊天" not in page
        assert _url("console_consultation_results", lobby) not in page

    def test_nothing_before_publishing(self, world):
        lobby = _answered(world)
        response = client_for(world.users["resident"]).get(_url("consultation_results", lobby))
        assert response.status_code == 404

    def test_other_estates_and_anonymous_visitors_see_nothing(self, world):
        lobby = self._published(world)
        url = _url("consultation_results", lobby)
        assert client_for(world.users["staff_other_estate"]).get(url).status_code == 404
        assert client_for(None).get(url).status_code == 302

    def test_organiser_gets_a_link_to_all_the_results(self, world):
        lobby = self._published(world)
        page = client_for(world.users["staff"]).get(_url("consultation_results", lobby))
        assert _url("console_consultation_results", lobby) in page.content.decode()
        assert Consultation.objects.get().status == "published"
