"""The Pacer on a virtual clock: limits hold, and nobody waits longer than the limits need."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from scheduler.pacing import WAKE_UP_SLACK, Pacer

RATE = 25
SLACK = 1e-9  # float sums of 1/25 land a hair either side of the exact moment


class VirtualTime:
    """A clock that jumps to the next sleeper's wake-up once every task is waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), future))
        await future

    async def run(self, *coroutines: Coroutine[Any, Any, Any]) -> list[Any]:
        tasks = [asyncio.create_task(coroutine) for coroutine in coroutines]
        while not all(task.done() for task in tasks):
            for _ in range(20):  # let every runnable task go as far as it can
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                break
            assert self._sleepers, "deadlock: tasks wait for something other than time"
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            future.set_result(None)
        return [task.result() for task in tasks]

    def pacer(self, **options: Any) -> Pacer:
        return Pacer(now=self.monotonic, sleep=self.sleep, **options)


@pytest.fixture
def clock() -> VirtualTime:
    return VirtualTime()


def turn(
    clock: VirtualTime, pacer: Pacer, chat_id: int
) -> Callable[[], Coroutine[Any, Any, float]]:
    async def take() -> float:
        await pacer.wait_turn(chat_id)
        return clock.now

    return take


def busiest_second(times: list[float]) -> int:
    """The most sends in any half-open second [t, t + 1)."""
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + 1 - SLACK) for t in times)


async def test_a_hundred_chats_in_turn_take_four_seconds(clock: VirtualTime) -> None:
    pacer = clock.pacer(global_per_second=RATE)

    async def send_all() -> list[float]:
        return [await turn(clock, pacer, chat)() for chat in range(1, 101)]

    [times] = await clock.run(send_all())
    # The 100th starts 99 gaps of 40 ms after the first; its own slot ends at 4.0 s.
    assert times[0] == 0.0
    assert times[-1] + 1 / RATE >= 4.0 - SLACK
    assert times[-1] == pytest.approx(99 / RATE)  # and no slower than the limit needs
    assert busiest_second(times) == RATE


async def test_a_hundred_chats_at_once_still_keep_the_rate(clock: VirtualTime) -> None:
    pacer = clock.pacer(global_per_second=RATE)
    times = await clock.run(*(turn(clock, pacer, chat)() for chat in range(1, 101)))
    assert max(times) + 1 / RATE >= 4.0 - SLACK
    assert max(times) == pytest.approx(99 / RATE)
    assert busiest_second(times) == RATE
    gaps = [b - a for a, b in itertools.pairwise(sorted(times))]
    assert min(gaps) == pytest.approx(1 / RATE)  # evenly spread, no burst


async def test_two_messages_to_one_chat_are_a_second_apart(clock: VirtualTime) -> None:
    pacer = clock.pacer()
    first, second, other = await clock.run(
        turn(clock, pacer, 7)(), turn(clock, pacer, 7)(), turn(clock, pacer, 8)()
    )
    assert first == 0.0
    assert second - first >= 1.0
    assert other == pytest.approx(1 / RATE)  # another chat does not wait for chat 7


async def test_one_chat_in_turn_waits_only_the_interval(clock: VirtualTime) -> None:
    pacer = clock.pacer(per_chat_interval=1.0)

    async def three() -> list[float]:
        return [await turn(clock, pacer, 5)() for _ in range(3)]

    [times] = await clock.run(three())
    assert times == pytest.approx([0.0, 1.0, 2.0])


async def test_a_group_gets_twenty_a_minute(clock: VirtualTime) -> None:
    pacer = clock.pacer()
    group = -100123

    async def twenty_one() -> list[float]:
        return [await turn(clock, pacer, group)() for _ in range(21)]

    [times] = await clock.run(twenty_one())
    assert times[20] - times[0] >= 60.0
    assert times[19] < 60.0  # the first twenty do not wait for the minute
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
    assert all(sum(1 for u in times if t <= u < t + 60) <= 20 for t in times)


async def test_a_full_group_holds_up_nobody_else(clock: VirtualTime) -> None:
    pacer = clock.pacer(per_chat_interval=0.0)
    group = -5

    async def group_burst() -> list[float]:
        return [await turn(clock, pacer, group)() for _ in range(21)]

    async def private_chats() -> list[float]:
        await clock.sleep(5.0)
        return [await turn(clock, pacer, chat)() for chat in range(1, 4)]

    group_times, private_times = await clock.run(group_burst(), private_chats())
    assert group_times[20] >= 60.0
    assert private_times == pytest.approx([5.0, 5.04, 5.08])


async def test_a_private_chat_has_no_minute_limit(clock: VirtualTime) -> None:
    pacer = clock.pacer(per_chat_interval=0.0, global_per_second=100)

    async def thirty() -> list[float]:
        return [await turn(clock, pacer, 42)() for _ in range(30)]

    [times] = await clock.run(thirty())
    assert times[-1] == pytest.approx(29 / 100)


