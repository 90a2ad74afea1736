"""The street dashboard as .xlsx, for officers who keep their figures in a spreadsheet: the
foundation's money, money per estate and building, applications by stage, reports overdue,
and the donations (with every donor's name: the file is for the foundation's officers, and
says whose names may be published). Text a spreadsheet would run as a formula is
neutralised."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from linju.community.roster.export import neutralise
from linju.donations.models import Donation
from linju.donations.selectors import Dashboard

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(workbook: Any, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(value) for value in row])


def dashboard_xlsx(board: Dashboard) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    _sheet(
        workbook,
        _("Foundation"),
        [_("Figure"), _("Amount (¥)")],
        [
            [_("Donations received"), board.fund.received],
            [_("Paid out"), board.fund.spent],
            [_("Balance"), board.fund.balance],
            [_("Number of donations"), board.donations],
        ],
    )
    money_header = [
        _("Estate"),
        _("Building"),
        _("Raised by residents (¥)"),
        _("Matched (¥)"),
        _("Granted (¥)"),
        _("Paid by the foundation (¥)"),
    ]
    rows: list[list[Any]] = []
    for estate in board.estates:
        m = estate.money
        rows.append([estate.estate.name, _("all"), m.raised, m.matched, m.granted, m.paid])
        for b in estate.buildings:
            rows.append(
                [
                    estate.estate.name,
                    b.label or _("estate-wide"),
                    b.money.raised,
                    b.money.matched,
                    b.money.granted,
                    b.money.paid,
                ]
            )
    _sheet(workbook, _("Per estate and building"), money_header, rows)
    _sheet(
        workbook,
        _("Applications by stage"),
        [_("Stage"), _("Applications")],
        [[label, count] for _status, label, count in board.stages],
    )
    _sheet(
        workbook,
        _("Reports overdue"),
        [_("Estate"), _("Application"), _("Report"), _("Due")],
        [
            [r.estate.name, r.grant.application.title, r.get_kind_display(), r.due_on]
            for r in board.overdue
        ],
    )
    donations = Donation.objects.filter(street=board.street).order_by("receipt_year", "receipt_seq")
    _sheet(
        workbook,
        _("Donations"),
        [
            _("Receipt number"),
            _("Received on"),
            _("Donor"),
            _("Donor kind"),
            _("Name may be published"),
            _("Amount (¥)"),
            _("Purpose"),
        ],
        [
            [
                d.receipt_number,
                d.received_on,
                d.donor_name,
                d.get_donor_kind_display(),
                _("yes") if d.publish_name else _("no"),
                d.amount,
                d.purpose,
            ]
            for d in donations
        ],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
