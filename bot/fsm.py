"""Where conversation state lives: in memory by default, in Redis when REDIS_URL is set."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, cast

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage

from bot.settings import Settings

# A conversation left half-way (a survey abandoned on question 3) is forgotten after this long:
# answers in progress are never meant to outlive the moment they were typed in.
CONVERSATION_TTL = timedelta(days=2)


# The data read along with a state: (whose, the raw value), for this update's task only.
_READ_ALONG: ContextVar[tuple[StorageKey, Any] | None] = ContextVar("fsm_read_along", default=None)


class ConversationStorage(RedisStorage):
    """RedisStorage reading a conversation's data together with its state, in one round trip.

    aiogram's FSM middleware asks for the state before every update's handler; a handler that
    then asks for the data (every survey tap does) gets what came along instead of asking Redis
    again. What came along stays in the update's own context (a ContextVar: each update is its
    own task), serves one `get_data` of the same key, and any write drops it.
    """

    async def get_state(self, key: StorageKey) -> str | None:
        state, data = await self.redis.mget(
            self.key_builder.build(key, "state"), self.key_builder.build(key, "data")
        )
        _READ_ALONG.set((key, data))
        if isinstance(state, bytes):
            return state.decode("utf-8")
        return state

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        along = _READ_ALONG.get()
        if along is None or along[0] != key:
            return await super().get_data(key)
        _READ_ALONG.set(None)
        value = along[1]
        if value is None:
            return {}
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        return cast(dict[str, Any], self.json_loads(value))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        _READ_ALONG.set(None)
        await super().set_state(key, state.state if isinstance(state, State) else state)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        _READ_ALONG.set(None)
        await super().set_data(key, data)


def create_fsm_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url is None:
        return MemoryStorage()
    return ConversationStorage.from_url(
        settings.redis_url.get_secret_value(),
        # The bot id in the key lets two bots (a test one, a school's) share one Redis.
        key_builder=DefaultKeyBuilder(with_bot_id=True),
        state_ttl=CONVERSATION_TTL,
        data_ttl=CONVERSATION_TTL,
    )
