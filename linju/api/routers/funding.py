"""Funds for the mini-program: an estate's funds with their figures, one fund with its chain
head, its every entry, and the money-writing calls (a pledge, money received, an expense with
its receipt). Thin over the funding selectors and services.

Members of the estate read its funds; when the estate has made its board public, anyone does,
and a caller who is not a member gets no personal data (no donor, no transfer reference). A
caller without a token gets 401 for funds that are not public; a signed-in outsider the same
404 as for a missing fund.

Money-writing calls accept an ``Idempotency-Key`` header: a client that did not hear the answer
sends the same request again with the same key, and gets the first answer again (same status
and body, with ``Idempotent-Replayed: true``) instead of a second write.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Status
from ninja.errors import AuthenticationError
from ninja.files import UploadedFile

from linju.api.api import bearer, optional_bearer
from linju.api.schemas import (
    ContributionIn,
    EntriesOut,
    EntryQuery,
    ErrorOut,
    ExpenseIn,
    ExpenseOut,
    FundItemOut,
    FundOut,
    FundQuery,
    LedgerEntryOut,
    LedgerHeadOut,
    MatchingOut,
    PledgeIn,
    PledgeOut,
)
from linju.community import selectors as community_selectors
from linju.community.models import Estate
from linju.core import permissions
from linju.funding import chain, idempotency, selectors, services
from linju.funding.forms import BAD_RECEIPT, file_kind, renamed
from linju.funding.models import Expense, Fund, LedgerEntry, Pledge
from linju.funding.views.common import Figures, figures_for, shows_personal

router = Router(auth=optional_bearer)
# 400: a query carrying a NUL character is refused before any view runs.
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut}
MAX_ID = 2**63 - 1
REPLAYED = "Idempotent-Replayed"
KEY_DOC = (
    " Send an `Idempotency-Key` header (8 to 80 letters, digits or `._:-`; a UUID fits) to make "
    "the call safe to retry: the same key from the same account gets the first answer again, "
    f"with `{REPLAYED}: true`, and nothing is written twice. A key already used for another "
    "call is refused (422)."
)


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _yuan(value: Decimal) -> str:
    return str(Decimal(value).quantize(chain.CENTS))


def _money(value: Decimal | None) -> str | None:
    return None if value is None else _yuan(value)


def _readable(request: HttpRequest, estate: Estate) -> Estate:
    if not permissions.can(request.user, "view", estate, model="fund"):
        if not request.user.is_authenticated:
            raise AuthenticationError
        raise Http404
    return estate


def _fund(request: HttpRequest, fund_id: int) -> Fund:
    """The fund if the caller may see it; missing, hidden and foreign give the same 404 (401
    without a token when its estate's funds are not public)."""
    estate = Estate.objects.filter(funds__pk=fund_id).first() if 0 < fund_id <= MAX_ID else None
    if estate is None:
        raise Http404
    _readable(request, estate)
    return selectors.fund_get(actor=request.user, estate=estate, fund_id=fund_id)


def _figures(figures: Figures) -> dict[str, str | None]:
    return {
        "received": _money(figures.received),
        "matched": _money(figures.matched),
        "spent": _money(figures.spent),
        "balance": _money(figures.balance),
        "materials_received": _money(figures.materials_received),
        "materials_used": _money(figures.materials_used),
        "materials": _money(figures.materials),
    }


def _item(fund: Fund, figures: Figures) -> dict[str, Any]:
    return {
        "id": fund.pk,
        "estate": fund.home.slug,
        "building": fund.building.number if fund.building else None,
        "title": fund.title,
        "status": fund.status,
        "status_label": fund.get_status_display(),
        "currency": fund.currency,
        "target": _money(fund.target),
        "figures": _figures(figures),
    }


def _entry(entry: LedgerEntry, *, personal: bool) -> dict[str, Any]:
    reversed_by = getattr(entry, "reversed_by", None)
    donor: str | None = entry.donor
    if not personal and entry.kind != LedgerEntry.Kind.MATCH:
        donor = None
    return {
        "seq": entry.seq,
        "fund": entry.fund_id,
        "kind": entry.kind,
        "kind_label": entry.get_kind_display(),
        "amount": _money(entry.amount),
        "method": entry.method,
        "method_label": entry.get_method_display(),
        "reference": entry.reference if personal else "",
        "description": entry.description,
        "donor": donor,
        "reverses": entry.reverses.seq if entry.reverses_id and entry.reverses else None,
        "reversed_by": reversed_by.seq if reversed_by is not None else None,
        "reason": entry.reason,
        "expense": entry.expense_id,
        "recorded_at": entry.recorded_at.isoformat(),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _pledge(pledge: Pledge) -> dict[str, Any]:
    return {
        "id": pledge.pk,
        "fund": pledge.fund_id,
        "kind": pledge.kind,
        "amount": _money(pledge.amount),
        "description": pledge.description,
        "quantity": _money(pledge.quantity),
        "unit": pledge.unit,
        "estimated_value": _money(pledge.estimated_value),
        "shown_as": pledge.shown_as,
        "status": pledge.status,
        "created_at": pledge.created_at.isoformat(),
    }


def _expense(expense: Expense) -> dict[str, Any]:
    return {
        "id": expense.pk,
        "fund": expense.fund_id,
        "payee": expense.payee,
        "amount": _money(expense.amount),
        "category": expense.category,
        "method": expense.method,
        "status": expense.status,
        "needs_leader": services.needs_leader(expense),
        "recorded_at": expense.recorded_at.isoformat(),
    }


def _once(
    request: HttpRequest, response: HttpResponse, fund: Fund, raw_key: str | None, what: str, write
) -> Status:
    key = idempotency.clean_key(raw_key)
    status, body, replayed = idempotency.once(
        user=request.user,
        estate_id=fund.home.pk,
        key=key,
        endpoint=f"POST /api/funds/{fund.pk}/{what}",
        write=write,
    )
    if replayed:
        response[REPLAYED] = "true"
    return Status(status, body)


@router.get(
    "",
    response={200: list[FundItemOut], **READ_ERRORS},
    summary="An estate's funds (or a building's and the whole estate's), with their figures",
    description=(
        "Every figure is summed from the ledger's entries, each net of its reversals. 401 "
        "without a token when the estate's funds are not public."
    ),
)
def fund_list(request: HttpRequest, filters: Query[FundQuery]):
    estate = _readable(request, community_selectors.estate_get(slug=filters.estate))
    shown = selectors.fund_list(actor=request.user, estate=estate).select_related("estate")
    if filters.building:
        shown = shown.filter(Q(building__number=filters.building) | Q(building__isnull=True))
    funds = list(shown.order_by("status", "-created_at", "-pk"))
    figures = figures_for(f.pk for f in funds)
    return [FundItemOut(**_item(f, figures[f.pk])) for f in funds]


@router.get(
    "/{fund_id}",
    response={200: FundOut, **READ_ERRORS},
    summary="A fund: its figures, matching rule, pledges and the estate's chain head",
    description=(
        "`head` is the end of the estate's hash chain (entry count and SHA-256), as printed on "
        "every disclosure report: a later head must extend it, or history was rewritten."
    ),
)
def fund_detail(request: HttpRequest, fund_id: int):
    fund = _fund(request, fund_id)
    figures = figures_for([fund.pk])[fund.pk]
    pledged = (
        Pledge.objects.filter(fund=fund)
        .exclude(status=Pledge.Status.WITHDRAWN)
        .aggregate(
            money=Sum("amount", filter=Q(kind=Pledge.Kind.MONEY)),
            materials=Count("pk", filter=Q(kind=Pledge.Kind.MATERIAL)),
        )
    )
    head = selectors.ledger_head(estate=fund.estate)
    matching = None
    if fund.has_matching:
        matching = MatchingOut(
            source=fund.match_source,
            ratio=_yuan(fund.match_ratio),
            cap=_yuan(fund.match_cap),
            after=_yuan(fund.match_after),
        )
    return FundOut(
        **_item(fund, figures),
        purpose=fund.purpose,
        matching=matching,
        leader_approval_over=_yuan(fund.leader_approval_over),
        pledged_money=_yuan(pledged["money"] or Decimal(0)),
        pledged_materials=pledged["materials"],
        head=LedgerHeadOut(
            count=head.count if head else 0, hash=head.hash if head else chain.GENESIS
        ),
    )


@router.get(
    "/{fund_id}/entries",
    response={200: EntriesOut, **READ_ERRORS},
    summary="A fund's ledger entries in chain order",
    description=(
        "Entries are never changed or deleted; a correction is a `reversal` naming the entry it "
        "reverses (`reverses`) and why (`reason`). `donor` and `reference` are given to members "
        'of the estate only (a donor as they agreed to be shown: flat number, name, or "" for '
        "anonymous)."
    ),
)
def fund_entries(request: HttpRequest, fund_id: int, page: Query[EntryQuery]):
    fund = _fund(request, fund_id)
    personal = shows_personal(request.user, fund.home)
    entries = (
        LedgerEntry.objects.filter(fund=fund)
        .select_related("reverses", "reversed_by")
        .order_by("seq")
    )
    return EntriesOut(
        fund=fund.pk,
        total=entries.count(),
        entries=[
            LedgerEntryOut(**_entry(e, personal=personal))
            for e in entries[page.offset : page.offset + page.limit]
        ],
    )


@router.post(
    "/{fund_id}/pledges",
    auth=bearer,
    response={201: PledgeOut, **WRITE_ERRORS},
    summary="Pledge money or materials to a fund (residents of the estate)",
    description=(
        "`kind` money needs `amount`; materials need `description` (and may give `quantity`, "
        "`unit` and `estimated_value`). `shown_as`: flat (the default), name or anonymous; a "
        "name is published only by this choice." + KEY_DOC
    ),
)
def pledge_create(
    request: HttpRequest,
    fund_id: int,
    payload: PledgeIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),  # type: ignore[assignment]
):
    fund = _fund(request, fund_id)

    def write() -> tuple[int, dict[str, Any]]:
        pledge = services.pledge_create(actor=request.user, fund=fund, **payload.model_dump())
        return 201, _pledge(pledge)

    return _once(request, response, fund, idempotency_key, "pledges", write)


@router.post(
    "/{fund_id}/contributions",
    auth=bearer,
    response={201: LedgerEntryOut, **WRITE_ERRORS},
    summary="Record money received (the fund's treasurer, committee staff)",
    description=(
        "`method`: cash, bank, wechat or alipay; a transfer needs its `reference`, which can be "
        "recorded once per estate. `pledge` links the money to a pledge of this fund. Matching "
        "follows automatically as its own entry." + KEY_DOC
    ),
)
def contribution_create(
    request: HttpRequest,
    fund_id: int,
    payload: ContributionIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),  # type: ignore[assignment]
):
    fund = _fund(request, fund_id)

    def write() -> tuple[int, dict[str, Any]]:
        pledge = None
        if payload.pledge is not None:
            pledge = Pledge.objects.filter(fund=fund, pk=payload.pledge).first()
            if pledge is None:
                raise ValidationError({"pledge": [_("This fund has no such pledge.")]})
        entry = services.contribution_record(
            actor=request.user,
            fund=fund,
            amount=payload.amount,
            method=payload.method,
            reference=payload.reference,
            pledge=pledge,
            description=payload.description,
        )
        return 201, _entry(entry, personal=True)

    return _once(request, response, fund, idempotency_key, "contributions", write)


