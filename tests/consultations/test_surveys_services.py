"""Survey services: drafting a survey and its questions, opening, answering online and on paper,
one answer per household or person, branches, anonymity, drafts, reminders and closing. Each
refusal writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linju.community.models import Occupancy
from linju.consultations import selectors, services, tasks
from linju.consultations.models import (
    Answer,
    AnswerChoice,
    Consultation,
    Draft,
    Participation,
    Question,
    Response,
)
from linju.core.models import AuditEvent
from linju.notifications.models import Notification
from tests.consultations.surveys import closes, lobby_survey
from tests.factories import FlatFactory, OccupancyFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _state() -> tuple:
    return (
        Consultation.objects.count(),
        Question.objects.count(),
        Response.objects.count(),
        Answer.objects.count(),
        AnswerChoice.objects.count(),
        Participation.objects.count(),
        Draft.objects.count(),
        AuditEvent.objects.count(),
        list(Consultation.objects.values_list("status", flat=True)),
    )


def _neighbour(world, flat=None, *, tenant=False, minor=False, name="张家人"):
    """Another adult (with an account) living in ``flat`` (default: the resident's flat)."""
    user = UserFactory()
    person = PersonFactory(estate=world.here, full_name=name, user=user, is_minor=minor)
    OccupancyFactory(
        flat=flat or world.flat1,
        person=person,
        relation=Occupancy.Relation.TENANT if tenant else Occupancy.Relation.FAMILY,
    )
    return user


class TestCreate:
    def test_staff_draft_a_survey_for_a_building_and_it_is_audited(self, world):
        lobby = lobby_survey(world, opened=False)
        survey = lobby.survey
        assert survey.status == Consultation.Status.DRAFT
        assert list(survey.audience_buildings.all()) == [world.b1]
        assert survey.questions.count() == 6
        assert AuditEvent.objects.filter(action="consultation.create").count() == 1

    def test_a_group_leader_runs_a_survey_of_their_own_building(self, world):
        lobby = lobby_survey(world, role="leader", building=world.b1, opened=False)
        assert lobby.survey.building == world.b1

    @pytest.mark.parametrize(
        ("role", "values"),
        [
            ("leader", {"building": None}),
            ("leader", {"building": "b2"}),
            ("resident", {}),
            ("property", {}),
            ("staff_other_estate", {}),
        ],
    )
    def test_others_may_not_draft_one(self, world, role, values):
        values = {k: getattr(world, v) if v else None for k, v in values.items()}
        before = _state()
        with pytest.raises(PermissionDenied):
            services.consultation_create(
                actor=world.user(role),
                estate=world.here,
                title="问卷",
                audience_buildings=[world.b1],
                **values,
            )
        assert _state() == before

    def test_a_leaders_survey_asks_their_building_only(self, world):
        before = _state()
        with pytest.raises(ValidationError) as refused:
            services.consultation_create(
                actor=world.user("leader"),
                estate=world.here,
                building=world.b1,
                title="问卷",
                audience_buildings=[world.b1, world.b2],
            )
        assert "audience_buildings" in refused.value.message_dict
        assert _state() == before

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"title": "  "}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"audience_buildings": []}, "audience_buildings"),
            ({"scope": "list"}, "audience_people"),
            ({"scope": "nobody"}, "scope"),
            ({"unit": "flatmate"}, "unit"),
            ({"title": "问\x00卷"}, "__all__"),
            (
                {"opens_at": timezone.now(), "closes_at": timezone.now() - datetime.timedelta(1)},
                "closes_at",
            ),
        ],
    )
    def test_bad_input_is_refused_by_field(self, world, values, field):
        arguments = {"title": "问卷", "audience_buildings": [world.b1]}
        arguments.update(values)
        before = _state()
        with pytest.raises(ValidationError) as refused:
            services.consultation_create(actor=world.user("staff"), estate=world.here, **arguments)
        assert field in refused.value.message_dict
        assert _state() == before

    def test_anonymity_is_never_changed_after_creation(self, world):
        lobby = lobby_survey(world, anonymous=True, opened=False)
        services.consultation_update(
            actor=world.user("staff"),
            consultation=lobby.survey,
            title="新标题",
            audience_buildings=[world.b1],
            closes_at=closes(),
        )
        lobby.survey.refresh_from_db()
        assert lobby.survey.anonymous is True
        assert lobby.survey.title == "新标题"

    def test_an_open_survey_is_not_edited(self, world):
        lobby = lobby_survey(world)
        before = _state()
        with pytest.raises(ValidationError):
            services.consultation_update(
                actor=world.user("staff"), consultation=lobby.survey, title="新标题"
            )
        with pytest.raises(ValidationError):
            services.question_add(
                actor=world.user("staff"), consultation=lobby.survey, kind="text", text="再问"
            )
        assert _state() == before


