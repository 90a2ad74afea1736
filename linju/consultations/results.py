"""The results of a consultation: response rates, totals per question, cross-tabulations and
grouped free-text answers.

Everything is counted in SQL with GROUP BY, so the page costs the same number of queries for
30 answers as for 3,000: one query per kind of figure, never one per question, building or
answer. Counts are exact integers and shares exact ``Fraction``s; they become decimals only
when written out (``charts.percent``).

Shares. A single choice's share is of the responses that answered the question; a multiple
choice's is of the same responses too, so its shares may add up to more than 100%. A rating's
mean and a number's mean and median are exact fractions of the stored values. A ranking is
scored by the Borda count: with k options, an option ranked r-th gets k − r points (the first
k − 1, the last 0, an option left unranked 0); its mean rank is over the responses that ranked
it.

Who is asked (the rates' denominators) is the surveys' own audience (``selectors``): households
per household, adults per person. Per person, someone with homes in two buildings is counted in
both buildings' rows, once in the total.

Anonymous surveys. Counts by building, floor and owner/tenant come from what each response
says about its home; a cross-tabulation of an anonymous survey folds every row of fewer than
``SMALL_GROUP`` responses into one row, and hides that row's figures too when it is itself that
small, so that no cell points at one household.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Sum
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linju.community.models import Building
from linju.consultations import selectors
from linju.consultations.charts import Bar, bars_svg
from linju.consultations.models import (
    Answer,
    AnswerChoice,
    AnswerPhoto,
    Consultation,
    Participation,
    Question,
    Response,
)

Kind = Question.Kind
SMALL_GROUP = 3
TEXT_GROUPS_SHOWN = 20
PHOTOS_SHOWN = 24
KEYWORDS_SHOWN = 8
HISTOGRAM_BINS = 8
CENTS = Decimal("0.01")
# Characters too common in Chinese to make a keyword of their own.
STOP_CHARACTERS = frozenset("的了是在我有和也不就都要很会可以这那个们吧吗呢啊把被对让给还")
NO_BUILDING = gettext_lazy("No home in the estate")


class Dimension:
    """What a cross-tabulation is broken down by."""

    BUILDING = "building"
    FLOOR = "floor"
    RELATION = "relation"

    FIELDS = {
        BUILDING: "response__building_id",
        FLOOR: "response__floor",
        RELATION: "response__relation",
    }

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        return [
            (cls.BUILDING, gettext_lazy("building")),
            (cls.FLOOR, gettext_lazy("floor")),
            (cls.RELATION, gettext_lazy("owner or tenant")),
        ]


def share(part: int, whole: int) -> Fraction | None:
    """``part / whole`` exactly; None when there is no whole to share."""
    return Fraction(part, whole) if whole else None


def decimal(value: Fraction | Decimal | None, places: Decimal = CENTS) -> Decimal | None:
    """An exact value written to two decimal places, half up (for display only)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def _plain(value: Decimal | None) -> str:
    """``Decimal("3.00")`` → ``"3"``, ``Decimal("2.50")`` → ``"2.5"``."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- Response rates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Answers against those asked, for the whole audience or one building."""

    label: str
    answered: int
    invited: int
    building_id: int | None = None

    @property
    def share(self) -> Fraction | None:
        return share(self.answered, self.invited)

    @property
    def waiting(self) -> int:
        return max(self.invited - self.answered, 0)


@dataclass
class Rates:
    total: Rate
    buildings: list[Rate]
    svg: SafeString


def _building_labels(ids: Iterable[int | None]) -> dict[int | None, tuple[tuple[int, str], str]]:
    """Building id → (sort key, label); None → "no home in the estate". One query."""
    wanted = [pk for pk in ids if pk is not None]
    labels: dict[int | None, tuple[tuple[int, str], str]] = {None: ((2**31, "~"), str(NO_BUILDING))}
    for building in Building.objects.filter(pk__in=wanted).only("pk", "number", "name", "sort_key"):
        labels[building.pk] = ((building.sort_key, building.number), str(building))
    return labels


