"""Monthly and quarterly disclosure reports of an estate's funds (居务公开): the figures, the
PDF and the .xlsx, and the service that makes and keeps them.

A report covers whole days in the site's time zone (Beijing), from ``starts_on`` to
``ends_on``. For each fund of the estate it gives the opening balance, income (money received,
matching, materials by value), expenses by category, materials used, reversals, the closing
balance, and every entry of the period as the public ledger shows it: the donor by the label
the donor agreed to (flat number, name with consent, or anonymous), never who recorded it. It
prints the chain head (entry count and last hash) at the end of the period and when it was
made, whether the whole chain verified then, and how to check it (``linju verify-ledger``).

Only a period that has ended is reported, so its figures never change afterwards: the ledger
is append-only and every entry is recorded at the time it is made.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.community.models import Estate
from linju.community.roster.export import neutralise
from linju.core import audit, permissions
from linju.funding import chain, charts, selectors
from linju.funding.models import DisclosureReport, Expense, Fund, LedgerEntry

log = logging.getLogger("linju.funding")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CENTS = Decimal("0.01")
ZERO = Decimal("0.00")
MONTH = DisclosureReport.Period.MONTH
QUARTER = DisclosureReport.Period.QUARTER
CHOICES_BACK = {MONTH: 12, QUARTER: 4}  # periods offered to staff for "make now"
VERIFY_TRIES = 3
# Characters a file name may not carry on the systems people download to.
_UNSAFE_IN_NAMES = str.maketrans({c: " " for c in '/\\:*?"<>|\r\n\t'})
# Kinds whose donor column names a giver ("anonymous" when the label is empty).
GIFT_KINDS = frozenset((LedgerEntry.Kind.CONTRIBUTION, LedgerEntry.Kind.MATERIAL))

LABELS = {
    "report": gettext_lazy("Disclosure report"),
    "month_title": gettext_lazy("Monthly disclosure of funds"),
    "quarter_title": gettext_lazy("Quarterly disclosure of funds"),
    "period": gettext_lazy("Period"),
    "fund": gettext_lazy("Fund"),
    "place": gettext_lazy("For"),
    "whole_estate": gettext_lazy("Whole estate"),
    "opening": gettext_lazy("Opening balance"),
    "income": gettext_lazy("Income"),
    "contributions": gettext_lazy("Money received"),
    "matching": gettext_lazy("Matching grant"),
    "materials": gettext_lazy("Materials received (value)"),
    "expenses": gettext_lazy("Expenses"),
    "materials_used": gettext_lazy("Materials used (value)"),
    "reversals": gettext_lazy("Reversals (corrections)"),
    "closing": gettext_lazy("Closing balance"),
    "closing_money": gettext_lazy("of which money"),
    "closing_materials": gettext_lazy("of which materials (value)"),
    "entries": gettext_lazy("Entries of the period"),
    "no_entries": gettext_lazy("No entries in this period."),
    "no_funds": gettext_lazy("The estate had no fund in this period."),
    "seq": gettext_lazy("No."),
    "date": gettext_lazy("Date"),
    "kind": gettext_lazy("Kind"),
    "amount": gettext_lazy("Amount (¥)"),
    "donor": gettext_lazy("Donor"),
    "reference": gettext_lazy("Transfer reference"),
    "description": gettext_lazy("Particulars"),
    "reason": gettext_lazy("Reason"),
    "anonymous": gettext_lazy("anonymous"),
    "head_period": gettext_lazy("Chain head at the end of the period"),
    "head_now": gettext_lazy("Chain head when this report was made"),
    "count": gettext_lazy("Entries in the chain"),
    "hash": gettext_lazy("Last hash (SHA-256)"),
    "made": gettext_lazy("Report made"),
    "verified": gettext_lazy("The whole chain verified when this report was made."),
    "broken": gettext_lazy("THE CHAIN DID NOT VERIFY when this report was made:"),
    "how_to_check": gettext_lazy(
        "How to check: run “linju verify-ledger”. It checks every entry's hash and every "
        "fund's balance. Entry number N of the chain printed here must still carry the hash "
        "printed here: if it does not, history was rewritten."
    ),
    "scan": gettext_lazy("Scan for the notice board"),
    "by_month": gettext_lazy("Income and expenses by month"),
    "by_category": gettext_lazy("Spending by category"),
    "public_only": gettext_lazy(
        "Donors are shown as they agreed: by flat number, by name, or anonymous."
    ),
    "public_version": gettext_lazy(
        "Public version: donors and transfer references are shown to members of the estate only."
    ),
}


class Both(NamedTuple):
    """A label in Chinese and in English, for documents that print both."""

    zh: str
    en: str


def both(text: Any) -> Both:
    with translation.override("zh-hans"):
        zh = str(text)
    with translation.override("en"):
        en = str(text)
    return Both(zh, en)


# --- Periods ---------------------------------------------------------------------------------


def period_start(period: str, day: datetime.date) -> datetime.date:
    """The first day of the month or quarter that contains ``day``."""
    if period == QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(day=1)


def period_after(period: str, starts_on: datetime.date) -> datetime.date:
    """The first day of the next period."""
    months = 3 if period == QUARTER else 1
    month = starts_on.month - 1 + months
    return datetime.date(starts_on.year + month // 12, month % 12 + 1, 1)


def period_before(period: str, starts_on: datetime.date) -> datetime.date:
    return period_start(period, starts_on - datetime.timedelta(days=1))


def period_end(period: str, starts_on: datetime.date) -> datetime.date:
    """The last day of the period."""
    return period_after(period, starts_on) - datetime.timedelta(days=1)


def last_ended(period: str, today: datetime.date) -> datetime.date:
    """The first day of the latest period that has ended by ``today``."""
    return period_before(period, period_start(period, today))


def local_today() -> datetime.date:
    return timezone.localtime(timezone.now(), charts.local_zone()).date()


def period_label(period: str, starts_on: datetime.date) -> str:
    if period == QUARTER:
        return _("%(year)s Q%(quarter)s") % {
            "year": starts_on.year,
            "quarter": (starts_on.month - 1) // 3 + 1,
        }
    return charts.month_label(starts_on.year, starts_on.month)


def period_choices(today: datetime.date | None = None) -> list[tuple[str, str]]:
    """("month:2025-03-01", "monthly · 2025-03") for the ended periods staff may make now,
    latest first."""
    today = today or local_today()
    choices = []
    for period in (MONTH, QUARTER):
        start = last_ended(period, today)
        for _n in range(CHOICES_BACK[period]):
            label = f"{DisclosureReport.Period(period).label} · {period_label(period, start)}"
            choices.append((f"{period}:{start.isoformat()}", label))
            start = period_before(period, start)
    return choices


def _moment(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=charts.local_zone())


# --- The figures -----------------------------------------------------------------------------


@dataclass
class Line:
    """One entry of the period, as the public ledger shows it."""

    seq: int
    day: datetime.date
    kind: str
    kind_label: Both
    amount: Decimal
    donor: Both
    reference: str
    description: str
    reason: str
    reverses_seq: int | None = None
    reversed_kind: str | None = None


@dataclass
class FundFigures:
    fund: Fund
    opening: Decimal = ZERO
    opening_money: Decimal = ZERO
    contributions: Decimal = ZERO
    matching: Decimal = ZERO
    materials: Decimal = ZERO
    expenses: dict[str, Decimal] = field(default_factory=dict)  # by category, positive
    materials_used: Decimal = ZERO  # positive
    reversals: Decimal = ZERO  # signed, as entered
    money_change: Decimal = ZERO
    lines: list[Line] = field(default_factory=list)

    @property
    def income(self) -> Decimal:
        return self.contributions + self.matching + self.materials

    @property
    def expenses_total(self) -> Decimal:
        return sum(self.expenses.values(), ZERO)

    @property
    def closing(self) -> Decimal:
        return (
            self.opening + self.income - self.expenses_total - self.materials_used + self.reversals
        )

    @property
    def closing_money(self) -> Decimal:
        return self.opening_money + self.money_change

    @property
    def closing_materials(self) -> Decimal:
        return self.closing - self.closing_money

    @property
    def expense_rows(self) -> list[tuple[Both, Decimal]]:
        labels = dict(Expense.Category.choices)
        return [
            (both(labels.get(key, key)), amount)
            for key, amount in sorted(self.expenses.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    @property
    def place(self) -> Both:
        building = self.fund.building
        if building is None:
            return both(LABELS["whole_estate"])
        number = building.number
        with translation.override("zh-hans"):
            zh = _("Building %(number)s") % {"number": number}
        with translation.override("en"):
            en = _("Building %(number)s") % {"number": number}
        return Both(zh, en)


@dataclass
class ReportData:
    estate: Estate
    period: str
    starts_on: datetime.date
    ends_on: datetime.date
    funds: list[FundFigures]
    period_count: int
    period_hash: str
    chain_count: int
    chain_hash: str
    verified: bool
    problems: list[str]
    made_at: datetime.datetime
    board_url: str
    public: bool = False

    @property
    def label(self) -> Both:
        return both_call(period_label, self.period, self.starts_on)

    @property
    def title(self) -> Both:
        return both(LABELS["quarter_title" if self.period == QUARTER else "month_title"])


def both_call(function: Any, *args: Any) -> Both:
    with translation.override("zh-hans"):
        zh = str(function(*args))
    with translation.override("en"):
        en = str(function(*args))
    return Both(zh, en)


def _is_material(kind: str, reversed_kind: str | None) -> bool:
    counted = reversed_kind if kind == LedgerEntry.Kind.REVERSAL else kind
    return counted in (LedgerEntry.Kind.MATERIAL, LedgerEntry.Kind.MATERIAL_USE)


def _donor(kind: str, reversed_kind: str | None, label: str) -> Both:
    counted = reversed_kind if kind == LedgerEntry.Kind.REVERSAL else kind
    if label:
        return Both(label, "")
    if counted in GIFT_KINDS:
        return both(LABELS["anonymous"])
    return Both("", "")


def _chain_now(estate: Estate) -> tuple[int, str, bool, list[str]]:
    """The chain's head as walked entry by entry, whether it verified, and its problems. A
    money write landing during the walk can make the stored head run ahead of the walked
    one; the walk is then repeated."""
    for _attempt in range(VERIFY_TRIES):
        head_before = selectors.ledger_head(estate=estate)
        walked = selectors.ledger_verify(estate=estate)
        head_after = selectors.ledger_head(estate=estate)
        before = (head_before.count, head_before.hash) if head_before else None
        after = (head_after.count, head_after.hash) if head_after else None
        if walked.ok or before == after:
            break
    return walked.count, walked.head, walked.ok, [str(b) for b in walked.breaks]


def report_data(
    *, estate: Estate, period: str, starts_on: datetime.date, site_url: str
) -> ReportData:
    """Everything a report prints, for the estate's funds over the period. A handful of
    queries, whatever the number of entries, plus the walk of the whole chain."""
    ends_on = period_end(period, starts_on)
    since, until = _moment(starts_on), _moment(ends_on + datetime.timedelta(days=1))
    funds = {
        fund.pk: FundFigures(fund=fund)
        for fund in Fund.objects.filter(estate=estate, created_at__lt=until)
        .select_related("building")
        .order_by("building__sort_key", "building__number", "created_at", "pk")
    }
    before = (
        LedgerEntry.objects.filter(estate=estate, recorded_at__lt=since)
        .values("fund_id", "kind", "reverses__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in before:
        figures = funds.get(row["fund_id"])
        if figures is None:
            continue
        total = Decimal(row["total"]).quantize(CENTS)
        figures.opening += total
        if not _is_material(row["kind"], row["reverses__kind"]):
            figures.opening_money += total
    kinds = {key: both(label) for key, label in LedgerEntry.Kind.choices}
    entries = (
        LedgerEntry.objects.filter(estate=estate, recorded_at__gte=since, recorded_at__lt=until)
        .order_by("seq")
        .values(
            "seq",
            "fund_id",
            "kind",
            "amount",
            "recorded_at",
            "donor",
            "reference",
            "description",
            "reason",
            "expense__category",
            "reverses__kind",
            "reverses__seq",
        )
    )
    zone = charts.local_zone()
    for entry in entries:
        figures = funds.get(entry["fund_id"])
        if figures is None:
            continue
        amount = Decimal(entry["amount"]).quantize(CENTS)
        kind = entry["kind"]
        _add(figures, kind, amount, entry["expense__category"])
        if not _is_material(kind, entry["reverses__kind"]):
            figures.money_change += amount
        figures.lines.append(
            Line(
                seq=entry["seq"],
                day=timezone.localtime(entry["recorded_at"], zone).date(),
                kind=kind,
                kind_label=kinds.get(kind, Both(kind, kind)),
                amount=amount,
                donor=_donor(kind, entry["reverses__kind"], entry["donor"]),
                reference=entry["reference"],
                description=entry["description"],
                reason=entry["reason"],
                reverses_seq=entry["reverses__seq"],
                reversed_kind=entry["reverses__kind"],
            )
        )
    period_head = (
        LedgerEntry.objects.filter(estate=estate, recorded_at__lt=until)
        .order_by("-seq")
        .values("seq", "hash")
        .first()
    )
    count, head, verified, problems = _chain_now(estate)
    board_url = site_url.rstrip("/") + reverse("board", args=[estate.slug])
    return ReportData(
        estate=estate,
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        funds=list(funds.values()),
        period_count=period_head["seq"] if period_head else 0,
        period_hash=period_head["hash"] if period_head else chain.GENESIS,
        chain_count=count,
        chain_hash=head,
        verified=verified,
        problems=problems,
        made_at=timezone.now(),
        board_url=board_url,
    )


def _add(figures: FundFigures, kind: str, amount: Decimal, category: str | None) -> None:
    if kind == LedgerEntry.Kind.CONTRIBUTION:
        figures.contributions += amount
    elif kind == LedgerEntry.Kind.MATCH:
        figures.matching += amount
    elif kind == LedgerEntry.Kind.MATERIAL:
        figures.materials += amount
    elif kind == LedgerEntry.Kind.EXPENSE:
        key = category or Expense.Category.OTHER
        figures.expenses[key] = figures.expenses.get(key, ZERO) - amount
    elif kind == LedgerEntry.Kind.MATERIAL_USE:
        figures.materials_used -= amount
    else:
        figures.reversals += amount


def public_copy(data: ReportData) -> ReportData:
    """The report for visitors of a public board who are not members of the estate: no
    donor's flat number or name and no transfer reference (as the fund page shows them); the
    body that matches gifts (e.g. the street) is still named."""

    def line(entry: Line) -> Line:
        donor = entry.donor if entry.kind == LedgerEntry.Kind.MATCH else Both("", "")
        return dataclasses.replace(entry, donor=donor, reference="")

    funds = [
        dataclasses.replace(figures, lines=[line(entry) for entry in figures.lines])
        for figures in data.funds
    ]
    return dataclasses.replace(data, funds=funds, public=True)


def _charts(data: ReportData, figures: FundFigures) -> dict[str, SafeString | None]:
    """The period's charts of one fund: months for a quarter, categories if it spent."""
    months: dict[tuple[int, int], list[Decimal]] = {
        (day.year, day.month): [ZERO, ZERO]
        for day in charts.month_starts(data.starts_on, data.ends_on)
    }
    spent: dict[str, Decimal] = {}
    for line in figures.lines:
        income, expense = charts.flows(line.kind, line.reversed_kind, line.amount)
        months[(line.day.year, line.day.month)][0] += income
        months[(line.day.year, line.day.month)][1] += expense
    for key, amount in figures.expenses.items():
        spent[key] = amount
    if figures.materials_used:
        spent[LedgerEntry.Kind.MATERIAL_USE] = figures.materials_used
    with translation.override("zh-hans"):
        bars = [charts.MonthBar(charts.month_label(y, m), *v) for (y, m), v in months.items()]
        return {
            "months": charts.income_expense_svg(bars, chart_id=f"report-{figures.fund.pk}-months")
            if data.period == QUARTER and figures.lines
            else None,
            "categories": charts.category_svg(
                charts.category_bars(spent), chart_id=f"report-{figures.fund.pk}-categories"
            )
            if spent
            else None,
        }


# --- The PDF ---------------------------------------------------------------------------------


def _qr_svg(url: str) -> SafeString:
    # A full QR code (never Micro QR, which WeChat's scanner does not read).
    qr = segno.make_qr(url, error="m")
    # segno writes only its own path data and the URL's characters are those of a URL.
    return mark_safe(qr.svg_inline(scale=1, border=3, omitsize=True))  # noqa: S308


def report_pdf(data: ReportData) -> bytes:
    """The report as an A4 PDF, Chinese first with the English in small type, the Noto CJK
    font embedded, and a QR code of the estate's notice board."""
    from weasyprint import HTML  # a heavy import, needed only here

    labels = {key: both(text) for key, text in LABELS.items()}
    context = {
        "data": data,
        "L": labels,
        "funds": [(figures, _charts(data, figures)) for figures in data.funds],
        "qr_svg": _qr_svg(data.board_url),
        "made_at": timezone.localtime(data.made_at, charts.local_zone()),
    }
    with translation.override("zh-hans"):
        html = render_to_string("funding/reports/pdf/report.html", context)
    return HTML(string=html).write_pdf()


# --- The spreadsheet -------------------------------------------------------------------------


def _header(key: str) -> str:
    label = both(LABELS[key])
    return f"{label.zh} {label.en}"


def _sheet_rows(data: ReportData) -> dict[str, tuple[list[str], list[list[Any]]]]:
    made = timezone.localtime(data.made_at, charts.local_zone()).replace(tzinfo=None)
    summary: list[list[Any]] = [
        [_header("period"), f"{data.starts_on.isoformat()} – {data.ends_on.isoformat()}"],
        [f"{_header('head_period')}: {_header('count')}", data.period_count],
        [f"{_header('head_period')}: {_header('hash')}", data.period_hash],
        [f"{_header('head_now')}: {_header('count')}", data.chain_count],
        [f"{_header('head_now')}: {_header('hash')}", data.chain_hash],
        [_header("made"), made],
        [_header("verified") if data.verified else _header("broken"), "; ".join(data.problems)],
        [_header("how_to_check"), ""],
    ]
    fund_headers = [
        _header(key)
        for key in (
            "fund",
            "place",
            "opening",
            "contributions",
            "matching",
            "materials",
            "expenses",
            "materials_used",
            "reversals",
            "closing",
            "closing_money",
            "closing_materials",
        )
    ]
    categories = [key for key, _label in Expense.Category.choices]
    category_labels = dict(Expense.Category.choices)
    fund_headers += [f"{_header('expenses')}: {both(category_labels[c]).zh}" for c in categories]
    fund_rows = [
        [
            f.fund.title,
            f.place.zh,
            f.opening,
            f.contributions,
            f.matching,
            f.materials,
            f.expenses_total,
            f.materials_used,
            f.reversals,
            f.closing,
            f.closing_money,
            f.closing_materials,
            *[f.expenses.get(c, ZERO) for c in categories],
        ]
        for f in data.funds
    ]
    entry_headers = [
        _header(key)
        for key in (
            "fund",
            "seq",
            "date",
            "kind",
            "amount",
            "donor",
            "reference",
            "description",
            "reason",
        )
    ]
    entry_rows = [
        [
            f.fund.title,
            line.seq,
            line.day,
            line.kind_label.zh,
            line.amount,
            line.donor.zh,
            line.reference,
            line.description,
            line.reason,
        ]
        for f in data.funds
        for line in f.lines
    ]
    return {
        "summary": ([_header("report"), data.estate.name], summary),
        "funds": (fund_headers, fund_rows),
        "entries": (entry_headers, entry_rows),
    }


def _put(cell: Any, value: Any) -> None:
    """One cell. A Decimal is written as its own digits (openpyxl would print it through a
    float to 16 digits: 9500131.88 as 9500131.880000001), still a number to the spreadsheet."""
    if isinstance(value, Decimal):
        cell.value = format(value, "f")
        cell.data_type = "n"
        cell.number_format = "#,##0.00"
        return
    cell.value = neutralise(value)
    if isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"


def report_xlsx(data: ReportData) -> bytes:
    """The same figures as a workbook: a summary with both chain heads, one row per fund, and
    every entry. Amounts are exact Decimal numbers formatted to the fen; text a spreadsheet
    would run as a formula is neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    names = {"summary": LABELS["report"], "funds": LABELS["fund"], "entries": LABELS["entries"]}
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for key, (headers, rows) in _sheet_rows(data).items():
        sheet = workbook.create_sheet(both(names[key]).zh[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for number, row in enumerate(rows, start=2):
            for column, value in enumerate(row, start=1):
                _put(sheet.cell(row=number, column=column), value)
        sheet.freeze_panes = "A2"
        for letter in "ABCDEFGHI":
            sheet.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Making and keeping reports --------------------------------------------------------------


def default_site_url() -> str:
    """The address printed in QR codes when no request gives one (the worker): the
    ``LINJU_SITE_URL`` setting, else the first named host allowed."""
    configured = getattr(settings, "LINJU_SITE_URL", "")
    if configured:
        return str(configured)
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    scheme = "https" if getattr(settings, "SECURE_SSL_REDIRECT", False) else "http"
    return f"{scheme}://{hosts[0] if hosts else 'localhost'}/"


def file_name(report: DisclosureReport, extension: str) -> str:
    """A download's name: "<estate> 公示报告 2025年03月.pdf"."""
    estate = " ".join(report.estate.name.translate(_UNSAFE_IN_NAMES).split())[:60]
    name = _("%(estate)s disclosure report %(period)s") % {
        "estate": estate,
        "period": period_label(report.period, report.starts_on),
    }
    return f"{name}.{extension}"


def _check_period(period: str, starts_on: datetime.date) -> None:
    if period not in DisclosureReport.Period.values:
        raise ValidationError(_("Choose a monthly or a quarterly report."), code="period")
    if starts_on != period_start(period, starts_on):
        raise ValidationError(_("A period starts on the first day of a month or quarter."))
    if period_end(period, starts_on) >= local_today():
        raise ValidationError(_("Only a period that has ended can be reported."), code="not_ended")


def report_make(
    *,
    actor: Any,
    estate: Estate,
    period: str,
    starts_on: datetime.date,
    site_url: str | None = None,
) -> DisclosureReport:
    """Make (or make again) the estate's report for an ended period: its figures, PDF and
    .xlsx, for members and for the public, with both chain heads. ``actor`` None is the
    worker. Making it again replaces the files; the period's figures and its chain head come
    out the same, since the ledger is append-only."""
    if actor is not None:
        permissions.require(actor, "manage", estate, model="estate")
    _check_period(period, starts_on)
    data = report_data(
        estate=estate, period=period, starts_on=starts_on, site_url=site_url or default_site_url()
    )
    public = public_copy(data)
    files = {
        "pdf": report_pdf(data),
        "xlsx": report_xlsx(data),
        "public_pdf": report_pdf(public),
        "public_xlsx": report_xlsx(public),
    }
    stem = f"{period}-{starts_on:%Y-%m}"
    values = {
        "ends_on": data.ends_on,
        "period_count": data.period_count,
        "period_hash": data.period_hash,
        "chain_count": data.chain_count,
        "chain_hash": data.chain_hash,
        "chain_verified": data.verified,
        "made_by": actor if getattr(actor, "is_authenticated", False) else None,
        "created_at": data.made_at,
    }
    try:
        report = _keep(estate, period, starts_on, values, stem, files)
    except IntegrityError:  # made at the same moment by the worker and a person: keep theirs
        return DisclosureReport.objects.get(estate=estate, period=period, starts_on=starts_on)
    audit.record(
        actor=actor,
        action="report.make",
        target=estate,
        changes={"report": [None, stem], "chain": [None, f"{data.chain_count} {data.chain_hash}"]},
    )
    return report


FILE_FIELDS = ("pdf", "xlsx", "public_pdf", "public_xlsx")


@transaction.atomic
def _keep(
    estate: Estate,
    period: str,
    starts_on: datetime.date,
    values: dict[str, Any],
    stem: str,
    files: dict[str, bytes],
) -> DisclosureReport:
    report = (
        DisclosureReport.objects.select_for_update()
        .filter(estate=estate, period=period, starts_on=starts_on)
        .first()
    )
    # Names, not the files: saving the new file renames the same FieldFile object.
    old_names = [getattr(report, name).name for name in FILE_FIELDS] if report else []
    if report is None:
        report = DisclosureReport(estate=estate, period=period, starts_on=starts_on)
    for name, value in values.items():
        setattr(report, name, value)
    for name in FILE_FIELDS:
        extension = name.rsplit("_", 1)[-1]
        prefix = "public-" if name.startswith("public") else ""
        getattr(report, name).save(
            f"{prefix}{stem}.{extension}", ContentFile(files[name]), save=False
        )
    new_names = [getattr(report, name).name for name in FILE_FIELDS]
    storage = report.pdf.storage
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        _delete_files(storage, new_names)
        raise
    transaction.on_commit(lambda: _delete_files(storage, old_names))
    return report


def _delete_files(storage: Any, names: Iterable[str]) -> None:
    for name in names:
        if name:
            storage.delete(name)


