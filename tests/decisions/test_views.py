"""The decisions pages: who sees what, voting through the ballot page, the bulletin board, the
roll, one-tap links, and the organisers' console. Refused or invalid posts answer 4xx and write
nothing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.decisions.models import (
    Ballot,
    BallotLink,
    Decision,
    DecisionSettings,
    NoticeDelivery,
    RollAmendment,
)
from linju.membership.models import Delegation
from tests import factories as f
from tests.decisions.factories import DecisionFactory, move, owned_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def voters(world):
    """The resident owns 1-101 and votes online for it; 王邻居 of 2-201 has no account."""
    owned_by(world.flat1, world.person1)
    owned_by(world.flat2, world.person2)
    return world


def english() -> Client:
    """A browser set to English, so the pages' words can be checked before translation."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def client_for(world, role: str) -> Client:
    client = english()
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def url(name: str, decision: Decision, *extra) -> str:
    return reverse(name, args=[decision.estate.slug, decision.pk, *extra])


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


class TestListAndDetail:
    def test_open_votes_come_first_with_a_vote_button_for_those_on_the_roll(self, voters):
        announced = DecisionFactory(estate=voters.here, announced=True, title="公告中的表决")
        opened = DecisionFactory(estate=voters.here, open=True, title="正在投票的表决")
        page = main_of(client_for(voters, "resident").get(reverse("decisions", args=["here"])))
        assert page.index(opened.title) < page.index(announced.title)
        assert url("decision_vote", opened) in page
        assert url("decision_vote", announced) not in page

    def test_people_not_on_the_roll_get_no_vote_button(self, voters):
        opened = DecisionFactory(estate=voters.here, open=True)
        page = main_of(client_for(voters, "outsider").get(reverse("decisions", args=["here"])))
        assert opened.title in page
        assert url("decision_vote", opened) not in page

    @pytest.mark.parametrize(
        ("role", "status"),
        [("anonymous", 404), ("resident", 404), ("property", 404), ("staff", 200)],
    )
    def test_drafts_are_seen_only_by_organisers(self, voters, role, status):
        draft = DecisionFactory(estate=voters.here, title="草稿里的表决")
        client = client_for(voters, role)
        assert client.get(url("decision_detail", draft)).status_code == status
        listed = draft.title in main_of(client.get(reverse("decisions", args=["here"])))
        assert listed is (status == 200)

    @pytest.mark.parametrize("role", ["anonymous", "outsider", "resident", "staff_other_estate"])
    def test_an_announced_decision_is_public(self, voters, role):
        decision = DecisionFactory(estate=voters.here, announced=True, buildings=[voters.b1])
        response = client_for(voters, role).get(url("decision_detail", decision))
        assert response.status_code == 200
        page = main_of(response)
        assert decision.title in page
        assert "two thirds" in page  # the quorum in words
        assert "three quarters" in page  # item 7 needs at least 3/4

    def test_a_decision_under_another_estates_address_is_404(self, voters):
        decision = DecisionFactory(estate=voters.here, announced=True)
        for name in ("decision_detail", "decision_board", "decision_roll", "decision_vote"):
            address = reverse(name, args=["there", decision.pk])
            assert client_for(voters, "staff").get(address).status_code == 404, name

    def test_while_open_participation_shows_and_choices_stay_hidden(self, voters):
        decision = DecisionFactory(
            estate=voters.here, open=True, ballots={voters.users["resident"]: "agree"}
        )
        page = main_of(client_for(voters, "anonymous").get(url("decision_detail", decision)))
        assert "Owners: 1 of 2 (50.0%)" in page
        assert "shown only after the count" in page


