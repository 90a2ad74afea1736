"""Pages, as a browser uses them: front page, language and large text, signing in, my home,
the staff console's forms, htmx searches and masked phone numbers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from linju.community.models import Building, Flat, Occupancy, Person
from linju.core.middleware import LARGE_TEXT_COOKIE
from linju.core.models import AuditEvent, User
from linju.core.phones import national
from tests import factories as f
from tests.conftest import World

MASKED = re.compile(r"\b1\d{2}\*{4}\d{4}\b")
INVALID_LOGIN = (
    "That sign-in name or phone number and password do not match. Check them and try again."
)


def client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.user(role))
    return client


def text(response) -> str:
    return response.content.decode()


def in_chinese(message: str) -> str:
    with translation.override("zh-hans"):
        return escape(gettext(message))


def in_english(message: str) -> str:
    with translation.override("en"):
        return escape(gettext(message))


def _rows(model):
    rows = model.objects.order_by("pk")
    if model._meta.label == "core.SecurityEvent":  # a re-shown form records who saw a number
        rows = rows.exclude(event="phone.view_full")
    return list(rows.values_list())


def snapshot() -> dict[str, list[tuple]]:
    return {
        model._meta.label: _rows(model)
        for label in ("core", "community")
        for model in apps.get_app_config(label).get_models()
    }


# --- The front page -------------------------------------------------------------------------


class TestFrontPage:
    def test_with_one_estate_it_is_that_estates_home(self, db):
        estate = f.EstateFactory(name="唯一小区")
        f.BuildingFactory(estate=estate, number="8")
        response = Client().get("/")
        assert response.status_code == 200
        assert "community/estate_home.html" in [t.name for t in response.templates]
        assert "唯一小区" in text(response)
        assert reverse("building_detail", args=[estate.slug, "8"]) in text(response)

    def test_with_two_estates_it_lists_them(self, world):
        response = Client().get("/")
        assert response.status_code == 200
        assert "community/home.html" in [t.name for t in response.templates]
        for estate in (world.here, world.there):
            assert estate.name in text(response)
            assert estate.get_absolute_url() in text(response)

    def test_with_no_estate_it_says_so(self, db):
        response = Client().get("/")
        assert response.status_code == 200
        assert in_chinese(
            "No estate has been set up yet. A platform admin creates the first one."
        ) in text(response)

    def test_the_public_estate_page_names_leaders_only_by_surname(self, world):
        world.users["leader"].display_name = "周建国"
        world.users["leader"].save()
        page = text(Client().get(world.here.get_absolute_url()))
        assert "周**" in page and "周建国" not in page

    def test_a_building_page_lists_flats_only_to_members_of_the_estate(self, world):
        url = reverse("building_detail", args=["here", "1"])
        anonymous = text(Client().get(url))
        member = text(client_for(world, "resident").get(url))
        assert '<span class="flat-number">101</span>' in member
        assert '<span class="flat-number">101</span>' not in anonymous
        assert "李居民" not in member, "occupants are never named on the building page"


# --- Language and large text ----------------------------------------------------------------


class TestLanguage:
    def test_chinese_by_default_even_if_the_browser_asks_for_english(self, world):
        response = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert response["Content-Language"] == "zh-hans"
        assert '<html lang="zh-Hans"' in text(response)
        assert in_chinese("Estates on Linju") in text(response)

    def test_switching_to_english_sets_a_cookie_and_the_next_page_is_english(self, world):
        client = Client()
        response = client.post(reverse("language_set"), {"language": "en", "next": "/e/here/"})
        assert response.status_code == 302
        assert response["Location"] == "/e/here/"
        cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
        assert (cookie.value, bool(cookie["httponly"])) == ("en", True)
        page = client.get("/e/here/")
        assert page["Content-Language"] == "en"
        assert '<html lang="en"' in text(page)
        assert in_english("Buildings") in text(page)
        client.post(reverse("language_set"), {"language": "zh-hans", "next": "/"})
        assert '<html lang="zh-Hans"' in text(client.get("/"))

    def test_an_unknown_language_falls_back_to_chinese(self, world):
        client = Client()
        response = client.post(reverse("language_set"), {"language": "xx"})
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"

    @pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
    def test_it_never_sends_people_to_another_site(self, world, target):
        response = Client().post(reverse("language_set"), {"language": "en", "next": target})
        assert response["Location"] == "/"

    def test_the_choice_follows_the_account_to_a_new_phone(self, world):
        client_for(world, "resident").post(reverse("language_set"), {"language": "en"})
        assert User.objects.get(username="resident").language == "en"
        new_phone = Client()
        response = new_phone.post(
            reverse("login"), {"username": "resident", "password": f.PASSWORD}
        )
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        assert '<html lang="en"' in text(new_phone.get("/"))


class TestLargeText:
    def test_a_visitor_s_choice_is_a_cookie(self, world):
        client = Client()
        assert 'class="large-text"' not in text(client.get("/"))
        response = client.post(reverse("large_text_set"), {"large_text": "1", "next": "/"})
        assert response.cookies[LARGE_TEXT_COOKIE].value == "1"
        assert 'class="large-text"' in text(client.get("/"))
        client.post(reverse("large_text_set"), {"large_text": "0"})
        assert 'class="large-text"' not in text(client.get("/"))

    def test_a_signed_in_choice_is_kept_on_the_account_for_new_sessions(self, world):
        client_for(world, "resident").post(reverse("large_text_set"), {"large_text": "1"})
        assert User.objects.get(username="resident").large_text is True
        new_session = client_for(world, "resident")  # no cookies carried over
        assert 'class="large-text"' in text(new_session.get("/me/"))
        signing_in = Client()
        response = signing_in.post(
            reverse("login"), {"username": "resident", "password": f.PASSWORD}
        )
        assert response.cookies[LARGE_TEXT_COOKIE].value == "1"


# --- Signing in -----------------------------------------------------------------------------


class TestSignIn:
    def test_with_a_username(self, world):
        client = Client()
        response = client.post(reverse("login"), {"username": "resident", "password": f.PASSWORD})
        assert (response.status_code, response["Location"]) == (302, reverse("home"))
        assert client.session["_auth_user_id"] == str(world.user("resident").pk)

    @pytest.mark.parametrize(
        "typed", ["13800138000", "138 0013 8000", "+86 138-0013-8000", "１３８００１３８０００"]
    )
    def test_with_a_phone_number_however_it_is_written(self, world, typed):
        resident = world.user("resident")
        resident.phone = "+8613800138000"
        resident.save()
        client = Client()
        response = client.post(reverse("login"), {"username": typed, "password": f.PASSWORD})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(resident.pk)

    @pytest.mark.parametrize("username", ["resident", "nobody", "13800138000"])
    def test_a_wrong_password_is_422_with_a_translated_message(self, world, username):
        response = Client().post(reverse("login"), {"username": username, "password": "wrong"})
        assert response.status_code == 422
        assert in_chinese(INVALID_LOGIN) in text(response)

    def test_the_message_is_english_for_english_readers(self, world):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.post(reverse("login"), {"username": "resident", "password": "wrong"})
        assert in_english(INVALID_LOGIN) in text(response)

    def test_a_switched_off_account_cannot_sign_in(self, world):
        resident = world.user("resident")
        resident.is_active = False
        resident.save()
        response = Client().post(reverse("login"), {"username": "resident", "password": f.PASSWORD})
        assert response.status_code == 422


# --- My home --------------------------------------------------------------------------------


class TestMyHome:
    def test_a_resident_sees_their_flat_and_household(self, world):
        f.OccupancyFactory(
            flat=world.flat1,
            person=f.PersonFactory(estate=world.here, full_name="李小妹"),
            relation=Occupancy.Relation.FAMILY,
        )
        page = text(client_for(world, "resident").get(reverse("my_home")))
        assert "1-101" in page
        assert "李居民" in page and "李小妹" in page
        assert "王邻居" not in page, "other households are not shown"

    def test_someone_without_a_flat_is_told_whom_to_ask(self, world):
        page = text(client_for(world, "outsider").get(reverse("my_home")))
        assert (
            in_chinese(
                "Your account is not linked to a flat yet. Ask your building-group leader or the "
                "residents' committee."
            )
            in page
        )

    def test_a_former_home_is_not_shown(self, world):
        from linju.community import services

        services.occupancy_end(actor=world.user("staff"), occupancy=world.occupancy1)
        # Ended today: no longer current.
        assert "1-101" not in text(client_for(world, "resident").get(reverse("my_home")))


# --- The staff console ----------------------------------------------------------------------


class TestConsoleFlatEdit:
    def test_staff_change_an_area_and_the_audit_log_shows_old_and_new(self, world):
        client = client_for(world, "staff")
        url = reverse("console_flat", args=["here", world.flat1.pk])
        response = client.post(url, {"floor": "3", "area": "92.30", "area_source": "registered"})
        assert (response.status_code, response["Location"]) == (302, url)
        world.flat1.refresh_from_db()
        assert str(world.flat1.area) == "92.30"
        audit = text(client.get(reverse("console_audit", args=["here"])))
        assert "<del>89.50</del> → <ins>92.30</ins>" in audit
        assert "修改房屋" in audit  # the change is named in words, not by its code

    def test_the_audit_log_can_be_filtered_by_kind(self, world):
        client = client_for(world, "staff")
        client.post(
            reverse("console_flat", args=["here", world.flat1.pk]),
            {"floor": "3", "area": "92.30", "area_source": "registered"},
        )
        client.post(reverse("console_person_create", args=["here"]), {"full_name": "新人"})
        people_only = text(client.get(reverse("console_audit", args=["here"]) + "?action=person."))
        assert "添加人员" in people_only and "修改房屋" not in people_only

    def test_officers_who_cannot_edit_see_the_flat_without_a_form(self, world):
        page = text(
            client_for(world, "owners_committee").get(
                reverse("console_flat", args=["here", world.flat1.pk])
            )
        )
        assert 'name="area"' not in page
        assert "89.50" in page


def test_staff_of_another_estate_get_404_everywhere_in_this_console(world):
    client = client_for(world, "staff_other_estate")
    urls = [
        reverse("console", args=["here"]),
        reverse("console_flats", args=["here"]),
        reverse("console_flat", args=["here", world.flat1.pk]),
        reverse("console_people", args=["here"]),
        reverse("console_person", args=["here", world.person1.pk]),
        reverse("console_roles", args=["here"]),
        reverse("console_audit", args=["here"]),
        reverse("console_building_create", args=["here"]),
        reverse("console_building_edit", args=["here", "1"]),
        reverse("console_flat_create", args=["here"]),
        reverse("console_person_create", args=["here"]),
    ]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 404)
    posts = [
        reverse("console_occupancy_end", args=["here", world.occupancy1.pk]),
        reverse("console_role_end", args=["here", world.role_here.pk]),
        reverse("console_occupancy_create", args=["here", world.person1.pk]),
    ]
    assert {url: client.post(url).status_code for url in posts} == dict.fromkeys(posts, 404)


def _here(name: str, *args: Any) -> Callable[[World], str]:
    """A console URL of estate ``here``; callable args are read from the world."""
    return lambda w: reverse(name, args=["here", *(a(w) if callable(a) else a for a in args)])


def _platform(w: World) -> str:
    return reverse("platform")


def bad(case: str, url: Callable[[World], str], data: dict, message: str | None = None, **kw):
    """One refused submission: where, what, and the message the page must show (if any)."""
    return pytest.param(url, data, message, id=case, **kw)


FLAT1 = _here("console_flat", lambda w: w.flat1.pk)
PERSON1 = _here("console_person", lambda w: w.person1.pk)
GOOD_FLAT = {"building": "b1", "number": "9", "area": "50", "area_source": "registered"}
SETUP = {
    "street_name": "新街道",
    "street_slug": "new-street",
    "estate_name": "新小区",
    "estate_slug": "new-estate",
    "staff_username": "new_staff",
    "staff_password": "a-long-enough-passphrase",
}
BAD_INPUTS = [
    bad(
        "building-empty",
        _here("console_building_create"),
        {"number": "", "name": "", "floors": "", "description": ""},
    ),
    bad("building-floors", _here("console_building_create"), {"number": "9", "floors": "x"}),
    bad("building-floors-0", _here("console_building_create"), {"number": "9", "floors": "0"}),
    bad("building-duplicate", _here("console_building_create"), {"number": "1"}),
    bad("building-edit-floors", _here("console_building_edit", "1"), {"floors": "-3"}),
    bad("building-edit-long", _here("console_building_edit", "1"), {"description": "长" * 2001}),
    bad(
        "flat-create-empty",
        _here("console_flat_create"),
        dict.fromkeys(["building", "entrance", "number", "floor", "area", "area_source"], ""),
    ),
    *[
        bad(f"flat-create-area-{area}", _here("console_flat_create"), {**GOOD_FLAT, "area": area})
        for area in ("abc", "0", "1e5", "89.555", "-1")
    ],
    bad(
        "flat-create-foreign-building",
        _here("console_flat_create"),
        {**GOOD_FLAT, "building": "b_there"},
    ),
    bad(
        "flat-create-duplicate",
        _here("console_flat_create"),
        {**GOOD_FLAT, "number": "101"},
        "This building already has a flat with that number.",
    ),
    *[
        bad(f"flat-edit-area-{area or 'empty'}", FLAT1, {"area": area, "area_source": "registered"})
        for area in ("", "abc", "0", "1e5", "89.555", "4.99")
    ],
    bad("flat-edit-floor", FLAT1, {"floor": "x", "area": "50", "area_source": "registered"}),
    bad("flat-edit-source", FLAT1, {"area": "50", "area_source": "guessed"}),
    bad(
        "person-create-empty",
        _here("console_person_create"),
        {"full_name": "", "phone": "", "note": ""},
    ),
    bad(
        "person-create-phone",
        _here("console_person_create"),
        {"full_name": "陈阿姨", "phone": "12345"},
        "Enter an 11-digit mainland mobile number, e.g. 138 0013 8000.",
    ),
    bad("person-edit-empty", PERSON1, {"full_name": ""}),
    bad("person-edit-phone", PERSON1, {"full_name": "李居民", "phone": "999"}),
    bad(
        "occupancy-unknown-flat",
        _here("console_occupancy_create", lambda w: w.person2.pk),
        {"flat": "99-99", "relation": "family"},
    ),
    bad(
        "occupancy-empty",
        _here("console_occupancy_create", lambda w: w.person2.pk),
        {"flat": "", "relation": "", "starts_on": ""},
    ),
    bad(
        "occupancy-twice",
        _here("console_occupancy_create", lambda w: w.person1.pk),
        {"flat": "1-101", "relation": "owner"},
        "This person is already recorded at this flat.",
    ),
    bad(
        "role-unknown-account",
        _here("console_roles"),
        {"account": "nobody", "kind": "property_staff"},
    ),
    bad("role-empty", _here("console_roles"), {"account": "", "kind": "", "building": ""}),
    bad(
        "role-leader-without-building",
        _here("console_roles"),
        {"account": "outsider", "kind": "group_leader"},
        "A group leader needs a building.",
    ),
    bad(
        "role-kind-outside-estate",
        _here("console_roles"),
        {"account": "outsider", "kind": "platform_admin"},
    ),
    bad("platform-empty", _platform, dict.fromkeys(SETUP, "")),
    bad("platform-slug", _platform, {**SETUP, "estate_slug": "not a slug"}),
    bad("platform-password", _platform, {**SETUP, "staff_password": "12345678"}),
    bad("platform-taken-slug", _platform, {**SETUP, "estate_slug": "here"}),
    bad("platform-taken-user", _platform, {**SETUP, "staff_username": "staff"}),
]


@pytest.mark.parametrize(("url", "data", "message"), BAD_INPUTS)
def test_bad_input_on_a_console_form_is_422_with_a_message(world, url, data, message):
    """Empty or invalid input re-shows the form with 422 and a message; never a 500, and
    nothing is written."""
    url = url(world)
    client = client_for(world, "admin" if url == reverse("platform") else "staff")
    data = {k: getattr(world, v).pk if v in ("b1", "b_there") else v for k, v in data.items()}
    before = snapshot()
    response = client.post(url, data)
    page = text(response)
    assert response.status_code == 422
    assert 'class="field-error"' in page or 'class="errorlist-box"' in page
    if message:
        assert in_chinese(message) in page
    assert snapshot() == before


def test_a_post_with_no_fields_at_all_gets_a_message(world):
    client = client_for(world, "staff")
    for name in ("console_building_create", "console_flat_create", "console_person_create"):
        page = text(client.post(reverse(name, args=["here"])))
        assert 'class="field-error"' in page, name


@pytest.mark.parametrize(
    ("ends_on", "message"),
    [
        ("not-a-date", "Enter a valid date."),
        ("2001-01-01", "The end date cannot be before the start date."),
    ],
)
def test_ending_an_occupancy_with_a_bad_date_is_refused_with_a_message(world, ends_on, message):
    client = client_for(world, "staff")
    before = snapshot()
    url = reverse("console_occupancy_end", args=["here", world.occupancy1.pk])
    response = client.post(url, {"ends_on": ends_on})
    assert response.status_code in (400, 422)
    assert in_chinese(message) in text(response)
    assert snapshot() == before


def test_ending_twice_is_refused_with_a_message(world):
    client = client_for(world, "staff")
    url = reverse("console_occupancy_end", args=["here", world.occupancy1.pk])
    assert client.post(url).status_code == 302
    before = snapshot()
    response = client.post(url)
    assert response.status_code in (400, 422)
    assert in_chinese("This occupancy has already ended.") in text(response)
    assert snapshot() == before


def test_ending_an_ended_role_is_refused_with_a_message(world):
    client = client_for(world, "staff")
    url = reverse("console_role_end", args=["here", world.role_here.pk])
    assert client.post(url).status_code == 302
    before = snapshot()
    response = client.post(url)
    assert response.status_code in (400, 422)
    assert in_chinese("This role has already ended.") in text(response)
    assert snapshot() == before


def test_bad_page_numbers_and_filters_are_not_errors(world):
    client = client_for(world, "staff")
    for url in (
        reverse("console_flats", args=["here"]) + "?page=abc&building=nowhere&q=%27%22",
        reverse("console_people", args=["here"]) + "?page=-1&relation=nonsense&q=%E2%80%AE",
        reverse("console_audit", args=["here"]) + "?page=99999&action=%3Cscript%3E",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("method", "query", "data"),
    [("get", "?q=%00", None), ("get", "?%00=1", None), ("post", "", {"full_name": "a\x00b"})],
)
def test_a_nul_character_is_refused_with_a_message_before_any_view(world, method, query, data):
    client = client_for(world, "staff")
    before = snapshot()
    url = reverse("console_person_create", args=["here"]) + query
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == 400
    assert in_chinese("The form contained a character that is not allowed.") in text(response)
    assert snapshot() == before


def test_a_description_entered_when_adding_a_building_is_kept(world):
    client = client_for(world, "staff")
    client.post(
        reverse("console_building_create", args=["here"]),
        {"number": "9", "description": "电梯楼，2019年加装"},
    )
    assert Building.objects.get(estate=world.here, number="9").description == "电梯楼，2019年加装"


# --- htmx searches --------------------------------------------------------------------------


class TestSearch:
    def test_flats_search_returns_only_the_rows_for_htmx(self, world):
        client = client_for(world, "staff")
        url = reverse("console_flats", args=["here"])
        partial = client.get(url, {"q": "101"}, HTTP_HX_REQUEST="true")
        assert partial.status_code == 200
        assert "<html" not in text(partial) and "<table" in text(partial)
        assert "1-101" in text(partial) and "2-201" not in text(partial)
        full = client.get(url, {"q": "101"})
        assert "<html" in text(full) and "1-101" in text(full)

    @pytest.mark.parametrize("query", ["1-101", "1号楼101室", "101"])
    def test_flats_are_found_the_way_people_write_them(self, world, query):
        partial = client_for(world, "staff").get(
            reverse("console_flats", args=["here"]), {"q": query}, HTTP_HX_REQUEST="true"
        )
        assert "1-101" in text(partial) and "2-201" not in text(partial)

    def test_flats_can_be_filtered_by_building(self, world):
        partial = client_for(world, "staff").get(
            reverse("console_flats", args=["here"]), {"building": "2"}, HTTP_HX_REQUEST="true"
        )
        assert "2-201" in text(partial) and "1-101" not in text(partial)

    def test_people_search_returns_only_the_rows_for_htmx(self, world):
        client = client_for(world, "staff")
        partial = client.get(
            reverse("console_people", args=["here"]), {"q": "李"}, HTTP_HX_REQUEST="true"
        )
        assert "<html" not in text(partial)
        assert "李居民" in text(partial) and "王邻居" not in text(partial)

    def test_people_can_be_filtered_by_relation(self, world):
        partial = client_for(world, "staff").get(
            reverse("console_people", args=["here"]),
            {"relation": Occupancy.Relation.TENANT},
            HTTP_HX_REQUEST="true",
        )
        assert "王邻居" in text(partial) and "李居民" not in text(partial)

    def test_search_never_reaches_into_another_estate(self, world):
        partial = client_for(world, "staff").get(
            reverse("console_people", args=["here"]), {"q": "赵"}, HTTP_HX_REQUEST="true"
        )
        assert "赵外人" not in text(partial)


# --- Phone numbers --------------------------------------------------------------------------


class TestPhoneMasking:
    @pytest.mark.parametrize("role", ["owners_committee", "property"])
    def test_officers_other_than_staff_see_masked_numbers(self, world, role):
        client = client_for(world, role)
        phone = national(world.person1.phone)
        for url in (
            reverse("console_people", args=["here"]),
            reverse("console_person", args=["here", world.person1.pk]),
        ):
            page = text(client.get(url))
            assert phone not in page, url
            assert f"{phone[:3]}****{phone[-4:]}" in page, url
            assert MASKED.search(page)

    def test_staff_see_full_numbers(self, world):
        page = text(client_for(world, "staff").get(reverse("console_people", args=["here"])))
        assert national(world.person1.phone) in page and national(world.person2.phone) in page
        assert not MASKED.search(page)

    def test_a_masked_number_cannot_be_found_by_searching_for_it(self, world):
        partial = client_for(world, "owners_committee").get(
            reverse("console_people", args=["here"]),
            {"q": national(world.person1.phone)},
            HTTP_HX_REQUEST="true",
        )
        assert "李居民" not in text(partial)

    def test_staff_can_find_people_by_phone(self, world):
        partial = client_for(world, "staff").get(
            reverse("console_people", args=["here"]),
            {"q": world.person1.phone[-6:]},
            HTTP_HX_REQUEST="true",
        )
        assert "李居民" in text(partial) and "王邻居" not in text(partial)


def test_a_person_added_through_the_console_is_on_the_list(world):
    client = client_for(world, "staff")
    response = client.post(
        reverse("console_person_create", args=["here"]),
        {"full_name": "陈阿姨", "phone": "139 1234 5678", "note": ""},
    )
    person = Person.objects.get(full_name="陈阿姨")
    assert response["Location"] == reverse("console_person", args=["here", person.pk])
    assert person.phone == "+8613912345678"
    assert "陈阿姨" in text(client.get(reverse("console_people", args=["here"])))


def test_a_flat_added_through_the_console_is_in_its_entrance(world):
    client = client_for(world, "staff")
    client.post(
        reverse("console_flat_create", args=["here"]),
        {
            "building": world.b1.pk,
            "entrance": "2",
            "number": "301",
            "area": "66.6",
            "area_source": "registered",
        },
    )
    flat = Flat.objects.get(building=world.b1, number="301")
    assert (flat.label, str(flat.area)) == ("1-2-301", "66.60")
    assert AuditEvent.objects.filter(action="flat.create", target_id=str(flat.pk)).exists()


def test_an_id_too_big_for_the_database_is_a_404(world):
    client = client_for(world, "staff")
    for name in ("console_flat", "console_person"):
        response = client.get(reverse(name, args=["here", 2**70]))
        assert response.status_code == 404, name
