"""The demo: reviewers from outside the estate score the applications of buildings 15, 16, 19
and 26, which are shortlisted; after the residents' vote awards some, their grants are paid
into the buildings' funds with report schedules."""

from __future__ import annotations

from linju.community.models import Person, Role
from linju.foundation.models import Application
from linju.grants import services
from linju.grants.demo import PROGRAMME_NAME, demo_grants, demo_grants_disburse
from linju.grants.models import Grant, ReviewerAssignment, Score
from linju.meetings.models import Meeting
from tests import factories as f
from tests.grants import factories as gf


def test_demo_reviews_then_pays_the_awarded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    estate = f.EstateFactory(name="中浩云花园")
    officer = f.UserFactory(username="foundation")
    f.RoleFactory(
        user=officer, kind=Role.Kind.FOUNDATION_OFFICER, estate=None, street=estate.street
    )
    programme = gf.programme(estate.street, name=PROGRAMME_NAME)
    criteria = gf.criteria(programme, (3, 2, 2, 1))
    apps = [
        gf.application(programme, estate, f.BuildingFactory(estate=estate, number=n), requested=r)
        for n, r in (("15", "35000"), ("16", "30000"), ("19", "28000"), ("26", "25000"))
    ]
    demo_grants(estate)
    reviewers = ReviewerAssignment.objects.filter(programme=programme)
    assert reviewers.count() == 3
    assert not Person.objects.filter(user__in=reviewers.values("reviewer")).exists()
    assert Score.objects.count() == 3 * 4 * len(criteria)
    assert set(Application.objects.values_list("status", flat=True)) == {"shortlisted"}
    assert Meeting.objects.filter(kind="pitch", estate=estate).count() == 1
    demo_grants(estate)  # run twice: nothing doubles
    assert ReviewerAssignment.objects.count() == 3

    for app in apps[:2]:
        services.grant_award(actor=officer, application=app, amount=app.requested, conditions="")
    paid = demo_grants_disburse(estate)
    assert len(paid) == 2
    for grant in Grant.objects.all():
        assert services.disbursed_total(grant) == grant.amount
        assert grant.reports.exists()
