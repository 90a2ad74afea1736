"""Building 17's stairwell fund in the demo estate, made through the same services as real ones.

"17号楼 楼道微更新": resident17 keeps the accounts; 万里街道 matches what residents give 1:1, up
to ¥10,000, once they have given ¥500. Residents pledged money and leftover materials from
their own renovations (floor boards, basement tiles, marble, each with a photo); the treasurer
recorded what arrived (cash, WeChat and Alipay transfers with their references); the matching
grant followed by itself; two expenses were approved by a second person (the larger one by the
group leader too) with their receipts; and one contribution typed in twice was reversed with
its reason. Every entry is in the estate's hash chain, which ``linju verify-ledger`` checks.
"""

from __future__ import annotations

import datetime
import io
import itertools
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from linju.community.models import Building, Estate
from linju.funding import services
from linju.funding.models import Expense, Fund, LedgerEntry, Pledge

TITLE = "17号楼 楼道微更新"
PURPOSE = (
    "经17号楼楼组议事会讨论：粉刷楼道墙面、加装扶手、更换感应灯，地下室入口铺设防滑地砖。"
    "居民自筹，万里街道按1:1配捐（居民筹满500元后启动，最多10,000元）。"
    "欢迎捐出自家装修剩余的材料（地板、瓷砖、大理石）。"
)


def _picture(size: tuple[int, int], colour: str, lines: str = "#ffffff", every: int = 12) -> bytes:
    """A small generated PNG: a coloured surface with lines (boards, tiles, a receipt's rows)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for y in range(every, size[1], every):
        draw.line([(4, y), (size[0] - 4, y)], fill=lines, width=1)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _photo(name: str, colour: str, lines: str, every: int = 12) -> ContentFile:
    return ContentFile(_picture((96, 64), colour, lines, every), name=f"{name}.png")


def _receipt(name: str) -> ContentFile:
    return ContentFile(_picture((64, 96), "#fbfaf6", "#8a8a8a", 8), name=f"{name}.png")


@contextmanager
def _last_month():
    """Let the services' clock read last month, advancing a little at each reading, so the
    fund's entries fall in an ended month and its monthly disclosure report can be made (the
    ledger's times are set by the services and hashed; they are never rewritten afterwards)."""
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=8)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time(9, 0)))
    ticks = itertools.count()

    def now() -> datetime.datetime:
        return start + datetime.timedelta(minutes=23 * next(ticks))

    with mock.patch("django.utils.timezone.now", now):
        yield start


@transaction.atomic
def demo_funding(estate: Estate) -> Fund:
    """The fund, made last month; then last month's disclosure report (PDF and .xlsx, with
    the chain head) is made as the worker would on the 1st."""
    with _last_month() as start:
        fund = _fund(estate)
    # Rows whose time is a model default (taken before the clock was set back) get theirs.
    Fund.objects.filter(pk=fund.pk).update(created_at=start)
    Pledge.objects.filter(fund=fund).update(created_at=start)
    Expense.objects.filter(fund=fund).update(recorded_at=start + datetime.timedelta(days=2))
    from linju.funding.reports import MONTH, last_ended, report_make

    report_make(
        actor=None,
        estate=estate,
        period=MONTH,
        starts_on=last_ended(MONTH, timezone.localdate()),
    )
    return fund


def _fund(estate: Estate) -> Fund:
    users = get_user_model().objects
    staff = users.get(username="staff")
    treasurer = users.get(username="resident17")
    leader = users.get(username="leader17")
    b17 = Building.objects.get(estate=estate, number="17")

    fund = services.fund_create(
        actor=leader,
        estate=estate,
        building=b17,
        title=TITLE,
        purpose=PURPOSE,
        target="12000",
        treasurer=treasurer,
        match_source="万里街道",
        match_ratio="1",
        match_cap="10000",
        match_after="500",
        leader_approval_over="2000",
    )

    # Pledges: money, and materials left over from the pledgers' own renovations.
    leader_money = services.pledge_create(
        actor=leader, fund=fund, kind=Pledge.Kind.MONEY, amount="800", shown_as=Pledge.Shown.NAME
    )
    own_money = services.pledge_create(
        actor=treasurer, fund=fund, kind=Pledge.Kind.MONEY, amount="500"
    )
    boards = services.pledge_create(
        actor=leader,
        fund=fund,
        kind=Pledge.Kind.MATERIAL,
        description="实木地板（装修剩余，未拆封）",
        quantity="12",
        unit="m²",
        estimated_value="1200",
        photo=_photo("floor-boards", "#a0703c", "#6b4423"),
    )
    tiles = services.pledge_create(
        actor=treasurer,
        fund=fund,
        kind=Pledge.Kind.MATERIAL,
        description="防滑地砖（用于地下室入口）",
        quantity="40",
        unit="片",
        estimated_value="400",
        photo=_photo("basement-tiles", "#9a9a94", "#5f5f5a", 16),
        shown_as=Pledge.Shown.ANONYMOUS,
    )
    marble = services.pledge_create(
        actor=leader,
        fund=fund,
        kind=Pledge.Kind.MATERIAL,
        description="大理石台面边角料（做楼道窗台）",
        quantity="3",
        unit="块",
        estimated_value="600",
        photo=_photo("marble", "#ecebe6", "#b9b6ad", 20),
    )

    # What actually arrived, as the treasurer recorded it.
    def give(amount: str, method: str, reference: str = "", **values: Any) -> LedgerEntry:
        return services.contribution_record(
            actor=treasurer, fund=fund, amount=amount, method=method, reference=reference, **values
        )

    give("500", LedgerEntry.Method.WECHAT, "4200002026110100017501", pledge=own_money)
    give("800", LedgerEntry.Method.ALIPAY, "2026110122001417170800", pledge=leader_money)
    give("300", LedgerEntry.Method.CASH, description="楼道门口现场收款")
    transfer = give("200", LedgerEntry.Method.WECHAT, "4200002026110300017502")
    twice = give("200", LedgerEntry.Method.CASH)
    give("650", LedgerEntry.Method.WECHAT, "4200002026110500017503")
    give("1000", LedgerEntry.Method.BANK, "62170017202611060001")
    services.entry_reverse(
        actor=treasurer,
        entry=twice,
        reason=f"重复登记：这笔钱就是第{transfer.seq}号微信转账",
    )
    for pledge, value in ((boards, "1200"), (tiles, "400"), (marble, "600")):
        services.material_receive(
            actor=treasurer, fund=fund, description="", value=value, pledge=pledge
        )
    services.material_use(
        actor=treasurer, fund=fund, description="地下室入口铺设防滑地砖", value="400"
    )

    # Two expenses, each approved by a second person; the larger one by the leader too.
    paint = services.expense_record(
        actor=treasurer,
        fund=fund,
        payee="上海普陀万里建材商行",
        amount="1650.00",
        category="materials",
        method="wechat",
        note="内墙乳胶漆、扶手",
        receipt=_receipt("receipt-paint"),
    )
    services.expense_approve(actor=staff, expense=paint)
    labour = services.expense_record(
        actor=treasurer,
        fund=fund,
        payee="上海安居楼道修缮工作室",
        amount="2800.00",
        category="labour",
        method="bank",
        note="墙面粉刷及扶手安装人工",
        receipt=_receipt("receipt-labour"),
    )
    services.expense_approve(actor=staff, expense=labour)
    services.expense_approve(actor=leader, expense=labour)
    return fund
