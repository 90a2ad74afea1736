"""The conventions API: list and detail for members (and the public for an adopted one on a
public board), clause comments, read marks once per version, the diff; refusals write nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from linju.api.tokens import api_token_issue
from linju.conventions import services
from linju.conventions.models import Clause, ClauseComment, ConventionRead
from tests.conventions import factories as cf
from tests.notices.factories import public_board

pytestmark = pytest.mark.django_db


def _auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, label='test')}"}


@pytest.fixture
def client():
    return Client()


def test_members_list_and_read_a_draft(world, client):
    convention = cf.draft(world)
    listed = client.get("/api/conventions", {"estate": "here"}, **_auth(world.users["resident"]))
    assert listed.status_code == 200
    assert [c["title"] for c in listed.json()] == ["1号楼文明公约"]
    detail = client.get(f"/api/conventions/{convention.pk}", **_auth(world.users["resident"]))
    body = detail.json()
    assert [c["text"] for c in body["clauses"]] == cf.CLAUSES
    assert body["may_comment"] and not body["may_mark_read"] and body["readers"] is None


def test_without_a_token_401_and_an_outsider_404(world, client):
    convention = cf.draft(world)
    assert client.get(f"/api/conventions/{convention.pk}").status_code == 401
    outsider = client.get(f"/api/conventions/{convention.pk}", **_auth(world.users["outsider"]))
    assert outsider.status_code == 404
    assert client.get("/api/conventions/987654", **_auth(world.users["staff"])).status_code == 404


def test_an_adopted_convention_is_public_on_a_public_board(world, client):
    convention = cf.adopted(world)
    public_board(world.here)
    body = client.get(f"/api/conventions/{convention.pk}").json()
    assert body["adopted_clauses"] == cf.CLAUSES and body["readers"] is None


def test_commenting_and_its_refusals(world, client):
    convention = cf.draft(world)
    clause = Clause.objects.filter(convention=convention).first()
    url = f"/api/conventions/{convention.pk}/clauses/{clause.pk}/comments"
    created = client.post(
        url, {"body": "同意"}, content_type="application/json", **_auth(world.users["resident"])
    )
    assert created.status_code == 201 and created.json()[-1]["body"] == "同意"
    empty = client.post(
        url, {"body": " "}, content_type="application/json", **_auth(world.users["resident"])
    )
    assert empty.status_code == 422 and "body" in empty.json()["errors"]
    refused = client.post(
        url,
        {"body": "我不住这栋"},
        content_type="application/json",
        **_auth(world.users["leader_other_building"]),
    )
    assert refused.status_code == 403
    assert client.post(url, {"body": "x"}, content_type="application/json").status_code == 401
    assert ClauseComment.objects.count() == 1
    listed = client.get(url, **_auth(world.users["staff"]))
    assert [c["body"] for c in listed.json()] == ["同意"]


def test_a_hidden_comment_keeps_its_reason_not_its_text_for_residents(world, client):
    convention = cf.draft(world)
    clause = Clause.objects.filter(convention=convention).first()
    comment = services.clause_comment_post(
        actor=world.users["resident"], clause=clause, body="难听的话"
    )
    services.clause_comment_hide(actor=world.users["leader"], comment=comment, reason="不文明")
    url = f"/api/conventions/{convention.pk}/clauses/{clause.pk}/comments"
    shown = client.get(url, **_auth(world.users["resident"])).json()[0]
    assert (shown["hidden"], shown["hidden_reason"], shown["body"]) == (True, "不文明", "")
    assert client.get(url, **_auth(world.users["leader"])).json()[0]["body"] == "难听的话"


def test_mark_read_once_per_version(world, client):
    convention = cf.adopted(world)
    url = f"/api/conventions/{convention.pk}/read"
    first = client.post(url, **_auth(world.users["resident"]))
    again = client.post(url, **_auth(world.users["resident"]))
    assert first.status_code == again.status_code == 200
    assert (first.json()["new"], again.json()["new"], again.json()["read_count"]) == (
        True,
        False,
        1,
    )
    assert client.post(url, **_auth(world.users["staff"])).status_code == 403
    assert ConventionRead.objects.count() == 1
    detail = client.get(f"/api/conventions/{convention.pk}", **_auth(world.users["leader"]))
    assert [r["name"] for r in detail.json()["readers"]] == ["李居民"]


def test_diff_of_two_versions_escapes_text(world, client):
    convention = cf.draft(world)
    leader = world.users["leader"]
    services.version_save(actor=leader, convention=convention)
    clause = Clause.objects.filter(convention=convention).first()
    services.clause_update(actor=leader, clause=clause, text="<b>x</b>楼道内不堆放杂物。")
    services.version_save(actor=leader, convention=convention)
    rows = client.get(
        f"/api/conventions/{convention.pk}/diff", {"a": 1, "b": 2}, **_auth(leader)
    ).json()
    assert rows[0]["kind"] == "changed"
    assert rows[0]["html"].startswith("<ins>&lt;b&gt;x&lt;/b&gt;</ins>")
    missing = client.get(
        f"/api/conventions/{convention.pk}/diff", {"a": 1, "b": 9}, **_auth(leader)
    )
    assert missing.status_code == 404
