"""Publishing a survey's results: exactly one notice (category "consultation results") with
the summary, what was decided and the totals, and no personal data; refusals write nothing;
the board's section of published consultations (the public board shows the summary only);
the publish page; the demo step."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from linju.consultations import services
from linju.consultations.models import Consultation
from linju.consultations.publish import consultation_publish
from linju.core.models import AuditEvent
from linju.notices.models import Notice
from tests.consultations.results_data import households, respond
from tests.consultations.surveys import lobby_survey
from tests.notices.factories import public_board

pytestmark = pytest.mark.django_db


def _closed(world, **kwargs):
    lobby = lobby_survey(world, **kwargs)
    for person in households(world, lobby, 2):
        respond(
            lobby, person=person, flat=person.occupancies.get().flat, use="同意", why="我家电话"
        )
    services.consultation_close(actor=world.users["staff"], consultation=lobby.survey)
    lobby.survey.refresh_from_db()
    return lobby


def _state():
    return (
        Notice.objects.count(),
        AuditEvent.objects.count(),
        list(Consultation.objects.values_list("status", "decided", "notice_id")),
    )


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class TestPublish:
    def test_one_notice_with_summary_decision_and_totals(self, world):
        lobby = _closed(world)
        before = Notice.objects.count()
        notice = consultation_publish(
            actor=world.users["staff"],
            consultation=lobby.survey,
            summary="多数住户同意。",
            decided="大堂改为公共会客厅",
        )
        assert Notice.objects.count() == before + 1
        assert notice.category == Notice.Category.CONSULTATION
        assert notice.status == Notice.Status.PUBLISHED
        assert notice.title.endswith("1号楼大堂是否改为公共会客厅？")
        assert "多数住户同意。" in notice.body and "大堂改为公共会客厅" in notice.body
        assert "2" in notice.body and "66.7%" in notice.body  # 2 of 3 households
        assert "同意 2 · 100.0%" in notice.body
        for private in ("住户1", "住户2", "李居民", "1-201", "我家电话"):
            assert private not in notice.body
        survey = Consultation.objects.get(pk=lobby.survey.pk)
        assert (survey.status, survey.decided, survey.notice_id) == (
            "published",
            "大堂改为公共会客厅",
            notice.pk,
        )
        assert survey.published_at is not None
        assert AuditEvent.objects.filter(action="consultation.publish").count() == 1

    def test_a_building_groups_survey_goes_on_that_buildings_board(self, world):
        lobby = lobby_survey(world, role="leader", building=world.b1)
        services.consultation_close(actor=world.users["leader"], consultation=lobby.survey)
        notice = consultation_publish(
            actor=world.users["leader"], consultation=lobby.survey, summary="s", decided="d"
        )
        assert notice.building == world.b1

    def test_a_second_publish_is_refused_and_writes_nothing(self, world):
        lobby = _closed(world)
        staff = world.users["staff"]
        consultation_publish(actor=staff, consultation=lobby.survey, summary="s", decided="d")
        before = _state()
        with pytest.raises(ValidationError):
            consultation_publish(actor=staff, consultation=lobby.survey, summary="t", decided="e")
        assert _state() == before

    def test_an_open_survey_is_refused(self, world):
        lobby = lobby_survey(world)
        before = _state()
        with pytest.raises(ValidationError):
            consultation_publish(
                actor=world.users["staff"], consultation=lobby.survey, summary="s", decided="d"
            )
        assert _state() == before

    @pytest.mark.parametrize(
        ("summary", "decided", "field"),
        [
            ("", "d", "summary"),
            ("   ", "d", "summary"),
            ("s", "", "decided"),
            ("x" * 4001, "d", "summary"),
            ("s", "y" * 4001, "decided"),
            ("s\x00", "d", "summary"),
        ],
    )
    def test_missing_or_bad_text_is_refused(self, world, summary, decided, field):
        lobby = _closed(world)
        before = _state()
        with pytest.raises(ValidationError) as caught:
            consultation_publish(
                actor=world.users["staff"],
                consultation=lobby.survey,
                summary=summary,
                decided=decided,
            )
        assert field in caught.value.message_dict
        assert _state() == before

    @pytest.mark.parametrize("role", ["resident", "leader_other_building", "property"])
    def test_only_those_who_run_it_publish(self, world, role):
        lobby = _closed(world)
        before = _state()
        with pytest.raises(PermissionDenied):
            consultation_publish(
                actor=world.users[role], consultation=lobby.survey, summary="s", decided="d"
            )
        assert _state() == before

    def test_hostile_text_is_kept_as_text_and_escaped_on_the_board(self, world):
        lobby = _closed(world)
        hostile = '<script>alert(1)</script> =HYPERLINK("x") {{ secret }}'
        notice = consultation_publish(
            actor=world.users["staff"], consultation=lobby.survey, summary=hostile, decided=hostile
        )
        assert hostile in notice.body
        page = client_for(world.users["resident"]).get(notice.get_absolute_url()).content
        assert b"<script>alert(1)</script>" not in page
        board = client_for(world.users["resident"]).get(reverse("board", args=["here"])).content
        assert b"<script>alert(1)</script>" not in board


class TestPublishPage:
    def test_form_publishes_and_returns_to_the_results(self, world):
        lobby = _closed(world)
        url = reverse("console_consultation_publish", args=["here", lobby.survey.pk])
        client = client_for(world.users["staff"])
        assert client.get(url).status_code == 200
        response = client.post(url, {"summary": "多数同意。", "decided": "改为会客厅"})
        assert response.status_code == 302
        assert Notice.objects.filter(category="consultation").count() == 1

    def test_missing_text_answers_422_and_writes_nothing(self, world):
        lobby = _closed(world)
        url = reverse("console_consultation_publish", args=["here", lobby.survey.pk])
        before = _state()
        response = client_for(world.users["staff"]).post(url, {"summary": "", "decided": ""})
        assert response.status_code == 422
        assert _state() == before

    def test_publishing_an_open_survey_answers_422(self, world):
        lobby = lobby_survey(world)
        url = reverse("console_consultation_publish", args=["here", lobby.survey.pk])
        before = _state()
        response = client_for(world.users["staff"]).post(url, {"summary": "s", "decided": "d"})
        assert response.status_code == 422
        assert _state() == before


class TestBoardSection:
    def _published(self, world):
        lobby = _closed(world)
        consultation_publish(
            actor=world.users["staff"],
            consultation=lobby.survey,
            summary="多数同意。",
            decided="大堂改为公共会客厅",
        )
        return lobby

    def test_members_see_the_consultation_with_what_was_decided_and_a_link(self, world):
        lobby = self._published(world)
        page = client_for(world.users["resident"]).get(reverse("board", args=["here"]))
        text = page.content.decode()
        assert "1号楼大堂是否改为公共会客厅？" in text
        assert "大堂改为公共会客厅" in text
        assert reverse("consultation_results", args=["here", lobby.survey.pk]) in text

    def test_the_public_board_shows_the_summary_only(self, world):
        lobby = self._published(world)
        public_board(world.here)
        text = client_for(None).get(reverse("board", args=["here"])).content.decode()
        assert "1号楼大堂是否改为公共会客厅？" in text
        assert reverse("consultation_results", args=["here", lobby.survey.pk]) not in text
        notice = Consultation.objects.get().notice
        detail = client_for(None).get(notice.get_absolute_url()).content.decode()
        assert "多数同意。" in detail and "住户1" not in detail

    def test_nothing_before_anything_is_published(self, world):
        _closed(world)
        text = client_for(world.users["resident"]).get(reverse("board", args=["here"]))
        assert "section-consultations" not in text.content.decode()


class TestDemo:
    def test_the_demo_step_publishes_the_lobby_survey(self, world):
        """It closes the open survey, publishes once, and a second run changes nothing."""
        from linju.consultations.demo_results import DECIDED, demo_consultation_results

        lobby = lobby_survey(world, title="25号楼大堂是否改为公共会客厅？")
        for person in households(world, lobby, 2):
            respond(lobby, person=person, flat=person.occupancies.get().flat, use="同意")
        survey = demo_consultation_results(world.here)
        assert survey is not None and survey.status == "published"
        assert survey.decided == DECIDED
        notice = survey.notice
        assert notice.category == "consultation" and DECIDED in notice.body
        assert "2户作答" in notice.body
        assert demo_consultation_results(world.here).notice_id == notice.pk  # once only
