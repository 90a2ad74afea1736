"""What residents are shown: the next statement in a useful order, and the map (nothing below
15 participants; groups, never individuals; where the viewer stands)."""

from __future__ import annotations

from django.utils import timezone

from linju.opinions import selectors, services
from linju.opinions.models import Discussion, MapSnapshot
from tests.opinions.factories import (
    STATEMENT_TEXTS,
    discussion_of,
    planted_votes,
    statement_of,
    vote,
    voters,
)


class TestNextStatement:
    def test_skips_own_and_voted_statements(self, world):
        discussion = discussion_of(world)
        resident = world.user("resident")
        own = statement_of(discussion, "我写的", author=resident)
        voted = statement_of(discussion, "投过的")
        left = statement_of(discussion, "还没投")
        vote(voted, resident, 1)
        assert selectors.next_statement(discussion=discussion, user=resident) == left
        vote(left, resident, 0)
        assert selectors.next_statement(discussion=discussion, user=resident) is None
        assert own.pk  # never offered to its author

    def test_pending_and_rejected_statements_are_never_offered(self, world):
        discussion = discussion_of(world)
        statement_of(discussion, "待审", status="pending")
        statement_of(discussion, "退回", status="rejected")
        assert selectors.next_statement(discussion=discussion, user=world.user("resident")) is None

    def test_fewest_votes_first(self, world):
        discussion = discussion_of(world)
        people = voters(world, 3)
        busy = statement_of(discussion, "投的人多")
        quiet = statement_of(discussion, "投的人少")
        for user in people:
            vote(busy, user, 1)
        vote(quiet, people[0], 1)
        assert selectors.next_statement(discussion=discussion, user=world.user("resident")) == quiet

    def test_then_those_that_split_the_groups_most(self, world):
        discussion = discussion_of(world)
        people = voters(world, selectors.FEW_VOTES)
        calm = statement_of(discussion, "大家都同意")
        divisive = statement_of(discussion, "分歧很大")
        for statement in (calm, divisive):
            for user in people:
                vote(statement, user, 1)
        MapSnapshot.objects.create(
            discussion=discussion,
            version=1,
            result={"split": {str(calm.pk): 0.1, str(divisive.pk): 0.8}},
        )
        resident = world.user("resident")
        assert selectors.next_statement(discussion=discussion, user=resident) == divisive
        MapSnapshot.objects.create(
            discussion=discussion,
            version=2,
            result={"split": {str(calm.pk): 0.9, str(divisive.pk): 0.2}},
        )
        assert selectors.next_statement(discussion=discussion, user=resident) == calm

    def test_nothing_when_the_discussion_is_closed(self, world):
        discussion = discussion_of(world, status="closed")
        statement_of(discussion, "好")
        assert selectors.next_statement(discussion=discussion, user=world.user("resident")) is None


def _mapped(world, count: int) -> tuple[Discussion, list]:
    discussion = discussion_of(world)
    statements = [statement_of(discussion, t) for t in STATEMENT_TEXTS]
    people = voters(world, count)
    planted_votes(people, statements)
    Discussion.objects.filter(pk=discussion.pk).update(votes_changed_at=timezone.now())
    services.map_recompute(discussion_id=discussion.pk)
    return discussion, people


class TestMapView:
    def test_nothing_but_a_message_below_15_participants(self, world):
        discussion, people = _mapped(world, 14)
        view = selectors.map_view(discussion=discussion, user=people[0])
        assert not view.shown and view.groups == [] and view.you is None
        assert "15" in view.message and view.participants == 14

    def test_nothing_before_any_vote(self, world):
        view = selectors.map_view(discussion=discussion_of(world), user=world.user("resident"))
        assert not view.shown and view.participants == 0

    def test_a_higher_threshold_of_the_discussion_is_kept(self, world):
        discussion, people = _mapped(world, 16)
        Discussion.objects.filter(pk=discussion.pk).update(min_participants=20)
        discussion.refresh_from_db()
        assert not selectors.map_view(discussion=discussion, user=people[0]).shown

    def test_groups_their_statements_the_consensus_and_you(self, world):
        discussion, people = _mapped(world, 16)
        view = selectors.map_view(discussion=discussion, user=people[0])
        assert view.shown and len(view.groups) == 2
        assert sorted(g.size for g in view.groups) == [8, 8]
        assert [g.label for g in view.groups] == ["A", "B"]
        assert all(g.representative for g in view.groups)
        item = view.groups[0].representative[0]
        assert item.share == 100 and item.share_rest == 0
        assert [c.text for c in view.consensus] == ["消防通道不能停车"]
        assert view.consensus[0].share == 100
        assert view.you is not None and view.you.group in {"A", "B"}
        assert view.you.votes == len(STATEMENT_TEXTS)
        # The two camps are in different groups.
        other = selectors.map_view(discussion=discussion, user=people[-1]).you
        assert other is not None and other.group != view.you.group

    def test_someone_who_has_not_voted_is_not_placed(self, world):
        discussion, _people = _mapped(world, 16)
        view = selectors.map_view(discussion=discussion, user=world.user("resident"))
        assert view.shown and view.you is None