class TestQuestions:
    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"kind": "single", "choices": ["只有一个"]}, "choices"),
            ({"kind": "single", "choices": ["同", "同"]}, "choices"),
            ({"kind": "multiple", "choices": ["a", "b"], "max_choices": 3}, "max_choices"),
            (
                {"kind": "multiple", "choices": ["a", "b"], "min_choices": 2, "max_choices": 1},
                "max_choices",
            ),
            ({"kind": "rating", "scale_min": 5, "scale_max": 5}, "scale_max"),
            ({"kind": "rating", "scale_min": 0, "scale_max": 20}, "scale_max"),
            ({"kind": "number", "number_min": "10", "number_max": "1"}, "number_max"),
            ({"kind": "number", "number_min": "abc"}, "number_min"),
            ({"kind": "essay"}, "kind"),
            ({"kind": "text", "text": ""}, "text"),
        ],
    )
    def test_bad_questions_are_refused(self, world, values, field):
        lobby = lobby_survey(world, opened=False)
        arguments = {"text": "问题"}
        arguments.update(values)
        before = _state()
        with pytest.raises(ValidationError) as refused:
            services.question_add(actor=world.user("staff"), consultation=lobby.survey, **arguments)
        assert field in refused.value.message_dict
        assert _state() == before

    def test_a_branch_hangs_on_an_earlier_choice_of_the_same_question(self, world):
        lobby = lobby_survey(world, opened=False)
        before = _state()
        with pytest.raises(ValidationError) as refused:
            services.question_add(
                actor=world.user("staff"),
                consultation=lobby.survey,
                kind="text",
                text="为什么？",
                show_if_question=lobby.use,
                show_if_choice=lobby.choice(lobby.features, "沙发"),
            )
        assert "show_if_choice" in refused.value.message_dict
        with pytest.raises(ValidationError) as refused:
            services.question_add(
                actor=world.user("staff"),
                consultation=lobby.survey,
                kind="text",
                text="为什么？",
                show_if_question=lobby.why,
            )
        assert "show_if_question" in refused.value.message_dict
        assert _state() == before

    def test_editing_keeps_options_in_place_and_moving_respects_branches(self, world):
        lobby = lobby_survey(world, opened=False)
        agree = lobby.choice(lobby.use, "同意")
        services.question_update(
            actor=world.user("staff"),
            question=lobby.use,
            kind="single",
            text="您同意改造吗？",
            choices=["赞成", "反对", "无所谓"],
        )
        assert lobby.use.choices.values_list("pk", "label").first() == (agree, "赞成")
        assert lobby.use.choices.count() == 3
        with pytest.raises(ValidationError):
            services.question_move(actor=world.user("staff"), question=lobby.features, up=True)
        services.question_move(actor=world.user("staff"), question=lobby.rating, up=True)
        order = list(lobby.survey.questions.order_by("position").values_list("pk", flat=True))
        assert order[:3] == [lobby.use.pk, lobby.rating.pk, lobby.features.pk]

    def test_deleting_a_question_shows_its_dependents_always(self, world):
        lobby = lobby_survey(world, opened=False)
        services.question_delete(actor=world.user("staff"), question=lobby.use)
        lobby.features.refresh_from_db()
        assert lobby.features.show_if_question_id is None
        assert lobby.features.show_if_choice_id is None


