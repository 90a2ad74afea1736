"""Conventions as tests need them, made through the services: a draft with clauses, one with
saved versions, one under a residents' vote, one adopted by a published vote.

    draft(world)                        # building 1's draft, three clauses, by its leader
    adopted(world, ballots={user: "agree"})   # adopted through a real residents' vote
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from linju.conventions import services
from linju.conventions.models import Convention
from linju.decisions import services as decisions
from linju.decisions.models import Decision
from tests.decisions.factories import cast, move

CLAUSES = [
    "楼道内不堆放杂物，保持消防通道畅通。",
    "电动自行车不进楼、不上楼，统一在非机动车停放区充电。",
    "垃圾分类投放，不在楼道内暂存垃圾袋。",
]


def draft(world: Any, *, building: Any = None, actor: Any = None, **values: Any) -> Convention:
    """A civility convention of building 1 being drafted by its leader, with three clauses."""
    values.setdefault("title", "1号楼文明公约")
    values.setdefault("clauses", CLAUSES)
    return services.convention_create(
        actor=actor or world.users["leader"],
        estate=world.here,
        building=building or world.b1,
        **values,
    )


def voting(world: Any, convention: Convention | None = None, **values: Any) -> Convention:
    """A draft put to a residents' vote (announced; opens after the notice period)."""
    convention = convention or draft(world, **values)
    now = timezone.now()
    return services.adoption_vote_start(
        actor=world.users["staff"],
        convention=convention,
        opens_at=now + datetime.timedelta(days=16),
        closes_at=now + datetime.timedelta(days=30),
    )


def run_vote(
    world: Any, convention: Convention, ballots: dict[Any, str], *, publish: bool = True
) -> Decision:
    """Open the convention's vote, cast ``ballots`` ("agree" = adopt, "disagree" = do not),
    close, count and (by default) publish it, by the decisions services."""
    staff = world.users["staff"]
    decision = Decision.objects.get(pk=convention.decision_id)
    move(decision, opens_at=-1)
    decision = decisions.decision_open(actor=staff, decision=decision)
    labels = list(decision.options.order_by("position").values_list("label", flat=True))
    cast(
        decision,
        {user: labels[0] if vote == "agree" else labels[1] for user, vote in ballots.items()},
    )
    move(decision, closes_at=-1)
    decision = decisions.decision_close(actor=staff, decision=decision)
    decision = decisions.decision_tally(actor=staff, decision=decision)
    if publish:
        decision = decisions.decision_publish(actor=staff, decision=decision)
    return decision


def adopted(world: Any, **values: Any) -> Convention:
    """Building 1's convention adopted by a published residents' vote (the resident, the only
    household with an account, votes to adopt)."""
    convention = voting(world, **values)
    run_vote(world, convention, {world.users["resident"]: "agree"})
    convention = services.convention_sync_with_decision(convention=convention)
    assert convention.status == Convention.Status.ADOPTED
    return convention
