"""The pages: the officer's console and decision, the reviewer's pages, a grant's page with
its agreement PDF, payments and reports, the public list and the board section."""

from __future__ import annotations

import datetime

from django.urls import reverse

from linju.grants import services
from linju.grants.models import Grant, Score


def test_reviewer_scores_and_officer_awards_through_pages(setup, client):
    assignment = setup.assign()
    street = setup.street.slug
    client.force_login(setup.reviewer)
    page = client.get(reverse("grants_my_reviews", args=[street]))
    assert setup.app1.title in page.content.decode()
    url = reverse("grants_score", args=[street, assignment.pk, setup.app1.pk])
    bad = client.post(url, {f"score_{setup.criteria[0].pk}": "7"})
    assert bad.status_code == 422
    assert Score.objects.count() == 0
    data = {f"score_{c.pk}": "7" for c in setup.criteria}
    assert client.post(url, data).status_code == 302
    assert Score.objects.count() == 2

    client.force_login(setup.officer)
    console = client.get(reverse("grants_console", args=[street, setup.programme.pk]))
    assert console.status_code == 200
    assert "min-max" in console.content.decode()
    decide = reverse("grants_decide", args=[street, setup.app1.pk])
    shown = client.get(decide).content.decode()
    assert "12000.00" in shown  # the matching suggestion
    refused = client.post(decide, {"decision": "award", "amount": "999999"})
    assert refused.status_code == 422
    assert Grant.objects.count() == 0
    done = client.post(
        decide,
        {
            "decision": "award",
            "amount": "12000",
            "conditions": "公示",
            "starts_on": "2025-01-31",
            "ends_on": "2025-08-31",
        },
    )
    grant = Grant.objects.get()
    assert done["Location"] == reverse("grant_detail", args=[street, grant.pk])
    assert grant.reports.count() == 3
    pdf = client.get(reverse("grants_agreement_pdf", args=[street, grant.pk]))
    assert pdf.content.startswith(b"%PDF")
    pay = client.post(reverse("grants_disburse", args=[street, grant.pk]), {"amount": "20000"})
    assert pay.status_code == 422
    assert grant.disbursements.count() == 0
    client.post(reverse("grants_disburse", args=[street, grant.pk]), {"amount": "12000"})
    assert grant.disbursements.count() == 1


def test_pitch_is_a_meeting_of_the_estate(setup, client):
    from linju.meetings.models import Meeting

    client.force_login(setup.officer)
    url = reverse("grants_pitch", args=[setup.street.slug, setup.programme.pk])
    when = (datetime.datetime.now() + datetime.timedelta(days=5)).strftime("%Y-%m-%dT19:00")
    response = client.post(url, {"estate": setup.neighbour.pk, "starts_at": when, "place": "礼堂"})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.kind, meeting.estate) == ("pitch", setup.neighbour)
    assert setup.app_nb.title in meeting.agenda


def test_the_board_and_public_page_show_decisions_and_reports(setup, client):
    grant = services.grant_award(
        actor=setup.officer,
        application=setup.app1,
        amount="5000",
        conditions="志愿者监督",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 3, 1),
    )
    services.report_submit(
        actor=setup.world.users["leader"], report=grant.reports.get(), text="大堂焕然一新"
    )
    client.force_login(setup.world.users["resident"])
    board = client.get(reverse("board", args=["here"])).content.decode()
    assert "大堂焕然一新" in board and "志愿者监督" in board
    public = client.get(reverse("grants_public", args=[setup.street.slug])).content.decode()
    assert "大堂焕然一新" in public


def test_the_reviewer_of_the_estate_is_told_why(setup, client):
    resident = setup.world.users["resident"]
    setup.assign(resident)
    client.force_login(resident)
    page = client.get(reverse("grants_my_reviews", args=[setup.street.slug])).content.decode()
    assert setup.app_nb.title in page and setup.app1.title not in page
