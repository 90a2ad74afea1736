"""The opinion-map API: the same services and permissions as the pages, JSON refusals, and a
map that names no participant."""

from __future__ import annotations

import json

from django.test import Client
from django.utils import timezone

from linju.api.tokens import api_token_issue
from linju.opinions import services
from linju.opinions.models import Discussion, Statement, StatementVote
from tests.opinions.factories import (
    STATEMENT_TEXTS,
    discussion_of,
    planted_votes,
    statement_of,
    voters,
)


def api(user) -> Client:
    client = Client()
    if user is not None:
        token = api_token_issue(user=user, label="test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


class TestDiscussions:
    def test_list_and_detail(self, world):
        discussion = discussion_of(world)
        discussion_of(world, status="draft", question="草稿")
        statement_of(discussion, "好")
        mine = statement_of(discussion, "我的", author=world.user("resident"), status="rejected")
        Statement.objects.filter(pk=mine.pk).update(reject_reason="重复")
        client = api(world.user("resident"))
        listed = client.get("/api/opinions", {"estate": "here"}).json()
        assert [d["id"] for d in listed] == [discussion.pk]
        assert listed[0]["may_vote"] is True and listed[0]["statements"] == 1
        detail = client.get(f"/api/opinions/{discussion.pk}").json()
        assert detail["mine"] == [
            {
                "id": mine.pk,
                "text": "我的",
                "status": "rejected",
                "status_label": detail["mine"][0]["status_label"],
                "reject_reason": "重复",
            }
        ]

    def test_refusals(self, world):
        discussion = discussion_of(world)
        assert api(None).get(f"/api/opinions/{discussion.pk}").status_code == 401
        assert (
            api(world.user("staff_other_estate")).get(f"/api/opinions/{discussion.pk}").status_code
            == 404
        )
        assert (
            api(world.user("outsider")).get("/api/opinions", {"estate": "here"}).status_code == 404
        )
        assert api(world.user("resident")).get("/api/opinions/99999999").status_code == 404
        draft = discussion_of(world, status="draft", question="草稿")
        assert api(world.user("resident")).get(f"/api/opinions/{draft.pk}").status_code == 404


class TestVoting:
    def test_next_vote_and_next_again(self, world):
        discussion = discussion_of(world)
        first = statement_of(discussion, "充电只在夜间开放")
        second = statement_of(discussion, "访客车辆可以临时停")
        client = api(world.user("resident"))
        got = client.get(f"/api/opinions/{discussion.pk}/next").json()
        assert got["statement"] == {"id": first.pk, "text": first.text}
        assert (got["voted"], got["remaining"]) == (0, 2)
        response = client.post(
            f"/api/opinions/{discussion.pk}/votes",
            {"statement": first.pk, "vote": 1},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json()["statement"]["id"] == second.pk
        client.post(
            f"/api/opinions/{discussion.pk}/votes",
            {"statement": first.pk, "vote": -1},
            content_type="application/json",
        )
        assert list(StatementVote.objects.values_list("vote", flat=True)) == [-1]

    def test_bad_votes_are_refused_and_nothing_written(self, world):
        discussion = discussion_of(world)
        statement = statement_of(discussion, "好")
        pending = statement_of(discussion, "待审", status="pending")
        client = api(world.user("resident"))
        url = f"/api/opinions/{discussion.pk}/votes"
        for body, status in (
            ({"statement": statement.pk, "vote": 7}, 422),
            ({"statement": statement.pk, "vote": "agree"}, 422),
            ({"statement": pending.pk, "vote": 1}, 422),
            ({"statement": 99999999, "vote": 1}, 404),
        ):
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == status and "detail" in response.json()
        response = api(world.user("leader_other_building")).post(
            url, {"statement": statement.pk, "vote": 1}, content_type="application/json"
        )
        assert response.status_code == 403
        assert not StatementVote.objects.exists()


class TestStatements:
    def test_submit_waits_for_moderation(self, world):
        discussion = discussion_of(world)
        response = api(world.user("resident")).post(
            f"/api/opinions/{discussion.pk}/statements",
            {"text": "车棚要装烟感"},
            content_type="application/json",
        )
        assert response.status_code == 201
        assert response.json()["status"] == "pending" and response.json()["reject_reason"] is None

    def test_empty_too_long_duplicate_are_422(self, world):
        discussion = discussion_of(world)
        statement_of(discussion, "车棚要装烟感")
        client = api(world.user("resident"))
        for text in ("", "长" * 141, "车棚 要装烟感。"):
            response = client.post(
                f"/api/opinions/{discussion.pk}/statements",
                {"text": text},
                content_type="application/json",
            )
            assert response.status_code == 422 and "text" in response.json()["errors"]
        assert Statement.objects.count() == 1


class TestMap:
    def _mapped(self, world, count):
        discussion = discussion_of(world)
        statements = [statement_of(discussion, t) for t in STATEMENT_TEXTS]
        people = voters(world, count)
        planted_votes(people, statements)
        Discussion.objects.filter(pk=discussion.pk).update(votes_changed_at=timezone.now())
        services.map_recompute(discussion_id=discussion.pk)
        return discussion, people

    def test_hidden_below_15(self, world):
        discussion, people = self._mapped(world, 14)
        body = api(people[0]).get(f"/api/opinions/{discussion.pk}/map").json()
        assert body["shown"] is False and body["groups"] == [] and body["you"] is None
        assert body["message"]

    def test_groups_consensus_and_you_without_individuals(self, world):
        discussion, people = self._mapped(world, 16)
        response = api(people[0]).get(f"/api/opinions/{discussion.pk}/map")
        body = response.json()
        assert body["shown"] is True and len(body["groups"]) == 2
        assert sorted(g["size"] for g in body["groups"]) == [8, 8]
        assert body["consensus"][0]["text"] == "消防通道不能停车"
        assert body["you"]["group"] in {"A", "B"} and body["votes_needed"] == 0
        text = response.content.decode()
        assert "members" not in text
        assert set(body) == {
            "shown",
            "message",
            "participants",
            "groups",
            "consensus",
            "consensus_disagree",
            "you",
            "votes_needed",
            "computed_at",
        }
        assert body["participants"] == 16
        for user in people:
            assert user.username not in text and user.display_name not in text
        assert set(body["groups"][0]) == {"id", "label", "size", "x", "y", "representative"}
        assert json.dumps(body["you"]).count(":") == 4  # x, y, group, votes: nobody else
