"""Membership services: join codes, join requests, authorised agents. One class per service.

Every failure runs inside ``nothing_written()``, which compares every row of every model of the
core, community, membership and notifications apps before and after. Security events are the
one deliberate exception (a join code that did not work is counted, to stop guessing), so they
are compared separately.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from linju.community.models import Occupancy, Person
from linju.core import audit, permissions
from linju.core.models import AuditEvent, SecurityEvent
from linju.membership import selectors, services
from linju.membership.models import JOIN_CODE_ALPHABET, Delegation, JoinCode, JoinRequest
from tests import factories as f

TODAY = timezone.localdate
APPS = ("core", "community", "membership", "notifications")


def _snapshot() -> dict[str, list[tuple]]:
    rows = {}
    for label in APPS:
        if not apps.is_installed(f"linju.{label}"):
            continue
        for model in apps.get_app_config(label).get_models():
            if model is SecurityEvent:
                continue
            rows[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return rows


@contextmanager
def nothing_written() -> Iterator[None]:
    """No row (security events aside) is added, changed or removed inside the block."""
    before = _snapshot()
    yield
    after = _snapshot()
    changed = [label for label in before if before[label] != after[label]]
    assert changed == [], f"written although the call failed: {changed}"


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-id").first()


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def notified(user, kind: str) -> bool:
    if not apps.is_installed("linju.notifications"):
        return True
    from linju.notifications.models import Notification

    return Notification.objects.filter(recipient=user, kind=kind).exists()


def code_of(flat) -> str:
    return JoinCode.objects.get(flat=flat, is_active=True).code


@pytest.fixture
def codes(world):
    """Every flat of ``here`` has a join code."""
    services.join_codes_ensure(actor=world.user("staff"), target=world.here)
    return world


@pytest.fixture
def newcomer(db):
    """A new account with a verified phone, as sign-up creates it."""
    return f.UserFactory(username="newcomer", phone="+8613900139000", display_name="新邻居")


def ask(user, flat, relation="family", full_name="陈新来") -> JoinRequest:
    return services.join_request_create(
        actor=user, code=code_of(flat), relation=relation, full_name=full_name
    )


# --- Join codes ------------------------------------------------------------------------------


class TestJoinCodesEnsure:
    def test_every_flat_of_the_estate_gets_one_unguessable_code(self, world):
        created = services.join_codes_ensure(actor=world.user("staff"), target=world.here)
        assert created == 2
        codes = list(JoinCode.objects.filter(estate=world.here).values_list("code", flat=True))
        assert len(codes) == len(set(codes)) == 2
        for code in codes:
            assert len(code) == 8
            assert set(code) <= set(JOIN_CODE_ALPHABET)
            assert not set(code) & set("0O1IL")
        assert not JoinCode.objects.filter(estate=world.there).exists()
        event = last_event()
        assert (event.action, event.estate_id, event.changes) == (
            "join_code.create",
            world.here.pk,
            {"codes": [0, 2]},
        )

    def test_flats_that_have_a_code_keep_it(self, world):
        services.join_codes_ensure(actor=world.user("staff"), target=world.here)
        before = sorted(JoinCode.objects.values_list("flat_id", "code"))
        events = AuditEvent.objects.count()
        assert services.join_codes_ensure(actor=world.user("staff"), target=world.here) == 0
        assert sorted(JoinCode.objects.values_list("flat_id", "code")) == before
        assert AuditEvent.objects.count() == events

    def test_a_building_only(self, world):
        services.join_codes_ensure(actor=world.user("staff"), target=world.b1)
        assert list(JoinCode.objects.values_list("flat_id", flat=True)) == [world.flat1.pk]

    @pytest.mark.parametrize(
        "role", ["leader", "owners_committee", "property", "resident", "staff_other_estate"]
    )
    def test_only_the_estates_staff(self, world, role):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.join_codes_ensure(actor=world.user(role), target=world.here)


class TestJoinCodeRotate:
    def test_the_old_code_stops_working_and_is_kept(self, codes, newcomer):
        world = codes
        old = code_of(world.flat1)
        new = services.join_code_rotate(actor=world.user("staff"), flat=world.flat1)
        assert new.code != old and new.is_active
        retired = JoinCode.objects.get(code=old)
        assert not retired.is_active and retired.retired_at is not None
        assert last_event().action == "join_code.rotate"
        assert old not in str(last_event().changes) and new.code not in last_event().target_label
        with pytest.raises(ValidationError) as exc:
            services.join_request_create(
                actor=newcomer, code=old, relation="family", full_name="陈新来"
            )
        assert exc.value.message_dict["code"] == [str(services.WRONG_CODE)]

    def test_a_flat_without_a_code_gets_one(self, world):
        code = services.join_code_rotate(actor=world.user("staff"), flat=world.flat1)
        assert JoinCode.objects.get(flat=world.flat1, is_active=True) == code

    @pytest.mark.parametrize(
        "role", ["leader", "owners_committee", "resident", "staff_other_estate"]
    )
    def test_only_the_estates_staff(self, codes, role):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.join_code_rotate(actor=codes.user(role), flat=codes.flat1)


# --- Join requests ---------------------------------------------------------------------------


class TestJoinRequestCreate:
    def test_a_signed_in_person_asks_to_join_with_the_code(self, codes, newcomer):
        world = codes
        request = ask(newcomer, world.flat1)
        assert (request.status, request.flat, request.relation, request.full_name) == (
            "pending",
            world.flat1,
            "family",
            "陈新来",
        )
        assert request.estate == world.here and request.roster_match is None
        assert last_event().action == "join_request.create"
        assert notified(world.user("staff"), "join.requested")
        assert notified(world.user("leader"), "join.requested")
        assert not notified(world.user("leader_other_building"), "join.requested")

    @pytest.mark.parametrize("typed", ["{}", "{lower}", "{a}-{b}", " {a} {b} ", "{wide}"])
    def test_the_code_is_read_the_way_people_type_it(self, codes, newcomer, typed):
        code = code_of(codes.flat1)
        wide = "".join(chr(ord(c) + 0xFEE0) for c in code)  # full-width letters and digits
        text = typed.format(code, lower=code.lower(), a=code[:4], b=code[4:], wide=wide)
        services.join_request_create(actor=newcomer, code=text, relation="tenant", full_name="陈")
        assert JoinRequest.objects.filter(user=newcomer).count() == 1

    def test_every_code_that_does_not_work_gets_the_same_message(self, codes, newcomer):
        world = codes
        services.join_code_rotate(actor=world.user("staff"), flat=world.flat2)
        rotated = JoinCode.objects.get(flat=world.flat2, is_active=False).code
        attempts = ["", "ABCDEFGH", rotated, code_of(world.flat1)[:7], "长" * 500, "' OR 1=1 --"]
        messages = set()
        for code in attempts:
            with nothing_written(), pytest.raises(ValidationError) as exc:
                services.join_request_create(
                    actor=newcomer, code=code, relation="family", full_name="陈新来"
                )
            messages.add(tuple(exc.value.message_dict["code"]))
        assert messages == {(str(services.WRONG_CODE),)}
        wrong = SecurityEvent.objects.filter(event=services.EVENT_WRONG_CODE, user=newcomer)
        assert wrong.count() == len(attempts)

    def test_after_ten_wrong_codes_in_an_hour_even_the_right_one_is_refused(self, codes, newcomer):
        for _ in range(services.WRONG_CODES_PER_USER):
            with pytest.raises(ValidationError):
                services.join_request_create(
                    actor=newcomer, code="WRONG234", relation="family", full_name="陈"
                )
        with nothing_written(), pytest.raises(services.TooManyTries) as exc:
            ask(newcomer, codes.flat1)
        assert exc.value.message_dict["code"] == [str(services.TOO_MANY_TRIES)]
        assert SecurityEvent.objects.filter(event=services.EVENT_THROTTLED).count() == 1
        # Others are not held up by one person's mistakes.
        ask(f.UserFactory(username="other"), codes.flat1)

    def test_wrong_codes_older_than_an_hour_no_longer_count(self, codes, newcomer):
        for _ in range(services.WRONG_CODES_PER_USER):
            SecurityEvent.objects.create(user=newcomer, event=services.EVENT_WRONG_CODE)
        SecurityEvent.objects.update(occurred_at=timezone.now() - datetime.timedelta(hours=2))
        ask(newcomer, codes.flat1)

    def test_one_network_address_is_limited_too(self, codes, newcomer):
        for _ in range(services.WRONG_CODES_PER_IP):
            SecurityEvent.objects.create(event=services.EVENT_WRONG_CODE, ip="203.0.113.9")
        token = audit.current_client_ip.set("203.0.113.9")
        try:
            with nothing_written(), pytest.raises(services.TooManyTries):
                ask(newcomer, codes.flat1)
        finally:
            audit.current_client_ip.reset(token)
        ask(newcomer, codes.flat1)  # from another address

    def test_one_waiting_request_per_person_and_flat(self, codes, newcomer):
        ask(newcomer, codes.flat1)
        with nothing_written(), pytest.raises(ValidationError) as exc:
            ask(newcomer, codes.flat1, relation="owner")
        assert exc.value.messages == [
            gettext("You have already asked to join this flat. Please wait for the approval.")
        ]
        ask(newcomer, codes.flat2)  # another flat is fine

    def test_asking_again_after_a_withdrawal_is_fine(self, codes, newcomer):
        first = ask(newcomer, codes.flat1)
        services.join_request_withdraw(actor=newcomer, join_request=first)
        ask(newcomer, codes.flat1)

    def test_someone_already_recorded_at_the_flat_cannot_ask(self, codes):
        with nothing_written(), pytest.raises(ValidationError):
            ask(codes.user("resident"), codes.flat1)

    @pytest.mark.parametrize(
        ("relation", "full_name", "field"),
        [
            ("landlord", "陈新来", "relation"),
            ("", "陈新来", "relation"),
            ("family", "", "full_name"),
            ("family", "   ", "full_name"),
            ("family", "长" * 61, "full_name"),
        ],
    )
    def test_invalid_relation_or_name(self, codes, newcomer, relation, full_name, field):
        with nothing_written(), pytest.raises(ValidationError) as exc:
            ask(newcomer, codes.flat1, relation=relation, full_name=full_name)
        assert field in exc.value.message_dict

    def test_anonymous_visitors_cannot_ask(self, codes):
        with nothing_written(), pytest.raises(PermissionDenied):
            ask(codes.user("anonymous"), codes.flat1)

    def test_the_roster_match_is_someone_at_the_flat_with_the_same_phone(self, codes, newcomer):
        world = codes
        on_roster = f.PersonFactory(estate=world.here, full_name="陈老伯", phone=newcomer.phone)
        f.OccupancyFactory(flat=world.flat1, person=on_roster)
        assert ask(newcomer, world.flat1).roster_match == on_roster

    def test_no_match_elsewhere_nor_with_someone_elses_account(self, codes, newcomer):
        world = codes
        elsewhere = f.PersonFactory(estate=world.here, phone=newcomer.phone)
        f.OccupancyFactory(flat=world.flat2, person=elsewhere)
        taken = f.PersonFactory(estate=world.here, phone=newcomer.phone, user=f.UserFactory())
        f.OccupancyFactory(flat=world.flat1, person=taken)
        assert ask(newcomer, world.flat1).roster_match is None


class TestJoinRequestApprove:
    def test_staff_approve_and_a_new_person_is_recorded_at_the_flat(self, codes, newcomer):
        world = codes
        request = ask(newcomer, world.flat1)
        services.join_request_approve(actor=world.user("staff"), join_request=request)
        request.refresh_from_db()
        person = Person.objects.get(user=newcomer)
        assert (person.estate, person.full_name, person.phone) == (
            world.here,
            "陈新来",
            "+8613900139000",
        )
        occupancy = Occupancy.objects.current().get(person=person)
        assert (occupancy.flat, occupancy.relation, occupancy.starts_on) == (
            world.flat1,
            "family",
            TODAY(),
        )
        assert (request.status, request.decided_by, request.person) == (
            "approved",
            world.user("staff"),
            person,
        )
        assert request.decided_at is not None
        assert actions()[-3:] == ["person.create", "occupancy.create", "join_request.approve"]
        assert "13900139000" not in str(list(AuditEvent.objects.values_list("changes")))
        newcomer = type(newcomer).objects.get(pk=newcomer.pk)
        assert permissions.can(newcomer, "view", world.flat1)
        assert notified(newcomer, "membership.approved")

    def test_approving_the_roster_match_links_the_account_to_that_person(self, codes, newcomer):
        world = codes
        on_roster = f.PersonFactory(estate=world.here, full_name="陈老伯", phone=newcomer.phone)
        roster_occupancy = f.OccupancyFactory(flat=world.flat1, person=on_roster)
        request = ask(newcomer, world.flat1, relation="owner", full_name="陈")
        people = Person.objects.count()
        services.join_request_approve(actor=world.user("staff"), join_request=request)
        on_roster.refresh_from_db()
        assert on_roster.user == newcomer and on_roster.full_name == "陈老伯"
        assert Person.objects.count() == people
        assert list(Occupancy.objects.filter(person=on_roster)) == [roster_occupancy]
        request.refresh_from_db()
        assert request.person == on_roster and request.roster_match == on_roster
        assert actions()[-2:] == ["person.link_account", "join_request.approve"]

    def test_a_person_already_in_the_estate_gets_the_new_flat(self, codes):
        world = codes
        request = ask(world.user("resident"), world.flat2, relation="owner")
        services.join_request_approve(actor=world.user("staff"), join_request=request)
        assert Person.objects.filter(user=world.user("resident")).count() == 1
        assert set(
            Occupancy.objects.current()
            .filter(person=world.person1)
            .values_list("flat_id", "relation")
        ) == {(world.flat1.pk, "owner"), (world.flat2.pk, "owner")}

    def test_the_group_leader_of_the_building_approves(self, codes, newcomer):
        request = ask(newcomer, codes.flat1)
        services.join_request_approve(actor=codes.user("leader"), join_request=request)
        assert JoinRequest.objects.get(pk=request.pk).decided_by == codes.user("leader")

    @pytest.mark.parametrize(
        "role",
        [
            "leader_other_building",
            "owners_committee",
            "property",
            "resident",
            "outsider",
            "staff_other_estate",
            "foundation",
            "anonymous",
        ],
    )
    def test_nobody_else_approves(self, codes, newcomer, role):
        request = ask(newcomer, codes.flat1)
        with nothing_written(), pytest.raises(PermissionDenied):
            services.join_request_approve(actor=codes.user(role), join_request=request)

    def test_nobody_approves_their_own_request(self, codes):
        leader = codes.user("leader")
        request = ask(leader, codes.flat1, full_name="楼组长")
        with nothing_written(), pytest.raises(PermissionDenied):
            services.join_request_approve(actor=leader, join_request=request)

    @pytest.mark.parametrize("trait", ["approved", "rejected", "withdrawn"])
    def test_a_decided_request_cannot_be_approved(self, codes, trait):
        request = f.JoinRequestFactory(flat=codes.flat1, **{trait: True})
        with nothing_written(), pytest.raises(ValidationError):
            services.join_request_approve(actor=codes.user("staff"), join_request=request)

    def test_approving_twice(self, codes, newcomer):
        request = ask(newcomer, codes.flat1)
        services.join_request_approve(actor=codes.user("staff"), join_request=request)
        with nothing_written(), pytest.raises(ValidationError):
            services.join_request_approve(actor=codes.user("leader"), join_request=request)


class TestJoinRequestReject:
    def test_staff_refuse_with_a_reason_the_person_sees(self, codes, newcomer):
        request = ask(newcomer, codes.flat1)
        services.join_request_reject(
            actor=codes.user("staff"), join_request=request, reason=" 房东说不认识 "
        )
        request.refresh_from_db()
        assert (request.status, request.reason) == ("rejected", "房东说不认识")
        assert last_event().action == "join_request.reject"
        assert not Person.objects.filter(user=newcomer).exists()
        assert notified(newcomer, "membership.rejected")
        assert selectors.my_membership(user=newcomer).not_approved == [request]

    @pytest.mark.parametrize("reason", ["", "   ", "长" * 201])
    def test_a_reason_is_needed(self, codes, newcomer, reason):
        request = ask(newcomer, codes.flat1)
        with nothing_written(), pytest.raises(ValidationError) as exc:
            services.join_request_reject(
                actor=codes.user("staff"), join_request=request, reason=reason
            )
        assert "reason" in exc.value.message_dict

    def test_refusing_twice(self, codes, newcomer):
        request = ask(newcomer, codes.flat1)
        services.join_request_reject(actor=codes.user("leader"), join_request=request, reason="x")
        with nothing_written(), pytest.raises(ValidationError):
            services.join_request_reject(
                actor=codes.user("staff"), join_request=request, reason="y"
            )

    def test_leader_of_another_building_cannot_refuse(self, codes, newcomer):
        request = ask(newcomer, codes.flat1)
        with nothing_written(), pytest.raises(PermissionDenied):
            services.join_request_reject(
                actor=codes.user("leader_other_building"), join_request=request, reason="x"
            )


class TestJoinRequestWithdraw:
    def test_the_person_who_asked_withdraws(self, codes, newcomer):
        request = ask(newcomer, codes.flat1)
        services.join_request_withdraw(actor=newcomer, join_request=request)
        assert JoinRequest.objects.get(pk=request.pk).status == "withdrawn"
        assert last_event().action == "join_request.withdraw"

    @pytest.mark.parametrize("role", ["staff", "leader", "outsider"])
    def test_nobody_else_withdraws_it(self, codes, newcomer, role):
        request = ask(newcomer, codes.flat1)
        with nothing_written(), pytest.raises(PermissionDenied):
            services.join_request_withdraw(actor=codes.user(role), join_request=request)

    def test_withdrawing_twice(self, codes, newcomer):
        request = ask(newcomer, codes.flat1)
        services.join_request_withdraw(actor=newcomer, join_request=request)
        with nothing_written(), pytest.raises(ValidationError):
            services.join_request_withdraw(actor=newcomer, join_request=request)


# --- Authorised agents -----------------------------------------------------------------------


@pytest.fixture
def son(world):
    """An account of the resident's household (family member at flat 1-101)."""
    user = f.UserFactory(username="son", phone="+8613700137000")
    person = f.PersonFactory(estate=world.here, full_name="李儿子", user=user)
    f.OccupancyFactory(flat=world.flat1, person=person, relation="family")
    return user


