"""The opinion map's services: each refusal writes nothing; a later vote replaces the earlier;
the map's recomputation is booked at most once until it runs."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linju.core.models import AuditEvent
from linju.opinions import services
from linju.opinions.models import Discussion, MapSnapshot, Statement, StatementVote
from linju.opinions.services import RECOMPUTE_EVERY, recompute_plan
from linju.opinions.tasks import map_recompute_task
from tests.opinions.factories import (
    STATEMENT_TEXTS,
    discussion_of,
    planted_votes,
    statement_of,
    vote,
    voters,
)


def _state():
    return (
        Discussion.objects.count(),
        list(Statement.objects.values_list("pk", "status", "reject_reason")),
        list(StatementVote.objects.values_list("pk", "vote")),
        AuditEvent.objects.count(),
    )


class TestDiscussionCreate:
    def test_staff_start_an_estate_wide_draft(self, world):
        discussion = services.discussion_create(
            actor=world.user("staff"), estate=world.here, question="  停车规则？  "
        )
        assert discussion.status == Discussion.Status.DRAFT
        assert discussion.question == "停车规则？" and discussion.building is None
        assert discussion.min_participants == 15
        assert AuditEvent.objects.filter(action="discussion.create").count() == 1

    def test_a_leader_starts_one_for_their_building_only(self, world):
        made = services.discussion_create(
            actor=world.user("leader"), estate=world.here, building=world.b1, question="大堂？"
        )
        assert made.building == world.b1
        before = _state()
        with pytest.raises(PermissionDenied):
            services.discussion_create(
                actor=world.user("leader"), estate=world.here, building=world.b2, question="?"
            )
        with pytest.raises(PermissionDenied):
            services.discussion_create(actor=world.user("leader"), estate=world.here, question="?")
        assert _state() == before

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"question": "   "}, "question"),
            ({"question": "问" * 201}, "question"),
            ({"question": "好", "min_participants": 14}, "min_participants"),
            ({"question": "好", "description": "长" * 2001}, "description"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_written(self, world, values, field):
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.discussion_create(actor=world.user("staff"), estate=world.here, **values)
        assert field in caught.value.message_dict
        assert _state() == before

    def test_it_must_close_after_it_opens(self, world):
        now = timezone.now()
        with pytest.raises(ValidationError):
            services.discussion_create(
                actor=world.user("staff"),
                estate=world.here,
                question="好",
                opens_at=now,
                closes_at=now - datetime.timedelta(hours=1),
            )
        assert not Discussion.objects.exists()


class TestOpenAndClose:
    def test_open_then_close(self, world):
        discussion = discussion_of(world, status="draft")
        opened = services.discussion_open(actor=world.user("leader"), discussion=discussion)
        assert opened.status == "open" and opened.opens_at is not None and opened.is_open
        closed = services.discussion_close(actor=world.user("staff"), discussion=opened)
        assert closed.status == "closed" and not closed.is_open

    def test_wrong_state_or_wrong_person_writes_nothing(self, world):
        draft = discussion_of(world, status="draft")
        before = _state()
        with pytest.raises(ValidationError):
            services.discussion_close(actor=world.user("staff"), discussion=draft)
        with pytest.raises(PermissionDenied):
            services.discussion_open(actor=world.user("resident"), discussion=draft)
        with pytest.raises(PermissionDenied):
            services.discussion_open(actor=world.user("leader_other_building"), discussion=draft)
        draft.refresh_from_db()
        assert draft.status == "draft" and _state() == before


class TestStatementSubmit:
    def test_a_resident_writes_a_statement_that_waits_for_moderation(self, world):
        discussion = discussion_of(world)
        statement = services.statement_submit(
            actor=world.user("resident"), discussion=discussion, text="  充电\n只在夜间\x00开放 "
        )
        assert statement.status == Statement.Status.PENDING
        assert statement.text == "充电 只在夜间开放"
        assert AuditEvent.objects.filter(action="statement.submit").count() == 1

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("", "required"),
            ("   \n ", "required"),
            ("？！。", "required"),
            ("长" * 141, "too_long"),
        ],
    )
    def test_empty_or_too_long_is_refused(self, world, text, code):
        discussion = discussion_of(world)
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.statement_submit(
                actor=world.user("resident"), discussion=discussion, text=text
            )
        assert caught.value.error_dict["text"][0].code == code
        assert _state() == before

    def test_the_limit_is_140_characters(self, world):
        discussion = discussion_of(world)
        made = services.statement_submit(
            actor=world.user("resident"), discussion=discussion, text="长" * 140
        )
        assert len(made.text) == 140

    @pytest.mark.parametrize(
        "again",
        [
            "充电只在夜间开放",
            "充电，只在夜间开放！",
            " 充电 只在夜间开放。",
            "ＡＢＣ充电只在夜间开放",
        ],
    )
    def test_a_duplicate_is_refused_whatever_its_spacing_and_punctuation(self, world, again):
        discussion = discussion_of(world)
        first = "ABC充电只在夜间开放" if again.startswith("ＡＢＣ") else "充电只在夜间开放"
        statement_of(discussion, first, status="rejected")
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.statement_submit(
                actor=world.user("resident"), discussion=discussion, text=again
            )
        assert caught.value.error_dict["text"][0].code == "duplicate"
        assert "already" in str(caught.value) or "已经" in str(caught.value)
        assert _state() == before

    def test_the_same_text_is_fine_in_another_discussion(self, world):
        statement_of(discussion_of(world), "充电只在夜间开放")
        other = discussion_of(world, question="另一个问题")
        services.statement_submit(
            actor=world.user("resident"), discussion=other, text="充电只在夜间开放"
        )
        assert Statement.objects.count() == 2

    def test_closed_discussion_and_outsiders_are_refused(self, world):
        closed = discussion_of(world, status="closed")
        building2 = discussion_of(world, building=world.b2)
        before = _state()
        with pytest.raises(ValidationError):
            services.statement_submit(actor=world.user("resident"), discussion=closed, text="好")
        for role in ("outsider", "staff_other_estate", "leader_other_building"):
            with pytest.raises(PermissionDenied):
                services.statement_submit(
                    actor=world.user(role), discussion=discussion_of(world), text="好"
                )
        with pytest.raises(PermissionDenied):
            services.statement_submit(actor=world.user("resident"), discussion=building2, text="好")
        assert _state()[1:] == before[1:]


class TestModerate:
    def test_accept(self, world):
        statement = statement_of(discussion_of(world), "好", status="pending")
        done = services.statement_moderate(
            actor=world.user("leader"), statement=statement, accept=True
        )
        assert done.status == "accepted" and done.moderated_by == world.user("leader")
        assert AuditEvent.objects.filter(action="statement.accept").count() == 1

    def test_reject_needs_a_reason_its_author_reads(self, world):
        statement = statement_of(discussion_of(world), "好", status="pending")
        before = _state()
        with pytest.raises(ValidationError) as caught:
            services.statement_moderate(
                actor=world.user("staff"), statement=statement, accept=False, reason="  "
            )
        assert "reason" in caught.value.message_dict and _state() == before
        done = services.statement_moderate(
            actor=world.user("staff"), statement=statement, accept=False, reason="针对个人"
        )
        assert (done.status, done.reject_reason) == ("rejected", "针对个人")

    def test_twice_or_by_the_wrong_person_writes_nothing(self, world):
        statement = statement_of(discussion_of(world), "好", status="accepted")
        pending = statement_of(discussion_of(world, question="另一个"), "坏", status="pending")
        before = _state()
        with pytest.raises(ValidationError):
            services.statement_moderate(
                actor=world.user("staff"), statement=statement, accept=False, reason="x"
            )
        for role in ("resident", "leader_other_building", "staff_other_estate", "property"):
            with pytest.raises(PermissionDenied):
                services.statement_moderate(actor=world.user(role), statement=pending, accept=True)
        assert _state() == before


class TestVote:
    def test_a_later_vote_replaces_the_earlier(self, world):
        statement = statement_of(discussion_of(world), "好")
        first = services.vote_cast(actor=world.user("resident"), statement=statement, vote=1)
        again = services.vote_cast(actor=world.user("resident"), statement=statement, vote="-1")
        assert first.pk == again.pk
        assert list(StatementVote.objects.values_list("vote", flat=True)) == [-1]
        statement.discussion.refresh_from_db()
        assert statement.discussion.votes_changed_at is not None

    @pytest.mark.parametrize("value", [2, "7", "agree", None, 1.0, ""])
    def test_a_bad_value_is_refused(self, world, value):
        statement = statement_of(discussion_of(world), "好")
        with pytest.raises(ValidationError):
            services.vote_cast(actor=world.user("resident"), statement=statement, vote=value)
        assert not StatementVote.objects.exists()

    def test_pending_statements_closed_discussions_and_outsiders_are_refused(self, world):
        pending = statement_of(discussion_of(world), "好", status="pending")
        closed = statement_of(discussion_of(world, status="closed", question="旧"), "好")
        accepted = statement_of(discussion_of(world, question="新"), "好")
        with pytest.raises(ValidationError):
            services.vote_cast(actor=world.user("resident"), statement=pending, vote=1)
        with pytest.raises(ValidationError):
            services.vote_cast(actor=world.user("resident"), statement=closed, vote=1)
        # Those who run it do not vote unless they live there.
        for role in ("leader", "staff", "leader_other_building", "outsider"):
            with pytest.raises(PermissionDenied):
                services.vote_cast(actor=world.user(role), statement=accepted, vote=1)
        assert not StatementVote.objects.exists()
        assert not Discussion.objects.filter(votes_changed_at__isnull=False).exists()


class TestRecomputePlan:
    NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)

    def test_the_first_vote_books_a_run_at_once(self):
        plan = recompute_plan(now=self.NOW, due_at=None, computed_at=None)
        assert plan.enqueue and plan.run_after == self.NOW

    def test_a_booked_run_will_read_this_vote_too(self):
        due = self.NOW + datetime.timedelta(seconds=3)
        plan = recompute_plan(now=self.NOW, due_at=due, computed_at=self.NOW)
        assert not plan.enqueue and plan.run_after == due

    def test_runs_are_kept_apart(self):
        computed = self.NOW - datetime.timedelta(seconds=2)
        plan = recompute_plan(now=self.NOW, due_at=None, computed_at=computed)
        assert plan.enqueue and plan.run_after == computed + RECOMPUTE_EVERY

    def test_after_a_quiet_while_it_runs_at_once(self):
        computed = self.NOW - datetime.timedelta(minutes=5)
        plan = recompute_plan(now=self.NOW, due_at=None, computed_at=computed)
        assert plan.enqueue and plan.run_after == self.NOW

    def test_a_lost_booking_is_replaced(self):
        due = self.NOW - datetime.timedelta(hours=1)
        plan = recompute_plan(now=self.NOW, due_at=due, computed_at=due)
        assert plan.enqueue and plan.run_after == self.NOW


def _booked() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=map_recompute_task.module_path))


class TestRecomputeBooking:
    def test_many_votes_book_one_run(self, world, django_capture_on_commit_callbacks):
        discussion = discussion_of(world)
        statements = [statement_of(discussion, t) for t in STATEMENT_TEXTS[:3]]
        with django_capture_on_commit_callbacks(execute=True):
            for statement in statements:
                services.vote_cast(actor=world.user("resident"), statement=statement, vote=1)
        with django_capture_on_commit_callbacks(execute=True):
            services.vote_cast(actor=world.user("resident"), statement=statements[0], vote=0)
        assert len(_booked()) == 1
        discussion.refresh_from_db()
        assert discussion.recompute_due_at is not None

    def test_after_a_run_the_next_vote_books_one_kept_apart(
        self, world, django_capture_on_commit_callbacks
    ):
        discussion = discussion_of(world)
        statement = statement_of(discussion, "好")
        with django_capture_on_commit_callbacks(execute=True):
            services.vote_cast(actor=world.user("resident"), statement=statement, vote=1)
        services.map_recompute(discussion_id=discussion.pk)
        # Pretend the run finished later than any clock now: the next run waits for it.
        finished = timezone.now() + datetime.timedelta(hours=1)
        MapSnapshot.objects.update(computed_at=finished)
        with django_capture_on_commit_callbacks(execute=True):
            services.vote_cast(actor=world.user("resident"), statement=statement, vote=-1)
        runs = sorted(_booked(), key=lambda r: r.enqueued_at)
        assert len(runs) == 2
        assert runs[1].run_after == finished + RECOMPUTE_EVERY

    def test_closing_books_a_last_run(self, world, django_capture_on_commit_callbacks):
        discussion = discussion_of(world)
        Discussion.objects.filter(pk=discussion.pk).update(votes_changed_at=timezone.now())
        discussion.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            services.discussion_close(actor=world.user("staff"), discussion=discussion)
        assert len(_booked()) == 1


class TestMapRecompute:
    def test_votes_make_a_snapshot_and_a_second_run_skips(
        self, world, immediate_tasks, django_capture_on_commit_callbacks
    ):
        discussion = discussion_of(world)
        statements = [statement_of(discussion, t) for t in STATEMENT_TEXTS]
        people = voters(world, 15)
        planted_votes(people[:14], statements)
        with django_capture_on_commit_callbacks(execute=True):
            for statement in statements:
                services.vote_cast(actor=people[14], statement=statement, vote=1)
        snapshot = MapSnapshot.objects.get()
        assert snapshot.version == 1 and snapshot.participants == 15
        assert snapshot.votes_count == 15 * len(statements)
        assert len(snapshot.result["groups"]) >= 2
        assert services.map_recompute(discussion_id=discussion.pk) is None  # nothing new
        again = services.map_recompute(discussion_id=discussion.pk, force=True)
        assert again is not None and again.version == 2
        discussion.refresh_from_db()
        assert discussion.recompute_due_at is None

    def test_only_accepted_statements_count(self, world):
        discussion = discussion_of(world)
        accepted = statement_of(discussion, "好")
        later_rejected = statement_of(discussion, "坏", status="rejected")
        vote(accepted, world.user("resident"), 1)
        vote(later_rejected, world.user("resident"), 1)
        Discussion.objects.filter(pk=discussion.pk).update(votes_changed_at=timezone.now())
        snapshot = services.map_recompute(discussion_id=discussion.pk)
        assert snapshot is not None and snapshot.votes_count == 1
        assert snapshot.result["groups"] == [] and "message" in snapshot.result
