"""The demo estate's survey, made through the same services as real ones.

"25号楼大堂是否改为公共会客厅？" asks building 25's households (one answer each, named so the
organisers see who has not answered), run by the building's group. Seven questions of several
kinds, two of them shown only after an answer (what the living room needs if you agree; what
worries you if you do not). Most households answered — most online, some on paper entered by
committee staff — and the answers lean by floor and by owner or tenant (lower floors and owners
more in favour), so results by floor and by owner/tenant say something. It ran for two weeks and
closed last week; its summary is published by the results step.

Random choices come from a fixed seed: the same demo every time.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from linju.community.models import Building, Estate, Occupancy
from linju.consultations import services
from linju.consultations.models import Consultation, Participation, Question, Response

TITLE = "25号楼大堂是否改为公共会客厅？"
SEED = 25
ANSWERED_SHARE = 0.85
PAPER_SHARE = 0.2
OPENED_DAYS_AGO = 20
CLOSED_DAYS_AGO = 6

QUESTIONS: list[dict[str, Any]] = [
    {
        "name": "agree",
        "kind": "single",
        "text": "您是否同意把25号楼一楼大堂改为全楼共用的公共会客厅？",
        "help": "改造费用由楼组微更新项目筹集，不动用维修资金。",
        "choices": ["同意", "不同意", "无所谓"],
    },
    {
        "name": "needs",
        "kind": "multiple",
        "text": "如果改造，会客厅里最需要哪些东西？（最多选三项）",
        "choices": ["沙发座椅", "书架和图书角", "饮水机", "儿童游戏角", "快递暂存架"],
        "max_choices": 3,
        "show_if": ("agree", "同意"),
    },
    {
        "name": "worry",
        "kind": "single",
        "text": "您最担心的是什么？",
        "choices": ["噪音", "卫生", "安全", "占用通道"],
        "show_if": ("agree", "不同意"),
    },
    {
        "name": "satisfied",
        "kind": "rating",
        "text": "您对现在的大堂满意吗？（1 很不满意，5 很满意）",
        "scale_min": 1,
        "scale_max": 5,
    },
    {
        "name": "hours",
        "kind": "ranking",
        "text": "请给开放时间排序（1 最希望）",
        "choices": ["工作日白天", "工作日晚上", "周末"],
    },
    {
        "name": "days",
        "kind": "number",
        "text": "您每周大概会去几天？",
        "number_min": "0",
        "number_max": "7",
    },
    {
        "name": "ideas",
        "kind": "text",
        "text": "还有什么建议？",
        "required": False,
    },
]

IDEAS = [
    "希望晚上九点以后关门，不要影响低楼层休息。",
    "可以放一些老人用的椅子，扶手高一点。",
    "快递太多了，希望有个架子。",
    "请物业每天打扫一次。",
    "装一个摄像头，东西不容易丢。",
    "能不能办读书会？",
    "孩子放学后可以在这里写作业。",
    "不要放太多东西，保持通道畅通。",
]


def _board_value(rng: random.Random, floor: int, owner: bool) -> str:
    """Lower floors and owners lean to agreeing; high floors and tenants less so."""
    agree = 0.78 - 0.012 * max(0, floor - 1) + (0.08 if owner else -0.12)
    roll = rng.random()
    if roll < agree:
        return "同意"
    if roll < agree + (0.6 * (1 - agree)):
        return "不同意"
    return "无所谓"


def _answers(
    rng: random.Random, questions: dict[str, Question], floor: int, owner: bool
) -> dict[int, Any]:
    def pick(name: str, label: str) -> int:
        return next(c.pk for c in questions[name].choices.all() if c.label == label)

    agree = _board_value(rng, floor, owner)
    answers: dict[int, Any] = {questions["agree"].pk: pick("agree", agree)}
    if agree == "同意":
        labels = [c.label for c in questions["needs"].choices.all()]
        weights = [5, 3, 3, 2 if owner else 1, 4 if floor > 15 else 2]
        chosen: list[str] = []
        while len(chosen) < rng.choice([1, 2, 3]):
            label = rng.choices(labels, weights=weights)[0]
            if label not in chosen:
                chosen.append(label)
        answers[questions["needs"].pk] = [pick("needs", label) for label in chosen]
    elif agree == "不同意":
        worry = rng.choices(
            ["噪音", "卫生", "安全", "占用通道"], weights=[4 if floor <= 3 else 2, 3, 2, 1]
        )
        answers[questions["worry"].pk] = pick("worry", worry[0])
    answers[questions["satisfied"].pk] = max(1, min(5, round(rng.gauss(2.4 if owner else 3.0, 1))))
    order = ["周末", "工作日晚上", "工作日白天"]
    if floor <= 5 and rng.random() < 0.6:
        order = ["工作日白天", "周末", "工作日晚上"]
    elif rng.random() < 0.3:
        order = ["工作日晚上", "周末", "工作日白天"]
    answers[questions["hours"].pk] = [pick("hours", label) for label in order]
    days = (
        0
        if agree == "不同意"
        else max(0, min(7, round(rng.gauss(2.5 if floor <= 10 else 1.5, 1.2))))
    )
    answers[questions["days"].pk] = str(days)
    if rng.random() < 0.25:
        answers[questions["ideas"].pk] = rng.choice(IDEAS)
    return answers


def _households(building: Building) -> list[tuple[Any, Occupancy]]:
    """Each flat with adults living in it, and who answers for it: an owner living there, or
    else a tenant, or else another adult."""
    rank = {
        Occupancy.Relation.OWNER: 0,
        Occupancy.Relation.CO_OWNER: 1,
        Occupancy.Relation.TENANT: 2,
        Occupancy.Relation.FAMILY: 3,
    }
    best: dict[int, Occupancy] = {}
    for occupancy in (
        Occupancy.objects.current()
        .filter(flat__building=building, person__is_minor=False)
        .select_related("flat", "person")
        .order_by("flat__floor", "flat__number", "pk")
    ):
        kept = best.get(occupancy.flat_id)
        if kept is None or rank[occupancy.relation] < rank[kept.relation]:  # type: ignore[index]
            best[occupancy.flat_id] = occupancy
    return [(o.flat, o) for o in best.values()]


@transaction.atomic
def demo_consultations(estate: Estate) -> Consultation | None:
    """Building 25's lobby survey, answered and closed (idempotent: made once)."""
    existing = Consultation.objects.filter(estate=estate, title=TITLE).first()
    if existing is not None:
        return existing
    building = Building.objects.filter(estate=estate, number="25").first()
    staff = get_user_model().objects.filter(username="staff").first()
    if building is None or staff is None:
        return None
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    now = timezone.now()
    opened = now - datetime.timedelta(days=OPENED_DAYS_AGO)
    closed = now - datetime.timedelta(days=CLOSED_DAYS_AGO)
    survey = services.consultation_create(
        actor=staff,
        estate=estate,
        building=building,
        title=TITLE,
        description=(
            "25号楼一楼大堂现在只是过道。楼组提议把它改为全楼共用的公共会客厅：放座椅、书架和"
            "快递架，邻居们可以坐下来聊天。请每户回答一次，两周内有效；不方便上网的邻居可以向"
            "楼组长领取纸质问卷。"
        ),
        scope=Consultation.Scope.BUILDINGS,
        audience_buildings=[building],
        unit=Consultation.Unit.HOUSEHOLD,
        anonymous=False,
        closes_at=now + datetime.timedelta(hours=1),
    )
    questions: dict[str, Question] = {}
    for spec in QUESTIONS:
        spec = dict(spec)
        name = spec.pop("name")
        show_if = spec.pop("show_if", None)
        if show_if is not None:
            parent = questions[show_if[0]]
            spec["show_if_question"] = parent
            spec["show_if_choice"] = parent.choices.get(label=show_if[1]).pk
        questions[name] = services.question_add(actor=staff, consultation=survey, **spec)
    services.consultation_open(actor=staff, consultation=survey, notify=False)
    households = _households(building)
    rng.shuffle(households)
    answering = households[: round(len(households) * ANSWERED_SHARE)]
    span = (closed - opened).total_seconds()
    for flat, occupancy in answering:
        owner = occupancy.relation in (Occupancy.Relation.OWNER, Occupancy.Relation.CO_OWNER)
        answers = _answers(rng, questions, flat.floor or 1, owner)
        paper = rng.random() < PAPER_SHARE
        if paper:
            response = services.paper_response_enter(
                actor=staff,
                consultation=survey,
                household=flat,
                person=occupancy.person,
                answers=answers,
            )
        else:
            response = services.response_record(
                consultation=survey,
                person=occupancy.person,
                flat=flat,
                relation=services.RELATION_OF.get(occupancy.relation, Response.Relation.OTHER),
                answers=answers,
            )
        # The answers carry the days they came in over the two weeks.
        when = opened + datetime.timedelta(seconds=rng.uniform(0, span))
        Response.objects.filter(pk=response.pk).update(submitted_at=when)
        Participation.objects.filter(consultation=survey, household=flat).update(
            answered_on=timezone.localdate(when)
        )
    services.consultation_close(actor=staff, consultation=survey)
    Consultation.objects.filter(pk=survey.pk).update(
        created_at=opened - datetime.timedelta(days=2),
        opens_at=opened,
        opened_at=opened,
        closes_at=closed,
        closed_at=closed,
    )
    survey.refresh_from_db()
    return survey
