"""Forms parse what people type; the services decide whether it is allowed and valid.

Amounts are taken as typed (text) and judged by ``services.clean_amount``, so every page and the
API refuse a bad amount with the same message.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from linju.community.models import Building, Estate
from linju.core import permissions
from linju.core.phones import normalise_phone
from linju.funding.models import Expense, Fund, LedgerEntry, Pledge

MAX_FILE_BYTES = 10 * 1024 * 1024
AMOUNT_MAX_LENGTH = 20
RECEIVED_BY = [
    (LedgerEntry.Method.CASH, _("cash")),
    (LedgerEntry.Method.WECHAT, _("WeChat transfer")),
    (LedgerEntry.Method.ALIPAY, _("Alipay transfer")),
    (LedgerEntry.Method.BANK, _("bank transfer")),
]
BAD_PHOTO = _("Attach a photo (JPEG or PNG).")
BAD_RECEIPT = _("Attach a photo (JPEG or PNG) or a PDF of the receipt or invoice.")
# What an uploaded file really holds → the extension and type it is stored and served as.
FILE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


def file_kind(upload: UploadedFile, *, pdf: bool, refusal: Any) -> str:
    """ "jpg", "png" (or "pdf" where allowed) by what the file really holds, not its name or
    declared type; ValidationError for anything else, a damaged image or a file over 10 MB."""
    if upload.size is None or upload.size > MAX_FILE_BYTES:
        raise forms.ValidationError(_("The file is larger than 10 MB."), code="too_big")
    upload.seek(0)
    head = upload.read(8)
    kind = ""
    if pdf and head.startswith(b"%PDF-"):
        upload.seek(max(0, upload.size - 1024))
        if b"%%EOF" in upload.read():
            kind = "pdf"
    elif head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        from PIL import Image

        upload.seek(0)
        try:
            with Image.open(upload) as image:
                image.verify()
                kind = {"JPEG": "jpg", "PNG": "png"}.get(image.format or "", "")
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            kind = ""
    upload.seek(0)
    if not kind:
        raise forms.ValidationError(refusal, code="not_a_photo")
    return kind


def renamed(upload: UploadedFile, stem: str, kind: str) -> UploadedFile:
    """The upload under a name of our own: the person's file name is never stored or served."""
    upload.name = f"{stem}.{kind}"
    return upload


def amount_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=AMOUNT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class BuildingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(_("Building %(number)s") % {"number": obj.number})


def buildings_for(actor: Any, estate: Estate) -> list[Building]:
    """The buildings of ``estate`` the actor may open a fund for."""
    return [
        b
        for b in Building.objects.filter(estate=estate).order_by("sort_key", "number")
        if permissions.can(actor, "create", Fund(estate=estate, building=b))
    ]


