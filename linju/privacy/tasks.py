"""The daily retention run: purge what is past its period, then book tomorrow's run.

``retention_schedule()`` books the first run (the worker command and ``linju purge-expired
--schedule`` call it); it does nothing when a run is already waiting, so calling it at every
start never piles up runs.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from linju.privacy.retention import retention_purge

RUN_EVERY = datetime.timedelta(days=1)
log = logging.getLogger("linju.privacy")


def _waiting_run_exists() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: nothing to look at
        return False
    from django_tasks.base import TaskResultStatus

    return DBTaskResult.objects.filter(
        task_path=retention_run.module_path, status=TaskResultStatus.READY
    ).exists()


def retention_schedule(*, now: datetime.datetime | None = None) -> bool:
    """Book the next run a day from ``now`` unless one is waiting. True if it booked one.
    Backends that cannot run a task later (immediate, dummy) are left alone."""
    if not retention_run.get_backend().supports_defer or _waiting_run_exists():
        return False
    retention_run.using(run_after=(now or timezone.now()) + RUN_EVERY).enqueue()
    return True


@task()
def retention_run() -> dict[str, int]:
    """Purge what is past its period, then book the next run."""
    counts = retention_purge()
    log.info("retention purge: %s", counts)
    retention_schedule()
    return counts
