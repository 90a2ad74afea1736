"""Forms of the roster pages: the upload, which column holds what, the building-list lock."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linju.community.roster import mapping as m
from linju.community.roster.parse import megabytes


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "An Excel workbook (.xlsx) or a CSV file, at most %(size)s. The first rows may hold "
            "a title; the header row is found by itself."
        ) % {"size": megabytes(max_bytes)}


class RosterColumnsForm(forms.Form):
    """One choice per column of the file, plus where the header is."""

    sheet = forms.TypedChoiceField(label=_("Worksheet"), coerce=int, required=False)
    header_row = forms.IntegerField(
        label=_("Header row"),
        min_value=1,
        max_value=200,
        help_text=_("The row (as the spreadsheet numbers it) that names the columns."),
    )

    def __init__(self, *args: Any, layout: m.Layout, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.layout = layout
        sheet_field = self.fields["sheet"]
        assert isinstance(sheet_field, forms.TypedChoiceField)
        sheet_field.choices = [(i, name) for i, name in enumerate(layout.sheets or [""])]
        if len(layout.sheets) <= 1:
            sheet_field.widget = forms.HiddenInput()
        self.initial.setdefault("sheet", layout.sheet)
        self.initial.setdefault("header_row", layout.header_row)
        choices = [("", _("(not imported)")), *((f, label) for f, label in m.FIELD_LABELS.items())]
        for column in layout.columns:
            name = f"column_{column.index}"
            title = column.header or _("(no header)")
            self.fields[name] = forms.ChoiceField(
                label=f"{column.letter} · {title}",
                choices=choices,
                required=False,
                help_text=(
                    _("For example: %(samples)s") % {"samples": "、".join(column.samples)}
                    if column.samples
                    else _("This column is empty.")
                ),
            )
            self.initial.setdefault(name, column.field)

    def mapping(self) -> dict[str, str]:
        return {
            str(column.index): self.cleaned_data.get(f"column_{column.index}") or ""
            for column in self.layout.columns
        }

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{column.index}"] for column in self.layout.columns]


class BuildingLockForm(forms.Form):
    locked = forms.BooleanField(required=False)
