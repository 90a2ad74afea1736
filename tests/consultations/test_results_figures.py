"""The figures of a survey's results: rates, per-question totals, exact shares, means and
medians, Borda points, grouped free text, cross-tabulations (anonymous ones folding small
groups), who has not answered, and a query count that does not grow with the answers."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linju.consultations import results
from linju.consultations.charts import Bar, bars_svg, percent
from linju.consultations.models import Response
from tests.consultations.results_data import households, respond
from tests.consultations.surveys import lobby_survey
from tests.factories import BuildingFactory

pytestmark = pytest.mark.django_db
TENANT = Response.Relation.TENANT


def _three_answers(world, *, anonymous=False):
    lobby = lobby_survey(world, anonymous=anonymous)
    people = households(world, lobby, 5)
    flats = [p.occupancies.get().flat for p in people]
    respond(
        lobby,
        person=people[0],
        flat=flats[0],
        use="同意",
        features=["沙发", "书架"],
        rating=4,
        ranking=["周末", "晚上", "白天"],
        times=3,
        why="方便邻居聊天",
    )
    respond(
        lobby,
        person=people[1],
        flat=flats[1],
        relation=TENANT,
        use="同意",
        features=["沙发"],
        rating=5,
        ranking=["晚上", "周末", "白天"],
        times=10,
        why="方便 邻居聊天！",
    )
    respond(
        lobby,
        person=people[2],
        flat=flats[2],
        use="不同意",
        rating=2,
        ranking=["白天", "晚上", "周末"],
        times=0,
        why="太吵",
    )
    return lobby


def _by_text(found):
    return {r.question.text: r for r in found.questions}


class TestRates:
    def test_answered_over_asked_overall_and_by_building(self, world):
        """Six households of building 1 are asked (the resident's and five more); three
        answered: exactly one half, in the total and in building 1's row."""
        lobby = _three_answers(world)
        rates = results.response_rates(lobby.survey)
        assert (rates.total.answered, rates.total.invited) == (3, 6)
        assert rates.total.share == Fraction(1, 2)
        assert [(r.label, r.answered, r.invited, r.waiting) for r in rates.buildings] == [
            (str(world.b1), 3, 6, 3)
        ]
        assert 'role="img"' in rates.svg and "50.0%" in rates.svg

    def test_per_person_counts_adults_not_households(self, world):
        lobby = lobby_survey(world, unit="person")
        households(world, lobby, 2)
        rates = results.response_rates(lobby.survey)
        assert rates.total.invited == 3
        assert rates.total.share == Fraction(0)


class TestQuestionTotals:
    def test_single_choice_counts_and_exact_shares(self, world):
        found = results.consultation_results(_three_answers(world).survey)
        use = _by_text(found)["您同意吗？"]
        assert use.answered == 3
        assert [(b.label, b.count, b.share) for b in use.bars] == [
            ("同意", 2, Fraction(2, 3)),
            ("不同意", 1, Fraction(1, 3)),
        ]
        assert [b.top for b in use.bars] == [True, False]
        assert "66.7%" in use.svg and "33.3%" in use.svg

    def test_multiple_choice_shares_are_of_those_who_answered(self, world):
        """Two responses answered the branch question: 沙发 by both (100%), 书架 by one."""
        found = results.consultation_results(_three_answers(world).survey)
        features = _by_text(found)["希望有哪些设施？"]
        assert features.answered == 2
        assert [(b.label, b.count, b.share) for b in features.bars] == [
            ("沙发", 2, Fraction(1)),
            ("书架", 1, Fraction(1, 2)),
            ("茶水", 0, Fraction(0)),
            ("绿植", 0, Fraction(0)),
        ]

    def test_rating_distribution_mean_and_median(self, world):
        found = results.consultation_results(_three_answers(world).survey)
        rating = _by_text(found)["现在的大堂好用吗？"]
        assert [(b.label, b.count) for b in rating.bars] == [
            ("1", 0),
            ("2", 1),
            ("3", 0),
            ("4", 1),
            ("5", 1),
        ]
        assert rating.mean == Fraction(11, 3)
        assert rating.mean_shown == Decimal("3.67")
        assert rating.median == 4
        assert (rating.minimum, rating.maximum) == (2, 5)

    def test_ranking_by_borda_points_and_mean_rank(self, world):
        """k = 3: first place 2 points, second 1, last 0."""
        found = results.consultation_results(_three_answers(world).survey)
        ranking = _by_text(found)["开放时间排序"]
        assert [(r.label, r.points, r.ranked) for r in ranking.ranking] == [
            ("晚上", 4, 3),
            ("周末", 3, 3),
            ("白天", 2, 3),
        ]
        assert ranking.ranking[0].mean_rank == Fraction(5, 3)

    def test_number_statistics_and_histogram(self, world):
        found = results.consultation_results(_three_answers(world).survey)
        times = _by_text(found)["每周会去几次？"]
        assert times.mean == Fraction(13, 3)
        assert times.median == 3
        assert (times.minimum_shown, times.maximum_shown) == ("0", "10")
        assert sum(b.count for b in times.bars) == 3
        assert times.bars[0].label.startswith("0")

    def test_median_of_an_even_count_is_the_mean_of_the_middle_two(self):
        values = [(Decimal(1), 1), (Decimal(2), 1), (Decimal(7), 2)]
        assert results._median(values) == Fraction(9, 2)

    def test_free_text_grouped_by_normalised_text(self, world):
        found = results.consultation_results(_three_answers(world).survey)
        why = _by_text(found)["还有什么想说的？"]
        assert [(g.text, g.count) for g in why.groups] == [("方便邻居聊天", 2), ("太吵", 1)]
        assert ("邻居", 2) in why.keywords

    def test_keywords_skip_fragments_of_the_same_phrase(self):
        """ "方便邻居聊天" gives 方便, 邻居 and 聊天, not the pairs across them (便邻, 居聊)."""
        _groups, keywords = results.group_texts(
            ["方便邻居聊天", "方便邻居聊天", "WiFi slow", "wifi"]
        )
        assert keywords == [("方便", 2), ("邻居", 2), ("聊天", 2), ("wifi", 2)]

    def test_free_text_hidden_without_private(self, world):
        found = results.consultation_results(_three_answers(world).survey, with_private=False)
        assert _by_text(found)["还有什么想说的？"].groups == []

    def test_text_search_keeps_matching_answers(self, world):
        lobby = _three_answers(world)
        found = results.text_answers(lobby.why, "ＴＡＩ吵")  # nothing: different text
        assert found.groups == []
        found = results.text_answers(lobby.why, "邻居")
        assert [(g.text, g.count) for g in found.groups] == [("方便邻居聊天", 2)]

    def test_no_answers_draws_a_note_not_a_chart(self, world):
        lobby = lobby_survey(world)
        found = results.consultation_results(lobby.survey)
        assert all(r.answered == 0 for r in found.questions)
        use = _by_text(found)["您同意吗？"]
        assert [b.share for b in use.bars] == [None, None]


class TestCrossTab:
    def test_by_owner_or_tenant_with_row_shares(self, world):
        lobby = _three_answers(world)
        table = results.crosstab(lobby.survey, lobby.use, "relation")
        assert table.columns == ["同意", "不同意"]
        rows = {r.label: (r.responses, [(c.count, c.share) for c in r.cells]) for r in table.rows}
        assert rows == {
            "业主" if "业主" in rows else "owner": (2, [(1, Fraction(1, 2)), (1, Fraction(1, 2))]),
            "租户" if "租户" in rows else "tenant": (1, [(1, Fraction(1)), (0, Fraction(0))]),
        }

    def test_by_floor_and_by_building(self, world):
        lobby = _three_answers(world)
        by_floor = results.crosstab(lobby.survey, lobby.use, "floor")
        assert [r.responses for r in by_floor.rows] == [1, 1, 1]
        assert [[c.count for c in r.cells] for r in by_floor.rows] == [[1, 0], [1, 0], [0, 1]]
        by_building = results.crosstab(lobby.survey, lobby.use, "building")
        assert [(r.label, r.responses) for r in by_building.rows] == [(str(world.b1), 3)]

    def test_multiple_choice_row_shares_are_of_the_rows_respondents(self, world):
        lobby = _three_answers(world)
        table = results.crosstab(lobby.survey, lobby.features, "relation")
        owner = table.rows[0]
        assert owner.responses == 1
        assert [(c.count, c.share) for c in owner.cells][:2] == [(1, 1), (1, 1)]

    def test_anonymous_survey_folds_and_hides_small_groups(self, world):
        lobby = lobby_survey(world, anonymous=True)
        for _i in range(3):
            respond(lobby, building=world.b1, floor=2, use="同意")
        respond(lobby, building=world.b1, floor=5, use="不同意")
        table = results.crosstab(lobby.survey, lobby.use, "floor")
        assert [(r.responses, r.hidden) for r in table.rows] == [(3, False), (1, True)]
        assert table.rows[1].cells == []
        assert table.folded == 1

    def test_named_survey_shows_small_groups(self, world):
        lobby = _three_answers(world)
        table = results.crosstab(lobby.survey, lobby.use, "floor")
        assert not any(r.hidden for r in table.rows)


class TestNotAnswered:
    def test_named_survey_lists_flats_and_names_without_phones(self, world):
        lobby = _three_answers(world)
        waiting = results.not_answered(lobby.survey)
        assert [w.flat for w in waiting] == ["1-101", "1-501", "1-601"]
        assert waiting[0].names == ["李居民"]
        assert not any("1390000" in name for w in waiting for name in w.names)

    def test_anonymous_survey_lists_nobody(self, world):
        lobby = _three_answers(world, anonymous=True)
        assert results.not_answered(lobby.survey) == []


class TestQueries:
    def _count(self, survey) -> int:
        with CaptureQueriesContext(connection) as captured:
            results.consultation_results(survey)
            results.crosstab(survey, survey.questions.get(kind="single"), "floor")
        return len(captured.captured_queries)

    def test_the_same_number_of_queries_for_3_and_60_answers(self, world):
        """Answers, buildings and floors do not add queries."""
        lobby = _three_answers(world)
        few = self._count(lobby.survey)
        b3 = BuildingFactory(estate=world.here, number="3", sort_key=3)
        lobby.survey.audience_buildings.add(b3)
        people = households(world, lobby, 57, building=b3)
        for i, person in enumerate(people):
            respond(
                lobby,
                person=person,
                flat=person.occupancies.get().flat,
                use="同意" if i % 3 else "不同意",
                features=["茶水"] if i % 3 else [],
                rating=i % 5 + 1,
                ranking=["白天", "周末", "晚上"],
                times=i,
                why=f"意见{i % 7}",
            )
        assert self._count(lobby.survey) == few


class TestCharts:
    def test_percent_rounds_half_up(self):
        assert percent(Fraction(1, 8)) == "12.5%"
        assert percent(Fraction(1, 3)) == "33.3%"
        assert percent(Fraction(2, 3)) == "66.7%"
        assert percent(Fraction(1, 2000)) == "0.1%"
        assert percent(None) == "–"

    def test_labels_are_escaped(self):
        svg = bars_svg([Bar("<script>x</script>", 1, Fraction(1))], chart_id="c", title="<b>")
        assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
