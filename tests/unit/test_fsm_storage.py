"""Conversation state storage: memory by default, Redis (with expiry) when REDIS_URL is set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage

from bot.fsm import CONVERSATION_TTL, ConversationStorage, create_fsm_storage
from bot.settings import Settings, SettingsError, load_settings

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _settings(tmp_path: Path, redis_url: str | None = None) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path,
        redis_url=redis_url,
    )


def test_memory_without_redis_url(tmp_path: Path) -> None:
    assert isinstance(create_fsm_storage(_settings(tmp_path)), MemoryStorage)


@pytest.mark.parametrize("value", ["localhost:6379", "http://redis:6379", "redis:/x"])
def test_malformed_redis_url_is_refused_without_echo(
    value: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REDIS_URL", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.variable == "REDIS_URL"
    assert value not in str(caught.value)


@pytest.mark.skipif(REDIS_URL is None, reason="TEST_REDIS_URL is not set (CI sets it)")
async def test_redis_keeps_state_with_expiry(tmp_path: Path, redis_bot_id: int) -> None:
    storage = create_fsm_storage(_settings(tmp_path, redis_url=REDIS_URL))
    assert isinstance(storage, RedisStorage)
    key = StorageKey(bot_id=redis_bot_id, chat_id=-77, user_id=-77)
    try:
        await storage.set_state(key, "SurveyAnswering:question")
        await storage.set_data(key, {"answers": {"1": {"choices": ["2"]}}})
        assert await storage.get_state(key) == "SurveyAnswering:question"
        assert await storage.get_data(key) == {"answers": {"1": {"choices": ["2"]}}}
        data_key = storage.key_builder.build(key, "data")
        ttl = await storage.redis.ttl(data_key)
        assert 0 < ttl <= CONVERSATION_TTL.total_seconds()
    finally:
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        await storage.close()


@pytest.mark.skipif(REDIS_URL is None, reason="TEST_REDIS_URL is not set (CI sets it)")
async def test_data_read_along_with_the_state_serves_one_read_and_no_write_goes_stale(
    tmp_path: Path, redis_bot_id: int
) -> None:
    storage = create_fsm_storage(_settings(tmp_path, redis_url=REDIS_URL))
    assert isinstance(storage, ConversationStorage)
    key = StorageKey(bot_id=redis_bot_id, chat_id=-78, user_id=-78)
    other = StorageKey(bot_id=redis_bot_id, chat_id=-79, user_id=-79)
    commands: list[str] = []
    execute = storage.redis.execute_command

    async def counted(*args: Any, **kwargs: Any) -> Any:
        commands.append(str(args[0]))
        return await execute(*args, **kwargs)

    try:
        await storage.set_state(key, "SurveyAnswering:answering")
        await storage.set_data(key, {"step": 1})
        await storage.set_data(other, {"step": 9})
        storage.redis.execute_command = counted  # type: ignore[method-assign]

        assert await storage.get_state(key) == "SurveyAnswering:answering"
        assert await storage.get_data(key) == {"step": 1}
        assert commands == ["MGET"]  # the data came with the state
        assert await storage.get_data(other) == {"step": 9}  # another key: asked
        assert await storage.get_data(key) == {"step": 1}  # used once: asked again
        assert commands == ["MGET", "GET", "GET"]

        await storage.get_state(key)
        await storage.set_data(key, {"step": 2})
        assert await storage.get_data(key) == {"step": 2}  # a write drops what came along
        await storage.get_state(key)
        await storage.redis.set(storage.key_builder.build(key, "data"), '{"step": 3}')
        await storage.set_state(key, "SurveyAnswering:answering")
        assert await storage.get_data(key) == {"step": 3}

        await storage.set_state(key, None)
        await storage.set_data(key, {})
        assert await storage.get_state(key) is None
        assert await storage.get_data(key) == {}
    finally:
        storage.redis.execute_command = execute  # type: ignore[method-assign]
        for cleared in (key, other):
            await storage.set_state(cleared, None)
            await storage.set_data(cleared, {})
        await storage.close()
