"""Downloads of a survey's results: the workbook (summary, a sheet per question, raw
responses) and the raw responses as CSV. A named survey's rows say who answered (never a
phone); an anonymous survey's rows carry the answers and nothing about who gave them. Formulas
are neutralised; only those who run the survey download; each download is a security event."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from linju.consultations import exports
from linju.core.models import SecurityEvent
from tests.consultations.results_data import households, respond
from tests.consultations.surveys import lobby_survey

pytestmark = pytest.mark.django_db


def _answered(world, *, anonymous=False):
    lobby = lobby_survey(world, anonymous=anonymous)
    people = households(world, lobby, 2)
    respond(
        lobby,
        person=people[0],
        flat=people[0].occupancies.get().flat,
        use="同意",
        features=["沙发", "书架"],
        rating=5,
        ranking=["晚上", "周末", "白天"],
        times=3,
        why='=HYPERLINK("http://x")',
    )
    respond(
        lobby,
        person=people[1],
        flat=people[1].occupancies.get().flat,
        relation="tenant",
        use="不同意",
        rating=2,
        ranking=["白天", "晚上", "周末"],
        times=1,
        why="太吵",
    )
    return lobby, people


def _workbook(world, lobby):
    out = io.BytesIO()
    exports.results_xlsx(actor=world.users["staff"], consultation=lobby.survey, out=out)
    out.seek(0)
    return load_workbook(out)


def _cells(sheet):
    return [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]


class TestWorkbook:
    def test_a_sheet_per_question_with_counts_and_shares(self, world):
        lobby, _people = _answered(world)
        book = _workbook(world, lobby)
        assert len(book.sheetnames) == 1 + 6 + 1
        use = _cells(book[book.sheetnames[1]])
        assert use[1] == ["同意", 1, 50] and use[2] == ["不同意", 1, 50]
        ranking = _cells(book[book.sheetnames[4]])
        assert ranking[1][:2] == ["晚上", 3]
        summary = _cells(book[book.sheetnames[0]])
        assert [_("Responses"), 2] in summary
        assert [_("Asked to answer"), 3] in summary

    def test_named_survey_rows_say_who_answered_but_never_a_phone(self, world):
        lobby, people = _answered(world)
        book = _workbook(world, lobby)
        rows = _cells(book[book.sheetnames[-1]])
        flat_text = " ".join(str(c) for row in rows for c in row)
        assert "住户1" in flat_text and "1-201" in flat_text
        assert people[0].phone not in flat_text
        assert "沙发 > 书架" in flat_text

    def test_anonymous_survey_rows_carry_no_personal_data(self, world):
        lobby, people = _answered(world, anonymous=True)
        book = _workbook(world, lobby)
        rows = _cells(book[book.sheetnames[-1]])
        header = rows[0]
        assert header[0] == _("No.")
        assert len(header) == 1 + 6  # the number and the six questions, nothing else
        text = " ".join(str(c) for row in rows for c in row)
        for private in ("住户", "1-201", "1-301", people[0].phone, "租户", "tenant", "在线"):
            assert private not in text
        assert sorted(row[0] for row in rows[1:]) == [1, 2]

    def test_formulas_are_neutralised(self, world):
        lobby, _people = _answered(world)
        book = _workbook(world, lobby)
        values = [c for row in book[book.sheetnames[-1]].iter_rows(values_only=True) for c in row]
        assert '\'=HYPERLINK("http://x")' in values
        assert '=HYPERLINK("http://x")' not in values

    def test_download_is_a_security_event(self, world):
        lobby, _people = _answered(world)
        before = SecurityEvent.objects.count()
        _workbook(world, lobby)
        assert SecurityEvent.objects.count() == before + 1


class TestCsv:
    def _rows(self, world, lobby):
        data = exports.results_csv(actor=world.users["staff"], consultation=lobby.survey)
        assert data.startswith("\ufeff".encode())
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))

    def test_named_rows(self, world):
        lobby, _people = _answered(world)
        rows = self._rows(world, lobby)
        assert len(rows) == 3
        assert len(rows[0]) == 1 + 7 + 6
        assert "住户1" in rows[1] or "住户1" in rows[2]

    def test_anonymous_rows_carry_only_answers(self, world):
        lobby, _people = _answered(world, anonymous=True)
        rows = self._rows(world, lobby)
        assert [len(r) for r in rows] == [7, 7, 7]
        text = " ".join(" ".join(r) for r in rows)
        assert "住户" not in text and "1-2" not in text


class TestAccess:
    @pytest.mark.parametrize("role", ["resident", "property", "leader_other_building"])
    def test_only_those_who_run_it_download(self, world, role):
        lobby, _people = _answered(world)
        with pytest.raises(PermissionDenied):
            exports.results_csv(actor=world.users[role], consultation=lobby.survey)
        client = Client()
        client.force_login(world.users[role])
        url = reverse("console_consultation_results_xlsx", args=["here", lobby.survey.pk])
        assert client.get(url).status_code == 404

    def test_staff_download_both_files(self, world):
        lobby, _people = _answered(world)
        client = Client()
        client.force_login(world.users["staff"])
        xlsx = client.get(
            reverse("console_consultation_results_xlsx", args=["here", lobby.survey.pk])
        )
        assert xlsx.status_code == 200 and xlsx["Content-Type"] == exports.XLSX_TYPE
        assert "attachment" in xlsx["Content-Disposition"]
        data = client.get(
            reverse("console_consultation_results_csv", args=["here", lobby.survey.pk])
        )
        assert data.status_code == 200 and data["Content-Type"].startswith("text/csv")