class TestOpen:
    def test_opening_tells_everyone_asked_with_an_account(self, world):
        _neighbour(world)
        lobby = lobby_survey(world)
        assert lobby.survey.status == Consultation.Status.OPEN
        told = set(
            Notification.objects.filter(kind="consultation.opened").values_list(
                "recipient__username", flat=True
            )
        )
        assert "resident" in told and len(told) == 2

    @pytest.mark.parametrize("problem", ["no questions", "no close", "closed in the past"])
    def test_opening_needs_questions_and_a_closing_time_ahead(self, world, problem):
        survey = services.consultation_create(
            actor=world.user("staff"),
            estate=world.here,
            title="问卷",
            audience_buildings=[world.b1],
            closes_at=None if problem == "no close" else closes(),
        )
        if problem != "no questions":
            services.question_add(
                actor=world.user("staff"), consultation=survey, kind="text", text="说说看"
            )
        now = timezone.now() + datetime.timedelta(days=30) if "past" in problem else None
        before = _state()
        with pytest.raises(ValidationError):
            services.consultation_open(actor=world.user("staff"), consultation=survey, now=now)
        assert _state() == before


class TestAnswer:
    def test_a_resident_answers_and_everything_is_counted_by_row(self, world):
        lobby = lobby_survey(world)
        services.draft_save(
            actor=world.user("resident"), consultation=lobby.survey, data={"q1": ["x"]}
        )
        response = services.response_submit(
            actor=world.user("resident"), consultation=lobby.survey, answers=lobby.answers()
        )
        assert response.respondent == world.person1
        assert response.household == world.flat1
        assert response.building == world.b1
        assert response.relation == Response.Relation.OWNER
        assert response.channel == Response.Channel.ONLINE
        ranks = list(
            AnswerChoice.objects.filter(question=lobby.ranking)
            .order_by("rank")
            .values_list("choice__label", flat=True)
        )
        assert ranks == ["周末", "晚上", "白天"]
        assert AnswerChoice.objects.filter(question=lobby.features).count() == 2
        assert Answer.objects.get(question=lobby.times).number == Decimal("3")
        assert Answer.objects.get(question=lobby.why).text == "方便邻居聊天"
        participation = Participation.objects.get()
        assert participation.household == world.flat1
        assert participation.answered_on == timezone.localdate()
        assert not Draft.objects.exists()
        assert AuditEvent.objects.filter(action="consultation.answer").count() == 1

    def test_a_hidden_branch_is_ignored_even_when_answered(self, world):
        lobby = lobby_survey(world)
        services.response_submit(
            actor=world.user("resident"),
            consultation=lobby.survey,
            answers=lobby.answers(use=lobby.choice(lobby.use, "不同意")),
        )
        assert not AnswerChoice.objects.filter(question=lobby.features).exists()

    def test_a_hidden_required_question_need_not_be_answered(self, world):
        lobby = lobby_survey(world)
        answers = lobby.answers(use=lobby.choice(lobby.use, "不同意"))
        del answers[lobby.features.pk]
        services.response_submit(
            actor=world.user("resident"), consultation=lobby.survey, answers=answers
        )
        assert Response.objects.count() == 1

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("features", "too many"),
            ("features", None),
            ("rating", 6),
            ("rating", "很好"),
            ("times", "51"),
            ("times", "-1"),
            ("times", "1.234"),
            ("times", "NaN"),
            ("use", None),
            ("use", 999999),
            ("use", "two"),
            ("ranking", "twice"),
            ("why", "长" * 2001),
            ("why", "坏\x00字"),
        ],
    )
    def test_answers_breaking_a_rule_are_refused_by_question(self, world, name, value):
        lobby = lobby_survey(world)
        if value == "too many":
            value = [c.pk for c in lobby.features.choices.all()[:3]]
        if value == "twice":
            value = [lobby.choice(lobby.ranking, "白天")] * 2
        before = _state()
        with pytest.raises(ValidationError) as refused:
            services.response_submit(
                actor=world.user("resident"),
                consultation=lobby.survey,
                answers=lobby.answers(**{name: value}),
            )
        assert list(refused.value.message_dict) == [f"q{getattr(lobby, name).pk}"]
        assert _state() == before

    def test_a_closed_survey_takes_no_answer(self, world):
        lobby = lobby_survey(world)
        services.consultation_close(actor=world.user("staff"), consultation=lobby.survey)
        before = _state()
        with pytest.raises(ValidationError) as refused:
            services.response_submit(
                actor=world.user("resident"), consultation=lobby.survey, answers=lobby.answers()
            )
        assert refused.value.code == "closed"
        assert _state() == before

    def test_past_its_closing_time_a_survey_takes_no_answer(self, world):
        lobby = lobby_survey(world)
        Consultation.objects.filter(pk=lobby.survey.pk).update(
            opens_at=timezone.now() - datetime.timedelta(days=2),
            closes_at=timezone.now() - datetime.timedelta(minutes=1),
        )
        lobby.survey.refresh_from_db()
        before = _state()
        with pytest.raises(ValidationError):
            services.response_submit(
                actor=world.user("resident"), consultation=lobby.survey, answers=lobby.answers()
            )
        assert _state() == before

    def test_one_answer_per_household_the_first_counts(self, world):
        family = _neighbour(world)
        lobby = lobby_survey(world)
        services.response_submit(
            actor=world.user("resident"), consultation=lobby.survey, answers=lobby.answers()
        )
        before = _state()
        for actor in (world.user("resident"), family):
            with pytest.raises(ValidationError) as refused:
                services.response_submit(
                    actor=actor, consultation=lobby.survey, answers=lobby.answers()
                )
            assert refused.value.code == "answered"
        assert "household" in str(refused.value.messages[0]) or refused.value.messages
        assert _state() == before

    def test_per_person_each_adult_answers_once(self, world):
        family = _neighbour(world)
        _neighbour(world, minor=True, name="小朋友")
        lobby = lobby_survey(world, unit=Consultation.Unit.PERSON)
        assert selectors.invited_count(lobby.survey) == 2
        for actor in (world.user("resident"), family):
            services.response_submit(
                actor=actor, consultation=lobby.survey, answers=lobby.answers()
            )
        assert Participation.objects.filter(household__isnull=True).count() == 2
        with pytest.raises(ValidationError):
            services.response_submit(
                actor=family, consultation=lobby.survey, answers=lobby.answers()
            )

    def test_people_not_asked_are_refused(self, world):
        elsewhere = _neighbour(world, flat=world.flat2)
        lobby = lobby_survey(world)
        before = _state()
        with pytest.raises(ValidationError) as refused:
            services.response_submit(
                actor=elsewhere, consultation=lobby.survey, answers=lobby.answers()
            )
        assert refused.value.code == "not_asked"
        with pytest.raises(PermissionDenied):
            services.response_submit(
                actor=world.user("staff"), consultation=lobby.survey, answers=lobby.answers()
            )
        assert _state() == before

    def test_owners_only_leaves_tenants_out(self, world):
        tenant = _neighbour(world, tenant=True)
        lobby = lobby_survey(world, owners_only=True, unit=Consultation.Unit.PERSON)
        with pytest.raises(ValidationError):
            services.response_submit(
                actor=tenant, consultation=lobby.survey, answers=lobby.answers()
            )
        services.response_submit(
            actor=world.user("resident"), consultation=lobby.survey, answers=lobby.answers()
        )

    def test_a_list_asks_the_people_on_it(self, world):
        other = _neighbour(world, flat=FlatFactory(building=world.b2, number="202"))
        lobby = lobby_survey(
            world,
            scope=Consultation.Scope.LIST,
            audience_buildings=[],
            audience_people=[other.people.get()],
            unit=Consultation.Unit.PERSON,
        )
        with pytest.raises(ValidationError):
            services.response_submit(
                actor=world.user("resident"), consultation=lobby.survey, answers=lobby.answers()
            )
        response = services.response_submit(
            actor=other, consultation=lobby.survey, answers=lobby.answers()
        )
        assert response.building == world.b2