def response_rates(consultation: Consultation) -> Rates:
    """Answered / asked for the whole audience and building by building. Four queries."""
    occupancies = selectors.answering_occupancies(consultation).order_by()
    counted = "flat" if consultation.per_household else "person"
    invited_by = dict(
        occupancies.values_list("flat__building_id").annotate(n=Count(counted, distinct=True))
    )
    invited_total = selectors.invited_count(consultation)
    answered_by = dict(
        Response.objects.filter(consultation=consultation)
        .order_by()
        .values_list("building_id")
        .annotate(n=Count("pk"))
    )
    labels = _building_labels(set(invited_by) | set(answered_by))
    answered_total = sum(answered_by.values())
    # People on a list who have no home in the estate are asked too: their own row.
    homeless_invited = invited_total - sum(invited_by.values())
    if homeless_invited > 0 or None in answered_by:
        invited_by[None] = max(homeless_invited, 0) + invited_by.get(None, 0)
    rows = [
        Rate(
            label=labels[pk][1],
            answered=answered_by.get(pk, 0),
            invited=invited_by.get(pk, 0),
            building_id=pk,
        )
        for pk in sorted(set(invited_by) | set(answered_by), key=lambda pk: labels[pk][0])
    ]
    total = Rate(label=_("Everyone asked"), answered=answered_total, invited=invited_total)
    bars = [Bar(r.label, r.answered, r.share) for r in rows]
    svg = bars_svg(
        bars,
        chart_id=f"consultation-{consultation.pk}-rates",
        title=_("Response rate by building"),
        by_share=True,
    )
    return Rates(total=total, buildings=rows, svg=svg)


@dataclass(frozen=True)
class Waiting:
    """A household (or a person) asked who has not answered: names and flats, no phones."""

    building: str
    flat: str
    names: list[str]


def not_answered(consultation: Consultation) -> list[Waiting]:
    """Who has not answered yet, by building and flat — for a named survey only (empty for an
    anonymous one, whoever asks). Per household, the household's adults who may answer; per
    person, each person who has not. One query."""
    if consultation.anonymous:
        return []
    answered = Participation.objects.filter(consultation=consultation)
    rows = selectors.answering_occupancies(consultation)
    if consultation.per_household:
        rows = rows.exclude(
            flat_id__in=answered.exclude(household__isnull=True).values("household_id")
        )
    else:
        rows = rows.exclude(person_id__in=answered.exclude(person__isnull=True).values("person_id"))
    found: dict[tuple[int, int], Waiting] = {}
    buildings: dict[int, str] = {}
    for (
        flat_id,
        person_id,
        number,
        entrance,
        building_id,
        building,
        name,
        full_name,
    ) in rows.order_by(
        "flat__building__sort_key",
        "flat__building__number",
        "flat__entrance__number",
        "flat__number",
        "person__full_name",
        "person_id",
    ).values_list(
        "flat_id",
        "person_id",
        "flat__number",
        "flat__entrance__number",
        "flat__building_id",
        "flat__building__number",
        "flat__building__name",
        "person__full_name",
    ):
        key = (flat_id, 0 if consultation.per_household else person_id)
        waiting = found.get(key)
        if waiting is None:
            if building_id not in buildings:
                buildings[building_id] = str(Building(number=building, name=name))
            label = "-".join(part for part in (building, entrance, number) if part)
            waiting = found[key] = Waiting(buildings[building_id], label, [])
        waiting.names.append(full_name)
    return list(found.values())


# --- Totals per question -----------------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    label: str
    points: int
    ranked: int  # responses that ranked it
    mean_rank: Fraction | None

    @property
    def mean_rank_shown(self) -> Decimal | None:
        return decimal(self.mean_rank)


@dataclass(frozen=True)
class TextGroup:
    """Answers that say the same once case, width, spaces and punctuation are set aside."""

    text: str
    count: int


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    svg: SafeString | None = None
    mean: Fraction | None = None
    median: Fraction | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    ranking: list[RankRow] = field(default_factory=list)
    groups: list[TextGroup] = field(default_factory=list)
    group_count: int = 0
    keywords: list[tuple[str, int]] = field(default_factory=list)
    photo_ids: list[int] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def mean_shown(self) -> Decimal | None:
        return decimal(self.mean)

    @property
    def median_shown(self) -> Decimal | None:
        return decimal(self.median)

    @property
    def minimum_shown(self) -> str:
        return _plain(self.minimum)

    @property
    def maximum_shown(self) -> str:
        return _plain(self.maximum)


def _mark_top(bars: list[Bar]) -> list[Bar]:
    top = max((b.count for b in bars), default=0)
    return [Bar(b.label, b.count, b.share, top=bool(top) and b.count == top) for b in bars]


