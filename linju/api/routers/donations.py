"""The foundation's money for the mini-program: a street foundation's donations (list, record)
and its dashboard's figures. Thin over the donations selectors and services; foundation
officers of the street only; to anyone else the street's foundation is the same 404 as a
missing one."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from linju.api.api import bearer
from linju.api.schemas import ErrorOut
from linju.community.models import Street
from linju.core import permissions
from linju.donations import selectors, services
from linju.donations.models import Donation

router = Router(auth=bearer)
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}


class DonationIn(Schema):
    donor_name: str
    donor_kind: str = Donation.DonorKind.PERSON
    amount: str
    received_on: datetime.date
    method: str
    reference: str = ""
    purpose: str = ""
    publish_name: bool = False
    donor_email: str = ""


class DonationOut(Schema):
    id: int
    receipt_number: str
    donor_name: str
    donor_kind: str
    publish_name: bool
    amount: str
    received_on: datetime.date
    method: str
    purpose: str
    ledger_seq: int
    receipt_pdf: str


class MoneyOut(Schema):
    raised: str
    matched: str
    granted: str
    paid: str


class BuildingFiguresOut(Schema):
    building: str | None
    money: MoneyOut


class EstateFiguresOut(Schema):
    estate: str
    name: str
    money: MoneyOut
    buildings: list[BuildingFiguresOut]


class StageOut(Schema):
    status: str
    label: str
    count: int


class OverdueOut(Schema):
    estate: str
    application: str
    kind: str
    due_on: datetime.date


class DashboardOut(Schema):
    street: str
    foundation: str | None
    donations: int
    received: str
    paid_out: str
    balance: str
    estates: list[EstateFiguresOut]
    total: MoneyOut
    stages: list[StageOut]
    overdue: list[OverdueOut]


def _street(request: HttpRequest, slug: str) -> Street:
    street = Street.objects.filter(slug=slug).first()
    if street is None or not permissions.can(
        request.user, "view_dashboard", street, model="foundation_account"
    ):
        raise Http404
    return street


def _donation(request: HttpRequest, d: Donation) -> dict[str, Any]:
    from django.urls import reverse

    return {
        "id": d.pk,
        "receipt_number": d.receipt_number,
        "donor_name": d.donor_name,
        "donor_kind": d.donor_kind,
        "publish_name": d.publish_name,
        "amount": str(d.amount),
        "received_on": d.received_on,
        "method": d.method,
        "purpose": d.purpose,
        "ledger_seq": d.entry.seq,
        "receipt_pdf": reverse("foundation_receipt_pdf", args=[d.street.slug, d.pk]),
    }


def _money(m: selectors.Money) -> dict[str, str]:
    return {
        "raised": str(m.raised),
        "matched": str(m.matched),
        "granted": str(m.granted),
        "paid": str(m.paid),
    }


@router.get(
    "/{street}/foundation/donations",
    url_name="foundation_donations",
    response={200: list[DonationOut], **READ_ERRORS},
)
def donation_list(request: HttpRequest, street: str):
    """The street foundation's donations, newest receipt first, with donors' names (officers
    only) and whether each donor agreed to publication."""
    place = _street(request, street)
    rows = selectors.donation_list(actor=request.user, street=place).select_related("street")
    return [_donation(request, d) for d in rows]


@router.post(
    "/{street}/foundation/donations",
    url_name="foundation_donation_create",
    response={201: DonationOut, **WRITE_ERRORS},
)
def donation_create(request: HttpRequest, street: str, payload: DonationIn):
    """Record a donation: it is entered on the foundation's ledger and gets the next receipt
    number of the year."""
    place = _street(request, street)
    donation = services.donation_record(actor=request.user, street=place, **payload.dict())
    return Status(201, _donation(request, donation))


@router.get(
    "/{street}/foundation/dashboard",
    url_name="foundation_dashboard",
    response={200: DashboardOut, **READ_ERRORS},
)
def dashboard(request: HttpRequest, street: str):
    """The street dashboard's figures: the foundation's money; money raised, matched, granted
    and paid per estate and building; applications by stage; reports overdue."""
    board = selectors.dashboard(actor=request.user, street=_street(request, street))
    return {
        "street": board.street.slug,
        "foundation": board.account.name if board.account else None,
        "donations": board.donations,
        "received": str(board.fund.received),
        "paid_out": str(board.fund.spent),
        "balance": str(board.fund.balance),
        "estates": [
            {
                "estate": row.estate.slug,
                "name": row.estate.name,
                "money": _money(row.money),
                "buildings": [
                    {"building": b.label or None, "money": _money(b.money)} for b in row.buildings
                ],
            }
            for row in board.estates
        ],
        "total": _money(board.total),
        "stages": [
            {"status": status, "label": label, "count": count}
            for status, label, count in board.stages
        ],
        "overdue": [
            {
                "estate": r.estate.slug,
                "application": r.grant.application.title,
                "kind": r.kind,
                "due_on": r.due_on,
            }
            for r in board.overdue
        ],
    }
