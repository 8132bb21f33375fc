"""Where conversation state lives: in memory by default, in Redis when REDIS_URL is set."""

from __future__ import annotations

from datetime import timedelta

from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage

from bot.settings import Settings

# A conversation left half-way (a survey abandoned on question 3) is forgotten after this long:
# answers in progress are never meant to outlive the moment they were typed in.
CONVERSATION_TTL = timedelta(days=2)


def create_fsm_storage(settings: Settings) -> BaseStorage:
    if settings.redis_url is None:
        return MemoryStorage()
    return RedisStorage.from_url(
        settings.redis_url.get_secret_value(),
        # The bot id in the key lets two bots (a test one, a school's) share one Redis.
        key_builder=DefaultKeyBuilder(with_bot_id=True),
        state_ttl=CONVERSATION_TTL,
        data_ttl=CONVERSATION_TTL,
    )