def _median(values: list[tuple[Decimal, int]]) -> Fraction | None:
    """The median of values given with their counts (sorted by value)."""
    n = sum(count for _value, count in values)
    if not n:
        return None
    wanted = [(n - 1) // 2, n // 2]  # the middle one, or the middle two
    found: list[Fraction] = []
    seen = 0
    for value, count in values:
        while wanted and wanted[0] < seen + count:
            found.append(Fraction(value))
            wanted.pop(0)
        seen += count
    return sum(found, Fraction(0)) / len(found)


def _histogram(values: list[tuple[Decimal, int]]) -> list[Bar]:
    """Counts of numbers in up to ``HISTOGRAM_BINS`` equal ranges (one bar per value when the
    numbers are a few whole numbers)."""
    if not values:
        return []
    low, high = values[0][0], values[-1][0]
    total = sum(c for _v, c in values)
    whole = all(v == v.to_integral_value() for v, _c in values)
    if whole and high - low < HISTOGRAM_BINS:
        counts = dict(values)
        return [
            Bar(
                _plain(Decimal(v)),
                counts.get(Decimal(v), 0),
                share(counts.get(Decimal(v), 0), total),
            )
            for v in range(int(low), int(high) + 1)
        ]
    width = (high - low) / HISTOGRAM_BINS
    if whole:
        width = max(Decimal(1), width.to_integral_value(rounding=ROUND_CEILING))
    bins = [0] * HISTOGRAM_BINS
    for value, count in values:
        index = min(int((value - low) / width), HISTOGRAM_BINS - 1)
        bins[index] += count
    bars = []
    for index, count in enumerate(bins):
        start = low + width * index
        end = high if index == HISTOGRAM_BINS - 1 else start + width
        start_text, end_text = _plain(decimal(start)), _plain(decimal(end))
        label = start_text if start_text == end_text else f"{start_text}–{end_text}"
        bars.append(Bar(label, count, share(count, total)))
    while bars and not bars[-1].count:
        bars.pop()
    return bars


NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
LATIN_WORD = re.compile(r"[a-z0-9]{2,}")
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def normalise(text: str) -> str:
    """The text as it is compared: full-width folded (NFKC), case folded, without spaces or
    punctuation. "大堂  改成会客厅！" and "大堂改成会客厅" are the same answer."""
    return NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _terms(text: str) -> list[str]:
    """The keywords of one answer, once each, in the order they appear: Latin words and
    Chinese character pairs."""
    spaced = NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold())
    terms = dict.fromkeys(LATIN_WORD.findall(spaced))
    for run in CJK_RUN.findall(spaced):
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            if not (set(pair) & STOP_CHARACTERS):
                terms[pair] = None
    return list(terms)


def _keywords(terms: dict[str, set[str]], counts: Counter[str]) -> list[tuple[str, int]]:
    """The most frequent terms (in at least two answers). A Chinese pair that overlaps one
    already chosen and appears in exactly the same answers is a fragment of the same phrase
    ("方便邻居" gives 方便 and 邻居, not 便邻), so it is left out."""
    order = {term: i for i, term in enumerate(terms)}  # first seen first
    chosen: list[str] = []
    for term in sorted(terms, key=lambda t: (-counts[t], order[t])):
        if counts[term] < 2 or len(chosen) == KEYWORDS_SHOWN:
            break
        if any(
            terms[term] == terms[other]
            and len(term) == len(other) == 2
            and (term[1] == other[0] or term[0] == other[1])
            for other in chosen
        ):
            continue
        chosen.append(term)
    return [(term, counts[term]) for term in chosen]


def group_texts(
    texts: Iterable[str], query: str = ""
) -> tuple[list[TextGroup], list[tuple[str, int]]]:
    """Free-text answers grouped by their normalised text, largest group first, keeping the
    answers that contain ``query`` (compared the same way); and the keywords (Latin words and
    Chinese character pairs) that appear in at least two answers, most frequent first."""
    wanted = normalise(query)
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for text in texts:
        text = text.strip()
        norm = normalise(text)
        if not norm or (wanted and wanted not in norm):
            continue
        counts[norm] += 1
        shown.setdefault(norm, text)
    where: dict[str, set[str]] = {}
    frequency: Counter[str] = Counter()
    for norm, n in counts.items():
        for term in _terms(shown[norm]):
            if term != wanted:
                where.setdefault(term, set()).add(norm)
                frequency[term] += n
    groups = [
        TextGroup(shown[norm], n) for norm, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
    ]
    return groups, _keywords(where, frequency)


def text_answers(question: Question, query: str = "") -> QuestionResult:
    """The grouped answers to one free-text question, those containing ``query`` only. One
    query."""
    texts = Answer.objects.filter(question=question).exclude(text="").values_list("text", flat=True)
    result = QuestionResult(question=question)
    all_groups, result.keywords = group_texts(texts, query)
    result.answered = sum(g.count for g in all_groups)
    result.group_count = len(all_groups)
    result.groups = all_groups[:TEXT_GROUPS_SHOWN]
    return result


