"""The services: conflicts of interest enforced, scores, awards within budget, disbursements
on the ledger, the report schedule and reminders. Each refusal writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from linju.core.models import AuditEvent
from linju.foundation.models import Application
from linju.funding import services as funding_services
from linju.funding.models import LedgerEntry
from linju.grants import selectors, services
from linju.grants.models import (
    ConflictDeclaration,
    Disbursement,
    Grant,
    ReportDue,
    ReviewerAssignment,
    Score,
)
from linju.notifications.models import Notification
from tests import factories as f

D = datetime.date


def _counts():
    return (
        ReviewerAssignment.objects.count(),
        Score.objects.count(),
        Grant.objects.count(),
        Disbursement.objects.count(),
        LedgerEntry.objects.count(),
        ReportDue.objects.count(),
        ConflictDeclaration.objects.count(),
        AuditEvent.objects.count(),
    )


class TestConflictsOfInterest:
    def test_a_resident_of_the_estate_does_not_see_or_score_its_applications(self, setup):
        """The resident of ``here`` reviews: only the neighbour's application is shown, and
        scoring one of ``here``'s is refused with a message naming the estate."""
        resident = setup.world.users["resident"]
        assignment = setup.assign(resident)
        [review] = selectors.my_reviews(actor=resident, street=setup.street)
        assert [i.application for i in review.applications] == [setup.app_nb]
        assert review.hidden == 2
        with pytest.raises(Http404):
            selectors.application_for_review(assignment=assignment, application_id=setup.app1.pk)
        before = _counts()
        with pytest.raises(ValidationError) as refused:
            services.scores_submit(
                actor=resident,
                assignment=assignment,
                application=setup.app1,
                scores=setup.sheet(5, 5),
            )
        assert "这里小区" in refused.value.messages[0]
        assert _counts() == before

    def test_a_role_in_the_estate_is_a_conflict(self, setup):
        staff = setup.world.users["leader"]
        assignment = setup.assign(staff)
        with pytest.raises(ValidationError):
            services.scores_submit(
                actor=staff, assignment=assignment, application=setup.app2, scores=setup.sheet(1, 1)
            )

    def test_assigning_someone_of_every_applicant_estate_is_refused(self, setup):
        """With applications from ``here`` only, a resident of ``here`` could review nothing:
        the assignment is refused, nothing written."""
        Application.objects.filter(pk=setup.app_nb.pk).update(status="declined")
        before = _counts()
        with pytest.raises(ValidationError) as refused:
            setup.assign(setup.world.users["resident"])
        assert "reviewer" in refused.value.message_dict
        assert _counts() == before

    def test_a_declared_conflict_hides_the_estate_and_withdraws_scores(self, setup):
        assignment = setup.assign()
        services.scores_submit(
            actor=setup.reviewer,
            assignment=assignment,
            application=setup.app_nb,
            scores=setup.sheet(7, 8),
        )
        services.conflict_declare(
            actor=setup.reviewer, assignment=assignment, estate=setup.neighbour, note="亲属居住"
        )
        assert Score.objects.filter(application=setup.app_nb).count() == 0
        [review] = selectors.my_reviews(actor=setup.reviewer, street=setup.street)
        assert setup.app_nb not in [i.application for i in review.applications]
        with pytest.raises(ValidationError):
            services.scores_submit(
                actor=setup.reviewer,
                assignment=assignment,
                application=setup.app_nb,
                scores=setup.sheet(7, 8),
            )

    def test_only_the_reviewer_scores_on_their_assignment(self, setup):
        assignment = setup.assign()
        with pytest.raises(PermissionDenied):
            services.scores_submit(
                actor=setup.officer,
                assignment=assignment,
                application=setup.app1,
                scores=setup.sheet(5, 5),
            )


