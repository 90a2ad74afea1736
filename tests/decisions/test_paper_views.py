"""The organisers' paper-ballot console: find a voter, enter a paper ballot or proxy letter with
its photo, two different staff members make one counted ballot, mismatches are shown side by
side and set aside with a reason; photos are for organisers only; bad uploads write nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from linju.community.models import Role
from linju.core.models import AuditEvent
from linju.decisions import services
from linju.decisions.models import Ballot, Decision, PaperEntry, RollEntry
from tests import factories as f
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _image(kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def _upload(content: bytes | None = None, name: str = "ballot.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _image() if content is None else content)


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _url(decision: Decision, name: str = "decision_paper", *extra) -> str:
    return reverse(name, args=[decision.estate.slug, decision.pk, *extra])


def _developer(block, decision) -> RollEntry:
    return RollEntry.objects.get(decision=decision, owner=block.developer)


def _enter(user, decision, entry, **data):
    values = {"entry": entry.pk, "channel": "paper", "choice": "agree", "document": _upload()}
    values.update(data)
    values = {key: value for key, value in values.items() if value is not None}
    return _client(user).post(_url(decision), values)


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Each test stores scans in its own folder: other tests running at the same time (the
    design and convention votes' tests) store decision files too."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT) / "decisions"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def opened(block):
    return block.opened()


class TestDoubleEntry:
    def test_two_different_staff_members_make_one_counted_ballot(self, block, opened):
        entry = _developer(block, opened)
        first = _enter(block.staff, opened, entry)
        assert first.status_code == 302
        assert list(PaperEntry.objects.values_list("status", flat=True)) == ["waiting"]
        assert not Ballot.objects.exists()

        second = _enter(block.committee, opened, entry)
        assert second.status_code == 302
        ballot = Ballot.objects.get()
        assert (ballot.entry, ballot.channel, ballot.choice, ballot.counted) == (
            entry,
            "paper",
            "agree",
            True,
        )
        assert set(PaperEntry.objects.values_list("status", flat=True)) == {"confirmed"}
        assert set(PaperEntry.objects.values_list("ballot", flat=True)) == {ballot.pk}

    def test_the_same_staff_member_twice_still_waits(self, block, opened):
        entry = _developer(block, opened)
        for _ in range(2):
            assert _enter(block.staff, opened, entry).status_code == 302
        assert list(PaperEntry.objects.values_list("status", flat=True)) == ["waiting"] * 2
        assert not Ballot.objects.exists()
        page = _client(block.committee).get(_url(opened)).content.decode()
        assert page.count(f"?entry={entry.pk}") == 2  # both wait for someone else

    def test_a_mismatch_is_flagged_not_counted_and_shown_side_by_side(self, block, opened):
        entry = _developer(block, opened)
        _enter(block.staff, opened, entry, choice="agree")
        _enter(block.committee, opened, entry, choice="disagree")
        readings = list(PaperEntry.objects.order_by("pk"))
        assert [r.status for r in readings] == ["mismatch", "mismatch"]
        assert not Ballot.objects.exists()
        page = _client(block.staff).get(_url(opened)).content.decode()
        for reading in readings:
            assert _url(opened, "decision_paper_photo", reading.pk) in page
            assert _url(opened, "decision_paper_discard", reading.pk) in page
            assert str(reading.get_choice_display()) in page

        wrong = readings[1]
        response = _client(block.staff).post(
            _url(opened, "decision_paper_discard", wrong.pk), {"reason": "看错了格子"}
        )
        assert response.status_code == 302
        statuses = dict(PaperEntry.objects.values_list("pk", "status"))
        assert statuses == {readings[0].pk: "waiting", wrong.pk: "discarded"}
        assert AuditEvent.objects.filter(action="ballot.paper_discard").count() == 1

    def test_setting_aside_needs_a_reason(self, block, opened):
        entry = _developer(block, opened)
        _enter(block.staff, opened, entry)
        reading = PaperEntry.objects.get()
        events = AuditEvent.objects.count()
        response = _client(block.staff).post(
            _url(opened, "decision_paper_discard", reading.pk), {"reason": "  "}
        )
        assert response.status_code == 422
        assert PaperEntry.objects.get().status == "waiting"
        assert AuditEvent.objects.count() == events

    def test_a_proxy_letter_names_its_proxy(self, block, opened):
        entry = _developer(block, opened)
        response = _enter(block.staff, opened, entry, channel="proxy", proxy_name="")
        assert response.status_code == 422
        assert not PaperEntry.objects.exists()
        for user in (block.staff, block.committee):
            response = _enter(user, opened, entry, channel="proxy", proxy_name="王 代理")
            assert response.status_code == 302
        ballot = Ballot.objects.get()
        assert (ballot.channel, ballot.proxy_name) == ("proxy", "王 代理")

    @pytest.mark.parametrize(
        ("content", "name"),
        [(PDF, "letter.pdf"), (None, "IMG_0001.JPG")],
        ids=["pdf", "jpeg"],
    )
    def test_a_pdf_or_a_jpeg_is_accepted_and_stored_under_its_real_kind(
        self, block, opened, content, name
    ):
        entry = _developer(block, opened)
        upload = _upload(content if content is not None else _image("JPEG"), name)
        assert _enter(block.staff, opened, entry, document=upload).status_code == 302
        stored = PaperEntry.objects.get().document.name
        assert stored.endswith(".pdf" if content is not None else ".jpg")

    def test_entering_before_voting_opens_is_refused(self, block):
        decision = block.announced()
        entry = _developer(block, decision)
        files = _stored_files()
        response = _enter(block.staff, decision, entry)
        assert response.status_code == 422
        assert not PaperEntry.objects.exists()
        assert _stored_files() == files

    def test_an_entry_of_another_decision_is_refused(self, block, opened):
        other = block.announced(title="另一件事")
        foreign = _developer(block, other)
        response = _enter(block.staff, opened, foreign)
        assert response.status_code == 422
        assert not PaperEntry.objects.exists()

    def test_a_residents_vote_takes_the_option_ticked(self, block):
        decision = block.opened(
            kind=Decision.Kind.RESIDENTS, matter=None, options=["装电梯", "刷外墙"]
        )
        keys = {o.label: o.key for o in decision.options.all()}
        entry = RollEntry.objects.filter(decision=decision).order_by("ref").first()
        for user in (block.staff, block.committee):
            response = _enter(user, decision, entry, choice=None, selections=keys["刷外墙"])
            assert response.status_code == 302
        assert Ballot.objects.get().selections == [keys["刷外墙"]]


BAD_UPLOADS = {
    "text named .jpg": ("ballot.jpg", b"just some text, not a photo at all"),
    "png header only": ("ballot.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64),
    "jpeg header only": ("ballot.jpg", b"\xff\xd8\xff\xe0" + b"0" * 64),
    "pdf without end": ("letter.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\n"),
    "gif": ("ballot.gif", b"GIF89a" + b"\x00" * 32),
    "html": ("ballot.png", b"<html><script>alert(1)</script></html>"),
    "over 10 MB": ("ballot.png", _image() + b"\x00" * (10 * 1024 * 1024)),
    "empty": ("ballot.png", b""),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS), ids=list(BAD_UPLOADS))
def test_a_bad_upload_is_refused_and_nothing_is_written(block, opened, case):
    name, content = BAD_UPLOADS[case]
    entry = _developer(block, opened)
    files, events = _stored_files(), AuditEvent.objects.count()
    response = _enter(block.staff, opened, entry, document=_upload(content, name))
    assert response.status_code == 422
    assert "field-error" in response.content.decode()
    assert not PaperEntry.objects.exists() and not Ballot.objects.exists()
    assert _stored_files() == files
    assert AuditEvent.objects.count() == events


def test_a_missing_photo_is_refused(block, opened):
    entry = _developer(block, opened)
    response = _enter(block.staff, opened, entry, document=None)
    assert response.status_code == 422
    assert not PaperEntry.objects.exists()


class TestPhotos:
    def test_photos_are_served_to_organisers_only(self, block, opened):
        entry = _developer(block, opened)
        content = _image()
        _enter(block.staff, opened, entry, document=_upload(content))
        reading = PaperEntry.objects.get()
        url = _url(opened, "decision_paper_photo", reading.pk)
        world = block.world
        for user in (block.staff, block.committee, world.users["admin"]):
            response = _client(user).get(url)
            assert response.status_code == 200
            assert response["Content-Type"] == "image/png"
            assert response["Cache-Control"] == "private, no-store"
            assert b"".join(response.streaming_content) == content
        for role in ("property", "resident", "outsider", "leader", "staff_other_estate"):
            assert _client(world.users[role]).get(url).status_code == 404
        assert _client(block.users["chen"]).get(url).status_code == 404
        assert _client().get(url).status_code == 302

    def test_a_pdf_is_downloaded_not_shown_in_the_page(self, block, opened):
        entry = _developer(block, opened)
        _enter(block.staff, opened, entry, document=_upload(PDF, "letter.pdf"))
        reading = PaperEntry.objects.get()
        response = _client(block.staff).get(_url(opened, "decision_paper_photo", reading.pk))
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PDF

    def test_a_photo_of_another_decision_is_404_under_this_one(self, block, opened):
        entry = _developer(block, opened)
        _enter(block.staff, opened, entry)
        reading = PaperEntry.objects.get()
        other = block.announced(title="另一件事")
        url = _url(other, "decision_paper_photo", reading.pk)
        assert _client(block.staff).get(url).status_code == 404


class TestConsole:
    def test_only_organisers_open_the_console(self, block, opened):
        world = block.world
        for user in (block.staff, block.committee, world.users["admin"]):
            assert _client(user).get(_url(opened)).status_code == 200
        for role in ("property", "resident", "outsider", "leader", "staff_other_estate"):
            assert _client(world.users[role]).get(_url(opened)).status_code == 404
        assert _client(block.users["wang"]).get(_url(opened)).status_code == 404
        assert _client().get(_url(opened)).status_code == 302

    def test_the_search_finds_a_voter_by_flat_or_voter_number(self, block, opened):
        wang = RollEntry.objects.get(decision=opened, owner=block.owners["wang"])
        client = _client(block.staff)
        for q in ("17-102", wang.ref, wang.ref.lower()):
            response = client.get(_url(opened), {"q": q}, headers={"HX-Request": "true"})
            html = response.content.decode()
            assert response.status_code == 200
            assert "<html" not in html  # the matches only, for htmx to swap in
            assert f"?entry={wang.pk}" in html
        html = client.get(_url(opened), {"q": "99-999"}, headers={"HX-Request": "true"})
        assert "?entry=" not in html.content.decode()

    def test_choosing_a_voter_shows_the_entry_form_with_the_flats(self, block, opened):
        wang = RollEntry.objects.get(decision=opened, owner=block.owners["wang"])
        html = _client(block.staff).get(_url(opened), {"entry": wang.pk}).content.decode()
        assert 'enctype="multipart/form-data"' in html
        assert f'name="entry" value="{wang.pk}"' in html
        assert html.count('name="entry"') == 1  # a second, empty one would be posted last
        assert "17-101" in html and "17-102" in html
        assert "老王" not in html

    def test_a_voter_who_already_voted_online_is_marked(self, block, opened):
        ballot = services.ballot_cast(actor=block.users["wang"], decision=opened, choice="agree")
        html = _client(block.staff).get(_url(opened), {"entry": ballot.entry_id}).content
        assert ballot.receipt in html.decode()


def test_a_hostile_proxy_name_is_stored_exactly_and_shown_escaped(block, opened):
    """Each corpus string, written as the proxy's name by one staff member and read the same by
    a second, is the counted ballot's proxy name exactly as typed; while a third reading differs
    the paper page shows it escaped beside that one. A string the form refuses (too long, a NUL)
    gets a 4xx and writes nothing."""
    entry = _developer(block, opened)
    clerk = f.RoleFactory(
        user=f.UserFactory(username="clerk"), kind=Role.Kind.COMMITTEE_STAFF, estate=block.estate
    ).user
    accepted = []
    for key, text in CORPUS.items():
        readings = PaperEntry.objects.count()
        first = _enter(block.staff, opened, entry, channel="proxy", proxy_name=text)
        html = first.content.decode()
        assert_no_live_markup(html)
        if first.status_code != 302:
            assert first.status_code in (400, 422), key
            assert first.status_code == 400 or "field-error" in html, key
            assert PaperEntry.objects.count() == readings, key
            continue
        accepted.append(key)
        differing = _enter(block.committee, opened, entry, channel="proxy", proxy_name="另一位代理")
        assert differing.status_code == 302, key
        page = _client(block.staff).get(_url(opened)).content.decode()
        assert_shown_escaped(page, text)

        second = _enter(clerk, opened, entry, channel="proxy", proxy_name=text)
        assert second.status_code == 302, key
        ballot = Ballot.objects.get(decision=opened, entry=entry, counted=True)
        assert ballot.proxy_name == text, key
        assert ballot.channel == "proxy"
        assert_no_live_markup(_client(block.staff).get(_url(opened)).content.decode())
    assert "script" in accepted and "long" not in accepted
    assert Ballot.objects.filter(decision=opened, entry=entry).count() == len(accepted)
