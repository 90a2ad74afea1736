"""The JSON API: sign-in for a token, the directory, my home; the same permissions as pages."""

import pytest
from django.test import Client

from linju.api.models import ApiToken
from linju.api.tokens import api_token_issue
from linju.core.models import SecurityEvent
from tests.factories import PASSWORD


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def client():
    return Client()


class TestPasswordSignIn:
    def test_a_token_that_opens_my_home(self, world, client):
        response = client.post(
            "/api/auth/password",
            {"username": "resident", "password": PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200
        token = response.json()["token"]
        home = client.get("/api/me/home", **bearer(token)).json()
        assert [f["label"] for f in home["flats"]] == ["1-101"]
        assert home["flats"][0]["household"][0]["name"] == "李居民"

    def test_only_a_hash_of_the_token_is_stored(self, world, client):
        token = api_token_issue(user=world.user("resident"), label="test")
        assert not ApiToken.objects.filter(key_hash=token).exists()
        assert token not in str(list(ApiToken.objects.values_list("key_hash", flat=True)))

    def test_a_wrong_password_is_refused_in_the_requests_language(self, world, client):
        response = client.post(
            "/api/auth/password",
            {"username": "resident", "password": "wrong"},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 422
        assert "do not match" in response.json()["detail"]
        assert not ApiToken.objects.exists()
        assert SecurityEvent.objects.filter(event="sign_in.failed").exists()

    def test_chinese_without_a_language_header(self, world, client):
        response = client.post(
            "/api/auth/password",
            {"username": "resident", "password": "wrong"},
            content_type="application/json",
        )
        assert "不匹配" in response.json()["detail"]


class TestTokens:
    def test_sign_out_ends_the_token(self, world, client):
        token = api_token_issue(user=world.user("resident"), label="test")
        assert client.post("/api/auth/sign-out", **bearer(token)).json() == {"signed_out": True}
        assert client.get("/api/me/home", **bearer(token)).status_code == 401

    @pytest.mark.parametrize("header", ["", "Bearer ", "Bearer nonsense", "Basic abc"])
    def test_my_home_needs_a_valid_token(self, world, client, header):
        extra = {"HTTP_AUTHORIZATION": header} if header else {}
        response = client.get("/api/me/home", **extra)
        assert response.status_code == 401
        assert "detail" in response.json()

    def test_an_inactive_account_token_stops_working(self, world, client):
        user = world.user("resident")
        token = api_token_issue(user=user, label="test")
        user.is_active = False
        user.save()
        assert client.get("/api/me/home", **bearer(token)).status_code == 401


class TestDirectory:
    def test_estates_are_public(self, world, client):
        slugs = {e["slug"] for e in client.get("/api/estates").json()}
        assert slugs == {"here", "there"}

    def test_flats_only_for_members_of_the_estate(self, world, client):
        url = "/api/estates/here/buildings/1"
        assert client.get(url).json()["flat_list"] is None
        stranger = api_token_issue(user=world.user("staff_other_estate"), label="t")
        assert client.get(url, **bearer(stranger)).json()["flat_list"] is None
        member = api_token_issue(user=world.user("resident"), label="t")
        flats = client.get(url, **bearer(member)).json()["flat_list"]
        assert [(f["label"], f["area"]) for f in flats] == [("1-101", "89.50")]

    def test_leaders_are_named_by_surname_only_in_public(self, world, client):
        cards = client.get("/api/estates/here").json()["buildings"]
        assert all("*" in name for card in cards for name in card["group_leaders"])

    @pytest.mark.parametrize(
        "url", ["/api/estates/nowhere", "/api/estates/here/buildings/99", "/api/nothing"]
    )
    def test_missing_things_are_a_json_404(self, world, client, url):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]


def test_openapi_document_and_docs_page(db, client):
    document = client.get("/api/openapi.json").json()
    assert document["info"]["title"] == "Linju API"
    assert "/api/me/home" in document["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200


class TestPhoneCodeSignIn:
    @pytest.fixture(autouse=True)
    def _texts_to_a_file(self, settings):
        settings.LINJU_SMS_BACKEND = "file"
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }

    def _last_code(self) -> str:
        import json
        import re

        from linju.accounts.sms import outbox_path

        last = json.loads(outbox_path().read_text(encoding="utf-8").splitlines()[-1])
        return re.search(r"\b(\d{6})\b", last["message"]).group(1)

    def test_a_code_texted_to_the_phone_gives_a_token(
        self, world, client, django_capture_on_commit_callbacks
    ):
        user = world.user("resident")
        user.phone = "+8613800138000"
        user.save()
        with django_capture_on_commit_callbacks(execute=True):
            asked = client.post(
                "/api/auth/phone-code", {"phone": "138 0013 8000"}, content_type="application/json"
            )
        assert asked.status_code == 200
        assert asked.json()["expires_in"] == 600
        response = client.post(
            "/api/auth/phone",
            {"phone": "13800138000", "code": self._last_code()},
            content_type="application/json",
        )
        assert response.status_code == 200
        home = client.get("/api/me/home", **bearer(response.json()["token"]))
        assert home.json()["phone_masked"] == "138****8000"

    def test_unknown_and_known_numbers_get_the_same_answer(self, world, client):
        user = world.user("resident")
        user.phone = "+8613800138000"
        user.save()
        answers = [
            client.post("/api/auth/phone-code", {"phone": p}, content_type="application/json")
            for p in ("13800138000", "13900139000")
        ]
        assert [a.status_code for a in answers] == [200, 200]
        assert answers[0].json() == answers[1].json()

    @pytest.mark.parametrize(
        ("payload", "status"),
        [
            ({"phone": "12345", "code": "123456"}, 422),
            ({"phone": "13800138000", "code": "12"}, 422),
            ({"phone": "13800138000", "code": "000000"}, 422),
            ({"phone": "13800138000"}, 422),
        ],
    )
    def test_bad_codes_are_refused_without_a_token(self, world, client, payload, status):
        response = client.post("/api/auth/phone", payload, content_type="application/json")
        assert response.status_code == status
        assert response.json()["detail"]
        assert not ApiToken.objects.exists()


class TestInbox:
    def _notify(self, user, title="楼道议事会"):
        from linju.notifications.services import notify

        return notify(recipient=user, kind="notices.meeting", title=title, body="周六上午")

    def test_my_notifications_and_marking_them_read(self, world, client):
        user = world.user("resident")
        first = self._notify(user)
        self._notify(user, title="第二条")
        token = api_token_issue(user=user, label="t")
        inbox = client.get("/api/me/notifications", **bearer(token)).json()
        assert inbox["unread"] == 2
        assert [n["title"] for n in inbox["notifications"]] == ["第二条", "楼道议事会"]
        read = client.post(f"/api/me/notifications/{first.pk}/read", **bearer(token))
        assert read.json()["read"] is True
        assert client.post("/api/me/notifications/read-all", **bearer(token)).json() == {
            "marked": 1
        }

    @pytest.mark.parametrize("other", ["staff", "admin"])
    def test_someone_elses_notification_is_404(self, world, client, other):
        mine = self._notify(world.user("resident"))
        token = api_token_issue(user=world.user(other), label="t")
        response = client.post(f"/api/me/notifications/{mine.pk}/read", **bearer(token))
        assert response.status_code == 404
        mine.refresh_from_db()
        assert mine.read_at is None

    def test_an_id_too_big_for_the_database_is_404(self, world, client):
        token = api_token_issue(user=world.user("resident"), label="t")
        response = client.post(f"/api/me/notifications/{2**70}/read", **bearer(token))
        assert response.status_code == 404


class TestWeChat:
    @pytest.fixture
    def wechat(self, fake_wechat):
        fake_wechat.codes["code-of-li"] = ("openid-li-0001", None)
        return fake_wechat

    def test_link_then_sign_in_with_wechat(self, world, client, wechat):
        assert client.post(
            "/api/auth/wechat", {"code": "code-of-li"}, content_type="application/json"
        ).json()["errors"]["code"] == ["not_linked"]
        wechat.codes["code-of-li-2"] = ("openid-li-0001", None)
        wechat.codes["code-of-li-3"] = ("openid-li-0001", None)
        token = api_token_issue(user=world.user("resident"), label="t")
        linked = client.post(
            "/api/auth/wechat/link",
            {"code": "code-of-li-2"},
            content_type="application/json",
            **bearer(token),
        )
        assert linked.json() == {"bound": True}
        signed_in = client.post(
            "/api/auth/wechat", {"code": "code-of-li-3"}, content_type="application/json"
        )
        assert signed_in.status_code == 200
        home = client.get("/api/me/home", **bearer(signed_in.json()["token"])).json()
        assert home["flats"][0]["label"] == "1-101"

    def test_an_invalid_code_is_refused(self, world, client, wechat):
        response = client.post(
            "/api/auth/wechat", {"code": "never-issued"}, content_type="application/json"
        )
        assert response.status_code == 422
        assert not ApiToken.objects.exists()

    def test_wechat_busy_is_a_503_to_retry(self, world, client, wechat):
        wechat.fail_next("jscode2session", -1)
        response = client.post(
            "/api/auth/wechat", {"code": "code-of-li"}, content_type="application/json"
        )
        assert response.status_code == 503
        assert response["Retry-After"]

    def test_without_wechat_configured_there_is_no_wechat_sign_in(self, world, client):
        response = client.post(
            "/api/auth/wechat", {"code": "code-of-li"}, content_type="application/json"
        )
        assert response.status_code == 404


class TestJoiningAFlat:
    def test_check_a_code_ask_to_join_and_withdraw(self, world, client):
        from tests.factories import JoinCodeFactory

        code = JoinCodeFactory(flat=world.flat2)
        token = api_token_issue(user=world.user("outsider"), label="t")
        checked = client.post(
            "/api/join/check",
            {"code": code.code.lower()},
            content_type="application/json",
            **bearer(token),
        )
        assert checked.json() == {"estate": "here", "estate_name": "这里小区", "flat": "2-201"}
        asked = client.post(
            "/api/join",
            {"code": code.code, "relation": "family", "full_name": "刘新"},
            content_type="application/json",
            **bearer(token),
        )
        assert asked.status_code == 200
        assert asked.json()["status"] == "pending"
        mine = client.get("/api/join/mine", **bearer(token)).json()
        assert [r["flat"] for r in mine] == ["2-201"]
        withdrawn = client.post(f"/api/join/mine/{mine[0]['id']}/withdraw", **bearer(token))
        assert withdrawn.json()["status"] == "withdrawn"

    def test_a_wrong_code_says_nothing_about_flats(self, world, client):
        from linju.membership.models import JoinRequest

        token = api_token_issue(user=world.user("outsider"), label="t")
        response = client.post(
            "/api/join",
            {"code": "ZZZZZZZZ", "relation": "family", "full_name": "刘新"},
            content_type="application/json",
            **bearer(token),
        )
        assert response.status_code == 422
        assert "code" in response.json()["errors"]
        assert not JoinRequest.objects.exists()

    def test_guessing_codes_stops_with_429(self, world, client):
        token = api_token_issue(user=world.user("outsider"), label="t")
        statuses = [
            client.post(
                "/api/join/check",
                {"code": f"ZZZZZZ{i:02d}"},
                content_type="application/json",
                **bearer(token),
            ).status_code
            for i in range(12)
        ]
        assert statuses[:10] == [422] * 10
        assert statuses[-1] == 429

    def test_someone_elses_request_cannot_be_withdrawn(self, world, client):
        from tests.factories import JoinRequestFactory

        theirs = JoinRequestFactory(flat=world.flat1)
        token = api_token_issue(user=world.user("outsider"), label="t")
        response = client.post(f"/api/join/mine/{theirs.pk}/withdraw", **bearer(token))
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.status == "pending"
