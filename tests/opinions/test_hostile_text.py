"""Hostile text (tests/hostile.py) as statements, a discussion's question and a rejection
reason: shown escaped wherever it appears (the voting card, the author's list, the console's
queue, the map, the API), or refused with a message and nothing written. Never a 5xx."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from linju.opinions import services
from linju.opinions.models import Discussion, Statement
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped
from tests.opinions.factories import discussion_of, planted_votes, statement_of, voters

# What fits in a statement (140 characters) and says something once cleaned.
FITS = {name: text for name, text in CORPUS.items() if len(text) <= 140 and name != "emoji"}


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _shown(text: str) -> str:
    """As stored: the services drop control characters."""
    return text.replace("\x00", "")


@pytest.mark.parametrize("name", sorted(FITS))
def test_a_statement_is_shown_escaped_on_every_page(world, name):
    text = FITS[name]
    discussion = discussion_of(world)
    resident = client_for(world.user("resident"))
    response = resident.post(f"/e/here/opinions/{discussion.pk}/statements/", {"text": text})
    if "\x00" in text:  # a NUL character in a form is refused before any view runs
        assert response.status_code == 400 and not Statement.objects.exists()
        return
    assert response.status_code == 302, response.content[:300]
    statement = Statement.objects.get()
    assert statement.text == _shown(text)
    leader = client_for(world.user("leader"))
    console = leader.get(f"/e/here/console/opinions/{discussion.pk}/").content.decode()
    assert_shown_escaped(console, statement.text)
    services.statement_moderate(
        actor=world.user("leader"), statement=statement, accept=False, reason=text
    )
    mine = resident.get(f"/e/here/opinions/{discussion.pk}/").content.decode()
    assert_shown_escaped(mine, statement.text)
    Statement.objects.filter(pk=statement.pk).update(status="accepted", reject_reason="")
    card = client_for(world.user("leader")).get(f"/e/here/opinions/{discussion.pk}/")
    assert_no_live_markup(card.content.decode())
    neighbour = client_for(voters(world, 1)[0])
    assert_shown_escaped(
        neighbour.get(f"/e/here/opinions/{discussion.pk}/").content.decode(), statement.text
    )


def test_too_long_text_is_refused_and_nothing_written(world):
    discussion = discussion_of(world)
    response = client_for(world.user("resident")).post(
        f"/e/here/opinions/{discussion.pk}/statements/", {"text": CORPUS["long"]}
    )
    assert response.status_code == 422 and not Statement.objects.exists()


def test_hostile_statements_on_the_map_and_in_the_api(world):
    discussion = discussion_of(world, question=CORPUS["script"])
    texts = [FITS[name] for name in sorted(FITS)][:8]
    statements = [statement_of(discussion, _shown(text)) for text in texts]
    people = voters(world, 16)
    planted_votes(people, statements)
    Discussion.objects.filter(pk=discussion.pk).update(votes_changed_at=timezone.now())
    services.map_recompute(discussion_id=discussion.pk)
    page = client_for(people[0]).get(f"/e/here/opinions/{discussion.pk}/map/")
    html = page.content.decode()
    assert page.status_code == 200 and 'class="opinion-group"' in html
    assert_no_live_markup(html)
    assert_shown_escaped(html, _shown(texts[-1]))  # the consensus
    assert_shown_escaped(
        client_for(people[0]).get("/e/here/opinions/").content.decode(), CORPUS["script"]
    )


def test_a_hostile_question_is_shown_escaped(world):
    response = client_for(world.user("staff")).post(
        "/e/here/console/opinions/new/",
        {"question": CORPUS["attribute_breakout"], "min_participants": "15"},
    )
    assert response.status_code == 302
    discussion = Discussion.objects.get()
    for url in (
        "/e/here/console/opinions/",
        f"/e/here/console/opinions/{discussion.pk}/",
    ):
        html = client_for(world.user("staff")).get(url).content.decode()
        assert_shown_escaped(html, CORPUS["attribute_breakout"])
