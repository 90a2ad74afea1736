"""Writes for the foundation's money: setting up its account, recording a donation (income on
the street's chain, with its receipt number), sending the receipt, and recording a grant paid
out (``foundation_grant_paid``, called when a grant is disbursed).

Every service checks permission, validates, writes and audits in one transaction; a refused or
invalid call writes nothing: no ledger entry, no receipt number.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community.models import Street
from linju.core import audit, permissions
from linju.donations.models import Donation, FoundationAccount, ReceiptCounter
from linju.funding import services as funding
from linju.funding.models import Fund

FOUNDATION_FUND_TARGET = Decimal("1000000.00")


def _refuse(message: str, field: str | None = None, code: str = "invalid") -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code=code)]})
    return ValidationError(message, code=code)


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    value = str(value or "").strip()
    if "\x00" in value:
        raise _refuse(_("Enter plain text."), field)
    if required and not value:
        raise _refuse(_("This field is required."), field, "required")
    if len(value) > limit:
        raise _refuse(_("At most %(n)s characters.") % {"n": limit}, field, "too_long")
    return value


def _email(value: Any, field: str = "donor_email") -> str:
    value = _text(value, field, 254)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise _refuse(_("Enter a valid email address."), field) from None
    return value


@transaction.atomic
def foundation_account_create(
    *, actor: Any, street: Street, name: str, credit_code: str = "", treasurer: Any = None
) -> FoundationAccount:
    """Set up a street's foundation on the platform: its name as receipts print it, and the
    street's fund that holds its own money (kept by ``treasurer``, by default the officer)."""
    permissions.require(actor, "create", FoundationAccount(street=street))
    if FoundationAccount.objects.filter(street=street).exists():
        raise _refuse(_("This street's foundation is already set up."), code="exists")
    name = _text(name, "name", 120, required=True)
    credit_code = _text(credit_code, "credit_code", 18).upper()
    if credit_code and not credit_code.isalnum():
        raise _refuse(_("A credit code has 18 letters and digits."), "credit_code")
    fund = funding.street_fund_create(
        actor=actor,
        street=street,
        title=name,
        target=FOUNDATION_FUND_TARGET,
        treasurer=treasurer or actor,
        purpose=_("The foundation's own money: donations in, grants out."),
    )
    account = FoundationAccount.objects.create(
        street=street, name=name, credit_code=credit_code, fund=fund, created_by=actor
    )
    audit.record(actor=actor, action="foundation.setup", target=account)
    return account


def _next_receipt(street: Street, year: int) -> int:
    """The next receipt number of the year, taken under the counter's row lock: a concurrent
    donation waits, and a rolled-back one gives its number back."""
    try:
        with transaction.atomic():
            ReceiptCounter.objects.get_or_create(street=street, year=year)
    except IntegrityError:  # another donation created this year's counter first
        pass
    counter = ReceiptCounter.objects.select_for_update().get(street=street, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def receipt_number(year: int, seq: int) -> str:
    return f"{year}-{seq:05d}"


@transaction.atomic
def donation_record(
    *,
    actor: Any,
    street: Street,
    donor_name: str,
    amount: Any,
    received_on: datetime.date,
    method: str,
    donor_kind: str = Donation.DonorKind.PERSON,
    reference: str = "",
    purpose: str = "",
    publish_name: bool = False,
    donor_email: str = "",
) -> Donation:
    """Record money given to the street's foundation: a contribution entry on the street's
    chain (showing the donor's name only with their consent) and a receipt number, the next
    of the year the money was received, without gaps."""
    account = FoundationAccount.objects.filter(street=street).select_related("fund").first()
    permissions.require(actor, "record", Donation(street=street))
    if account is None:
        raise _refuse(_("Set up the foundation's account first."), code="no_account")
    donor_name = _text(donor_name, "donor_name", 100, required=True)
    if donor_kind not in Donation.DonorKind.values:
        raise _refuse(_("Say whether the donor is a person or an organisation."), "donor_kind")
    if method not in Donation.Method.values:
        raise _refuse(_("Choose how the money was received."), "method")
    if not isinstance(received_on, datetime.date):
        raise _refuse(_("Enter the date the money was received."), "received_on")
    if received_on > timezone.localdate():
        raise _refuse(_("The money cannot have been received in the future."), "received_on")
    purpose = _text(purpose, "purpose", 120)
    email = _email(donor_email)
    entry = funding.foundation_income_record(
        actor=actor,
        fund=account.fund,
        amount=amount,
        method=method,
        reference=reference,
        description=purpose,
        donor=donor_name[:60] if publish_name else "",
    )
    year = received_on.year
    seq = _next_receipt(street, year)
    donation = Donation.objects.create(
        street=street,
        account=account,
        donor_name=donor_name,
        donor_kind=donor_kind,
        donor_email=email,
        amount=entry.amount,
        received_on=received_on,
        method=method,
        reference=entry.reference,
        purpose=purpose,
        publish_name=bool(publish_name),
        receipt_year=year,
        receipt_seq=seq,
        receipt_number=receipt_number(year, seq),
        token=secrets.token_hex(16),
        entry=entry,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="donation.record",
        target=donation,
        changes={
            "amount": [None, str(donation.amount)],
            "receipt": [None, donation.receipt_number],
        },
    )
    return donation


@transaction.atomic
def receipt_send(
    *, actor: Any, donation: Donation, email: str = "", site_url: str = ""
) -> Donation:
    """Email the donation receipt (PDF) to the donor, after the transaction commits."""
    from linju.donations import pdf

    permissions.require(actor, "view", donation)
    donation = Donation.objects.select_for_update().select_related("account").get(pk=donation.pk)
    address = _email(email or donation.donor_email, "email")
    if not address:
        raise _refuse(_("Give the donor's email address."), "email", "required")
    document = pdf.receipt_pdf(donation=donation, site_url=site_url)
    message = EmailMessage(
        subject=_("Donation receipt %(number)s from %(foundation)s")
        % {"number": donation.receipt_number, "foundation": donation.account.name},
        body=_("Thank you for your donation. Your receipt is attached."),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    message.attach(pdf.file_name(donation), document, "application/pdf")
    donation.receipt_sent_at = timezone.now()
    donation.receipt_sent_to = address
    donation.save(update_fields=["receipt_sent_at", "receipt_sent_to"])
    audit.record(actor=actor, action="donation.receipt_sent", target=donation)
    transaction.on_commit(lambda: message.send(fail_silently=False), robust=True)
    return donation


def foundation_fund(street: Street) -> Fund | None:
    account = FoundationAccount.objects.filter(street=street).select_related("fund").first()
    return account.fund if account else None


@transaction.atomic
def foundation_grant_paid(*, actor: Any, street: Street, amount: Any, grant: Any) -> Any:
    """Record a grant's payment as money out of the street foundation's own fund (an expense
    entry on the street's chain naming the project). A street whose foundation has no account
    here keeps its books elsewhere: nothing is recorded and None is returned. Refused (nothing
    written) when the fund holds less than ``amount``."""
    fund = foundation_fund(street)
    if fund is None:
        return None
    application = grant.application
    payee = application.title
    if getattr(application, "building", None) is not None:
        payee = f"{application.estate.name} {application.building.number} · {payee}"
    return funding.foundation_outflow_record(
        actor=actor,
        fund=fund,
        amount=amount,
        payee=payee[:120],
        description=_("grant %(id)s") % {"id": grant.pk},
    )