class TestVoting:
    def test_a_resident_votes_through_the_page_and_gets_a_receipt(self, voters):
        decision = DecisionFactory(estate=voters.here, open=True)
        client = client_for(voters, "resident")
        page = client.get(url("decision_vote", decision))
        assert page.status_code == 200
        assert 'value="agree"' in page.content.decode()
        response = client.post(url("decision_vote", decision), {"choice": "agree"})
        ballot = Ballot.objects.get(decision=decision)
        assert ballot.choice == "agree" and ballot.counted
        assert response.status_code == 302
        assert response["Location"] == url("decision_voted", decision, ballot.receipt)
        receipt = main_of(client.get(response["Location"]))
        assert f"{ballot.receipt[:5]}-{ballot.receipt[5:]}" in receipt
        assert url("decision_board", decision) in receipt

    def test_a_ballot_sent_by_htmx_is_redirected_by_header(self, voters):
        decision = DecisionFactory(estate=voters.here, open=True)
        response = client_for(voters, "resident").post(
            url("decision_vote", decision), {"choice": "agree"}, headers={"HX-Request": "true"}
        )
        ballot = Ballot.objects.get(decision=decision)
        assert response.status_code == 200
        assert response["HX-Redirect"] == url("decision_voted", decision, ballot.receipt)

    def test_the_receipt_page_shows_the_choice_only_to_its_voter_before_results(self, voters):
        decision = DecisionFactory(
            estate=voters.here, open=True, ballots={voters.users["resident"]: "disagree"}
        )
        ballot = Ballot.objects.get(decision=decision)
        address = url("decision_voted", decision, ballot.receipt)
        assert "disagree" in main_of(client_for(voters, "resident").get(address))
        assert "disagree" not in main_of(client_for(voters, "outsider").get(address))

    def test_a_bad_choice_is_422_and_writes_nothing(self, voters):
        decision = DecisionFactory(estate=voters.here, open=True)
        client = client_for(voters, "resident")
        for data in ({"choice": "maybe"}, {}):
            response = client.post(url("decision_vote", decision), data)
            assert response.status_code == 422
            assert "field-error" in response.content.decode()
        assert not Ballot.objects.exists()

    def test_a_refused_ballot_keeps_the_choice_on_the_page(self, voters):
        decision = DecisionFactory(estate=voters.here, open=True)
        move(decision, closes_at=-1)  # the close time passed; the worker has not closed it yet
        response = client_for(voters, "resident").post(
            url("decision_vote", decision), {"choice": "abstain"}
        )
        assert response.status_code == 422
        assert not Ballot.objects.exists()

    def test_a_closed_decision_refuses_with_a_message(self, voters):
        decision = DecisionFactory(estate=voters.here, closed=True)
        events = AuditEvent.objects.count()
        response = client_for(voters, "resident").post(
            url("decision_vote", decision), {"choice": "agree"}
        )
        assert response.status_code == 422
        assert "Voting is not open" in main_of(response)
        assert not Ballot.objects.exists()
        assert AuditEvent.objects.count() == events

    def test_someone_not_on_the_roll_is_told_so_and_refused(self, voters):
        decision = DecisionFactory(estate=voters.here, open=True)
        client = client_for(voters, "outsider")
        assert "not on the roll" in main_of(client.get(url("decision_vote", decision)))
        response = client.post(url("decision_vote", decision), {"choice": "agree"})
        assert response.status_code == 422
        assert not Ballot.objects.exists()

    def test_anonymous_visitors_are_sent_to_sign_in(self, voters):
        decision = DecisionFactory(estate=voters.here, open=True)
        response = english().get(url("decision_vote", decision))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_an_agent_chooses_whose_vote_and_votes_for_the_owner(self, voters):
        son = f.UserFactory(username="son")
        son_person = f.PersonFactory(estate=voters.here, full_name="李儿子", user=son)
        owned_by(f.FlatFactory(building=voters.b1, number="102"), son_person)
        delegation = Delegation.objects.create(
            estate=voters.here,
            principal=voters.person1,
            agent=son,
            scope=["vote"],
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + datetime.timedelta(days=30),
        )
        decision = DecisionFactory(estate=voters.here, open=True, buildings=[voters.b1])
        client = english()
        client.force_login(son)
        choice_page = main_of(client.get(url("decision_vote", decision)))
        assert "1-101" in choice_page and "1-102" in choice_page
        assert "Acting for 李居民" in choice_page
        mother = next(e for e in decision.roll.all() if e.flats.filter(label="1-101").exists())
        ballot_page = main_of(client.get(url("decision_vote", decision) + f"?entry={mother.pk}"))
        assert "Acting for 李居民" in ballot_page
        response = client.post(
            url("decision_vote", decision), {"entry": mother.pk, "choice": "agree"}
        )
        assert response.status_code == 302
        ballot = Ballot.objects.get(decision=decision)
        assert ballot.entry == mother and ballot.delegation == delegation

    def test_residents_vote_by_ranking_with_numbered_selects(self, voters):
        decision = DecisionFactory(
            estate=voters.here,
            residents=True,
            method="ranking",
            max_choices=3,
            options=["甲方案", "乙方案", "丙方案"],
            open=True,
        )
        keys = {o.label: o.key for o in decision.options.all()}
        client = client_for(voters, "resident")
        page = client.get(url("decision_vote", decision)).content.decode()
        assert 'name="rank_1"' in page and 'name="rank_3"' in page
        gap = client.post(
            url("decision_vote", decision), {"rank_1": keys["乙方案"], "rank_3": keys["甲方案"]}
        )
        assert gap.status_code == 422
        assert not Ballot.objects.exists()
        response = client.post(
            url("decision_vote", decision), {"rank_1": keys["乙方案"], "rank_2": keys["甲方案"]}
        )
        assert response.status_code == 302
        assert Ballot.objects.get().selections == [keys["乙方案"], keys["甲方案"]]

    def test_an_election_ballot_refuses_more_candidates_than_seats(self, voters):
        decision = DecisionFactory(estate=voters.here, election=True, open=True)
        keys = [o.key for o in decision.options.all()]
        client = client_for(voters, "resident")
        response = client.post(url("decision_vote", decision), {"selections": keys})
        assert response.status_code == 422
        assert not Ballot.objects.exists()
        assert (
            client.post(url("decision_vote", decision), {"selections": keys[:2]}).status_code == 302
        )


