"""Pure timing rules for pushes: quiet hours, the digest window, retry back-off.

Quiet hours are wall-clock times in one time zone; a start later than the end spans midnight
(22:00–07:00); equal start and end mean no quiet hours.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from zoneinfo import ZoneInfo

# After a transient error: wait 1 minute, then 5, then 30; the fourth failure is final.
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def in_quiet_hours(moment: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def after_quiet_hours(
    moment: datetime.datetime, start: datetime.time, end: datetime.time, tz: ZoneInfo
) -> datetime.datetime:
    """``moment`` itself if it is outside quiet hours, else the moment they end."""
    local = moment.astimezone(tz)
    if not in_quiet_hours(local.time(), start, end):
        return moment
    ends = datetime.datetime.combine(local.date(), end, tzinfo=tz)
    if ends <= local:
        ends = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), end, tzinfo=tz)
    return ends


def retry_delay(attempts: int) -> datetime.timedelta | None:
    """How long to wait after the ``attempts``-th failed try; None: give up."""
    if 1 <= attempts <= len(RETRY_DELAYS):
        return RETRY_DELAYS[attempts - 1]
    return None


def digest_slot(
    due: datetime.datetime,
    recent: Sequence[datetime.datetime],
    *,
    after: int,
    window: datetime.timedelta,
) -> datetime.datetime | None:
    """When a push due at ``due`` must wait for a digest, the end of the window; else None.

    ``recent`` are the due times of the person's other single pushes on the same channel.
    If ``after`` of them already fall in the window ending at ``due``, this one is held until
    the window that began with the earliest of them closes.
    """
    in_window = sorted(t for t in recent if due - window < t <= due)
    if len(in_window) < after:
        return None
    return in_window[0] + window
