"""Background tasks for big rosters, run by ``linju worker``. Each one only calls the service
step; the import row carries the progress and the outcome."""

from django_tasks import task

from linju.community.roster import services


@task()
def roster_check_task(import_id: int) -> None:
    """Check an uploaded roster (the preview)."""
    services.run_check(import_id)


@task()
def roster_apply_task(import_id: int) -> None:
    """Import a confirmed roster."""
    services.run_apply(import_id)
