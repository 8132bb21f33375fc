"""Pacing outgoing messages below Telegram's limits, before Telegram has to say 429.

Telegram allows a bot about 30 messages a second overall, about one a second to one chat and
20 a minute to one group. The Pacer keeps every send inside those, with a margin:

- overall: sends are spread evenly, ``1 / global_per_second`` apart. An even spacing (a token
  bucket holding one token) never puts more than ``global_per_second`` sends into any half-open
  second, and it leaves room for network jitter: Telegram counts arrivals, not our intentions.
  A burst-then-wait window would pack a second's worth of sends into a few milliseconds, and
  the next second's burst would overlap the previous one whenever latencies differ.
- one chat: at least ``per_chat_interval`` between two sends to it (groups included).
- one group (a negative chat id): at most ``group_per_minute`` sends in any 60 seconds.
- ``pause_all``: after a 429 nobody sends until ``retry_after`` has passed.

A caller waiting for one chat's turn holds no place in the overall queue, so a group that has
used up its minute does not hold up anyone else; callers whose chats may go queue for the
overall rate in the order they came. Time comes from the injected ``now`` and ``sleep``, so
tests run on a fake clock.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

GROUP_WINDOW = 60.0
# Telegram counts arrivals, about one a second to a chat: sends spaced exactly 1.0 s apart can
# arrive 0.99 s apart after network jitter and earn a 429, so one chat waits a little longer.
PER_CHAT_INTERVAL = 1.05
# How late asyncio's timers typically wake (epoll counts milliseconds): see _take_turn.
WAKE_UP_SLACK = 0.001
# Idle chats are forgotten once the map holds this many (then twice what is left, and so on).
_PRUNE_AT = 1024


@dataclass
class _ChatState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # callers inside wait_turn for this chat: never forget those
    last: float | None = None
    recent: deque[float] = field(default_factory=deque)  # groups: sends in the last minute


class Pacer:
    """Decides when the next message to a chat may go; shared by every send of the bot."""

    def __init__(
        self,
        *,
        global_per_second: float = 25.0,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        group_per_minute: int = 20,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if global_per_second <= 0:
            raise ValueError("global_per_second must be positive")
        if per_chat_interval < 0:
            raise ValueError("per_chat_interval must not be negative")
        if group_per_minute < 1:
            raise ValueError("group_per_minute must be at least 1")
        self._spacing = 1.0 / global_per_second
        self._per_chat_interval = per_chat_interval
        self._group_per_minute = group_per_minute
        self._now = now
        self._sleep = sleep
        self._turns = asyncio.Lock()  # callers whose chat may go, in the order they came
        self._last_slot = float("-inf")  # when the last turn was planned (see _take_turn)
        self._paused_until = float("-inf")
        self._chats: dict[int, _ChatState] = {}
        self._prune_at = _PRUNE_AT

    @property
    def global_per_second(self) -> float:
        return 1.0 / self._spacing

    async def wait_turn(self, chat_id: int, *, max_pause: float = math.inf) -> bool:
        """Return when a message to ``chat_id`` may be sent now without breaking a limit.

        The send is counted as made at the moment this returns True: call it right before
        sending, once per attempt. Callers for the same chat are let through one at a time, in
        order. While a pause_all longer than ``max_pause`` seconds is in force this returns
        False at once, without a turn, so a caller need not sit out a long flood wait.
        """
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = _ChatState()
        state.users += 1
        try:
            async with state.lock:
                return await self._take_turn(chat_id, state, max_pause)
        finally:
            state.users -= 1
            if state.users == 0 and len(self._chats) >= self._prune_at:
                self._prune()

    def chat_ready_at(self, chat_id: int) -> float:
        """The moment (on this Pacer's clock) from which ``chat_id`` may have its next turn, as
        far as that chat's own limits go; -inf for a chat not seen lately. A sender picks the
        chat that is ready first, so a chat sitting out its second holds up nobody else."""
        state = self._chats.get(chat_id)
        return float("-inf") if state is None else self._chat_ready(chat_id, state)

    def now(self) -> float:
        """This Pacer's clock (monotonic seconds): the scale of ``chat_ready_at``."""
        return self._now()

    def pause_all(self, seconds: float) -> None:
        """Nobody's turn comes before ``seconds`` from now (a 429's retry_after)."""
        if seconds > 0:
            self._paused_until = max(self._paused_until, self._now() + seconds)

    def pause_remaining(self) -> float:
        """Seconds until a pause_all ends; 0 when nothing is paused."""
        return max(0.0, self._paused_until - self._now())

    async def _take_turn(self, chat_id: int, state: _ChatState, max_pause: float) -> bool:
        while True:
            now = self._now()
            if self._paused_until - now > max_pause:
                return False
            ready = max(now, self._paused_until, self._chat_ready(chat_id, state))
            if ready <= now:
                break
            await self._sleep(ready - now)  # then look again: a pause may have come meanwhile
        # The chat may go; now queue for the overall rate. Turns are planned ``spacing`` apart.
        # A turn given at most WAKE_UP_SLACK after its slot (a timer waking a millisecond late)
        # keeps the plan, so the rate stays the one asked for; a later one (after idling, or
        # an event-loop stall) starts the plan again from when it was given, so the waiters
        # leave one by one instead of all at once. Two turns are never closer than
        # ``spacing - WAKE_UP_SLACK``: any second holds at most rate + 1 of them (30 at 29/s,
        # and Telegram answers 429 only over 30).
        async with self._turns:
            while True:
                now = self._now()
                if self._paused_until - now > max_pause:
                    return False
                slot = max(self._last_slot + self._spacing, self._paused_until)
                if slot <= now:
                    break
                await self._sleep(slot - now)
            self._last_slot = slot if now - slot <= WAKE_UP_SLACK else now
        state.last = now
        if chat_id < 0:
            state.recent.append(now)
        return True

    def _chat_ready(self, chat_id: int, state: _ChatState) -> float:
        if state.last is None:
            return float("-inf")
        ready = state.last + self._per_chat_interval
        if chat_id < 0:
            recent = state.recent
            while recent and recent[0] <= self._now() - GROUP_WINDOW:
                recent.popleft()
            if len(recent) >= self._group_per_minute:
                ready = max(ready, recent[-self._group_per_minute] + GROUP_WINDOW)
        return ready

    def _prune(self) -> None:
        now = self._now()
        for chat_id, state in list(self._chats.items()):
            if state.users:
                continue
            if state.last is None:  # its only caller was cancelled before its turn
                del self._chats[chat_id]
                continue
            idle = now - state.last
            if idle >= self._per_chat_interval and (chat_id > 0 or idle >= GROUP_WINDOW):
                del self._chats[chat_id]
        self._prune_at = max(_PRUNE_AT, 2 * len(self._chats))
