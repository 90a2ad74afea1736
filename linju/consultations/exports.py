"""A consultation's results as downloads: a workbook (.xlsx) with a summary sheet, one sheet
per question and a sheet of the raw responses, and the raw responses alone as .csv.

Raw responses of a named survey say who answered (name, flat), how and when; never a phone.
Those of an anonymous survey carry the answers and nothing else: no name, flat, building,
floor, owner/tenant, channel or time, in the order of their random ids, numbered from 1.
Photos are not in the files (a photo answer is marked "photo"). Text a spreadsheet would run as
a formula is neutralised. Every download is a security event.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linju.community.roster.export import neutralise
from linju.consultations import results, selectors
from linju.consultations.models import (
    Answer,
    AnswerChoice,
    AnswerPhoto,
    Consultation,
    Question,
    Response,
)
from linju.core import audit, permissions

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
TENTH = Decimal("0.1")


def _security_event(actor: Any, consultation: Consultation, what: str) -> None:
    audit.record_security(
        user=actor,
        event="consultation.results_export",
        estate=consultation.estate,
        detail=f"consultation {consultation.pk} {what}",
    )


def _percent(value: Fraction | None) -> Decimal | None:
    return results.decimal(value * 100, TENTH) if value is not None else None


def _when(value: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value is not None else None


# --- Raw responses -----------------------------------------------------------------------------


def response_headers(consultation: Consultation, questions: list[Question]) -> list[str]:
    named = (
        []
        if consultation.anonymous
        else [
            _("Submitted"),
            _("How"),
            _("Building"),
            _("Flat"),
            _("Floor"),
            _("Owner or tenant"),
            _("Answered by"),
        ]
    )
    numbered = [f"{n}. {q.text}" for n, q in enumerate(questions, start=1)]
    return [_("No."), *named, *numbered]


def response_rows(consultation: Consultation, questions: list[Question]) -> Iterator[list[Any]]:
    """One row per response, in the headers' order. Four queries."""
    chosen: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for response_id, question_id, rank, label in (
        AnswerChoice.objects.filter(question__consultation=consultation)
        .order_by("response_id", "question_id", "rank", "choice__position", "choice_id")
        .values_list("response_id", "question_id", "rank", "choice__label")
    ):
        chosen.setdefault((response_id, question_id), []).append((rank or 0, label))
    given: dict[tuple[int, int], Any] = {}
    for response_id, question_id, number, text in Answer.objects.filter(
        question__consultation=consultation
    ).values_list("response_id", "question_id", "number", "text"):
        given[(response_id, question_id)] = number if number is not None else text
    photo = _("photo")
    for response_id, question_id in AnswerPhoto.objects.filter(
        question__consultation=consultation
    ).values_list("response_id", "question_id"):
        given[(response_id, question_id)] = photo
    responses = Response.objects.filter(consultation=consultation)
    if consultation.anonymous:
        responses = responses.order_by("pk")  # random ids: no order of arrival
    else:
        responses = responses.select_related(
            "building", "household__building", "household__entrance", "respondent"
        ).order_by("submitted_at", "pk")
    for index, response in enumerate(responses, start=1):
        row: list[Any] = [index]
        if not consultation.anonymous:
            row += [
                _when(response.submitted_at),
                response.get_channel_display(),
                response.building.number if response.building else "",
                response.household.label if response.household else "",
                response.floor if response.floor is not None else "",
                response.get_relation_display(),
                response.respondent.full_name if response.respondent else "",
            ]
        for question in questions:
            key = (response.pk, question.pk)
            if question.has_choices:
                row.append(" > ".join(label for _rank, label in chosen.get(key, [])))
            else:
                value = given.get(key, "")
                row.append(Decimal(value) if isinstance(value, Decimal) else value)
        yield row


def results_csv(*, actor: Any, consultation: Consultation) -> bytes:
    """The raw responses as UTF-8 CSV (with a byte-order mark, so spreadsheets read Chinese)."""
    permissions.require(actor, "export_results", consultation)
    questions = selectors.questions_of(consultation)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(response_headers(consultation, questions))
    for row in response_rows(consultation, questions):
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    _security_event(actor, consultation, "csv")
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- The workbook ------------------------------------------------------------------------------


