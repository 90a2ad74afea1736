"""The worker's timed steps for decisions: open when the notice period ends, remind before the
close, close at the end of the period, and remind organisers to publish within 3 days.

Each step is idempotent: a step taken by hand from the console first leaves the task nothing
to do.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django_tasks import task

from linju.decisions import services
from linju.decisions.models import Decision

log = logging.getLogger("linju.decisions")


def _decision(decision_id: int) -> Decision | None:
    return Decision.objects.filter(pk=decision_id).first()


def _timed_step(decision_id: int, *, when: str, step: Any, done: str) -> str:
    """Take ``step`` if the decision is still ``when``; a refusal is logged, not raised."""
    decision = _decision(decision_id)
    if decision is None or decision.status != when:
        return "nothing to do"
    try:
        step(actor=None, decision=decision)
    except ValidationError as exc:
        log.warning("decision %s: not %s: %s", decision_id, done, "; ".join(exc.messages))
        return f"not {done}"
    return done


@task()
def decision_open_due(decision_id: int) -> str:
    return _timed_step(
        decision_id, when=Decision.Status.ANNOUNCED, step=services.decision_open, done="opened"
    )


@task()
def decision_close_reminder(decision_id: int) -> int:
    decision = _decision(decision_id)
    return 0 if decision is None else services.decision_remind(decision=decision)


@task()
def decision_close_due(decision_id: int) -> str:
    return _timed_step(
        decision_id, when=Decision.Status.OPEN, step=services.decision_close, done="closed"
    )


@task()
def decision_publish_reminder(decision_id: int) -> bool:
    decision = _decision(decision_id)
    return False if decision is None else services.decision_publish_remind(decision=decision)
