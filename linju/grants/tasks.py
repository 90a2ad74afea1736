"""The daily reminder run for grant reports: before a report is due and once it is overdue.

``reminders_schedule()`` books the next run (08:00 tomorrow) unless one is waiting, so the
worker may call it at every start. Each reminder goes out once per report however often the
run happens (``services.report_reminders_send`` stamps the report).
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from linju.funding import charts
from linju.grants import services

RUN_AT = datetime.time(8, 0)
log = logging.getLogger("linju.grants")


def next_run(now: datetime.datetime) -> datetime.datetime:
    """08:00 local time on the day after ``now``'s."""
    zone = charts.local_zone()
    tomorrow = timezone.localtime(now, zone).date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, RUN_AT, tzinfo=zone)


def _waiting_run_exists() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return False
    from django_tasks.base import TaskResultStatus

    return DBTaskResult.objects.filter(
        task_path=reminders_run.module_path, status=TaskResultStatus.READY
    ).exists()


def reminders_schedule(*, now: datetime.datetime | None = None) -> bool:
    """Book tomorrow's run unless one is waiting. True if it booked one."""
    if not reminders_run.get_backend().supports_defer or _waiting_run_exists():
        return False
    reminders_run.using(run_after=next_run(now or timezone.now())).enqueue()
    return True


@task()
def reminders_run() -> int:
    """Send the reminders due today, then book the next run."""
    count = services.report_reminders_send()
    log.info("grant report reminders: %s", count)
    reminders_schedule()
    return count