async def test_pause_all_delays_everyone(clock: VirtualTime) -> None:
    pacer = clock.pacer()

    async def scenario() -> list[float]:
        first = await turn(clock, pacer, 1)()
        pacer.pause_all(5.0)
        assert pacer.pause_remaining() == pytest.approx(5.0)
        later = [await turn(clock, pacer, chat)() for chat in (2, 3, 1)]
        assert pacer.pause_remaining() == 0.0
        return [first, *later]

    [times] = await clock.run(scenario())
    assert times[0] == 0.0
    assert all(t >= 5.0 for t in times[1:])
    assert times[1:] == pytest.approx([5.0, 5.04, 5.08])


async def test_pause_all_reaches_those_already_waiting(clock: VirtualTime) -> None:
    pacer = clock.pacer()

    async def too_many_requests() -> None:
        await clock.sleep(0.1)
        pacer.pause_all(2.0)

    *times, _ = await clock.run(
        *(turn(clock, pacer, chat)() for chat in range(1, 11)), too_many_requests()
    )
    before = [t for t in times if t <= 0.1]
    after = [t for t in times if t > 0.1]
    assert len(before) == 3  # 0, 0.04, 0.08 went before the 429
    assert len(after) == 7
    assert min(after) >= 2.1
    assert busiest_second(times) <= RATE


async def test_a_shorter_pause_does_not_cut_a_longer_one(clock: VirtualTime) -> None:
    pacer = clock.pacer()
    pacer.pause_all(10.0)
    pacer.pause_all(1.0)
    pacer.pause_all(0.0)
    assert pacer.pause_remaining() == pytest.approx(10.0)
    [when] = await clock.run(turn(clock, pacer, 1)())
    assert when == pytest.approx(10.0)


async def test_idle_chats_are_forgotten(clock: VirtualTime) -> None:
    pacer = clock.pacer(global_per_second=1000)

    async def many() -> None:
        for chat in range(1, 3001):
            await pacer.wait_turn(chat)
        await clock.sleep(2.0)
        await pacer.wait_turn(1)

    await clock.run(many())
    assert len(pacer._chats) < 2048


@pytest.mark.parametrize(
    "options",
    [{"global_per_second": 0}, {"per_chat_interval": -1}, {"group_per_minute": 0}],
)
def test_nonsense_limits_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        Pacer(**options)  # type: ignore[arg-type]


async def test_a_long_pause_can_be_declined(clock: VirtualTime) -> None:
    pacer = clock.pacer()

    async def scenario() -> list[bool]:
        pacer.pause_all(120.0)
        declined = await pacer.wait_turn(1, max_pause=30.0)
        short = await pacer.wait_turn(2, max_pause=200.0)
        return [declined, short]

    [(declined, short)] = await clock.run(scenario())
    assert not declined
    assert short
    assert clock.now == pytest.approx(120.0)


async def test_waiters_give_up_when_a_long_pause_comes(clock: VirtualTime) -> None:
    pacer = clock.pacer()

    async def flood_wait() -> None:
        await clock.sleep(0.1)
        pacer.pause_all(120.0)

    async def take(chat: int) -> tuple[bool, float]:
        return await pacer.wait_turn(chat, max_pause=30.0), clock.now

    *outcomes, _ = await clock.run(*(take(chat) for chat in range(1, 11)), flood_wait())
    assert [ok for ok, _ in outcomes] == [True] * 3 + [False] * 7
    assert max(when for _, when in outcomes) < 1.0  # nobody sat out the two minutes


class LateTimers(VirtualTime):
    """Every sleep wakes ``late`` seconds after it was asked to, as asyncio's timers do."""

    def __init__(self, late: float) -> None:
        super().__init__()
        self.late = late

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds + self.late)


async def test_timers_waking_late_do_not_slow_the_rate() -> None:
    clock = LateTimers(late=0.0008)
    pacer = clock.pacer(global_per_second=29, per_chat_interval=0.0)
    times = await clock.run(*(turn(clock, pacer, chat)() for chat in range(1, 291)))
    # Pacing from each late wake-up would take 289 x (1/29 + 0.8 ms) = 10.20 s.
    assert max(times) < 289 / 29 + 0.002
    assert busiest_second(times) <= 30
    gaps = [b - a for a, b in itertools.pairwise(sorted(times))]
    assert min(gaps) >= 1 / 29 - WAKE_UP_SLACK - SLACK


async def test_after_a_stall_the_waiters_still_leave_one_by_one() -> None:
    clock = LateTimers(late=0.25)  # every wake-up a quarter of a second late
    pacer = clock.pacer(global_per_second=29, per_chat_interval=0.0)
    times = sorted(await clock.run(*(turn(clock, pacer, chat)() for chat in range(1, 61))))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1 / 29 - SLACK
    assert busiest_second(times) <= 29