class TestScores:
    def test_a_sheet_needs_every_criterion_from_0_to_10(self, setup):
        assignment = setup.assign()
        before = _counts()
        for bad in ({setup.criteria[0].pk: 5}, setup.sheet(11, 5), setup.sheet(-1, 5)):
            with pytest.raises(ValidationError):
                services.scores_submit(
                    actor=setup.reviewer, assignment=assignment, application=setup.app1, scores=bad
                )
        with pytest.raises(ValidationError):
            services.scores_submit(
                actor=setup.reviewer,
                assignment=assignment,
                application=setup.app1,
                scores={c.pk: "5.5" for c in setup.criteria},
            )
        assert _counts() == before

    def test_resubmitting_replaces_the_sheet(self, setup):
        assignment = setup.assign()
        for values in ((3, 4), (8, 9)):
            services.scores_submit(
                actor=setup.reviewer,
                assignment=assignment,
                application=setup.app1,
                scores=setup.sheet(*values),
            )
        assert sorted(Score.objects.values_list("value", flat=True)) == [8, 9]

    def test_the_table_normalises_per_reviewer_and_ranks(self, setup):
        """Two reviewers with the hand-worked scores of test_rules (X=app1, Y=app2, Z=nb)."""
        first = setup.assign()
        second = setup.assign(f.UserFactory(username="second"))
        marks = {
            first: {setup.app1: (9, 9), setup.app2: (7, 8), setup.app_nb: (8, 6)},
            second: {setup.app1: (3, 1), setup.app2: (5, 5), setup.app_nb: (1, 1)},
        }
        for assignment, sheet in marks.items():
            for application, values in sheet.items():
                services.scores_submit(
                    actor=assignment.reviewer,
                    assignment=assignment,
                    application=application,
                    scores=setup.sheet(*values),
                )
        table = selectors.scores_table(programme=setup.programme)
        assert [(r.application, r.rank, r.score_shown) for r in table.rows] == [
            (setup.app2, 2 - 1, "72.2"),
            (setup.app1, 2, "66.7"),
            (setup.app_nb, 3, "22.2"),
        ]
        assert table.rows[1].cells[0].normalised == "100.0"
        assert table.rows[1].cells[1].raw == "2.33"


class TestAward:
    def test_award_within_budget_schedules_reports(self, setup):
        grant = services.grant_award(
            actor=setup.officer,
            application=setup.app1,
            amount="30000",
            conditions="居民志愿者监督施工",
            starts_on=D(2025, 1, 31),
            ends_on=D(2025, 8, 31),
        )
        setup.app1.refresh_from_db()
        assert setup.app1.status == Application.Status.AWARDED
        assert grant.amount == Decimal("30000.00")
        assert list(grant.reports.values_list("kind", "due_on")) == [
            ("quarterly", D(2025, 4, 30)),
            ("quarterly", D(2025, 7, 31)),
            ("final", D(2025, 11, 30)),
        ]
        assert services.remaining_budget(setup.programme) == Decimal("70000.00")

    def test_more_than_the_budget_left_is_refused(self, setup):
        setup.programme.budget = Decimal("40000")
        setup.programme.save()
        services.grant_award(
            actor=setup.officer, application=setup.app1, amount="30000", conditions=""
        )
        before = _counts()
        with pytest.raises(ValidationError) as refused:
            services.grant_award(
                actor=setup.officer, application=setup.app2, amount="10000.01", conditions=""
            )
        assert (
            refused.value.message_dict["amount"][0]
            == "Only ¥10000.00 of the programme's budget is left."
        )
        assert _counts() == before
        setup.app2.refresh_from_db()
        assert setup.app2.status == Application.Status.RECEIVED
        services.grant_award(
            actor=setup.officer, application=setup.app2, amount="10000.00", conditions=""
        )
        assert services.remaining_budget(setup.programme) == Decimal("0.00")

    def test_more_than_asked_is_refused(self, setup):
        before = _counts()
        with pytest.raises(ValidationError):
            services.grant_award(
                actor=setup.officer, application=setup.app2, amount="20000.01", conditions=""
            )
        assert _counts() == before

    def test_only_officers_of_the_street_award(self, setup):
        before = _counts()
        for role in ("staff", "staff_other_estate", "leader"):
            with pytest.raises(PermissionDenied):
                services.grant_award(
                    actor=setup.world.users[role], application=setup.app1, amount="1", conditions=""
                )
        assert _counts() == before

    def test_an_application_is_decided_once(self, setup):
        services.grant_decline(actor=setup.officer, application=setup.app1, reason="预算不清")
        setup.app1.refresh_from_db()
        assert setup.app1.status == Application.Status.NOT_AWARDED
        before = _counts()
        with pytest.raises(ValidationError):
            services.grant_award(
                actor=setup.officer, application=setup.app1, amount="1", conditions=""
            )
        assert _counts() == before

    def test_an_application_not_received_cannot_be_decided(self, setup):
        Application.objects.filter(pk=setup.app1.pk).update(status="endorsed")
        setup.app1.refresh_from_db()
        with pytest.raises(ValidationError):
            services.grant_award(
                actor=setup.officer, application=setup.app1, amount="1", conditions=""
            )

    def test_matching_suggestion_uses_the_programme_rule(self, setup):
        assert services.matching_suggestion(setup.app1) == Decimal("12000.00")


