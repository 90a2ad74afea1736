"""The budgeting services: opening, the ballot's limits (enforced by the server, nothing written
on a refusal), one ballot per person or household, paper ballots, closing, counting by the
engine, publishing (which awards exactly the winners) and the .pb export."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linju.budgeting import services
from linju.budgeting.models import BudgetVote, PBBallot, PBBallotItem, PBOutcome
from linju.core.models import AuditEvent
from linju.foundation.models import Application, Programme
from linju.foundation.pb import pbfile, rules
from linju.grants.models import Grant
from tests.budgeting.factories import closed, ids, open_vote, programme_for, shortlist, voter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

COSTS = {
    "15号楼 楼道": "35000",
    "16号楼 大堂": "30000",
    "19号楼 外墙": "28000",
    "26号楼 花园": "25000",
}


def written() -> tuple[int, int, int, int]:
    return (
        PBBallot.objects.count(),
        PBBallotItem.objects.count(),
        PBOutcome.objects.count(),
        Grant.objects.count(),
    )


@pytest.fixture
def programme(world):
    return programme_for(world)


@pytest.fixture
def apps(world, programme):
    return shortlist(world, programme, COSTS)


@pytest.fixture
def vote(world, programme, apps):
    return open_vote(world, programme)


class TestVoteOpen:
    def test_copies_the_programmes_rules_and_the_shortlist(self, world, programme, apps):
        """The vote holds the shortlisted applications only and a frozen copy of the PB
        settings; the programme moves to "voting"."""
        shortlist(world, programme, {"未入围": "1000"}, status=Application.Status.DECLINED)
        vote = open_vote(world, programme)
        assert set(vote.eligible.values_list("pk", flat=True)) == set(ids(apps))
        assert vote.rules == {
            "rule": "mes-add1",
            "exhaustive_stop": False,
            "comparison": False,
            "ballot": "approval",
            "min": 1,
            "max": 3,
            "unit": "resident",
            "budget": "100000.00",
        }
        programme.refresh_from_db()
        assert programme.status == Programme.Status.VOTING
        Programme.objects.filter(pk=programme.pk).update(pb_rule="greedy", pb_max=1)
        vote.refresh_from_db()
        assert vote.rules["rule"] == "mes-add1"

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"selection": Programme.Selection.REVIEW}, "not chosen by the residents"),
            ({"status": Programme.Status.DRAFT}, "Only a published programme"),
            ({"status": Programme.Status.CLOSED}, "Only a published programme"),
        ],
    )
    def test_refused_for_programmes_without_a_vote(self, world, apps, programme, change, message):
        Programme.objects.filter(pk=programme.pk).update(**change)
        programme.refresh_from_db()
        with pytest.raises(ValidationError, match=message):
            open_vote(world, programme)
        assert BudgetVote.objects.count() == 0

    def test_needs_a_shortlisted_application(self, world, programme):
        shortlist(world, programme, {"A": "10"}, status=Application.Status.UNDER_REVIEW)
        with pytest.raises(ValidationError, match="Shortlist at least one"):
            open_vote(world, programme)
        assert BudgetVote.objects.count() == 0

    def test_min_beyond_the_shortlist_is_refused(self, world, programme):
        shortlist(world, programme, {"A": "10", "B": "20"})
        Programme.objects.filter(pk=programme.pk).update(pb_min=3, pb_max=5)
        programme.refresh_from_db()
        with pytest.raises(ValidationError, match="at least 3 projects"):
            open_vote(world, programme)
        assert BudgetVote.objects.count() == 0

    def test_once_per_programme_and_closing_in_the_future(self, world, programme, apps):
        with pytest.raises(ValidationError, match="close in the future"):
            open_vote(
                world,
                programme,
                opens_at=timezone.now() - datetime.timedelta(days=2),
                closes_at=timezone.now() - datetime.timedelta(days=1),
            )
        open_vote(world, programme)
        with pytest.raises(ValidationError, match="already has"):
            open_vote(world, programme)
        assert BudgetVote.objects.count() == 1

    @pytest.mark.parametrize("role", ["staff", "resident", "leader", "staff_other_estate"])
    def test_only_the_streets_foundation_officer(self, world, programme, apps, role):
        with pytest.raises(PermissionDenied):
            services.vote_open(
                actor=world.user(role),
                programme=programme,
                closes_at=timezone.now() + datetime.timedelta(days=3),
            )
        assert BudgetVote.objects.count() == 0


class TestBallotCast:
    def test_a_resident_votes_once(self, world, vote, apps):
        ballot = services.ballot_cast(
            actor=world.users["resident"], vote=vote, applications=ids(apps[:2])
        )
        assert ballot.voter == world.person1
        assert ballot.household is None and ballot.channel == "online"
        assert sorted(ballot.items.values_list("application_id", flat=True)) == ids(apps[:2])
        assert len(ballot.receipt) == services.RECEIPT_LENGTH
        assert AuditEvent.objects.filter(action="pb_ballot.cast").count() == 1
        before = written()
        with pytest.raises(ValidationError, match="already voted"):
            services.ballot_cast(
                actor=world.users["resident"], vote=vote, applications=ids(apps[2:3])
            )
        assert written() == before

    @pytest.mark.parametrize(
        ("choose", "message"),
        [
            (lambda apps: [], "between 1 and 3"),
            (lambda apps: ids(apps), "between 1 and 3"),
            (lambda apps: [apps[0].pk, apps[0].pk], "once"),
            (lambda apps: [999999], "Choose among"),
            (lambda apps: ["x"], "Choose among"),
        ],
    )
    def test_approval_limits(self, world, vote, apps, choose, message):
        with pytest.raises(ValidationError, match=message):
            services.ballot_cast(
                actor=world.users["resident"], vote=vote, applications=choose(apps)
            )
        assert written() == (0, 0, 0, 0)

    def test_an_application_not_on_the_ballot_is_refused(self, world, programme, vote):
        other = shortlist(world, programme, {"后来": "10"})
        with pytest.raises(ValidationError, match="Choose among"):
            services.ballot_cast(actor=world.users["resident"], vote=vote, applications=ids(other))
        assert written() == (0, 0, 0, 0)

    def test_knapsack_total_within_the_budget(self, world, programme, apps):
        Programme.objects.filter(pk=programme.pk).update(pb_ballot="knapsack")
        programme.refresh_from_db()
        vote = open_vote(world, programme)
        with pytest.raises(ValidationError, match=r"118,000\.00.*100,000\.00"):
            services.ballot_cast(actor=world.users["resident"], vote=vote, applications=ids(apps))
        with pytest.raises(ValidationError, match="at least one"):
            services.ballot_cast(actor=world.users["resident"], vote=vote, applications=[])
        assert written() == (0, 0, 0, 0)
        # 35,000 + 30,000 + 28,000 = 93,000 fits; a knapsack ballot has no count limit.
        ballot = services.ballot_cast(
            actor=world.users["resident"], vote=vote, applications=ids(apps[:3])
        )
        assert ballot.items.count() == 3

    def test_one_ballot_per_household(self, world, programme, apps):
        Programme.objects.filter(pk=programme.pk).update(pb_unit="household")
        programme.refresh_from_db()
        vote = open_vote(world, programme)
        partner = voter(world, "partner", flat=world.flat1)
        first = services.ballot_cast(
            actor=world.users["resident"], vote=vote, applications=ids(apps[:1])
        )
        assert first.household == world.flat1
        with pytest.raises(ValidationError, match="household"):
            services.ballot_cast(actor=partner, vote=vote, applications=ids(apps[1:2]))
        assert PBBallot.objects.count() == 1
        neighbour = voter(world, "neighbour")
        services.ballot_cast(actor=neighbour, vote=vote, applications=ids(apps[1:2]))
        assert PBBallot.objects.count() == 2

    def test_per_resident_a_household_votes_for_each(self, world, vote, apps):
        partner = voter(world, "partner", flat=world.flat1)
        services.ballot_cast(actor=world.users["resident"], vote=vote, applications=ids(apps[:1]))
        services.ballot_cast(actor=partner, vote=vote, applications=ids(apps[:1]))
        assert PBBallot.objects.count() == 2

    def test_only_residents_on_the_roster(self, world, vote, apps):
        """A person of the estate whose occupancy ended is not verified; a resident of another
        street may not vote at all."""
        from linju.community.models import Occupancy

        Occupancy.objects.filter(person=world.person1).update(ends_on=timezone.localdate())
        with pytest.raises(ValidationError, match="roster"):
            services.ballot_cast(
                actor=world.users["resident"], vote=vote, applications=ids(apps[:1])
            )
        elsewhere = voter(world, "elsewhere", estate=world.there)
        with pytest.raises(PermissionDenied):
            services.ballot_cast(actor=elsewhere, vote=vote, applications=ids(apps[:1]))
        assert written() == (0, 0, 0, 0)

    def test_refused_before_opening_and_after_closing(self, world, programme, apps):
        vote = open_vote(
            world,
            programme,
            opens_at=timezone.now() + datetime.timedelta(days=1),
            closes_at=timezone.now() + datetime.timedelta(days=2),
        )
        with pytest.raises(ValidationError, match="not open yet"):
            services.ballot_cast(
                actor=world.users["resident"], vote=vote, applications=ids(apps[:1])
            )
        BudgetVote.objects.filter(pk=vote.pk).update(
            opens_at=timezone.now() - datetime.timedelta(days=2),
            closes_at=timezone.now() - datetime.timedelta(seconds=1),
        )
        vote.refresh_from_db()
        with pytest.raises(ValidationError, match="closed"):
            services.ballot_cast(
                actor=world.users["resident"], vote=vote, applications=ids(apps[:1])
            )
        closed(world, vote)
        with pytest.raises(ValidationError, match="closed"):
            services.ballot_cast(
                actor=world.users["resident"], vote=vote, applications=ids(apps[:1])
            )
        assert written() == (0, 0, 0, 0)


class TestPaperBallot:
    def test_staff_enter_a_paper_ballot_for_a_resident_of_their_estate(self, world, vote, apps):
        ballot = services.paper_ballot_enter(
            actor=world.users["staff"], vote=vote, person=world.person2, applications=ids(apps[:3])
        )
        assert (ballot.channel, ballot.entered_by, ballot.voter) == (
            "paper",
            world.users["staff"],
            world.person2,
        )
        with pytest.raises(ValidationError, match="already voted"):
            services.paper_ballot_enter(
                actor=world.users["staff"],
                vote=vote,
                person=world.person2,
                applications=ids(apps[:1]),
            )
        assert PBBallot.objects.count() == 1

    def test_limits_apply_on_paper_too(self, world, vote, apps):
        with pytest.raises(ValidationError, match="between 1 and 3"):
            services.paper_ballot_enter(
                actor=world.users["staff"], vote=vote, person=world.person2, applications=ids(apps)
            )
        assert written() == (0, 0, 0, 0)

    def test_an_online_voter_cannot_vote_again_on_paper(self, world, vote, apps):
        services.ballot_cast(actor=world.users["resident"], vote=vote, applications=ids(apps[:1]))
        with pytest.raises(ValidationError, match="already voted"):
            services.paper_ballot_enter(
                actor=world.users["staff"],
                vote=vote,
                person=world.person1,
                applications=ids(apps[1:2]),
            )
        assert PBBallot.objects.count() == 1

    def test_refused_for_residents_of_other_estates_and_other_roles(self, world, vote, apps):
        from tests.factories import EstateFactory

        neighbour_estate = EstateFactory(street=world.here.street, slug="next-door")
        other_user = voter(world, "next_door_resident", estate=neighbour_estate)
        with pytest.raises(ValidationError, match="own estate"):
            services.paper_ballot_enter(
                actor=world.users["staff"],
                vote=vote,
                person=other_user.people.get(),
                applications=ids(apps[:1]),
            )
        for role in ("resident", "leader", "foundation", "staff_other_estate"):
            with pytest.raises(PermissionDenied):
                services.paper_ballot_enter(
                    actor=world.user(role),
                    vote=vote,
                    person=world.person2,
                    applications=ids(apps[:1]),
                )
        assert written() == (0, 0, 0, 0)

    def test_after_closing_until_counted(self, world, vote, apps):
        closed(world, vote)
        services.paper_ballot_enter(
            actor=world.users["staff"], vote=vote, person=world.person2, applications=ids(apps[:1])
        )
        services.outcome_compute(actor=world.users["foundation"], vote=vote)
        with pytest.raises(ValidationError, match="counted"):
            services.paper_ballot_enter(
                actor=world.users["staff"],
                vote=vote,
                person=world.person1,
                applications=ids(apps[:1]),
            )
        assert PBBallot.objects.count() == 1


class TestClose:
    def test_not_before_the_announced_time(self, world, vote):
        with pytest.raises(ValidationError, match="cannot be closed earlier"):
            services.vote_close(actor=world.users["foundation"], vote=vote)
        vote.refresh_from_db()
        assert vote.status == BudgetVote.Status.OPEN
        closed(world, vote)
        vote.refresh_from_db()
        assert vote.status == BudgetVote.Status.CLOSED and vote.closed_at is not None

    def test_counting_needs_a_closed_vote(self, world, vote):
        with pytest.raises(ValidationError, match="Close the vote"):
            services.outcome_compute(actor=world.users["foundation"], vote=vote)
        assert written() == (0, 0, 0, 0)


def _vote_with(world, programme, costs, ballots, *, rule="mes"):
    """A closed vote on ``costs`` with one voter per ballot (lists of titles)."""
    Programme.objects.filter(pk=programme.pk).update(pb_rule=rule, pb_max=len(costs))
    programme.refresh_from_db()
    apps = shortlist(world, programme, costs)
    by_title = {a.title: a for a in apps}
    vote = open_vote(world, programme)
    for number, ballot in enumerate(ballots):
        services.ballot_cast(
            actor=voter(world, f"v{number}"),
            vote=vote,
            applications=[by_title[t].pk for t in ballot],
        )
    return closed(world, vote), by_title


class TestCount:
    def test_hand_worked_election_with_explanations(self, world, programme):
        """Budget 120, four voters, so 30 each. A (60) is bought first by its three
        supporters, 20 each (rho 1/3), who keep 10 each; B (60) has one supporter with 30, ¥30
        short; C (30) has one supporter left with 10, ¥20 short; nobody voted for D."""
        Programme.objects.filter(pk=programme.pk).update(budget=Decimal("120"))
        programme.refresh_from_db()
        vote, apps = _vote_with(
            world,
            programme,
            {"A": "60", "B": "60", "C": "30", "D": "10"},
            [["A"], ["A"], ["A", "C"], ["B"]],
        )
        outcome = services.outcome_compute(actor=world.users["foundation"], vote=vote)
        assert outcome.selected == [apps["A"].pk]
        assert outcome.cost == Decimal("60")
        assert outcome.endowment == "30"
        by_id = {p["id"]: p for p in outcome.explanations["projects"]}
        a, b, c, d = (by_id[str(apps[t].pk)] for t in "ABCD")
        assert (a["round"], a["rho"], a["payment"], a["votes"]) == (1, "1/3", "20", "3")
        assert (b["reason"], b["shortfall"]) == ("supporters_short", "30")
        assert (c["reason"], c["shortfall"]) == ("supporters_short", "20")
        assert (d["reason"], d["shortfall"]) == ("no_supporters", None)
        vote.refresh_from_db()
        assert vote.status == BudgetVote.Status.COUNTED

    def test_outcome_equals_the_engine_on_the_ballots(self, world, programme):
        """The count is the engine's outcome on the ballots as cast (MES-Add1 with the
        comparison step)."""
        Programme.objects.filter(pk=programme.pk).update(pb_comparison=True)
        programme.refresh_from_db()
        rng = random.Random(8)
        costs = {"甲": "35000", "乙": "30000", "丙": "28000", "丁": "25000", "戊": "12000"}
        ballots = [rng.sample(sorted(costs), rng.randint(1, 3)) for _ in range(40)]
        vote, apps = _vote_with(world, programme, costs, ballots, rule="mes-add1")
        outcome = services.outcome_compute(actor=world.users["foundation"], vote=vote)
        instance = rules.instance_build(
            budget=Decimal("100000"),
            costs={str(apps[t].pk): Decimal(c) for t, c in costs.items()},
            ballots=[[str(apps[t].pk) for t in ballot] for ballot in ballots],
        )
        expected = rules.outcome_compute(instance, rule=rules.Rule.MES_ADD1, comparison=True)
        assert outcome.selected == [int(pk) for pk in expected.selected]
        assert outcome.cost == expected.cost
        assert expected.endowment is not None
        assert Fraction(outcome.endowment) == expected.endowment
        assert outcome.explanations["comparison"] is not None

    def test_a_count_can_be_repeated_until_published(self, world, vote, apps):
        closed(world, vote)
        services.outcome_compute(actor=world.users["foundation"], vote=vote)
        services.outcome_compute(actor=world.users["foundation"], vote=vote)
        assert PBOutcome.objects.count() == 2


class TestPublish:
    def test_awards_exactly_the_winners(self, world, programme):
        vote, apps = _vote_with(
            world,
            programme,
            COSTS,
            [["15号楼 楼道", "16号楼 大堂"]] * 3 + [["19号楼 外墙"]] * 2 + [["26号楼 花园"]],
            rule="greedy",
        )
        outcome = services.outcome_compute(actor=world.users["foundation"], vote=vote)
        winners = set(outcome.selected)
        # Greedy by votes: 15 (3), 16 (3), 19 (2) = 93,000; 26 no longer fits.
        assert winners == {apps[t].pk for t in ("15号楼 楼道", "16号楼 大堂", "19号楼 外墙")}
        services.outcome_publish(actor=world.users["foundation"], vote=vote)
        grants = {g.application_id: g.amount for g in Grant.objects.all()}
        assert grants == {pk: Application.objects.get(pk=pk).requested for pk in winners}
        statuses = dict(Application.objects.values_list("pk", "status"))
        assert statuses[apps["26号楼 花园"].pk] == Application.Status.NOT_AWARDED
        assert {statuses[pk] for pk in winners} == {Application.Status.AWARDED}
        vote.refresh_from_db()
        outcome.refresh_from_db()
        assert vote.status == BudgetVote.Status.PUBLISHED and outcome.published_at is not None
        programme.refresh_from_db()
        assert programme.status == Programme.Status.DECIDED

    def test_a_refused_award_publishes_nothing(self, world, programme):
        """If the grants app refuses an award (here: the budget is already spent), nothing is
        published and no grant is written."""
        vote, _apps = _vote_with(
            world, programme, {"A": "60000", "B": "30000"}, [["A"], ["B"]], rule="greedy"
        )
        services.outcome_compute(actor=world.users["foundation"], vote=vote)
        Programme.objects.filter(pk=programme.pk).update(budget=Decimal("50000"))
        with pytest.raises(ValidationError):
            services.outcome_publish(actor=world.users["foundation"], vote=vote)
        vote.refresh_from_db()
        assert vote.status == BudgetVote.Status.COUNTED
        assert Grant.objects.count() == 0
        assert not PBOutcome.objects.filter(published_at__isnull=False).exists()
        assert set(Application.objects.values_list("status", flat=True)) == {"shortlisted"}

    def test_publishing_needs_a_count(self, world, vote):
        closed(world, vote)
        with pytest.raises(ValidationError, match="Count the vote"):
            services.outcome_publish(actor=world.users["foundation"], vote=vote)
        assert Grant.objects.count() == 0

    @pytest.mark.parametrize("role", ["staff", "resident", "staff_other_estate"])
    def test_only_the_officer_counts_and_publishes(self, world, vote, role):
        closed(world, vote)
        with pytest.raises(PermissionDenied):
            services.outcome_compute(actor=world.user(role), vote=vote)
        with pytest.raises(PermissionDenied):
            services.outcome_publish(actor=world.user(role), vote=vote)
        assert written() == (0, 0, 0, 0)


class TestExport:
    def test_the_pb_file_is_anonymous_and_gives_the_same_outcome(self, world, programme):
        vote, apps = _vote_with(
            world, programme, {"A": "60000", "B": "30000", "C": "25000"}, [["A", "B"], ["B"], ["C"]]
        )
        outcome = services.outcome_compute(actor=world.users["foundation"], vote=vote)
        text = services.vote_export_pb(actor=world.users["foundation"], vote=vote)
        election = pbfile.parse_pb(text)
        assert sorted(b.voter_id for b in election.ballots) == ["1", "2", "3"]
        assert "居民" not in text and "v0" not in text
        assert election.budget == Decimal("100000.00")
        assert election.meta["num_votes"] == "3"
        assert {p.project_id: p.fields["votes"] for p in election.projects} == {
            str(apps["A"].pk): "1",
            str(apps["B"].pk): "2",
            str(apps["C"].pk): "1",
        }
        computed = services.pb_file_compute(
            actor=world.users["foundation"], data=text.encode(), rule="mes"
        )
        assert [int(pk) for pk in computed.outcome.selected] == outcome.selected
        assert election.official_selection() == tuple(str(pk) for pk in sorted(outcome.selected))

    def test_export_waits_for_the_close(self, world, vote):
        with pytest.raises(ValidationError, match="once voting has closed"):
            services.vote_export_pb(actor=world.users["foundation"], vote=vote)
        with pytest.raises(PermissionDenied):
            services.vote_export_pb(actor=world.users["staff"], vote=vote)


class TestPbFileCompute:
    FILE = (
        "META\nkey;value\nbudget;100\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost;name\n1;60;甲\n2;60;乙\n"
        "VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
    )

    def test_computes_and_explains(self, world):
        computed = services.pb_file_compute(
            actor=world.users["foundation"], data=self.FILE.encode(), rule="greedy"
        )
        assert computed.outcome.selected == ("1",)
        assert computed.record["titles"] == {"1": "甲", "2": "乙"}
        assert computed.record["projects"][1]["reason"] == "did_not_fit"
        assert computed.record["projects"][1]["left"] == "40"

    def test_bad_files_and_rules_are_refused_naming_the_line(self, world):
        with pytest.raises(ValidationError, match="line 1"):
            services.pb_file_compute(actor=world.users["foundation"], data=b"nonsense", rule="mes")
        cumulative = self.FILE.replace("approval", "cumulative")
        with pytest.raises(ValidationError):
            services.pb_file_compute(
                actor=world.users["foundation"], data=cumulative.encode(), rule="mes"
            )
        with pytest.raises(ValidationError, match="Choose a rule"):
            services.pb_file_compute(
                actor=world.users["foundation"], data=self.FILE.encode(), rule="x"
            )

    @pytest.mark.parametrize("role", ["staff", "resident"])
    def test_analysts_only(self, world, role):
        with pytest.raises(PermissionDenied):
            services.pb_file_compute(actor=world.user(role), data=self.FILE.encode(), rule="mes")
