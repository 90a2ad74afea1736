"""Decisions of the demo estate, made through the same services as real ones.

- Building 15 decided last month to renovate its stairwells (Art. 278 item 7): counted and
  published, with online, paper and proxy ballots.
- Building 17 is voting now on using the maintenance fund to repair its roof (item 5); some
  owners have voted, resident17 has not.

The notice period cannot be waited out in a demo, so each decision's dates are moved back
after it is announced, as if the weeks had passed; everything else is what the services did.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from linju.community.models import Building, Estate
from linju.decisions import services
from linju.decisions.models import Ballot, Decision, NoticeDelivery, PaperEntry, RollEntry

SEED = 278
PAPER_PHOTO = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _shift(decision: Decision, **moments: datetime.datetime) -> Decision:
    Decision.objects.filter(pk=decision.pk).update(**moments)
    decision.refresh_from_db()
    return decision


def _backdate(decision: Decision, *, announced: datetime.datetime, rng: random.Random) -> None:
    """Give the steps the dates they would have had: announced weeks ago, opened when the
    notice period ended, ballots spread over the voting period, counted and published the
    day after the close."""
    assert decision.opens_at is not None and decision.closes_at is not None
    now = timezone.now()
    opened, closes = decision.opens_at, decision.closes_at
    last = min(closes, now) - datetime.timedelta(minutes=5)
    moments: dict[str, Any] = {"announced_at": announced, "opened_at": opened}
    if decision.closed_at is not None:
        counted = closes + datetime.timedelta(days=1)
        moments.update(
            closed_at=closes, tallied_at=counted, published_at=counted + datetime.timedelta(hours=2)
        )
    Decision.objects.filter(pk=decision.pk).update(**moments)
    Decision.objects.filter(pk=decision.pk).update(roll_frozen_at=opened)
    span = (last - opened).total_seconds()
    for ballot in Ballot.objects.filter(decision=decision).order_by("pk"):
        ballot.cast_at = opened + datetime.timedelta(seconds=rng.uniform(0, span))
        ballot.save(update_fields=["cast_at"])
        PaperEntry.objects.filter(ballot=ballot).update(entered_at=ballot.cast_at)
    NoticeDelivery.objects.filter(decision=decision).update(delivered_at=announced)


def _announced(staff: Any, estate: Estate, building: Building, **values: Any) -> Decision:
    now = timezone.now()
    decision = services.decision_create(
        actor=staff,
        estate=estate,
        kind=Decision.Kind.OWNERS,
        buildings=[building],
        opens_at=now + datetime.timedelta(days=16),
        closes_at=now + datetime.timedelta(days=30),
        **values,
    )
    return services.decision_announce(actor=staff, decision=decision)


def _take_part(
    decision: Decision,
    entries: list[RollEntry],
    clerks: list[Any],
    rng: random.Random,
    *,
    agree: int,
    disagree: int,
) -> None:
    """Owners with an account vote online; the others on paper (one in five by proxy), each
    paper ballot entered by two clerks."""
    for index, entry in enumerate(entries):
        choice = rng.choice(["agree"] * agree + ["disagree"] * disagree + ["abstain"])
        user = entry.voter.user if entry.voter else None
        if user is not None:
            services.ballot_cast(actor=user, decision=decision, entry=entry, choice=choice)
        elif index % 5 == 0:
            _on_paper(decision, entry, choice, clerks, channel="proxy", proxy_name="王建国")
        else:
            _on_paper(decision, entry, choice, clerks, channel="paper")


def _on_paper(decision: Decision, entry: RollEntry, choice: str, staff: list[Any], **kw) -> None:
    for actor in staff:
        services.paper_ballot_enter(
            actor=actor,
            decision=decision,
            entry=entry,
            choice=choice,
            document=ContentFile(PAPER_PHOTO, name="ballot.png"),
            **kw,
        )


@transaction.atomic
def demo_decisions(estate: Estate) -> list[Decision]:
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    users = get_user_model().objects
    staff = users.get(username="staff")
    committee = users.get(username="owners")
    clerks = [staff, committee]
    now = timezone.now()

    b15 = Building.objects.get(estate=estate, number="15")
    stairs = _announced(
        staff,
        estate,
        b15,
        title="15号楼楼道微更新（墙面、扶手、照明）",
        body=(
            "经楼组议事会讨论，拟对15号楼楼道墙面翻新、加装扶手、更换感应照明。"
            "费用由居民自筹与社区基金会配捐共同承担，不动用专项维修资金。"
        ),
        matter=Decision.Matter.RENOVATE,
    )
    stairs = _shift(stairs, opens_at=now - datetime.timedelta(days=40))
    stairs = services.decision_open(actor=staff, decision=stairs)
    entries = list(RollEntry.objects.filter(decision=stairs, active=True).order_by("ref"))
    rng.shuffle(entries)
    _take_part(stairs, entries[: len(entries) * 4 // 5], clerks, rng, agree=9, disagree=1)
    stairs = _shift(stairs, closes_at=now - datetime.timedelta(days=9))
    services.decision_close(actor=staff, decision=stairs)
    stairs = services.decision_tally(actor=staff, decision=stairs)
    stairs = services.decision_publish(actor=staff, decision=stairs)
    _backdate(stairs, announced=now - datetime.timedelta(days=56), rng=rng)

    b17 = Building.objects.get(estate=estate, number="17")
    roof = _announced(
        staff,
        estate,
        b17,
        title="使用专项维修资金维修17号楼屋面防水",
        body=(
            "17号楼顶层多户反映雨季渗水。经物业查勘，拟使用本楼专项维修资金约8.6万元"
            "维修屋面防水层，施工单位由业主代表参与比选。"
        ),
        matter=Decision.Matter.FUND_USE,
    )
    roof = _shift(
        roof,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=11),
    )
    roof = services.decision_open(actor=staff, decision=roof)
    resident = users.get(username="resident17")
    entries = [
        e
        for e in RollEntry.objects.filter(decision=roof, active=True).order_by("ref")
        if not (e.voter and e.voter.user_id == resident.pk)
    ]
    rng.shuffle(entries)
    _take_part(roof, entries[: len(entries) * 2 // 5], clerks, rng, agree=5, disagree=1)
    _backdate(roof, announced=now - datetime.timedelta(days=19), rng=rng)
    return [stairs, roof]
