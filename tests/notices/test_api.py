"""The board API: the list of an estate or building by category, a notice with its files (which
records the caller's read receipt, once), a file; the public setting decides whether a caller
without a token gets 401."""

from __future__ import annotations

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.core.models import AuditEvent
from linju.notices import services
from linju.notices.models import NoticeRead
from tests.notices.factories import NoticeFactory, pdf, public_board

pytestmark = pytest.mark.django_db


def bearer(world, role: str) -> dict[str, str]:
    token = api_token_issue(user=world.user(role), label="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def notice(world):
    staff = world.user("staff")
    draft = services.notice_create(
        actor=staff,
        estate=world.here,
        building=world.b1,
        category="public_money",
        title="捐赠物资使用情况",
        body="地砖 20 箱",
    )
    services.notice_attachment_add(actor=staff, notice=draft, upload=pdf("清单.pdf"))
    return services.notice_publish(actor=staff, notice=draft, days=30)


class TestList:
    def test_members_list_the_board(self, world, client, notice):
        NoticeFactory(estate=world.here, title="草稿")
        NoticeFactory(estate=world.here, expired=True, title="过期")
        rows = client.get("/api/board?estate=here", **bearer(world, "resident")).json()
        assert [r["title"] for r in rows] == ["捐赠物资使用情况"]
        row = rows[0]
        assert row["building"] == "1"
        assert row["category"] == "public_money"
        assert row["status"] == "published"
        assert row["attachment_count"] == 1
        assert row["shown_until"] == notice.shown_until.isoformat()
        archive = client.get("/api/board?estate=here&archive=true", **bearer(world, "resident"))
        assert [r["title"] for r in archive.json()] == ["过期"]

    def test_building_and_category_filters(self, world, client, notice):
        NoticeFactory(estate=world.here, published=True, title="二号楼", building=world.b2)
        NoticeFactory(estate=world.here, published=True, title="全小区", category="meeting")
        auth = bearer(world, "resident")
        rows = client.get("/api/board?estate=here&building=1", **auth).json()
        assert sorted(r["title"] for r in rows) == ["全小区", "捐赠物资使用情况"]
        rows = client.get("/api/board?estate=here&category=meeting", **auth).json()
        assert [r["title"] for r in rows] == ["全小区"]
        assert client.get("/api/board?estate=here&category=gossip", **auth).status_code == 422
        assert client.get("/api/board?estate=here&building=99", **auth).status_code == 404

    def test_without_a_token_a_private_board_is_401(self, client, notice):
        assert client.get("/api/board?estate=here").status_code == 401

    def test_without_a_token_a_public_board_is_read(self, world, client, notice):
        public_board(world.here)
        assert [r["title"] for r in client.get("/api/board?estate=here").json()] == [
            "捐赠物资使用情况"
        ]

    def test_an_outsider_gets_404(self, world, client, notice):
        response = client.get("/api/board?estate=here", **bearer(world, "outsider"))
        assert response.status_code == 404

    def test_a_nul_in_the_query_is_400(self, world, client, notice):
        response = client.get("/api/board?estate=here&category=a%00b", **bearer(world, "resident"))
        assert response.status_code == 400


class TestDetail:
    def test_opening_records_the_read_once_and_is_not_audited(self, world, client, notice):
        auth = bearer(world, "resident")
        events = AuditEvent.objects.count()
        body = client.get(f"/api/board/{notice.pk}", **auth).json()
        assert body["read_count"] == 1
        assert body["body"] == "地砖 20 箱"
        assert body["readers"] is None
        assert [a["name"] for a in body["attachments"]] == ["清单.pdf"]
        client.get(f"/api/board/{notice.pk}", **auth)
        assert NoticeRead.objects.filter(notice=notice).count() == 1
        assert AuditEvent.objects.count() == events

    def test_those_who_post_see_the_readers_without_phones(self, world, client, notice):
        client.get(f"/api/board/{notice.pk}", **bearer(world, "resident"))
        body = client.get(f"/api/board/{notice.pk}", **bearer(world, "leader")).json()
        readers = {r["name"]: r["flats"] for r in body["readers"]}
        assert readers["李居民"] == ["1-101"]
        assert world.person1.phone not in str(body)

    def test_anonymous_on_a_public_board_reads_and_records_nothing(self, world, client, notice):
        public_board(world.here)
        body = client.get(f"/api/board/{notice.pk}").json()
        assert body["title"] == "捐赠物资使用情况"
        assert body["readers"] is None
        assert not NoticeRead.objects.exists()

    def test_anonymous_on_a_private_board_is_401(self, client, notice):
        assert client.get(f"/api/board/{notice.pk}").status_code == 401

    @pytest.mark.parametrize("notice_id", [0, 987654, 2**63 + 5])
    def test_missing_notices_are_404(self, world, client, notice_id):
        response = client.get(f"/api/board/{notice_id}", **bearer(world, "resident"))
        assert response.status_code == 404

    def test_a_draft_is_404_to_readers(self, world, client):
        draft = NoticeFactory(estate=world.here)
        assert client.get(f"/api/board/{draft.pk}", **bearer(world, "resident")).status_code == 404
        assert client.get(f"/api/board/{draft.pk}", **bearer(world, "staff")).status_code == 200

    def test_a_file_downloads_through_its_url(self, world, client, notice):
        auth = bearer(world, "resident")
        url = client.get(f"/api/board/{notice.pk}", **auth).json()["attachments"][0]["url"]
        response = client.get(url, **auth)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert client.get(url).status_code == 401

    def test_the_openapi_documents_400_on_every_board_endpoint(self, client):
        paths = client.get("/api/openapi.json").json()["paths"]
        board = {p: v for p, v in paths.items() if p.startswith("/api/board")}
        assert len(board) == 3
        for spec in board.values():
            assert {"400", "401", "404"} <= set(spec["get"]["responses"])
