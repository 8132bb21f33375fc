"""`python -m bot check`: the settings, the Telegram and MAX tokens, the database, Redis and the
webhook addresses, one line each (✓, ✗ or – when not used), before the bot is started or after
it was moved.

Each check waits CHECK_TIMEOUT seconds at most and reports a failure as a line saying what to
do, never as a traceback. Nothing is changed: the database is only read (a SQLite file that is
not there yet is reported, not created), Telegram is asked getMe, MAX GET /me, Redis PING, and
each webhook address one GET.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramUnauthorizedError,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings, require_a_messenger
from core.i18n import Catalogs
from maxapi_client import DEFAULT_BASE_URL as MAX_DEFAULT_BASE_URL
from maxapi_client import MaxApiError, MaxClient, MaxNetworkError
from storage.database import Database
from storage.migrate import current_revision, head_revision, is_known_revision

CHECK_TIMEOUT = 5.0
EXIT_OK = 0
EXIT_FAILED = 2
_OFFICIAL_API = "api.telegram.org"
_DETAIL_LIMIT = 200

Print = Callable[[str], None]


class Outcome(StrEnum):
    PASSED = "✓"
    FAILED = "✗"
    SKIPPED = "–"


@dataclass(frozen=True)
class CheckLine:
    """One line of the report: its outcome and the catalog key (with fields) that words it."""

    outcome: Outcome
    key: str
    params: dict[str, object] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.outcome is Outcome.FAILED

    def render(self, catalogs: Catalogs, locale: str) -> str:
        return f"{self.outcome.value} {catalogs.gettext(self.key, locale).format(**self.params)}"


def _detail(error: BaseException) -> str:
    """The error's first line, short: enough to tell «refused» from «wrong password»."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:_DETAIL_LIMIT]


async def check_token(settings: Settings, seconds: float) -> CheckLine:
    if settings.bot_token is None:
        if settings.max_token is not None:
            return CheckLine(Outcome.SKIPPED, "check.token.unused")
        return CheckLine(Outcome.FAILED, "check.token.missing")
    server = settings.telegram_api_base or _OFFICIAL_API
    # Not create_bot: its retries would stretch an unreachable server to many seconds.
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
        if settings.telegram_api_base
        else AiohttpSession()
    )
    bot = Bot(token=settings.bot_token.get_secret_value(), session=session)
    try:
        me = await asyncio.wait_for(bot.get_me(request_timeout=max(1, int(seconds))), seconds + 1)
    except TelegramUnauthorizedError:
        return CheckLine(Outcome.FAILED, "check.token.rejected", {"server": server})
    except (TelegramNetworkError, TimeoutError, OSError, aiohttp.ClientError) as error:
        # aiohttp's errors name the host and port, never the URL with the token.
        return CheckLine(
            Outcome.FAILED, "check.token.unreachable", {"server": server, "error": _detail(error)}
        )
    except TelegramAPIError as error:
        return CheckLine(
            Outcome.FAILED, "check.token.error", {"server": server, "error": _detail(error)}
        )
    finally:
        await bot.session.close()
    return CheckLine(Outcome.PASSED, "check.token.ok", {"username": me.username or me.id})


async def check_max_token(settings: Settings, seconds: float) -> CheckLine:
    if settings.max_token is None:
        return CheckLine(Outcome.SKIPPED, "check.max_token.unused")
    server = settings.max_api_base or urlsplit(MAX_DEFAULT_BASE_URL).netloc
    client = MaxClient(
        settings.max_token.get_secret_value(),
        settings.max_api_base or MAX_DEFAULT_BASE_URL,
        request_timeout=seconds,
    )
    try:
        me = await asyncio.wait_for(client.me(), seconds + 1)
    except MaxApiError as error:
        if error.status == 401:
            return CheckLine(Outcome.FAILED, "check.max_token.rejected", {"server": server})
        return CheckLine(
            Outcome.FAILED, "check.max_token.error", {"server": server, "error": _detail(error)}
        )
    except (MaxNetworkError, TimeoutError, OSError) as error:
        # The token goes in a header: the client's errors name the method and host, not it.
        return CheckLine(
            Outcome.FAILED,
            "check.max_token.unreachable",
            {"server": server, "error": _detail(error)},
        )
    finally:
        await client.close()
    name = me.name or str(me.user_id)
    return CheckLine(
        Outcome.PASSED,
        "check.max_token.ok",
        {"bot": f"{name} (@{me.username})" if me.username else name},
    )


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL, None for other databases and in-memory ones."""
    parsed = make_url(url)
    if not parsed.get_backend_name().startswith("sqlite") or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _shown(url: str) -> str:
    """The database as the report names it: its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


async def _revisions(url: str, pool_size: int) -> str | None:
    database = Database.from_url(url, pool_size=pool_size)
    try:
        return await current_revision(database.engine)
    finally:
        await database.close()


