"""Demo: the summary of building 25's lobby survey goes on the notice board.

Runs after the surveys' own demo step (which asks building 25's households and closes the
survey): committee staff publish the summary, written from the survey's own figures, with what
was decided because of it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from linju.community.models import Estate
from linju.consultations import results, services
from linju.consultations.charts import percent
from linju.consultations.models import Consultation, Question
from linju.consultations.publish import consultation_publish

LOBBY_TITLE = "25号楼大堂是否改为公共会客厅？"
DECIDED = "大堂改为公共会客厅，设计方案进入居民表决"


def demo_summary(found: results.Results) -> str:
    """The summary in words, from the figures: the response rate and the first single-choice
    question's most chosen answer."""
    total = found.rates.total
    unit = "户" if found.consultation.per_household else "人"
    lines = [
        f"本次征询共邀请{total.invited}{unit}，{total.answered}{unit}作答"
        f"（{percent(total.share)}），其中纸质问卷{found.paper}份。"
    ]
    first = next((r for r in found.questions if r.kind == Question.Kind.SINGLE and r.bars), None)
    if first is not None:
        top = max(first.bars, key=lambda b: b.count)
        lines.append(
            f"“{first.question.text}”：{top.label}的最多，共{top.count}份（{percent(top.share)}）。"
        )
    lines.append("各题统计见下文；文字意见已整理，供设计方案参考。")
    return "\n".join(lines)


def demo_consultation_results(estate: Estate) -> Consultation | None:
    """Publish the lobby survey's results (closing it first if the surveys' step left it
    open). Nothing happens if there is no such survey or it is already published."""
    consultation = Consultation.objects.filter(estate=estate, title=LOBBY_TITLE).first()
    if consultation is None or consultation.status == Consultation.Status.PUBLISHED:
        return consultation
    staff = get_user_model().objects.get(username="staff")
    if consultation.status == Consultation.Status.OPEN:
        consultation = services.consultation_close(actor=staff, consultation=consultation)
    found = results.consultation_results(consultation, with_private=False)
    consultation_publish(
        actor=staff, consultation=consultation, summary=demo_summary(found), decided=DECIDED
    )
    consultation.refresh_from_db()
    return consultation
