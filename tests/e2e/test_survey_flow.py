"""Answering a survey on a phone: building 1's lobby survey, once in normal text and once in
large-text mode. A question shown only after "agree" appears and disappears as the resident
answers; the named survey's draft is saved as they type and is there again after a reload; a
wrong answer is refused on the page with the answers kept; then the household's answer is
recorded. Every page is checked for accessibility, reflow at phone width and untranslated
text."""

import re

from playwright.sync_api import expect

from linju.consultations.models import AnswerChoice, Draft, Participation, Response
from tests.consultations.surveys import lobby_survey
from tests.e2e.conftest import sign_in
from tests.factories import FlatFactory, OccupancyFactory, PersonFactory, UserFactory

SAVED = re.compile(r"\d\d:\d\d")


def _neighbour(world, username: str):
    flat = FlatFactory(building=world.b1, number="102", floor=1)
    user = UserFactory(username=username)
    OccupancyFactory(flat=flat, person=PersonFactory(estate=world.here, user=user))
    return user


def _phone(new_page, base: str, *, large: bool = False):
    page = new_page()
    cookies = [{"name": "linju_language", "value": "zh-hans", "url": base}]
    if large:
        cookies.append({"name": "linju_large_text", "value": "1", "url": base})
    page.context.add_cookies(cookies)
    return page


def _pick(page, key: str, value: int) -> None:
    page.click(f"label[for='{key}-{value}']")


def test_survey_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world
    _neighbour(world, "neighbour_survey")
    lobby = lobby_survey(world)
    survey_url = f"{base}{lobby.survey.get_absolute_url()}"
    features = f"#sec-q{lobby.features.pk}"

    # (1) The resident, in normal text: the branch follows the answer.
    page = _phone(new_page, base)
    sign_in(page, base, "resident")
    page.goto(f"{base}/e/here/surveys/")
    expect(page.locator("main")).to_contain_text(lobby.survey.title)
    checks(page, "survey-01-list-phone-zh")
    page.goto(survey_url)
    expect(page.locator(features)).to_be_hidden()
    checks(page, "survey-02-form-phone-zh")
    _pick(page, f"q{lobby.use.pk}", lobby.choice(lobby.use, "同意"))
    expect(page.locator(features)).to_be_visible()
    _pick(page, f"q{lobby.use.pk}", lobby.choice(lobby.use, "不同意"))
    expect(page.locator(features)).to_be_hidden()
    _pick(page, f"q{lobby.use.pk}", lobby.choice(lobby.use, "同意"))
    _pick(page, f"q{lobby.features.pk}", lobby.choice(lobby.features, "沙发"))
    _pick(page, f"q{lobby.features.pk}", lobby.choice(lobby.features, "绿植"))
    _pick(page, f"q{lobby.rating.pk}", 4)
    for place, label in enumerate(("周末", "晚上", "白天"), start=1):
        page.select_option(f"#q{lobby.ranking.pk}_{lobby.choice(lobby.ranking, label)}", str(place))
    page.fill(f"#q{lobby.times.pk}-input", "3")
    page.fill(f"#q{lobby.why.pk}-input", "晚上可以在这里下棋")
    expect(page.locator("#draft-status")).to_contain_text(SAVED)
    assert Draft.objects.count() == 1

    # The connection may drop or the phone restart: after a reload the draft is there.
    page.reload()
    expect(page.locator(f"#q{lobby.why.pk}-input")).to_have_value("晚上可以在这里下棋")
    expect(page.locator(features)).to_be_visible()
    expect(
        page.locator(f"#q{lobby.features.pk}-{lobby.choice(lobby.features, '绿植')}")
    ).to_be_checked()
    checks(page, "survey-03-draft-restored-phone-zh")
    page.click("main form.survey-form button[type=submit]")
    expect(page.locator("#survey .survey-done")).to_be_visible()
    checks(page, "survey-04-answered-phone-zh")
    assert Response.objects.count() == 1 and not Draft.objects.exists()
    assert set(
        AnswerChoice.objects.filter(question=lobby.features).values_list("choice__label", flat=True)
    ) == {"沙发", "绿植"}

    # (2) A neighbour in large-text mode disagrees: the branch stays hidden; a number out of
    # range is refused on the page, the answers kept, nothing written.
    page = _phone(new_page, base, large=True)
    sign_in(page, base, "neighbour_survey")
    page.goto(survey_url)
    expect(page.locator("html")).to_have_class("large-text")
    checks(page, "survey-05-form-phone-zh-large")
    _pick(page, f"q{lobby.use.pk}", lobby.choice(lobby.use, "不同意"))
    expect(page.locator(features)).to_be_hidden()
    _pick(page, f"q{lobby.rating.pk}", 2)
    page.select_option(f"#q{lobby.ranking.pk}_{lobby.choice(lobby.ranking, '白天')}", "1")
    page.fill(f"#q{lobby.times.pk}-input", "80")
    page.click("main form.survey-form button[type=submit]")
    expect(page.locator(f"#sec-q{lobby.times.pk} .field-error")).to_be_visible()
    expect(page.locator(f"#q{lobby.times.pk}-input")).to_have_value("80")
    checks(page, "survey-06-refused-phone-zh-large")
    assert Response.objects.count() == 1
    page.fill(f"#q{lobby.times.pk}-input", "0")
    page.click("main form.survey-form button[type=submit]")
    expect(page.locator("#survey .survey-done")).to_be_visible()
    checks(page, "survey-07-answered-phone-zh-large")
    assert Participation.objects.count() == 2
    assert not AnswerChoice.objects.filter(
        question=lobby.features, response__respondent__user__username="neighbour_survey"
    ).exists()
    checks.assert_clean()
