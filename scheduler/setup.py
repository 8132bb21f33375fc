"""The scheduler: a few fixed jobs in memory; the database holds what must survive a restart."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

# A job that missed its moment by less than this still runs once; older misses collapse
# into one run (coalesce) instead of a burst after downtime.
MISFIRE_GRACE_SECONDS = 300


def create_scheduler(zone: ZoneInfo) -> AsyncIOScheduler:
    return AsyncIOScheduler(
        timezone=zone,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )
