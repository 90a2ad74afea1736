"""Charts drawn on the server as SVG: well-formed, accessible (role, title, description), every
figure written out as text, bar lengths in proportion, and a fund's figures taken from its
ledger in a fixed number of queries."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation

from linju.funding import charts, services
from linju.funding.charts import CategoryBar, MonthBar
from linju.funding.models import Expense, LedgerEntry
from tests.funding.conftest import Money

SVG = "{http://www.w3.org/2000/svg}"
ZONE = datetime.timezone(datetime.timedelta(hours=8))
YEAR = datetime.date.today().year + 1


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed
    assert root.tag == f"{SVG}svg"
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _bars(root: ET.Element) -> list[Decimal]:
    """The widths of the bars, in drawing order (not the legend's swatches)."""
    return [Decimal(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def _accessible(root: ET.Element) -> None:
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


class TestIncomeExpense:
    months = [
        MonthBar("2025-01", Decimal("5900.20"), Decimal("0")),
        MonthBar("2025-02", Decimal("-500.20"), Decimal("1420.30")),
        MonthBar("2025-03", Decimal("2950.10"), Decimal("0.60")),
    ]

    def test_well_formed_accessible_and_every_figure_written_out(self):
        root = _parse(charts.income_expense_svg(self.months, chart_id="c1", title="收支"))
        _accessible(root)
        assert root.find(f"{SVG}title").text == "收支"
        texts = _texts(root)
        for expected in ("2025-01", "2025-02", "2025-03", "¥5,900.20", "-¥500.20", "¥1,420.30"):
            assert expected in texts, expected
        desc = root.find(f"{SVG}desc").text
        assert "¥5,900.20" in desc and "¥0.60" in desc and "-¥500.20" in desc

    def test_bars_are_in_proportion_and_a_negative_month_draws_none(self):
        root = _parse(charts.income_expense_svg(self.months, chart_id="c1"))
        widths = _bars(root)
        # 5900.20 is the longest; 2950.10 is exactly half; -500.20 and 0 draw nothing.
        assert len(widths) == 4  # Jan income, Feb expense, Mar income, Mar expense
        longest = max(widths)
        assert widths[0] == longest
        assert widths[2] == (longest / 2).quantize(Decimal("0.1"))
        assert widths[3] == Decimal(1)  # a tiny but real amount still shows

    def test_text_is_escaped(self):
        months = [MonthBar('<b>&"x"', Decimal("1"), Decimal("2"))]
        root = _parse(charts.income_expense_svg(months, chart_id="a&b", title="<script>"))
        assert '<b>&"x"' in _texts(root)
        assert root.find(f"{SVG}title").text == "<script>"
        assert root.get("id") == "a&b"

    def test_nothing_to_show_is_still_a_well_formed_chart(self):
        root = _parse(charts.income_expense_svg([], chart_id="empty"))
        _accessible(root)
        assert list(root.iter(f"{SVG}rect")) == []


class TestCategories:
    def test_one_labelled_bar_per_category_largest_first(self):
        rows = charts.category_bars(
            {"labour": Decimal("1000"), "design": Decimal("0"), "materials": Decimal("120.30")}
        )
        assert [r.amount for r in rows] == [Decimal("1000.00"), Decimal("120.30")]
        root = _parse(charts.category_svg(rows, chart_id="cat"))
        _accessible(root)
        texts = _texts(root)
        assert "¥1,000.00" in texts and "¥120.30" in texts
        assert [r.label for r in rows] == [t for t in texts if not t.startswith("¥")]
        widths = _bars(root)
        assert widths[1] == (widths[0] * Decimal("120.30") / 1000).quantize(Decimal("0.1"))

    def test_chinese_labels_get_the_room_they_need(self):
        rows = [CategoryBar("会议和活动", Decimal("10")), CategoryBar("x", Decimal("5"))]
        root = _parse(charts.category_svg(rows, chart_id="zh"))
        bar_x = {Decimal(r.get("x")) for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"}
        assert bar_x == {Decimal(5 * charts.FONT_SIZE + 1 + 12)}


@pytest.mark.django_db
class TestFundFigures:
    @pytest.fixture
    def money(self, world):
        """Building 1's fund opened on 5 January; 600 given in January, a 100 expense and 50
        of boards used in February, a 100 expense reversed in March."""
        with time_machine.travel(datetime.datetime(YEAR, 1, 5, 9, tzinfo=ZONE), tick=False):
            money = Money(world)
        with time_machine.travel(datetime.datetime(YEAR, 1, 31, 23, tzinfo=ZONE), tick=False):
            money.give("600")  # 23:00 in Beijing is still January (15:00 UTC)
        with time_machine.travel(datetime.datetime(YEAR, 2, 10, 9, tzinfo=ZONE), tick=False):
            services.expense_approve(actor=money.staff, expense=money.spend("100"))
            services.material_receive(
                actor=money.treasurer, fund=money.fund, description="地砖", value="80"
            )
            services.material_use(
                actor=money.treasurer, fund=money.fund, description="铺地", value="50"
            )
            self.wrong = money.spend("100", category="design")
            services.expense_approve(actor=money.staff, expense=self.wrong)
        with time_machine.travel(datetime.datetime(YEAR, 3, 3, 9, tzinfo=ZONE), tick=False):
            entry = self.wrong.entries.get()
            services.entry_reverse(actor=money.treasurer, entry=entry, reason="付错了")
        return money

    def test_months_from_the_fund_opening_with_reversals_in_their_month(self, money):
        with translation.override("en"):
            months = charts.fund_months(money.fund, until=datetime.date(YEAR, 4, 15))
        assert [(m.income, m.expense) for m in months] == [
            (Decimal("600.00") + Decimal("600.00"), Decimal(0)),  # given, and matched 1:1
            (Decimal("80.00"), Decimal("250.00")),  # two expenses and the boards used
            (Decimal(0), Decimal("-100.00")),  # the reversed expense
            (Decimal(0), Decimal(0)),
        ]
        assert [m.label for m in months] == [f"{YEAR}-0{n}" for n in (1, 2, 3, 4)]

    def test_spending_leaves_reversed_expenses_out(self, money):
        rows = charts.fund_categories(money.fund)
        assert {r.label: r.amount for r in rows} == {
            str(Expense.Category.LABOUR.label): Decimal("100.00"),
            str(LedgerEntry.Kind.MATERIAL_USE.label): Decimal("50.00"),
        }

    def test_the_fund_page_include_draws_both_charts_in_two_queries(
        self, money, django_assert_num_queries
    ):
        april = datetime.datetime(YEAR, 4, 15, 9, tzinfo=ZONE)
        with (
            time_machine.travel(april, tick=False),
            translation.override("en"),
            django_assert_num_queries(2),
        ):
            html = render_to_string("funding/reports/_charts.html", {"fund": money.fund})
        assert html.count("<svg") == 2
        assert 'role="img"' in html and "¥1,200.00" in html and "¥100.00" in html
        assert f'id="fund-{money.fund.pk}-months"' in html

    def test_a_fund_with_no_entries_shows_no_charts(self, world):
        money = Money(world)
        assert render_to_string("funding/reports/_charts.html", {"fund": money.fund}).strip() == ""
