"""Hostile text in a convention's title, clauses and comments is shown escaped on every page
that carries it, in the differences between versions too, and never run as markup."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from linju.conventions import services
from linju.conventions.models import Clause
from tests.conventions import factories as cf
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped

pytestmark = pytest.mark.django_db

SHORT = {k: v for k, v in CORPUS.items() if k not in ("long", "nul_byte")}


def _pages(convention, clause):
    slug = convention.estate.slug
    return [
        convention.get_absolute_url(),
        reverse("clause_comments", args=[slug, convention.pk, clause.pk]),
        reverse("convention_diff", args=[slug, convention.pk]) + "?a=1&b=2",
        reverse("console_convention", args=[slug, convention.pk]),
        reverse("convention_list", args=[slug]),
    ]


@pytest.mark.parametrize("name", list(SHORT))
def test_text_is_escaped_everywhere(world, name):
    text = SHORT[name]
    leader = world.users["leader"]
    convention = cf.draft(world, title=f"公约{text}"[:120])
    clause = Clause.objects.filter(convention=convention).first()
    services.version_save(actor=leader, convention=convention)
    services.clause_update(actor=leader, clause=clause, text=f"{text}楼道不堆物")
    services.version_save(actor=leader, convention=convention)
    services.clause_comment_post(actor=world.users["resident"], clause=clause, body=text)
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    for url in _pages(convention, clause):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_no_live_markup(html)
    detail = client.get(convention.get_absolute_url()).content.decode()
    assert_shown_escaped(detail, f"{text}楼道不堆物".strip())
    comments = client.get(_pages(convention, clause)[1]).content.decode()
    assert_shown_escaped(comments, text.strip())


@pytest.mark.parametrize("name", ["long", "nul_byte"])
def test_too_long_or_nul_text_is_refused(world, name):
    convention = cf.draft(world)
    clause = Clause.objects.filter(convention=convention).first()
    with pytest.raises(ValidationError):
        services.clause_update(actor=world.users["leader"], clause=clause, text=CORPUS[name])
    with pytest.raises(ValidationError):
        services.clause_comment_post(
            actor=world.users["resident"], clause=clause, body=CORPUS[name]
        )
    clause.refresh_from_db()
    assert clause.text == cf.CLAUSES[0]