def _summary(found: results.Results) -> list[list[Any]]:
    consultation = found.consultation
    total = found.rates.total
    rows: list[list[Any]] = [
        [_("Consultation"), consultation.title],
        [_("Status"), consultation.get_status_display()],
        [_("Anonymous or named"), _("anonymous") if consultation.anonymous else _("named")],
        [_("Who answers"), consultation.get_unit_display()],
        [_("Opened"), _when(consultation.opened_at)],
        [_("Closed"), _when(consultation.closed_at)],
        [_("Responses"), found.responses],
        [_("Online"), found.online],
        [_("On paper"), found.paper],
        [_("Asked to answer"), total.invited],
        [_("Response rate (%)"), _percent(total.share)],
        [],
        [_("Building"), _("Answered"), _("Asked to answer"), _("Response rate (%)")],
    ]
    for rate in found.rates.buildings:
        rows.append([rate.label, rate.answered, rate.invited, _percent(rate.share)])
    if consultation.decided:
        rows += [[], [_("What was decided because of it"), consultation.decided]]
    return rows


def _question_sheet(result: results.QuestionResult) -> tuple[list[str], list[list[Any]]]:
    kind = results.Kind
    question = result.question
    if question.kind == kind.RANKING:
        return [_("Option"), _("Borda points"), _("Times ranked"), _("Mean rank")], [
            [r.label, r.points, r.ranked, r.mean_rank_shown] for r in result.ranking
        ]
    if question.has_choices or question.kind == kind.RATING:
        head = [
            _("Option") if question.has_choices else _("Rating"),
            _("Number of answers"),
            _("Share (%)"),
        ]
        rows = [[b.label, b.count, _percent(b.share)] for b in result.bars]
    elif question.kind == kind.NUMBER:
        head = [_("Range"), _("Number of answers"), _("Share (%)")]
        rows = [[b.label, b.count, _percent(b.share)] for b in result.bars]
    elif question.kind == kind.TEXT:
        return [_("Answer"), _("Number of answers")], [[g.text, g.count] for g in result.groups]
    else:
        return [_("Photos")], [[result.answered]]
    rows.append([])
    rows.append([_("Answered"), result.answered])
    if question.kind in (kind.RATING, kind.NUMBER):
        rows.append([_("Mean"), result.mean_shown])
        rows.append([_("Median"), result.median_shown])
        rows.append([_("Smallest"), result.minimum])
        rows.append([_("Largest"), result.maximum])
    return head, rows


def _sheet_name(number: int, text: str, used: set[str]) -> str:
    name = SHEET_NAME_BAD.sub(" ", f"{number} {text}")[:31].strip() or str(number)
    while name in used:
        name = name[:28] + f"~{len(used)}"
    used.add(name)
    return name


def results_xlsx(*, actor: Any, consultation: Consultation, out: IO[bytes]) -> None:
    """Write the results workbook to ``out``: Summary, one sheet per question (every group of
    free-text answers, not only the largest) and Responses."""
    permissions.require(actor, "export_results", consultation)
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    found = results.consultation_results(consultation, with_private=True)
    questions = [r.question for r in found.questions]
    for result in found.questions:
        if result.kind == results.Kind.TEXT:
            result.groups = results.group_texts(
                Answer.objects.filter(question=result.question)
                .exclude(text="")
                .values_list("text", flat=True)
            )[0]
    sheets: list[tuple[str, list[str], Any]] = [
        (_("Summary"), [_("Field"), _("Value")], _summary(found))
    ]
    used = {sheets[0][0]}
    for number, result in enumerate(found.questions, start=1):
        head, rows = _question_sheet(result)
        sheets.append((_sheet_name(number, result.question.text, used), head, rows))
    sheets.append(
        (
            _("Responses"),
            response_headers(consultation, questions),
            response_rows(consultation, questions),
        )
    )
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, head, rows in sheets:
        sheet = workbook.create_sheet(name[:31])
        sheet.freeze_panes = "A2"
        header_cells = []
        for text in head:
            cell = WriteOnlyCell(sheet, value=neutralise(text))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            cells: list[Any] = []
            for value in row:
                if isinstance(value, datetime.datetime):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd hh:mm"
                    cells.append(cell)
                elif isinstance(value, Decimal):
                    cells.append(WriteOnlyCell(sheet, value=value))  # type: ignore[arg-type]
                else:
                    cells.append(neutralise(value))
            sheet.append(cells)
    workbook.save(out)
    _security_event(actor, consultation, "xlsx")
