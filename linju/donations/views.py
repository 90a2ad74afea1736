"""Pages of a street foundation's money (``s/<street>/foundation/…``): setting up its account,
its donations and receipts, its fund's ledger, and the street dashboard with its .xlsx.

Foundation officers of the street use them; to anyone else each page is the same 404 as a
missing one, and a visitor who is not signed in is sent to sign in. The receipt check page
behind a receipt's QR code is open to whoever holds the receipt.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linju.community.models import Street
from linju.core import audit, permissions
from linju.core.http import form_errors, posted
from linju.donations import charts, exports, pdf, selectors, services
from linju.donations.forms import AccountForm, DonationForm, SendForm
from linju.donations.models import FoundationAccount
from linju.funding.models import LedgerEntry
from linju.funding.selectors import ledger_head
from linju.funding.views.common import figures_for

ENTRIES_SHOWN = 200


def _street(request: HttpRequest, slug: str, action: str = "view_dashboard") -> Street:
    street = selectors.street_get(slug=slug)
    if not permissions.can(request.user, action, street, model="foundation_account"):
        raise Http404
    return street


def _account(street: Street) -> FoundationAccount:
    account = selectors.account_for(street=street)
    if account is None:
        raise Http404
    return account


@login_required
@require_http_methods(["GET", "POST"])
def account_setup_view(request: HttpRequest, street_slug: str) -> HttpResponse:
    street = _street(request, street_slug)
    if selectors.account_for(street=street) is not None:
        return redirect("foundation_dashboard", street_slug=street.slug)
    form = AccountForm(posted(request))
    if form.is_valid():
        try:
            services.foundation_account_create(
                actor=request.user, street=street, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("foundation_dashboard", street_slug=street.slug)
    status = 422 if request.method == "POST" else 200
    return render(request, "donations/setup.html", {"street": street, "form": form}, status=status)


@login_required
def dashboard_view(request: HttpRequest, street_slug: str) -> HttpResponse:
    street = _street(request, street_slug)
    board = selectors.dashboard(actor=request.user, street=street)
    context = {"street": street, "board": board, "charts": charts.dashboard_charts(board)}
    return render(request, "donations/dashboard.html", context)


@login_required
def dashboard_xlsx_view(request: HttpRequest, street_slug: str) -> HttpResponse:
    street = _street(request, street_slug)
    board = selectors.dashboard(actor=request.user, street=street)
    audit.record_security(
        user=request.user, event="foundation.dashboard_export", detail=street.slug
    )
    response = HttpResponse(exports.dashboard_xlsx(board), content_type=exports.XLSX_TYPE)
    name = _("foundation dashboard %(street)s.xlsx") % {"street": street.name}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def fund_view(request: HttpRequest, street_slug: str) -> HttpResponse:
    street = _street(request, street_slug)
    account = _account(street)
    entries = (
        LedgerEntry.objects.filter(street=street, fund=account.fund)
        .select_related("donation")
        .order_by("-seq")[:ENTRIES_SHOWN]
    )
    context = {
        "street": street,
        "account": account,
        "entries": entries,
        "head": ledger_head(street=street),
        "figures": figures_for([account.fund_id])[account.fund_id],
    }
    return render(request, "donations/fund.html", context)


@login_required
def donation_list_view(request: HttpRequest, street_slug: str) -> HttpResponse:
    street = _street(request, street_slug)
    context = {
        "street": street,
        "account": selectors.account_for(street=street),
        "donations": selectors.donation_list(actor=request.user, street=street),
    }
    return render(request, "donations/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def donation_create_view(request: HttpRequest, street_slug: str) -> HttpResponse:
    street = _street(request, street_slug)
    account = _account(street)
    form = DonationForm(posted(request))
    if form.is_valid():
        try:
            donation = services.donation_record(
                actor=request.user, street=street, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, _("Recorded. Receipt %(number)s.") % {"number": donation.receipt_number}
            )
            return redirect("foundation_donations", street_slug=street.slug)
    status = 422 if request.method == "POST" else 200
    context = {"street": street, "account": account, "form": form}
    return render(request, "donations/record.html", context, status=status)


@login_required
def receipt_pdf_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    street = _street(request, street_slug)
    donation = selectors.donation_get(actor=request.user, street=street, donation_id=pk)
    document = pdf.receipt_pdf(donation=donation, site_url=request.build_absolute_uri("/"))
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(pdf.file_name(donation))}"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def receipt_send_view(request: HttpRequest, street_slug: str, pk: int) -> HttpResponse:
    street = _street(request, street_slug)
    donation = selectors.donation_get(actor=request.user, street=street, donation_id=pk)
    form = SendForm(posted(request), initial={"email": donation.donor_email})
    if form.is_valid():
        try:
            services.receipt_send(
                actor=request.user,
                donation=donation,
                email=form.cleaned_data["email"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The receipt is on its way."))
            return redirect("foundation_donations", street_slug=street.slug)
    status = 422 if request.method == "POST" else 200
    context = {"street": street, "donation": donation, "form": form}
    return render(request, "donations/send.html", context, status=status)


def receipt_check_view(request: HttpRequest, street_slug: str, token: str) -> HttpResponse:
    street = selectors.street_get(slug=street_slug)
    donation = selectors.donation_by_token(street=street, token=token)
    return render(request, "donations/check.html", {"street": street, "donation": donation})