class TestAnonymous:
    def test_who_answered_and_what_are_not_linked(self, world):
        lobby = lobby_survey(world, anonymous=True)
        response = services.response_submit(
            actor=world.user("resident"), consultation=lobby.survey, answers=lobby.answers()
        )
        response.refresh_from_db()
        participation = Participation.objects.get()
        assert response.respondent is None and response.household is None
        assert response.building == world.b1  # results by building still work
        assert response.submitted_at.minute == 0 and response.submitted_at.second == 0
        assert participation.person == world.person1
        assert participation.answered_on is None
        assert not any(
            f.related_model is Response for f in Participation._meta.get_fields() if f.is_relation
        )
        assert not AuditEvent.objects.filter(action="consultation.answer").exists()
        with pytest.raises(ValidationError):
            services.response_submit(
                actor=world.user("resident"), consultation=lobby.survey, answers=lobby.answers()
            )

    def test_no_draft_is_kept_on_the_server(self, world):
        lobby = lobby_survey(world, anonymous=True)
        with pytest.raises(ValidationError) as refused:
            services.draft_save(
                actor=world.user("resident"), consultation=lobby.survey, data={"q1": "1"}
            )
        assert refused.value.code == "anonymous"
        assert not Draft.objects.exists()


class TestDrafts:
    def test_a_named_surveys_draft_is_kept_and_replaced(self, world):
        lobby = lobby_survey(world)
        for text in ("一", "一二"):
            services.draft_save(
                actor=world.user("resident"),
                consultation=lobby.survey,
                data={f"q{lobby.why.pk}": [text], "csrfmiddlewaretoken": "x"},
            )
        turn = selectors.my_turn(actor=world.user("resident"), consultation=lobby.survey)
        assert turn.draft == {f"q{lobby.why.pk}": ["一二"]}

    def test_a_draft_too_long_is_refused(self, world):
        lobby = lobby_survey(world)
        with pytest.raises(ValidationError):
            services.draft_save(
                actor=world.user("resident"),
                consultation=lobby.survey,
                data={f"q{i}": ["长" * 2000] for i in range(20)},
            )
        assert not Draft.objects.exists()