def grant(actor, principal, agent, **values) -> Delegation:
    values = {"scope": ["vote"], "ends_on": TODAY() + datetime.timedelta(days=30), **values}
    return services.delegation_grant(actor=actor, principal=principal, agent=agent, **values)


class TestDelegationGrant:
    def test_an_owner_authorises_a_family_member(self, world, son):
        delegation = grant(world.user("resident"), world.person1, son, scope=["vote", "pledge"])
        assert (delegation.principal, delegation.agent, delegation.scope) == (
            world.person1,
            son,
            ["vote", "pledge"],
        )
        assert delegation.starts_on == TODAY() and delegation.created_by == world.user("resident")
        assert (last_event().action, last_event().estate_id) == ("delegation.grant", world.here.pk)
        assert notified(son, "agent.granted")

    def test_staff_record_one_on_the_owners_written_request(self, world, son):
        delegation = grant(world.user("staff"), world.person1, son, note="2025-03-01 书面委托书")
        assert delegation.note == "2025-03-01 书面委托书"
        assert delegation.created_by == world.user("staff")

    def test_staff_must_say_which_written_request(self, world, son):
        with nothing_written(), pytest.raises(ValidationError) as exc:
            grant(world.user("staff"), world.person1, son)
        assert "note" in exc.value.message_dict

    def test_everything_means_all_and_nothing_else(self, world, son):
        delegation = grant(world.user("resident"), world.person1, son, scope=["vote", "all"])
        assert delegation.scope == ["all"]

    def test_someone_who_owns_no_flat_cannot_authorise(self, world, son):
        tenant = f.UserFactory(username="tenant")
        world.person2.user = tenant
        world.person2.save()
        with nothing_written(), pytest.raises(ValidationError) as exc:
            grant(tenant, world.person2, son)
        assert exc.value.messages == [
            gettext("Only an owner or co-owner of a flat can authorise someone to act for them.")
        ]
        with nothing_written(), pytest.raises(ValidationError):
            grant(world.user("staff"), world.person2, son, note="委托书")

    def test_nobody_authorises_themself(self, world):
        with nothing_written(), pytest.raises(ValidationError) as exc:
            grant(world.user("resident"), world.person1, world.user("resident"))
        assert "agent" in exc.value.message_dict

    @pytest.mark.parametrize(
        ("starts", "ends", "field"),
        [
            (0, -1, "ends_on"),  # already over
            (0, 366, "ends_on"),  # longer than a year
            (10, 5, "ends_on"),  # ends before it starts
            (-1, 30, "starts_on"),  # starts in the past
        ],
    )
    def test_dates_out_of_bounds(self, world, son, starts, ends, field):
        with nothing_written(), pytest.raises(ValidationError) as exc:
            grant(
                world.user("resident"),
                world.person1,
                son,
                starts_on=TODAY() + datetime.timedelta(days=starts),
                ends_on=TODAY() + datetime.timedelta(days=ends),
            )
        assert field in exc.value.message_dict

    def test_exactly_one_year_is_allowed(self, world, son):
        grant(
            world.user("resident"),
            world.person1,
            son,
            ends_on=TODAY() + datetime.timedelta(days=365),
        )

    @pytest.mark.parametrize("scope", [[], ["launch"], ["vote", "launch"]])
    def test_scope_from_the_list(self, world, son, scope):
        with nothing_written(), pytest.raises(ValidationError) as exc:
            grant(world.user("resident"), world.person1, son, scope=scope)
        assert "scope" in exc.value.message_dict

    def test_no_overlapping_authorisation_to_the_same_agent(self, world, son):
        grant(world.user("resident"), world.person1, son)
        with nothing_written(), pytest.raises(ValidationError):
            grant(world.user("resident"), world.person1, son, scope=["pledge"])

    @pytest.mark.parametrize(
        "role", ["outsider", "leader", "owners_committee", "staff_other_estate", "anonymous"]
    )
    def test_nobody_else_authorises_for_an_owner(self, world, son, role):
        with nothing_written(), pytest.raises(PermissionDenied):
            grant(world.user(role), world.person1, son, note="委托书")