def reports_due(today: datetime.date | None = None) -> list[tuple[str, datetime.date]]:
    """The periods the worker reports on: the latest ended month and the latest ended
    quarter."""
    today = today or local_today()
    return [(MONTH, last_ended(MONTH, today)), (QUARTER, last_ended(QUARTER, today))]


def reports_make_due(*, today: datetime.date | None = None) -> dict[str, int]:
    """Make every due report not made yet, for each estate that had a fund by the period's
    end. One estate's failure is logged and the others go on."""
    made = skipped = failed = 0
    for period, starts_on in reports_due(today):
        until = _moment(period_after(period, starts_on))
        estates = Estate.objects.filter(funds__created_at__lt=until).distinct().order_by("pk")
        done = set(
            DisclosureReport.objects.filter(period=period, starts_on=starts_on).values_list(
                "estate_id", flat=True
            )
        )
        for estate in estates:
            if estate.pk in done:
                skipped += 1
                continue
            try:
                report_make(actor=None, estate=estate, period=period, starts_on=starts_on)
            except Exception:
                log.exception("disclosure report %s %s of %s failed", period, starts_on, estate)
                failed += 1
            else:
                made += 1
    return {"made": made, "skipped": skipped, "failed": failed}


def report_list(*, estate: Estate) -> list[DisclosureReport]:
    return list(DisclosureReport.objects.filter(estate=estate).order_by("-starts_on", "period"))


# --- The board's section ---------------------------------------------------------------------

SECTION_SHOWN = 6


def reports_section(*, estate: Any, building: Any, actor: Any, public: bool) -> dict | None:
    """The latest reports on the estate's board (not on a building's), with their chain
    heads; staff see the link to make one even before the first exists."""
    if building is not None:
        return None
    reports = list(DisclosureReport.objects.filter(estate=estate)[:SECTION_SHOWN])
    may_make = not public and permissions.can(actor, "manage", estate, model="estate")
    if not reports and not may_make:
        return None
    return {
        "title": _("Disclosure reports"),
        "template": "funding/reports/_section.html",
        "context": {"disclosure_reports": reports, "may_make_reports": may_make},
        "order": 110,
    }
