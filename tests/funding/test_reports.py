"""Monthly and quarterly disclosure reports: the figures of each fund over the period, both chain
heads, a real A4 PDF with the Chinese font embedded and an exact .xlsx; made by the worker on
the 1st and by staff on demand; shown to whoever may read the board, and naming nobody beyond
what the public ledger shows."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from contextlib import contextmanager
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from linju.core.models import AuditEvent
from linju.funding import chain, reports, selectors, services, tasks
from linju.funding.models import DisclosureReport, LedgerEntry, Pledge
from linju.notices.models import BoardSettings
from tests.funding.conftest import Money

pytestmark = pytest.mark.django_db

ZONE = datetime.timezone(datetime.timedelta(hours=8))  # Beijing, no summer time
# Next year's first quarter: always after the world's accounts and homes were made.
YEAR = datetime.date.today().year + 1
JAN, FEB, MAR = (datetime.date(YEAR, m, 1) for m in (1, 2, 3))
Q1 = JAN
AFTER_Q1 = datetime.date(YEAR, 4, 2)
A4 = (595, 842)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZONE)


class History:
    """Building 1's fund through the first quarter (amounts in ¥):

    January: 300.00 by WeChat on a pledge shown by flat number, 250.10 in cash and 2,000.00
    by bank transfer, both anonymous; the street matches 1:1 (550.10, then 2,000.00); floor
    boards worth 800.00 arrive. February: expenses of 1,000.00 (labour) and 120.30
    (materials), boards worth 300.00 used, the 250.10 reversed as a mistake (matching follows
    it down). March: 0.10 and 0.20 in cash, each matched. 15 entries in all, 11 by the end of
    February.
    """

    def __init__(self, world):
        self.world = world
        with time_machine.travel(at(JAN, 9), tick=False):
            self.money = Money(world)
        money = self.money
        with time_machine.travel(at(JAN.replace(day=10)), tick=False):
            self.pledge = services.pledge_create(
                actor=world.users["resident"],
                fund=money.fund,
                kind=Pledge.Kind.MONEY,
                amount="300",
                shown_as=Pledge.Shown.FLAT,
            )
            money.give("300", reference="WX0001", method="wechat", pledge=self.pledge)
            self.mistake = money.give("250.10")
            money.give("2000", reference="B0001", method="bank")
            services.material_receive(
                actor=money.treasurer, fund=money.fund, description="实木地板 20 块", value="800"
            )
        with time_machine.travel(at(FEB.replace(day=15)), tick=False):
            for amount, category in (("1000", "labour"), ("120.30", "materials")):
                expense = money.spend(amount, category=category, payee="装修队")
                services.expense_approve(actor=money.staff, expense=expense)
            services.material_use(
                actor=money.treasurer, fund=money.fund, description="铺楼道", value="300"
            )
            services.entry_reverse(actor=money.treasurer, entry=self.mistake, reason="录错了")
        with time_machine.travel(at(MAR.replace(day=20)), tick=False):
            money.give("0.10")
            money.give("0.20")

    def make(self, period=reports.QUARTER, starts_on=Q1, actor=None, **kwargs):
        with time_machine.travel(at(AFTER_Q1), tick=False):
            return reports.report_make(
                actor=actor,
                estate=self.world.here,
                period=period,
                starts_on=starts_on,
                site_url="http://testserver/",
                **kwargs,
            )

    def data(self, period=reports.QUARTER, starts_on=Q1):
        with time_machine.travel(at(AFTER_Q1), tick=False):
            return reports.report_data(
                estate=self.world.here,
                period=period,
                starts_on=starts_on,
                site_url="http://testserver/",
            )


@pytest.fixture
def history(world):
    return History(world)


@pytest.fixture
def no_pdf(monkeypatch):
    """Skip drawing PDFs where a test is about something else (WeasyPrint takes a second)."""
    monkeypatch.setattr(reports, "report_pdf", lambda data: b"%PDF-1.7 stand-in")


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


class TestPeriods:
    @pytest.mark.parametrize(
        ("period", "day", "start", "end"),
        [
            ("month", datetime.date(2025, 3, 31), datetime.date(2025, 3, 1), "2025-03-31"),
            ("month", datetime.date(2024, 2, 10), datetime.date(2024, 2, 1), "2024-02-29"),
            ("month", datetime.date(2025, 12, 5), datetime.date(2025, 12, 1), "2025-12-31"),
            ("quarter", datetime.date(2025, 3, 31), datetime.date(2025, 1, 1), "2025-03-31"),
            ("quarter", datetime.date(2025, 11, 1), datetime.date(2025, 10, 1), "2025-12-31"),
        ],
    )
    def test_a_day_falls_in_one_month_and_one_quarter(self, period, day, start, end):
        assert reports.period_start(period, day) == start
        assert reports.period_end(period, start).isoformat() == end

    def test_the_worker_reports_the_latest_ended_month_and_quarter(self):
        assert reports.reports_due(datetime.date(2025, 4, 1)) == [
            ("month", datetime.date(2025, 3, 1)),
            ("quarter", datetime.date(2025, 1, 1)),
        ]
        # Mid-quarter, the quarter due is still the one that ended before.
        assert reports.reports_due(datetime.date(2025, 5, 1)) == [
            ("month", datetime.date(2025, 4, 1)),
            ("quarter", datetime.date(2025, 1, 1)),
        ]
        assert reports.reports_due(datetime.date(2025, 1, 1)) == [
            ("month", datetime.date(2024, 12, 1)),
            ("quarter", datetime.date(2024, 10, 1)),
        ]

    def test_staff_may_choose_among_ended_periods_only(self):
        values = [value for value, _label in reports.period_choices(datetime.date(2025, 4, 2))]
        assert values[0] == "month:2025-03-01"
        assert "quarter:2025-01-01" in values
        assert "month:2025-04-01" not in values and "quarter:2025-04-01" not in values
        assert len(values) == 12 + 4


class TestFigures:
    def test_the_quarter_adds_up_from_an_empty_opening(self, history):
        data = history.data()
        (fund,) = data.funds
        assert fund.opening == Decimal("0.00")
        assert fund.contributions == Decimal("2550.40")
        assert fund.matching == Decimal("2300.30")
        assert fund.materials == Decimal("800.00")
        assert fund.expenses == {"labour": Decimal("1000.00"), "materials": Decimal("120.30")}
        assert fund.materials_used == Decimal("300.00")
        assert fund.reversals == Decimal("-250.10")
        assert fund.closing == Decimal("3980.30")
        assert fund.closing_money == Decimal("3480.30")
        assert fund.closing_materials == Decimal("500.00")
        assert fund.closing_money == services.money_balance(history.money.fund)
        assert fund.closing_materials == services.material_balance(history.money.fund)
        assert [line.seq for line in fund.lines] == list(range(1, 16))

    def test_a_month_opens_where_the_one_before_closed(self, history):
        february = history.data(reports.MONTH, FEB).funds[0]
        march = history.data(reports.MONTH, MAR).funds[0]
        assert march.opening == february.closing == Decimal("3979.70")
        assert str(march.opening) == "3979.70"  # to the fen, as printed: no stray digits
        assert march.opening_money == february.closing_money == Decimal("3479.70")
        assert march.contributions == Decimal("0.30")  # 0.10 + 0.20, exactly
        assert march.matching == Decimal("0.30")
        assert [line.seq for line in march.lines] == [12, 13, 14, 15]
        assert str(march.closing) == "3980.30"

    def test_both_chain_heads_are_given_and_the_chain_verified(self, history):
        february = history.data(reports.MONTH, FEB)
        entry_11 = LedgerEntry.objects.get(estate=history.world.here, seq=11)
        assert (february.period_count, february.period_hash) == (11, entry_11.hash)
        head = selectors.ledger_head(estate=history.world.here)
        assert (february.chain_count, february.chain_hash) == (15, head.hash)
        assert february.verified and february.problems == []

    def test_a_month_before_anything_was_recorded_has_the_genesis_head(self, history):
        data = history.data(reports.MONTH, datetime.date(YEAR - 1, 12, 1))
        assert (data.period_count, data.period_hash) == (0, chain.GENESIS)
        assert data.funds == []  # the fund did not exist yet

    def test_donors_are_shown_as_they_agreed_and_reversals_name_their_entry(self, history):
        lines = {line.seq: line for line in history.data().funds[0].lines}
        assert lines[1].donor.zh == history.world.flat1.label  # pledged "by flat number"
        assert lines[2].donor.en == "anonymous"  # cash without a pledge
        assert lines[3].donor.zh == "万里街道"  # the matching grant names its source
        assert lines[7].donor == ("", "")  # an expense has no donor
        reversal = next(line for line in lines.values() if line.kind == "reversal")
        assert reversal.reverses_seq == 2 and reversal.reason == "录错了"
        assert reversal.donor.en == "anonymous"

    def test_a_broken_chain_is_reported_as_broken(self, history):
        with _raw_writes():
            LedgerEntry.objects.filter(estate=history.world.here, seq=3).update(description="改过")
        data = history.data()
        assert not data.verified
        assert any("#3" in problem for problem in data.problems)


@contextmanager
def _raw_writes():
    """Write to the ledger behind the application's back (on PostgreSQL the append-only
    trigger must be switched off for that)."""
    if connection.vendor != "postgresql":
        yield
        return
    # Deferred foreign-key checks of this transaction must run before the table is altered.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE funding_ledgerentry DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE funding_ledgerentry ENABLE TRIGGER USER")


class TestPdf:
    def test_an_a4_pdf_with_the_chinese_font_embedded_the_heads_and_every_entry(self, history):
        data = history.data()
        content = reports.report_pdf(data)
        reader = PdfReader(io.BytesIO(content))
        for page in reader.pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4
        fonts = []
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descendant = font.get("/DescendantFonts")
                descriptor = (descendant[0].get_object() if descendant else font).get(
                    "/FontDescriptor"
                )
                descriptor = descriptor.get_object() if descriptor is not None else {}
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts.append((str(font["/BaseFont"]), embedded))
        assert [name for name, embedded in fonts if "CJK" in name and embedded], fonts
        assert all(embedded for _name, embedded in fonts), fonts
        text = _flat(_pdf_text(content))
        assert "这里小区" in text and "1号楼楼道微更新" in text
        assert data.period_hash in text and data.chain_hash in text
        assert "linjuverify-ledger" in text
        for amount in ("2550.40", "2300.30", "3980.30", "1120.30", "-250.10", "录错了"):
            assert amount in text, amount
        assert "WX0001" in text and "B0001" in text and "实木地板20块" in text

    def test_it_names_nobody_the_public_ledger_does_not(self, history):
        text = _flat(_pdf_text(reports.report_pdf(history.data())))
        assert history.world.flat1.label in text  # the donor agreed to their flat number
        for private in ("李居民", "钱会计", "treasurer", "staff"):  # names and accounts
            assert private not in text, private

    def test_the_public_version_names_no_donor_and_no_transfer(self, history):
        text = _flat(_pdf_text(reports.report_pdf(reports.public_copy(history.data()))))
        assert "万里街道" in text and "3980.30" in text
        for private in (history.world.flat1.label, "WX0001", "B0001", "李居民"):
            assert private not in text, private


class TestSpreadsheet:
    def test_the_same_figures_as_exact_numbers(self, history):
        data = history.data(reports.MONTH, MAR)
        content = reports.report_xlsx(data)
        book = load_workbook(io.BytesIO(content))
        summary, funds, entries = book.worksheets
        values = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
        assert data.period_hash in values.values() and 15 in values.values()
        header = [cell.value for cell in funds[1]]
        row = [cell.value for cell in funds[2]]
        by_header = dict(zip(header, row, strict=True))
        contributions = next(v for k, v in by_header.items() if "Money received" in k)
        assert contributions == pytest.approx(0.3)
        assert [r[1] for r in entries.iter_rows(min_row=2, values_only=True)] == [12, 13, 14, 15]

    def test_sums_are_exact_where_floats_would_be_off(self, history):
        """9,320,917.58 + 179,214.30 is 9,500,131.880000001 in floating point."""
        money = history.money
        with time_machine.travel(at(MAR.replace(day=25)), tick=False):
            fund = services.fund_create(
                actor=money.staff,
                estate=history.world.here,
                title="大修",
                target="1e7",
                treasurer=money.treasurer,
            )
            for amount, reference in (("9320917.58", "B9001"), ("179214.30", "B9002")):
                services.contribution_record(
                    actor=money.treasurer,
                    fund=fund,
                    amount=amount,
                    method="bank",
                    reference=reference,
                )
        content = reports.report_xlsx(history.data(reports.MONTH, MAR))
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            fund_sheet = archive.read("xl/worksheets/sheet2.xml").decode()
        titles = [row[0] for row in load_workbook(io.BytesIO(content)).worksheets[1].values]
        row = titles.index("大修") + 1
        cells = dict(re.findall(rf'<c r="([A-Z]+){row}"[^>]*><v>([^<]*)</v>', fund_sheet))
        assert Decimal(cells["D"]) == Decimal("9500131.88")  # money received
        assert Decimal(cells["J"]) == Decimal("9500131.88")  # closing balance
        assert "9500131.880000001" not in fund_sheet

    def test_text_a_spreadsheet_would_run_is_neutralised(self, history):
        with time_machine.travel(at(MAR.replace(day=21)), tick=False):
            services.material_receive(
                actor=history.money.treasurer,
                fund=history.money.fund,
                description="=HYPERLINK(1)",
                value="1",
            )
        book = load_workbook(io.BytesIO(reports.report_xlsx(history.data(reports.MONTH, MAR))))
        descriptions = [row[7] for row in book.worksheets[2].iter_rows(values_only=True)]
        assert "'=HYPERLINK(1)" in descriptions


class TestMaking:
    def test_staff_make_a_report_with_both_files_and_the_heads(self, history, no_pdf):
        staff = history.world.users["staff"]
        report = history.make(actor=staff)
        assert (report.period, report.starts_on, report.ends_on.isoformat()) == (
            "quarter",
            Q1,
            f"{YEAR}-03-31",
        )
        assert (report.period_count, report.chain_count, report.chain_verified) == (15, 15, True)
        assert report.made_by == staff
        assert report.pdf.read().startswith(b"%PDF")
        assert report.xlsx.read().startswith(b"PK")
        assert AuditEvent.objects.filter(action="report.make", actor=staff).count() == 1

    def test_making_again_replaces_the_files_and_keeps_one_report(
        self, history, no_pdf, django_capture_on_commit_callbacks
    ):
        first = history.make()
        old_names = [first.pdf.name, first.xlsx.name]
        storage = first.pdf.storage
        with django_capture_on_commit_callbacks(execute=True):
            again = history.make(actor=history.world.users["staff"])
        assert again.pk == first.pk and DisclosureReport.objects.count() == 1
        assert again.pdf.name not in old_names
        assert not any(storage.exists(name) for name in old_names)
        assert storage.exists(again.pdf.name) and storage.exists(again.xlsx.name)

    @pytest.mark.parametrize("role", ["resident", "leader", "treasurer", "staff_other_estate"])
    def test_only_committee_staff_may_make_one(self, history, no_pdf, role):
        actor = history.money.treasurer if role == "treasurer" else history.world.users[role]
        with pytest.raises(PermissionDenied):
            history.make(actor=actor)
        assert not DisclosureReport.objects.exists()

    @pytest.mark.parametrize(
        ("period", "starts_on"),
        [
            ("quarter", datetime.date(YEAR, 4, 1)),  # not ended yet
            ("month", datetime.date(YEAR, 4, 1)),
            ("month", datetime.date(YEAR, 3, 2)),  # not the first day
            ("quarter", datetime.date(YEAR, 2, 1)),
            ("year", Q1),
        ],
    )
    def test_a_period_not_ended_or_not_a_period_is_refused(
        self, history, no_pdf, period, starts_on
    ):
        with pytest.raises(ValidationError):
            history.make(period=period, starts_on=starts_on)
        assert not DisclosureReport.objects.exists()
        assert not AuditEvent.objects.filter(action="report.make").exists()


class TestWorker:
    def test_the_run_makes_the_due_reports_of_estates_with_funds_once(self, history, no_pdf):
        from django_tasks_db.models import DBTaskResult

        with time_machine.travel(at(AFTER_Q1, 2), tick=False):
            counts = tasks.reports_run.call()
            assert counts == {"made": 2, "skipped": 0, "failed": 0}
            made = DisclosureReport.objects.order_by("period")
            assert [(r.estate, r.period, r.starts_on) for r in made] == [
                (history.world.here, "month", MAR),
                (history.world.here, "quarter", Q1),
            ]  # the other estate has no fund: no report
            waiting = DBTaskResult.objects.get()
            assert waiting.run_after == at(datetime.date(YEAR, 5, 1), 2)
            assert tasks.reports_schedule() is False  # already booked
            assert reports.reports_make_due() == {"made": 0, "skipped": 2, "failed": 0}

    def test_a_failing_estate_does_not_stop_the_others(self, history, no_pdf, monkeypatch):
        def broken(data):
            raise RuntimeError("disk full")

        monkeypatch.setattr(reports, "report_xlsx", broken)
        with time_machine.travel(at(AFTER_Q1, 2), tick=False):
            assert reports.reports_make_due() == {"made": 0, "skipped": 0, "failed": 2}
        assert not DisclosureReport.objects.exists()

    def test_the_worker_command_books_the_first_run(self, monkeypatch):
        from django_tasks_db.management.commands.db_worker import Command as DbWorker
        from django_tasks_db.models import DBTaskResult

        from linju.core.management.commands.worker import Command

        monkeypatch.setattr(DbWorker, "handle", lambda self, *args, **options: None)
        Command().handle()
        Command().handle()  # a second start books nothing more
        booked = DBTaskResult.objects.filter(task_path=tasks.reports_run.module_path)
        assert booked.count() == 1
        assert booked.get().run_after == tasks.next_run(timezone.now())

    def test_the_next_run_is_the_first_of_next_month_at_two(self):
        assert tasks.next_run(at(datetime.date(2025, 12, 31), 23)) == at(
            datetime.date(2026, 1, 1), 2
        )
        assert tasks.next_run(at(datetime.date(2025, 3, 1), 1)) == at(datetime.date(2025, 4, 1), 2)

    def test_schedule_leaves_backends_that_cannot_wait_alone(self, settings):
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        assert tasks.reports_schedule() is False


# --- Pages -----------------------------------------------------------------------------------


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _list_url(world) -> str:
    return reverse("disclosure_reports", args=[world.here.slug])


def _make_url(world) -> str:
    return reverse("disclosure_report_make", args=[world.here.slug])


def _download_url(report, extension) -> str:
    return reverse("disclosure_report_download", args=[report.estate.slug, report.pk, extension])


class TestPages:
    @pytest.mark.parametrize("role", ["resident", "leader", "property", "staff"])
    def test_members_list_and_download_the_reports(self, history, no_pdf, role):
        report = history.make()
        client = _client(history.world.users[role])
        page = client.get(_list_url(history.world))
        assert page.status_code == 200
        assert _download_url(report, "pdf") in page.content.decode()
        pdf = client.get(_download_url(report, "pdf"))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")
        assert "attachment" in pdf["Content-Disposition"]
        xlsx = client.get(_download_url(report, "xlsx"))
        assert xlsx.status_code == 200 and xlsx["Content-Type"] == reports.XLSX_TYPE

    def test_outsiders_get_a_404_and_visitors_are_sent_to_sign_in(self, history, no_pdf):
        report = history.make()
        for url in (_list_url(history.world), _download_url(report, "pdf")):
            assert _client(history.world.users["staff_other_estate"]).get(url).status_code == 404
            visitor = _client().get(url)
            assert visitor.status_code == 302
            assert visitor["Location"].startswith(reverse("login"))

    def test_a_public_board_lets_anyone_download_the_public_version(self, history, no_pdf):
        report = history.make()
        BoardSettings.objects.create(estate=history.world.here, public=True)
        visitor = _client()
        page = visitor.get(_list_url(history.world))
        assert page.status_code == 200 and _make_url(history.world) not in page.content.decode()

        def entries(client):
            response = client.get(_download_url(report, "xlsx"))
            assert response.status_code == 200
            book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
            rows = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
            return {row[5] for row in rows} - {None}, {row[6] for row in rows} - {None}

        donors, references = entries(visitor)
        assert donors == {"万里街道"} and references == set()
        donors, references = entries(_client(history.world.users["resident"]))
        assert {history.world.flat1.label, "万里街道"} <= donors
        assert references == {"WX0001", "B0001"}

    def test_a_report_of_another_estate_is_not_found(self, history, no_pdf, world):
        report = history.make()
        url = reverse("disclosure_report_download", args=[world.there.slug, report.pk, "pdf"])
        assert _client(world.users["staff_other_estate"]).get(url).status_code == 404

    def test_staff_make_one_now(self, history, no_pdf):
        with time_machine.travel(at(AFTER_Q1), tick=False):
            client = _client(history.world.users["staff"])
            assert _make_url(history.world) in client.get(_list_url(history.world)).content.decode()
            response = client.post(
                _make_url(history.world),
                {"which": f"month:{MAR.isoformat()}"},
            )
        assert response.status_code == 302
        report = DisclosureReport.objects.get()
        assert (report.period, report.starts_on, report.made_by) == (
            "month",
            MAR,
            history.world.users["staff"],
        )

    def test_a_period_not_offered_is_refused_with_nothing_made(self, history, no_pdf):
        with time_machine.travel(at(AFTER_Q1), tick=False):
            client = _client(history.world.users["staff"])
            response = client.post(_make_url(history.world), {"which": "month:2999-01-01"})
        assert response.status_code == 422
        assert not DisclosureReport.objects.exists()

    @pytest.mark.parametrize("role", ["resident", "leader", "owners_committee"])
    def test_others_cannot_make_one(self, history, no_pdf, role):
        with time_machine.travel(at(AFTER_Q1), tick=False):
            client = _client(history.world.users[role])
            page = client.get(_list_url(history.world))
            assert page.status_code == 200 and _make_url(history.world) not in page.content.decode()
            response = client.post(
                _make_url(history.world),
                {"which": f"month:{MAR.isoformat()}"},
            )
        assert response.status_code == 404
        assert not DisclosureReport.objects.exists()


class TestBoardSection:
    def test_the_estate_board_lists_the_reports_with_their_heads(self, history, no_pdf):
        report = history.make()
        page = _client(history.world.users["resident"]).get(
            reverse("board", args=[history.world.here.slug])
        )
        html = page.content.decode()
        assert page.status_code == 200
        assert 'id="section-reports"' in html
        assert _download_url(report, "pdf") in html
        assert report.period_hash in html

    def test_a_building_board_and_an_estate_without_reports_show_no_section(self, history):
        from linju.notices import board

        world = history.world
        resident = world.users["resident"]
        shown = board.sections_for(estate=world.here, building=None, actor=resident, public=False)
        assert "reports" not in [s.name for s in shown]
        shown = board.sections_for(
            estate=world.here, building=world.b1, actor=resident, public=False
        )
        assert "reports" not in [s.name for s in shown]
        staff = world.users["staff"]
        shown = board.sections_for(estate=world.here, building=None, actor=staff, public=False)
        assert "reports" in [s.name for s in shown]  # staff see where to make the first