class FundForm(forms.Form):
    """A new fund: its place, purpose, target, treasurer and matching rule."""

    building = BuildingChoiceField(
        label=_("For"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("The whole estate"),
    )
    title = forms.CharField(label=_("Title"), max_length=120, help_text=_("e.g. 17号楼 楼道微更新"))
    purpose = forms.CharField(
        label=_("What the money is for"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    target = amount_field(_("Target (¥)"))
    treasurer = forms.CharField(
        label=_("Treasurer's account"),
        max_length=150,
        help_text=_("Sign-in name or phone number of the person who keeps the accounts."),
    )
    match_source = forms.CharField(
        label=_("Matched by"),
        required=False,
        max_length=80,
        help_text=_(
            "Who adds money to what residents give, e.g. the street. Leave empty if nobody does."
        ),
    )
    match_ratio = amount_field(
        _("Matching per ¥1 given"), required=False, help_text=_("e.g. 1 for one yuan per yuan")
    )
    match_cap = amount_field(_("Matching up to (¥)"), required=False)
    match_after = amount_field(_("Matching starts once residents have given (¥)"), required=False)
    leader_approval_over = amount_field(
        _("Expenses above this also need the group leader (¥)"), required=False
    )

    def __init__(self, *args: Any, actor: Any, estate: Estate, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"leader_approval_over": "2000"})
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["building"])
        field.queryset = Building.objects.filter(
            pk__in=[b.pk for b in buildings_for(actor, estate)]
        ).order_by("sort_key", "number")
        if not permissions.can(actor, "create", Fund(estate=estate)):
            field.required = True
            field.empty_label = None
            field.help_text = _("You open funds for the building you lead.")

    def clean_treasurer(self) -> Any:
        value = self.cleaned_data["treasurer"].strip()
        user_model = get_user_model()
        user = user_model.objects.filter(username=value, is_active=True).first()
        if user is None and (phone := normalise_phone(value)):
            user = user_model.objects.filter(phone=phone, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No account with that sign-in name or phone number."))
        return user

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("match_ratio", "match_cap", "match_after"):
            data[name] = data[name].strip() or "0"
        data["leader_approval_over"] = data["leader_approval_over"].strip() or "0"
        return data


class PledgeForm(forms.Form):
    """A resident's promise of money or materials, and how they are shown."""

    kind = forms.ChoiceField(
        label=_("I pledge"),
        choices=Pledge.Kind.choices,
        widget=forms.RadioSelect,
        initial=Pledge.Kind.MONEY,
        error_messages={"required": _("Choose money or materials.")},
    )
    amount = amount_field(_("Amount (¥)"), required=False, help_text=_("For money, e.g. 300"))
    description = forms.CharField(
        label=_("What"),
        required=False,
        max_length=200,
        help_text=_("For materials, e.g. 实木地板 (left over from our renovation)"),
    )
    quantity = amount_field(_("Quantity"), required=False)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=20, help_text=_("e.g. m²"))
    estimated_value = amount_field(_("Estimated value (¥)"), required=False)
    photo = forms.FileField(
        label=_("Photo of the materials"),
        required=False,
        help_text=_("JPEG or PNG, up to 10 MB."),
    )
    shown_as = forms.ChoiceField(
        label=_("Shown to neighbours as"),
        choices=Pledge.Shown.choices,
        initial=Pledge.Shown.FLAT,
        widget=forms.RadioSelect,
        help_text=_(
            "Your name is published only if you choose it. Visitors who are not signed in never "
            "see who gave."
        ),
    )

    def clean_photo(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return renamed(upload, "pledge", file_kind(upload, pdf=False, refusal=BAD_PHOTO))

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data["kind"] != Pledge.Kind.MATERIAL:
            data["photo"] = None
        return data


class PledgeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        where = obj.flat.label if obj.flat else str(_("no flat"))
        what = f"¥{obj.amount}" if obj.kind == Pledge.Kind.MONEY else obj.description
        return f"#{obj.pk} · {where} · {what} · {obj.get_status_display()}"


def _pledge_field(fund: Fund, kind: str) -> PledgeChoiceField:
    return PledgeChoiceField(
        label=_("For pledge"),
        required=False,
        empty_label=_("none (not pledged beforehand)"),
        queryset=Pledge.objects.filter(fund=fund, kind=kind)
        .exclude(status__in=(Pledge.Status.WITHDRAWN, Pledge.Status.RECEIVED))
        .select_related("flat__building", "flat__entrance")
        .order_by("-pk"),
    )


class ContributionForm(forms.Form):
    """Money actually received."""

    amount = amount_field(_("Amount received (¥)"))
    method = forms.ChoiceField(
        label=_("Received by"),
        choices=RECEIVED_BY,
        widget=forms.RadioSelect,
        initial=LedgerEntry.Method.CASH,
    )
    reference = forms.CharField(
        label=_("Transfer reference"),
        required=False,
        max_length=64,
        help_text=_("The transaction number of a WeChat, Alipay or bank transfer."),
    )
    description = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pledge"] = _pledge_field(fund, Pledge.Kind.MONEY)
        self.order_fields(["pledge", "amount", "method", "reference", "description"])


class MaterialReceiveForm(forms.Form):
    """Materials received, at the value they were given."""

    description = forms.CharField(
        label=_("What was received"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to use the pledge's description."),
    )
    value = amount_field(_("Value (¥)"))

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pledge"] = _pledge_field(fund, Pledge.Kind.MATERIAL)
        self.order_fields(["pledge", "description", "value"])


class MaterialUseForm(forms.Form):
    """Materials the project used, at their recorded value."""

    description = forms.CharField(label=_("What was used, and where"), max_length=200)
    value = amount_field(_("Value (¥)"))


class ExpenseForm(forms.Form):
    """A payment, with its receipt; it waits for a second person's approval."""

    payee = forms.CharField(label=_("Paid to"), max_length=120)
    amount = amount_field(_("Amount (¥)"))
    category = forms.ChoiceField(label=_("Category"), choices=Expense.Category.choices)
    method = forms.ChoiceField(
        label=_("Paid by"),
        choices=Expense._meta.get_field("method").choices,  # type: ignore[arg-type]
        initial="bank",
    )
    note = forms.CharField(label=_("What for"), required=False, max_length=200)
    receipt = forms.FileField(
        label=_("Receipt or invoice"),
        help_text=_(
            "A photo (JPEG or PNG) or a PDF, up to 10 MB. It is published with the expense."
        ),
        error_messages={"required": _("Attach a photo of the receipt or invoice.")},
    )
    overdraft_reason = forms.CharField(
        label=_("Why it may exceed the balance"),
        required=False,
        max_length=200,
        help_text=_("Only if the fund holds less than this: the reason is published with it."),
    )

    def clean_receipt(self) -> UploadedFile:
        upload = self.cleaned_data["receipt"]
        return renamed(upload, "receipt", file_kind(upload, pdf=True, refusal=BAD_RECEIPT))


class ReasonForm(forms.Form):
    """Why an entry is reversed, or an expense rejected."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Published with the correction."),
        error_messages={"required": _("Give the reason.")},
    )