class TestDisburse:
    def _grant(self, setup, amount="30000"):
        return services.grant_award(
            actor=setup.officer, application=setup.app1, amount=amount, conditions=""
        )

    def test_paying_posts_a_ledger_entry_naming_the_foundation(self, setup):
        grant = self._grant(setup)
        fund = setup.app1.project.fund
        disbursement = services.grant_disburse(actor=setup.officer, grant=grant, amount="10000")
        entry = disbursement.ledger_entry
        assert (entry.fund, entry.kind, entry.amount) == (fund, "match", Decimal("10000.00"))
        assert entry.donor == "测试社区基金会" or entry.donor.endswith("社区基金会")
        assert funding_services.money_balance(fund) == Decimal("10000.00")
        # the matching rule does not offset a grant after a residents' contribution
        funding_services.contribution_record(
            actor=setup.world.users["resident"], fund=fund, amount="100", method="cash"
        )
        assert funding_services.money_balance(fund) == Decimal("10100.00")

    def test_never_more_than_awarded_in_total(self, setup):
        grant = self._grant(setup)
        services.grant_disburse(actor=setup.officer, grant=grant, amount="29999.99")
        before = _counts()
        with pytest.raises(ValidationError) as refused:
            services.grant_disburse(actor=setup.officer, grant=grant, amount="0.02")
        assert "0.01" in refused.value.message_dict["amount"][0]
        assert _counts() == before
        services.grant_disburse(actor=setup.officer, grant=grant, amount="0.01")
        assert services.disbursed_total(grant) == Decimal("30000.00")

    def test_no_fund_no_payment(self, setup):
        from tests.grants.factories import application

        app = application(setup.programme, setup.world.here, with_fund=False, requested="100")
        grant = services.grant_award(
            actor=setup.officer, application=app, amount="100", conditions=""
        )
        before = _counts()
        with pytest.raises(ValidationError):
            services.grant_disburse(actor=setup.officer, grant=grant, amount="100")
        assert _counts() == before

    def test_others_cannot_pay(self, setup):
        grant = self._grant(setup)
        before = _counts()
        for role in ("staff", "resident", "admin_less"):
            user = setup.world.users.get(role) or f.UserFactory()
            with pytest.raises(PermissionDenied):
                services.grant_disburse(actor=user, grant=grant, amount="1")
        assert _counts() == before

    def test_a_declined_grant_is_not_paid(self, setup):
        grant = services.grant_decline(actor=setup.officer, application=setup.app1, reason="不符合")
        with pytest.raises(ValidationError):
            services.grant_disburse(actor=setup.officer, grant=grant, amount="1")


