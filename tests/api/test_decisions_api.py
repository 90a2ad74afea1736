"""The decisions API: the list, a decision with the caller's part in it, casting, the results
and the bulletin board; reading is public, casting needs a token; refusals write nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.decisions import services
from linju.decisions.models import Ballot, RollEntry, RollFlat
from tests import factories as f
from tests.decisions.conftest import Block, move


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def block(world):
    return Block(world)


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def token(block):
    """A token for an owner of building 17, by key of ``Block.users``."""
    return lambda key: api_token_issue(user=block.users[key], label="test")


def ref_of(decision, owner) -> str:
    return RollEntry.objects.get(decision=decision, owner=owner).ref


def cast(client, decision, token, **body):
    return client.post(
        f"/api/decisions/{decision.pk}/ballots",
        body,
        content_type="application/json",
        **bearer(token),
    )


def published(block, decision):
    block.closed(decision)
    services.decision_tally(actor=block.staff, decision=decision)
    return services.decision_publish(actor=block.staff, decision=decision)


class TestList:
    def test_anyone_sees_announced_votes_but_not_drafts(self, block, client):
        announced = block.announced(title="换电梯")
        block.draft(title="草稿")
        rows = client.get("/api/decisions?estate=here").json()
        assert [r["title"] for r in rows] == ["换电梯"]
        row = rows[0]
        assert row["id"] == announced.pk
        assert row["status"] == "announced"
        assert row["matter"] == 7
        assert row["buildings"] == ["17"]
        assert row["can_vote"] is False

    def test_organisers_see_their_drafts(self, block, client):
        block.draft(title="草稿")
        staff = api_token_issue(user=block.staff, label="test")
        rows = client.get("/api/decisions?estate=here", **bearer(staff)).json()
        assert [(r["title"], r["status"]) for r in rows] == [("草稿", "draft")]

    def test_an_owner_on_the_roll_may_vote_while_it_is_open(self, block, client, token):
        block.opened()
        rows = client.get("/api/decisions?estate=here", **bearer(token("chen"))).json()
        assert rows[0]["can_vote"] is True
        anonymous = client.get("/api/decisions?estate=here").json()
        assert anonymous[0]["can_vote"] is False

    def test_first_vote_final_leaves_nothing_to_vote_after_voting(self, block, client, token):
        decision = block.opened(revote="first")
        chen = token("chen")
        assert cast(client, decision, chen, choice="agree").status_code == 200
        rows = client.get("/api/decisions?estate=here", **bearer(chen)).json()
        assert rows[0]["can_vote"] is False

    def test_an_unknown_estate_is_404_and_a_missing_one_422(self, world, client):
        assert client.get("/api/decisions?estate=nowhere").status_code == 404
        assert client.get("/api/decisions").status_code == 422


class TestDetail:
    def test_rules_fingerprint_participation_and_my_entry(self, block, client, token):
        decision = block.opened()
        body = client.get(f"/api/decisions/{decision.pk}", **bearer(token("chen"))).json()
        assert body["rules"]["approval"] == decision.rules["approval"]
        assert body["fingerprint"] == decision.roll_fingerprint
        assert len(body["fingerprint"]) == 64
        assert body["participation"] == {
            "total_area": "460.00",
            "total_heads": 5,
            "voted_area": "0.00",
            "voted_heads": 0,
        }
        label = RollFlat.objects.get(decision=decision, flat=block.flats["302"]).label
        assert body["voter_entries"] == [
            {
                "ref": ref_of(decision, block.owners["chen"]),
                "label": label,
                "acting_for": False,
                "voted": False,
                "receipt": None,
            }
        ]
        assert body["options"] == []
        assert body["result"] is None
        assert body["running_totals"] is None

    def test_anonymous_readers_have_no_entries(self, block, client):
        decision = block.opened()
        body = client.get(f"/api/decisions/{decision.pk}").json()
        assert body["voter_entries"] == []
        assert body["participation"]["total_heads"] == 5

    def test_an_agent_sees_the_owner_they_vote_for(self, block, client):
        decision = block.opened()
        agent = block.world.users["resident"]
        f.DelegationFactory(principal=block.people["wang"], agent=agent)
        body = client.get(
            f"/api/decisions/{decision.pk}", **bearer(api_token_issue(user=agent, label="t"))
        ).json()
        (entry,) = body["voter_entries"]
        assert entry["ref"] == ref_of(decision, block.owners["wang"])
        assert entry["acting_for"] is True

    def test_running_totals_only_where_the_organiser_opted_in(self, block, client, token):
        decision = block.opened(show_totals_while_open=True)
        assert cast(client, decision, token("chen"), choice="agree").status_code == 200
        body = client.get(f"/api/decisions/{decision.pk}").json()
        assert body["running_totals"]["agree"] == {"area": "40.00", "heads": 1}

    @pytest.mark.parametrize("who", ["anonymous", "resident", "staff_other_estate"])
    def test_a_draft_is_404_to_everyone_but_its_organisers(self, block, client, who):
        decision = block.draft()
        user = block.world.user(who)
        headers = bearer(api_token_issue(user=user, label="t")) if user else {}
        response = client.get(f"/api/decisions/{decision.pk}", **headers)
        assert response.status_code == 404
        assert "detail" in response.json()

    def test_a_missing_or_absurd_id_is_404(self, world, client):
        assert client.get("/api/decisions/999999").status_code == 404
        assert client.get(f"/api/decisions/{2**70}").status_code == 404


class TestCast:
    def test_an_owner_casts_and_gets_a_receipt(self, block, client, token):
        decision = block.opened()
        chen = token("chen")
        response = cast(client, decision, chen, choice="agree")
        assert response.status_code == 200
        body = response.json()
        ballot = Ballot.objects.get()
        assert body == {
            "receipt": ballot.receipt,
            "entry": ref_of(decision, block.owners["chen"]),
            "cast_at": ballot.cast_at.isoformat(),
            "counted": True,
            "superseded_reason": "",
        }
        assert ballot.choice == "agree"
        assert ballot.channel == "online"
        detail = client.get(f"/api/decisions/{decision.pk}", **bearer(chen)).json()
        assert detail["voter_entries"][0]["voted"] is True
        assert detail["voter_entries"][0]["receipt"] == ballot.receipt
        assert detail["participation"]["voted_heads"] == 1

    def test_voting_again_supersedes_the_earlier_ballot(self, block, client, token):
        decision = block.opened()
        chen = token("chen")
        first = cast(client, decision, chen, choice="agree").json()
        second = cast(client, decision, chen, choice="disagree").json()
        assert second["counted"] is True
        old = Ballot.objects.get(receipt=first["receipt"])
        assert (old.counted, old.superseded_reason) == (False, "changed")

    def test_an_agent_votes_for_the_owner_recorded_as_such(self, block, client):
        decision = block.opened()
        agent = block.world.users["resident"]
        delegation = f.DelegationFactory(principal=block.people["wang"], agent=agent)
        response = cast(
            client,
            decision,
            api_token_issue(user=agent, label="t"),
            entry=ref_of(decision, block.owners["wang"]),
            choice="abstain",
        )
        assert response.status_code == 200
        ballot = Ballot.objects.get()
        assert ballot.delegation == delegation
        assert ballot.cast_by == agent

    def test_a_bad_choice_is_422_and_nothing_is_written(self, block, client, token):
        decision = block.opened()
        response = cast(client, decision, token("chen"), choice="maybe")
        assert response.status_code == 422
        assert "choice" in response.json()["errors"]
        assert not Ballot.objects.exists()

    def test_options_on_an_owners_vote_are_refused(self, block, client, token):
        decision = block.opened()
        response = cast(client, decision, token("chen"), choice="agree", selections=["1"])
        assert response.status_code == 422
        assert not Ballot.objects.exists()

    def test_after_the_close_time_is_422_and_nothing_is_written(self, block, client, token):
        decision = block.opened()
        move(decision, closes_at=-1)  # the worker has not closed it yet: the clock decides
        response = cast(client, decision, token("chen"), choice="agree")
        assert response.status_code == 422
        assert response.json()["detail"]
        assert not Ballot.objects.exists()

    def test_before_voting_opens_is_422(self, block, client, token):
        decision = block.announced()
        assert cast(client, decision, token("chen"), choice="agree").status_code == 422
        assert not Ballot.objects.exists()

    def test_someone_not_on_the_roll_is_422(self, block, client, token):
        decision = block.opened()
        # 张 co-owns 17-201, but the co-owners named 李 to vote.
        response = cast(client, decision, token("zhang"), choice="agree")
        assert response.status_code == 422
        assert not Ballot.objects.exists()

    def test_a_voter_number_that_is_not_mine_is_422(self, block, client, token):
        decision = block.opened()
        for entry in (ref_of(decision, block.owners["wang"]), "O-99999"):
            response = cast(client, decision, token("chen"), entry=entry, choice="agree")
            assert response.status_code == 422
            assert "entry" in response.json()["errors"]
        assert not Ballot.objects.exists()

    @pytest.mark.parametrize("header", [{}, bearer("nonsense")])
    def test_casting_needs_a_token(self, block, client, header):
        decision = block.opened()
        response = client.post(
            f"/api/decisions/{decision.pk}/ballots",
            {"choice": "agree"},
            content_type="application/json",
            **header,
        )
        assert response.status_code == 401
        assert not Ballot.objects.exists()

    def test_a_signed_in_browser_session_does_not_cast(self, block, client):
        decision = block.opened()
        client.force_login(block.users["chen"])
        response = client.post(
            f"/api/decisions/{decision.pk}/ballots",
            {"choice": "agree"},
            content_type="application/json",
        )
        assert response.status_code == 401
        assert not Ballot.objects.exists()

    def test_a_hidden_decision_is_404(self, block, client, token):
        decision = block.draft()
        response = cast(client, decision, token("chen"), choice="agree")
        assert response.status_code == 404
        assert not Ballot.objects.exists()

    def test_a_decision_of_another_estate_is_404(self, block, client):
        there = api_token_issue(user=block.world.users["staff_other_estate"], label="t")
        decision = block.draft()
        assert cast(client, decision, there, choice="agree").status_code == 404
        assert not Ballot.objects.exists()


class TestResults:
    def test_404_until_published(self, block, client, token):
        decision = block.opened()
        cast(client, decision, token("chen"), choice="agree")
        assert client.get(f"/api/decisions/{decision.pk}/results").status_code == 404
        block.closed(decision)
        services.decision_tally(actor=block.staff, decision=decision)
        assert client.get(f"/api/decisions/{decision.pk}/results").status_code == 404
        detail = client.get(f"/api/decisions/{decision.pk}").json()
        assert detail["result"] is None

    def test_the_stored_result_once_published(self, block, client, token):
        decision = block.opened()
        cast(client, decision, token("chen"), choice="agree")
        published(block, decision)
        body = client.get(f"/api/decisions/{decision.pk}/results").json()
        decision.refresh_from_db()
        assert body["result"] == decision.result
        assert body["result"]["strict"]["result"] == "no_quorum"
        assert body["result"]["strict"]["participation"]["heads"] == "1/5"
        assert body["voter_flats"] == []
        detail = client.get(f"/api/decisions/{decision.pk}").json()
        assert detail["result"] == decision.result

    def test_voter_flats_where_the_estate_publishes_them(self, block, client, token):
        services.decision_settings_update(
            actor=block.staff,
            estate=block.estate,
            deemed_consent=False,
            publish_voter_flats=True,
            online_over_paper=True,
            notice_days=15,
        )
        decision = block.opened()
        cast(client, decision, token("chen"), choice="agree")
        published(block, decision)
        body = client.get(f"/api/decisions/{decision.pk}/results").json()
        label = RollFlat.objects.get(decision=decision, flat=block.flats["302"]).label
        assert body["voter_flats"] == [{"flat": label, "area": "40.00"}]


class TestBoard:
    def test_receipts_without_choices_while_open(self, block, client, token):
        decision = block.opened()
        chen = token("chen")
        first = cast(client, decision, chen, choice="agree").json()["receipt"]
        second = cast(client, decision, chen, choice="disagree").json()["receipt"]
        board = client.get(f"/api/decisions/{decision.pk}/board").json()
        assert board["total"] == 2
        assert board["choices_shown"] is False
        rows = {row["receipt"]: row for row in board["entries"]}
        assert rows[first]["counted"] is False
        assert rows[first]["superseded_reason"] == "changed"
        assert rows[first]["superseded_label"]
        assert rows[second]["counted"] is True
        assert all(row["choice"] is None and row["selections"] is None for row in rows.values())

    def test_a_receipt_is_found_as_typed_back(self, block, client, token):
        decision = block.opened()
        receipt = cast(client, decision, token("chen"), choice="agree").json()["receipt"]
        cast(client, decision, token("wang"), choice="agree")
        typed = f"{receipt[:5].lower()}-{receipt[5:]}"
        board = client.get(f"/api/decisions/{decision.pk}/board?receipt={typed}").json()
        assert [row["receipt"] for row in board["entries"]] == [receipt]

    def test_choices_once_published(self, block, client, token):
        decision = block.opened()
        cast(client, decision, token("chen"), choice="agree")
        published(block, decision)
        board = client.get(f"/api/decisions/{decision.pk}/board").json()
        assert board["choices_shown"] is True
        assert [row["choice"] for row in board["entries"]] == ["agree"]

    def test_pages(self, block, client, token):
        decision = block.opened()
        for choice in ("agree", "disagree", "abstain"):
            cast(client, decision, token("chen"), choice=choice)
        url = f"/api/decisions/{decision.pk}/board"
        everything = [row["receipt"] for row in client.get(url).json()["entries"]]
        second = client.get(f"{url}?limit=1&offset=1").json()
        assert second["total"] == 3
        assert [row["receipt"] for row in second["entries"]] == everything[1:2]
        assert client.get(f"{url}?limit=0").status_code == 422

    def test_a_draft_has_no_board(self, block, client):
        decision = block.draft()
        assert client.get(f"/api/decisions/{decision.pk}/board").status_code == 404
