"""Leases between instances: one holder at a time, renewed while it runs, free once lapsed; a
second poller is refused, a restart after a crash waits the dead one's lease out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from core.clock import ManualClock
from services.instances import (
    POLLING,
    POLLING_RENEW,
    Lease,
    PollingTaken,
    exclusive,
    keep_renewing,
    take_polling,
)
from storage.database import Database

TTL = timedelta(seconds=30)


async def test_one_holder_at_a_time_until_it_lapses_or_is_released(
    database: Database, clock: ManualClock
) -> None:
    first = Lease(database, clock, "sender", "a", TTL)
    second = Lease(database, clock, "sender", "b", TTL)
    assert await first.take()
    assert not await second.take()
    clock.advance(timedelta(seconds=20))
    assert await first.take()  # renewed: another 30 s from now
    clock.advance(timedelta(seconds=20))
    assert not await second.take()
    clock.advance(timedelta(seconds=11))
    assert await second.take()  # lapsed: first stopped renewing
    assert not await first.take()
    await second.release()
    assert await first.take()
    # Another lease's name is another lease.
    assert await Lease(database, clock, "polling", "b", TTL).take()


async def test_two_asking_at_once_get_it_once(database: Database, clock: ManualClock) -> None:
    leases = [Lease(database, clock, "sender", f"i{n}", TTL) for n in range(8)]
    taken = await asyncio.gather(*(lease.take() for lease in leases))
    assert sum(taken) == 1


class FakeSleep:
    """Sleeping moves the manual clock; while "asleep", the other instance may act."""

    def __init__(self, clock: ManualClock, meanwhile: Lease | None = None) -> None:
        self.clock = clock
        self.meanwhile = meanwhile
        self.slept = 0.0
        self.past_100 = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.slept += seconds
        self.clock.advance(timedelta(seconds=seconds))
        if self.meanwhile is not None:
            await self.meanwhile.take()
        if self.slept >= 100:
            self.past_100.set()
        await asyncio.sleep(0)


async def test_a_second_poller_is_refused_when_the_first_keeps_renewing(
    database: Database, clock: ManualClock
) -> None:
    running = Lease(database, clock, POLLING, "running", TTL)
    assert await running.take()
    newcomer = Lease(database, clock, POLLING, "new", TTL)
    sleep = FakeSleep(clock, meanwhile=running)
    with pytest.raises(PollingTaken):
        await take_polling(newcomer, sleep=sleep)
    # Told after one renewal period, not after the lease's whole time.
    assert sleep.slept < TTL.total_seconds()


async def test_a_restart_after_a_crash_waits_for_the_dead_lease_to_lapse(
    database: Database, clock: ManualClock
) -> None:
    assert await Lease(database, clock, POLLING, "dead", TTL).take()
    restarted = Lease(database, clock, POLLING, "restarted", TTL)
    sleep = FakeSleep(clock)
    await take_polling(restarted, sleep=sleep)
    assert POLLING_RENEW.total_seconds() < sleep.slept <= TTL.total_seconds() + 2
    assert await restarted.take()


async def test_renewing_keeps_the_lease_past_its_time(
    database: Database, clock: ManualClock
) -> None:
    mine = Lease(database, clock, POLLING, "mine", TTL)
    other = Lease(database, clock, POLLING, "other", TTL)
    assert await mine.take()
    sleep = FakeSleep(clock)
    renewing = asyncio.create_task(keep_renewing(mine, timedelta(seconds=10), sleep=sleep))
    try:
        await sleep.past_100.wait()
    finally:
        renewing.cancel()
    assert not await other.take()


async def test_a_nightly_job_runs_on_one_instance(database: Database, clock: ManualClock) -> None:
    runs: list[str] = []

    def job(name: str) -> Callable[[], Awaitable[str]]:
        async def run() -> str:
            runs.append(name)
            return name

        return run

    first = exclusive(Lease(database, clock, "retention", "a", TTL), job("a"))
    second = exclusive(Lease(database, clock, "retention", "b", TTL), job("b"))
    assert sorted(map(str, await asyncio.gather(first(), second()))) == ["None", runs[0]]
    assert len(runs) == 1
