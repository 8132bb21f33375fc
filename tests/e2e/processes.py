"""`python -m bot` as real processes against the fake Bot API, and a round-robin proxy in front
of several of them (what a load balancer does for webhook instances)."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import aiohttp
from aiohttp import web

from tests.fakebot import FakeBotAPI

PROJECT = Path(__file__).resolve().parents[2]
# Starting imports all of aiogram: slow on a loaded machine. The ceiling only catches a hang.
HANG_CEILING = 300


def bot_env(api: FakeBotAPI, **settings: str) -> dict[str, str]:
    """The environment of a bot process: this machine's, without its bot settings, plus these."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "TIMEZONE", "REDIS_URL", "WEBHOOK_URL"}
    }
    return {
        **inherited,
        "TELEGRAM_API_BASE": api.base_url,
        "PYTHONPATH": str(PROJECT),
        **settings,
    }


async def spawn(env: Mapping[str, str], cwd: Path) -> asyncio.subprocess.Process:
    """`python -m bot` in `cwd` (which must exist)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env=dict(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def wait_healthy(port: int) -> None:
    """Until the process answers 200 on /healthz (it serves the webhook on the same port)."""
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)


class RoundRobin:
    """Passes each request to the next upstream in turn; one that cannot be reached answers
    502 (Telegram then sends the update again, and the next turn goes to another)."""

    def __init__(self, upstreams: Sequence[int]) -> None:
        self._turns = itertools.cycle(upstreams)
        self.forwarded: dict[int, int] = dict.fromkeys(upstreams, 0)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        upstream = next(self._turns)
        body = await request.read()
        headers = {
            key: value
            for key, value in request.headers.items()
            if key.lower() in {"content-type", "x-telegram-bot-api-secret-token"}
        }
        try:
            async with self._session.request(
                request.method,
                f"http://127.0.0.1:{upstream}{request.path_qs}",
                data=body,
                headers=headers,
            ) as response:
                answer = await response.read()
                self.forwarded[upstream] += 1
                return web.Response(
                    body=answer, status=response.status, content_type=response.content_type
                )
        except (aiohttp.ClientError, OSError):
            return web.Response(status=502)
