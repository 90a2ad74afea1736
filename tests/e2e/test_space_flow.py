"""Booking the lobby living room end to end, on a phone: a resident opens the room, reads and
accepts its rules (the conventions app's read mark), taps a free slot and confirms it (two
taps), sees it as theirs in the week and in "my bookings"; a slot a neighbour already holds is
refused with the reason, and nothing is written.

Every page is screenshotted and checked (axe-core, reflow at phone width, English left on
Chinese pages); the problems found are reported together at the end.
"""

import datetime
from urllib.parse import quote

from django.utils import timezone
from playwright.sync_api import expect

from linju.conventions.models import Convention, ConventionVersion
from linju.spaces.models import Booking, Space
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_space_flow(live_server, live_world, new_page, checks):
    base = live_server.url
    world = live_world
    rules = Convention.objects.create(
        estate=world.here, kind=Convention.Kind.SPACE_RULES, title="大堂会客厅 使用公约"
    )
    version = ConventionVersion.objects.create(
        estate=world.here, convention=rules, number=1, title=rules.title
    )
    Convention.objects.filter(pk=rules.pk).update(status="adopted", current_version=version)
    room = Space.objects.create(
        estate=world.here, name="大堂公共会客厅", rules=rules, manager=world.user("staff")
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    neighbour = UserFactory(username="neighbour")
    Booking.objects.create(
        space=room,
        booked_by=neighbour,
        starts_at=_at(tomorrow, 15),
        ends_at=_at(tomorrow, 16),
        purpose="合唱排练",
    )
    week = f"{base}/e/here/spaces/{room.pk}/?week={tomorrow.isoformat()}"
    day = f"main section[aria-labelledby='day-{tomorrow:%Y%m%d}']"

    # (1) The resident opens the room: the rules come first, no slot can be booked yet.
    page = new_page()
    sign_in(page, base, "resident")
    page.goto(week)
    expect(page.locator("main #rules")).to_contain_text("大堂会客厅 使用公约")
    expect(page.locator(f"{day} a.button")).to_have_count(0)
    checks(page, "space-01-rules-zh")

    # (2) "I accept the rules": the slots become big buttons.
    with page.expect_navigation():
        page.click("main #rules form button[type=submit]")
    assert rules.reads.filter(user=world.user("resident")).exists()
    slot = page.locator(f"{day} a.button", has_text="10:00")
    expect(slot).to_be_visible()
    checks(page, "space-02-week-zh")

    # (3) Two taps: the slot, then "confirm".
    with page.expect_navigation():
        slot.click()
    expect(page.locator("main form .entry-label")).to_contain_text("10:00")
    checks(page, "space-03-confirm-zh")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    booking = Booking.objects.get(booked_by=world.user("resident"))
    assert booking.starts_at == _at(tomorrow, 10)
    expect(page.locator(f"{day} .flat.occupied", has_text="10:00")).to_be_visible()
    page.goto(f"{base}/e/here/spaces/mine/")
    expect(page.locator("main .entry-list .card")).to_have_count(1)
    checks(page, "space-04-mine-zh")

    # (4) The neighbour's slot at 15:00, asked for directly: refused with the reason.
    start = quote(_at(tomorrow, 15).isoformat())
    page.goto(f"{base}/e/here/spaces/{room.pk}/book/?start={start}")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("main [role=alert]").first).to_be_visible()
    assert Booking.objects.count() == 2
    checks(page, "space-05-overlap-zh")
    checks.assert_clean()
