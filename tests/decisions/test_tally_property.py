"""The database tally agrees with the independent recount of its own exported record, for any
roll and ballots: the aggregate queries, the record export and the pure rules tell one story.
(The pure rules are checked against a reference implementation in test_rules_property.py.)"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from linju.decisions import record, selectors
from linju.decisions.models import Ballot, Decision, RollEntry, RollFlat
from linju.decisions.services.roll import _frozen_rules

pytestmark = pytest.mark.django_db

# Areas in hundredths of m², many of them the ones floating point cannot hold exactly.
AREA = st.one_of(
    st.sampled_from([10, 20, 30, 70, 8955, 7535, 12345]),
    st.integers(min_value=1, max_value=30_000),
)
OWNER = st.tuples(
    st.lists(AREA, min_size=1, max_size=3),  # one owner entity may hold several flats
    st.sampled_from(["agree", "disagree", "abstain", None]),  # None: did not vote
)


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(owners=st.lists(OWNER, min_size=1, max_size=12), matter=st.integers(1, 9))
def test_database_tally_equals_the_recount_of_its_record(world, owners, matter):
    sid = transaction.savepoint()
    try:
        decision = Decision.objects.create(
            estate=world.here, kind="owners", title="性质测试", matter=matter
        )
        decision.rules = _frozen_rules(decision)
        decision.status = Decision.Status.CLOSED
        decision.save()
        flat_number = 0
        for index, (areas, choice) in enumerate(owners):
            entry = RollEntry.objects.create(
                estate=world.here,
                decision=decision,
                ref=f"O-{index:05d}",
                kind=RollEntry.Kind.OWNER,
                area=sum((Decimal(a) / 100 for a in areas), Decimal("0.00")),
            )
            for area in areas:
                flat_number += 1
                RollFlat.objects.create(
                    estate=world.here,
                    decision=decision,
                    entry=entry,
                    label=f"1-{flat_number}",
                    area=Decimal(area) / 100,
                )
            if choice is not None:
                Ballot.objects.create(
                    estate=world.here,
                    decision=decision,
                    entry=entry,
                    choice=choice,
                    channel="online",
                    receipt=f"R{index:09d}",
                )
        stored = selectors.tally(decision=decision)["strict"]
        exported = json.dumps(selectors.decision_record(decision=decision))
        recounted = record.recount(record.parse_record(exported))
        for key in ("participation", "approval", "result"):
            assert recounted[key] == stored[key]
    finally:
        transaction.savepoint_rollback(sid)