class TestBallotLink:
    def _link(self, voters) -> tuple[Decision, str]:
        decision = DecisionFactory(estate=voters.here, open=True)
        link = BallotLink.objects.get(decision=decision, user=voters.users["resident"])
        from django.core import signing

        from linju.decisions.services.common import LINK_SALT

        return decision, reverse(
            "ballot_link", args=[signing.dumps({"n": link.nonce}, salt=LINK_SALT, compress=True)]
        )

    def test_a_link_signs_in_once_and_opens_the_ballot(self, voters):
        decision, address = self._link(voters)
        client = english()
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(url("decision_vote", decision))
        assert client.get(response["Location"]).status_code == 200  # signed in
        stranger = english()
        again = stranger.get(address)
        assert again.status_code == 410
        assert reverse("login") in main_of(again)
        assert "_auth_user_id" not in stranger.session

    def test_a_forged_link_is_refused_and_signs_nobody_in(self, voters):
        client = english()
        response = client.get(reverse("ballot_link", args=["not-a-real-token"]))
        assert response.status_code == 410
        assert "_auth_user_id" not in client.session


class TestBoardAndRoll:
    def test_the_board_finds_a_receipt_and_hides_choices_until_published(self, voters):
        decision = DecisionFactory(
            estate=voters.here, open=True, ballots={voters.users["resident"]: "disagree"}
        )
        receipt = Ballot.objects.get().receipt
        typed = f"{receipt[:5].lower()} {receipt[5:]}"
        page = main_of(english().get(url("decision_board", decision), {"receipt": typed}))
        assert f"{receipt[:5]}-{receipt[5:]}" in page
        assert "disagree" not in page
        rows = english().get(
            url("decision_board", decision), {"receipt": "ZZZZZ"}, headers={"HX-Request": "true"}
        )
        assert "<main" not in rows.content.decode()
        assert "No ballot with that receipt code" in rows.content.decode()

    def test_after_publication_the_board_shows_each_choice(self, voters):
        decision = DecisionFactory(
            estate=voters.here, published=True, ballots={voters.users["resident"]: "disagree"}
        )
        assert "disagree" in main_of(english().get(url("decision_board", decision)))

    def test_names_on_the_roll_only_for_organisers(self, voters):
        decision = DecisionFactory(estate=voters.here, open=True)
        public = main_of(client_for(voters, "resident").get(url("decision_roll", decision)))
        assert "1-101" in public and decision.roll_fingerprint in public
        assert "李居民" not in public
        organiser = main_of(
            client_for(voters, "owners_committee").get(url("decision_roll", decision))
        )
        assert "李居民" in organiser


