"""The opinion map's recomputation, run by the task worker (booked by
``services._request_recompute``, at most once every few seconds per discussion)."""

from __future__ import annotations

from django_tasks import task

from linju.opinions import services


@task()
def map_recompute_task(discussion_id: int) -> int | None:
    """Recompute the discussion's map; the new snapshot's version, or None if nothing new."""
    snapshot = services.map_recompute(discussion_id=discussion_id)
    return snapshot.version if snapshot is not None else None