class TestReports:
    def _grant(self, setup, starts_on, ends_on):
        return services.grant_award(
            actor=setup.officer,
            application=setup.app1,
            amount="1000",
            conditions="",
            starts_on=starts_on,
            ends_on=ends_on,
        )

    def test_three_month_project_owes_a_final_report_only(self, setup):
        grant = self._grant(setup, D(2025, 3, 1), D(2025, 6, 1))
        assert list(grant.reports.values_list("kind", "due_on")) == [("final", D(2025, 9, 1))]

    def test_reminders_go_out_once(self, setup):
        """A report due within two weeks is reminded once; once overdue, once more (to the
        foundation too); running again sends nothing."""
        today = datetime.date.today()
        grant = self._grant(
            setup, today - datetime.timedelta(days=400), today - datetime.timedelta(days=30)
        )
        final = grant.reports.get(kind="final")
        assert final.due_on > today
        ReportDue.objects.filter(pk=final.pk).update(due_on=today + datetime.timedelta(days=3))
        overdue = [r for r in grant.reports.filter(kind="quarterly")]
        assert overdue and all(r.due_on < today for r in overdue)
        Notification.objects.all().delete()
        sent = services.report_reminders_send(today=today)
        assert sent == len(overdue) + 1
        first_round = Notification.objects.filter(kind="foundation.report_due").count()
        assert first_round > 0
        assert services.report_reminders_send(today=today) == 0
        assert Notification.objects.filter(kind="foundation.report_due").count() == first_round
        # the report due soon becomes overdue: one more reminder, then none
        later = today + datetime.timedelta(days=4)
        assert services.report_reminders_send(today=later) == 1
        assert services.report_reminders_send(today=later) == 0

    def test_submitting_a_report(self, setup):
        grant = self._grant(setup, D(2025, 3, 1), D(2025, 6, 1))
        report = grant.reports.get()
        with pytest.raises(PermissionDenied):
            services.report_submit(actor=setup.world.users["resident"], report=report, text="完成")
        services.report_submit(
            actor=setup.world.users["leader"], report=report, text="大堂已完工。"
        )
        report.refresh_from_db()
        assert report.submitted_at is not None
        with pytest.raises(ValidationError):
            services.report_submit(
                actor=setup.world.users["leader"], report=report, text="再交一次"
            )
        board = selectors.board_grants(estate=setup.world.here)
        assert board[0].submitted_reports == [report]

    def test_hostile_report_text_is_shown_as_text(self, setup, client):
        from tests.hostile import CORPUS, assert_no_live_markup

        for name, text in CORPUS.items():
            if name == "long":
                continue
            app = __import__("tests.grants.factories", fromlist=["application"]).application(
                setup.programme, setup.world.here, setup.world.b1, requested="10", title=name
            )
            grant = services.grant_award(
                actor=setup.officer,
                application=app,
                amount="10",
                conditions=text,
                starts_on=D(2025, 3, 1),
                ends_on=D(2025, 6, 1),
            )
            services.report_submit(
                actor=setup.world.users["leader"], report=grant.reports.get(), text=text
            )
        client.force_login(setup.world.users["resident"])
        for grant in Grant.objects.all():
            response = client.get(f"/s/{setup.street.slug}/foundation/grants/{grant.pk}/")
            assert response.status_code == 200
            assert_no_live_markup(response.content.decode())
        response = client.get(f"/s/{setup.street.slug}/foundation/grants/")
        assert_no_live_markup(response.content.decode())


def test_a_refused_foundation_outflow_writes_nothing(setup, monkeypatch):
    """The donations app records the outflow on the foundation's own fund; if it refuses (the
    fund holds too little), the payment into the project's fund is not written either."""
    grant = services.grant_award(
        actor=setup.officer, application=setup.app1, amount="1000", conditions=""
    )
    calls = []

    def refuse(**kwargs):
        calls.append(kwargs)
        raise ValidationError("基金会账户余额不足。")

    monkeypatch.setattr(services, "_foundation_outflow", lambda: refuse)
    before = _counts()
    with pytest.raises(ValidationError):
        services.grant_disburse(actor=setup.officer, grant=grant, amount="1000")
    assert _counts() == before
    assert calls[0]["grant"] == grant and calls[0]["amount"] == Decimal("1000.00")
