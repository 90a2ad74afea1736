"""Publishing a consultation's results on the disclosure board (居务公开: "results of
consultations", Shanghai Regulation on Residents' Committees, Art. 17).

The notice says, in this order, the organiser's summary, what was decided because of the
consultation, and the totals: the response rate and each question's figures in words. It
holds no personal data: no names, no flats, no free-text answers, no photos (those stay with
the organiser), so it may stand on a board anyone can read. It goes on the board of the
building whose group ran the survey, or on the estate's.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linju.consultations import results
from linju.consultations.charts import figure, percent
from linju.consultations.models import DECIDED_MAX, Consultation
from linju.core import audit, permissions
from linju.notices.models import Notice

SUMMARY_MAX = 4000
NOTICE_DAYS = 30
TITLE_MAX = 200


def _refuse(message: str, field: str | None = None) -> ValidationError:
    if field:
        return ValidationError({field: [ValidationError(message, code="invalid")]})
    return ValidationError(message, code="invalid")


def _clean(summary: Any, decided: Any) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    summary = str(summary or "").strip()
    decided = str(decided or "").strip()
    if not summary:
        errors.setdefault("summary", []).append(_("Write a short summary of the results."))
    elif len(summary) > SUMMARY_MAX:
        errors.setdefault("summary", []).append(
            _("Keep the summary to %(n)s characters or fewer.") % {"n": SUMMARY_MAX}
        )
    if not decided:
        errors.setdefault("decided", []).append(
            _("Say what was decided because of the consultation.")
        )
    elif len(decided) > DECIDED_MAX:
        errors.setdefault("decided", []).append(
            _("Keep what was decided to %(n)s characters or fewer.") % {"n": DECIDED_MAX}
        )
    for name, text in (("summary", summary), ("decided", decided)):
        if "\x00" in text:
            errors.setdefault(name, []).append(_("The text holds a character that is not allowed."))
    if errors:
        raise ValidationError(errors)
    return summary, decided


def totals_text(found: results.Results) -> str:
    """The totals in words, one line per figure, with no personal data."""
    consultation = found.consultation
    total = found.rates.total
    if consultation.per_household:
        line = _(
            "Answers: %(answered)s of %(invited)s households asked (%(share)s); %(online)s "
            "online, %(paper)s on paper."
        )
    else:
        line = _(
            "Answers: %(answered)s of %(invited)s people asked (%(share)s); %(online)s online, "
            "%(paper)s on paper."
        )
    lines = [
        line
        % {
            "answered": total.answered,
            "invited": total.invited,
            "share": percent(total.share),
            "online": found.online,
            "paper": found.paper,
        }
    ]
    for rate in found.rates.buildings:
        lines.append(
            _("%(building)s: %(answered)s of %(invited)s (%(share)s).")
            % {
                "building": rate.label,
                "answered": rate.answered,
                "invited": rate.invited,
                "share": percent(rate.share),
            }
        )
    for number, result in enumerate(found.questions, start=1):
        lines.append("")
        lines.append(f"{number}. {result.question.text}")
        lines.append(_question_line(result))
    return "\n".join(lines)


def _question_line(result: results.QuestionResult) -> str:
    kind = results.Kind
    if result.kind == kind.RANKING:
        return _("Borda points (more is preferred): %(rows)s") % {
            "rows": "; ".join(f"{row.label} {row.points}" for row in result.ranking)
        }
    if result.kind in (kind.SINGLE, kind.MULTIPLE):
        return "; ".join(f"{bar.label} {figure(bar)}" for bar in result.bars) or _("No answers.")
    if result.kind in (kind.RATING, kind.NUMBER):
        if not result.answered:
            return _("No answers.")
        return _("%(n)s answers; mean %(mean)s, median %(median)s, from %(low)s to %(high)s.") % {
            "n": result.answered,
            "mean": result.mean_shown,
            "median": result.median_shown,
            "low": result.minimum_shown,
            "high": result.maximum_shown,
        }
    if result.kind == kind.PHOTO:
        return _("%(n)s photos; kept with the organisers.") % {"n": result.answered}
    return _("%(n)s written answers; kept with the organisers.") % {"n": result.answered}


def _title(consultation: Consultation) -> str:
    title = _("Consultation results: %(title)s") % {"title": consultation.title}
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


@transaction.atomic
def consultation_publish(
    *, actor: Any, consultation: Consultation, summary: str, decided: str
) -> Notice:
    """Publish the results of a closed consultation: one notice in the category "consultation
    results" with the summary, what was decided and the totals, on the board for 30 days; the
    consultation becomes "results published" and keeps what was decided and its notice.
    Refused, writing nothing, unless the consultation is closed and both texts are given."""
    from linju.notices.services import notice_create, notice_publish

    permissions.require(actor, "publish", consultation)
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("estate", "building")
        .get(pk=consultation.pk)
    )
    if consultation.status == Consultation.Status.PUBLISHED:
        raise _refuse(_("The results of this consultation are already published."))
    if consultation.status != Consultation.Status.CLOSED:
        raise _refuse(_("Close the consultation before publishing its results."))
    summary, decided = _clean(summary, decided)
    found = results.consultation_results(consultation, with_private=False)
    body = "\n\n".join(
        [
            summary,
            _("What was decided because of it:") + "\n" + decided,
            _("The figures:") + "\n" + totals_text(found),
        ]
    )
    notice = notice_create(
        actor=actor,
        estate=consultation.estate,
        category=Notice.Category.CONSULTATION,
        title=_title(consultation),
        body=body[:20_000],
        building=consultation.building,
    )
    notice = notice_publish(actor=actor, notice=notice, days=NOTICE_DAYS)
    before = consultation.status
    consultation.status = Consultation.Status.PUBLISHED
    consultation.published_at = timezone.now()
    consultation.decided = decided
    consultation.notice = notice
    consultation.save(update_fields=["status", "published_at", "decided", "notice"])
    audit.record(
        actor=actor,
        action="consultation.publish",
        target=consultation,
        changes={"status": [before, consultation.status], "notice": [None, notice.pk]},
    )
    return notice
