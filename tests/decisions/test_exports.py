"""The decision record as a download: JSON that ``linju recount`` checks to the same result, and
.xlsx with one sheet per part; organisers once voting has closed, owners on the roll once the
results are published, nobody else."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from linju.core.models import SecurityEvent
from linju.decisions import exports, record, services
from linju.decisions.models import Ballot, Decision, DecisionSettings
from tests import factories as f

pytestmark = pytest.mark.django_db

SHEETS = ["Summary", "Roll", "Ballots", "Notices served", "Amendments", "Result"]


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _get(user, name, decision):
    return _client(user).get(reverse(name, args=[decision.estate.slug, decision.pk]))


def _closed(block, choices, **values) -> Decision:
    decision = block.opened(**values)
    for key, choice in choices.items():
        services.ballot_cast(actor=block.users[key], decision=decision, choice=choice)
    return block.closed(decision)


def _published(block, choices, **values) -> Decision:
    decision = _closed(block, choices, **values)
    decision = services.decision_tally(actor=block.staff, decision=decision)
    return services.decision_publish(actor=block.staff, decision=decision)


class TestJsonRecord:
    def test_the_record_recounts_to_the_stored_result(self, block):
        decision = _published(block, {"wang": "agree", "li": "agree", "chen": "disagree"})
        response = _get(block.staff, "decision_record_json", decision)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert quote("17号楼大堂改造") in response["Content-Disposition"]
        recounted = record.recount(record.parse_record(response.content))
        strict = decision.result["strict"]
        for key in ("participation", "approval", "result", "reasons", "counts"):
            assert recounted[key] == strict[key]
        assert recounted["matter"] == 7
        assert recounted["fingerprint"]["matches"] is True

    def test_with_deemed_consent_the_recount_gives_the_same_rule_based_tally(self, block):
        DecisionSettings.objects.create(estate=block.estate, deemed_consent=True)
        decision = _published(block, {"wang": "agree", "li": "agree"})
        content = _get(block.staff, "decision_record_json", decision).content
        recounted = record.recount(record.parse_record(content))
        stored = decision.result["deemed"]
        for key in ("participation", "approval", "result", "majority", "counted_nonvoters"):
            assert recounted["deemed"][key] == stored[key]
        assert recounted["result"] == decision.result["strict"]["result"]

    def test_the_record_is_indented_utf8_and_names_nobody(self, block):
        decision = _published(block, {"wang": "agree", "chen": "agree"})
        content = _get(block.staff, "decision_record_json", decision).content
        text = content.decode("utf-8")
        assert "\n  " in text and "17号楼大堂改造" in text  # indented, Chinese kept as is
        for name in ("老王", "陈", "张", "开发商"):
            assert name not in text
        for person in block.people.values():
            assert person.phone[-8:] not in text
        assert json.loads(text)["ballots"]

    def test_each_download_is_a_security_event(self, block):
        decision = _closed(block, {"wang": "agree"})
        before = SecurityEvent.objects.filter(event="decision.record_export").count()
        _get(block.staff, "decision_record_json", decision)
        _get(block.committee, "decision_record_xlsx", decision)
        events = SecurityEvent.objects.filter(event="decision.record_export")
        assert events.count() == before + 2
        assert {e.user for e in events} == {block.staff, block.committee}


class TestWhoMayDownload:
    @pytest.mark.parametrize("name", ["decision_record_json", "decision_record_xlsx"])
    def test_organisers_once_voting_has_closed_owners_once_published(self, block, name):
        world = block.world
        wang, li, zhang = block.users["wang"], block.users["li"], block.users["zhang"]
        others = [world.users[r] for r in ("resident", "property", "outsider", "leader")]
        others.append(world.users["staff_other_estate"])

        decision = block.opened()
        for user in (block.staff, block.committee, wang, *others):
            assert _get(user, name, decision).status_code == 404

        services.ballot_cast(actor=wang, decision=decision, choice="agree")
        decision = block.closed(decision)
        for user in (block.staff, block.committee, world.users["admin"]):
            assert _get(user, name, decision).status_code == 200
        for user in (wang, li, *others):
            assert _get(user, name, decision).status_code == 404
        assert _get(None, name, decision).status_code == 302

        decision = services.decision_tally(actor=block.staff, decision=decision)
        decision = services.decision_publish(actor=block.staff, decision=decision)
        # 老王 (an owner), 李 (the co-owners' voter) and 张 (the other co-owner) may inspect it.
        for user in (wang, li, zhang, block.staff):
            assert _get(user, name, decision).status_code == 200
        for user in others:
            assert _get(user, name, decision).status_code == 404
        assert _get(None, name, decision).status_code == 302

    def test_an_agent_authorised_to_vote_may_download_it_one_for_other_things_may_not(self, block):
        decision = _published(block, {"wang": "agree"})
        voting_agent = f.UserFactory(username="son")
        f.DelegationFactory(principal=block.people["chen"], agent=voting_agent)
        pledge_agent = f.UserFactory(username="nephew")
        f.DelegationFactory(principal=block.people["chen"], agent=pledge_agent, scope=["pledge"])
        expired_agent = f.UserFactory(username="old_friend")
        f.DelegationFactory(principal=block.people["chen"], agent=expired_agent, expired=True)
        assert _get(voting_agent, "decision_record_json", decision).status_code == 200
        assert _get(pledge_agent, "decision_record_json", decision).status_code == 404
        assert _get(expired_agent, "decision_record_json", decision).status_code == 404

    def test_the_service_refuses_without_the_view(self, block):
        decision = block.opened()
        with pytest.raises(PermissionDenied):
            exports.record_json(actor=block.staff, decision=decision)
        with pytest.raises(PermissionDenied):
            exports.record_xlsx(actor=block.staff, decision=decision, out=io.BytesIO())
        assert not SecurityEvent.objects.filter(event="decision.record_export").exists()


class TestXlsxRecord:
    def _workbook(self, block, decision):
        out = io.BytesIO()
        with translation.override("en"):
            exports.record_xlsx(actor=block.staff, decision=decision, out=out)
        out.seek(0)
        return load_workbook(out)

    def test_the_workbook_has_its_sheets_and_keeps_superseded_ballots(self, block):
        decision = block.opened()
        services.ballot_cast(actor=block.users["wang"], decision=decision, choice="disagree")
        services.ballot_cast(actor=block.users["wang"], decision=decision, choice="agree")
        services.ballot_cast(actor=block.users["chen"], decision=decision, choice="agree")
        decision = block.closed(decision)
        decision = services.decision_tally(actor=block.staff, decision=decision)
        workbook = self._workbook(block, decision)
        assert workbook.sheetnames == SHEETS

        rows = list(workbook["Ballots"].iter_rows(min_row=2, values_only=True))
        assert len(rows) == Ballot.objects.filter(decision=decision).count() == 3
        by_receipt = {row[0]: row for row in rows}
        superseded = Ballot.objects.get(decision=decision, counted=False)
        assert by_receipt[superseded.receipt][6] is False
        assert by_receipt[superseded.receipt][8] == superseded.superseded_reason

        roll = list(workbook["Roll"].iter_rows(min_row=2, values_only=True))
        assert sorted(row[2] for row in roll) == [
            "17-101",
            "17-102",
            "17-201",
            "17-202",
            "17-301",
            "17-302",
            "17-401",
        ]
        assert {row[2]: row[4] for row in roll}["17-101"] == 100  # a number, not text

        notices = list(workbook["Notices served"].iter_rows(min_row=2, values_only=True))
        assert len(notices) == decision.deliveries.count() > 0

        result = dict(workbook["Result"].iter_rows(min_row=2, values_only=True))
        assert result["strict.result"] == decision.result["strict"]["result"]
        assert (
            result["strict.participation.area"]
            == decision.result["strict"]["participation"]["area"]
        )

        summary = dict(workbook["Summary"].iter_rows(min_row=2, values_only=True))
        assert summary["Title"] == "17号楼大堂改造"
        assert summary["Roll fingerprint (SHA-256)"] == decision.roll_fingerprint

    def test_the_download_opens_in_a_spreadsheet(self, block):
        decision = _closed(block, {"wang": "agree"})
        response = _get(block.staff, "decision_record_xlsx", decision)
        assert response.status_code == 200
        assert response["Content-Type"] == exports.XLSX_TYPE
        assert quote("17号楼大堂改造") in response["Content-Disposition"]
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert len(workbook.sheetnames) == len(SHEETS)

    def test_text_that_would_run_as_a_formula_is_neutralised(self, block):
        decision = _closed(block, {"wang": "agree"}, title='=HYPERLINK("http://x")')
        summary = dict(self._workbook(block, decision)["Summary"].iter_rows(values_only=True))
        assert summary["Title"] == '\'=HYPERLINK("http://x")'
