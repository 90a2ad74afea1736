"""The opinion pages: voting one statement at a time (htmx answers with the next card),
writing a statement (422 with the form, nothing written, when refused), the map (groups,
never individuals) and the console (start, open, moderate)."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import timezone

from linju.opinions import services
from linju.opinions.models import Discussion, Statement, StatementVote
from tests.opinions.factories import (
    STATEMENT_TEXTS,
    discussion_of,
    planted_votes,
    statement_of,
    voters,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(discussion: Discussion, suffix: str = "") -> str:
    return f"/e/here/opinions/{discussion.pk}/{suffix}"


class TestDiscussionPage:
    def test_one_statement_with_three_buttons(self, world):
        discussion = discussion_of(world)
        first = statement_of(discussion, "充电只在夜间开放")
        statement_of(discussion, "访客车辆可以临时停")
        page = client_for(world.user("resident")).get(_url(discussion))
        html = page.content.decode()
        assert page.status_code == 200
        assert html.count('class="opinion-statement"') == 1 and first.text in html
        for button in ("opinion-agree", "opinion-disagree", "opinion-pass"):
            assert html.count(button) == 1
        assert 'hx-target="#statement-card"' in html

    def test_voting_with_htmx_answers_the_next_card(self, world):
        discussion = discussion_of(world)
        first = statement_of(discussion, "充电只在夜间开放")
        second = statement_of(discussion, "访客车辆可以临时停")
        client = client_for(world.user("resident"))
        response = client.post(
            _url(discussion, "vote/"), {"statement": first.pk, "vote": "-1"}, **HTMX
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert html.startswith('<section id="statement-card"') or 'id="statement-card"' in html[:80]
        assert second.text in html and first.text not in html and "<html" not in html
        assert StatementVote.objects.get().vote == -1
        response = client.post(
            _url(discussion, "vote/"), {"statement": second.pk, "vote": "0"}, **HTMX
        )
        assert 'class="opinion-done"' in response.content.decode()

    def test_without_htmx_it_goes_back_to_the_page(self, world):
        discussion = discussion_of(world)
        statement = statement_of(discussion, "好")
        response = client_for(world.user("resident")).post(
            _url(discussion, "vote/"), {"statement": statement.pk, "vote": "1"}
        )
        assert response.status_code == 302 and response["Location"] == _url(discussion)

    def test_a_bad_vote_is_422_and_nothing_written(self, world):
        discussion = discussion_of(world)
        statement = statement_of(discussion, "好")
        response = client_for(world.user("resident")).post(
            _url(discussion, "vote/"), {"statement": statement.pk, "vote": "7"}, **HTMX
        )
        assert response.status_code == 422 and not StatementVote.objects.exists()
        assert 'role="alert"' in response.content.decode()

    def test_a_statement_of_another_discussion_is_404(self, world):
        discussion = discussion_of(world)
        elsewhere = statement_of(discussion_of(world, question="别的"), "好")
        response = client_for(world.user("resident")).post(
            _url(discussion, "vote/"), {"statement": elsewhere.pk, "vote": "1"}
        )
        assert response.status_code == 404 and not StatementVote.objects.exists()

    def test_someone_outside_the_scope_reads_but_does_not_vote(self, world):
        discussion = discussion_of(world)
        statement_of(discussion, "好")
        html = client_for(world.user("leader_other_building")).get(_url(discussion)).content
        assert 'class="opinion-not-yours"' in html.decode()
        assert 'name="vote"' not in html.decode()


class TestWriteStatement:
    def test_written_then_waiting_for_moderation(self, world):
        discussion = discussion_of(world)
        client = client_for(world.user("resident"))
        response = client.post(_url(discussion, "statements/"), {"text": "车棚要装烟感"})
        assert response.status_code == 302
        statement = Statement.objects.get()
        assert statement.status == "pending"
        page = client.get(_url(discussion)).content.decode()
        assert "statement-status-pending" in page and "车棚要装烟感" in page

    def test_refused_statement_is_422_with_the_message(self, world):
        discussion = discussion_of(world)
        statement_of(discussion, "车棚要装烟感")
        client = client_for(world.user("resident"))
        for text in ("", "长" * 141, "车棚，要装烟感！"):
            response = client.post(_url(discussion, "statements/"), {"text": text})
            assert response.status_code == 422
            assert 'class="field-error"' in response.content.decode()
        assert Statement.objects.count() == 1

    def test_the_author_reads_the_rejection_reason(self, world):
        discussion = discussion_of(world)
        statement_of(discussion, "某某乱停车", author=world.user("resident"), status="pending")
        statement = Statement.objects.get()
        services.statement_moderate(
            actor=world.user("leader"), statement=statement, accept=False, reason="请不要针对个人"
        )
        page = client_for(world.user("resident")).get(_url(discussion)).content.decode()
        assert "请不要针对个人" in page and "statement-status-rejected" in page
        other = client_for(world.user("leader")).get(_url(discussion)).content.decode()
        assert "某某乱停车" not in other


def _mapped(world, count: int) -> tuple[Discussion, list]:
    discussion = discussion_of(world)
    statements = [statement_of(discussion, t) for t in STATEMENT_TEXTS]
    people = voters(world, count)
    planted_votes(people, statements)
    Discussion.objects.filter(pk=discussion.pk).update(votes_changed_at=timezone.now())
    services.map_recompute(discussion_id=discussion.pk)
    return discussion, people


class TestMapPage:
    def test_below_15_only_a_message(self, world):
        discussion, people = _mapped(world, 14)
        html = client_for(people[0]).get(_url(discussion, "map/")).content.decode()
        assert 'class="card opinion-waiting"' in html
        assert "<svg" not in html and "opinion-group-card" not in html

    def test_groups_without_individuals_and_you_are_here(self, world):
        discussion, people = _mapped(world, 16)
        response = client_for(people[0]).get(_url(discussion, "map/"))
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count('class="opinion-group"') == 2  # two circles in the SVG
        assert html.count("opinion-group-card") == 2
        assert html.count('class="opinion-you"') == 1 and 'id="you-title"' in html
        assert "消防通道不能停车" in html  # the consensus
        for user in people[1:]:
            assert user.username not in html and user.display_name not in html
        svg = html[html.index("<svg") : html.index("</svg>")]
        assert len(re.findall(r"<circle", svg)) == 2 + 2  # two groups, and the two rings of "you"

    def test_a_reader_who_has_not_voted_sees_groups_but_no_place(self, world):
        discussion, _people = _mapped(world, 16)
        html = client_for(world.user("staff")).get(_url(discussion, "map/")).content.decode()
        assert html.count("opinion-group-card") == 2 and 'class="opinion-you"' not in html


class TestConsole:
    def test_a_leader_starts_opens_and_moderates(self, world):
        client = client_for(world.user("leader"))
        page = client.get("/e/here/console/opinions/new/").content.decode()
        options = re.findall(r'<option value="([^"]*)"', page)
        assert options == [str(world.b1.pk)]  # their building only, not the whole estate
        response = client.post(
            "/e/here/console/opinions/new/",
            {"question": "大堂怎么用？", "building": world.b1.pk, "min_participants": "15"},
        )
        discussion = Discussion.objects.get()
        assert response.status_code == 302 and discussion.status == "draft"
        client.post(f"/e/here/console/opinions/{discussion.pk}/open/")
        discussion.refresh_from_db()
        assert discussion.status == "open"
        statement = statement_of(discussion, "放几把椅子", status="pending")
        moderate = f"/e/here/console/opinions/{discussion.pk}/statements/{statement.pk}/"
        assert (
            "放几把椅子"
            in client.get(f"/e/here/console/opinions/{discussion.pk}/").content.decode()
        )
        response = client.post(moderate, {"decision": "reject", "reason": ""})
        assert response.status_code == 422 and 'class="field-error"' in response.content.decode()
        statement.refresh_from_db()
        assert statement.status == "pending"
        assert client.post(moderate, {"decision": "accept"}).status_code == 302
        statement.refresh_from_db()
        assert statement.status == "accepted"

    def test_bad_input_is_422_and_nothing_written(self, world):
        client = client_for(world.user("staff"))
        for data in (
            {"question": "", "min_participants": "15"},
            {"question": "好", "min_participants": "3"},
        ):
            assert client.post("/e/here/console/opinions/new/", data).status_code == 422
        assert not Discussion.objects.exists()
