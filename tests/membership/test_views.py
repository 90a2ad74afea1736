"""Membership pages: joining with a code, deciding requests, codes on the flat page, my home,
authorisations. Bad input gets a message and a 4xx and writes nothing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from linju.community.models import Occupancy, Person
from linju.core.models import AuditEvent
from linju.membership import services
from linju.membership.models import Delegation, JoinCode, JoinRequest
from tests import factories as f

TODAY = timezone.localdate


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def codes(world):
    services.join_codes_ensure(actor=world.user("staff"), target=world.here)
    return world


@pytest.fixture
def newcomer(db):
    return f.UserFactory(username="newcomer", phone="+8613900139000", display_name="新邻居")


def code_of(flat) -> str:
    return JoinCode.objects.get(flat=flat, is_active=True).code


def text(response) -> str:
    return response.content.decode()


def state() -> tuple:
    return (
        JoinRequest.objects.count(),
        list(JoinRequest.objects.values_list("status", flat=True)),
        Person.objects.count(),
        Occupancy.objects.count(),
        AuditEvent.objects.count(),
        Delegation.objects.count(),
    )


# --- Joining ---------------------------------------------------------------------------------


class TestJoin:
    def test_the_code_field_is_big_and_capitalises(self, codes, newcomer):
        response = client_for(newcomer).get(reverse("join"))
        assert response.status_code == 200
        assert 'autocapitalize="characters"' in text(response)
        assert 'class="code-input"' in text(response)

    def test_visitors_sign_in_first_and_come_back(self, codes):
        url = reverse("join_code", args=[code_of(codes.flat1)])
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"

    def test_a_right_code_leads_to_its_flat(self, codes, newcomer):
        code = code_of(codes.flat1)
        response = client_for(newcomer).post(reverse("join"), {"code": code.lower()})
        assert response.status_code == 302
        assert response["Location"] == reverse("join_code", args=[code])

    @pytest.mark.parametrize("code", ["", "WRONG234", "abc", "长" * 50])
    def test_a_wrong_code_gets_one_message_and_writes_nothing(self, codes, newcomer, code):
        before = state()
        response = client_for(newcomer).post(reverse("join"), {"code": code})
        assert response.status_code == 422
        assert 'class="field-error"' in text(response)
        assert "1-101" not in text(response) and "这里小区" not in text(response)
        assert state() == before

    def test_a_rotated_code_from_a_qr_code_says_the_same(self, codes, newcomer):
        old = code_of(codes.flat1)
        services.join_code_rotate(actor=codes.user("staff"), flat=codes.flat1)
        client = client_for(newcomer)
        rotated = client.get(reverse("join_code", args=[old]))
        unknown = client.get(reverse("join_code", args=["ZZZZZZZZ"]))
        assert rotated.status_code == unknown.status_code == 422
        assert "1-101" not in text(rotated)

        def message(r):
            return re.search(r'class="field-error"[^>]*>([^<]*)<', text(r)).group(1)

        assert message(rotated) == message(unknown)

    def test_the_confirm_page_names_the_flat_and_offers_big_choices(self, codes, newcomer):
        response = client_for(newcomer).get(reverse("join_code", args=[code_of(codes.flat1)]))
        assert response.status_code == 200
        html = text(response)
        assert "1-101" in html and "这里小区" in html
        assert html.count('class="big-choice"') == 4
        assert 'value="新邻居"' in html  # the account's name, to change if need be

    def test_asking_to_join_then_waiting_on_my_home(self, codes, newcomer):
        client = client_for(newcomer)
        url = reverse("join_code", args=[code_of(codes.flat1)])
        response = client.post(url, {"relation": "family", "full_name": "陈新来"})
        assert response.status_code == 302 and response["Location"] == reverse("my_home")
        home = text(client.get(reverse("my_home")))
        assert "陈新来" in home and "1-101" in home
        assert reverse("join_request_withdraw", args=[JoinRequest.objects.get().pk]) in home

    @pytest.mark.parametrize(
        "data", [{}, {"relation": "landlord", "full_name": "陈"}, {"relation": "family"}]
    )
    def test_missing_choices_get_messages(self, codes, newcomer, data):
        before = state()
        url = reverse("join_code", args=[code_of(codes.flat1)])
        response = client_for(newcomer).post(url, data)
        assert response.status_code == 422
        assert 'class="field-error"' in text(response)
        assert state() == before

    def test_asking_twice_gets_a_message(self, codes, newcomer):
        client = client_for(newcomer)
        url = reverse("join_code", args=[code_of(codes.flat1)])
        client.post(url, {"relation": "family", "full_name": "陈新来"})
        before = state()
        response = client.post(url, {"relation": "owner", "full_name": "陈新来"})
        assert response.status_code == 422
        assert "errorlist-box" in text(response)
        assert state() == before

    def test_too_many_wrong_codes_is_429(self, codes, newcomer):
        client = client_for(newcomer)
        for _ in range(services.WRONG_CODES_PER_USER):
            client.post(reverse("join"), {"code": "WRONG234"})
        before = state()
        response = client.get(reverse("join_code", args=[code_of(codes.flat1)]))
        assert response.status_code == 429
        assert "1-101" not in text(response)
        assert state() == before

    def test_withdrawing(self, codes, newcomer):
        request = f.JoinRequestFactory(flat=codes.flat1, user=newcomer)
        client = client_for(newcomer)
        url = reverse("join_request_withdraw", args=[request.pk])
        assert client.post(url).status_code == 302
        assert JoinRequest.objects.get().status == "withdrawn"
        before = state()
        assert client.post(url).status_code == 422
        assert state() == before

    def test_withdrawing_someone_elses_request_is_404(self, codes, newcomer):
        request = f.JoinRequestFactory(flat=codes.flat1, user=newcomer)
        before = state()
        response = client_for(codes.user("staff")).post(
            reverse("join_request_withdraw", args=[request.pk])
        )
        assert response.status_code == 404
        assert state() == before


# --- Deciding --------------------------------------------------------------------------------


@pytest.fixture
def pending(codes, newcomer):
    on_roster = f.PersonFactory(estate=codes.here, full_name="陈老伯", phone=newcomer.phone)
    f.OccupancyFactory(flat=codes.flat1, person=on_roster)
    matched = services.join_request_create(
        actor=newcomer, code=code_of(codes.flat1), relation="owner", full_name="陈新来"
    )
    other = services.join_request_create(
        actor=f.UserFactory(username="tenant2"),
        code=code_of(codes.flat2),
        relation="tenant",
        full_name="租客小周",
    )
    return matched, other


class TestJoinRequests:
    def test_staff_see_every_waiting_request_with_the_roster_match_marked(self, pending, world):
        response = client_for(world.user("staff")).get(reverse("join_requests", args=["here"]))
        html = text(response)
        assert response.status_code == 200
        assert "陈新来" in html and "租客小周" in html
        assert html.count("has-match") == 1 and "陈老伯" in html
        assert "139****9000" in html and "13900139000" not in html

    def test_a_leader_sees_their_buildings_requests_only(self, pending, world):
        html = text(client_for(world.user("leader")).get(reverse("join_requests", args=["here"])))
        assert "陈新来" in html and "租客小周" not in html
        other = client_for(world.user("leader_other_building"))
        html = text(other.get(reverse("join_requests", args=["here"])))
        assert "租客小周" in html and "陈新来" not in html

    @pytest.mark.parametrize("role", ["owners_committee", "resident", "staff_other_estate"])
    def test_others_get_404(self, pending, world, role):
        response = client_for(world.user(role)).get(reverse("join_requests", args=["here"]))
        assert response.status_code == 404

    def test_approving_with_htmx_swaps_the_card(self, pending, world):
        matched, _other = pending
        url = reverse("join_request_approve", args=["here", matched.pk])
        response = client_for(world.user("staff")).post(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        html = text(response)
        assert html.startswith('<li class="card join-request has-match"')
        assert "decision-approved" in html
        assert Person.objects.get(user=matched.user).full_name == "陈老伯"

    def test_approving_twice_is_422_and_writes_nothing(self, pending, world):
        matched, _other = pending
        client = client_for(world.user("staff"))
        url = reverse("join_request_approve", args=["here", matched.pk])
        assert client.post(url).status_code == 302
        before = state()
        again = client.post(url)
        assert again.status_code == 422
        assert "errorlist-box" in text(again)
        assert client.post(url, HTTP_HX_REQUEST="true").status_code == 422
        assert state() == before

    def test_another_estates_request_is_404(self, pending, world):
        there_flat_request = f.JoinRequestFactory(flat=world.flat_there)
        before = state()
        for slug in ("here", "there"):
            url = reverse("join_request_approve", args=[slug, there_flat_request.pk])
            assert client_for(world.user("staff")).post(url).status_code == 404
        matched, _other = pending
        url = reverse("join_request_approve", args=["there", matched.pk])
        assert client_for(world.user("staff_other_estate")).post(url).status_code == 404
        assert state() == before

    def test_refusing_needs_a_reason(self, pending, world):
        matched, _other = pending
        client = client_for(world.user("staff"))
        url = reverse("join_request_reject", args=["here", matched.pk])
        before = state()
        response = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
        assert response.status_code == 422
        assert 'class="field-error"' in text(response)
        assert client.post(url, {"reason": ""}).status_code == 422
        assert state() == before
        assert client.post(url, {"reason": "不是本户"}).status_code == 302
        assert JoinRequest.objects.get(pk=matched.pk).reason == "不是本户"
        page = text(client.get(reverse("join_requests", args=["here"])))
        assert "不是本户" in page

    def test_the_person_who_asked_cannot_decide_it(self, pending, world):
        matched, _other = pending
        before = state()
        client = client_for(matched.user)
        url = reverse("join_request_approve", args=["here", matched.pk])
        assert client.post(url).status_code == 403
        url = reverse("join_request_reject", args=["here", matched.pk])
        assert client.post(url, {"reason": "x"}).status_code == 403
        assert state() == before


# --- Codes and slips on the console ----------------------------------------------------------


class TestJoinCodePages:
    def test_the_flat_page_shows_the_code_to_staff_only(self, codes, world):
        url = reverse("console_flat", args=["here", world.flat1.pk])
        code = code_of(world.flat1)
        assert f"{code[:4]} {code[4:]}" in text(client_for(world.user("staff")).get(url))
        assert code[:4] not in text(client_for(world.user("owners_committee")).get(url))

    def test_rotating_from_the_flat_page(self, codes, world):
        old = code_of(world.flat1)
        response = client_for(world.user("staff")).post(
            reverse("join_code_rotate", args=["here", world.flat1.pk])
        )
        assert response.status_code == 302
        assert code_of(world.flat1) != old

    def test_officers_who_see_the_flat_may_not_rotate(self, codes, world):
        before = list(JoinCode.objects.values_list("code", "is_active"))
        response = client_for(world.user("owners_committee")).post(
            reverse("join_code_rotate", args=["here", world.flat1.pk])
        )
        assert response.status_code == 403
        assert list(JoinCode.objects.values_list("code", "is_active")) == before

    def test_printing_gives_a_pdf_and_is_audited(self, world):
        client = client_for(world.user("staff"))
        page = client.get(reverse("join_slips", args=["here"]))
        assert page.status_code == 200
        response = client.post(reverse("join_slips", args=["here"]), {"building": "1"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="join-slips-here-1.pdf"' in response["Content-Disposition"]
        assert response.content.startswith(b"%PDF")
        assert AuditEvent.objects.filter(action="join_code.print").count() == 1
        assert JoinCode.objects.count() == 1  # building 1 only

    def test_printing_an_unknown_building_is_404(self, world):
        before = JoinCode.objects.count()
        response = client_for(world.user("staff")).post(
            reverse("join_slips", args=["here"]), {"building": "99"}
        )
        assert response.status_code == 404
        assert JoinCode.objects.count() == before

    def test_printing_one_flat_from_its_page(self, world):
        response = client_for(world.user("staff")).post(
            reverse("join_slips", args=["here"]), {"flat": world.flat2.pk}
        )
        assert response.status_code == 200
        assert list(JoinCode.objects.values_list("flat_id", flat=True)) == [world.flat2.pk]


# --- Authorisations --------------------------------------------------------------------------


@pytest.fixture
def son(world):
    user = f.UserFactory(username="son", display_name="李儿子")
    person = f.PersonFactory(estate=world.here, full_name="李儿子", user=user)
    f.OccupancyFactory(flat=world.flat1, person=person, relation="family")
    return user


def in_a_year() -> str:
    return (TODAY() + datetime.timedelta(days=200)).isoformat()


class TestDelegationPages:
    def test_an_owner_picks_someone_of_the_household(self, world, son):
        client = client_for(world.user("resident"))
        page = text(client.get(reverse("delegation_grant")))
        assert "李儿子 · 1-101" in page
        response = client.post(
            reverse("delegation_grant"),
            {
                "principal": world.person1.pk,
                "agent": son.pk,
                "scope": ["vote", "survey"],
                "ends_on": in_a_year(),
            },
        )
        assert response.status_code == 302
        delegation = Delegation.objects.get()
        assert (delegation.agent, delegation.scope) == (son, ["vote", "survey"])

    @pytest.mark.parametrize(
        ("ends_on", "scope"),
        [
            ((TODAY() - datetime.timedelta(days=1)).isoformat(), ["vote"]),
            ((TODAY() + datetime.timedelta(days=400)).isoformat(), ["vote"]),
            ("not a date", ["vote"]),
            (None, []),
        ],
    )
    def test_bad_dates_or_no_scope_get_messages(self, world, son, ends_on, scope):
        data = {"principal": world.person1.pk, "agent": son.pk, "scope": scope}
        data["ends_on"] = ends_on or in_a_year()
        before = state()
        response = client_for(world.user("resident")).post(reverse("delegation_grant"), data)
        assert response.status_code == 422
        assert 'class="field-error"' in text(response)
        assert state() == before

    def test_someone_outside_the_household_cannot_be_picked(self, world, son):
        before = state()
        response = client_for(world.user("resident")).post(
            reverse("delegation_grant"),
            {
                "principal": world.person1.pk,
                "agent": world.user("outsider").pk,
                "scope": ["vote"],
                "ends_on": in_a_year(),
            },
        )
        assert response.status_code == 422
        assert state() == before

    def test_a_non_owner_is_told_why(self, world, son):
        client = client_for(son)
        page = client.get(reverse("delegation_grant"))
        assert page.status_code == 200 and 'role="alert"' in text(page)
        before = state()
        data = {"agent": world.user("resident").pk, "scope": ["vote"], "ends_on": in_a_year()}
        response = client.post(reverse("delegation_grant"), data)
        assert response.status_code == 422
        assert state() == before

    def test_both_sides_see_it_on_their_home_and_can_end_it(self, world, son):
        delegation = f.DelegationFactory(principal=world.person1, agent=son, everything=True)
        owner_home = text(client_for(world.user("resident")).get(reverse("my_home")))
        assert "李儿子" in owner_home
        assert reverse("delegation_revoke", args=[delegation.pk]) in owner_home
        agent_home = text(client_for(son).get(reverse("my_home")))
        assert 'class="acting-for"' in agent_home and "李居民" in agent_home
        response = client_for(son).post(reverse("delegation_revoke", args=[delegation.pk]))
        assert response.status_code == 302
        before = state()
        again = client_for(son).post(reverse("delegation_revoke", args=[delegation.pk]))
        assert again.status_code == 422
        assert state() == before

    def test_the_person_page_shows_the_acting_for_marker(self, world, son):
        f.DelegationFactory(principal=world.person1, agent=son)
        son_person = Person.objects.get(user=son)
        page = text(
            client_for(world.user("staff")).get(
                reverse("console_person", args=["here", son_person.pk])
            )
        )
        assert 'class="acting-for"' in page and "李居民" in page

    def test_staff_record_one_on_written_request(self, world, son):
        url = reverse("console_delegation_grant", args=["here", world.person1.pk])
        client = client_for(world.user("staff"))
        assert client.get(url).status_code == 200
        data = {"agent": "son", "scope": ["all"], "ends_on": in_a_year(), "note": ""}
        before = state()
        response = client.post(url, data)
        assert response.status_code == 422
        assert state() == before
        response = client.post(url, {**data, "note": "2025年3月1日书面委托"})
        assert response.status_code == 302
        assert Delegation.objects.get().note == "2025年3月1日书面委托"
        page = text(client.get(reverse("console_person", args=["here", world.person1.pk])))
        assert "2025年3月1日书面委托" in page

    def test_revoking_someone_elses_is_404(self, world, son):
        delegation = f.DelegationFactory(principal=world.person1, agent=son)
        before = state()
        response = client_for(world.user("outsider")).post(
            reverse("delegation_revoke", args=[delegation.pk])
        )
        assert response.status_code == 404
        assert state() == before


@pytest.mark.parametrize("code", ["%00", "<script>", "长" * 3000, "ABCD%20EFGH", "..", "'--"])
def test_hostile_codes_in_the_address_get_the_same_message(codes, newcomer, code):
    before = state()
    response = client_for(newcomer).get(f"/join/{code}/")
    assert response.status_code in (404, 422)
    assert "<script>" not in text(response)
    assert state() == before
