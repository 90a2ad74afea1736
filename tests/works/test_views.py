"""The works pages: what each reader sees, bad input (422, nothing written), hostile text shown
escaped, photos served only to those who may see them, and the project page's sections."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from linju.projects.models import Project
from linju.works import services
from linju.works.models import DesignOption, Evaluation, Quote, SupervisionEntry
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped
from tests.works.factories import designer, photo, with_options

PAGES = (
    "works_design",
    "works_quotes",
    "works_milestones",
    "works_supervision",
    "works_acceptance",
    "works_evaluation",
)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, project: Project, *extra) -> str:
    return reverse(name, args=[project.estate.slug, project.pk, *extra])


@pytest.mark.django_db
def test_a_designer_sees_their_project_only(world, project):
    from tests.works.factories import project as make_project

    other = make_project(world, building=world.b2, title="2号楼")
    client = _client(designer(world, project))
    for name in PAGES:
        assert client.get(_url(name, project)).status_code == 200
        assert client.get(_url(name, other)).status_code == 404
    assert client.get(_url("works_option_add", project)).status_code == 200
    response = client.post(_url("works_option_add", other), {"label": "A"})
    assert response.status_code == 404 and not DesignOption.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(world, project):
    response = Client().get(_url("works_design", project))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "model"),
    [
        ("works_option_add", {"label": "A", "estimated_cost": "-5"}, DesignOption),
        ("works_quotes", {"contractor": "甲", "amount": "很多"}, Quote),
        ("works_supervision", {"text": "   "}, SupervisionEntry),
        ("works_evaluation", {"result_rating": "9", "process_rating": "1"}, Evaluation),
    ],
)
def test_bad_input_is_refused_with_422_and_a_message(world, project, name, data, model):
    role = "resident" if name in ("works_supervision", "works_evaluation") else "leader"
    response = _client(world.users[role]).post(_url(name, project), data)
    assert response.status_code == 422
    assert "field-error" in response.content.decode() or "errorlist" in response.content.decode()
    assert not model.objects.exists()


@pytest.mark.django_db
def test_a_member_who_may_not_act_is_refused_and_nothing_is_written(world, project):
    response = _client(world.users["property"]).post(
        _url("works_quotes", project), {"contractor": "甲", "amount": "100"}
    )
    assert response.status_code == 403 and not Quote.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", list(CORPUS))
def test_hostile_text_is_stored_as_typed_and_shown_escaped_or_refused(world, project, key):
    text = CORPUS[key]
    leader = _client(world.users["leader"])
    resident = _client(world.users["resident"])
    posts = [
        (leader, _url("works_option_add", project), {"label": text[:60], "description": text}),
        (
            leader,
            _url("works_quotes", project),
            {"contractor": text[:120], "amount": "100", "items": text},
        ),
        (resident, _url("works_supervision", project), {"text": text}),
        (
            resident,
            _url("works_evaluation", project),
            {"result_rating": "4", "process_rating": "4", "comment": text},
        ),
    ]
    for client, url, data in posts:
        response = client.post(url, data)
        assert response.status_code < 500
        assert_no_live_markup(response.content.decode())
    if "\x00" in text:
        assert not (DesignOption.objects.exists() or Quote.objects.exists())
        return
    pages = {
        _url("works_design", project): [o.description for o in DesignOption.objects.all()],
        _url("works_supervision", project): [e.text for e in SupervisionEntry.objects.all()],
        _url("works_evaluation", project): [e.comment for e in Evaluation.objects.all()],
    }
    for url, texts in pages.items():
        html = leader.get(url).content.decode()
        for stored in texts:
            if len(stored) < 2000:  # the longest string is refused by the length limits
                assert_shown_escaped(html, stored)


@pytest.mark.django_db
def test_photos_are_served_to_those_who_see_the_project(world, project):
    option = services.design_option_add(
        actor=world.users["staff"], project=project, label="A", photos=[photo()]
    )
    url = _url("works_photo", project, "design", option.photos.get().pk, "web")
    response = _client(world.users["resident"]).get(url)
    assert response.status_code == 200 and response["Content-Security-Policy"] == "sandbox"
    assert _client(world.users["staff_other_estate"]).get(url).status_code == 404
    assert _client(world.users["resident"]).get(url.replace("/web/", "/huge/")).status_code == 404


@pytest.mark.django_db
def test_the_project_page_shows_the_works_sections(world, project):
    with_options(world, project)
    services.quote_add(actor=world.users["staff"], project=project, contractor="甲", amount="9")
    html = _client(world.users["resident"]).get(project.get_absolute_url()).content.decode()
    assert "温馨木色" in html
    assert _url("works_design", project) in html and _url("works_quotes", project) in html


@pytest.mark.django_db
def test_the_sections_make_a_constant_number_of_queries(
    world, project, django_assert_max_num_queries
):
    from linju.projects.sections import sections_for

    with_options(world, project)
    for i in range(5):
        services.quote_add(
            actor=world.users["staff"], project=project, contractor=f"{i}", amount="9"
        )
        services.milestone_add(actor=world.users["staff"], project=project, title=f"{i}")
        services.supervision_add(actor=world.users["resident"], project=project, text=f"{i}")
    user = world.users["staff"]
    with django_assert_max_num_queries(40):
        names = [s.name for s in sections_for(project=project, actor=user, showcase=False)]
    assert {"works_design", "works_quotes", "works_milestones"} <= set(names)