class TestPaper:
    def test_staff_enter_a_households_paper_questionnaire(self, world):
        lobby = lobby_survey(world)
        response = services.paper_response_enter(
            actor=world.user("staff"),
            consultation=lobby.survey,
            household=world.flat1,
            answers=lobby.answers(),
        )
        assert response.channel == Response.Channel.PAPER
        assert response.entered_by == world.user("staff")
        assert response.relation == Response.Relation.OWNER
        before = _state()
        with pytest.raises(ValidationError):
            services.response_submit(
                actor=world.user("resident"), consultation=lobby.survey, answers=lobby.answers()
            )
        with pytest.raises(ValidationError):
            services.paper_response_enter(
                actor=world.user("staff"),
                consultation=lobby.survey,
                household=world.flat1,
                answers=lobby.answers(),
            )
        assert _state() == before

    def test_paper_for_a_household_not_asked_or_by_others_is_refused(self, world):
        lobby = lobby_survey(world)
        before = _state()
        with pytest.raises(ValidationError):
            services.paper_response_enter(
                actor=world.user("staff"),
                consultation=lobby.survey,
                household=world.flat2,
                answers=lobby.answers(),
            )
        with pytest.raises(PermissionDenied):
            services.paper_response_enter(
                actor=world.user("resident"),
                consultation=lobby.survey,
                household=world.flat1,
                answers=lobby.answers(),
            )
        assert _state() == before


class TestRemindAndClose:
    def test_reminders_go_to_those_who_have_not_answered(self, world):
        other_flat = FlatFactory(building=world.b1, number="102")
        waiting = _neighbour(world, flat=other_flat)
        lobby = lobby_survey(world)
        services.response_submit(
            actor=world.user("resident"), consultation=lobby.survey, answers=lobby.answers()
        )
        told = services.consultation_remind(actor=world.user("staff"), consultation=lobby.survey)
        assert told == 1
        reminded = Notification.objects.filter(kind="consultation.reminder")
        assert list(reminded.values_list("recipient", flat=True)) == [waiting.pk]

    def test_the_worker_reminds_and_closes_when_due(self, world):
        _neighbour(world, flat=FlatFactory(building=world.b1, number="102"))
        lobby = lobby_survey(world)
        assert tasks.consultation_remind_due.call(lobby.survey.pk) == 2
        assert tasks.consultation_close_due.call(lobby.survey.pk) == "closed"
        assert tasks.consultation_close_due.call(lobby.survey.pk) == "nothing to do"
        lobby.survey.refresh_from_db()
        assert lobby.survey.status == Consultation.Status.CLOSED
        assert tasks.consultation_remind_due.call(lobby.survey.pk) == 0

    def test_only_those_who_run_it_close_it(self, world):
        lobby = lobby_survey(world)
        before = _state()
        with pytest.raises(PermissionDenied):
            services.consultation_close(actor=world.user("leader"), consultation=lobby.survey)
        assert _state() == before