class TestResults:
    def test_both_tallies_side_by_side_under_deemed_consent(self, voters):
        decision = DecisionFactory(
            estate=voters.here,
            settings={"deemed_consent": True, "publish_voter_flats": True},
            ballots={voters.users["resident"]: "agree"},
            published=True,
        )
        assert decision.result["deemed"] is not None
        page = main_of(english().get(url("decision_detail", decision)))
        assert "Strict count" in page and "Count with deemed consent" in page
        assert page.count('class="card tally') == 2
        assert "1-101" in page  # the flats that voted, published by the estate's choice
        assert "李居民" not in page

    def test_without_deemed_consent_there_is_one_tally_and_no_voter_flats(self, voters):
        decision = DecisionFactory(
            estate=voters.here, ballots={voters.users["resident"]: "agree"}, published=True
        )
        page = main_of(english().get(url("decision_detail", decision)))
        assert page.count('class="card tally') == 1
        assert "Flats that voted" not in page

    def test_results_are_not_shown_before_publication(self, voters):
        decision = DecisionFactory(
            estate=voters.here, ballots={voters.users["resident"]: "agree"}, tallied=True
        )
        assert 'class="card tally' not in main_of(english().get(url("decision_detail", decision)))


class TestConsole:
    @pytest.mark.parametrize(
        ("role", "status"),
        [
            ("staff", 200),
            ("owners_committee", 200),
            ("property", 404),
            ("resident", 404),
            ("staff_other_estate", 404),
        ],
    )
    def test_console_pages_for_organisers_only(self, voters, role, status):
        decision = DecisionFactory(estate=voters.here, open=True)
        client = client_for(voters, role)
        for address in (
            reverse("console_decisions", args=["here"]),
            reverse("console_decision_create", args=["here"]),
            url("console_decision", decision),
            url("console_decision_amend", decision),
            url("console_decision_served", decision),
        ):
            assert client.get(address).status_code == status, address

    def test_staff_draft_a_building_vote_kind_first(self, voters):
        client = client_for(voters, "staff")
        create = reverse("console_decision_create", args=["here"])
        assert 'name="kind"' in client.get(create).content.decode()
        form = client.get(create, {"kind": "owners"}).content.decode()
        assert 'name="matter"' in form and 'name="seats"' not in form
        opens = timezone.localtime() + datetime.timedelta(days=20)
        response = client.post(
            create,
            {
                "kind": "owners",
                "title": "一号楼大堂改造",
                "matter": "7",
                "buildings": [voters.b1.pk],
                "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
                "closes_at": (opens + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
                "revote": "last",
            },
        )
        decision = Decision.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url("console_decision", decision)
        assert list(decision.buildings.all()) == [voters.b1]
        assert decision.status == Decision.Status.DRAFT

    def test_a_bad_draft_is_422_and_writes_nothing(self, voters):
        client = client_for(voters, "staff")
        response = client.post(
            reverse("console_decision_create", args=["here"]),
            {"kind": "residents", "title": "公约", "options": "只有一个", "revote": "last"},
        )
        assert response.status_code == 422
        assert not Decision.objects.exists()

    def test_announcing_too_early_is_refused_with_a_message(self, voters):
        decision = DecisionFactory(
            estate=voters.here, opens_at=timezone.now() + datetime.timedelta(days=3)
        )
        response = client_for(voters, "staff").post(
            url("console_decision_action", decision, "announce")
        )
        assert response.status_code == 422
        assert "errorlist-box" in main_of(response)
        decision.refresh_from_db()
        assert decision.status == Decision.Status.DRAFT

    def test_each_lifecycle_button_shows_only_when_allowed(self, voters):
        decision = DecisionFactory(estate=voters.here, announced=True)
        client = client_for(voters, "staff")
        page = main_of(client.get(url("console_decision", decision)))
        assert url("console_decision_action", decision, "open") not in page
        move(decision, opens_at=-1)
        page = main_of(client.get(url("console_decision", decision)))
        assert url("console_decision_action", decision, "open") in page
        assert url("console_decision_action", decision, "announce") not in page
        response = client.post(url("console_decision_action", decision, "open"))
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.status == Decision.Status.OPEN and decision.roll_fingerprint

    def test_cancel_needs_a_reason(self, voters):
        decision = DecisionFactory(estate=voters.here, announced=True)
        client = client_for(voters, "staff")
        assert (
            client.post(url("console_decision_action", decision, "cancel"), {}).status_code == 422
        )
        decision.refresh_from_db()
        assert decision.status == Decision.Status.ANNOUNCED
        response = client.post(
            url("console_decision_action", decision, "cancel"), {"reason": "议题需要重新讨论"}
        )
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.status == Decision.Status.CANCELLED
        page = main_of(english().get(url("decision_detail", decision)))
        assert "议题需要重新讨论" in page

    def test_an_unknown_action_is_404(self, voters):
        decision = DecisionFactory(estate=voters.here)
        address = f"/e/here/console/decisions/{decision.pk}/explode/"
        assert client_for(voters, "staff").post(address).status_code == 404

    def test_editing_a_draft_only(self, voters):
        decision = DecisionFactory(estate=voters.here)
        client = client_for(voters, "staff")
        data = {
            "kind": "owners",
            "title": "改过的标题",
            "matter": "7",
            "opens_at": timezone.localtime(decision.opens_at).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": timezone.localtime(decision.closes_at).strftime("%Y-%m-%dT%H:%M"),
            "revote": "first",
        }
        assert client.post(url("console_decision_edit", decision), data).status_code == 302
        decision.refresh_from_db()
        assert decision.title == "改过的标题" and decision.revote == "first"
        announced = DecisionFactory(estate=voters.here, announced=True)
        response = client.post(url("console_decision_edit", announced), data)
        assert response.status_code == 302  # sent back to the decision, with a message
        announced.refresh_from_db()
        assert announced.title != "改过的标题"

    def test_the_roll_is_amended_with_a_reason(self, voters):
        decision = DecisionFactory(estate=voters.here, open=True)
        before = decision.roll_fingerprint
        client = client_for(voters, "staff")
        bad = client.post(
            url("console_decision_amend", decision), {"flat_label": "1-101", "reason": "x"}
        )
        assert bad.status_code == 422
        assert not RollAmendment.objects.exists()
        response = client.post(
            url("console_decision_amend", decision),
            {"flat_label": "1-101", "area": "95.20", "reason": "不动产权证面积为95.20"},
        )
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.roll_fingerprint != before
        page = main_of(english().get(url("decision_roll", decision)))
        assert "不动产权证面积为95.20" in page

    def test_notices_served_on_paper_are_recorded_by_building(self, voters):
        decision = DecisionFactory(estate=voters.here, announced=True)
        entry = decision.roll.get(flats__label="2-201")
        client = client_for(voters, "staff")
        page = client.get(url("console_decision_served", decision), {"building": "2"})
        assert entry.ref in page.content.decode()
        before = NoticeDelivery.objects.count()
        refused = client.post(
            url("console_decision_served", decision) + "?building=2", {"entries": [entry.pk]}
        )
        assert refused.status_code == 422
        assert NoticeDelivery.objects.count() == before
        response = client.post(
            url("console_decision_served", decision) + "?building=2",
            {"entries": [entry.pk], "note": "上门送达，本人签收"},
        )
        assert response.status_code == 302
        assert NoticeDelivery.objects.filter(entry=entry, channel="paper").count() == 1

    def test_standing_rules_are_set_by_committee_staff(self, voters):
        address = reverse("console_decision_settings", args=["here"])
        assert client_for(voters, "owners_committee").get(address).status_code == 404
        client = client_for(voters, "staff")
        assert client.post(address, {"notice_days": "3"}).status_code == 422
        assert not DecisionSettings.objects.filter(deemed_consent=True).exists()
        response = client.post(address, {"notice_days": "15", "deemed_consent": "on"})
        assert response.status_code == 302
        assert DecisionSettings.objects.get(estate=voters.here).deemed_consent


def test_every_page_links_to_print_and_exports_by_name(voters):
    """The decision page links to the notice and, once published, the results; the full
    record only for those who may download it (owners on the roll, organisers)."""
    decision = DecisionFactory(
        estate=voters.here, ballots={voters.users["resident"]: "agree"}, published=True
    )
    page = main_of(client_for(voters, "resident").get(url("decision_detail", decision)))
    for name in ("decision_notice_pdf", "decision_results_pdf", "decision_record_json"):
        assert url(name, decision) in page, name
    public = main_of(english().get(url("decision_detail", decision)))
    assert url("decision_results_pdf", decision) in public
    assert url("decision_record_json", decision) not in public  # owners on the roll only
    assert re.search(r"[0-9a-f]{64}", page)
