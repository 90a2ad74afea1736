"""The demo street's participatory-budgeting vote on "2025 美丽楼组 微更新" (¥100,000).

The four shortlisted applications (buildings 15, 16, 19 and 26) ask for more than the budget
together, so residents choose. About 300 residents of the demo estate vote, with planted
preferences: most support the lobby of building 15 and the handrails of building 19, many add
building 16's bicycle shelter, and about three in ten (the calligraphy and painting lovers)
support building 26's gallery above all. Greedy by votes would leave the gallery out; the
Method of Equal Shares gives its supporters their share of the budget, so it is funded and
building 16's shelter, whose supporters have spent their share, is not. Residents with an
account vote online; the others' ballots are entered from paper by the committee staff.

The vote is then moved into the past (voting ended three days ago), closed, counted by the
programme's rule (MES-Add1) and published, which awards the winners their grants. Call after
the foundation and grants demos; then ``linju.grants.demo.demo_grants_disburse`` pays them.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from linju.budgeting import services
from linju.budgeting.models import BudgetVote, PBBallot
from linju.community.models import Estate, Occupancy, Person
from linju.foundation.models import Application, Programme

PROGRAMME_NAME = "2025 美丽楼组 微更新"
VOTERS = 300
SEED = 2025

# (share of voters, buildings always supported, buildings added with probability 1/2)
PREFERENCES: tuple[tuple[float, tuple[str, ...], tuple[str, ...]], ...] = (
    (0.40, ("15", "19"), ("16",)),
    (0.26, ("15", "16"), ("19",)),
    (0.34, ("26",), ()),
)


def _ballot(rng: random.Random) -> list[str]:
    draw, total = rng.random(), 0.0
    group = PREFERENCES[-1]
    for candidate in PREFERENCES:
        total += candidate[0]
        if draw < total:
            group = candidate
            break
    _share, always, maybe = group
    chosen = list(always) + [number for number in maybe if rng.random() < 0.5]
    return chosen[:3]


def _voters(estate: Estate) -> list[Person]:
    living = Occupancy.objects.current().filter(estate=estate).values("person_id")
    return list(
        Person.objects.filter(pk__in=living, is_minor=False)
        .select_related("user")
        .order_by("pk")[:VOTERS]
    )


@transaction.atomic
def demo_budgeting(estate: Estate) -> BudgetVote | None:
    """The programme's residents' vote, counted and published (nothing is added if the
    programme already has a vote, or is not there)."""
    programme = Programme.objects.filter(street=estate.street, name=PROGRAMME_NAME).first()
    if programme is None:
        return None
    existing = BudgetVote.objects.filter(programme=programme).first()
    if existing is not None:
        return existing
    users = get_user_model().objects
    officer, staff = users.get(username="foundation"), users.get(username="staff")
    _shortlist_received(programme, officer)
    now = timezone.now()
    vote = services.vote_open(
        actor=officer, programme=programme, opens_at=now, closes_at=now + datetime.timedelta(days=7)
    )
    by_building = {
        a.building.number: a.pk for a in vote.eligible.select_related("building") if a.building
    }
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    for person in _voters(estate):
        chosen = [by_building[n] for n in _ballot(rng) if n in by_building]
        if not chosen:
            continue
        if person.user is not None and services.voters_for(actor=person.user, vote=vote):
            services.ballot_cast(actor=person.user, vote=vote, applications=chosen)
        else:
            services.paper_ballot_enter(actor=staff, vote=vote, person=person, applications=chosen)
    _into_the_past(vote, now)
    services.vote_close(actor=officer, vote=vote)
    services.outcome_compute(actor=officer, vote=vote)
    services.outcome_publish(actor=officer, vote=vote)
    return BudgetVote.objects.get(pk=vote.pk)


def _shortlist_received(programme: Programme, officer: Any) -> None:
    """Applications still under review (the grants demo shortlists them) go on the ballot."""
    from linju.foundation.services import application_move

    for application in programme.applications.filter(
        status__in=(Application.Status.RECEIVED, Application.Status.UNDER_REVIEW)
    ).order_by("pk"):
        if application.status == Application.Status.RECEIVED:
            application = application_move(
                actor=officer, application=application, status=Application.Status.UNDER_REVIEW
            )
        application_move(
            actor=officer, application=application, status=Application.Status.SHORTLISTED
        )


def _into_the_past(vote: BudgetVote, now: datetime.datetime) -> None:
    """Voting ran for a week and ended three days ago; ballots came in during that week."""
    opens = now - datetime.timedelta(days=10)
    closes = now - datetime.timedelta(days=3)
    BudgetVote.objects.filter(pk=vote.pk).update(opens_at=opens, closes_at=closes)
    ballots = list(PBBallot.objects.filter(vote=vote).order_by("pk"))
    step = (closes - opens) / (len(ballots) + 1)
    for number, ballot in enumerate(ballots, start=1):
        ballot.created_at = opens + step * number
    PBBallot.objects.bulk_update(ballots, ["created_at"])
    vote.refresh_from_db()
