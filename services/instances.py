"""Several instances of one bot: which of them does what only one may do.

Two jobs go to one instance at a time, by a lease in the database (renewed while it runs, free
for another once it lapses, so a killed instance's job passes on by itself):

- sending the outbox (reminders, notices, reports): Telegram allows a bot about 30 messages a
  second in all, and each instance paces itself to that; two sending at once would send twice
  as fast. The reminder claim already gives every message to one instance only.
- taking updates by long polling: Telegram answers a second poller with 409 and, behind a
  server that does not, both would handle the same updates. Several instances need the
  webhook; a second poller is refused at start with a clear line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from core.clock import Clock
from core.errors import UserFacingError
from storage.database import Database

logger = logging.getLogger(__name__)

T = TypeVar("T")

SENDER = "sender"
POLLING = "polling"
MAX_POLLING = "polling-max"
RETENTION = "retention"
# A nightly job's lease outlives the job and lapses long before the next night.
NIGHTLY_TTL = timedelta(hours=1)
SENDER_TTL = timedelta(seconds=30)
POLLING_TTL = timedelta(seconds=30)
# Renewed before each long poll of MAX (up to 30 s), so it outlives one.
MAX_POLLING_TTL = timedelta(seconds=75)
# A live poller renews this often: a newcomer that sees the lease renewed within this (and a
# little) knows another instance is polling, and does not wait for it to lapse.
POLLING_RENEW = timedelta(seconds=10)
_RENEW_SLACK = timedelta(seconds=2)


def instance_id() -> str:
    """This process among the bot's instances: host, pid and a random part (pids repeat)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


class PollingTaken(UserFacingError):
    """Another instance of this bot takes updates by long polling from the same database."""


class Lease:
    """One named lease, held by this instance while it keeps renewing it."""

    def __init__(
        self, database: Database, clock: Clock, name: str, holder: str, ttl: timedelta
    ) -> None:
        self._database = database
        self._clock = clock
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self._held = False
        # The last `take` got it while it did not hold it before: whatever the previous holder
        # had under way is abandoned (it stopped renewing, or this instance just started).
        self.just_taken = False

    async def take(self) -> bool:
        """Takes or renews it; False while another instance holds it."""
        now = self._clock.now()
        async with self._database.transaction() as repositories:
            held = await repositories.leases.acquire(self.name, self.holder, now, now + self.ttl)
        self.just_taken = held and not self._held
        self._held = held
        return held

    async def release(self) -> None:
        async with self._database.transaction() as repositories:
            await repositories.leases.release(self.name, self.holder)
        self._held = False

    async def current(self) -> tuple[str, datetime] | None:
        """Who holds it and until when; None when it was never taken."""
        async with self._database.transaction() as repositories:
            return await repositories.leases.held(self.name)


async def take_polling(
    lease: Lease,
    *,
    renew: timedelta = POLLING_RENEW,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Takes the polling lease, or raises PollingTaken when another instance is polling.

    A lease left by an instance that died (a crash, a kill) lapses within its time: a restart
    waits that out. One that is renewed meanwhile belongs to a live poller."""
    if await lease.take():
        return
    seen = await lease.current()
    await sleep((renew + _RENEW_SLACK).total_seconds())
    while not await lease.take():
        if await lease.current() != seen:
            raise PollingTaken("instances.polling_taken")
        await sleep(1.0)


async def keep_renewing(
    lease: Lease,
    every: timedelta,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Renews the lease until cancelled; a renewal that fails (the database away) is logged
    and tried again: the lease lapses only if that lasts its whole time."""
    while True:
        await sleep(every.total_seconds())
        try:
            if not await lease.take():
                logger.error("lease %s was taken by another instance", lease.name)
        except Exception:
            logger.warning("could not renew lease %s; retrying", lease.name, exc_info=True)


def exclusive(lease: Lease, job: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T | None]]:
    """The job as a scheduler calls it on every instance, run by the one that gets the lease
    (the nightly erasure must not write two acts); None where another instance has it."""

    async def run() -> T | None:
        if not await lease.take():
            return None
        return await job()

    return run