async def check_database(settings: Settings, seconds: float) -> CheckLine:
    url = settings.resolved_database_url
    try:
        shown = _shown(url)
        sqlite_file = _sqlite_file(url)
    except ArgumentError:
        return CheckLine(Outcome.FAILED, "check.database.bad_url")
    if sqlite_file is not None and not sqlite_file.exists():
        return CheckLine(Outcome.FAILED, "check.database.missing", {"path": str(sqlite_file)})
    try:
        revision = await asyncio.wait_for(_revisions(url, settings.database_pool_size), seconds)
    except (TimeoutError, OSError, SQLAlchemyError) as error:
        cause = getattr(error, "orig", None) or error
        return CheckLine(
            Outcome.FAILED,
            "check.database.unreachable",
            {"database": shown, "error": _detail(cause)},
        )
    head = head_revision()
    if revision is None:
        return CheckLine(Outcome.FAILED, "check.database.empty", {"database": shown})
    if revision == head:
        return CheckLine(
            Outcome.PASSED, "check.database.ok", {"database": shown, "revision": revision}
        )
    if is_known_revision(revision):
        return CheckLine(
            Outcome.FAILED,
            "check.database.behind",
            {"database": shown, "revision": revision, "head": head},
        )
    return CheckLine(
        Outcome.FAILED,
        "check.database.ahead",
        {"database": shown, "revision": revision, "head": head},
    )


async def check_redis(settings: Settings, seconds: float) -> CheckLine:
    if settings.redis_url is None:
        return CheckLine(Outcome.SKIPPED, "check.redis.unused")
    try:
        from redis.asyncio import Redis
        from redis.exceptions import AuthenticationError, RedisError
    except ImportError:
        return CheckLine(Outcome.FAILED, "check.redis.no_package")
    client = Redis.from_url(
        settings.redis_url.get_secret_value(),
        socket_connect_timeout=seconds,
        socket_timeout=seconds,
        retry_on_timeout=False,
    )
    try:
        await asyncio.wait_for(client.ping(), seconds + 1)
    except AuthenticationError:
        return CheckLine(Outcome.FAILED, "check.redis.denied")
    except (TimeoutError, OSError, RedisError) as error:
        # redis-py names host and port in its errors, never the password of the URL.
        return CheckLine(Outcome.FAILED, "check.redis.unreachable", {"error": _detail(error)})
    finally:
        await client.aclose()
    return CheckLine(Outcome.PASSED, "check.redis.ok")


async def check_address(url: str, seconds: float, keys: str) -> CheckLine:
    """Whether a webhook address answers from here: its name in DNS, then one GET (any HTTP
    answer will do). `keys`: the catalog keys' prefix, `check.webhook` for Telegram's."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    # The origin only: a path may be meant to stay unguessable.
    origin = f"{parts.scheme}://{parts.netloc}"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        await asyncio.wait_for(
            asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM), seconds
        )
    except (TimeoutError, OSError):
        return CheckLine(Outcome.FAILED, f"{keys}.unresolved", {"host": host})
    client_timeout = aiohttp.ClientTimeout(total=seconds)
    try:
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as session,
            session.get(url, allow_redirects=False) as response,
        ):
            status = response.status
    except (aiohttp.ClientSSLError, aiohttp.ServerFingerprintMismatch) as error:
        return CheckLine(
            Outcome.FAILED, f"{keys}.tls", {"origin": origin, "error": _detail(error)}
        )
    except (TimeoutError, OSError, aiohttp.ClientError) as error:
        return CheckLine(
            Outcome.FAILED,
            f"{keys}.unreachable",
            {"origin": origin, "error": _detail(error)},
        )
    return CheckLine(Outcome.PASSED, f"{keys}.ok", {"origin": origin, "status": status})


async def check_webhook(settings: Settings, seconds: float) -> CheckLine:
    if settings.webhook_url is None:
        return CheckLine(Outcome.SKIPPED, "check.webhook.unused")
    return await check_address(settings.webhook_url, seconds, "check.webhook")


async def check_max_webhook(settings: Settings, seconds: float) -> CheckLine | None:
    """The MAX webhook's line; None (no line) when MAX is not used at all."""
    if settings.max_token is None:
        return None
    if settings.max_webhook_url is None:
        return CheckLine(Outcome.SKIPPED, "check.max_webhook.unused")
    return await check_address(settings.max_webhook_url, seconds, "check.max_webhook")


async def run_checks(settings: Settings, *, seconds: float = CHECK_TIMEOUT) -> list[CheckLine]:
    """Every check at once (the slowest sets the pace), in the order they are reported."""
    lines = await asyncio.gather(
        check_token(settings, seconds),
        check_max_token(settings, seconds),
        check_database(settings, seconds),
        check_redis(settings, seconds),
        check_webhook(settings, seconds),
        check_max_webhook(settings, seconds),
    )
    shown = [line for line in lines if line is not None]
    return [CheckLine(Outcome.PASSED, "check.settings.ok"), *shown]


def settings_line(error: SettingsError, catalogs: Catalogs, locale: str) -> CheckLine:
    return CheckLine(
        Outcome.FAILED,
        "check.settings.invalid",
        {"variable": error.variable, "problem": catalogs.gettext(error.key, locale)},
    )


def run_check(catalogs: Catalogs, locale: str, out: Print) -> int:
    """The report, line by line on `out`: 0 when nothing failed, 2 otherwise."""
    try:
        settings = load_settings()
        # Neither BOT_TOKEN nor MAX_TOKEN: the text that names both, as `run` says it.
        require_a_messenger(settings)
    except SettingsError as error:
        out(settings_line(error, catalogs, locale).render(catalogs, locale))
        return EXIT_FAILED
    configure_logging(settings)
    lines = asyncio.run(run_checks(settings))
    for line in lines:
        out(line.render(catalogs, locale))
    return EXIT_FAILED if any(line.failed for line in lines) else EXIT_OK
