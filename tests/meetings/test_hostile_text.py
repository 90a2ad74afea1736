"""Hostile text in a meeting's title, place, agenda, minutes, outcomes and a guest's name is
either refused (nothing written) or shown escaped on every page that shows it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from linju.meetings.models import Meeting
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", list(CORPUS))
def test_hostile_text_is_refused_or_shown_escaped(world, key):
    text = CORPUS[key]
    client = Client(raise_request_exception=False)
    client.force_login(world.user("staff"))
    response = client.post(
        reverse("console_meeting_create", args=["here"]),
        {
            "kind": "hearing",
            "title": text[:120],
            "building": world.b1.pk,
            "starts_at": "2020-05-01T09:30",
            "place": text[:200],
            "agenda": text,
        },
    )
    assert response.status_code in (302, 400, 422)  # 400: a NUL never reaches a view
    assert_no_live_markup(response.content.decode())
    meeting = Meeting.objects.first()
    if response.status_code != 302:
        assert meeting is None
        return
    assert meeting is not None
    attendance = reverse("console_meeting_attendance", args=["here", meeting.pk])
    guest = client.post(attendance, {"name": text[:60], "mode": "in_person"})
    assert guest.status_code in (302, 422)
    minutes = client.post(
        reverse("console_meeting_minutes", args=["here", meeting.pk]),
        {"minutes": text, "outcomes": text[:500]},
    )
    assert minutes.status_code in (302, 422)
    pages = [
        meeting.get_absolute_url(),
        reverse("meetings", args=["here"]),
        reverse("console_meeting", args=["here", meeting.pk]),
        reverse("console_meetings", args=["here"]),
        attendance,
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert_no_live_markup(html)
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert_shown_escaped(detail, meeting.title)
    if minutes.status_code == 302:
        meeting.refresh_from_db()
        assert_shown_escaped(detail, meeting.agenda.splitlines()[0].strip())
