"""Hostile file names: every corpus string, sent as the name of an uploaded photo, is either
kept (cleaned: no folders, no control characters, at most 200 characters, ending in the real
type) and shown escaped wherever the file is listed, or refused with nothing written."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from linju.notices.models import NoticeAttachment
from tests.hostile import CORPUS, assert_no_live_markup, assert_shown_escaped
from tests.notices.factories import NoticeFactory, png

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", list(CORPUS))
def test_a_hostile_file_name_is_shown_escaped(world, key):
    notice = NoticeFactory(estate=world.here)
    client = Client(raise_request_exception=False)
    client.force_login(world.user("staff"))
    response = client.post(
        reverse("console_notice_attachment_add", args=["here", notice.pk]),
        {"file": png(CORPUS[key] + ".png")},
    )
    assert response.status_code < 500
    assert_no_live_markup(response.content.decode())
    attachment = NoticeAttachment.objects.filter(notice=notice).first()
    if response.status_code != 302:
        assert attachment is None
        return
    assert attachment is not None
    name = attachment.original_name
    assert name.endswith(".png") and len(name) <= 200
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert all(c.isprintable() for c in name)
    for url in (
        reverse("console_notice", args=["here", notice.pk]),
        reverse("notice_detail", args=["here", notice.pk]),
    ):
        html = client.get(url).content.decode()
        assert_shown_escaped(html, name)
