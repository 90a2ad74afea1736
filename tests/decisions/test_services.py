"""The decisions services: drafting, the lifecycle, the roll, casting, paper entry, counting.

Each failure case asserts that nothing was written.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.decisions import record, selectors, services
from linju.decisions.models import (
    Ballot,
    BallotLink,
    Decision,
    DecisionSettings,
    NoticeDelivery,
    PaperEntry,
    RollAmendment,
    RollEntry,
)
from linju.decisions.services import common
from linju.membership.models import Delegation
from linju.notifications.models import Notification
from tests import factories as f
from tests.decisions.conftest import move

pytestmark = pytest.mark.django_db


def photo(name="ballot.png"):
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")


def enter_twice(block, decision, entry, **reading):
    """The same paper ballot entered by two different staff members: it counts."""
    for actor in (block.staff, block.committee):
        services.paper_ballot_enter(
            actor=actor,
            decision=decision,
            entry=entry,
            channel="paper",
            document=photo(),
            **reading,
        )


def entry_of(decision, key, block):
    refs = {
        "wang": f"O-{block.owners['wang'].pk:05d}",
        "joint": f"O-{block.owners['joint'].pk:05d}",
        "chen": f"O-{block.owners['chen'].pk:05d}",
        "developer": f"O-{block.developer.pk:05d}",
        "unrecorded": f"F-{block.flats['401'].pk:05d}",
    }
    return RollEntry.objects.get(decision=decision, ref=refs[key])


class TestDecisionCreate:
    def test_owners_decision_is_a_draft_with_its_scope(self, block):
        decision = block.draft()
        assert decision.status == Decision.Status.DRAFT
        assert list(decision.buildings.all()) == [block.building]
        assert AuditEvent.objects.filter(action="decision.create").count() == 1

    def test_owners_decision_needs_a_matter(self, block):
        with pytest.raises(ValidationError) as caught:
            block.draft(matter=None)
        assert "matter" in caught.value.message_dict
        assert not Decision.objects.exists()

    def test_building_of_another_estate_is_refused(self, block):
        with pytest.raises(ValidationError) as caught:
            block.draft(buildings=[block.world.b_there])
        assert "buildings" in caught.value.message_dict
        assert not Decision.objects.exists()

    def test_binding_residents_vote_cannot_lower_the_quorum(self, block):
        with pytest.raises(ValidationError) as caught:
            block.draft(
                kind=Decision.Kind.RESIDENTS,
                matter=None,
                options=["方案A", "方案B"],
                quorum_percent=30,
            )
        assert "quorum_percent" in caught.value.message_dict
        assert not Decision.objects.exists()

    def test_non_binding_residents_vote_may_lower_the_quorum(self, block):
        decision = block.draft(
            kind=Decision.Kind.RESIDENTS,
            matter=None,
            options=["方案A", "方案B"],
            quorum_percent=30,
            binding=False,
        )
        assert decision.quorum_percent == 30

    def test_election_forces_matter_3(self, block):
        decision = block.draft(
            kind=Decision.Kind.ELECTION, matter=None, options=["甲", "乙", "丙"], seats=2
        )
        assert decision.matter == 3
        assert decision.max_choices == 2

    def test_property_staff_cannot_draft(self, block):
        with pytest.raises(PermissionDenied):
            services.decision_create(
                actor=block.world.users["property"],
                estate=block.estate,
                kind="owners",
                title="换物业",
                matter=4,
            )
        assert not Decision.objects.exists()

    def test_update_only_a_draft(self, block):
        decision = block.announced()
        with pytest.raises(ValidationError):
            services.decision_update(actor=block.staff, decision=decision, title="改了")
        decision.refresh_from_db()
        assert decision.title == "17号楼大堂改造"


class TestAnnounce:
    def test_notice_period_is_enforced(self, block):
        decision = block.draft(opens_at=timezone.now() + datetime.timedelta(days=14))
        with pytest.raises(ValidationError) as caught:
            services.decision_announce(actor=block.staff, decision=decision)
        assert "opens_at" in caught.value.message_dict
        decision.refresh_from_db()
        assert decision.status == Decision.Status.DRAFT
        assert not RollEntry.objects.exists()
        assert not Notification.objects.exists()

    def test_announcing_freezes_rules_builds_roll_and_serves_owners(self, block):
        DecisionSettings.objects.create(estate=block.estate, deemed_consent=True)
        decision = block.announced()
        assert decision.status == Decision.Status.ANNOUNCED
        assert decision.rules["approval"] == {"fraction": "3/4", "inclusive": True}
        assert decision.rules["quorum"] == {"fraction": "2/3", "inclusive": True}
        assert decision.rules["deemed_consent"] is True
        entries = RollEntry.objects.filter(decision=decision, active=True)
        assert entries.count() == 5
        assert sum(e.area for e in entries) == Decimal("460.00")
        developer = entry_of(decision, "developer", block)
        assert developer.area == Decimal("130.00")
        assert developer.kind == RollEntry.Kind.DEVELOPER
        # 老王, 李 (named voter of the co-owners) and 陈 have accounts: served in the app
        served = set(NoticeDelivery.objects.values_list("entry__ref", flat=True))
        assert served == {entry_of(decision, key, block).ref for key in ("wang", "joint", "chen")}

    def test_a_settings_change_after_announcement_changes_nothing(self, block):
        decision = block.announced()
        services.decision_settings_update(
            actor=block.staff,
            estate=block.estate,
            deemed_consent=True,
            publish_voter_flats=True,
            online_over_paper=False,
            notice_days=20,
        )
        decision.refresh_from_db()
        assert decision.rules["deemed_consent"] is False
        assert decision.rules["online_over_paper"] is True

    def test_cannot_open_before_the_notice_period_ends(self, block):
        decision = block.announced()
        with pytest.raises(ValidationError):
            services.decision_open(actor=block.staff, decision=decision)
        decision.refresh_from_db()
        assert decision.status == Decision.Status.ANNOUNCED
        assert decision.roll_fingerprint == ""


class TestOpen:
    def test_opening_freezes_and_fingerprints_the_roll(self, block):
        decision = block.opened()
        assert decision.status == Decision.Status.OPEN
        lines = selectors.roll_lines(decision=decision)
        assert len(lines) == 7
        expected = record.roll_fingerprint(
            (line["flat"], line["owner"], Decimal(line["area"])) for line in lines
        )
        assert decision.roll_fingerprint == expected
        assert BallotLink.objects.filter(decision=decision).count() == 3

    def test_opening_takes_in_directory_changes_since_the_announcement(self, block):
        decision = block.announced()
        flat = block.flats["401"]
        flat.owner = block.owners["chen"]
        flat.save()
        move(decision, opens_at=-1)
        services.decision_open(actor=block.staff, decision=decision)
        chen = entry_of(decision, "chen", block)
        assert chen.area == Decimal("100.00")
        assert not RollEntry.objects.get(decision=decision, ref__startswith="F-").active


class TestBallotCast:
    def test_owner_votes_and_gets_a_random_receipt(self, block):
        decision = block.opened()
        ballot = services.ballot_cast(actor=block.users["wang"], decision=decision, choice="agree")
        assert ballot.counted
        assert len(ballot.receipt) == 10
        assert ballot.entry.area == Decimal("150.00")

    def test_co_owner_not_named_cannot_vote(self, block):
        decision = block.opened()
        with pytest.raises(ValidationError):
            services.ballot_cast(actor=block.users["zhang"], decision=decision, choice="agree")
        assert not Ballot.objects.exists()

    def test_named_co_owner_votes_for_the_flat(self, block):
        decision = block.opened()
        ballot = services.ballot_cast(actor=block.users["li"], decision=decision, choice="agree")
        assert ballot.entry == entry_of(decision, "joint", block)

    def test_a_bad_choice_writes_nothing(self, block):
        decision = block.opened()
        with pytest.raises(ValidationError):
            services.ballot_cast(actor=block.users["wang"], decision=decision, choice="yes")
        assert not Ballot.objects.exists()

    def test_outsider_is_not_on_the_roll(self, block):
        decision = block.opened()
        with pytest.raises(ValidationError):
            services.ballot_cast(
                actor=block.world.users["outsider"], decision=decision, choice="agree"
            )
        assert not Ballot.objects.exists()

    def test_announced_is_not_open(self, block):
        decision = block.announced()
        with pytest.raises(ValidationError):
            services.ballot_cast(actor=block.users["wang"], decision=decision, choice="agree")
        assert not Ballot.objects.exists()

    def test_after_the_close_time_a_ballot_is_refused(self, block):
        decision = block.opened()
        move(decision, closes_at=-1)  # still "open" until someone closes it
        with pytest.raises(ValidationError) as caught:
            services.ballot_cast(actor=block.users["wang"], decision=decision, choice="agree")
        assert caught.value.code == "closed"
        assert not Ballot.objects.exists()

    def test_last_vote_counts_and_the_first_is_kept_superseded(self, block):
        decision = block.opened()
        first = services.ballot_cast(actor=block.users["wang"], decision=decision, choice="agree")
        second = services.ballot_cast(
            actor=block.users["wang"], decision=decision, choice="disagree"
        )
        first.refresh_from_db()
        assert not first.counted and first.superseded_reason == services.Reason.CHANGED
        assert second.counted
        assert Ballot.objects.filter(counted=True).count() == 1

    def test_first_vote_final_refuses_a_second(self, block):
        decision = block.opened(revote=Decision.Revote.FIRST)
        services.ballot_cast(actor=block.users["wang"], decision=decision, choice="agree")
        with pytest.raises(ValidationError):
            services.ballot_cast(actor=block.users["wang"], decision=decision, choice="disagree")
        assert Ballot.objects.count() == 1
        assert Ballot.objects.get().choice == "agree"

    def test_an_authorised_agent_votes_for_the_owner_and_is_recorded(self, block):
        decision = block.opened()
        son = f.UserFactory(username="son")
        today = timezone.localdate()
        delegation = Delegation.objects.create(
            estate=block.estate,
            principal=block.people["chen"],
            agent=son,
            scope=["vote"],
            starts_on=today,
            ends_on=today + datetime.timedelta(days=30),
        )
        ballot = services.ballot_cast(actor=son, decision=decision, choice="agree")
        assert ballot.delegation == delegation
        assert ballot.entry == entry_of(decision, "chen", block)
        assert ballot.cast_by == son


class TestPaperEntry:
    def test_two_staff_entering_the_same_ballot_count_it_once(self, block):
        decision = block.opened()
        entry = entry_of(decision, "developer", block)
        first = services.paper_ballot_enter(
            actor=block.staff,
            decision=decision,
            entry=entry,
            channel="paper",
            choice="agree",
            document=photo(),
        )
        assert first.status == PaperEntry.Status.WAITING
        assert not Ballot.objects.exists()
        second = services.paper_ballot_enter(
            actor=block.committee,
            decision=decision,
            entry=entry,
            channel="paper",
            choice="agree",
            document=photo(),
        )
        assert second.status == PaperEntry.Status.CONFIRMED
        ballot = Ballot.objects.get()
        assert ballot.counted and ballot.channel == "paper" and ballot.entry == entry

    def test_the_same_staff_member_twice_still_waits(self, block):
        decision = block.opened()
        entry = entry_of(decision, "developer", block)
        for _ in range(2):
            services.paper_ballot_enter(
                actor=block.staff,
                decision=decision,
                entry=entry,
                channel="paper",
                choice="agree",
                document=photo(),
            )
        assert not Ballot.objects.exists()
        assert set(PaperEntry.objects.values_list("status", flat=True)) == {"waiting"}

    def test_a_mismatch_is_flagged_and_not_counted_and_blocks_the_count(self, block):
        decision = block.opened()
        entry = entry_of(decision, "developer", block)
        services.paper_ballot_enter(
            actor=block.staff,
            decision=decision,
            entry=entry,
            channel="paper",
            choice="agree",
            document=photo(),
        )
        services.paper_ballot_enter(
            actor=block.committee,
            decision=decision,
            entry=entry,
            channel="paper",
            choice="disagree",
            document=photo(),
        )
        assert set(PaperEntry.objects.values_list("status", flat=True)) == {"mismatch"}
        assert not Ballot.objects.exists()
        decision = block.closed(decision)
        with pytest.raises(ValidationError) as caught:
            services.decision_tally(actor=block.staff, decision=decision)
        assert caught.value.code == "paper_unresolved"
        decision.refresh_from_db()
        assert decision.status == Decision.Status.CLOSED and decision.result == {}

    def test_proxy_needs_the_proxy_name(self, block):
        decision = block.opened()
        entry = entry_of(decision, "wang", block)
        with pytest.raises(ValidationError):
            services.paper_ballot_enter(
                actor=block.staff,
                decision=decision,
                entry=entry,
                channel="proxy",
                choice="agree",
                document=photo(),
            )
        assert not PaperEntry.objects.exists()

    def test_online_vote_stands_over_paper_by_default(self, block):
        decision = block.opened()
        entry = entry_of(decision, "wang", block)
        online = services.ballot_cast(actor=block.users["wang"], decision=decision, choice="agree")
        enter_twice(block, decision, entry, choice="disagree")
        paper = Ballot.objects.get(channel="paper")
        assert not paper.counted and paper.superseded_reason == services.Reason.ONLINE_STANDS
        online.refresh_from_db()
        assert online.counted

    def test_residents_cannot_enter_paper(self, block):
        decision = block.opened()
        entry = entry_of(decision, "wang", block)
        with pytest.raises(PermissionDenied):
            services.paper_ballot_enter(
                actor=block.users["wang"],
                decision=decision,
                entry=entry,
                channel="paper",
                choice="agree",
                document=photo(),
            )
        assert not PaperEntry.objects.exists()


class TestTally:
    def vote(self, block, decision, choices):
        for key, choice in choices.items():
            services.ballot_cast(actor=block.users[key], decision=decision, choice=choice)

    def test_item_7_passes_at_exactly_three_quarters_of_heads(self, block):
        decision = block.opened()
        # 老王 150, 李 (joint) 80, 陈 40 agree; developer 130 on paper agrees: 4 of 5 heads
        self.vote(block, decision, {"wang": "agree", "li": "agree", "chen": "disagree"})
        entry = entry_of(decision, "developer", block)
        enter_twice(block, decision, entry, choice="agree")
        decision = block.closed(decision)
        decision = services.decision_tally(actor=block.staff, decision=decision)
        strict = decision.result["strict"]
        assert strict["participation"] == {"area": "400.00/460.00", "heads": "4/5", "quorum": True}
        assert strict["approval"]["area"] == "360.00/400.00"
        assert strict["approval"]["heads"] == "3/4"
        assert strict["approval"]["threshold"] == "3/4"
        assert strict["result"] == "passed"
        by_building = {line["building"]: line for line in decision.result["buildings"]}
        assert by_building["17"]["total_heads"] == 5

    def test_the_exported_record_recounts_to_the_same_result(self, block):
        DecisionSettings.objects.create(estate=block.estate, deemed_consent=True)
        decision = block.opened()
        self.vote(block, decision, {"wang": "agree", "li": "agree", "chen": "agree"})
        decision = block.closed(decision)
        decision = services.decision_tally(actor=block.staff, decision=decision)
        exported = selectors.decision_record(decision=decision)
        import json

        recounted = record.recount(record.parse_record(json.dumps(exported)))
        assert recounted["result"] == decision.result["strict"]["result"]
        assert recounted["participation"] == decision.result["strict"]["participation"]
        assert recounted["approval"] == decision.result["strict"]["approval"]
        assert recounted["fingerprint"]["matches"] is True

    def test_deemed_consent_counts_only_served_non_voters(self, block):
        DecisionSettings.objects.create(estate=block.estate, deemed_consent=True)
        decision = block.opened()
        # wang 150 + li 80 agree: 2 of 5 heads take part — no quorum strictly
        self.vote(block, decision, {"wang": "agree", "li": "agree"})
        decision = block.closed(decision)
        decision = services.decision_tally(actor=block.staff, decision=decision)
        assert decision.result["strict"]["result"] == "no_quorum"
        deemed = decision.result["deemed"]
        assert deemed["majority"] == "agree"
        # Only 陈 was served (in the app) among non-voters; the developer and 17-401 were not.
        assert [n["owner"] for n in deemed["nonvoters"]] == [entry_of(decision, "chen", block).ref]
        assert deemed["participation"]["heads"] == "3/5"
        assert deemed["result"] == "no_quorum"

    def test_counting_needs_a_closed_vote(self, block):
        decision = block.opened()
        with pytest.raises(ValidationError):
            services.decision_tally(actor=block.staff, decision=decision)
        decision.refresh_from_db()
        assert decision.result == {}

    def test_publish_then_archive(self, block):
        decision = block.opened()
        self.vote(block, decision, {"wang": "agree"})
        decision = block.closed(decision)
        decision = services.decision_tally(actor=block.staff, decision=decision)
        decision = services.decision_publish(actor=block.staff, decision=decision)
        assert decision.status == Decision.Status.PUBLISHED
        decision = services.decision_archive(actor=block.staff, decision=decision)
        assert decision.status == Decision.Status.ARCHIVED


class TestCancel:
    def test_cancel_needs_a_reason(self, block):
        decision = block.announced()
        with pytest.raises(ValidationError):
            services.decision_cancel(actor=block.staff, decision=decision, reason="  ")
        decision.refresh_from_db()
        assert decision.status == Decision.Status.ANNOUNCED

    def test_cannot_cancel_after_the_count(self, block):
        decision = block.closed(block.opened())
        decision = services.decision_tally(actor=block.staff, decision=decision)
        with pytest.raises(ValidationError):
            services.decision_cancel(actor=block.staff, decision=decision, reason="算错了")
        decision.refresh_from_db()
        assert decision.status == Decision.Status.TALLIED


class TestRollAmend:
    def test_area_correction_is_logged_and_changes_the_fingerprint(self, block):
        decision = block.opened()
        before = decision.roll_fingerprint
        amendment = services.roll_amend(
            actor=block.staff,
            decision=decision,
            flat_label="17-302",
            area="42.00",
            reason="产证面积核对有误",
        )
        decision.refresh_from_db()
        assert amendment.fingerprint_before == before
        assert decision.roll_fingerprint == amendment.fingerprint_after != before
        assert entry_of(decision, "chen", block).area == Decimal("42.00")

    def test_a_bad_area_writes_nothing(self, block):
        decision = block.opened()
        with pytest.raises(ValidationError):
            services.roll_amend(
                actor=block.staff, decision=decision, flat_label="17-302", area="-3", reason="x"
            )
        assert not RollAmendment.objects.exists()
        assert entry_of(decision, "chen", block).area == Decimal("40.00")


class TestBallotLink:
    def test_a_link_works_once(self, block):
        decision = block.opened()
        link = BallotLink.objects.filter(user=block.users["wang"]).get()
        url = common._ballot_link(decision, link.entry_id, block.users["wang"])
        token = url.rstrip("/").rsplit("/", 1)[-1]
        used = services.ballot_link_use(token=token)
        assert used.user == block.users["wang"]
        with pytest.raises(ValidationError):
            services.ballot_link_use(token=token)

    def test_a_forged_link_is_refused(self, block):
        block.opened()
        with pytest.raises(ValidationError):
            services.ballot_link_use(token="forged:token")
        assert not BallotLink.objects.filter(used_at__isnull=False).exists()


class TestExactAreas:
    def test_database_sums_are_exact_where_floating_point_is_not(self, world):
        """SQLite stores decimals as floating point; 0.10 + 0.20 + ... must still add up to the
        exact hundredth, and a boundary that exact arithmetic meets must be met."""
        building = f.BuildingFactory(estate=world.here, number="9", sort_key=9)
        areas = ["0.10", "0.20", "89.55", "0.10", "0.20", "0.10", "0.20", "75.35", "0.10"]
        assert sum(float(a) for a in areas) != float(sum(Decimal(a) for a in areas))
        staff = world.users["staff"]
        users = []
        for number, area in enumerate(areas, start=1):
            user = f.UserFactory(username=f"exact{number}")
            person = f.PersonFactory(estate=world.here, user=user)
            flat = f.FlatFactory(building=building, number=f"{number}01", area=Decimal(area))
            owner = f.OwnerFactory(estate=world.here, voter=person)
            flat.owner = owner
            flat.save()
            users.append(user)
        now = timezone.now()
        decision = services.decision_create(
            actor=staff,
            estate=world.here,
            kind="owners",
            title="精确",
            matter=4,
            buildings=[building],
            opens_at=now + datetime.timedelta(days=16),
            closes_at=now + datetime.timedelta(days=20),
        )
        decision = services.decision_announce(actor=staff, decision=decision)
        move(decision, opens_at=-1)
        decision = services.decision_open(actor=staff, decision=decision)
        for user in users:
            services.ballot_cast(actor=user, decision=decision, choice="agree")
        part = selectors.participation(decision=decision)
        assert str(part["total_area"]) == "165.90"
        assert str(part["voted_area"]) == "165.90"
        count = selectors.owners_count(decision=decision)
        assert str(count.agree_area) == "165.90"


class TestResidentsVote:
    def residents(self, block, **values):
        defaults = {
            "kind": Decision.Kind.RESIDENTS,
            "matter": None,
            "title": "17号楼文明公约",
            "options": ["同意公约草案", "修改后再议"],
        }
        defaults.update(values)
        return block.opened(**defaults)

    def test_one_vote_per_household_by_any_adult_member(self, block):
        decision = self.residents(block)
        entries = RollEntry.objects.filter(decision=decision, active=True)
        # households with someone living there: 17-101, 17-201, 17-302
        assert entries.count() == 3
        option = decision.options.first()
        services.ballot_cast(actor=block.users["zhang"], decision=decision, selections=[option.key])
        # 李 lives in the same flat: voting again replaces the household's vote
        services.ballot_cast(actor=block.users["li"], decision=decision, selections=[option.key])
        assert Ballot.objects.filter(counted=True).count() == 1
        assert Ballot.objects.count() == 2

    def test_per_adult_leaves_out_minors(self, block):
        minor = f.PersonFactory(estate=block.estate, full_name="小王", is_minor=True)
        f.OccupancyFactory(flat=block.flats["101"], person=minor)
        decision = self.residents(block, unit=Decision.Unit.ADULT)
        refs = set(RollEntry.objects.filter(decision=decision).values_list("person_id", flat=True))
        assert minor.pk not in refs
        assert len(refs) == 4

    def test_too_many_choices_is_refused(self, block):
        decision = self.residents(
            block, method="multiple", min_choices=1, max_choices=1, options=["A", "B", "C"]
        )
        keys = [o.key for o in decision.options.all()]
        with pytest.raises(ValidationError):
            services.ballot_cast(actor=block.users["wang"], decision=decision, selections=keys[:2])
        assert not Ballot.objects.exists()

    def test_single_choice_majority_of_those_voting(self, block):
        decision = self.residents(block)
        first, _second = decision.options.all()
        services.ballot_cast(actor=block.users["wang"], decision=decision, selections=[first.key])
        services.ballot_cast(actor=block.users["li"], decision=decision, selections=[first.key])
        decision = block.closed(decision)
        decision = services.decision_tally(actor=block.staff, decision=decision)
        result = decision.result["residents"]
        assert result["quorum"] is True  # 2 of 3 households: more than half
        assert result["winners"] == [first.key]
        assert decision.result["options"][first.key] == "同意公约草案"


class TestElection:
    def test_seats_go_to_elected_candidates_by_heads_then_area(self, block):
        decision = block.opened(
            kind=Decision.Kind.ELECTION,
            matter=None,
            title="第三届业委会选举",
            options=["甲", "乙", "丙"],
            seats=2,
        )
        a, b, c = (o.key for o in decision.options.all())
        for key, chosen in (("wang", [a, b]), ("li", [b, c]), ("chen", [a, c])):
            services.ballot_cast(actor=block.users[key], decision=decision, selections=chosen)
        for key, chosen in (("developer", [a, b]), ("unrecorded", [])):
            enter_twice(block, decision, entry_of(decision, key, block), selections=chosen)
        decision = block.closed(decision)
        decision = services.decision_tally(actor=block.staff, decision=decision)
        election = decision.result["election"]
        assert election["participation"]["quorum"] is True  # 5 of 5 heads, 460 of 460 m²
        by_key = {line["key"]: line for line in election["candidates"]}
        # 甲: 老王 150 + 陈 40 + developer 130 = 320 m², 3 heads; 乙: 150 + 80 + 130 = 360 m²,
        # 3 heads; 丙: 80 + 40 = 120 m², 2 of 5 heads: not more than half
        assert (by_key[a]["heads"], by_key[b]["heads"], by_key[c]["heads"]) == (3, 3, 2)
        assert by_key[a]["elected"] and by_key[b]["elected"] and not by_key[c]["elected"]
        assert election["seated"] == [b, a]  # equal heads: the larger area first
        assert election["lots"] == []

    def test_more_choices_than_seats_is_refused(self, block):
        decision = block.opened(
            kind=Decision.Kind.ELECTION,
            matter=None,
            title="选举",
            options=["甲", "乙", "丙"],
            seats=1,
        )
        keys = [o.key for o in decision.options.all()]
        with pytest.raises(ValidationError):
            services.ballot_cast(actor=block.users["wang"], decision=decision, selections=keys[:2])
        assert not Ballot.objects.exists()


class TestTimedSteps:
    """The worker's steps: each acts only when its moment has come, and only once."""

    def test_opening_waits_for_the_notice_period_then_opens(self, block):
        from linju.decisions import tasks

        decision = block.announced()
        assert tasks.decision_open_due.call(decision.pk) == "not opened"
        move(decision, opens_at=-1)
        assert tasks.decision_open_due.call(decision.pk) == "opened"
        assert tasks.decision_open_due.call(decision.pk) == "nothing to do"
        decision.refresh_from_db()
        assert decision.status == Decision.Status.OPEN and decision.roll_fingerprint

    def test_closing_at_the_end_of_the_period(self, block):
        from linju.decisions import tasks

        decision = block.opened()
        assert tasks.decision_close_due.call(decision.pk) == "not closed"
        move(decision, closes_at=-1)
        assert tasks.decision_close_due.call(decision.pk) == "closed"
        decision.refresh_from_db()
        assert decision.status == Decision.Status.CLOSED

    def test_the_reminder_goes_once_to_those_who_have_not_voted(self, block):
        from linju.decisions import tasks

        decision = block.opened()
        services.ballot_cast(actor=block.users["wang"], decision=decision, choice="agree")
        assert tasks.decision_close_reminder.call(decision.pk) == 2  # 李 and 陈
        reminded = set(
            Notification.objects.filter(kind="decision.closing").values_list(
                "recipient__username", flat=True
            )
        )
        assert reminded == {"owner_li", "owner_chen"}
        assert tasks.decision_close_reminder.call(decision.pk) == 0

    def test_organisers_are_reminded_to_publish_within_three_days(self, block):
        from linju.decisions import tasks

        decision = block.closed(block.opened())
        decision = services.decision_tally(actor=block.staff, decision=decision)
        assert tasks.decision_publish_reminder.call(decision.pk) is True
        told = set(
            Notification.objects.filter(kind="decision.unpublished").values_list(
                "recipient__username", flat=True
            )
        )
        assert told == {"staff", "owners_committee"}
        assert tasks.decision_publish_reminder.call(decision.pk) is False


class TestOwnersAreTexted:
    def test_opening_texts_owners_with_a_phone_by_default(self, block, settings):
        """Votes are in everyone's text-message switches unless they turn them off."""
        from linju.notifications.models import Delivery

        settings.LINJU_SMS_BACKEND = "file"
        user = block.users["wang"]
        user.phone = "+8613800138000"
        user.save()
        block.opened()
        sms = Delivery.objects.get(
            recipient=user, channel="sms", notification__kind="decision.opened"
        )
        assert sms.status != Delivery.Status.SKIPPED, sms.reason


class TestBallotLinkRetention:
    def test_links_go_30_days_after_they_expired(self, block):
        from linju.privacy.retention import retention_purge

        decision = block.opened()
        assert decision.closes_at is not None
        links = BallotLink.objects.filter(decision=decision).count()
        assert links == 3
        day = datetime.timedelta(days=1)
        assert retention_purge(now=decision.closes_at + 30 * day)["ballot_links"] == 0
        assert retention_purge(now=decision.closes_at + 31 * day)["ballot_links"] == links
        assert not BallotLink.objects.exists()
