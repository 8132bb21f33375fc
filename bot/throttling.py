"""A per-user limit: button hammering and floods get a polite word instead of queued work."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.i18n import gettext as _

Monotonic = Callable[[], float]


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class TokenBuckets:
    """One token bucket per user: `burst` events at once, then `rate` per second."""

    def __init__(self, rate: float, burst: int, now: Monotonic = time.monotonic) -> None:
        self._rate = rate
        self._burst = burst
        self._now = now
        self._buckets: dict[int, _Bucket] = {}

    def take(self, user_id: int) -> bool:
        now = self._now()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(float(self._burst), now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True
        return False

    def first_refusal(self, user_id: int) -> bool:
        """True once per run of refusals, so a flood gets one warning, not one per message."""
        bucket = self._buckets[user_id]
        if bucket.warned:
            return False
        bucket.warned = True
        return True

    def forget_idle(self) -> None:
        """Drops full buckets, so memory follows active users, not everyone ever seen."""
        now = self._now()
        self._buckets = {
            user_id: bucket
            for user_id, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * self._rate < self._burst
        }


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, buckets: TokenBuckets) -> None:
        self._buckets = buckets
        self._seen = 0

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or self._buckets.take(user.id):
            self._seen += 1
            if self._seen % 1000 == 0:
                self._buckets.forget_idle()
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            # Every press must be answered, or the button spins on the user's screen.
            await event.answer(_("throttle.button"))
        elif isinstance(event, Message) and self._buckets.first_refusal(user.id):
            await event.answer(_("throttle.message"))
        return None
