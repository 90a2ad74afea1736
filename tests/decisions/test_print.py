"""The printed notice, paper ballots and results announcement: real A4 PDFs with a Chinese font
embedded and a QR code, shown to the right people only, naming nobody on a ballot."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from linju.decisions import pdf, services
from linju.decisions.models import Decision, DecisionSettings, RollEntry
from tests.decisions.conftest import move

pytestmark = pytest.mark.django_db

A4 = (595, 842)  # points, rounded
SITE = "http://testserver"


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _get(user, name, decision, query="", slug=None):
    url = reverse(name, args=[slug or decision.estate.slug, decision.pk])
    return _client(user).get(url + query)


def _reader(response) -> PdfReader:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return PdfReader(io.BytesIO(response.content))


def _text(response) -> str:
    return "\n".join(page.extract_text() for page in _reader(response).pages)


def _flat_text(response) -> str:
    """The text with all white space removed: long lines (the fingerprint) wrap anywhere."""
    return re.sub(r"\s+", "", _text(response))


def _fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font of every page."""
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            else:
                descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found


def _counted(block, choices, *, publish=True, paper=()):
    """Open ``block``'s item-7 decision, vote online (``choices``: user key → choice) and on
    paper (roll entries entered twice), close, count and (by default) publish."""
    decision = block.opened()
    for key, choice in choices.items():
        services.ballot_cast(actor=block.users[key], decision=decision, choice=choice)
    for entry, choice in paper:
        for actor in (block.staff, block.committee):
            services.paper_ballot_enter(
                actor=actor,
                decision=decision,
                entry=entry,
                channel="paper",
                choice=choice,
                document=_photo(),
            )
    decision = block.closed(decision)
    decision = services.decision_tally(actor=block.staff, decision=decision)
    if publish:
        decision = services.decision_publish(actor=block.staff, decision=decision)
    return decision


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("ballot.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)


def _developer_entry(block, decision) -> RollEntry:
    return RollEntry.objects.get(decision=decision, owner=block.developer)


class TestNotice:
    def test_an_announced_notice_is_public_a4_with_the_title_and_a_chinese_font_embedded(
        self, block
    ):
        decision = block.announced()
        response = _get(None, "decision_notice_pdf", decision)
        reader = _reader(response)
        for page in reader.pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4
        text = _text(response)
        assert "17号楼大堂改造" in text and "这里小区" in text
        closes = timezone.localtime(decision.closes_at).strftime("%Y-%m-%d %H:%M")
        assert closes in text
        fonts = _fonts(reader)
        assert [name for name, embedded in fonts if "CJK" in name and embedded], fonts
        assert all(embedded for _name, embedded in fonts), fonts

    def test_the_download_has_the_title_as_its_file_name(self, block):
        decision = block.announced()
        disposition = _get(None, "decision_notice_pdf", decision)["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''" in disposition
        assert quote("17号楼大堂改造") in disposition

    def test_the_qr_code_holds_the_absolute_address_of_the_decision_page(self, block, monkeypatch):
        seen = []
        real = pdf._qr_svg
        monkeypatch.setattr(pdf, "_qr_svg", lambda url: seen.append(url) or real(url))
        decision = block.announced()
        _reader(_get(None, "decision_notice_pdf", decision))
        assert seen == [f"{SITE}/e/here/decisions/{decision.pk}/"]

    def test_a_draft_is_hidden_except_from_organisers_who_get_it_marked_draft(self, block):
        decision = block.draft()
        world = block.world
        for user in (None, world.users["resident"], world.users["property"], block.users["wang"]):
            assert _get(user, "decision_notice_pdf", decision).status_code == 404
        for user in (block.staff, block.committee):
            assert "DRAFT" in _flat_text(_get(user, "decision_notice_pdf", decision))
        decision = services.decision_announce(actor=block.staff, decision=decision)
        assert "DRAFT" not in _flat_text(_get(None, "decision_notice_pdf", decision))

    def test_the_notice_states_the_rules_frozen_on_it_and_the_fingerprint_once_frozen(self, block):
        DecisionSettings.objects.create(
            estate=block.estate, deemed_consent=True, publish_voter_flats=True
        )
        decision = block.announced()
        text = _flat_text(_get(None, "decision_notice_pdf", decision))
        # The English part: at least 3/4 (item 7), the quorum, deemed consent, published flats.
        assert "atleast3/4oftheareaoftheownerswhotookpart" in text
        assert "atleast2/3oftheexclusiveareainscope" in text
        assert "Deemedconsent" in text
        assert "theflatsthatvotedwillbepublished" in text
        assert "Therollofvotersisfrozenwhenvotingopens" in text

        move(decision, opens_at=-1)
        decision = services.decision_open(actor=block.staff, decision=decision)
        assert decision.roll_fingerprint
        text = _flat_text(_get(None, "decision_notice_pdf", decision))
        assert decision.roll_fingerprint in text

    def test_an_ordinary_matter_without_deemed_consent_says_more_than_half(self, block):
        decision = block.announced(matter=4, title="更换物业")
        text = _flat_text(_get(None, "decision_notice_pdf", decision))
        assert "morethan1/2oftheareaoftheownerswhotookpart" in text
        assert "Deemedconsent" not in text
        assert "Whichflatsvotedwillnotbepublished" in text

    def test_a_cancelled_decisions_notice_says_so(self, block):
        decision = block.announced()
        decision = services.decision_cancel(actor=block.staff, decision=decision, reason="方案有误")
        text = _flat_text(_get(None, "decision_notice_pdf", decision))
        assert "CANCELLED" in text and "方案有误" in text

    def test_a_decision_of_another_estate_is_404_under_this_estates_address(self, block):
        decision = block.announced()
        assert _get(None, "decision_notice_pdf", decision, slug="there").status_code == 404


class TestBallots:
    def test_one_ballot_per_roll_entry_with_voter_number_flats_and_areas_and_no_names(self, block):
        decision = block.announced()
        entries = list(RollEntry.objects.filter(decision=decision, active=True))
        assert len(entries) == 5
        text = _text(_get(block.staff, "decision_ballots_pdf", decision))
        assert text.count("17号楼大堂改造") == 5  # the title heads each ballot
        for entry in entries:
            assert entry.ref in text
        for label in ("17-101", "17-102", "17-201", "17-202", "17-301", "17-302", "17-401"):
            assert label in text
        assert "100.00" in text and "150.00" in text  # a flat's area, an owner's total
        for name in ("老王", "张", "李", "陈", "开发商"):
            assert name not in text
        for person in block.people.values():
            assert person.phone[-8:] not in text

    def test_only_organisers_print_ballots(self, block):
        decision = block.announced()
        world = block.world
        for role in ("staff", "owners_committee", "admin"):
            assert _get(world.users[role], "decision_ballots_pdf", decision).status_code == 200
        for role in ("property", "resident", "outsider", "leader", "staff_other_estate"):
            assert _get(world.users[role], "decision_ballots_pdf", decision).status_code == 404
        assert _get(block.users["wang"], "decision_ballots_pdf", decision).status_code == 404
        assert _get(None, "decision_ballots_pdf", decision).status_code == 302

    def test_a_draft_has_no_ballots(self, block):
        decision = block.draft()
        assert _get(block.staff, "decision_ballots_pdf", decision).status_code == 404

    def test_one_building_prints_the_ballots_of_its_flats_only(self, block):
        world = block.world
        decision = block.announced(buildings=[block.building, world.b1])
        flat1_entry = RollEntry.objects.get(decision=decision, flats__flat=world.flat1)
        text = _text(
            _get(block.staff, "decision_ballots_pdf", decision, f"?building={world.b1.pk}")
        )
        assert text.count("17号楼大堂改造") == 1
        assert flat1_entry.ref in text and "1-101" in text
        assert "17-101" not in text
        response = _get(block.staff, "decision_ballots_pdf", decision, f"?building={world.b1.pk}")
        assert quote("17号楼大堂改造") in response["Content-Disposition"]

    @pytest.mark.parametrize("building", ["there", "999999", "abc"])
    def test_a_building_that_is_not_the_estates_is_404(self, block, building):
        decision = block.announced()
        pk = str(block.world.b_there.pk) if building == "there" else building
        response = _get(block.staff, "decision_ballots_pdf", decision, f"?building={pk}")
        assert response.status_code == 404


class TestResults:
    def test_the_count_is_hidden_until_published_except_for_an_organisers_preview(self, block):
        decision = _counted(block, {"wang": "agree", "li": "agree", "chen": "agree"}, publish=False)
        assert decision.status == Decision.Status.TALLIED
        for user in (None, block.users["wang"], block.world.users["property"]):
            assert _get(user, "decision_results_pdf", decision).status_code == 404
        assert "NOTPUBLISHED" in _flat_text(_get(block.staff, "decision_results_pdf", decision))

        decision = services.decision_publish(actor=block.staff, decision=decision)
        text = _flat_text(_get(None, "decision_results_pdf", decision))
        assert "NOTPUBLISHED" not in text and "17号楼大堂改造" in text

    def test_an_open_decision_has_no_results(self, block):
        decision = block.opened()
        assert _get(block.staff, "decision_results_pdf", decision).status_code == 404

    def _four_voted(self, block, choices, developer):
        """老王 150, 李 (co-owners) 80 and 陈 40 online, the developer's 130 on paper: 4 of 5
        owners, 400.00 of 460.00 m², took part."""
        decision = block.opened()
        for key, choice in choices.items():
            services.ballot_cast(actor=block.users[key], decision=decision, choice=choice)
        entry = _developer_entry(block, decision)
        for actor in (block.staff, block.committee):
            services.paper_ballot_enter(
                actor=actor,
                decision=decision,
                entry=entry,
                channel="paper",
                choice=developer,
                document=_photo(),
            )
        decision = block.closed(decision)
        decision = services.decision_tally(actor=block.staff, decision=decision)
        return services.decision_publish(actor=block.staff, decision=decision)

    def test_a_failed_decision_shows_each_share_against_its_threshold_and_why(self, block):
        # 老王 and 陈 agree: 2 of 4 owners, 190.00 of 400.00 m² — short of 3/4 on both.
        decision = self._four_voted(
            block, {"wang": "agree", "li": "disagree", "chen": "agree"}, "disagree"
        )
        assert decision.result["strict"]["result"] == "failed"
        text = _flat_text(_get(None, "decision_results_pdf", decision))
        assert "400.00/460.00m²(87.0%)" in text
        assert "4/5(80.0%)" in text
        assert "190.00/400.00m²(47.5%)" in text
        assert "2/4(50.0%)" in text
        assert "≥2/3" in text and "≥3/4" in text
        assert "Result:Notpassed" in text
        assert "Theownersagreeingholdtoolittleoftheareaofthosewhotookpart." in text
        assert "Toofewoftheownerswhotookpartagreed." in text

    def test_a_passed_decision_says_so(self, block):
        # 老王, 李 and the developer agree: 3 of 4 owners (exactly 3/4), 360.00 of 400.00 m².
        decision = self._four_voted(
            block, {"wang": "agree", "li": "agree", "chen": "disagree"}, "agree"
        )
        assert decision.result["strict"]["result"] == "passed"
        text = _flat_text(_get(None, "decision_results_pdf", decision))
        assert "360.00/400.00m²(90.0%)" in text
        assert "3/4(75.0%)" in text
        assert "Result:Passed" in text
        assert "Why:" not in text

    def test_with_deemed_consent_both_tallies_and_the_proof_of_service_are_shown(self, block):
        DecisionSettings.objects.create(estate=block.estate, deemed_consent=True)
        decision = _counted(block, {"wang": "agree", "li": "agree"})
        deemed = decision.result["deemed"]
        text = _flat_text(_get(None, "decision_results_pdf", decision))
        assert "Strictcount" in text and "Withdeemedconsent" in text
        assert f"{deemed['participation']['heads']}(" in text
        for nonvoter in deemed["nonvoters"]:
            assert nonvoter["owner"] in text
            for delivery in nonvoter["deliveries"]:
                assert f"(#{delivery['id']})" in text

    def test_without_deemed_consent_only_the_strict_count_is_shown(self, block):
        decision = _counted(block, {"wang": "agree", "li": "agree"})
        assert decision.result["deemed"] is None
        text = _flat_text(_get(None, "decision_results_pdf", decision))
        assert "Withdeemedconsent" not in text and "Strictcount" not in text

    @pytest.mark.parametrize("publish_flats", [True, False])
    def test_flats_that_voted_are_listed_only_where_the_estate_chose_so(self, block, publish_flats):
        DecisionSettings.objects.create(estate=block.estate, publish_voter_flats=publish_flats)
        decision = _counted(block, {"wang": "agree", "chen": "disagree"})
        text = _flat_text(_get(None, "decision_results_pdf", decision))
        listed = ("17-101(100.00m²)", "17-102(50.00m²)", "17-302(40.00m²)")
        assert all((label in text) is publish_flats for label in listed)
        assert "17-201(80.00m²)" not in text  # the co-owners did not vote
        assert "老王" not in text and "陈" not in text

    def test_the_qr_code_holds_the_address_of_the_bulletin_board(self, block, monkeypatch):
        seen = []
        real = pdf._qr_svg
        monkeypatch.setattr(pdf, "_qr_svg", lambda url: seen.append(url) or real(url))
        decision = _counted(block, {"wang": "agree"})
        _reader(_get(None, "decision_results_pdf", decision))
        assert seen == [f"{SITE}{reverse('decision_board', args=['here', decision.pk])}"]

    def test_a_residents_vote_lists_its_options_with_their_votes(self, block):
        decision = block.opened(
            kind=Decision.Kind.RESIDENTS, matter=None, options=["装电梯", "刷外墙"]
        )
        keys = {o.label: o.key for o in decision.options.all()}
        services.ballot_cast(
            actor=block.users["wang"], decision=decision, selections=[keys["装电梯"]]
        )
        decision = block.closed(decision)
        decision = services.decision_tally(actor=block.staff, decision=decision)
        decision = services.decision_publish(actor=block.staff, decision=decision)
        text = _text(_get(None, "decision_results_pdf", decision))
        assert "装电梯" in text and "刷外墙" in text

    def test_an_election_lists_its_candidates_and_the_draw(self, block):
        decision = block.announced(
            kind=Decision.Kind.ELECTION, matter=None, options=["王候选", "赵候选"], seats=1
        )
        keys = {o.label: o.key for o in decision.options.all()}
        ballots = _text(_get(block.staff, "decision_ballots_pdf", decision))
        assert "王候选" in ballots and "赵候选" in ballots
        # A stored result as the count writes it (contract shape), published.
        wang, zhao = keys["王候选"], keys["赵候选"]
        result = {
            "kind": "election",
            "election": {
                "participation": {"area": "400.00/460.00", "heads": "4/5", "quorum": True},
                "quorum_threshold": "2/3",
                "threshold": ">1/2",
                "candidates": [
                    {"key": wang, "area": "300.00", "heads": 3, "elected": True, "seat": True},
                    {"key": zhao, "area": "300.00", "heads": 3, "elected": True, "seat": False},
                ],
                "lots": [{"tied": [wang, zhao], "drawn": [wang, zhao]}],
                "seated": [wang],
            },
            "options": {wang: "王候选", zhao: "赵候选"},
            "counted_at": timezone.now().isoformat(),
        }
        Decision.objects.filter(pk=decision.pk).update(
            status=Decision.Status.PUBLISHED, result=result, published_at=timezone.now()
        )
        decision.refresh_from_db()
        text = _flat_text(_get(None, "decision_results_pdf", decision))
        assert "王候选" in text and "赵候选" in text
        assert "400.00/460.00m²(87.0%)" in text and "4/5(80.0%)" in text
        assert "Tied:王候选,赵候选.Drawnbylot,inthisorder:王候选,赵候选." in text


@pytest.mark.parametrize(
    "name", ["script", "attribute_breakout", "template_tag", "template_expression", "sql"]
)
def test_hostile_text_is_printed_as_text(block, name):
    """A title is printed as the text it is, and the file name stays one safe header."""
    from tests.hostile import CORPUS

    decision = block.announced()
    title = f"{CORPUS[name]}/\\:*?<>|"
    Decision.objects.filter(pk=decision.pk).update(title=title, body=CORPUS[name])
    decision.refresh_from_db()
    response = _get(None, "decision_notice_pdf", decision)
    assert CORPUS[name].replace(" ", "") in _flat_text(response)
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "/" not in disposition.split("filename", 1)[1]


def test_shares_are_read_exactly_and_rounded_only_for_reading():
    """0.1 + 0.2 of 0.3 m² is exactly 100%, and 2 of 3 is 66.7%: no float in between."""
    share = pdf.Share.parse("0.30/0.30", "m²")
    assert share is not None and (share.part, share.whole, share.percent) == (
        "0.30",
        "0.30",
        "100.0",
    )
    assert pdf.Share.parse("2/3").percent == "66.7"
    assert pdf.Share.parse("0/0").percent == ""
    assert pdf.Share.parse("nonsense") is None
    assert pdf.threshold_text("3/4") == "≥ 3/4"
    assert pdf.threshold_text(">1/2") == "> 1/2"