class TestDelegationRevoke:
    @pytest.mark.parametrize("who", ["owner", "agent", "staff"])
    def test_the_owner_the_agent_or_staff_end_it(self, world, son, who):
        delegation = grant(world.user("resident"), world.person1, son)
        actor = {"owner": world.user("resident"), "agent": son, "staff": world.user("staff")}
        services.delegation_revoke(actor=actor[who], delegation=delegation)
        delegation.refresh_from_db()
        assert delegation.revoked_at is not None and delegation.revoked_by == actor[who]
        assert last_event().action == "delegation.revoke"
        assert (
            selectors.delegation_active(agent=son, principal=world.person1, action="vote") is None
        )

    @pytest.mark.parametrize("role", ["outsider", "leader", "staff_other_estate"])
    def test_nobody_else_ends_it(self, world, son, role):
        delegation = grant(world.user("resident"), world.person1, son)
        with nothing_written(), pytest.raises(PermissionDenied):
            services.delegation_revoke(actor=world.user(role), delegation=delegation)

    def test_ending_twice_or_after_expiry(self, world, son):
        delegation = grant(world.user("resident"), world.person1, son)
        services.delegation_revoke(actor=son, delegation=delegation)
        with nothing_written(), pytest.raises(ValidationError):
            services.delegation_revoke(actor=son, delegation=delegation)
        expired = f.DelegationFactory(principal=world.person1, agent=son, expired=True)
        with nothing_written(), pytest.raises(ValidationError):
            services.delegation_revoke(actor=son, delegation=expired)


