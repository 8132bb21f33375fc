"""`python -m bot check`: a line per check, exit 0 when all pass and 2 otherwise, no traceback."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from bot.catalogs import load_catalogs
from bot.cli_check import CheckLine, Outcome, run_checks
from bot.settings import Settings, load_settings
from fakes.telegram import DEFAULT_TOKEN
from fakes.watch import ChangeWatch
from storage.database import Database
from storage.migrate import alembic_config, head_revision, upgrade_to_head
from tests.cli import run_cli
from tests.fakebot import FakeBotAPI
from tests.fakemax import FakeMaxAPI
from tests.fakemax.server import DEFAULT_TOKEN as MAX_TOKEN

Served = TypeVar("Served", bound=ChangeWatch)

CLOSED = "http://127.0.0.1:1"  # nothing listens on port 1: refused at once
TIMEOUT = 3.0


def _settings(tmp_path: Path, api_base: str, **overrides: object) -> Settings:
    # Every setting a check reads given, so the developer's environment plays no part.
    fields: dict[str, object] = {
        "bot_token": DEFAULT_TOKEN,
        "telegram_api_base": api_base,
        "data_dir": tmp_path / "data",
        "database_url": None,
        "redis_url": None,
        "webhook_url": None,
        "webhook_secret": None,
        "max_token": None,
        "max_api_base": None,
        "max_webhook_url": None,
        "max_webhook_secret": None,
    }
    return load_settings(**{**fields, **overrides})


async def _migrate(settings: Settings, *, to: str | None = None) -> None:
    """The database at head, or stamped at the older revision `to` (a bot not yet migrated)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database.from_url(settings.resolved_database_url)
    try:
        await upgrade_to_head(database.engine)
        if to is not None:

            def stamp(connection: Connection) -> None:
                config = alembic_config()
                config.attributes["connection"] = connection
                command.stamp(config, to)

            async with database.engine.begin() as connection:
                await connection.run_sync(stamp)
    finally:
        await database.close()


def _previous_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_revision(head_revision())
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


def _by_key(lines: list[CheckLine]) -> dict[str, Outcome]:
    return {line.key: line.outcome for line in lines}


def _rendered(lines: list[CheckLine]) -> list[str]:
    catalogs = load_catalogs()
    texts = [line.render(catalogs, "ru") for line in lines]
    assert not any("check." in text for text in texts), texts  # every key is in the catalog
    return texts


