"""Programme services: a foundation officer of the street creates, edits, publishes and moves
a programme; bad input and other people are refused and nothing is written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linju.core.models import AuditEvent
from linju.foundation import services
from linju.foundation.models import Criterion, Programme
from tests.foundation.factories import CRITERIA, make_programme, programme_values

pytestmark = pytest.mark.django_db


def _nothing_written(before_audit: int) -> None:
    assert Programme.objects.count() == 0
    assert Criterion.objects.count() == 0
    assert AuditEvent.objects.count() == before_audit


class TestProgrammeCreate:
    def test_an_officer_creates_a_draft_with_its_criteria(self, world):
        programme = services.programme_create(
            actor=world.users["foundation"],
            street=world.here.street,
            criteria=CRITERIA,
            **programme_values(),
        )
        assert programme.status == Programme.Status.DRAFT
        assert str(programme.budget) == "100000.00"
        assert programme.matching_ratio == Decimal("1.00")
        assert [(c.name, c.weight, c.position) for c in programme.criteria.all()] == [
            ("居民参与度", 3, 0),
            ("方案可行性", 2, 1),
        ]
        assert AuditEvent.objects.filter(action="foundation.programme_create").count() == 1

    @pytest.mark.parametrize("role", ["staff", "leader", "resident", "staff_other_estate"])
    def test_others_may_not(self, world, role):
        before = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            services.programme_create(
                actor=world.users[role], street=world.here.street, **programme_values()
            )
        _nothing_written(before)

    def test_an_officer_of_another_street_may_not(self, world):
        before = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            services.programme_create(
                actor=world.users["foundation"], street=world.there.street, **programme_values()
            )
        _nothing_written(before)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("name", ""),
            ("name", "名" * 121),
            ("name", "a\x00b"),
            ("budget", "0"),
            ("budget", "-5"),
            ("budget", "12.345"),
            ("budget", "NaN"),
            ("budget", "1e999999"),
            ("budget", "-1e999999"),
            ("budget", "lots"),
            ("min_cofunding_share", "101"),
            ("min_cofunding_share", "-1"),
            ("max_amount", "100000.01"),
            ("matching_ratio", "abc"),
            ("applicants", "everyone"),
            ("selection", "lottery"),
            ("pb_rule", "random"),
            ("pb_min", "-1"),
            ("call_opens", "yesterday"),
        ],
    )
    def test_bad_values_are_refused_naming_the_field(self, world, field, value):
        before = AuditEvent.objects.count()
        with pytest.raises(ValidationError) as caught:
            services.programme_create(
                actor=world.users["foundation"],
                street=world.here.street,
                **programme_values(**{field: value}),
            )
        assert field in caught.value.message_dict
        _nothing_written(before)

    def test_dates_must_follow_each_other(self, world):
        today = timezone.localdate()
        with pytest.raises(ValidationError) as caught:
            services.programme_create(
                actor=world.users["foundation"],
                street=world.here.street,
                **programme_values(call_opens=today, call_closes=today - datetime.timedelta(1)),
            )
        assert "call_closes" in caught.value.message_dict
        assert Programme.objects.count() == 0

    def test_the_most_on_a_ballot_is_not_below_the_fewest(self, world):
        with pytest.raises(ValidationError) as caught:
            services.programme_create(
                actor=world.users["foundation"],
                street=world.here.street,
                **programme_values(pb_min=3, pb_max=2),
            )
        assert "pb_max" in caught.value.message_dict

    def test_duplicate_criteria_are_refused(self, world):
        with pytest.raises(ValidationError):
            services.programme_create(
                actor=world.users["foundation"],
                street=world.here.street,
                criteria=[{"name": "参与", "weight": 1}, {"name": "参与", "weight": 2}],
                **programme_values(),
            )
        assert Programme.objects.count() == 0


class TestProgrammeUpdateAndPublish:
    def test_a_draft_is_edited_and_its_criteria_replaced(self, world):
        programme = make_programme(world, published=False)
        services.programme_update(
            actor=world.users["foundation"],
            programme=programme,
            criteria=[{"name": "长效管理", "weight": 1}],
            **programme_values(name="新名字"),
        )
        programme.refresh_from_db()
        assert programme.name == "新名字"
        assert list(programme.criteria.values_list("name", flat=True)) == ["长效管理"]

    def test_a_published_programme_keeps_its_rules(self, world):
        programme = make_programme(world)
        with pytest.raises(ValidationError):
            services.programme_update(
                actor=world.users["foundation"],
                programme=programme,
                **programme_values(max_amount="1.00"),
            )
        programme.refresh_from_db()
        assert str(programme.max_amount) == "40000.00"

    def test_publishing_opens_the_call(self, world):
        programme = make_programme(world, published=False)
        services.programme_publish(actor=world.users["foundation"], programme=programme)
        programme.refresh_from_db()
        assert programme.status == Programme.Status.PUBLISHED
        assert programme.published_at is not None

    def test_a_reviewed_programme_needs_criteria_to_publish(self, world):
        programme = services.programme_create(
            actor=world.users["foundation"], street=world.here.street, **programme_values()
        )
        with pytest.raises(ValidationError):
            services.programme_publish(actor=world.users["foundation"], programme=programme)
        programme.refresh_from_db()
        assert programme.status == Programme.Status.DRAFT

    def test_a_call_that_already_closed_is_not_published(self, world):
        today = timezone.localdate()
        programme = make_programme(
            world,
            published=False,
            call_opens=today - datetime.timedelta(days=30),
            call_closes=today - datetime.timedelta(days=1),
            review_ends=None,
            decision_on=None,
        )
        with pytest.raises(ValidationError):
            services.programme_publish(actor=world.users["foundation"], programme=programme)
        programme.refresh_from_db()
        assert programme.status == Programme.Status.DRAFT

    def test_staff_of_an_estate_may_not_publish(self, world):
        programme = make_programme(world, published=False)
        with pytest.raises(PermissionDenied):
            services.programme_publish(actor=world.users["staff"], programme=programme)
        programme.refresh_from_db()
        assert programme.status == Programme.Status.DRAFT


class TestProgrammeAdvance:
    def test_the_programme_moves_stage_by_stage(self, world):
        programme = make_programme(world)
        officer = world.users["foundation"]
        for status in ("reviewing", "voting", "decided", "closed"):
            services.programme_advance(actor=officer, programme=programme, status=status)
            programme.refresh_from_db()
            assert programme.status == status

    def test_it_cannot_skip_back(self, world):
        programme = make_programme(world)
        with pytest.raises(ValidationError):
            services.programme_advance(
                actor=world.users["foundation"], programme=programme, status="draft"
            )
        programme.refresh_from_db()
        assert programme.status == "published"

    def test_no_residents_vote_when_reviewers_choose(self, world):
        programme = make_programme(world, selection="review")
        officer = world.users["foundation"]
        services.programme_advance(actor=officer, programme=programme, status="reviewing")
        with pytest.raises(ValidationError):
            services.programme_advance(actor=officer, programme=programme, status="voting")
        programme.refresh_from_db()
        assert programme.status == "reviewing"