def question_results(
    consultation: Consultation, questions: list[Question], *, with_private: bool
) -> list[QuestionResult]:
    """The totals of every question, in order: five queries whatever the number of questions
    and answers (chosen options; responses per choice question; ratings and numbers; texts and
    photos only ``with_private``, for those who run the survey). Charts are drawn here."""
    by_id = {q.pk: QuestionResult(question=q) for q in questions}
    ids = list(by_id)
    chosen: dict[int, dict[int, tuple[int, int]]] = {}
    for question_id, choice_id, n, rank_sum in (
        AnswerChoice.objects.filter(question_id__in=ids)
        .order_by()
        .values_list("question_id", "choice_id")
        .annotate(n=Count("pk"), rank_sum=Sum("rank"))
    ):
        chosen.setdefault(question_id, {})[choice_id] = (n, rank_sum or 0)
    for question_id, n in (
        AnswerChoice.objects.filter(question_id__in=ids)
        .order_by()
        .values_list("question_id")
        .annotate(n=Count("response_id", distinct=True))
    ):
        if question_id in by_id:
            by_id[question_id].answered = n
    values: dict[int, list[tuple[Decimal, int]]] = {}
    for question_id, number, n in (
        Answer.objects.filter(question_id__in=ids, number__isnull=False)
        .order_by("question_id", "number")
        .values_list("question_id", "number")
        .annotate(n=Count("pk"))
    ):
        values.setdefault(question_id, []).append((Decimal(number), n))
    texts: dict[int, list[str]] = {}
    photos: dict[int, list[int]] = {}
    if with_private:
        for question_id, text in (
            Answer.objects.filter(question__consultation=consultation, question__kind=Kind.TEXT)
            .exclude(text="")
            .values_list("question_id", "text")
        ):
            texts.setdefault(question_id, []).append(text)
        for photo_id, question_id in (
            AnswerPhoto.objects.filter(question__consultation=consultation)
            .order_by("question_id", "-pk")
            .values_list("pk", "question_id")
        ):
            photos.setdefault(question_id, []).append(photo_id)
    for result in by_id.values():
        question = result.question
        if question.has_choices:
            _choice_totals(result, chosen.get(question.pk, {}))
        elif question.kind in (Kind.RATING, Kind.NUMBER):
            _number_totals(result, values.get(question.pk, []))
        elif question.kind == Kind.TEXT:
            groups, result.keywords = group_texts(texts.get(question.pk, []))
            result.answered = sum(g.count for g in groups)
            result.group_count = len(groups)
            result.groups = groups[:TEXT_GROUPS_SHOWN]
        elif question.kind == Kind.PHOTO:
            ids = photos.get(question.pk, [])
            result.answered = len(ids)
            result.photo_ids = ids[:PHOTOS_SHOWN]
        if result.bars:
            result.svg = bars_svg(
                result.bars, chart_id=f"question-{question.pk}-chart", title=question.text
            )
    return [by_id[q.pk] for q in questions]


def _choice_totals(result: QuestionResult, chosen: dict[int, tuple[int, int]]) -> None:
    question = result.question
    choices = list(question.choices.all())
    if question.kind == Kind.RANKING:
        k = len(choices)
        rows = [
            RankRow(
                label=c.label,
                points=chosen.get(c.pk, (0, 0))[0] * k - chosen.get(c.pk, (0, 0))[1],
                ranked=chosen.get(c.pk, (0, 0))[0],
                mean_rank=(
                    Fraction(chosen[c.pk][1], chosen[c.pk][0])
                    if chosen.get(c.pk, (0, 0))[0]
                    else None
                ),
            )
            for c in choices
        ]
        result.ranking = sorted(rows, key=lambda r: (-r.points, r.label))
        result.bars = _mark_top([Bar(r.label, r.points) for r in result.ranking])
        return
    result.bars = _mark_top(
        [
            Bar(
                c.label,
                chosen.get(c.pk, (0, 0))[0],
                share(chosen.get(c.pk, (0, 0))[0], result.answered),
            )
            for c in choices
        ]
    )


def _number_totals(result: QuestionResult, values: list[tuple[Decimal, int]]) -> None:
    question = result.question
    n = sum(count for _v, count in values)
    result.answered = n
    if n:
        result.mean = sum((Fraction(v) * c for v, c in values), Fraction(0)) / n
        result.median = _median(values)
        result.minimum, result.maximum = values[0][0], values[-1][0]
    if question.kind == Kind.RATING:
        counts = dict(values)
        result.bars = _mark_top(
            [
                Bar(str(v), counts.get(Decimal(v), 0), share(counts.get(Decimal(v), 0), n))
                for v in range(question.scale_min, question.scale_max + 1)
            ]
        )
    else:
        result.bars = _histogram(values)