async def test_all_good(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        settings = _settings(
            tmp_path,
            api.base_url,
            # Any HTTP answer will do: the fake server says 404 to this path.
            webhook_url=f"{api.base_url}/tg/hook",
            webhook_secret="s3cret",
        )
        await _migrate(settings)
        lines = await run_checks(settings, seconds=TIMEOUT)
        base_url = api.base_url
    assert _by_key(lines) == {
        "check.settings.ok": Outcome.PASSED,
        "check.token.ok": Outcome.PASSED,
        "check.max_token.unused": Outcome.SKIPPED,
        "check.database.ok": Outcome.PASSED,
        "check.redis.unused": Outcome.SKIPPED,
        "check.webhook.ok": Outcome.PASSED,
    }
    texts = _rendered(lines)
    assert "✓ Токен принят: это бот @roadmap_test_bot." in texts
    assert f"✓ Адрес вебхука {base_url} отвечает (HTTP 404)." in texts


async def test_a_token_telegram_rejects(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        api.fail("getMe", 401, description="Unauthorized")
        settings = _settings(tmp_path, api.base_url)
        await _migrate(settings)
        lines = await run_checks(settings, seconds=TIMEOUT)
    assert _by_key(lines)["check.token.rejected"] is Outcome.FAILED
    [line] = [text for text in _rendered(lines) if text.startswith("✗")]
    assert "не принял BOT_TOKEN" in line and "@BotFather" in line


async def test_an_unreachable_bot_api_server(tmp_path: Path) -> None:
    settings = _settings(tmp_path, CLOSED)
    await _migrate(settings)
    lines = await run_checks(settings, seconds=TIMEOUT)
    assert _by_key(lines)["check.token.unreachable"] is Outcome.FAILED
    [line] = [text for text in _rendered(lines) if text.startswith("✗")]
    assert line.startswith(f"✗ Сервер Bot API {CLOSED} недоступен")
    assert DEFAULT_TOKEN.partition(":")[2] not in line


async def test_a_database_behind_head_and_one_not_created(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        settings = _settings(tmp_path, api.base_url)
        missing = await run_checks(settings, seconds=TIMEOUT)
        await _migrate(settings, to=_previous_revision())
        behind = await run_checks(settings, seconds=TIMEOUT)
    assert _by_key(missing)["check.database.missing"] is Outcome.FAILED
    assert _by_key(behind)["check.database.behind"] is Outcome.FAILED
    [line] = [text for text in _rendered(behind) if text.startswith("✗")]
    assert f"ревизия {_previous_revision()}, нужна {head_revision()}" in line
    assert "`python -m bot migrate`" in line


async def test_an_unreachable_redis(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        settings = _settings(tmp_path, api.base_url, redis_url="redis://127.0.0.1:1/0")
        await _migrate(settings)
        lines = await run_checks(settings, seconds=TIMEOUT)
    assert _by_key(lines)["check.redis.unreachable"] is Outcome.FAILED
    [line] = [text for text in _rendered(lines) if text.startswith("✗")]
    assert line.startswith("✗ Redis недоступен") and "REDIS_URL" in line


async def test_an_unreachable_webhook_address(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        settings = _settings(
            tmp_path, api.base_url, webhook_url=f"{CLOSED}/tg/hook", webhook_secret="s3cret"
        )
        await _migrate(settings)
        lines = await run_checks(settings, seconds=TIMEOUT)
    assert _by_key(lines)["check.webhook.unreachable"] is Outcome.FAILED
    [line] = [text for text in _rendered(lines) if text.startswith("✗")]
    assert line.startswith(f"✗ Адрес вебхука {CLOSED} недоступен с этой машины")
    assert "/tg/hook" not in line


# ------------------------------------------------------------------ MAX


async def test_max_alone_all_good(tmp_path: Path) -> None:
    async with FakeMaxAPI() as server:
        settings = _settings(
            tmp_path,
            CLOSED,  # never asked: without BOT_TOKEN, Telegram is not used
            bot_token=None,
            max_token=MAX_TOKEN,
            max_api_base=server.base_url,
            # Any HTTP answer will do: the fake server says 404 to this path.
            max_webhook_url=f"{server.base_url}/max",
            max_webhook_secret="s3cret",
        )
        await _migrate(settings)
        lines = await run_checks(settings, seconds=TIMEOUT)
        base_url = server.base_url
    assert _by_key(lines) == {
        "check.settings.ok": Outcome.PASSED,
        "check.token.unused": Outcome.SKIPPED,
        "check.max_token.ok": Outcome.PASSED,
        "check.database.ok": Outcome.PASSED,
        "check.redis.unused": Outcome.SKIPPED,
        "check.webhook.unused": Outcome.SKIPPED,
        "check.max_webhook.ok": Outcome.PASSED,
    }
    texts = _rendered(lines)
    assert "✓ MAX принял MAX_TOKEN: это бот Roadmap (@roadmap_test_bot)." in texts
    assert "– BOT_TOKEN не задан: Telegram не используется, бот работает только в MAX." in texts
    assert f"✓ Адрес вебхука MAX {base_url} отвечает (HTTP 404)." in texts


async def test_both_messengers_and_max_by_long_polling(tmp_path: Path) -> None:
    async with FakeBotAPI() as api, FakeMaxAPI() as server:
        settings = _settings(
            tmp_path, api.base_url, max_token=MAX_TOKEN, max_api_base=server.base_url
        )
        await _migrate(settings)
        lines = await run_checks(settings, seconds=TIMEOUT)
    keys = _by_key(lines)
    assert keys["check.token.ok"] is Outcome.PASSED
    assert keys["check.max_token.ok"] is Outcome.PASSED
    assert keys["check.max_webhook.unused"] is Outcome.SKIPPED
    assert not any(line.failed for line in lines)


async def test_a_token_max_rejects(tmp_path: Path) -> None:
    async with FakeMaxAPI() as server:
        settings = _settings(
            tmp_path, CLOSED, bot_token=None, max_token="revoked", max_api_base=server.base_url
        )
        await _migrate(settings)
        lines = await run_checks(settings, seconds=TIMEOUT)
    assert _by_key(lines)["check.max_token.rejected"] is Outcome.FAILED
    [line] = [text for text in _rendered(lines) if text.startswith("✗")]
    assert "не принял MAX_TOKEN" in line and "business.max.ru" in line
    assert "revoked" not in line


async def test_an_unreachable_max_api_server(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, CLOSED, bot_token=None, max_token=MAX_TOKEN, max_api_base=CLOSED
    )
    await _migrate(settings)
    lines = await run_checks(settings, seconds=TIMEOUT)
    assert _by_key(lines)["check.max_token.unreachable"] is Outcome.FAILED
    [line] = [text for text in _rendered(lines) if text.startswith("✗")]
    assert line.startswith(f"✗ Сервер MAX API {CLOSED} недоступен с этой машины")
    assert MAX_TOKEN not in line


async def test_an_unreachable_max_webhook_address(tmp_path: Path) -> None:
    async with FakeMaxAPI() as server:
        settings = _settings(
            tmp_path,
            CLOSED,
            bot_token=None,
            max_token=MAX_TOKEN,
            max_api_base=server.base_url,
            max_webhook_url=f"{CLOSED}/secret-path/max",
            max_webhook_secret="s3cret",
        )
        await _migrate(settings)
        lines = await run_checks(settings, seconds=TIMEOUT)
    assert _by_key(lines)["check.max_webhook.unreachable"] is Outcome.FAILED
    [line] = [text for text in _rendered(lines) if text.startswith("✗")]
    assert line.startswith(f"✗ Адрес вебхука MAX {CLOSED} недоступен с этой машины")
    assert "secret-path" not in line


# ------------------------------------------------------------------ the command line


@contextlib.contextmanager
def _in_a_thread(server: Served, start: Callable[[], Awaitable[None]]) -> Iterator[Served]:
    """A fake server on its own loop: `run_cli` runs the command's loop in this thread."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(start(), loop).result(TIMEOUT * 10)
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(TIMEOUT * 10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(TIMEOUT * 10)
        loop.close()


def _fake_api_in_a_thread() -> contextlib.AbstractContextManager[FakeBotAPI]:
    api = FakeBotAPI()
    return _in_a_thread(api, api.start)


def test_the_command_exits_0_when_all_pass(tmp_path: Path) -> None:
    with _fake_api_in_a_thread() as api:
        env = {"BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_API_BASE": api.base_url}
        assert run_cli(tmp_path, "migrate", env=env).returncode == 0
        result = run_cli(tmp_path, "check", env=env)
    assert result.returncode == 0, result
    lines = result.stdout.splitlines()
    # settings, Telegram, MAX (not used), database, Redis, webhook; no MAX webhook line
    assert [line[0] for line in lines] == ["✓", "✓", "–", "✓", "–", "–"]
    assert "Traceback" not in result.stderr


def test_the_command_exits_2_with_a_line_per_check(tmp_path: Path) -> None:
    env = {"BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_API_BASE": CLOSED, "LANG": "en_GB.UTF-8"}
    result = run_cli(tmp_path, "check", env=env)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert lines[0] == "✓ Settings read."
    assert lines[1].startswith(f"✗ The Bot API server {CLOSED} cannot be reached")
    assert lines[2] == "– MAX_TOKEN is not set: MAX is not used."
    assert lines[3].startswith("✗ The database file data/roadmap.sqlite3 does not exist yet")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "roadmap.sqlite3").exists()  # a check creates nothing


@pytest.mark.parametrize(
    ("env", "first"),
    [
        # Neither messenger: the text that names both, as `python -m bot run` says it.
        ({}, "✗ Настройка BOT_TOKEN неверна: не задан токен бота. Для Telegram получите"),
        ({"BOT_TOKEN": "not a token"}, "✗ Настройка BOT_TOKEN неверна: токен бота"),
        ({"BOT_TOKEN": DEFAULT_TOKEN, "REDIS_URL": "http://x"}, "✗ Настройка REDIS_URL неверна"),
    ],
)
def test_a_missing_or_malformed_setting_is_a_clear_first_failure(
    tmp_path: Path, env: dict[str, str], first: str
) -> None:
    result = run_cli(tmp_path, "check", env={"TELEGRAM_API_BASE": CLOSED, **env})
    assert result.returncode == 2
    failures = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert failures[0].startswith(first), result.stdout
    assert "not a token" not in result.stdout


def test_no_token_at_all_names_both_messengers(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "check", env={})
    assert result.returncode == 2
    [line] = result.stdout.splitlines()
    assert "BOT_TOKEN" in line and "MAX_TOKEN" in line and "@BotFather" in line


def _fake_max_in_a_thread() -> contextlib.AbstractContextManager[FakeMaxAPI]:
    server = FakeMaxAPI()
    return _in_a_thread(server, server.start_server)


def test_the_command_with_max_alone(tmp_path: Path) -> None:
    with _fake_max_in_a_thread() as server:
        env = {"MAX_TOKEN": MAX_TOKEN, "MAX_API_BASE": server.base_url}
        assert run_cli(tmp_path, "migrate", env=env).returncode == 0
        result = run_cli(tmp_path, "check", env=env)
    assert result.returncode == 0, result
    lines = result.stdout.splitlines()
    # settings, Telegram (not used), MAX, database, Redis, webhook, MAX webhook (long polling)
    assert [line[0] for line in lines] == ["✓", "–", "✓", "✓", "–", "–", "–"]
    assert lines[2] == "✓ MAX принял MAX_TOKEN: это бот Roadmap (@roadmap_test_bot)."
    assert "Traceback" not in result.stderr