@router.post(
    "/{fund_id}/expenses",
    auth=bearer,
    response={201: ExpenseOut, **WRITE_ERRORS},
    summary="Record an expense with its receipt (the fund's treasurer, committee staff)",
    description=(
        "Sent as `multipart/form-data`: the fields and `receipt`, a photo (JPEG or PNG) or a "
        "PDF of up to 10 MB. The expense waits for a second person's approval (and the group "
        "leader's above the fund's limit) before it reaches the ledger; approvals are given on "
        "the console pages. An expense above the balance needs `overdraft_reason`, which is "
        "published with it." + KEY_DOC
    ),
)
def expense_create(
    request: HttpRequest,
    fund_id: int,
    payload: Form[ExpenseIn],
    receipt: File[UploadedFile],
    response: HttpResponse,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),  # type: ignore[assignment]
):
    fund = _fund(request, fund_id)

    permissions.require(request.user, "record", fund)

    def write() -> tuple[int, dict[str, Any]]:
        try:
            kind = file_kind(receipt, pdf=True, refusal=BAD_RECEIPT)
        except ValidationError as exc:
            raise ValidationError({"receipt": exc.messages}) from None
        expense = services.expense_record(
            actor=request.user,
            fund=fund,
            receipt=renamed(receipt, "receipt", kind),
            **payload.model_dump(),
        )
        return 201, _expense(expense)

    return _once(request, response, fund, idempotency_key, "expenses", write)