# --- Cross-tabulation --------------------------------------------------------------------------


@dataclass(frozen=True)
class CrossCell:
    count: int
    share: Fraction | None  # of the row's responses to the question


@dataclass(frozen=True)
class CrossRow:
    label: str
    responses: int
    cells: list[CrossCell]
    hidden: bool = False  # an anonymous survey's small rows, folded and too few to show


@dataclass
class CrossTab:
    question: Question
    dimension: str
    columns: list[str]
    rows: list[CrossRow]
    folded: int = 0  # rows folded into "fewer than SMALL_GROUP answers"

    @property
    def dimension_label(self) -> str:
        return str(dict(Dimension.choices())[self.dimension])


def crosstab_questions(questions: list[Question]) -> list[Question]:
    """The questions a cross-tabulation can be made of: single and multiple choice."""
    return [q for q in questions if q.kind in (Kind.SINGLE, Kind.MULTIPLE)]


def _row_labels(dimension: str, keys: Iterable[Any]) -> dict[Any, tuple[Any, str]]:
    keys = list(keys)
    if dimension == Dimension.BUILDING:
        return _building_labels(keys)
    if dimension == Dimension.FLOOR:
        return {
            k: (
                (k is None, k or 0),
                _("Floor not known") if k is None else _("Floor %(n)s") % {"n": k},
            )
            for k in keys
        }
    labels = dict(Response.Relation.choices)
    order = list(labels)
    return {k: ((order.index(k) if k in order else 99, k), str(labels.get(k, k))) for k in keys}


def crosstab(consultation: Consultation, question: Question, dimension: str) -> CrossTab:
    """Counts of each option of ``question`` by building, floor or owner/tenant, with each
    cell's share of its row's responses. Two queries."""
    if dimension not in Dimension.FIELDS:
        dimension = Dimension.BUILDING
    column = Dimension.FIELDS[dimension]
    rows_of = AnswerChoice.objects.filter(question=question).order_by()
    counts: dict[Any, dict[int, int]] = {}
    for key, choice_id, n in rows_of.values_list(column, "choice_id").annotate(n=Count("pk")):
        counts.setdefault(key, {})[choice_id] = n
    totals = dict(rows_of.values_list(column).annotate(n=Count("response_id", distinct=True)))
    choices = list(question.choices.all())
    labels = _row_labels(dimension, totals)
    keys = sorted(totals, key=lambda k: labels[k][0])
    small: list[Any] = []
    if consultation.anonymous:
        small = [k for k in keys if totals[k] < SMALL_GROUP]
        keys = [k for k in keys if totals[k] >= SMALL_GROUP]

    def cells(of: list[Any]) -> list[CrossCell]:
        whole = sum(totals[k] for k in of)
        return [
            CrossCell(n, share(n, whole))
            for n in (sum(counts.get(k, {}).get(c.pk, 0) for k in of) for c in choices)
        ]

    rows = [CrossRow(labels[k][1], totals[k], cells([k])) for k in keys]
    if small:
        folded = sum(totals[k] for k in small)
        rows.append(
            CrossRow(
                _("Groups of fewer than %(n)s answers") % {"n": SMALL_GROUP},
                folded,
                cells(small) if folded >= SMALL_GROUP else [],
                hidden=folded < SMALL_GROUP,
            )
        )
    return CrossTab(
        question=question,
        dimension=dimension,
        columns=[c.label for c in choices],
        rows=rows,
        folded=len(small),
    )


# --- Everything on the page --------------------------------------------------------------------


@dataclass
class Results:
    consultation: Consultation
    rates: Rates
    questions: list[QuestionResult]
    responses: int
    online: int
    paper: int


def consultation_results(consultation: Consultation, *, with_private: bool = True) -> Results:
    """Rates and totals of ``consultation``; ``with_private`` adds free text and photos (for
    those who run it). A constant number of queries."""
    questions = selectors.questions_of(consultation)
    rates = response_rates(consultation)
    channels = dict(
        Response.objects.filter(consultation=consultation)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("pk"))
    )
    return Results(
        consultation=consultation,
        rates=rates,
        questions=question_results(consultation, questions, with_private=with_private),
        responses=sum(channels.values()),
        online=channels.get(Response.Channel.ONLINE, 0),
        paper=channels.get(Response.Channel.PAPER, 0),
    )
