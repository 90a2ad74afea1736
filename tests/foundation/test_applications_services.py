"""Application services: a building's leader applies from the project, submits against the
programme's rules, the estate's staff endorse or return it, the foundation receives it, asks
for documents and moves it through review. Every step is on the applicant's timeline; a
refused step writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.foundation import services
from linju.foundation.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationPhoto,
    DocumentRequest,
)
from linju.notifications.models import Notification
from linju.projects import services as project_services
from tests.foundation.factories import (
    make_application,
    make_programme,
    make_project,
    pdf,
    png,
)

pytestmark = pytest.mark.django_db


def _create(world, programme, project, actor="leader", **values):
    fields = {
        "title": "1号楼 楼道焕新",
        "plan": "粉刷楼道",
        "budget": "48000.00",
        "requested": "30000.00",
    }
    fields.update(values)
    return services.application_create(
        actor=world.users[actor], programme=programme, project=project, **fields
    )


def _snapshot():
    return (
        Application.objects.count(),
        ApplicationEvent.objects.count(),
        AuditEvent.objects.count(),
        list(Application.objects.values_list("status", flat=True)),
    )


class TestApplicationCreate:
    def test_the_leader_applies_from_the_project(self, world, immediate_tasks):
        project = make_project(world)
        project_services.photo_add(actor=world.users["leader"], project=project, upload=png())
        application = _create(world, make_programme(world), project)
        assert application.status == Application.Status.DRAFT
        assert application.estate == world.here and application.building == world.b1
        assert application.cofunding_raised == Decimal("12000.00")
        assert ApplicationPhoto.objects.filter(application=application).count() == 1
        copy = ApplicationPhoto.objects.get(application=application)
        assert copy.image.name != project.photos.get().image.name
        assert list(application.events.values_list("kind", flat=True)) == ["created"]

    @pytest.mark.parametrize("role", ["resident", "leader_other_building", "foundation"])
    def test_others_may_not_apply_for_building_1(self, world, role):
        programme, project = make_programme(world), make_project(world)
        before = _snapshot()
        with pytest.raises(PermissionDenied):
            _create(world, programme, project, actor=role)
        assert _snapshot() == before

    def test_staff_apply_for_any_building_of_the_estate(self, world):
        application = _create(world, make_programme(world), make_project(world), actor="staff")
        assert application.created_by == world.users["staff"]

    def test_one_application_per_project_and_programme(self, world):
        programme, project = make_programme(world), make_project(world)
        _create(world, programme, project)
        before = _snapshot()
        with pytest.raises(ValidationError):
            _create(world, programme, project)
        assert _snapshot() == before

    def test_a_draft_programme_takes_no_application(self, world):
        programme, project = make_programme(world, published=False), make_project(world)
        before = _snapshot()
        with pytest.raises(ValidationError):
            _create(world, programme, project)
        assert _snapshot() == before

    def test_an_estate_wide_project_cannot_apply_to_a_building_programme(self, world):
        from linju.projects import services as projects

        project = projects.project_create(
            actor=world.users["staff"], estate=world.here, building=None, title="全小区"
        )
        with pytest.raises(ValidationError, match="building groups only"):
            _create(world, make_programme(world), project, actor="staff")
        assert Application.objects.count() == 0

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"requested": "48000.01"}, "requested"),
            ({"requested": "40000.01", "budget": "90000"}, "requested"),
            ({"title": ""}, "title"),
            ({"plan": "计" * 8001}, "plan"),
            ({"budget": "-1"}, "budget"),
            ({"support": "x\x00"}, "support"),
        ],
    )
    def test_bad_values_are_refused(self, world, values, field):
        programme, project = make_programme(world), make_project(world)
        before = _snapshot()
        with pytest.raises(ValidationError) as caught:
            _create(world, programme, project, **values)
        assert field in caught.value.message_dict
        assert _snapshot() == before

    def test_a_vote_of_another_estate_is_not_support(self, world):
        from tests.decisions.factories import DecisionFactory

        decision = DecisionFactory(estate=world.there, state="published")
        with pytest.raises(ValidationError) as caught:
            _create(world, make_programme(world), make_project(world), support_decision=decision)
        assert "support_decision" in caught.value.message_dict
        assert Application.objects.count() == 0


class TestEligibility:
    """The rules read on the programme, checked at submission, each with its own sentence."""

    def _problems(self, programme, budget="48000", requested="30000", raised="12000", today=None):
        return services.eligibility_problems(
            programme=programme,
            budget=Decimal(budget),
            requested=Decimal(requested),
            raised=Decimal(raised),
            today=today or timezone.localdate(),
        )

    def test_an_application_within_the_rules_has_no_problem(self, world):
        assert self._problems(make_programme(world)) == []

    def test_the_cofunding_share_is_exact_at_the_boundary(self, world):
        programme = make_programme(world, min_cofunding_share="20")
        assert self._problems(programme, budget="48000.05", raised="9600.01") == []
        [problem] = self._problems(programme, budget="48000.05", raised="9600.00")
        assert "9600.00" in problem and "20%" in problem and "9600.01" in problem

    def test_a_third_is_compared_as_a_fraction(self, world):
        programme = make_programme(world, min_cofunding_share="33.33")
        assert self._problems(programme, budget="300", requested="100", raised="99.99") == []
        assert self._problems(programme, budget="300", requested="100", raised="99.98") != []

    def test_the_call_window(self, world):
        programme = make_programme(world)
        before = programme.call_opens - datetime.timedelta(days=1)
        after = programme.call_closes + datetime.timedelta(days=1)
        assert "opens" in self._problems(programme, today=before)[0]
        assert "closed" in self._problems(programme, today=after)[0]
        assert self._problems(programme, today=programme.call_opens) == []
        assert self._problems(programme, today=programme.call_closes) == []

    def test_the_most_per_application(self, world):
        programme = make_programme(world, max_amount="40000")
        [problem] = self._problems(programme, budget="90000", requested="40000.01", raised="20000")
        assert "40000" in problem


class TestSubmitEndorseReceive:
    def test_the_whole_road_to_the_foundation(self, world, django_capture_on_commit_callbacks):
        application = make_application(world)
        leader, staff, officer = (world.users[r] for r in ("leader", "staff", "foundation"))
        with django_capture_on_commit_callbacks(execute=True):
            services.application_submit(actor=leader, application=application)
        application.refresh_from_db()
        assert application.status == "submitted" and application.submitted_at is not None
        assert Notification.objects.filter(recipient=staff, kind="foundation.submitted").exists()
        services.application_endorse(actor=staff, application=application, message="同意")
        with django_capture_on_commit_callbacks(execute=True):
            services.application_receive(actor=officer, application=application)
        application.refresh_from_db()
        assert application.status == "received"
        assert list(application.events.values_list("kind", "to_status")) == [
            ("created", "draft"),
            ("submitted", "submitted"),
            ("endorsed", "endorsed"),
            ("received", "received"),
        ]
        assert Notification.objects.filter(recipient=leader, kind="foundation.received").exists()

    def test_cofunding_is_read_again_at_submission(self, world):
        from linju.funding import services as funding

        application = make_application(world)
        funding.contribution_record(
            actor=world.users["leader"],
            fund=application.project.fund,
            amount="500.00",
            method="cash",
        )
        services.application_submit(actor=world.users["leader"], application=application)
        application.refresh_from_db()
        assert application.cofunding_raised == Decimal("12500.00")

    def test_too_little_cofunding_is_refused_with_the_reason(self, world):
        project = make_project(world, raised="9599.99", budget="48000.00")
        application = make_application(world, project=project)
        before = _snapshot()
        with pytest.raises(ValidationError) as caught:
            services.application_submit(actor=world.users["leader"], application=application)
        assert "9599.99" in caught.value.messages[0]
        assert _snapshot() == before

    def test_a_closed_call_refuses_submission(self, world):
        application = make_application(world)
        from linju.foundation.models import Programme

        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        Programme.objects.filter(pk=application.programme_id).update(call_closes=yesterday)
        before = _snapshot()
        with pytest.raises(ValidationError, match="closed"):
            services.application_submit(actor=world.users["leader"], application=application)
        assert _snapshot() == before

    def test_only_staff_endorse(self, world):
        application = make_application(world, state="submitted")
        before = _snapshot()
        for role in ("leader", "owners_committee", "property", "foundation"):
            with pytest.raises(PermissionDenied):
                services.application_endorse(actor=world.users[role], application=application)
        assert _snapshot() == before

    def test_returned_with_a_message_then_submitted_again(
        self, world, django_capture_on_commit_callbacks
    ):
        application = make_application(world, state="submitted")
        staff, leader = world.users["staff"], world.users["leader"]
        with pytest.raises(ValidationError):
            services.application_return(actor=staff, application=application, message=" ")
        with django_capture_on_commit_callbacks(execute=True):
            services.application_return(actor=staff, application=application, message="请补充预算")
        application.refresh_from_db()
        assert application.status == "returned"
        assert application.events.last().message == "请补充预算"
        note = Notification.objects.get(recipient=leader, kind="foundation.returned")
        assert note.body == "请补充预算"
        services.application_update(
            actor=leader,
            application=application,
            title="新标题",
            plan="新方案",
            budget="48000",
            requested="30000",
        )
        services.application_submit(actor=leader, application=application)
        application.refresh_from_db()
        assert application.status == "submitted" and application.title == "新标题"

    def test_a_sent_application_is_not_edited(self, world):
        application = make_application(world, state="submitted")
        with pytest.raises(ValidationError):
            services.application_update(
                actor=world.users["leader"],
                application=application,
                title="改",
                plan="改",
                budget="48000",
                requested="1",
            )
        application.refresh_from_db()
        assert application.title != "改"

    def test_the_foundation_receives_only_endorsed_applications(self, world):
        application = make_application(world, state="submitted")
        before = _snapshot()
        with pytest.raises(ValidationError):
            services.application_receive(actor=world.users["foundation"], application=application)
        assert _snapshot() == before


class TestReviewMoves:
    def test_under_review_then_shortlisted(self, world):
        application = make_application(world, state="under_review")
        services.application_move(
            actor=world.users["foundation"], application=application, status="shortlisted"
        )
        application.refresh_from_db()
        assert application.status == "shortlisted"

    @pytest.mark.parametrize("status", ["awarded", "draft", "submitted", "nonsense"])
    def test_moves_off_the_table_are_refused(self, world, status):
        application = make_application(world, state="received")
        before = _snapshot()
        with pytest.raises(ValidationError):
            services.application_move(
                actor=world.users["foundation"], application=application, status=status
            )
        assert _snapshot() == before

    def test_staff_do_not_move_it(self, world):
        application = make_application(world, state="received")
        with pytest.raises(PermissionDenied):
            services.application_move(
                actor=world.users["staff"], application=application, status="under_review"
            )


class TestDocuments:
    def test_the_foundation_asks_and_the_leader_answers_by_uploading(
        self, world, django_capture_on_commit_callbacks
    ):
        application = make_application(world, state="received")
        with django_capture_on_commit_callbacks(execute=True):
            asked = services.document_request_create(
                actor=world.users["foundation"],
                application=application,
                message="请上传三家报价单",
            )
        assert Notification.objects.filter(
            recipient=world.users["leader"], kind="foundation.document_requested"
        ).exists()
        document = services.document_upload(
            actor=world.users["leader"],
            application=application,
            upload=pdf(),
            kind="budget",
            request=asked,
        )
        asked.refresh_from_db()
        assert asked.answered_at is not None
        assert document.request == asked and document.title == "quote.pdf"
        assert document.content_type == "application/pdf"
        kinds = list(application.events.values_list("kind", flat=True))
        assert kinds[-2:] == ["doc_requested", "doc_uploaded"]

    def test_documents_are_asked_for_only_once_received(self, world):
        application = make_application(world, state="submitted")
        with pytest.raises(ValidationError):
            services.document_request_create(
                actor=world.users["foundation"], application=application, message="x"
            )
        assert DocumentRequest.objects.count() == 0

    def test_a_file_that_is_not_a_document_is_refused(self, world, settings):
        from django.core.files.uploadedfile import SimpleUploadedFile

        application = make_application(world, state="received")
        fake = SimpleUploadedFile("quote.pdf", b"<html><script>alert(1)</script>")
        with pytest.raises(ValidationError) as caught:
            services.document_upload(
                actor=world.users["leader"], application=application, upload=fake
            )
        assert "file" in caught.value.message_dict
        assert ApplicationDocument.objects.count() == 0
        media = settings.MEDIA_ROOT
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))

    def test_an_answered_request_is_not_answered_twice(self, world):
        application = make_application(world, state="received")
        asked = services.document_request_create(
            actor=world.users["foundation"], application=application, message="报价单"
        )
        leader = world.users["leader"]
        services.document_upload(actor=leader, application=application, upload=pdf(), request=asked)
        with pytest.raises(ValidationError):
            services.document_upload(
                actor=leader, application=application, upload=pdf(), request=asked
            )
        assert ApplicationDocument.objects.count() == 1

    def test_only_the_applicant_side_uploads(self, world):
        application = make_application(world, state="received")
        for role in ("resident", "foundation", "leader_other_building"):
            with pytest.raises(PermissionDenied):
                services.document_upload(
                    actor=world.users[role], application=application, upload=pdf()
                )
        assert ApplicationDocument.objects.count() == 0


class TestProjectRequirement:
    def test_foundation_applied_is_met_once_received(self, world):
        from linju.projects.requirements import unmet

        application = make_application(world, state="endorsed")
        assert unmet(application.project, "foundation_applied")
        services.application_receive(actor=world.users["foundation"], application=application)
        assert unmet(application.project, "foundation_applied") is None
