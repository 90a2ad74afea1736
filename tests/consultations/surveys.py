"""Surveys for tests: building 1's lobby survey with a question of most kinds and a branch.

``lobby_survey(world)`` is drafted by committee staff for building 1 (answered per household,
named unless ``anonymous``) and opened unless ``opened=False``. Its questions:

- ``use`` (single): 同意 / 不同意
- ``features`` (multiple, at most 2, shown only if ``use`` is 同意): 沙发 / 书架 / 茶水 / 绿植
- ``rating`` (1–5), ``ranking`` (three options), ``times`` (number 0–50)
- ``why`` (text, optional)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from linju.consultations import services
from linju.consultations.models import Consultation, Question


@dataclass
class Lobby:
    survey: Consultation
    use: Question
    features: Question
    rating: Question
    ranking: Question
    times: Question
    why: Question

    def choice(self, question: Question, label: str) -> int:
        return question.choices.get(label=label).pk

    def answers(self, **override: Any) -> dict[int, Any]:
        """A complete valid set of answers (agreeing, two features); ``override`` by name."""
        values: dict[str, Any] = {
            "use": self.choice(self.use, "同意"),
            "features": [self.choice(self.features, "沙发"), self.choice(self.features, "书架")],
            "rating": 4,
            "ranking": [
                self.choice(self.ranking, "周末"),
                self.choice(self.ranking, "晚上"),
                self.choice(self.ranking, "白天"),
            ],
            "times": "3",
            "why": "方便邻居聊天",
        }
        values.update(override)
        return {getattr(self, name).pk: value for name, value in values.items()}


def closes(days: float = 7) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def lobby_survey(
    world: Any,
    *,
    anonymous: bool = False,
    unit: str = Consultation.Unit.HOUSEHOLD,
    opened: bool = True,
    role: str = "staff",
    building: Any = None,
    **values: Any,
) -> Lobby:
    actor = world.user(role)
    arguments: dict[str, Any] = {
        "estate": world.here,
        "title": "1号楼大堂是否改为公共会客厅？",
        "description": "请每户回答一次。",
        "scope": Consultation.Scope.BUILDINGS,
        "audience_buildings": [world.b1],
        "unit": unit,
        "anonymous": anonymous,
        "closes_at": closes(),
        "building": building,
    }
    arguments.update(values)
    survey = services.consultation_create(actor=actor, **arguments)
    add = lambda **kw: services.question_add(actor=actor, consultation=survey, **kw)  # noqa: E731
    use = add(kind="single", text="您同意吗？", choices=["同意", "不同意"])
    features = add(
        kind="multiple",
        text="希望有哪些设施？",
        choices=["沙发", "书架", "茶水", "绿植"],
        max_choices=2,
        show_if_question=use,
        show_if_choice=use.choices.get(label="同意").pk,
    )
    rating = add(kind="rating", text="现在的大堂好用吗？", scale_min=1, scale_max=5)
    ranking = add(kind="ranking", text="开放时间排序", choices=["白天", "晚上", "周末"])
    times = add(kind="number", text="每周会去几次？", number_min="0", number_max="50")
    why = add(kind="text", text="还有什么想说的？", required=False)
    if opened:
        services.consultation_open(actor=actor, consultation=survey)
    survey.refresh_from_db()
    return Lobby(survey, use, features, rating, ranking, times, why)


def lobby_of(survey: Consultation) -> Lobby:
    """The ``Lobby`` of a survey made by ``lobby_survey``, found again from the database."""
    questions = list(survey.questions.order_by("position", "pk"))
    return Lobby(survey, *questions)


def form_data(lobby: Lobby, **override: Any) -> dict[str, Any]:
    """The answers as the answering page posts them (a ranking as places per option)."""
    data: dict[str, Any] = {}
    for question_id, value in lobby.answers(**override).items():
        if question_id == lobby.ranking.pk:
            for place, choice_id in enumerate(value, start=1):
                data[f"q{question_id}_{choice_id}"] = str(place)
        else:
            data[f"q{question_id}"] = value
    return data
