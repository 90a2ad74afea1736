"""The monthly run of disclosure reports: on the 1st of each month, last month's report of
every estate with a fund, and on the first day of a quarter the quarter's too; then book the
next run.

``reports_schedule()`` books the first run (the worker command calls it); it does nothing
when a run is already waiting, so calling it at every start never piles up runs. A run that
starts late (the worker was down on the 1st) still makes the latest ended month's and
quarter's reports, and a report already made is not made again.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from linju.funding import charts, reports

RUN_AT = datetime.time(2, 0)  # 02:00 Beijing time, when nobody is recording money
log = logging.getLogger("linju.funding")


def next_run(now: datetime.datetime) -> datetime.datetime:
    """02:00 local time on the 1st of the month after ``now``'s."""
    zone = charts.local_zone()
    today = timezone.localtime(now, zone).date()
    first = reports.period_after(reports.MONTH, today.replace(day=1))
    return datetime.datetime.combine(first, RUN_AT, tzinfo=zone)


def _waiting_run_exists() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: nothing to look at
        return False
    from django_tasks.base import TaskResultStatus

    return DBTaskResult.objects.filter(
        task_path=reports_run.module_path, status=TaskResultStatus.READY
    ).exists()


def reports_schedule(*, now: datetime.datetime | None = None) -> bool:
    """Book the next run (the 1st of next month, 02:00) unless one is waiting. True if it
    booked one. Backends that cannot run a task later (immediate, dummy) are left alone."""
    if not reports_run.get_backend().supports_defer or _waiting_run_exists():
        return False
    reports_run.using(run_after=next_run(now or timezone.now())).enqueue()
    return True


@task()
def reports_run() -> dict[str, int]:
    """Make the due reports of every estate, then book the next run."""
    counts = reports.reports_make_due()
    log.info("disclosure reports: %s", counts)
    reports_schedule()
    return counts
