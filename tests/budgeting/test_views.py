"""The budgeting pages: the ballot on a phone (cards, limits, 422 with nothing written), the
receipt, the officer's console steps, the results explained in words (zh and en), paper
ballots, the .pb export and the "compute a .pb file" page (hostile names escaped)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from linju.budgeting import services
from linju.budgeting.models import BudgetVote, PBBallot
from linju.foundation.pb import pbfile
from linju.grants.models import Grant
from tests.budgeting.factories import closed, ids, open_vote, programme_for, shortlist

pytestmark = pytest.mark.django_db

COSTS = {
    "15号楼 楼道": "35000",
    "16号楼 大堂": "30000",
    "19号楼 外墙": "28000",
    "26号楼 花园": "25000",
}


@pytest.fixture
def vote(world):
    programme = programme_for(world)
    shortlist(world, programme, COSTS)
    return open_vote(world, programme)


def _url(name, vote, *extra):
    return reverse(name, args=[vote.programme.street.slug, vote.pk, *extra])


def _client(client, world, role):
    client.force_login(world.users[role])
    return client


def test_ballot_page_shows_cards_and_limits(client, world, vote):
    response = _client(client, world, "resident").get(_url("pb_vote", vote))
    assert response.status_code == 200
    page = response.content.decode()
    for title in COSTS:
        assert title in page
    assert "data-pb-ballot" in page and 'data-min="1"' in page and 'data-max="3"' in page
    assert page.count('name="applications"') == 4
    assert "35,000" in page


def test_casting_redirects_to_the_receipt(client, world, vote):
    chosen = ids(list(vote.eligible.order_by("pk")))[:2]
    response = _client(client, world, "resident").post(
        _url("pb_vote", vote), {"applications": chosen}
    )
    ballot = PBBallot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("pb_receipt", vote, ballot.receipt)
    receipt = client.get(response["Location"])
    assert ballot.receipt in receipt.content.decode()
    again = client.get(_url("pb_vote", vote)).content.decode()
    assert 'name="applications"' not in again and "data-pb-ballot" not in again


def test_a_ballot_outside_the_limits_is_422_and_writes_nothing(client, world, vote):
    response = _client(client, world, "resident").post(
        _url("pb_vote", vote), {"applications": ids(list(vote.eligible.all()))}
    )
    assert response.status_code == 422
    assert "1" in response.content.decode() and PBBallot.objects.count() == 0
    with translation.override("en"):
        response = client.post(
            _url("pb_vote", vote), {"applications": []}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 422
    assert PBBallot.objects.count() == 0


def test_another_residents_receipt_is_404(client, world, vote):
    ballot = services.paper_ballot_enter(
        actor=world.users["staff"],
        vote=vote,
        person=world.person2,
        applications=ids(list(vote.eligible.all()))[:1],
    )
    response = _client(client, world, "resident").get(_url("pb_receipt", vote, ballot.receipt))
    assert response.status_code == 404


def test_console_close_count_publish_and_results(client, world, vote):
    services.ballot_cast(
        actor=world.users["resident"], vote=vote, applications=ids(list(vote.eligible.all()))[:1]
    )
    officer = _client(client, world, "foundation")
    page = officer.get(_url("pb_console", vote)).content.decode()
    assert reverse("pb_close", args=[vote.programme.street.slug, vote.pk]) not in page
    response = officer.post(_url("pb_close", vote))
    assert response.status_code == 302
    vote.refresh_from_db()
    assert vote.status == BudgetVote.Status.OPEN  # not before the announced close
    closed(world, vote)
    assert officer.post(_url("pb_count", vote)).status_code == 302
    vote.refresh_from_db()
    assert vote.status == BudgetVote.Status.COUNTED
    assert officer.post(_url("pb_publish", vote)).status_code == 302
    vote.refresh_from_db()
    assert vote.status == BudgetVote.Status.PUBLISHED
    assert Grant.objects.count() == 1
    results = _client(client, world, "resident").get(_url("pb_results", vote)).content.decode()
    assert "入选：第1轮选中" in results or "Funded: chosen in round 1" in results
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        english = client.get(_url("pb_results", vote), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "nobody voted for it" in english or "Not funded" in english


def test_results_before_publishing_are_for_the_officer_only(client, world, vote):
    closed(world, vote)
    services.outcome_compute(actor=world.users["foundation"], vote=vote)
    assert _client(client, world, "resident").get(_url("pb_results", vote)).status_code == 404
    assert _client(client, world, "foundation").get(_url("pb_results", vote)).status_code == 200


def test_paper_ballot_form(client, world, vote):
    staff = _client(client, world, "staff")
    assert staff.get(_url("pb_paper", vote)).status_code == 200
    response = staff.post(
        _url("pb_paper", vote),
        {"person": world.person2.pk, "applications": ids(list(vote.eligible.all()))},
    )
    assert response.status_code == 422 and PBBallot.objects.count() == 0
    response = staff.post(
        _url("pb_paper", vote),
        {"person": world.person2.pk, "applications": ids(list(vote.eligible.all()))[:2]},
    )
    assert response.status_code == 302
    assert PBBallot.objects.get().channel == "paper"


def test_export_downloads_an_anonymous_pb_file(client, world, vote):
    services.ballot_cast(
        actor=world.users["resident"], vote=vote, applications=ids(list(vote.eligible.all()))[:1]
    )
    closed(world, vote)
    response = _client(client, world, "foundation").get(_url("pb_export", vote))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.pb"')
    election = pbfile.parse_pb(response.content)
    assert [b.voter_id for b in election.ballots] == ["1"]
    assert "李居民" not in response.content.decode()


def test_open_a_vote_from_the_list(client, world):
    programme = programme_for(world)
    shortlist(world, programme, COSTS)
    officer = _client(client, world, "foundation")
    listing = officer.get(reverse("pb_list", args=[programme.street.slug])).content.decode()
    open_url = reverse("pb_vote_open", args=[programme.street.slug, programme.pk])
    assert open_url in listing
    response = officer.post(open_url, {"closes_at": "2000-01-01T10:00"})
    assert response.status_code == 422 and BudgetVote.objects.count() == 0
    response = officer.post(open_url, {"closes_at": "2999-01-01T10:00"})
    assert response.status_code == 302 and BudgetVote.objects.count() == 1


HOSTILE = (
    "META\nkey;value\nbudget;100\nvote_type;approval\n"
    'PROJECTS\nproject_id;cost;name\n1;60;<script>alert("x")</script>\n2;60;乙\n'
    "VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
)


def test_compute_page_explains_and_escapes_names(client, world):
    officer = _client(client, world, "foundation")
    url = reverse("pb_compute", args=[world.here.street.slug])
    assert officer.get(url).status_code == 200
    upload = SimpleUploadedFile("e.pb", HOSTILE.encode(), content_type="text/plain")
    response = officer.post(url, {"file": upload, "rule": "greedy"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "¥40" in page  # 2 did not fit the remaining budget of ¥40
    bad = SimpleUploadedFile("e.pb", b"PROJECTS\n", content_type="text/plain")
    response = officer.post(url, {"file": bad, "rule": "mes"})
    assert response.status_code == 422


def test_board_section_lists_open_and_published_votes(client, world, vote):
    from linju.budgeting.board import budgeting_section

    section = budgeting_section(estate=world.here, building=None, actor=None, public=True)
    assert section is not None and section["context"]["pb_rows"][0]["vote"] == vote
    assert budgeting_section(estate=world.there, building=None, actor=None, public=True) is None