class TestDelegationActive:
    def test_only_for_the_actions_it_names(self, world, son):
        delegation = f.DelegationFactory(principal=world.person1, agent=son)
        assert selectors.delegation_active(agent=son, principal=world.person1, action="vote") == (
            delegation
        )
        assert (
            selectors.delegation_active(agent=son, principal=world.person1, action="pledge") is None
        )

    def test_all_covers_every_action(self, world, son):
        f.DelegationFactory(principal=world.person1, agent=son, everything=True)
        for action in ("vote", "pledge", "survey"):
            assert selectors.delegation_active(agent=son, principal=world.person1, action=action)

    @pytest.mark.parametrize("trait", ["expired", "revoked", "future"])
    def test_not_when_expired_revoked_or_not_started(self, world, son, trait):
        f.DelegationFactory(principal=world.person1, agent=son, everything=True, **{trait: True})
        assert (
            selectors.delegation_active(agent=son, principal=world.person1, action="vote") is None
        )

    def test_the_last_day_still_counts(self, world, son):
        f.DelegationFactory(principal=world.person1, agent=son, ends_on=TODAY())
        assert selectors.delegation_active(agent=son, principal=world.person1, action="vote")

    def test_not_for_someone_else(self, world, son):
        f.DelegationFactory(principal=world.person1, agent=son)
        for agent in (world.user("outsider"), world.user("anonymous")):
            assert (
                selectors.delegation_active(agent=agent, principal=world.person1, action="vote")
                is None
            )
        assert (
            selectors.delegation_active(agent=son, principal=world.person2, action="vote") is None
        )

    def test_an_unknown_action_is_a_programming_error(self, world, son):
        with pytest.raises(ValueError):
            selectors.delegation_active(agent=son, principal=world.person1, action="launch")
