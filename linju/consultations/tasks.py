"""The worker's timed steps for surveys: remind those who have not answered a day before the
close, and close at the closing time. Each step is idempotent: a step taken by hand from the
console first leaves the task nothing to do."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django_tasks import task

from linju.consultations import services
from linju.consultations.models import Consultation

log = logging.getLogger("linju.consultations")


@task()
def consultation_close_due(consultation_id: int) -> str:
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None or consultation.status != Consultation.Status.OPEN:
        return "nothing to do"
    try:
        services.consultation_close(actor=None, consultation=consultation)
    except ValidationError as exc:
        log.warning("survey %s: not closed: %s", consultation_id, "; ".join(exc.messages))
        return "not closed"
    return "closed"


@task()
def consultation_remind_due(consultation_id: int) -> int:
    """Remind those asked who have not answered (skipped if reminded by hand in the last day)."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None or not consultation.is_accepting():
        return 0
    reminded, closes = consultation.reminded_at, consultation.closes_at
    if reminded is not None and closes is not None and closes - reminded <= services.REMIND_BEFORE:
        return 0
    return services.consultation_remind(actor=None, consultation=consultation)
