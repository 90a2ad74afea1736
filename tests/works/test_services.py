"""The works services: each refusal writes nothing; the designer acts on their own project only;
the design vote is the right residents' vote; the owners' decision offer uses item 7 or 8
scoped to the building; the acceptance and evaluation rules."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from linju.core.models import AuditEvent
from linju.decisions.models import Decision, DecisionBuilding, Option
from linju.projects.models import Project
from linju.works import requirements, selectors, services
from linju.works.models import (
    AcceptanceItem,
    AcceptanceSigner,
    DesignOption,
    DesignPhoto,
    DesignPlan,
    DesignVote,
    Evaluation,
    Milestone,
    MilestonePhoto,
    OwnersDecisionLink,
    Quote,
    SignaturePhoto,
    SupervisionEntry,
)
from tests import factories as f
from tests.works.factories import (
    designer,
    pdf,
    photo,
    run_vote,
    start_vote,
    with_options,
)
from tests.works.factories import (
    project as make_project,
)

WORKS_MODELS = (
    DesignPlan,
    DesignOption,
    DesignPhoto,
    DesignVote,
    OwnersDecisionLink,
    Quote,
    Milestone,
    MilestonePhoto,
    SupervisionEntry,
    AcceptanceItem,
    AcceptanceSigner,
    SignaturePhoto,
    Evaluation,
    Decision,
    Option,
    AuditEvent,
)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in WORKS_MODELS}


class Refused:
    """``with Refused(ValidationError):`` asserts the call is refused and wrote nothing."""

    def __init__(self, error: type[Exception]):
        self.error = error

    def __enter__(self):
        self.before = _counts()
        self.raises = pytest.raises(self.error)
        return self.raises.__enter__()

    def __exit__(self, *exc):
        handled = self.raises.__exit__(*exc)
        assert _counts() == self.before, "refused, but something was written"
        return handled


@pytest.mark.django_db
class TestDesignPlanAdd:
    def test_the_projects_designer_uploads_a_plan_with_photos_and_a_pdf(
        self, world, project, django_capture_on_commit_callbacks
    ):
        who = designer(world, project)
        with django_capture_on_commit_callbacks(execute=True):
            plan = services.design_plan_add(
                actor=who, project=project, title="大堂平面图", photos=[photo(), photo()], pdf=pdf()
            )
        assert plan.photos.count() == 2 and plan.pdf.name.endswith(".pdf")
        photo_row = plan.photos.first()
        assert photo_row.thumb and photo_row.web  # made by the background task

    def test_a_designer_of_another_project_cannot_and_nothing_is_written(self, world, project):
        other = make_project(world, building=world.b2, title="2号楼")
        who = designer(world, other)
        with Refused(PermissionDenied):
            services.design_plan_add(actor=who, project=project, title="x", photos=[photo()])

    @pytest.mark.parametrize("role", ["resident", "leader_other_building", "staff_other_estate"])
    def test_others_cannot(self, world, project, role):
        with Refused(PermissionDenied):
            services.design_plan_add(
                actor=world.users[role], project=project, title="x", photos=[photo()]
            )

    def test_a_plan_needs_a_photo_or_a_pdf(self, world, project):
        with Refused(ValidationError):
            services.design_plan_add(actor=world.users["staff"], project=project, title="x")

    def test_a_file_that_is_not_a_photo_refuses_the_whole_plan(self, world, project):
        from django.core.files.uploadedfile import SimpleUploadedFile

        bad = SimpleUploadedFile("x.png", b"not an image")
        with Refused(ValidationError):
            services.design_plan_add(
                actor=world.users["leader"], project=project, title="x", photos=[photo(), bad]
            )

    def test_a_fake_pdf_is_refused(self, world, project):
        from django.core.files.uploadedfile import SimpleUploadedFile

        with Refused(ValidationError):
            services.design_plan_add(
                actor=world.users["staff"],
                project=project,
                title="x",
                pdf=SimpleUploadedFile("x.pdf", b"<html>"),
            )

    def test_a_cancelled_project_takes_nothing(self, world, project):
        Project.objects.filter(pk=project.pk).update(status="cancelled")
        with Refused(ValidationError):
            services.design_plan_add(
                actor=world.users["staff"], project=project, title="x", photos=[photo()]
            )


@pytest.mark.django_db
class TestDesignOptionAdd:
    def test_adds_in_order_with_a_decimal_cost(self, world, project):
        who = designer(world, project)
        first = services.design_option_add(
            actor=who, project=project, label="温馨木色", estimated_cost="12800.50"
        )
        second = services.design_option_add(actor=who, project=project, label="简约明亮")
        assert (first.position, second.position) == (0, 1)
        assert str(first.estimated_cost) == "12800.50"

    @pytest.mark.parametrize("cost", ["-1", "0", "abc", "1.234", "NaN", "1e30"])
    def test_bad_costs_are_refused(self, world, project, cost):
        with Refused(ValidationError):
            services.design_option_add(
                actor=world.users["staff"], project=project, label="A", estimated_cost=cost
            )

    def test_the_same_label_twice_is_refused(self, world, project):
        services.design_option_add(actor=world.users["staff"], project=project, label="A")
        with Refused(ValidationError):
            services.design_option_add(actor=world.users["staff"], project=project, label=" A ")

    def test_no_new_option_once_the_vote_started(self, world, project):
        with_options(world, project)
        start_vote(world, project)
        with Refused(ValidationError):
            services.design_option_add(actor=world.users["staff"], project=project, label="C")


@pytest.mark.django_db
class TestDesignVoteStart:
    def test_a_residents_vote_of_the_building_with_the_options_announced(self, world, project):
        with_options(world, project)
        vote = start_vote(world, project)
        decision = vote.decision
        assert decision.kind == Decision.Kind.RESIDENTS
        assert decision.unit == Decision.Unit.HOUSEHOLD
        assert decision.status == Decision.Status.ANNOUNCED
        assert list(decision.options.values_list("label", flat=True)) == ["温馨木色", "简约明亮"]
        assert list(
            DecisionBuilding.objects.filter(decision=decision).values_list("building", flat=True)
        ) == [world.b1.pk]
        options = DesignOption.objects.filter(project=project).order_by("position")
        assert [o.vote_option.label for o in options] == ["温馨木色", "简约明亮"]

    def test_one_option_is_not_enough(self, world, project):
        services.design_option_add(actor=world.users["staff"], project=project, label="A")
        with Refused(ValidationError):
            start_vote(world, project)

    @pytest.mark.parametrize("role", ["leader", "property", "resident"])
    def test_only_organisers_start_it(self, world, project, role):
        with_options(world, project)
        now = timezone.now()
        with Refused(PermissionDenied):
            services.design_vote_start(
                actor=world.users[role],
                project=project,
                opens_at=now + datetime.timedelta(days=16),
                closes_at=now + datetime.timedelta(days=30),
            )

    def test_the_notice_period_of_the_decisions_app_applies(self, world, project):
        with_options(world, project)
        now = timezone.now()
        with Refused(ValidationError):
            services.design_vote_start(
                actor=world.users["staff"],
                project=project,
                opens_at=now + datetime.timedelta(days=2),
                closes_at=now + datetime.timedelta(days=9),
            )

    def test_a_second_vote_is_refused_while_one_runs(self, world, project):
        with_options(world, project)
        start_vote(world, project)
        with Refused(ValidationError):
            start_vote(world, project)


@pytest.mark.django_db
class TestDesignRequirements:
    def test_design_options_needs_a_plan_and_two_options(self, world, project):
        assert requirements.design_options(project) is not None
        services.design_option_add(actor=world.users["staff"], project=project, label="A")
        services.design_option_add(actor=world.users["staff"], project=project, label="B")
        assert requirements.design_options(project) is not None  # no plan yet
        services.design_plan_add(
            actor=world.users["staff"], project=project, title="图", photos=[photo()]
        )
        assert requirements.design_options(project) is None

    def test_design_approved_once_published_with_a_winner(self, world, project):
        with_options(world, project)
        assert requirements.design_approved(project) is not None
        vote = start_vote(world, project)
        assert requirements.design_approved(project) is not None
        decision = run_vote(world, vote, {world.users["resident"]: "简约明亮"}, to="tallied")
        assert requirements.design_approved(project) is not None  # counted, not published
        from linju.decisions import services as decisions

        decisions.decision_publish(actor=world.users["staff"], decision=decision)
        assert requirements.design_approved(project) is None
        assert selectors.design_chosen_option(project=project).label == "简约明亮"

    def test_no_winner_without_quorum(self, world, project):
        with_options(world, project)
        # building 1 has one household; nobody votes
        run_vote(world, start_vote(world, project), {})
        assert requirements.design_approved(project) is not None
        assert selectors.design_chosen_option(project=project) is None


@pytest.mark.django_db
class TestOwnersDecisionOffer:
    @pytest.mark.parametrize(
        ("flags", "matter"),
        [({"touches_facade": True}, 7), ({"changes_common_use": True}, 8)],
    )
    def test_drafts_the_right_item_scoped_to_the_building(self, world, project, flags, matter):
        services.design_scope_set(actor=world.users["leader"], project=project, **flags)
        decision = services.owners_decision_offer(
            actor=world.users["staff"], project=project, matter=matter
        )
        assert decision.kind == Decision.Kind.OWNERS and decision.matter == matter
        assert decision.status == Decision.Status.DRAFT
        assert list(decision.buildings.values_list("pk", flat=True)) == [world.b1.pk]
        assert OwnersDecisionLink.objects.get(project=project).decision == decision

    def test_refused_when_the_works_do_not_call_for_it(self, world, project):
        services.design_scope_set(actor=world.users["staff"], project=project, touches_lifts=True)
        with Refused(ValidationError):
            services.owners_decision_offer(actor=world.users["staff"], project=project, matter=8)

    def test_refused_twice(self, world, project):
        services.design_scope_set(actor=world.users["staff"], project=project, touches_lifts=True)
        services.owners_decision_offer(actor=world.users["staff"], project=project, matter=7)
        with Refused(ValidationError):
            services.owners_decision_offer(actor=world.users["staff"], project=project, matter=7)

    def test_a_leader_is_not_offered_it(self, world, project):
        services.design_scope_set(actor=world.users["staff"], project=project, touches_lifts=True)
        with Refused(PermissionDenied):
            services.owners_decision_offer(actor=world.users["leader"], project=project, matter=7)

    def test_the_selector_lists_what_is_still_to_draft(self, world, project):
        services.design_scope_set(
            actor=world.users["staff"],
            project=project,
            touches_facade=True,
            changes_common_use=True,
        )
        assert selectors.design_get(project=project).offers == [7, 8]
        services.owners_decision_offer(actor=world.users["staff"], project=project, matter=8)
        assert selectors.design_get(project=project).offers == [7]


@pytest.mark.django_db
class TestQuotes:
    def test_cheapest_marked_and_one_chosen_with_a_reason(self, world, project):
        leader = world.users["leader"]
        a = services.quote_add(actor=leader, project=project, contractor="甲", amount="18000")
        b = services.quote_add(actor=leader, project=project, contractor="乙", amount="15500.5")
        compared = selectors.quotes_compared(project=project)
        assert [(q.contractor, q.cheapest) for q in compared] == [("乙", True), ("甲", False)]
        services.quote_choose(actor=leader, quote=a, reason="质保三年，用料更好")
        services.quote_choose(actor=leader, quote=b, reason="居民代表复核后改选")
        assert list(Quote.objects.filter(chosen=True).values_list("contractor", flat=True)) == [
            "乙"
        ]

    def test_choosing_needs_a_reason(self, world, project):
        quote = services.quote_add(
            actor=world.users["staff"], project=project, contractor="甲", amount="1"
        )
        with Refused(ValidationError):
            services.quote_choose(actor=world.users["staff"], quote=quote, reason="  ")

    def test_a_resident_cannot_add_a_quote(self, world, project):
        with Refused(PermissionDenied):
            services.quote_add(
                actor=world.users["resident"], project=project, contractor="甲", amount="1"
            )


@pytest.mark.django_db
class TestMilestonesAndSupervision:
    def test_works_done_needs_every_milestone_done_with_a_photo(self, world, project):
        assert requirements.works_done(project) is not None
        staff = world.users["staff"]
        first = services.milestone_add(actor=staff, project=project, title="拆除旧吊顶")
        second = services.milestone_add(actor=staff, project=project, title="铺设地砖")
        with Refused(ValidationError):
            services.milestone_complete(actor=staff, milestone=first, photos=[])
        services.milestone_complete(actor=staff, milestone=first, photos=[photo()])
        assert requirements.works_done(project) is not None
        services.milestone_complete(actor=staff, milestone=second, photos=[photo()])
        assert requirements.works_done(project) is None
        with Refused(ValidationError):
            services.milestone_complete(actor=staff, milestone=second, photos=[photo()])

    def test_the_projects_contractor_marks_a_milestone_done(self, world, project):
        from linju.projects.models import ProjectMember

        contractor = f.UserFactory(username="contractor")
        ProjectMember.objects.create(project=project, user=contractor, kind="contractor")
        milestone = services.milestone_add(
            actor=world.users["staff"], project=project, title="完工"
        )
        services.milestone_complete(actor=contractor, milestone=milestone, photos=[photo()])
        assert Milestone.objects.get(pk=milestone.pk).done_by == contractor

    def test_residents_of_the_building_write_the_log_others_do_not(self, world, project):
        services.supervision_add(
            actor=world.users["resident"], project=project, text="今天地砖到货，已核对型号。"
        )
        assert SupervisionEntry.objects.count() == 1
        with Refused(PermissionDenied):
            services.supervision_add(
                actor=world.users["leader_other_building"], project=project, text="x"
            )
        with Refused(ValidationError):
            services.supervision_add(actor=world.users["resident"], project=project, text=" ")


def _representative(world, project):
    services.acceptance_item_add(actor=world.users["staff"], project=project, text="地砖平整")
    return services.acceptance_representatives_set(
        actor=world.users["leader"], project=project, people=[world.person1]
    )[0]


@pytest.mark.django_db
class TestAcceptance:
    def test_signed_by_every_representative_and_nothing_failed(self, world, project):
        staff = world.users["staff"]
        signer = _representative(world, project)
        item = AcceptanceItem.objects.get(project=project)
        assert requirements.acceptance_signed(project) is not None
        with Refused(ValidationError):  # the item has no result yet
            services.acceptance_sign(actor=world.users["resident"], signer=signer)
        services.acceptance_item_check(actor=staff, item=item, result="pass")
        services.acceptance_sign(actor=world.users["resident"], signer=signer)
        assert requirements.acceptance_signed(project) is None
        with Refused(ValidationError):  # fixed once signed
            services.acceptance_item_check(actor=staff, item=item, result="fail", note="裂缝")

    def test_only_the_representative_signs_in_the_app(self, world, project):
        signer = _representative(world, project)
        services.acceptance_item_check(
            actor=world.users["staff"], item=AcceptanceItem.objects.get(), result="pass"
        )
        for role in ("staff", "leader", "admin", "outsider"):
            with Refused(PermissionDenied):
                services.acceptance_sign(actor=world.users[role], signer=signer)

    def test_staff_record_a_paper_signature_with_its_photo(self, world, project):
        signer = _representative(world, project)
        services.acceptance_item_check(
            actor=world.users["staff"],
            item=AcceptanceItem.objects.get(),
            result="note",
            note="一块地砖有划痕，已约定更换",
        )
        with Refused(ValidationError):
            services.acceptance_paper_record(actor=world.users["staff"], signer=signer, photo=None)
        with Refused(PermissionDenied):
            services.acceptance_paper_record(
                actor=world.users["leader"], signer=signer, photo=photo()
            )
        services.acceptance_paper_record(actor=world.users["staff"], signer=signer, photo=photo())
        signer.refresh_from_db()
        assert signer.mode == "paper" and signer.paper_photo.image
        assert requirements.acceptance_signed(project) is None

    def test_a_failed_item_keeps_the_acceptance_unsigned(self, world, project):
        signer = _representative(world, project)
        services.acceptance_item_check(
            actor=world.users["staff"],
            item=AcceptanceItem.objects.get(),
            result="fail",
            note="渗水",
        )
        services.acceptance_sign(actor=world.users["resident"], signer=signer)
        with translation.override("en"):
            assert "failed" in requirements.acceptance_signed(project)

    def test_a_failure_needs_a_remark(self, world, project):
        _representative(world, project)
        with Refused(ValidationError):
            services.acceptance_item_check(
                actor=world.users["staff"], item=AcceptanceItem.objects.get(), result="fail"
            )

    @pytest.mark.parametrize("count", [0, 6])
    def test_one_to_five_representatives(self, world, project, count):
        from tests.factories import OccupancyFactory, PersonFactory

        people = []
        for i in range(count):
            person = PersonFactory(estate=world.here, full_name=f"代表{i}")
            OccupancyFactory(flat=world.flat1, person=person)
            people.append(person)
        with Refused(ValidationError):
            services.acceptance_representatives_set(
                actor=world.users["staff"], project=project, people=people
            )

    def test_representatives_live_in_the_building(self, world, project):
        with Refused(ValidationError):
            services.acceptance_representatives_set(
                actor=world.users["staff"], project=project, people=[world.person2]
            )


@pytest.mark.django_db
class TestEvaluation:
    def test_one_per_resident_changeable_until_the_project_ends(self, world, project):
        resident = world.users["resident"]
        services.evaluation_give(
            actor=resident, project=project, result_rating=4, process_rating=5, comment="很满意"
        )
        services.evaluation_give(actor=resident, project=project, result_rating=5, process_rating=5)
        assert Evaluation.objects.filter(project=project).count() == 1
        summary = selectors.evaluation_summary(project=project)
        assert (summary.count, str(summary.result_average)) == (1, "5.0")
        Project.objects.filter(pk=project.pk).update(status="finished")
        with Refused(ValidationError):
            services.evaluation_give(
                actor=resident, project=project, result_rating=1, process_rating=1
            )

    @pytest.mark.parametrize("rating", [0, 6, "x", None])
    def test_ratings_are_1_to_5(self, world, project, rating):
        with Refused(ValidationError):
            services.evaluation_give(
                actor=world.users["resident"],
                project=project,
                result_rating=rating,
                process_rating=3,
            )

    @pytest.mark.parametrize("role", ["staff", "leader_other_building", "outsider"])
    def test_only_residents_of_the_building(self, world, project, role):
        with Refused(PermissionDenied):
            services.evaluation_give(
                actor=world.users[role], project=project, result_rating=3, process_rating=3
            )

    def test_averages_are_exact_then_rounded(self, world, project):
        from tests.factories import OccupancyFactory, PersonFactory, UserFactory

        for i, (result, process) in enumerate([(5, 4), (4, 4), (4, 3)]):
            user = UserFactory(username=f"r{i}")
            OccupancyFactory(flat=world.flat1, person=PersonFactory(estate=world.here, user=user))
            services.evaluation_give(
                actor=user, project=project, result_rating=result, process_rating=process
            )
        summary = selectors.evaluation_summary(project=project)
        assert (str(summary.result_average), str(summary.process_average)) == ("4.3", "3.7")
