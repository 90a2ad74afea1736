"""Conventions services: drafting clause by clause, comments and their moderation, numbered
immutable versions, adoption through a real residents' vote, read marks once per version.
Every refusal writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linju.conventions import selectors, services
from linju.conventions.models import (
    Clause,
    ClauseComment,
    Convention,
    ConventionRead,
    ConventionVersion,
)
from linju.core.models import AuditEvent
from linju.decisions import services as decisions
from linju.decisions.models import Decision
from linju.notices.models import Notice
from tests.conventions import factories as cf

pytestmark = pytest.mark.django_db


def _state():
    """Everything a conventions service may write."""
    return (
        list(Convention.objects.values_list("pk", "status", "title", "decision_id")),
        list(Clause.objects.values_list("pk", "position", "text")),
        list(ClauseComment.objects.values_list("pk", "hidden_at", "reports")),
        ConventionVersion.objects.count(),
        ConventionRead.objects.count(),
        Decision.objects.count(),
        Notice.objects.count(),
        AuditEvent.objects.count(),
    )


def _texts(convention):
    return list(
        Clause.objects.filter(convention=convention)
        .order_by("position")
        .values_list("text", flat=True)
    )


class TestConventionCreate:
    def test_leader_starts_a_draft_of_their_building_with_clauses(self, world):
        convention = cf.draft(world)
        assert convention.status == Convention.Status.DRAFTING
        assert _texts(convention) == cf.CLAUSES
        assert list(
            Clause.objects.filter(convention=convention).values_list("position", flat=True)
        ) == [1, 2, 3]
        assert AuditEvent.objects.filter(action="convention.create").count() == 1

    def test_blank_lines_are_skipped_and_spaces_trimmed(self, world):
        convention = cf.draft(world, title="  1号楼   公约 ", clauses=["  第一条  ", "", "  "])
        assert convention.title == "1号楼 公约"
        assert _texts(convention) == ["第一条"]

    @pytest.mark.parametrize("role", ["resident", "leader_other_building", "property"])
    def test_others_may_not_start_one_for_building_1(self, world, role):
        before = _state()
        with pytest.raises(PermissionDenied):
            cf.draft(world, actor=world.users[role])
        assert _state() == before

    def test_a_leader_may_not_start_an_estate_wide_one(self, world):
        before = _state()
        with pytest.raises(PermissionDenied):
            services.convention_create(
                actor=world.users["leader"], estate=world.here, title="全小区公约"
            )
        assert _state() == before

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"title": "   "}, "title"),
            ({"title": "长" * 121}, "title"),
            ({"clauses": ["a\x00b"]}, "clauses"),
            ({"clauses": ["长" * 1001]}, "clauses"),
            ({"kind": "party"}, "kind"),
        ],
    )
    def test_bad_input_is_refused_by_field(self, world, values, field):
        before = _state()
        with pytest.raises(ValidationError) as caught:
            cf.draft(world, **values)
        assert field in caught.value.message_dict
        assert _state() == before

    def test_a_building_of_another_estate_is_refused(self, world):
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.convention_create(
                actor=world.users["admin"], estate=world.here, title="公约", building=world.b_there
            )
        assert "building" in caught.value.message_dict
        assert _state() == before


class TestClauses:
    def test_add_at_the_end_and_at_a_position(self, world):
        convention = cf.draft(world)
        leader = world.users["leader"]
        services.clause_add(actor=leader, convention=convention, text="宠物文明")
        services.clause_add(actor=leader, convention=convention, text="邻里互助", position=1)
        assert _texts(convention) == ["邻里互助", *cf.CLAUSES, "宠物文明"]

    def test_update_remove_and_move_keep_positions_contiguous(self, world):
        convention = cf.draft(world)
        leader = world.users["leader"]
        first, second, third = Clause.objects.filter(convention=convention).order_by("position")
        services.clause_update(actor=leader, clause=second, text="电动车不上楼。")
        services.clause_move(actor=leader, clause=third, to=1)
        assert _texts(convention) == [cf.CLAUSES[2], cf.CLAUSES[0], "电动车不上楼。"]
        services.clause_remove(actor=leader, clause=first)
        assert _texts(convention) == [cf.CLAUSES[2], "电动车不上楼。"]
        assert list(
            Clause.objects.filter(convention=convention)
            .order_by("position")
            .values_list("position", flat=True)
        ) == [1, 2]

    @pytest.mark.parametrize("to", [0, 5, "x"])
    def test_moving_outside_the_list_is_refused(self, world, to):
        convention = cf.draft(world)
        clause = Clause.objects.filter(convention=convention).first()
        before = _state()
        with pytest.raises(ValidationError):
            services.clause_move(actor=world.users["leader"], clause=clause, to=to)
        assert _state() == before

    @pytest.mark.parametrize("text", ["", "   ", "长" * 1001, "a\x00b"])
    def test_bad_clause_text_is_refused(self, world, text):
        convention = cf.draft(world)
        before = _state()
        with pytest.raises(ValidationError):
            services.clause_add(actor=world.users["leader"], convention=convention, text=text)
        assert _state() == before

    def test_a_resident_may_not_edit_clauses(self, world):
        convention = cf.draft(world)
        clause = Clause.objects.filter(convention=convention).first()
        before = _state()
        with pytest.raises(PermissionDenied):
            services.clause_update(actor=world.users["resident"], clause=clause, text="改")
        with pytest.raises(PermissionDenied):
            services.clause_add(actor=world.users["resident"], convention=convention, text="加")
        assert _state() == before

    def test_clauses_are_frozen_once_under_vote(self, world):
        convention = cf.voting(world)
        clause = Clause.objects.filter(convention=convention).first()
        before = _state()
        with pytest.raises(ValidationError):
            services.clause_update(actor=world.users["leader"], clause=clause, text="改")
        with pytest.raises(ValidationError):
            services.clause_remove(actor=world.users["leader"], clause=clause)
        assert _state() == before


class TestComments:
    def test_a_resident_of_the_building_comments_on_a_clause(self, world):
        convention = cf.draft(world)
        clause = Clause.objects.filter(convention=convention).first()
        comment = services.clause_comment_post(
            actor=world.users["resident"], clause=clause, body="  建议写明消防通道宽度。 "
        )
        assert comment.body == "建议写明消防通道宽度。"
        counts = {c.pk: c.comment_count for c in selectors.clauses(convention=convention)}
        assert counts[clause.pk] == 1

    def test_a_resident_of_another_building_may_not_comment(self, world):
        from tests import factories as f

        other = f.UserFactory(username="b2_resident")
        person = f.PersonFactory(estate=world.here, full_name="二号楼住户", user=other)
        f.OccupancyFactory(flat=world.flat2, person=person)
        convention = cf.draft(world)
        clause = Clause.objects.filter(convention=convention).first()
        before = _state()
        with pytest.raises(PermissionDenied):
            services.clause_comment_post(actor=other, clause=clause, body="我也说两句")
        assert _state() == before

    @pytest.mark.parametrize("body", ["", "长" * 1001, "a\x00b"])
    def test_bad_comment_is_refused(self, world, body):
        convention = cf.draft(world)
        clause = Clause.objects.filter(convention=convention).first()
        before = _state()
        with pytest.raises(ValidationError):
            services.clause_comment_post(actor=world.users["resident"], clause=clause, body=body)
        assert _state() == before

    def test_comments_close_once_under_vote(self, world):
        convention = cf.voting(world)
        clause = Clause.objects.filter(convention=convention).first()
        before = _state()
        with pytest.raises(ValidationError):
            services.clause_comment_post(actor=world.users["resident"], clause=clause, body="晚了")
        assert _state() == before

    def test_leader_hides_with_a_reason_which_is_kept(self, world):
        convention = cf.draft(world)
        clause = Clause.objects.filter(convention=convention).first()
        comment = services.clause_comment_post(
            actor=world.users["resident"], clause=clause, body="骂人的话"
        )
        services.clause_comment_hide(
            actor=world.users["leader"], comment=comment, reason="人身攻击"
        )
        comment.refresh_from_db()
        assert comment.hidden_reason == "人身攻击" and comment.hidden_by == world.users["leader"]
        counts = {
            c.pk: (c.comment_count, c.hidden_count)
            for c in selectors.clauses(convention=convention)
        }
        assert counts[clause.pk] == (0, 1)

    def test_hiding_needs_a_reason_and_the_right(self, world):
        convention = cf.draft(world)
        clause = Clause.objects.filter(convention=convention).first()
        comment = services.clause_comment_post(
            actor=world.users["resident"], clause=clause, body="意见"
        )
        before = _state()
        with pytest.raises(ValidationError):
            services.clause_comment_hide(actor=world.users["leader"], comment=comment, reason=" ")
        with pytest.raises(PermissionDenied):
            services.clause_comment_hide(
                actor=world.users["leader_other_building"], comment=comment, reason="不喜欢"
            )
        assert _state() == before

    def test_a_comment_is_reported_once_per_person_and_never_by_its_author(self, world):
        convention = cf.draft(world)
        clause = Clause.objects.filter(convention=convention).first()
        comment = services.clause_comment_post(
            actor=world.users["resident"], clause=clause, body="意见"
        )
        assert services.clause_comment_report(actor=world.users["leader"], comment=comment) == 1
        before = _state()
        with pytest.raises(ValidationError):
            services.clause_comment_report(actor=world.users["leader"], comment=comment)
        with pytest.raises(PermissionDenied):
            services.clause_comment_report(actor=world.users["resident"], comment=comment)
        assert _state() == before


class TestVersions:
    def test_versions_are_numbered_and_snapshot_the_clauses(self, world):
        convention = cf.draft(world)
        leader = world.users["leader"]
        v1 = services.version_save(actor=leader, convention=convention, note="初稿")
        clause = Clause.objects.filter(convention=convention).first()
        services.clause_update(actor=leader, clause=clause, text="楼道内不堆放任何杂物。")
        v2 = services.version_save(actor=leader, convention=convention, note="听取意见后修改")
        assert (v1.number, v2.number) == (1, 2)
        v1.refresh_from_db()
        assert v1.clauses == cf.CLAUSES
        assert v2.clauses[0] == "楼道内不堆放任何杂物。"

    def test_saving_an_unchanged_draft_is_refused(self, world):
        convention = cf.draft(world)
        services.version_save(actor=world.users["leader"], convention=convention)
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.version_save(actor=world.users["leader"], convention=convention)
        assert caught.value.code == "unchanged"
        assert _state() == before

    def test_an_empty_draft_has_no_version(self, world):
        convention = cf.draft(world, clauses=[])
        before = _state()
        with pytest.raises(ValidationError):
            services.version_save(actor=world.users["leader"], convention=convention)
        assert _state() == before

    def test_a_saved_version_cannot_be_rewritten(self, world):
        convention = cf.draft(world)
        version = services.version_save(actor=world.users["leader"], convention=convention)
        version.clauses = ["偷偷改掉"]
        with pytest.raises(ValueError):
            version.save()
        version.refresh_from_db()
        assert version.clauses == cf.CLAUSES

    def test_the_diff_of_two_versions_marks_chinese_characters(self, world):
        convention = cf.draft(world)
        leader = world.users["leader"]
        v1 = services.version_save(actor=leader, convention=convention)
        clause = Clause.objects.filter(convention=convention).first()
        services.clause_update(
            actor=leader, clause=clause, text="楼道内不堆放任何杂物，保持消防通道畅通。"
        )
        services.clause_add(actor=leader, convention=convention, text="饲养宠物文明，出门牵绳。")
        v2 = services.version_save(actor=leader, convention=convention)
        rows = selectors.version_diff(v1, v2)
        assert [r.kind for r in rows] == ["changed", "same", "same", "added"]
        assert str(rows[0].html) == "楼道内不堆放<ins>任何</ins>杂物，保持消防通道畅通。"
        assert str(rows[3].html) == "<ins>饲养宠物文明，出门牵绳。</ins>"


class TestAdoption:
    def test_a_real_residents_vote_adopts_the_frozen_text_and_posts_it(self, world):
        convention = cf.voting(world)
        assert convention.status == Convention.Status.VOTING
        decision = Decision.objects.get(pk=convention.decision_id)
        assert decision.kind == Decision.Kind.RESIDENTS
        assert decision.unit == Decision.Unit.HOUSEHOLD
        assert decision.status == Decision.Status.ANNOUNCED
        assert list(decision.buildings.all()) == [world.b1]
        assert convention.voted_version.clauses == cf.CLAUSES
        cf.run_vote(world, convention, {world.users["resident"]: "agree"}, publish=False)
        # Counted but not yet published: nothing changes.
        assert services.convention_sync_with_decision(convention=convention).status == "voting"
        decisions.decision_publish(actor=world.users["staff"], decision=decision)
        convention = services.convention_sync_with_decision(convention=convention)
        assert convention.status == Convention.Status.ADOPTED
        assert convention.current_version == convention.voted_version
        assert convention.adopted_at is not None
        notice = convention.notice
        assert notice.status == Notice.Status.PUBLISHED
        assert notice.category == Notice.Category.MEETING
        assert notice.building == world.b1
        assert cf.CLAUSES[0] in notice.body
        # Syncing again changes nothing.
        events = AuditEvent.objects.count()
        services.convention_sync_with_decision(convention=convention)
        assert AuditEvent.objects.count() == events

    def test_a_vote_against_returns_it_to_drafting(self, world):
        convention = cf.voting(world)
        cf.run_vote(world, convention, {world.users["resident"]: "disagree"})
        convention = services.convention_sync_with_decision(convention=convention)
        assert convention.status == Convention.Status.DRAFTING
        assert convention.current_version is None
        assert not Notice.objects.exists()

    def test_a_cancelled_vote_returns_it_to_drafting(self, world):
        convention = cf.voting(world)
        decisions.decision_cancel(
            actor=world.users["staff"], decision=convention.decision, reason="条款还要再议"
        )
        assert services.convention_sync_with_decision(convention=convention).status == "drafting"

    def test_the_vote_reuses_the_latest_version_when_nothing_changed(self, world):
        convention = cf.draft(world)
        version = services.version_save(actor=world.users["leader"], convention=convention)
        convention = cf.voting(world, convention)
        assert convention.voted_version == version
        assert ConventionVersion.objects.filter(convention=convention).count() == 1

    def test_a_leader_cannot_start_the_vote(self, world):
        convention = cf.draft(world)
        before = _state()
        with pytest.raises(PermissionDenied):
            services.adoption_vote_start(
                actor=world.users["leader"],
                convention=convention,
                opens_at=convention.created_at,
                closes_at=convention.created_at,
            )
        assert _state() == before

    def test_a_vote_that_breaks_the_notice_period_writes_nothing(self, world):
        """The decisions services refuse a vote opening before the notice period has run; no
        version, decision or status change is left behind."""
        import datetime

        from django.utils import timezone

        convention = cf.draft(world)
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.adoption_vote_start(
                actor=world.users["staff"],
                convention=convention,
                opens_at=timezone.now() + datetime.timedelta(days=1),
                closes_at=timezone.now() + datetime.timedelta(days=8),
            )
        assert "opens_at" in caught.value.message_dict
        assert _state() == before


class TestReadMarks:
    def test_a_resident_marks_the_adopted_version_read_once(self, world):
        convention = cf.adopted(world)
        resident = world.users["resident"]
        assert not selectors.convention_accepted(user=resident, convention=convention)
        read, new = services.convention_mark_read(actor=resident, convention=convention)
        assert new and read.version == convention.current_version
        again, new_again = services.convention_mark_read(actor=resident, convention=convention)
        assert again == read and not new_again
        assert ConventionRead.objects.count() == 1
        assert selectors.read_count(convention=convention) == 1
        assert selectors.convention_accepted(user=resident, convention=convention)
        assert [r.name for r in selectors.readers(convention=convention)] == ["李居民"]

    def test_a_draft_cannot_be_marked_read(self, world):
        convention = cf.draft(world)
        before = _state()
        with pytest.raises(ValidationError):
            services.convention_mark_read(actor=world.users["resident"], convention=convention)
        assert _state() == before

    def test_only_residents_it_concerns_mark_it(self, world):
        convention = cf.adopted(world)
        before = _state()
        for role in ("staff", "leader_other_building", "outsider"):
            with pytest.raises(PermissionDenied):
                services.convention_mark_read(actor=world.users[role], convention=convention)
        assert _state() == before

    def test_accepted_means_the_current_version(self, world):
        """A mark on an earlier adopted version does not count once a new version is adopted."""
        convention = cf.adopted(world)
        resident = world.users["resident"]
        services.convention_mark_read(actor=resident, convention=convention)
        newer = ConventionVersion.objects.create(
            estate=world.here, convention=convention, number=9, title="t", clauses=["新"]
        )
        Convention.objects.filter(pk=convention.pk).update(current_version=newer)
        convention.refresh_from_db()
        assert not selectors.convention_accepted(user=resident, convention=convention)

    def test_a_withdrawn_convention_is_no_longer_accepted(self, world):
        convention = cf.adopted(world)
        resident = world.users["resident"]
        services.convention_mark_read(actor=resident, convention=convention)
        services.convention_withdraw(
            actor=world.users["leader"], convention=convention, reason="被新公约取代"
        )
        convention.refresh_from_db()
        assert not selectors.convention_accepted(user=resident, convention=convention)
        assert not selectors.convention_accepted(user=None, convention=convention)


class TestWithdraw:
    def test_withdrawing_needs_a_reason_and_not_under_vote(self, world):
        convention = cf.voting(world)
        before = _state()
        with pytest.raises(ValidationError):
            services.convention_withdraw(
                actor=world.users["leader"], convention=convention, reason="不要了"
            )
        other = cf.draft(world, title="另一份")
        before = _state()
        with pytest.raises(ValidationError):
            services.convention_withdraw(actor=world.users["leader"], convention=other, reason="")
        assert _state() == before
