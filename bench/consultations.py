"""Survey results: a named survey of a whole estate with 4,400 invited residents (20 buildings,
2,200 households of two adults) and 3,000 answers to six questions (single and multiple choice,
rating, ranking, number, free text), written as rows in bulk.

The organiser's results page (rates by building, every question's totals and charts, the
cross-tabulation), its cross-tabulation by floor through htmx, a free-text search, the list of
who has not answered and the .xlsx download are timed against a trivial Django view (same
middleware, no template, no queries) in the same run; the query count of each is compared
with the same survey at 300 answers. A count that grows is an N+1.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from bench.pages import _measure
from linju.community.models import (
    Building,
    Entrance,
    Estate,
    Flat,
    Occupancy,
    Person,
    Role,
    Street,
)
from linju.consultations import services
from linju.consultations.models import (
    Answer,
    AnswerChoice,
    Consultation,
    Participation,
    Question,
    Response,
)

SLUG = "bench-survey"
BUILDINGS = 20
FLOORS = 11
FLATS_PER_FLOOR = 10
ANSWERS = 3000
FEW = 300
SEED = 7
OPINIONS = ["方便邻居聊天", "太吵了", "希望有书架", "老人可以下棋", "晚上要关门", "同意改造"]


def run(*, runs: int) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    started = time.perf_counter()
    estate, staff = _estate()
    survey, questions = _survey(estate, staff)
    people = list(
        Occupancy.objects.filter(estate=estate)
        .select_related("flat")
        .order_by("flat__building__sort_key", "flat__number", "person_id")
    )
    print(
        f"survey of {len(people):,} invited residents in {BUILDINGS} buildings "
        f"made in {time.perf_counter() - started:.1f} s"
    )
    rng = random.Random(SEED)
    order = rng.sample(range(len(people)), ANSWERS)
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=hosts):
        client = Client()
        client.force_login(staff)
        trivial = _measure(Client(), reverse("bench_trivial"), runs)
        print(f"trivial view: {trivial.median_ms:.2f} ms median, {trivial.queries} queries")
        pages = _pages(estate, survey, questions)
        started = time.perf_counter()
        _answer(survey, questions, [people[i] for i in order[:FEW]], rng)
        few = {label: _measure(client, url, max(3, runs // 3)) for label, url in pages.items()}
        _answer(survey, questions, [people[i] for i in order[FEW:]], rng)
        print(f"{ANSWERS:,} answers written in {time.perf_counter() - started:.1f} s")
        for label, url in pages.items():
            result = _measure(client, url, runs)
            ratio = result.median_ms / trivial.median_ms
            verdict = "constant" if result.queries == few[label].queries else "GROWS"
            print(
                f"{label}, {ANSWERS:,} answers: {result.median_ms:.1f} ms median, "
                f"{ratio:.1f}× trivial view; {result.queries} queries "
                f"(at {FEW} answers: {few[label].queries}) — {verdict}"
            )
    Consultation.objects.filter(pk=survey.pk).update(status=Consultation.Status.CLOSED)


def _pages(estate: Estate, survey: Consultation, questions: dict[str, Question]) -> dict:
    args = [estate.slug, survey.pk]
    results = reverse("console_consultation_results", args=args)
    return {
        "results page": results,
        "results page, cross-tabulation by floor": results
        + f"?question={questions['use'].pk}&by=floor",
        "free-text search (htmx)": reverse(
            "console_consultation_results_text", args=[*args, questions["why"].pk]
        )
        + "?q=邻居",
        "who has not answered": reverse("console_consultation_results_waiting", args=args),
        "results .xlsx": reverse("console_consultation_results_xlsx", args=args),
    }


def _estate() -> tuple[Estate, object]:
    street, _created = Street.objects.get_or_create(slug="wanli", defaults={"name": "万里街道"})
    estate = Estate.objects.create(street=street, slug=SLUG, name="压测花园", built_year=2010)
    buildings = Building.objects.bulk_create(
        Building(estate=estate, number=str(n), sort_key=n, floors=FLOORS)
        for n in range(1, BUILDINGS + 1)
    )
    entrances = Entrance.objects.bulk_create(
        Entrance(estate=estate, building=b, number="1") for b in buildings
    )
    flats = Flat.objects.bulk_create(
        Flat(
            estate=estate,
            building=entrance.building,
            entrance=entrance,
            floor=floor,
            number=f"{floor}{pos:02d}",
            area=Decimal("88.50"),
        )
        for entrance in entrances
        for floor in range(1, FLOORS + 1)
        for pos in range(1, FLATS_PER_FLOOR + 1)
    )
    people = Person.objects.bulk_create(
        Person(estate=estate, full_name=f"居民{i}", phone=f"+86175{i:08d}")
        for i in range(2 * len(flats))
    )
    occupancies = []
    for i, flat in enumerate(flats):
        first, second = people[2 * i], people[2 * i + 1]
        tenants = i % 5 == 0
        occupancies.append(
            Occupancy(
                estate=estate,
                person=first,
                flat=flat,
                relation="tenant" if tenants else "owner",
                starts_on="2016-01-01",
            )
        )
        occupancies.append(
            Occupancy(
                estate=estate,
                person=second,
                flat=flat,
                relation="tenant" if tenants else "family",
                starts_on="2016-01-01",
            )
        )
    Occupancy.objects.bulk_create(occupancies)
    staff = get_user_model().objects.create(
        username="bench-survey-staff", password=make_password(None)
    )
    Role.objects.create(user=staff, kind=Role.Kind.COMMITTEE_STAFF, estate=estate, street=street)
    return estate, staff


def _survey(estate: Estate, staff: object) -> tuple[Consultation, dict[str, Question]]:
    survey = services.consultation_create(
        actor=staff,
        estate=estate,
        title="大堂是否改为公共会客厅？（压测）",
        scope=Consultation.Scope.ESTATE,
        unit=Consultation.Unit.PERSON,
        anonymous=False,
        closes_at=timezone.now() + datetime.timedelta(days=7),
    )

    def add(**kw: object) -> Question:
        return services.question_add(actor=staff, consultation=survey, **kw)

    questions = {
        "use": add(kind="single", text="您同意吗？", choices=["同意", "不同意", "无所谓"]),
        "features": add(
            kind="multiple", text="希望有哪些设施？", choices=["沙发", "书架", "茶水", "绿植"]
        ),
        "rating": add(kind="rating", text="现在的大堂好用吗？", scale_min=1, scale_max=5),
        "ranking": add(kind="ranking", text="开放时间排序", choices=["白天", "晚上", "周末"]),
        "times": add(kind="number", text="每周会去几次？", number_min="0", number_max="50"),
        "why": add(kind="text", text="还有什么想说的？", required=False),
    }
    services.consultation_open(actor=staff, consultation=survey)
    survey.refresh_from_db()
    for question in questions.values():
        question.choice_list = list(question.choices.order_by("position", "pk"))  # type: ignore[attr-defined]
    return survey, questions


def _answer(
    survey: Consultation,
    questions: dict[str, Question],
    homes: list[Occupancy],
    rng: random.Random,
) -> None:
    """One response per person, as the service writes it, in bulk."""
    now = timezone.now()
    participations, responses, chosen, answers = [], [], [], []
    for home in homes:
        participations.append(
            Participation(
                estate_id=survey.estate_id,
                consultation=survey,
                person_id=home.person_id,
                answered_on=timezone.localdate(now),
            )
        )
        response = Response(
            estate_id=survey.estate_id,
            consultation=survey,
            submitted_at=now,
            channel="paper" if rng.random() < 0.1 else "online",
            building_id=home.flat.building_id,
            floor=home.flat.floor,
            relation="tenant" if home.relation == "tenant" else "owner",
            respondent_id=home.person_id,
            household_id=home.flat_id,
        )
        responses.append(response)
        use = questions["use"].choice_list  # type: ignore[attr-defined]
        chosen.append((response, questions["use"], rng.choice(use), None))
        for choice in rng.sample(questions["features"].choice_list, rng.randint(1, 2)):  # type: ignore[attr-defined]
            chosen.append((response, questions["features"], choice, None))
        ranked = rng.sample(questions["ranking"].choice_list, 3)  # type: ignore[attr-defined]
        for rank, choice in enumerate(ranked, start=1):
            chosen.append((response, questions["ranking"], choice, rank))
        answers.append((response, questions["rating"], Decimal(rng.randint(1, 5)), ""))
        answers.append((response, questions["times"], Decimal(rng.randint(0, 20)), ""))
        if rng.random() < 0.6:
            answers.append((response, questions["why"], None, rng.choice(OPINIONS)))
    Participation.objects.bulk_create(participations, batch_size=1000)
    Response.objects.bulk_create(responses, batch_size=1000)
    AnswerChoice.objects.bulk_create(
        (AnswerChoice(response=r, question=q, choice=c, rank=rank) for r, q, c, rank in chosen),
        batch_size=2000,
    )
    Answer.objects.bulk_create(
        (Answer(response=r, question=q, number=n, text=t) for r, q, n, t in answers),
        batch_size=2000,
    )
