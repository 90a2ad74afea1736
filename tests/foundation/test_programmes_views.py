"""Programme pages: the street's programmes are public once published, the officer creates
and publishes them, and a published programme appears on the board of every estate of the
street."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linju.foundation.models import Programme
from tests.factories import EstateFactory
from tests.foundation.factories import make_programme, programme_values
from tests.foundation.permission_rows import _programme_post
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped

pytestmark = pytest.mark.django_db


def test_anyone_reads_a_published_programme_and_its_rules(world, client):
    programme = make_programme(world)
    response = client.get(reverse("programme_detail", args=[programme.street.slug, programme.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "居民参与度" in html and "100000.00" in html and "40000.00" in html
    assert "20%" in html


def test_a_draft_is_hidden_from_the_public(world, client):
    programme = make_programme(world, published=False)
    url = reverse("programme_detail", args=[programme.street.slug, programme.pk])
    assert client.get(url).status_code == 404
    client.force_login(world.users["foundation"])
    assert client.get(url).status_code == 200


def test_the_officer_creates_a_programme_through_the_form(world, client):
    client.force_login(world.users["foundation"])
    url = reverse("programme_create", args=[world.here.street.slug])
    response = client.post(url, _programme_post(world))
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == programme.get_absolute_url()
    assert list(programme.criteria.values_list("name", "weight")) == [("居民参与度", 3)]


def test_an_invalid_form_is_422_and_writes_nothing(world, client):
    client.force_login(world.users["foundation"])
    data = _programme_post(world)
    data["max_amount"] = "999999"
    response = client.post(reverse("programme_create", args=[world.here.street.slug]), data)
    assert response.status_code == 422
    assert Programme.objects.count() == 0


def test_publishing_puts_it_on_every_board_of_the_street(world, client):
    neighbour = EstateFactory(slug="neighbour", street=world.here.street)
    programme = make_programme(world, published=False)
    client.force_login(world.users["admin"])
    board = reverse("board", args=[neighbour.slug])
    assert programme.name not in client.get(board).content.decode()
    client.force_login(world.users["foundation"])
    publish = reverse("programme_publish", args=[programme.street.slug, programme.pk])
    assert client.post(publish).status_code == 302
    client.force_login(world.users["admin"])
    for estate in (world.here, neighbour):
        html = client.get(reverse("board", args=[estate.slug])).content.decode()
        assert programme.name in html and "居民参与度" in html
    html = client.get(reverse("board", args=[world.there.slug])).content.decode()
    assert programme.name not in html


def test_the_officer_moves_the_programme_on(world, client):
    programme = make_programme(world)
    client.force_login(world.users["foundation"])
    url = reverse("programme_advance", args=[programme.street.slug, programme.pk])
    client.post(url, {"status": "reviewing"})
    programme.refresh_from_db()
    assert programme.status == "reviewing"
    client.post(url, {"status": "published"})
    programme.refresh_from_db()
    assert programme.status == "reviewing"


@pytest.mark.parametrize("name", ["script", "attribute_breakout", "template_expression"])
def test_hostile_programme_text_is_shown_as_text(world, client, name):
    text = CORPUS[name]
    programme = make_programme(world, **{"name": text[:120], "eligibility": text})
    html = client.get(programme.get_absolute_url()).content.decode()
    assert_shown_escaped(html, text)
    home = client.get(reverse("foundation_home", args=[programme.street.slug]))
    assert_no_live_markup(home.content.decode())


def test_values_for_a_programme_round_trip(world):
    """The factory's values are what the services accept (a guard for the other tests)."""
    assert programme_values()["pb_rule"] in Programme.PBRule.values
